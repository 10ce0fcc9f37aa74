import type { EventLogFilter } from '../types.js';

// biome-ignore lint/suspicious/noExplicitAny: Pothos' generics cannot be carried through a plugin
type Any = any;

/** The filter arguments of `eventLogs`, which `eventLogAdded` takes as well. */
export function filterArgs(t: Any) {
  return {
    tool: t.arg.string(),
    action: t.arg.string(),
    actorId: t.arg.string({ description: 'The actor’s id as stored.' }),
    objectType: t.arg.string({ description: 'Prisma model name, e.g. "Certificate".' }),
    objectId: t.arg.string({ description: 'The object’s id as stored.' }),
    since: t.arg({ type: 'DateTime', description: 'Entries at or after this time.' }),
    until: t.arg({ type: 'DateTime', description: 'Entries at or before this time.' }),
  };
}

/** The filter those arguments give. */
export function filterFromArgs(args: EventLogFilter): EventLogFilter {
  const { tool, action, actorId, objectType, objectId, since, until } = args;
  return { tool, action, actorId, objectType, objectId, since, until };
}
