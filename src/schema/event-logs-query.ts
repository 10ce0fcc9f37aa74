import type { SchemaTypes } from '@pothos/core';
import { eventLogOptions } from '../options.js';
import { readEventLogs } from '../read/read-event-logs.js';
import { eventLogRefs } from './event-log-type.js';
import { filterArgs, filterFromArgs } from './filter-args.js';

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
        args: filterArgs(t),
        resolve: (_root: unknown, args: Any, context: SchemaTypes['Context']) =>
          readEventLogs(options, context, {
            filter: filterFromArgs(args),
            page: args,
          }),
      },
      refs.connection,
    ),
  );
}
