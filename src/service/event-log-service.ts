import { currentEventLogContext } from '../capture/context.js';
import { EventLogError, EventLogLimitError, EventLogValidationError } from '../errors.js';
import { createDiffSchema, type DiffSchema } from './diff.js';
import { isPlainObject, type JsonObject, jsonByteLength, toJsonSafe } from './json-safe.js';
import { createKeyMatcher, DEFAULT_MASKED_KEYS, type KeyMatcher, maskSensitive } from './mask.js';
import { describe, isObjectRef, type ObjectRef } from './object-ref.js';
import { renderAndCollect, type StoredTemplateValues } from './template.js';

export const EventLogAction = {
  CREATE: 'create',
  UPDATE: 'update',
  DELETE: 'delete',
  ACCESS: 'access',
} as const;

export type EventLogActionName =
  | (typeof EventLogAction)[keyof typeof EventLogAction]
  | (string & {});

/** Who acted; `name` is stored as a snapshot next to the id. */
export interface EventLogActor {
  id: string | number | bigint;
  name?: string | null;
}

export interface LogEntry {
  /** The message with `{placeholders}`, e.g. `Item {item__name} was updated.` */
  templateMessage: string;
  /** What the placeholders refer to: values, rows (`objectRef`) or plain objects. */
  values?: Record<string, unknown>;
  /** The object the event is about: `objectRef(model, row)` or `{ model, id }`. */
  object: ObjectRef | { model: string; id?: string | number | bigint | null };
  /**
   * `null` for a system event. Inside `withEventLogContext()` (and an audited mutation) it
   * may be left out: the context's actor is used.
   */
  actor?: EventLogActor | null;
  /** The part of the application that wrote the entry, e.g. `certificates`. */
  tool: string;
  action: EventLogActionName;
  /** `{ old_value, new_value }`, as returned by `createDiffSchema()`. */
  changes?: DiffSchema | null;
  /** Request id, operation name, field path... */
  context?: Record<string, unknown> | null;
}

/** The columns written for one entry (all but `id` and `timestamp`). */
export interface EventLogCreateData {
  actorId: string | null;
  actorName: string | null;
  tool: string;
  action: string;
  objectType: string;
  objectId: string | null;
  template: string;
  message: string;
  values: StoredTemplateValues;
  /** Left out (SQL NULL) when the entry has no changes. */
  changes?: JsonObject;
  /** Left out (SQL NULL) when the entry has no context. */
  context?: JsonObject;
}

/** Structural: any PrismaClient or interactive-transaction client whose schema holds the EventLog model. */
export interface EventLogClient {
  eventLog: {
    create(args: { data: EventLogCreateData; select?: { id: true } }): PromiseLike<unknown>;
    createMany?(args: { data: EventLogCreateData[] }): PromiseLike<unknown>;
  };
}

export interface EventLogWriteOptions {
  /** The client to write with, e.g. the transaction client of `prisma.$transaction`. */
  client?: EventLogClient;
}

export interface EventLogServiceOptions {
  /** The client used when `log()` is not given one. */
  client?: EventLogClient;
  /** Keys masked in addition to `DEFAULT_MASKED_KEYS`. @default [] */
  maskedKeys?: readonly string[];
  /** Largest `changes` JSON, in UTF-8 bytes. @default 262144 (256 KiB) */
  maxChangesBytes?: number;
  /** Largest stored `values` JSON, in UTF-8 bytes. @default 65536 (64 KiB) */
  maxValuesBytes?: number;
  /** Largest `context` JSON, in UTF-8 bytes. @default 65536 (64 KiB) */
  maxContextBytes?: number;
  /** Longest template and rendered message, in characters. @default 10000 */
  maxMessageLength?: number;
}

const DEFAULT_LIMITS = {
  maxChangesBytes: 256 * 1024,
  maxValuesBytes: 64 * 1024,
  maxContextBytes: 64 * 1024,
  maxMessageLength: 10_000,
};

type Limits = typeof DEFAULT_LIMITS;

