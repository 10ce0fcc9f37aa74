import { randomUUID } from 'node:crypto';
import { queryTags, withMergedQueryTags } from '@prisma/sqlcommenter-query-tags';
import { EventLogLimitError, EventLogValidationError } from '../errors.js';
import type { EventLogActor } from '../service/event-log-service.js';
import { describe } from '../service/object-ref.js';
import type { StoredTemplateValues } from '../service/template.js';

/** The sqlcommenter key the capture triggers read (`/*eventlog='…'*\/`). */
export const CONTEXT_TAG = 'eventlog';

/** Largest encoded context, in bytes: it travels on every statement of the call. */
export const MAX_CONTEXT_BYTES = 32 * 1024;

/** Who and why, for the writes made inside `withEventLogContext()`. */
export interface EventLogContext {
  /** Who acts; `null` for a system job. */
  actor: EventLogActor | null;
  /** The tool of the entries, e.g. `import`. @default the model's tool in the declaration */
  tool?: string;
  requestId?: string | null;
  operationName?: string | null;
  path?: string | null;
}

/** A template part as the trigger renders it: text, a field of the object, or a given value. */
export type ContextTemplatePart = string | { k: string; f: string } | { k: string };

/** What an audited mutation adds: the message of its model's entries and its action. */
export interface MutationContext extends EventLogContext {
  model: string;
  action?: string;
  /** The message; without it the trigger writes its default one. */
  template?: string;
  parts?: ContextTemplatePart[];
  values?: StoredTemplateValues;
}

/** The JSON the trigger decodes. `call` groups the writes of one call into one entry per object. */
interface WireContext {
  call: string;
  actor: { id: string; name: string | null } | null;
  tool?: string;
  requestId?: string;
  operationName?: string;
  path?: string;
  model?: string;
  action?: string;
  template?: string;
  parts?: ContextTemplatePart[];
  values?: StoredTemplateValues;
}

/**
 * Runs `fn` with an event log context: every write a Prisma client set up with
 * `eventLogComments()` sends from inside it carries the context, and the capture triggers
 * attribute the entries they write to its actor and tool. For jobs and scripts.
 * @example await withEventLogContext({ actor: null, tool: 'nightly-import' }, () => importAll())
 */
export function withEventLogContext<T>(
  context: EventLogContext | MutationContext,
  fn: () => T | Promise<T>,
): Promise<T> {
  const encoded = encodeContext(toWire(context));
  return withMergedQueryTags({ [CONTEXT_TAG]: encoded }, async () => await fn());
}

/**
 * The `comments` option of your `PrismaClient`: `new PrismaClient({ adapter, comments: eventLogComments() })`.
 * It is `@prisma/sqlcommenter-query-tags`' plugin, which carries the context of
 * `withEventLogContext()` (and of `withQueryTags()`) on each statement.
 */
export function eventLogComments(): ReturnType<typeof queryTags>[] {
  return [queryTags()];
}

/** The context of the current call, decoded, or undefined outside `withEventLogContext()`. */
export function currentEventLogContext(): Readonly<WireContext> | undefined {
  const encoded = queryTags()({} as never)[CONTEXT_TAG];
  return encoded ? (decodeContext(encoded) as WireContext) : undefined;
}

function toWire(context: EventLogContext | MutationContext): WireContext {
  if (typeof context !== 'object' || context === null) {
    throw new EventLogValidationError(
      `withEventLogContext() needs a context object { actor, tool?, ... }; got ${describe(context)}.`,
      'context',
    );
  }
  if (context.actor === undefined) {
    throw new EventLogValidationError(
      'withEventLogContext(): actor is missing: pass { id, name } of who acts, or null for a system job.',
      'actor',
    );
  }
  const actor = context.actor;
  if (actor !== null && (typeof actor !== 'object' || !isId(actor.id))) {
    throw new EventLogValidationError(
      'withEventLogContext(): actor must be { id, name } with a string, number or bigint id, or null.',
      'actor',
    );
  }
  const wire: WireContext = {
    call: randomUUID(),
    actor: actor ? { id: String(actor.id), name: actor.name ?? null } : null,
  };
  if (context.tool !== undefined) {
    if (typeof context.tool !== 'string' || context.tool === '' || context.tool.length > 100) {
      throw new EventLogValidationError(
        'withEventLogContext(): tool must be a string of 1 to 100 characters.',
        'tool',
      );
    }
    wire.tool = context.tool;
  }
  for (const key of ['requestId', 'operationName', 'path'] as const) {
    const value = context[key];
    if (typeof value === 'string') wire[key] = value;
  }
  if ('model' in context) {
    wire.model = context.model;
    if (context.action !== undefined) wire.action = context.action;
    if (context.parts) {
      wire.template = context.template;
      wire.parts = context.parts;
      wire.values = context.values ?? {};
    }
  }
  return wire;
}

function isId(value: unknown): boolean {
  return (
    (typeof value === 'string' && value !== '') ||
    typeof value === 'number' ||
    typeof value === 'bigint'
  );
}

/** base64url without padding: it passes sqlcommenter's URL encoding unchanged. */
export function encodeContext(context: object): string {
  const encoded = Buffer.from(JSON.stringify(context), 'utf8').toString('base64url');
  if (encoded.length > MAX_CONTEXT_BYTES) {
    throw new EventLogLimitError(
      `The event log context is ${encoded.length} bytes encoded; the limit is ${MAX_CONTEXT_BYTES}. Shorten the template or its values.`,
      'context',
      MAX_CONTEXT_BYTES,
      encoded.length,
    );
  }
  return encoded;
}

export function decodeContext(encoded: string): unknown {
  try {
    return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
