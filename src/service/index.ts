export {
  EventLogError,
  EventLogLimitError,
  EventLogValidationError,
  isEventLogError,
  isEventLogLimitError,
  isEventLogValidationError,
  isTemplateError,
  TemplateError,
} from '../errors.js';
export {
  createDiffSchema,
  DEFAULT_EXCLUDED_KEYS,
  type DiffOptions,
  type DiffSchema,
} from './diff.js';
export {
  EventLogAction,
  type EventLogActionName,
  type EventLogActor,
  type EventLogClient,
  type EventLogCreateData,
  EventLogService,
  type EventLogServiceOptions,
  type EventLogWriteOptions,
  type LogEntry,
} from './event-log-service.js';
export {
  type DecimalLike,
  decimalToString,
  isDecimalLike,
  type JsonObject,
  type JsonPrimitive,
  type JsonSafeOptions,
  type JsonValue,
  jsonByteLength,
  toJsonSafe,
} from './json-safe.js';
export {
  createKeyMatcher,
  DEFAULT_MASKED_KEYS,
  type KeyMatcher,
  maskSensitive,
  REDACTED,
} from './mask.js';
export { isObjectRef, type ObjectRef, objectRef } from './object-ref.js';
export {
  collectTemplateValues,
  parseTemplate,
  renderStoredTemplate,
  renderTemplate,
  type StoredTemplateValue,
  type StoredTemplateValues,
  type TemplateOptions,
  type TemplatePart,
  templatePlaceholders,
} from './template.js';
