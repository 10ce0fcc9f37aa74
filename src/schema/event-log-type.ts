import type { SchemaTypes } from '@pothos/core';
import type {} from '@pothos/plugin-relay';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { eventLogOptions } from '../options.js';
import { fieldChanges } from '../read/field-changes.js';
import type { EventLogConnectionResult } from '../read/find-event-logs.js';
import { createLiveMessage } from '../read/live-message.js';
import type { EventLogRecord } from '../types.js';
import { eventLogNodeId, eventLogNodeLoader } from './event-log-node.js';

// Pothos' generics cannot be carried through a plugin that works for any schema.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyBuilder = PothosSchemaTypes.SchemaBuilder<any>;
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyRef = any;

export interface EventLogRefs {
  eventLog: AnyRef;
  connection: AnyRef;
}

const refsByBuilder = new WeakMap<object, EventLogRefs>();

/** The `EventLog` node, `FieldChange` and the one shared `EventLogConnection`, made once. */
export function eventLogRefs(builder: AnyBuilder): EventLogRefs {
  const existing = refsByBuilder.get(builder);
  if (existing) return existing;
  const options = eventLogOptions(builder);
  addScalarOnce(builder, 'DateTime', DateTimeResolver);
  addScalarOnce(builder, 'JSON', JSONResolver);

  const liveMessage = createLiveMessage(options);

  const fieldChangeRef = builder.objectRef<{ path: string; old: unknown; new: unknown }>(
    'FieldChange',
  );
  fieldChangeRef.implement({
    description: 'One changed leaf of an entry’s diff.',
    fields: (t: AnyRef) => ({
      path: t.exposeString('path', {
        nullable: false,
        description: 'Dotted path, e.g. `items.2.quantity` (array items are keyed by id).',
      }),
      old: t.field({ type: 'JSON', nullable: true, resolve: (change: AnyRef) => change.old }),
      new: t.field({ type: 'JSON', nullable: true, resolve: (change: AnyRef) => change.new }),
    }),
  });

  const eventLog = builder.objectRef<EventLogRecord>('EventLog');
  builder.node(eventLog, {
    description: 'One audit entry: who did what to which object, when.',
    id: { resolve: eventLogNodeId },
    loadMany: eventLogNodeLoader(options),
    fields: (t: AnyRef) => ({
      timestamp: t.field({
        type: 'DateTime',
        nullable: false,
        resolve: (entry: EventLogRecord) => entry.timestamp,
      }),
      actor: t.string({
        nullable: true,
        description: 'Display name of the actor when the event happened; null for system events.',
        resolve: (entry: EventLogRecord) => entry.actorName,
      }),
      actorId: t.string({
        nullable: true,
        description: 'The actor’s id as stored (a database id, not a global ID).',
        resolve: (entry: EventLogRecord) => entry.actorId,
      }),
      message: t.string({
        nullable: false,
        description:
          'The message rendered from the current rows the reader may read (`authorize` on the row’s object); the snapshot taken when the event was written stands in for any other row or one that is gone. Masked fields are `[redacted]`.',
        resolve: (entry: EventLogRecord, _args: unknown, context: SchemaTypes['Context']) =>
          liveMessage(entry, context),
      }),
      messageAtEvent: t.string({
        nullable: false,
        description: 'The message as rendered when the event was written.',
        resolve: (entry: EventLogRecord) => entry.message,
      }),
      template: t.exposeString('template', { nullable: false }),
      tool: t.exposeString('tool', { nullable: false }),
      action: t.exposeString('action', { nullable: false }),
      objectType: t.exposeString('objectType', { nullable: false }),
      objectId: t.string({
        nullable: true,
        description: 'The object’s id as stored (a database id, not a global ID).',
        resolve: (entry: EventLogRecord) => entry.objectId,
      }),
      changes: t.field({
        type: 'JSON',
        nullable: true,
        description: '`{ old_value, new_value }` holding only what changed.',
        resolve: (entry: EventLogRecord) => entry.changes ?? null,
      }),
      fieldChanges: t.field({
        type: [fieldChangeRef],
        nullable: false,
        description: 'One change per changed leaf of `changes`.',
        resolve: (entry: EventLogRecord) => fieldChanges(entry.changes),
      }),
      context: t.field({
        type: 'JSON',
        nullable: true,
        description: 'Request id, operation name and field path of the request that wrote it.',
        resolve: (entry: EventLogRecord) => entry.context ?? null,
      }),
    }),
  });

  const bound = options.maxExactCount;
  const connection = builder.connectionObject({
    type: eventLog,
    name: 'EventLogConnection',
    fields: (t: AnyRef) => ({
      totalCount: t.int({
        nullable: false,
        description:
          bound === false
            ? 'Entries matching the filter, on all pages.'
            : `Entries matching the filter, on all pages, counted up to ${bound}: when more match, ${bound}, and \`totalCountIsExact\` is false.`,
        resolve: async (result: EventLogConnectionResult) => (await result.totalCount()).value,
      }),
      totalCountIsExact: t.boolean({
        nullable: false,
        description:
          bound === false
            ? 'Whether `totalCount` is the exact number of matching entries: always true here, as this server counts every entry.'
            : `Whether \`totalCount\` is the exact number of matching entries: false when more than ${bound} match, and \`totalCount\` is then ${bound} (show it as "${bound}+"). Read with \`totalCount\`, it costs no other query.`,
        resolve: async (result: EventLogConnectionResult) => (await result.totalCount()).exact,
      }),
    }),
  });

  const refs = { eventLog, connection };
  refsByBuilder.set(builder, refs);
  return refs;
}

function addScalarOnce(builder: AnyBuilder, name: string, scalar: AnyRef) {
  if (!builder.configStore.hasImplementation(name)) builder.addScalarType(name, scalar, {});
}
