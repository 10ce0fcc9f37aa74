import type { EventLogCursor } from '../read/pagination.js';
import { cursorWhere } from '../read/pagination.js';
import type { EventLogPrismaClient, EventLogRecord } from '../types.js';
import type { EventLogListener } from './listener.js';

/*
 * The order of the feed, and why a resumed feed has no gap and no duplicate.
 *
 * Entries are ordered by (timestamp, id), as `eventLogs` lists them (oldest first here). Both
 * are taken when the row is written, before its transaction commits, so entries commit out of
 * order: a transaction that wrote at 10:00:00.100 can commit after one that wrote at .200.
 * Delivering in commit order would make a cursor useless: resuming "after" the .200 entry
 * would skip the .100 one that came later, or replay ones already seen.
 *
 * So the feed delivers in (timestamp, id) order, and only up to a *horizon*: a time such that
 * every entry at or before it has committed (or will never exist). The hub finds it by asking
 * PostgreSQL which transactions are writing `event_log` right now (the probe below):
 *  - every writer holds a RowExclusiveLock on event_log from its first write until it ends,
 *    taken before the row's id and clock_timestamp() are;
 *  - so, for the probe's statement time S (ms, floored) and the writers W it lists, an entry
 *    stamped at or before S - 1 ms (stamps are rounded to ms) was written before S, by a
 *    transaction in W or by one that had ended; anything written later is stamped after it;
 *  - once a later probe lists none of W, all of them have ended, their commits are visible to
 *    any new snapshot (a transaction becomes visible before it releases its locks), and
 *    S - 1 ms becomes the horizon.
 * Each advance of the horizon from H to H' reads the entries in (H, H'] with one query (pages
 * of 500), whatever the number of subscribers, and hands each live subscriber the ones that
 * match its filter, in order. Every entry lands in exactly one such range, so a live
 * subscriber sees each once, in order. Notifications (the ids of each statement's entries,
 * sent at commit and never on rollback) only wake the hub: it does not fetch by id, because a
 * notification can reach the listening connection after the probe saw its writer end. The
 * horizon moves (and a range is read) only when something was announced since the last read,
 * or every `pollMs` while there are subscribers, which covers entries written without the
 * capture triggers (EventLogService) and notifications lost with a connection; probes in
 * between (every few ms while writers are open) only settle checkpoints. A notification that
 * arrives late finds its entries in the next range read, never behind the horizon.
 *
 * A subscription with `after: C` first replays, page by page, the stored entries in (C, H]
 * for the horizon H it reads before each page; when a page comes back short and the horizon
 * has not moved meanwhile, it joins the live subscribers in the same tick, at H. Entries
 * up to H were all committed when read (that is what a horizon is), the hub hands it those
 * after H, and it drops anything at or before the last entry it delivered: (C, H] then (H, …],
 * no gap, no duplicate, one order. Resuming later from the cursor of any delivered entry gives
 * exactly what followed it.
 *
 * A live subscriber that has more than `bufferSize` entries waiting (its client reads slowly
 * or not at all, or one statement wrote more) drops them and leaves the live set; it goes
 * back to replaying from the last entry its client got, at the client's pace, and joins
 * again the same way: memory stays bounded, and the order and the seam stay the same.
 *
 * The price: delivery waits for the transactions writing event_log when the entry was written
 * to end (a transaction open for a minute holds the feed back a minute; Prisma's interactive
 * transactions time out after 5 s by default), and relies on the database server's clock not
 * stepping back.
 */

/** A live subscriber, as the hub sees it. */
export interface LiveSubscriber {
  /**
   * The last entry handed to it (queued, not necessarily read by its client yet), or the
   * replay's end: the hub hands over only later ones.
   */
  position: EventLogCursor;
  matches(entry: EventLogRecord): boolean;
  /**
   * Receives matching entries after `position`, in order. `batch` is the same object for
   * every subscriber of one fetched page: their live messages share its row look-ups.
   */
  push(entries: EventLogRecord[], batch: object): void;
  /** The feed stops (shutdown). */
  end(): void;
}

export interface FeedHubSettings {
  pollMs: number;
  /** Pause between probes while writers the horizon waits for are still running. */
  watchMs: number;
}

interface Checkpoint {
  at: number;
  writers: string[];
}

const PROBE_SQL = `SELECT floor(extract(epoch FROM statement_timestamp()) * 1000)::float8 AS now_ms,
  coalesce((SELECT string_agg(virtualtransaction, ',') FROM pg_locks
            WHERE locktype = 'relation' AND relation = 'event_log'::regclass
              AND mode = 'RowExclusiveLock' AND pid IS DISTINCT FROM pg_backend_pid()), '') AS writers`;

const FETCH_PAGE = 500;

export const ORDER = [{ timestamp: 'asc' }, { id: 'asc' }] as const;

/** Whether `entry` comes after `position` in the feed's order. */
export function isAfter(entry: EventLogCursor, position: EventLogCursor): boolean {
  const a = entry.timestamp.getTime();
  const b = position.timestamp.getTime();
  return a > b || (a === b && entry.id > position.id);
}

const hubs = new WeakMap<EventLogListener, FeedHub>();

/** One hub per listener (so per server): one probe and one fetch per batch, for everyone. */
export function feedHub(
  listener: EventLogListener,
  client: EventLogPrismaClient,
  settings: FeedHubSettings,
): FeedHub {
  let hub = hubs.get(listener);
  if (!hub) {
    hub = new FeedHub(listener, client, settings);
    hubs.set(listener, hub);
  }
  return hub;
}

