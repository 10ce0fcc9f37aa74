import type { SchemaTypes } from '@pothos/core';
import { eventLogOptions } from '../options.js';
import { readEventLogs } from '../read/read-event-logs.js';
import { eventLogRefs } from './event-log-type.js';

// biome-ignore lint/suspicious/noExplicitAny: Pothos' generics cannot be carried through a plugin
type Any = any;

const added = new WeakSet<object>();

/** Adds the root `eventLogs` query, once per builder. */
export function addEventLogsQuery(builder: PothosSchemaTypes.SchemaBuilder<Any>) {
  const options = eventLogOptions(builder);
  if (options.queryField === false || added.has(builder)) return;
  added.add(builder);
  const refs = eventLogRefs(builder);
  builder.queryField(options.queryField, (t: Any) =>
    t.connection(
      {
        type: refs.eventLog,
        // Nullable: a denied read answers null with FORBIDDEN and leaves the other root fields.
        nullable: true,
        description: `Audit entries, newest first (ties broken by id). \`first\`/\`last\` default to ${options.defaultPageSize}, at most ${options.maxPageSize}. Null with a FORBIDDEN error when the reader may not read them.`,
        args: {
          tool: t.arg.string(),
          action: t.arg.string(),
          actorId: t.arg.string({ description: 'The actor’s id as stored.' }),
          objectType: t.arg.string({ description: 'Prisma model name, e.g. "Certificate".' }),
          objectId: t.arg.string({ description: 'The object’s id as stored.' }),
          since: t.arg({ type: 'DateTime', description: 'Entries at or after this time.' }),
          until: t.arg({ type: 'DateTime', description: 'Entries at or before this time.' }),
        },
        resolve: (_root: unknown, args: Any, context: SchemaTypes['Context']) =>
          readEventLogs(options, context, {
            filter: {
              tool: args.tool,
              action: args.action,
              actorId: args.actorId,
              objectType: args.objectType,
              objectId: args.objectId,
              since: args.since,
              until: args.until,
            },
            page: args,
          }),
      },
      refs.connection,
    ),
  );
}
