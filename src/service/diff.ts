import { createHash } from 'node:crypto';
import { EventLogValidationError } from '../errors.js';
import {
  isPlainObject,
  type JsonObject,
  type JsonValue,
  REDACTED,
  setKey,
  toJsonSafeRedacting,
} from './json-safe.js';
import { createKeyMatcher, DEFAULT_MASKED_KEYS, type KeyMatcher, maskSensitive } from './mask.js';
import { describe } from './object-ref.js';

/** What changed: only the changed keys, old values on one side, new values on the other. */
export type DiffSchema = {
  old_value: Record<string, unknown>;
  new_value: Record<string, unknown>;
};

export interface DiffOptions {
  /** Keys ignored at every depth, added to `DEFAULT_EXCLUDED_KEYS`. */
  excludeKeys?: readonly string[];
  /**
   * Keys whose values come out as `"[redacted]"` (a change still shows, its values do not),
   * added to `DEFAULT_MASKED_KEYS`. Items keyed by content are keyed by their masked content.
   */
  maskedKeys?: readonly string[];
}

/** Keys left out of every diff, at every depth. */
export const DEFAULT_EXCLUDED_KEYS: readonly string[] = Object.freeze([
  'id',
  'uuid',
  'url',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
]);

/** Fields identifying the items of an array of objects, in order of preference. */
const ITEM_KEY_FIELDS = ['id', 'uuid', 'document_type'] as const;

type Change = [oldValue: JsonValue, newValue: JsonValue];

/**
 * The value of a masked Map entry while the diff runs: compared by its value, so a change
 * still shows, but written out (and hashed, as JSON) as `"[redacted]"`. A Map with a
 * non-primitive key is `[key, value]` pairs, where masking by key no longer applies.
 */
class MaskedEntry {
  constructor(readonly value: JsonValue) {}
  toJSON(): string {
    return REDACTED;
  }
}

const maskedEntry = (value: JsonValue): JsonValue => new MaskedEntry(value) as unknown as JsonValue;

/**
 * The difference between two versions of an object, as `{ old_value, new_value }` holding
 * only what changed. A key on one side only has `null` on the other. Nested objects are
 * compared key by key; arrays of primitives as a whole; arrays of objects item by item,
 * keyed by `id`, `uuid`, `document_type` or else their content. Dates, Decimals, BigInts
 * and bytes are compared by value and come out JSON-safe. Masked keys come out
 * `"[redacted]"` at every depth, Map entries included whatever the Map's other keys (a Map
 * with a non-primitive key comes out as `[key, value]` pairs). Never mutates its inputs.
 */
export function createDiffSchema(
  oldData: unknown,
  newData: unknown,
  options: DiffOptions = {},
): DiffSchema {
  const excluded = new Set([...DEFAULT_EXCLUDED_KEYS, ...(options.excludeKeys ?? [])]);
  const isMasked = createKeyMatcher([...DEFAULT_MASKED_KEYS, ...(options.maskedKeys ?? [])]);
  const oldObject = asRecord(oldData, 'old_value', isMasked);
  const newObject = asRecord(newData, 'new_value', isMasked);
  const [oldValue, newValue] = diffObjects(oldObject, newObject, excluded, isMasked) ?? [{}, {}];
  return {
    old_value: redactEntries(maskSensitive(oldValue, isMasked)) as JsonObject,
    new_value: redactEntries(maskSensitive(newValue, isMasked)) as JsonObject,
  };
}

function asRecord(data: unknown, path: string, isMasked: KeyMatcher): JsonObject {
  if (data === null || data === undefined) return {};
  const safe = toJsonSafeRedacting(data, path, isMasked, maskedEntry);
  if (!isPlainObject(safe)) {
    throw new EventLogValidationError(
      `createDiffSchema() compares objects, but ${path} is ${describe(data)}.`,
      path,
    );
  }
  return safe;
}

function diffObjects(
  a: JsonObject,
  b: JsonObject,
  excluded: Set<string>,
  isMasked: KeyMatcher,
): Change | undefined {
  const oldOut: JsonObject = {};
  const newOut: JsonObject = {};
  let changed = false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (excluded.has(key)) continue;
    const change = diffValues(
      Object.hasOwn(a, key) ? (a[key] as JsonValue) : null,
      Object.hasOwn(b, key) ? (b[key] as JsonValue) : null,
      excluded,
      isMasked,
    );
    if (change) {
      setKey(oldOut, key, change[0]);
      setKey(newOut, key, change[1]);
      changed = true;
    }
  }
  return changed ? [oldOut, newOut] : undefined;
}

function diffValues(
  a: JsonValue,
  b: JsonValue,
  excluded: Set<string>,
  isMasked: KeyMatcher,
): Change | undefined {
  if (isPlainObject(a) && isPlainObject(b)) return diffObjects(a, b, excluded, isMasked);
  if (Array.isArray(a) && Array.isArray(b) && a.every(isPlainObject) && b.every(isPlainObject)) {
    if (a.length === 0 && b.length === 0) return undefined;
    return diffKeyedItems(a as JsonObject[], b as JsonObject[], excluded, isMasked);
  }
  const oldValue = strip(a, excluded);
  const newValue = strip(b, excluded);
  return jsonEqual(oldValue, newValue) ? undefined : [oldValue, newValue];
}

