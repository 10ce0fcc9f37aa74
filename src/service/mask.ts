import { isPlainObject, setKey } from './json-safe.js';

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

export const REDACTED = '[redacted]';

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
 * arrays, holds `"[redacted]"` (whatever it held, `null` included). Plain objects and arrays
 * are copied; other objects (Date, Decimal, class instances) are kept as they are.
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