export class FeedHub {
  /** Every entry stamped at or before it has committed; null until the first probe settles. */
  horizon: number | null = null;
  readonly #listener: EventLogListener;
  readonly #client: EventLogPrismaClient;
  readonly #settings: FeedHubSettings;
  readonly #live = new Set<LiveSubscriber>();
  #users = 0;
  #checkpoints: Checkpoint[] = [];
  /** The latest settled checkpoint: where the horizon can move at the next read. */
  #ready: number | null = null;
  /** Something was announced (or a poll is due) since the last read of a range. */
  #dirty = true;
  #running = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #waiters = new Set<() => void>();
  #closed = false;
  /** True while a range is being handed out: a replay must not join the live set then. */
  delivering = false;
  /** The last database error of a cycle, rethrown to subscriptions waiting for the horizon. */
  lastError: unknown;

  constructor(listener: EventLogListener, client: EventLogPrismaClient, settings: FeedHubSettings) {
    this.#listener = listener;
    this.#client = client;
    this.#settings = settings;
    listener.onClose(() => this.#shutdown());
  }

  get client(): EventLogPrismaClient {
    return this.#client;
  }

  /** A subscription starts: the hub listens and probes while it has any. */
  async retain(): Promise<void> {
    this.#users++;
    if (this.#users === 1) {
      try {
        this.#unsubscribe = await this.#listener.subscribe(() => this.wake(true));
      } catch (error) {
        this.#users--;
        throw error;
      }
      this.wake();
    }
  }

  release(): void {
    this.#users = Math.max(0, this.#users - 1);
    if (this.#users > 0) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearTimeout(this.#timer);
    // Idle: the next subscription starts from a fresh probe.
    this.horizon = null;
    this.#ready = null;
    this.#checkpoints = [];
  }

  /** The listener was closed (server shutdown): no entry is delivered any more. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Joins the live set; on a closed hub the subscriber is ended instead. */
  addLive(subscriber: LiveSubscriber): void {
    if (this.#closed) {
      subscriber.end();
      return;
    }
    this.#live.add(subscriber);
  }

  removeLive(subscriber: LiveSubscriber): void {
    this.#live.delete(subscriber);
  }

  /** Resolves at the next change of the horizon (or of `lastError`), or at shutdown. */
  nextHorizon(): Promise<void> {
    return new Promise((resolve) => this.#waiters.add(resolve));
  }

  /** Runs a cycle; `announced`: entries may have committed (a notification, a poll). */
  wake(announced = true): void {
    if (announced) this.#dirty = true;
    if (this.#users === 0) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#cycle();
  }

  async #cycle(): Promise<void> {
    this.#running = true;
    clearTimeout(this.#timer);
    let delay = this.#settings.pollMs;
    let poll = true;
    try {
      do {
        this.#again = false;
        await this.#step();
      } while (this.#again && this.#users > 0);
      this.lastError = undefined;
      if (this.#checkpoints.length > 0) {
        delay = this.#settings.watchMs;
        poll = false;
      }
    } catch (error) {
      this.lastError = error;
      this.#notifyWaiters();
      delay = 1000;
    } finally {
      this.#running = false;
    }
    if (this.#users > 0 && !this.#listener.closed) {
      this.#timer = setTimeout(() => this.wake(poll), delay);
      this.#timer.unref();
    }
  }

  async #step(): Promise<void> {
    const [probe] =
      await this.#client.$queryRawUnsafe<{ now_ms: number; writers: string }[]>(PROBE_SQL);
    if (!probe) return;
    const writers = probe.writers === '' ? [] : probe.writers.split(',');
    this.#checkpoints.push({ at: Number(probe.now_ms) - 1, writers });
    const running = new Set(writers);
    let settled = -1;
    this.#checkpoints.forEach((checkpoint, index) => {
      if (!checkpoint.writers.some((writer) => running.has(writer))) settled = index;
    });
    if (settled >= 0) {
      const at = (this.#checkpoints[settled] as Checkpoint).at;
      this.#checkpoints.splice(0, settled + 1);
      this.#ready = Math.max(this.#ready ?? at, at);
    }
    const next = this.#ready;
    const previous = this.horizon;
    if (next === null || (previous !== null && next <= previous)) return;
    if (previous !== null && this.#live.size > 0) {
      // Nothing committed since the last read (no notification, no poll due): the range is
      // read later, when something is announced. A late notification only delays it.
      if (!this.#dirty) return;
      this.#dirty = false;
      this.delivering = true;
      try {
        await this.#deliver(previous, next);
      } catch (error) {
        this.#dirty = true;
        throw error;
      } finally {
        this.delivering = false;
      }
    }
    this.horizon = next;
    this.#notifyWaiters();
  }

  /** Reads (from, to] in pages, one query each, and hands every live subscriber its entries. */
  async #deliver(from: number, to: number): Promise<void> {
    let last: EventLogCursor | null = null;
    for (;;) {
      const range = { timestamp: { gt: new Date(from), lte: new Date(to) } };
      const entries = await this.#client.eventLog.findMany({
        where: last ? { AND: [range, cursorWhere(last, 'gt')] } : range,
        orderBy: ORDER,
        take: FETCH_PAGE,
      });
      const batch = {};
      for (const subscriber of [...this.#live]) {
        const mine = entries.filter(
          (entry) => isAfter(entry, subscriber.position) && subscriber.matches(entry),
        );
        if (mine.length > 0) subscriber.push(mine, batch);
      }
      if (entries.length < FETCH_PAGE) return;
      last = entries[entries.length - 1] as EventLogRecord;
    }
  }

  #notifyWaiters(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const resolve of waiters) resolve();
  }

  #shutdown(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const subscriber of [...this.#live]) subscriber.end();
    this.#live.clear();
    this.#notifyWaiters();
  }
}
