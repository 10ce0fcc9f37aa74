import { PothosSchemaError, type SchemaTypes } from '@pothos/core';
import {
  type EventLogCaptureDeclaration,
  type ResolvedCaptureDeclaration,
  resolveCaptureDeclaration,
} from './capture/declaration.js';
import { isEventLogError } from './errors.js';
import type { EventLogListener } from './live/listener.js';
import type { DataModel } from './read/model-metadata.js';
import type { EventLogPluginOptions } from './types.js';

export interface ResolvedOptions
  extends Omit<EventLogPluginOptions<SchemaTypes>, 'capture' | 'subscriptions'> {
  queryField: string | false;
  subscriptionField: string | false;
  subscriptions:
    | {
        listen: (context: SchemaTypes['Context']) => EventLogListener;
        bufferSize: number;
        pollMs: number;
        watchMs: number;
      }
    | undefined;
  maxPageSize: number;
  maxNodeIds: number;
  maxEntriesPerRequest: number;
  defaultPageSize: number;
  /** The bound of `totalCount`, or `false` for exact counts. */
  maxExactCount: number | false;
  capture: ResolvedCaptureDeclaration | undefined;
  datamodel: DataModel | undefined;
}

const resolved = new WeakMap<object, ResolvedOptions>();

/** The plugin's options with defaults, checked once per builder. */
export function eventLogOptions(builder: PothosSchemaTypes.SchemaBuilder<SchemaTypes>) {
  const cached = resolved.get(builder);
  if (cached) return cached;
  const options = (builder.options as { eventLog?: EventLogPluginOptions<SchemaTypes> }).eventLog;
  if (!options) {
    throw new PothosSchemaError(
      'pothos-eventlog: the builder has no `eventLog` options. Pass at least { client, actor, authorize }.',
    );
  }
  for (const name of ['client', 'actor', 'authorize'] as const) {
    if (typeof options[name] !== 'function') {
      throw new PothosSchemaError(
        name === 'authorize'
          ? 'pothos-eventlog: `eventLog.authorize` is required. Audit logs hold sensitive data, so reading them needs an explicit policy, e.g. authorize: (ctx) => ctx.user?.isAdmin === true.'
          : `pothos-eventlog: \`eventLog.${name}\` must be a function of the context.`,
      );
    }
  }
  if (options.readClient !== undefined && typeof options.readClient !== 'function') {
    throw new PothosSchemaError(readClientError(options.readClient));
  }
  // Importing plugin-relay patches every builder's prototype: only the plugins list tells
  // whether this builder runs it (without it, node(id) and connections fail per request).
  if (!(builder.options.plugins ?? []).includes('relay')) {
    throw new PothosSchemaError(
      "pothos-eventlog needs @pothos/plugin-relay (EventLog is a Relay node with connections): add RelayPlugin to the builder's plugins (importing it is not enough).",
    );
  }
  const maxPageSize = options.maxPageSize ?? 100;
  const defaultPageSize = options.defaultPageSize ?? 20;
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1) {
    throw new PothosSchemaError(
      'pothos-eventlog: `eventLog.maxPageSize` must be a positive integer.',
    );
  }
  if (!Number.isInteger(defaultPageSize) || defaultPageSize < 0 || defaultPageSize > maxPageSize) {
    throw new PothosSchemaError(
      'pothos-eventlog: `eventLog.defaultPageSize` must be an integer from 0 to maxPageSize.',
    );
  }
  const maxNodeIds = options.maxNodeIds ?? 100;
  if (!Number.isInteger(maxNodeIds) || maxNodeIds < 1) {
    throw new PothosSchemaError(
      'pothos-eventlog: `eventLog.maxNodeIds` must be a positive integer.',
    );
  }
  const maxEntriesPerRequest = options.maxEntriesPerRequest ?? 2000;
  if (!Number.isInteger(maxEntriesPerRequest) || maxEntriesPerRequest < maxPageSize) {
    throw new PothosSchemaError(
      `pothos-eventlog: \`eventLog.maxEntriesPerRequest\` must be an integer of at least maxPageSize (${maxPageSize}).`,
    );
  }
  const maxExactCount = options.maxExactCount ?? 10_000;
  if (
    maxExactCount !== false &&
    (!Number.isInteger(maxExactCount) || maxExactCount < 1 || maxExactCount > 2_147_483_647)
  ) {
    throw new PothosSchemaError(
      `pothos-eventlog: \`eventLog.maxExactCount\` must be a positive integer up to 2147483647 (GraphQL's largest Int), or false to count every entry exactly; got ${typeof maxExactCount === 'number' ? maxExactCount : JSON.stringify(maxExactCount)}.`,
    );
  }
  const datamodel = checkDatamodel(
    (builder.options as { prisma?: { dmmf?: { datamodel?: DataModel } } }).prisma?.dmmf?.datamodel,
  );
  const result: ResolvedOptions = {
    ...options,
    queryField: options.queryField ?? 'eventLogs',
    subscriptionField: options.subscriptions
      ? (options.subscriptionField ?? 'eventLogAdded')
      : false,
    subscriptions: resolveSubscriptions(options),
    maxPageSize,
    maxNodeIds,
    maxEntriesPerRequest,
    defaultPageSize,
    maxExactCount,
    capture: options.capture ? resolveCapture(options.capture) : undefined,
    datamodel,
  };
  resolved.set(builder, result);
  return result;
}