/** Lengths of the VARCHAR columns of the EventLog model. */
const NAME_LENGTH = 100;
const ID_LENGTH = 255;

/**
 * Writes audit entries: validates them, renders the message, masks sensitive keys, checks
 * sizes, then creates one row per entry. Nothing is written when anything is wrong.
 */
export class EventLogService {
  static createDiffSchema = createDiffSchema;

  /** Every masked key: the defaults and the `maskedKeys` option. */
  readonly maskedKeys: readonly string[];
  readonly limits: Readonly<Limits>;
  readonly #client: EventLogClient | undefined;
  readonly #isMasked: KeyMatcher;

  constructor(options: EventLogServiceOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new EventLogValidationError(
        `EventLogService options must be an object; got ${describe(options)}.`,
      );
    }
    const extraKeys = options.maskedKeys ?? [];
    if (!Array.isArray(extraKeys) || extraKeys.some((key) => typeof key !== 'string' || !key)) {
      throw new EventLogValidationError(
        'The maskedKeys option must be an array of non-empty strings.',
        'maskedKeys',
      );
    }
    const limits = { ...DEFAULT_LIMITS };
    for (const name of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
      const value = options[name];
      if (value === undefined) continue;
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new EventLogValidationError(
          `The ${name} option must be a positive integer; got ${String(value)}.`,
          name,
        );
      }
      limits[name] = value;
    }
    this.#client = options.client;
    this.maskedKeys = Object.freeze([...DEFAULT_MASKED_KEYS, ...extraKeys]);
    this.#isMasked = createKeyMatcher(this.maskedKeys);
    this.limits = Object.freeze(limits);
  }

  /** Writes one entry with `options.client`, else the service's client; returns the created row. */
  async log(entry: LogEntry, options: EventLogWriteOptions = {}): Promise<unknown> {
    const client = this.#clientFor(options.client, 'log');
    const data = this.prepare(entry);
    return client.eventLog.create({ data });
  }

  /**
   * Writes entries with one `createMany` and returns how many were written. Every entry is
   * checked first: when one is invalid, nothing is written. Without `createMany` on the
   * client, entries are created one by one (atomic only inside a transaction).
   */
  async logMany(entries: readonly LogEntry[], options: EventLogWriteOptions = {}): Promise<number> {
    const client = this.#clientFor(options.client, 'logMany');
    if (!Array.isArray(entries)) {
      throw new EventLogValidationError(
        `logMany() expects an array of entries; got ${describe(entries)}.`,
        'entries',
      );
    }
    const data = entries.map((entry, index) => {
      try {
        return this.prepare(entry);
      } catch (error) {
        if (error instanceof EventLogError) error.message = `entries[${index}]: ${error.message}`;
        throw error;
      }
    });
    if (data.length === 0) return 0;
    const [only] = data;
    if (data.length === 1 && only) {
      // Prisma 7 reuses the compiled plan of a create, but compiles every createMany anew:
      // for the usual single entry, create is measurably cheaper (bench/README.md).
      await client.eventLog.create({ data: only, select: { id: true } });
      return 1;
    }
    if (typeof client.eventLog.createMany === 'function') {
      const result = await client.eventLog.createMany({ data });
      const count = (result as { count?: unknown } | null | undefined)?.count;
      return typeof count === 'number' ? count : data.length;
    }
    for (const item of data) await client.eventLog.create({ data: item });
    return data.length;
  }

  /** The row `log()` would write: validated, rendered, masked and size-checked. No I/O. */
  prepare(given: LogEntry): EventLogCreateData {
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw new EventLogValidationError(
        `An event log entry must be an object with templateMessage, object, actor, tool and action; got ${describe(given)}.`,
        'entry',
      );
    }
    const entry = withCurrentContext(given);
    const tool = requireName(entry.tool, 'tool');
    const action = requireName(entry.action, 'action');
    const { objectType, objectId } = objectColumns(entry.object);
    const { actorId, actorName } = actorColumns(entry.actor);
    const template = entry.templateMessage;
    if (typeof template !== 'string' || template.trim() === '') {
      throw new EventLogValidationError(
        `templateMessage must be a non-empty string; got ${describe(template)}.`,
        'templateMessage',
      );
    }
    const { maxMessageLength } = this.limits;
    checkLength(template, 'templateMessage', maxMessageLength, 'the maxMessageLength option');
    const values = entry.values ?? {};
    if (!isPlainObject(values)) {
      throw new EventLogValidationError(
        `values must be a plain object; got ${describe(values)}.`,
        'values',
      );
    }
    const rendered = renderAndCollect(template, values, this.#isMasked);
    checkLength(rendered.message, 'message', maxMessageLength, 'the maxMessageLength option');
    checkBytes(rendered.values, 'values', this.limits.maxValuesBytes, 'maxValuesBytes');

    const changes = this.#jsonColumn(entry.changes, 'changes', 'maxChangesBytes');
    if (changes) checkChangesShape(changes);
    const context = this.#jsonColumn(entry.context, 'context', 'maxContextBytes');

    const data: EventLogCreateData = {
      actorId,
      actorName,
      tool,
      action,
      objectType,
      objectId,
      template,
      message: rendered.message,
      values: rendered.values,
    };
    if (changes) data.changes = changes;
    if (context) data.context = context;
    rejectNulCharacters(data, '');
    return data;
  }

  /** `log()` with the default options; `options.client` is required. */
  static log(entry: LogEntry, options: EventLogWriteOptions): Promise<unknown> {
    if (!options?.client) {
      return Promise.reject(
        new EventLogValidationError(
          'No Prisma client: EventLogService.log(entry, { client }) needs the PrismaClient or the transaction client to write with.',
          'client',
        ),
      );
    }
    defaultService ??= new EventLogService();
    return defaultService.log(entry, options);
  }

  #clientFor(given: EventLogClient | undefined, method: string): EventLogClient {
    const client = given ?? this.#client;
    if (!client) {
      throw new EventLogValidationError(
        `No Prisma client: pass { client } to ${method}() (the PrismaClient or the transaction client), or create the EventLogService with a client.`,
        'client',
      );
    }
    if (typeof client.eventLog?.create !== 'function') {
      throw new EventLogValidationError(
        `The client given to ${method}() has no eventLog model: add the EventLog model (prisma/schema/eventlog.prisma) to your Prisma schema and run prisma generate.`,
        'client',
      );
    }
    return client;
  }

  #jsonColumn(
    value: unknown,
    field: 'changes' | 'context',
    limit: 'maxChangesBytes' | 'maxContextBytes',
  ): JsonObject | undefined {
    if (value === null || value === undefined) return undefined;
    // Masked Map entries are redacted while converting: a Map with an object key becomes
    // [key, value] pairs, which maskSensitive cannot tell from data.
    const safe = isPlainObject(value)
      ? toJsonSafe(value, field, { isMasked: this.#isMasked })
      : undefined;
    if (!isPlainObject(safe)) {
      throw new EventLogValidationError(
        `${field} must be a plain object; got ${describe(value)}.`,
        field,
      );
    }
    const masked = maskSensitive(safe, this.#isMasked);
    checkBytes(masked, field, this.limits[limit], limit);
    return masked;
  }
}

let defaultService: EventLogService | undefined;

/** The actor and request context of the current `withEventLogContext()`, where the entry has none. */
function withCurrentContext(entry: LogEntry): LogEntry {
  const current = currentEventLogContext();
  if (!current) return entry;
  const filled = { ...entry };
  if (filled.actor === undefined) filled.actor = current.actor;
  if (filled.context === undefined) {
    filled.context = {
      requestId: current.requestId ?? null,
      operationName: current.operationName ?? null,
      path: current.path ?? null,
      call: current.call,
    };
  }
  return filled;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * PostgreSQL cannot store U+0000, refuses JSON with a lone UTF-16 surrogate and silently
 * replaces one in text: refuse both by name, before writing.
 */
function rejectNulCharacters(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      throw new EventLogValidationError(
        `${path} contains a NUL character (U+0000), which PostgreSQL cannot store.`,
        path,
      );
    }
    if (loneSurrogate.test(value)) {
      throw new EventLogValidationError(
        `${path} contains a lone UTF-16 surrogate, which is not valid Unicode text.`,
        path,
      );
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${key}` : key;
    rejectNulCharacters(key, `${itemPath} (key)`);
    rejectNulCharacters(item, itemPath);
  }
}

function requireName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new EventLogValidationError(
      `${field} must be a non-empty string; got ${describe(value)}.`,
      field,
    );
  }
  checkLength(value, field, NAME_LENGTH, `the column, VARCHAR(${NAME_LENGTH})`);
  return value;
}

function requireId(value: unknown, field: string): string {
  if (
    (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') ||
    value === ''
  ) {
    throw new EventLogValidationError(
      `${field} must be a non-empty string, a number or a bigint; got ${describe(value)}.`,
      field,
    );
  }
  const id = String(value);
  checkLength(id, field, ID_LENGTH, `the column, VARCHAR(${ID_LENGTH})`);
  return id;
}

function objectColumns(object: unknown): { objectType: string; objectId: string | null } {
  if (isObjectRef(object)) {
    return {
      objectType: requireName(object.model, 'object.model'),
      objectId: requireId(object.id, 'object.id'),
    };
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new EventLogValidationError(
      `object must be objectRef(model, row) or { model, id }; got ${describe(object)}.`,
      'object',
    );
  }
  const { model, id } = object as { model?: unknown; id?: unknown };
  return {
    objectType: requireName(model, 'object.model'),
    objectId: id === null || id === undefined ? null : requireId(id, 'object.id'),
  };
}

function actorColumns(actor: unknown): { actorId: string | null; actorName: string | null } {
  if (actor === null) return { actorId: null, actorName: null };
  if (actor === undefined) {
    throw new EventLogValidationError(
      'actor is missing: pass the acting user as { id, name }, or null for a system event.',
      'actor',
    );
  }
  if (typeof actor !== 'object' || Array.isArray(actor)) {
    throw new EventLogValidationError(
      `actor must be { id, name } or null; got ${describe(actor)}.`,
      'actor',
    );
  }
  const { id, name } = actor as { id?: unknown; name?: unknown };
  const actorId = requireId(id, 'actor.id');
  if (name === null || name === undefined) return { actorId, actorName: null };
  if (typeof name !== 'string') {
    throw new EventLogValidationError(
      `actor.name must be a string or null; got ${describe(name)}.`,
      'actor.name',
    );
  }
  checkLength(name, 'actor.name', ID_LENGTH, `the column, VARCHAR(${ID_LENGTH})`);
  return { actorId, actorName: name };
}

function checkChangesShape(changes: JsonObject): void {
  const keys = Object.keys(changes);
  const valid =
    isPlainObject(changes.old_value) &&
    isPlainObject(changes.new_value) &&
    keys.every((key) => key === 'old_value' || key === 'new_value');
  if (!valid) {
    throw new EventLogValidationError(
      `changes must be { old_value, new_value } with an object on each side, as returned by createDiffSchema(); got the keys ${keys.join(', ') || '(none)'}.`,
      'changes',
    );
  }
}

/** Length in characters (code points), as PostgreSQL counts VARCHAR lengths. */
function characterLength(value: string): number {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
}

function checkLength(value: string, field: string, limit: number, source: string): void {
  if (value.length <= limit) return;
  const length = characterLength(value);
  if (length <= limit) return;
  throw new EventLogLimitError(
    `${field} is ${length} characters long; the limit is ${limit} (${source}).`,
    field,
    limit,
    length,
  );
}

function checkBytes(value: JsonObject, field: string, limit: number, option: string): void {
  const size = jsonByteLength(value);
  if (size > limit) {
    throw new EventLogLimitError(
      `${field} is ${size} bytes as JSON; the limit is ${limit} bytes (the ${option} option).`,
      field,
      limit,
      size,
    );
  }
}
