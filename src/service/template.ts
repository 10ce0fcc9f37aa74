import { TemplateError } from '../errors.js';
import {
  type DecimalLike,
  decimalToString,
  isDecimalLike,
  type JsonPrimitive,
  setKey,
} from './json-safe.js';
import { createKeyMatcher, DEFAULT_MASKED_KEYS, type KeyMatcher, REDACTED } from './mask.js';
import { describe, isObjectRef } from './object-ref.js';

export type TemplatePart =
  | { type: 'text'; text: string }
  | {
      type: 'placeholder';
      /** The placeholder without braces, e.g. `item__name`. */
      key: string;
      /** `key` split on `__`: the value's name, then the fields read from it. */
      segments: string[];
      /** Index of the opening brace in the template. */
      position: number;
    };

/** What `log()` stores for one placeholder in the `values` column. */
export type StoredTemplateValue =
  /** A string, number or boolean (dates, decimals and bigints as strings). */
  | { value: JsonPrimitive }
  /** A field read from a row given as `objectRef(model, row)`. */
  | { model: string; id: string; path: string[]; snapshot: string }
  /** A field read from a plain object. */
  | { path: string[]; snapshot: string };

export type StoredTemplateValues = Record<string, StoredTemplateValue>;

export interface TemplateOptions {
  /** Keys rendered as `[redacted]`. @default DEFAULT_MASKED_KEYS */
  maskedKeys?: readonly string[] | KeyMatcher;
}

/**
 * Splits a template into text and `{placeholder}` parts; `{{` and `}}` are literal braces.
 * Throws a `TemplateError` on an unbalanced brace or an empty or malformed placeholder.
 */
export function parseTemplate(template: string): TemplatePart[] {
  if (typeof template !== 'string') {
    throw new TemplateError(`A template must be a string; got ${describe(template)}.`);
  }
  const parts: TemplatePart[] = [];
  let text = '';
  let index = 0;
  while (index < template.length) {
    const char = template[index] as string;
    if (char === '{' || char === '}') {
      if (template[index + 1] === char) {
        text += char;
        index += 2;
        continue;
      }
      if (char === '}') {
        throw new TemplateError(
          `Unbalanced "}" at position ${index} of the template ${quote(template)}; write "}}" for a literal brace.`,
        );
      }
      const close = template.indexOf('}', index + 1);
      const nextOpen = template.indexOf('{', index + 1);
      if (close === -1 || (nextOpen !== -1 && nextOpen < close)) {
        throw new TemplateError(
          `Unbalanced "{" at position ${index} of the template ${quote(template)}; write "{{" for a literal brace.`,
        );
      }
      const key = template.slice(index + 1, close);
      checkKey(key, index, template);
      if (text) parts.push({ type: 'text', text });
      text = '';
      parts.push({ type: 'placeholder', key, segments: key.split('__'), position: index });
      index = close + 1;
      continue;
    }
    text += char;
    index += 1;
  }
  if (text) parts.push({ type: 'text', text });
  return parts;
}

/** The distinct placeholder keys of a template, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  const keys = new Set<string>();
  for (const part of parseTemplate(template)) if (part.type === 'placeholder') keys.add(part.key);
  return [...keys];
}

/**
 * Renders `{key}` placeholders. `{item__name}` takes `values.item__name`, else
 * `values.item`; a string, number, boolean, bigint, Date or Decimal is used as it is, an
 * object (or `objectRef`) is read along the rest of the key: `.name`. A path through a masked
 * key renders `[redacted]`. A missing value, a missing field or an object where a value
 * belongs throws a `TemplateError` naming the placeholder.
 */
export function renderTemplate(
  template: string,
  values: Record<string, unknown> = {},
  options: TemplateOptions = {},
): string {
  return renderAndCollect(template, values, matcher(options.maskedKeys)).message;
}

/**
 * What `log()` stores in the `values` column for each placeholder of `template`:
 * `{ value }`, `{ model, id, path, snapshot }` (an `objectRef`) or `{ path, snapshot }`.
 */
export function collectTemplateValues(
  template: string,
  values: Record<string, unknown> = {},
  mask: readonly string[] | KeyMatcher = DEFAULT_MASKED_KEYS,
): StoredTemplateValues {
  return renderAndCollect(template, values, matcher(mask)).values;
}

/** Renders a template and collects its stored values in one pass. */
export function renderAndCollect(
  template: string,
  values: Record<string, unknown>,
  isMasked: KeyMatcher,
): { message: string; values: StoredTemplateValues } {
  const parts = parseTemplate(template);
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new TemplateError(`Template values must be an object; got ${describe(values)}.`);
  }
  let message = '';
  const stored: StoredTemplateValues = {};
  for (const part of parts) {
    if (part.type === 'text') {
      message += part.text;
      continue;
    }
    const resolved = resolve(part.key, part.segments, values, isMasked);
    message += resolved.text;
    if (!Object.hasOwn(stored, part.key)) setKey(stored, part.key, resolved.stored);
  }
  return { message, values: stored };
}

/**
 * Renders a stored template from its stored values. `live(key, stored)` may return the
 * current value of a placeholder (e.g. the row's current name); when it returns `undefined`
 * or `null`, the snapshot taken at write time is used. Masked placeholders stay `[redacted]`.
 */
