/** Base class of every error thrown by pothos-eventlog; `code` tells the kinds apart. */
export class EventLogError extends Error {
  readonly code: string;

  constructor(message: string, code = 'EVENT_LOG_ERROR', options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventLogError';
    this.code = code;
  }
}

/** A message template that cannot be parsed or rendered with the values given. */
export class TemplateError extends EventLogError {
  /** The placeholder at fault, without braces, when there is one. */
  readonly placeholder: string | undefined;

  constructor(message: string, placeholder?: string) {
    super(message, 'TEMPLATE_ERROR');
    this.name = 'TemplateError';
    this.placeholder = placeholder;
  }
}

/** An entry (or an option) that cannot be stored as given. */
export class EventLogValidationError extends EventLogError {
  /** The field or value path at fault, e.g. `tool` or `changes.new_value.items.2.cb`. */
  readonly path: string | undefined;

  constructor(message: string, path?: string, code = 'EVENT_LOG_INVALID') {
    super(message, code);
    this.name = 'EventLogValidationError';
    this.path = path;
  }
}

/**
 * A value longer or larger than its limit: a column's length or a configured byte size.
 * Also an `EventLogValidationError`, with its own code.
 */
export class EventLogLimitError extends EventLogValidationError {
  /** The field at fault, e.g. `changes` or `action`. */
  readonly field: string;
  readonly limit: number;
  /** The actual size, in the limit's unit (characters or bytes). */
  readonly size: number;

  constructor(message: string, field: string, limit: number, size: number) {
    super(message, field, 'EVENT_LOG_TOO_LARGE');
    this.name = 'EventLogLimitError';
    this.field = field;
    this.limit = limit;
    this.size = size;
  }
}

/**
 * The database, the client or the schema is not set up right (a server error, never the
 * client's); the message names what and the fix.
 */
export class EventLogSetupError extends EventLogError {
  constructor(message: string) {
    super(message, 'EVENT_LOG_SETUP');
    this.name = 'EventLogSetupError';
  }
}

export function isEventLogError(value: unknown): value is EventLogError {
  return value instanceof EventLogError;
}

export function isTemplateError(value: unknown): value is TemplateError {
  return value instanceof TemplateError;
}

export function isEventLogValidationError(value: unknown): value is EventLogValidationError {
  return value instanceof EventLogValidationError;
}

export function isEventLogLimitError(value: unknown): value is EventLogLimitError {
  return value instanceof EventLogLimitError;
}
