import { EventLogLimitError, EventLogValidationError } from '../errors.js';
import type { KeyMatcher } from './mask.js';

/** Deeper values are refused: no row diff comes near, and recursion must stay bounded. */
export const MAX_JSON_DEPTH = 64;

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** What a masked value is stored as. */
export const REDACTED = '[redacted]';

export interface JsonSafeOptions {
  /**
   * Map entries whose key matches hold `"[redacted]"`, at every depth, whatever the Map's other
   * keys: a Map with a non-primitive key becomes `[key, value]` pairs, which `maskSensitive`
   * cannot tell from data. A key matches when its JSON-safe form is a matching string (a
   * `String` object or a `toJSON` returning one included). @default no masking
   */
  isMasked?: KeyMatcher;
}

/** How one conversion treats masked Map entries; `redact` gets the converted value. */
interface Conversion {
  ancestors: Set<object>;
  isMasked: KeyMatcher | undefined;
  redact: (value: JsonValue) => JsonValue;
}

export interface DecimalLike {
  toFixed(decimalPlaces?: number): string;
  toString(): string;
}

/**
 * Prisma's `Decimal` (decimal.js) and look-alikes: an object with `toFixed` and either
 * decimal.js's `d`/`s`/`e` fields, a constructor named `Decimal` or a `Decimal.isDecimal`.
 */
export function isDecimalLike(value: unknown): value is DecimalLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.toFixed !== 'function') return false;
  if ('d' in candidate && 's' in candidate && 'e' in candidate) return true;
  const ctor: unknown = candidate.constructor;
  if (typeof ctor !== 'function') return false;
  const isDecimal = (ctor as { isDecimal?: unknown }).isDecimal;
  return ctor.name === 'Decimal' || (typeof isDecimal === 'function' && !!isDecimal(value));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets `key` as an own property, `__proto__` included, without touching the prototype. */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

export function joinPath(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

/**
 * A copy of `value` that `JSON.stringify` stores without loss or surprise: Date → ISO string,
 * Decimal → decimal string (see `decimalToString`), BigInt → digit string, bytes → base64, Set → array,
 * Map → object (an array of `[key, value]` pairs when a key is not a string, number or bigint),
 * non-finite numbers → "NaN" / "Infinity" / "-Infinity", undefined properties dropped,
 * undefined array items → null. Functions, symbols and cycles throw an
 * `EventLogValidationError` naming their path. With `options.isMasked`, masked Map entries
 * hold `"[redacted]"` (see `JsonSafeOptions`).
 */
export function toJsonSafe(
  value: unknown,
  path = 'value',
  options: JsonSafeOptions = {},
): JsonValue {
  return convert(value, path, {
    ancestors: new Set(),
    isMasked: options.isMasked,
    redact: () => REDACTED,
  });
}

/**
 * `toJsonSafe` where a masked Map entry holds `redact(value)` instead of `"[redacted]"`: for
 * `createDiffSchema`, which compares the values before it redacts them. Internal.
 */
export function toJsonSafeRedacting(
  value: unknown,
  path: string,
  isMasked: KeyMatcher,
  redact: (value: JsonValue) => JsonValue,
): JsonValue {
  return convert(value, path, { ancestors: new Set(), isMasked, redact });
}

/** Size in bytes of the UTF-8 JSON text of a JSON-safe value. */
export function jsonByteLength(value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * A Decimal's `toString()` without trailing fractional zeros (decimal.js already drops them),
 * so `1.50` and `1.5` are one value.
 */
export function decimalToString(value: DecimalLike): string {
  const text = value.toString();
  const match = /^(-?\d+)\.(\d*?)0+$/.exec(text);
  const normalized = match ? (match[2] ? `${match[1]}.${match[2]}` : match[1]) : text;
  return normalized === '-0' ? '0' : (normalized as string);
}

function unstorable(path: string, what: string): EventLogValidationError {
  return new EventLogValidationError(`${path} is ${what}, which cannot be stored as JSON.`, path);
}

function convert(value: unknown, path: string, state: Conversion): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) return String(value);
      return value === 0 ? 0 : value;
    case 'bigint':
      return value.toString();
    case 'undefined':
      return null;
    case 'function':
      throw unstorable(path, 'a function');
    case 'symbol':
      throw unstorable(path, 'a symbol');
  }
  if (value === null) return null;
  const object = value as object;

  if (object instanceof Date) {
    return Number.isNaN(object.getTime()) ? null : object.toISOString();
  }
  if (isDecimalLike(object)) return decimalToString(object);
  if (object instanceof Uint8Array) {
    return Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64');
  }
  if (object instanceof ArrayBuffer) return Buffer.from(object).toString('base64');
  if (object instanceof DataView) {
    return Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64');
  }
  if (object instanceof String || object instanceof Number || object instanceof Boolean) {
    return convert(object.valueOf(), path, state);
  }

  const { ancestors } = state;
  if (ancestors.has(object)) throw unstorable(path, 'a circular reference');
  if (ancestors.size >= MAX_JSON_DEPTH) {
    throw new EventLogLimitError(
      `${path} is nested more than ${MAX_JSON_DEPTH} levels deep; the limit is ${MAX_JSON_DEPTH}.`,
      path,
      MAX_JSON_DEPTH,
      ancestors.size + 1,
    );
  }
  ancestors.add(object);
  try {
    if (Array.isArray(object) || ArrayBuffer.isView(object)) {
      return Array.from(object as ArrayLike<unknown>, (item, index) =>
        convert(item, joinPath(path, index), state),
      );
    }
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return convert(toJSON.call(object), path, state);
    if (object instanceof Set) {
      return Array.from(object, (item, index) => convert(item, joinPath(path, index), state));
    }
    if (object instanceof Map) return convertMap(object, path, state);

    const result: JsonObject = {};
    for (const key of Object.keys(object)) {
      const item = (object as Record<string, unknown>)[key];
      if (item === undefined) continue;
      setKey(result, key, convert(item, joinPath(path, key), state));
    }
    return result;
  } finally {
    ancestors.delete(object);
  }
}

function convertMap(map: Map<unknown, unknown>, path: string, state: Conversion): JsonValue {
  const keysArePrimitive = [...map.keys()].every(
    (key) => typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint',
  );
  if (!keysArePrimitive) {
    return Array.from(map, ([key, item], index) => {
      const entryPath = joinPath(path, index);
      const safeKey = convert(key, joinPath(entryPath, 0), state);
      return [safeKey, convertEntry(safeKey, item, joinPath(entryPath, 1), state)];
    });
  }
  const result: JsonObject = {};
  for (const [key, item] of map) {
    if (item === undefined) continue;
    const name = String(key);
    setKey(result, name, convertEntry(name, item, joinPath(path, name), state));
  }
  return result;
}

/** A Map entry's value, redacted when its key (as stored) is a masked string. */
function convertEntry(key: JsonValue, item: unknown, path: string, state: Conversion): JsonValue {
  const value = convert(item, path, state);
  return typeof key === 'string' && state.isMasked?.(key) ? state.redact(value) : value;
}