export function renderStoredTemplate(
  template: string,
  storedValues: unknown,
  live?: (key: string, stored: StoredTemplateValue | undefined) => unknown,
  options: TemplateOptions = {},
): string {
  const isMasked = matcher(options.maskedKeys);
  const values =
    typeof storedValues === 'object' && storedValues !== null
      ? (storedValues as Record<string, unknown>)
      : {};
  let message = '';
  for (const part of parseTemplate(template)) {
    if (part.type === 'text') {
      message += part.text;
      continue;
    }
    if (isPathMasked(part.segments, isMasked)) {
      message += REDACTED;
      continue;
    }
    const stored = Object.hasOwn(values, part.key) ? values[part.key] : undefined;
    const current = live?.(part.key, isStoredValue(stored) ? stored : undefined);
    if (current !== undefined && current !== null && isScalar(current)) {
      message += scalarText(current, part.key);
    } else if (isStoredValue(stored)) {
      message += 'snapshot' in stored ? stored.snapshot : String(stored.value);
    } else {
      throw new TemplateError(
        `The template placeholder {${part.key}} has no stored value to render.`,
        part.key,
      );
    }
  }
  return message;
}

function resolve(
  key: string,
  segments: string[],
  values: Record<string, unknown>,
  isMasked: KeyMatcher,
): { text: string; stored: StoredTemplateValue } {
  const name = Object.hasOwn(values, key) ? key : (segments[0] as string);
  if (!Object.hasOwn(values, name)) {
    const hint = name === key ? `values.${key}` : `values.${key} or values.${name}`;
    throw new TemplateError(`The template placeholder {${key}} has no value: pass ${hint}.`, key);
  }
  const masked = isPathMasked(segments, isMasked);
  const source = values[name];
  if (source === null || source === undefined) {
    if (masked && name === key) return { text: REDACTED, stored: { value: REDACTED } };
    throw new TemplateError(
      `The template placeholder {${key}} has no value: values.${name} is ${String(source)}.`,
      key,
    );
  }
  if (isScalar(source)) {
    if (masked) return { text: REDACTED, stored: { value: REDACTED } };
    return { text: scalarText(source, key), stored: { value: scalarJson(source) } };
  }
  if (typeof source !== 'object') {
    throw new TemplateError(
      `The template placeholder {${key}} cannot render values.${name}: it is ${describe(source)}.`,
      key,
    );
  }
  const ref = isObjectRef(source) ? source : undefined;
  const path = segments.slice(1);
  if (path.length === 0) {
    throw new TemplateError(
      `The template placeholder {${key}} refers to an object; name one of its fields, e.g. {${key}__name}.`,
      key,
    );
  }
  let current: unknown = source;
  let walked = `values.${name}`;
  for (const segment of path) {
    if (isObjectRef(current)) current = current.row;
    if (current === null || current === undefined) {
      throw new TemplateError(
        `The template placeholder {${key}} cannot read "${segment}": ${walked} is ${String(current)}.`,
        key,
      );
    }
    if (typeof current !== 'object' || !(segment in current)) {
      throw new TemplateError(
        `The template placeholder {${key}} names a missing field: ${walked} has no field "${segment}".`,
        key,
      );
    }
    current = (current as Record<string, unknown>)[segment];
    walked += `.${segment}`;
  }
  let text: string;
  if (masked) {
    text = REDACTED;
  } else if (current === null || current === undefined) {
    throw new TemplateError(
      `The template placeholder {${key}} has no value: ${walked} is ${String(current)}.`,
      key,
    );
  } else if (isScalar(current)) {
    text = scalarText(current, key);
  } else {
    throw new TemplateError(
      `The template placeholder {${key}} refers to ${describe(current)} at ${walked}; name a field holding a string, number, boolean or date.`,
      key,
    );
  }
  return {
    text,
    stored: ref ? { model: ref.model, id: ref.id, path, snapshot: text } : { path, snapshot: text },
  };
}

type Scalar = string | number | boolean | bigint | Date | DecimalLike;

function isScalar(value: unknown): value is Scalar {
  const type = typeof value;
  return (
    type === 'string' ||
    type === 'number' ||
    type === 'boolean' ||
    type === 'bigint' ||
    value instanceof Date ||
    isDecimalLike(value)
  );
}

function scalarText(value: Scalar, key: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new TemplateError(`The template placeholder {${key}} is an invalid Date.`, key);
    }
    return value.toISOString();
  }
  if (isDecimalLike(value)) return decimalToString(value);
  return String(value);
}

function scalarJson(value: Scalar): JsonPrimitive {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return value.toISOString();
  if (isDecimalLike(value)) return decimalToString(value);
  return String(value);
}

/** `{password}` and `{user__password}` are masked; `{token__name}` reads a row named token. */
function isPathMasked(segments: string[], isMasked: KeyMatcher): boolean {
  if (segments.length === 1) return isMasked(segments[0] as string);
  return segments.slice(1).some(isMasked);
}

function isStoredValue(value: unknown): value is StoredTemplateValue {
  if (typeof value !== 'object' || value === null) return false;
  if ('snapshot' in value) return typeof value.snapshot === 'string';
  return 'value' in value;
}

function checkKey(key: string, position: number, template: string): void {
  if (key === '') {
    throw new TemplateError(
      `Empty placeholder "{}" at position ${position} of the template ${quote(template)}; write "{{}}" for literal braces.`,
    );
  }
  if (/\s/.test(key) || key.split('__').some((segment) => segment === '')) {
    throw new TemplateError(
      `Malformed placeholder {${key}} at position ${position} of the template ${quote(template)}: use names joined by "__", without spaces, e.g. {item__name}.`,
      key,
    );
  }
}

function quote(template: string): string {
  return JSON.stringify(template.length > 120 ? `${template.slice(0, 117)}...` : template);
}

function matcher(keys: readonly string[] | KeyMatcher | undefined): KeyMatcher {
  return typeof keys === 'function' ? keys : createKeyMatcher(keys ?? DEFAULT_MASKED_KEYS);
}