function diffKeyedItems(
  a: JsonObject[],
  b: JsonObject[],
  excluded: Set<string>,
  isMasked: KeyMatcher,
): Change | undefined {
  const [oldItems, newItems] = keyItems(a, b, excluded, isMasked);
  const oldOut: JsonObject = {};
  const newOut: JsonObject = {};
  let changed = false;
  for (const key of new Set([...oldItems.keys(), ...newItems.keys()])) {
    const oldItem = oldItems.get(key);
    const newItem = newItems.get(key);
    const change =
      oldItem && newItem
        ? diffObjects(oldItem, newItem, excluded, isMasked)
        : ([
            oldItem ? strip(oldItem, excluded) : null,
            newItem ? strip(newItem, excluded) : null,
          ] as Change);
    if (change) {
      setKey(oldOut, key, change[0]);
      setKey(newOut, key, change[1]);
      changed = true;
    }
  }
  return changed ? [oldOut, newOut] : undefined;
}

function keyItems(
  a: JsonObject[],
  b: JsonObject[],
  excluded: Set<string>,
  isMasked: KeyMatcher,
): [Map<string, JsonObject>, Map<string, JsonObject>] {
  for (const field of ITEM_KEY_FIELDS) {
    const oldItems = byField(a, field);
    const newItems = oldItems && byField(b, field);
    if (oldItems && newItems) return [oldItems, newItems];
  }
  return [byContent(a, excluded, isMasked), byContent(b, excluded, isMasked)];
}

/** Items keyed by `field`, or undefined when an item lacks it or two items share it. */
function byField(items: JsonObject[], field: string): Map<string, JsonObject> | undefined {
  const result = new Map<string, JsonObject>();
  for (const item of items) {
    const value = Object.hasOwn(item, field) ? item[field] : null;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return undefined;
    }
    const key = typeof value === 'number' ? numericText(value) : String(value);
    if (result.has(key)) return undefined;
    result.set(key, item);
  }
  return result;
}

/**
 * Items keyed by a hash of their masked content without excluded keys (16 hex digits of
 * SHA-256 of its jsonb text, as the capture triggers compute it); identical items get `#2`,
 * `#3`... after the first. The hash never covers a masked value, so it cannot be guessed back.
 */
function byContent(
  items: JsonObject[],
  excluded: Set<string>,
  isMasked: KeyMatcher,
): Map<string, JsonObject> {
  const result = new Map<string, JsonObject>();
  const seen = new Map<string, number>();
  for (const item of items) {
    const hash = createHash('sha256')
      .update(jsonbText(maskSensitive(strip(item, excluded), isMasked)))
      .digest('hex')
      .slice(0, 16);
    const count = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, count);
    result.set(count === 1 ? hash : `${hash}#${count}`, item);
  }
  return result;
}

/** A copy without the excluded keys, at every depth. */
function strip(value: JsonValue, excluded: Set<string>): JsonValue {
  if (Array.isArray(value)) return value.map((item) => strip(item, excluded));
  if (!isPlainObject(value)) return value;
  const result: JsonObject = {};
  for (const key of Object.keys(value)) {
    if (!excluded.has(key)) setKey(result, key, strip(value[key] as JsonValue, excluded));
  }
  return result;
}

/**
 * The text PostgreSQL prints for a jsonb value: keys ordered by length, then bytes;
 * `", "` and `": "` between items; numbers in plain decimal notation.
 */
export function jsonbText(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (typeof value === 'number') return numericText(value);
  if (!isPlainObject(value)) return JSON.stringify(value);
  const keys = Object.keys(value).sort(compareJsonbKeys);
  return `{${keys.map((key) => `${JSON.stringify(key)}: ${jsonbText(value[key] as JsonValue)}`).join(', ')}}`;
}

/**
 * A number as PostgreSQL's numeric prints it (jsonb numbers are numeric): the digits of its
 * shortest JavaScript form, never an exponent, so `1e21` is `1000000000000000000000` and
 * `1e-7` is `0.0000001`.
 */
function numericText(value: number): string {
  const text = JSON.stringify(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = '', head = '', tail = '', exponent = '0'] = match;
  const digits = head + tail;
  const point = Number(exponent) + 1; // where the decimal point falls in `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function compareJsonbKeys(a: string, b: string): number {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length - right.length || Buffer.compare(left, right);
}

/** A copy where every `MaskedEntry` is `"[redacted]"`: the JSON the diff returns. */
function redactEntries(value: JsonValue): JsonValue {
  if (value instanceof MaskedEntry) return REDACTED;
  if (Array.isArray(value)) return value.map(redactEntries);
  if (!isPlainObject(value)) return value;
  const result: JsonObject = {};
  for (const key of Object.keys(value)) setKey(result, key, redactEntries(value[key] as JsonValue));
  return result;
}

function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (a instanceof MaskedEntry || b instanceof MaskedEntry) {
    return a instanceof MaskedEntry && b instanceof MaskedEntry && jsonEqual(a.value, b.value);
  }
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => jsonEqual(item, b[i] as JsonValue))
    );
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (key) => Object.hasOwn(b, key) && jsonEqual(a[key] as JsonValue, b[key] as JsonValue),
  );
}
