import type { SchemaTypes } from '@pothos/core';
import type { EventLogAddedPayload } from '../live/subscription.js';
import { subscribeEventLogs } from '../live/subscription.js';
import { eventLogOptions } from '../options.js';
import { eventLogRefs } from './event-log-type.js';
import { filterArgs, filterFromArgs } from './filter-args.js';

// biome-ignore lint/suspicious/noExplicitAny: Pothos' generics cannot be carried through a plugin
type Any = any;

const added = new WeakSet<object>();

/** Adds the root `eventLogAdded` subscription (and its event type), once per builder. */
export function addEventLogAddedSubscription(builder: PothosSchemaTypes.SchemaBuilder<Any>) {
  const options = eventLogOptions(builder);
  if (options.subscriptionField === false || added.has(builder)) return;
  added.add(builder);
  const refs = eventLogRefs(builder);
  const event = builder.objectRef<{ cursor: string; node: unknown }>('EventLogAdded');
  event.implement({
    description: 'One entry of the live feed, with its cursor.',
    fields: (t: Any) => ({
      cursor: t.exposeString('cursor', {
        nullable: false,
        description:
          'Resume after this entry with `eventLogAdded(after: cursor)`; also an `eventLogs` cursor.',
      }),
      node: t.field({ type: refs.eventLog, nullable: false, resolve: (item: Any) => item.node }),
    }),
  });
  if (!builder.configStore.hasImplementation('Subscription')) builder.subscriptionType({});
  builder.subscriptionField(options.subscriptionField, (t: Any) =>
    t.field({
      type: event,
      // Nullable: an error inside the event (a field of its node) nulls it, not the stream.
      nullable: true,
      description:
        'Entries as they are committed, oldest first (timestamp, then id), each once; with `after`, the stored entries after that cursor first, without a gap. Takes the filters of `eventLogs`. A subscriber more than `subscriptions.bufferSize` entries behind reads the rest from the stored log at its own pace, then goes on live, with no gap. FORBIDDEN when the reader may not read them.',
      args: {
        ...filterArgs(t),
        after: t.arg.string({
          description: 'A cursor (of this feed or of `eventLogs`): replay the entries after it.',
        }),
      },
      subscribe: (_root: unknown, args: Any, context: SchemaTypes['Context']) =>
        subscribeEventLogs(options, context, filterFromArgs(args), args.after),
      resolve: (item: EventLogAddedPayload) => item,
    }),
  );
}