function readClientError(given: unknown): string {
  const isClient = typeof given === 'object' && given !== null && 'eventLog' in given;
  return `pothos-eventlog: \`eventLog.readClient\` must be a function of the context returning the client log reads go to, ${
    isClient ? 'not a client' : `not ${given === null ? 'null' : typeof given}`
  }: e.g. readClient: (ctx) => ctx.prisma.$replica() with @prisma/extension-read-replicas, or readClient: () => replica for a PrismaClient on the replica.`;
}

function resolveSubscriptions(options: EventLogPluginOptions<SchemaTypes>) {
  const given = options.subscriptions;
  if (!given) {
    if (typeof options.subscriptionField === 'string') {
      throw new PothosSchemaError(
        `pothos-eventlog: \`eventLog.subscriptionField\` is "${options.subscriptionField}" but \`eventLog.subscriptions\` is not set: pass subscriptions: { listen: (ctx) => ctx.eventLogListener } with a listener made by pgEventLogListener() or pgliteEventLogListener().`,
      );
    }
    return undefined;
  }
  if (typeof given.listen !== 'function') {
    throw new PothosSchemaError(
      'pothos-eventlog: `eventLog.subscriptions.listen` must be a function of the context returning the server’s EventLogListener, e.g. (ctx) => ctx.eventLogListener.',
    );
  }
  const bufferSize = given.bufferSize ?? 1000;
  const pollMs = given.pollMs ?? 1000;
  for (const [name, value] of [
    ['bufferSize', bufferSize],
    ['pollMs', pollMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new PothosSchemaError(
        `pothos-eventlog: \`eventLog.subscriptions.${name}\` must be a positive integer; got ${value}.`,
      );
    }
  }
  return { listen: given.listen, bufferSize, pollMs, watchMs: Math.min(pollMs, 5) };
}

function resolveCapture(declaration: EventLogCaptureDeclaration): ResolvedCaptureDeclaration {
  try {
    return resolveCaptureDeclaration(declaration);
  } catch (error) {
    throw isEventLogError(error) ? new PothosSchemaError(error.message) : error;
  }
}

/** The fields of the EventLog model the plugin reads (prisma/schema/eventlog.prisma). */
const EVENT_LOG_FIELDS = [
  'id',
  'timestamp',
  'actorId',
  'actorName',
  'tool',
  'action',
  'objectType',
  'objectId',
  'template',
  'message',
  'values',
  'changes',
  'context',
] as const;

const MODEL_FILE = 'node_modules/pothos-eventlog/prisma/schema/eventlog.prisma';

/**
 * Every read goes through `client.eventLog`: when plugin-prisma's datamodel is given (as
 * plugin-prisma requires), the EventLog model must be in it. Audited mutations and
 * `t.eventLog()` need the datamodel and say so.
 */
function checkDatamodel(datamodel: DataModel | undefined): DataModel | undefined {
  if (!datamodel?.models) return undefined;
  const model = datamodel.models.EventLog;
  if (!model) {
    throw new PothosSchemaError(
      `pothos-eventlog: the Prisma schema has no EventLog model, which stores the entries. Copy ${MODEL_FILE} into your Prisma schema folder, then run prisma generate and create a migration.`,
    );
  }
  const names = new Set(model.fields.map((field) => field.name));
  const missing = EVENT_LOG_FIELDS.filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new PothosSchemaError(
      `pothos-eventlog: the EventLog model lacks ${missing.join(', ')}: make it match ${MODEL_FILE}, then run prisma generate and create a migration.`,
    );
  }
  return datamodel;
}
