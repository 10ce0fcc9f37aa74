import type { SchemaTypes } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { forbidden } from '../graphql-errors.js';
import type { ResolvedOptions } from '../options.js';
import { filterToWhere } from '../read/filter.js';
import { LIVE_SCOPE, liveScope } from '../read/live-message.js';
import {
  cursorWhere,
  decodeCursor,
  type EventLogCursor,
  encodeCursor,
} from '../read/pagination.js';
import { primaryClient } from '../read/read-client.js';
import type { EventLogFilter, EventLogRecord } from '../types.js';
import { type FeedHub, feedHub, isAfter, type LiveSubscriber, ORDER } from './feed-hub.js';
import { EventLogListener } from './listener.js';

/** One event of `eventLogAdded`: the entry and its cursor (also an `eventLogs` cursor). */
export interface EventLogAddedPayload {
  cursor: string;
  node: EventLogRecord;
}

const REPLAY_PAGE = 100;
const REPLAY_ATTEMPTS = 3;

/**
 * Authorizes, checks the arguments, then returns the feed: the entries after `after` (or
 * from now), then the live ones, each once, in (timestamp, id) order (see feed-hub.ts).
 * Denied: FORBIDDEN, before the listener or the database is touched.
 */
export async function subscribeEventLogs(
  options: ResolvedOptions,
  context: SchemaTypes['Context'],
  filter: EventLogFilter,
  after: string | null | undefined,
): Promise<AsyncIterable<EventLogAddedPayload>> {
  const where = filterToWhere(filter);
  const start = after != null ? decodeCursor(after, 'after') : null;
  const allowed = await options.authorize(context, { filter });
  if (allowed !== true) throw forbidden();
  const settings = options.subscriptions;
  if (!settings) throw new Error('pothos-eventlog: eventLog.subscriptions is not set.');
  const listener = settings.listen(context);
  if (!(listener instanceof EventLogListener)) {
    throw new Error(
      'pothos-eventlog: eventLog.subscriptions.listen(context) did not return an EventLogListener: make one per server with pgEventLogListener() or pgliteEventLogListener() and return it.',
    );
  }
  if (listener.closed) {
    throw new GraphQLError('The server is shutting down; subscribe again shortly.', {
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
  }
  const hub = feedHub(listener, primaryClient(options, context), settings);
  await hub.retain();
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const controls = { stopped, stop: () => {} };
  let begun = false;
  const items = feed(hub, where, matcher(filter), start, settings.bufferSize, context, controls);
  // A generator waiting inside (for the horizon, for entries) would take a client's
  // disconnect (return()) only at its next yield: this ends the wait first.
  const iterator: AsyncIterableIterator<EventLogAddedPayload> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    next: () => {
      begun = true;
      return items.next();
    },
    return: (value?: unknown) => {
      // A generator never started runs no finally block: give the hub back here.
      if (!begun) hub.release();
      begun = true;
      stop();
      controls.stop();
      return items.return(value as never);
    },
    throw: (error?: unknown) => {
      stop();
      controls.stop();
      return items.throw(error);
    },
  };
  return iterator;
}

async function* feed(
  hub: FeedHub,
  where: Record<string, unknown>,
  matches: (entry: EventLogRecord) => boolean,
  start: EventLogCursor | null,
  bufferSize: number,
  context: SchemaTypes['Context'],
  controls: { stopped: Promise<void>; stop: () => void },
): AsyncGenerator<EventLogAddedPayload> {
  let queue: [EventLogRecord, object][] = [];
  let behind = false;
  let ended = false;
  let wakeUp: (() => void) | undefined;
  let started = false;
  let failures = 0;
  /** Everything up to here reached the client (or there was nothing): a catch-up starts after it. */
  let consumed: EventLogCursor = start ?? { timestamp: new Date(0), id: 0n };
  const wake = () => {
    const resolve = wakeUp;
    wakeUp = undefined;
    resolve?.();
  };
  const subscriber: LiveSubscriber = {
    position: consumed,
    matches,
    push(entries, batch) {
      if (behind) return;
      if (queue.length + entries.length > bufferSize) {
        // Too many waiting to hold (a slow or stalled client, or one statement's many
        // entries): drop them and leave the live set, so that memory stays bounded whatever
        // the client does. The feed reads them back from the log, at the client's pace.
        behind = true;
        queue = [];
        hub.removeLive(subscriber);
      } else {
        for (const entry of entries) queue.push([entry, batch]);
        subscriber.position = entries[entries.length - 1] as EventLogRecord;
      }
      wake();
    },
    end() {
      ended = true;
      wake();
    },
  };
  controls.stop = subscriber.end;
  const scoped = (entry: EventLogRecord, scope: object): EventLogAddedPayload => {
    consumed = entry;
    return { cursor: encodeCursor(entry), node: { ...entry, [LIVE_SCOPE]: scope } as never };
  };
  try {
    while (!ended) {
      // Replay: (position, horizon] page by page from the log, until the live set can take
      // over. At the start (the stored entries after `after`) and after falling behind.
      while (!ended) {
        // Shut down (the hub ended only its live subscribers): the feed ends too.
        if (hub.closed) return;
        const horizon = hub.horizon;
        if (horizon === null || hub.delivering) {
          if (hub.lastError && horizon === null) throw hub.lastError;
          await Promise.race([hub.nextHorizon(), controls.stopped]);
          continue;
        }
        const upTo = new Date(horizon);
        const end = { timestamp: upTo, id: MAX_ID };
        // Without `after`, the feed starts at the first horizon: entries from about now.
        if (start === null && !started) {
          subscriber.position = end;
          consumed = end;
        }
        started = true;
        let page: EventLogRecord[] = [];
        if (isAfter(end, subscriber.position)) {
          try {
            page = await hub.client.eventLog.findMany({
              where: {
                AND: [where, { timestamp: { lte: upTo } }, cursorWhere(subscriber.position, 'gt')],
              },
              orderBy: ORDER,
              take: REPLAY_PAGE,
            });
            failures = 0;
          } catch (error) {
            // A lost connection, as the hub's own reads meet it: read again after the hub's
            // next cycle (it retries every second); the third failure in a row ends the feed.
            if (++failures >= REPLAY_ATTEMPTS) throw error;
            await Promise.race([hub.nextHorizon(), controls.stopped]);
            continue;
          }
        }
        const scope = liveScope(context);
        for (const entry of page) {
          subscriber.position = entry;
          yield scoped(entry, scope);
        }
        if (page.length < REPLAY_PAGE && hub.horizon === horizon && !hub.delivering) {
          // Same tick as the check: the hub hands over everything after the horizon, and
          // nothing the feed selects lies between the last entry and the horizon.
          if (!isAfter(subscriber.position, end)) subscriber.position = end;
          consumed = subscriber.position;
          hub.addLive(subscriber);
          break;
        }
      }
      // Live.
      while (!ended) {
        if (queue.length > 0) {
          const waiting = queue;
          queue = [];
          let scope = liveScope(context);
          for (const [entry, batch] of waiting) {
            if (scope.shared !== batch) scope = liveScope(context, batch);
            yield scoped(entry, scope);
          }
          continue;
        }
        if (behind) {
          // Catch up from the log after the last entry the client got, then go live again.
          behind = false;
          subscriber.position = consumed;
          break;
        }
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
        });
      }
    }
  } finally {
    hub.removeLive(subscriber);
    hub.release();
  }
}

const MAX_ID = 9_223_372_036_854_775_807n;

/** The filter as a test of one entry, the same as `filterToWhere` selects. */
function matcher(filter: EventLogFilter): (entry: EventLogRecord) => boolean {
  const keys = (['tool', 'action', 'actorId', 'objectType', 'objectId'] as const).filter(
    (key) => filter[key] != null,
  );
  const since = filter.since?.getTime();
  const until = filter.until?.getTime();
  return (entry) =>
    keys.every((key) => entry[key] === filter[key]) &&
    (since === undefined || entry.timestamp.getTime() >= since) &&
    (until === undefined || entry.timestamp.getTime() <= until);
}
