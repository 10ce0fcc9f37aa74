import { isPlainObject, REDACTED, setKey } from './json-safe.js';

export { REDACTED };

/**
 * Keys whose values never reach the database. Matching ignores case, `_` and `-`
 * (`api_key`, `API-KEY` and `apiKey` are one key) and is exact otherwise: `tokenCount`
 * is not masked.
 */
export const DEFAULT_MASKED_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'clientSecret',
  'apiKey',
  'privateKey',
  'authorization',
]);

export type KeyMatcher = (key: string) => boolean;

export function normalizeMaskKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** A predicate telling whether a key is one of `keys` (see `DEFAULT_MASKED_KEYS` for matching). */
export function createKeyMatcher(keys: readonly string[] = DEFAULT_MASKED_KEYS): KeyMatcher {
  const normalized = new Set(keys.map(normalizeMaskKey));
  return (key) => normalized.has(normalizeMaskKey(key));
}

/**
 * A copy of `value` where every property whose key matches `keys`, at any depth and inside
 * arrays, holds `"[redacted]"` (whatever it held, `null` included), and so does every Map
 * entry whose key is a matching string (or `String` object), whatever the Map's other keys.
 * Plain objects, arrays, Maps and Sets are copied (a Map's object keys as masked copies too);
 * other objects (Date, Decimal, class instances) are kept as they are.
 */
export function maskSensitive<T>(
  value: T,
  keys: readonly string[] | KeyMatcher = DEFAULT_MASKED_KEYS,
): T {
  const isMasked = typeof keys === 'function' ? keys : createKeyMatcher(keys);
  return mask(value, isMasked, new Map()) as T;
}

function mask(value: unknown, isMasked: KeyMatcher, copies: Map<object, unknown>): unknown {
  if (Array.isArray(value)) {
    const seen = copies.get(value);
    if (seen) return seen;
    const result: unknown[] = [];
    copies.set(value, result);
    for (const item of value) result.push(mask(item, isMasked, copies));
    return result;
  }
  if (value instanceof Map) return maskMap(value, isMasked, copies);
  if (value instanceof Set) {
    const seen = copies.get(value);
    if (seen) return seen;
    const result = new Set<unknown>();
    copies.set(value, result);
    for (const item of value) result.add(mask(item, isMasked, copies));
    return result;
  }
  if (!isPlainObject(value)) return value;
  const seen = copies.get(value);
  if (seen) return seen;
  const result: Record<string, unknown> =
    Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  copies.set(value, result);
  for (const key of Object.keys(value)) {
    setKey(result, key, isMasked(key) ? REDACTED : mask(value[key], isMasked, copies));
  }
  return result;
}

function maskMap(
  map: Map<unknown, unknown>,
  isMasked: KeyMatcher,
  copies: Map<object, unknown>,
): Map<unknown, unknown> {
  const seen = copies.get(map);
  if (seen) return seen as Map<unknown, unknown>;
  const result = new Map<unknown, unknown>();
  copies.set(map, result);
  for (const [key, item] of map) {
    const name = typeof key === 'string' ? key : key instanceof String ? key.valueOf() : undefined;
    result.set(
      mask(key, isMasked, copies),
      name !== undefined && isMasked(name) ? REDACTED : mask(item, isMasked, copies),
    );
  }
  return result;
}
