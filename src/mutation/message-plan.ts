import { PothosSchemaError } from '@pothos/core';
import type { ContextTemplatePart } from '../capture/context.js';
import type { ResolvedCaptureModel } from '../capture/declaration.js';
import { type DataModel, lowerFirst } from '../read/model-metadata.js';
import { normalizeMaskKey } from '../service/mask.js';
import { parseTemplate } from '../service/template.js';
import { didYouMean } from '../suggest.js';

/** A mutation's message, compiled once when the schema is built. */
export interface MessagePlan {
  template: string;
  /** The parts the trigger renders; undefined when the trigger's default message is used. */
  parts: ContextTemplatePart[] | undefined;
  /** Placeholders whose value is computed before the write (`values`, the actor). */
  givenKeys: string[];
  /** Placeholders naming masked fields of the row: `[redacted]`, the row is never read. */
  maskedKeys: string[];
  /** A template of just those placeholders, to collect their stored values in one pass. */
  givenTemplate: string;
}

const ACTOR_FIELDS = ['id', 'name'];

/**
 * Checks every placeholder against the model and splits the template into the parts the
 * trigger renders: `{object__field}` and `{<model>__field}` read the changed row (masked
 * fields are `[redacted]`, never read), `{actor__id}` / `{actor__name}` the actor, anything
 * else a value of the `values` option.
 */
export function compileMessagePlan(
  template: string | undefined,
  options: {
    where: string;
    model: string;
    datamodel: DataModel;
    capture: ResolvedCaptureModel;
    hasValues: boolean;
  },
): MessagePlan {
  if (template === undefined) {
    return { template: '', parts: undefined, givenKeys: [], maskedKeys: [], givenTemplate: '' };
  }
  const { where, model } = options;
  if (typeof template !== 'string' || template.trim() === '') {
    throw new PothosSchemaError(
      `pothos-eventlog: eventLog.message of ${where} must be a non-empty template.`,
    );
  }
  let parsed: ReturnType<typeof parseTemplate>;
  try {
    parsed = parseTemplate(template);
  } catch (error) {
    throw new PothosSchemaError(
      `pothos-eventlog: eventLog.message of ${where}: ${(error as Error).message}`,
    );
  }
  const fields = (options.datamodel.models[model]?.fields ?? [])
    .filter((field) => field.kind === 'scalar' || field.kind === 'enum')
    .map((field) => field.name);
  const aliases = new Set(['object', lowerFirst(model)]);
  const masked = new Set(options.capture.masked);
  const parts: ContextTemplatePart[] = [];
  const givenKeys: string[] = [];
  const maskedKeys: string[] = [];
  for (const part of parsed) {
    if (part.type === 'text') {
      parts.push(part.text);
      continue;
    }
    const [head, ...rest] = part.segments as [string, ...string[]];
    if (aliases.has(head) && rest.length > 0) {
      const field = rest[0] as string;
      if (rest.length > 1 || !fields.includes(field)) {
        throw new PothosSchemaError(
          `pothos-eventlog: the placeholder {${part.key}} in eventLog.message of ${where} names no field of ${model}${didYouMean(field, fields)}. It can read the fields of the changed ${model} row: ${fields.join(', ')}.`,
        );
      }
      if (masked.has(normalizeMaskKey(field))) {
        parts.push({ k: part.key });
        if (!givenKeys.includes(part.key)) givenKeys.push(part.key);
        if (!maskedKeys.includes(part.key)) maskedKeys.push(part.key);
      } else {
        parts.push({ k: part.key, f: field });
      }
      continue;
    }
    if (head === 'actor' && (rest.length !== 1 || !ACTOR_FIELDS.includes(rest[0] as string))) {
      throw new PothosSchemaError(
        `pothos-eventlog: the placeholder {${part.key}} in eventLog.message of ${where}: the actor has only {actor__id} and {actor__name}.`,
      );
    }
    if (head !== 'actor' && !options.hasValues) {
      throw new PothosSchemaError(
        `pothos-eventlog: the placeholder {${part.key}} in eventLog.message of ${where} is neither a field of ${model} ({object__field}) nor the actor: give its value with eventLog.values.`,
      );
    }
    parts.push({ k: part.key });
    if (!givenKeys.includes(part.key)) givenKeys.push(part.key);
  }
  return {
    template,
    parts,
    givenKeys,
    maskedKeys,
    givenTemplate: givenKeys.map((key) => `{${key}}`).join(' '),
  };
}
