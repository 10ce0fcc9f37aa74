/** The channel the capture triggers announce entries on (`pg_notify('eventlog', ids)`). */
export const EVENT_LOG_CHANNEL = 'eventlog';

/**
 * How a listener reaches the database: start listening on `channel` and call `notify` with
 * each payload; resolve once LISTEN is in effect, with a function that stops it and releases
 * the connection. `lost` reports a connection that ended on its own: the listener connects
 * again after a pause.
 */
export type EventLogListenerConnect = (
  channel: string,
  notify: (payload: string) => void,
  lost: (error: Error) => void,
) => Promise<() => Promise<void>>;

/**
 * One database connection listening for new entries, shared by every `eventLogAdded`
 * subscription of a server (pass it to the builder with `eventLog.subscriptions.listen`).
 * Made by `pgEventLogListener()` for node-postgres, `pgliteEventLogListener()` for PGlite,
 * or `createEventLogListener()` for another driver. `close()` ends the subscriptions that use
 * it and releases the connection: call it when the server shuts down.
 */
export class EventLogListener {
  #connect: EventLogListenerConnect;
  #handlers = new Set<() => void>();
  #closeHandlers = new Set<() => void>();
  #stop: (() => Promise<void>) | undefined;
  #starting: Promise<void> | undefined;
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(connect: EventLogListenerConnect) {
    this.#connect = connect;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Calls `onWake` after each notification (the payload's ids tell that entries committed;
   * the feed reads them by position, see feed-hub.ts) and once after a reconnection, when
   * notifications may have been missed. Resolves when the connection listens.
   */
  async subscribe(onWake: () => void): Promise<() => void> {
    if (this.#closed) {
      throw new Error('pothos-eventlog: this EventLogListener was closed (server shutdown).');
    }
    this.#handlers.add(onWake);
    try {
      await this.#ensureStarted();
    } catch (error) {
      this.#handlers.delete(onWake);
      throw error;
    }
    return () => {
      this.#handlers.delete(onWake);
    };
  }

  /** Runs `callback` when the listener is closed. */
  onClose(callback: () => void): () => void {
    this.#closeHandlers.add(callback);
    return () => this.#closeHandlers.delete(callback);
  }

  /** Ends every subscription that uses this listener and releases its connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    for (const callback of [...this.#closeHandlers]) callback();
    this.#closeHandlers.clear();
    this.#handlers.clear();
    await this.#starting?.catch(() => {});
    const stop = this.#stop;
    this.#stop = undefined;
    await stop?.();
  }

  #wake() {
    for (const handler of [...this.#handlers]) handler();
  }

  #ensureStarted(): Promise<void> {
    if (this.#stop) return Promise.resolve();
    this.#starting ??= this.#connect(
      EVENT_LOG_CHANNEL,
      () => this.#wake(),
      () => this.#lost(),
    )
      .then(async (stop) => {
        if (this.#closed) {
          await stop();
          return;
        }
        this.#stop = stop;
      })
      .finally(() => {
        this.#starting = undefined;
      });
    return this.#starting;
  }

  #lost() {
    const stop = this.#stop;
    this.#stop = undefined;
    void stop?.().catch(() => {});
    if (this.#closed) return;
    const retry = () => {
      if (this.#closed) return;
      this.#ensureStarted().then(
        () => this.#wake(),
        () => {
          this.#retryTimer = setTimeout(retry, 1000);
          this.#retryTimer.unref();
        },
      );
    };
    this.#retryTimer = setTimeout(retry, 200);
    this.#retryTimer.unref();
  }
}

/** A listener over your own driver: `connect` as described by {@link EventLogListenerConnect}. */
export function createEventLogListener(connect: EventLogListenerConnect): EventLogListener {
  return new EventLogListener(connect);
}

/** node-postgres' `ClientConfig` (not imported: `pg` is an optional peer dependency). */
export interface PgListenerConfig {
  connectionString?: string;
  [option: string]: unknown;
}

/**
 * A listener on one node-postgres connection (`pg`, an optional peer dependency), opened on
 * the first subscription, e.g. `pgEventLogListener({ connectionString: process.env.DATABASE_URL })`.
 * Use a direct connection: LISTEN does not work through a transaction-mode pooler (PgBouncer).
 */
export function pgEventLogListener(config: PgListenerConfig | string): EventLogListener {
  return new EventLogListener(async (channel, notify, lost) => {
    const pg = await import('pg').catch((error: unknown) => {
      throw new Error(
        'pothos-eventlog: pgEventLogListener needs the `pg` package: npm install pg.',
        { cause: error },
      );
    });
    const Client = pg.default?.Client ?? pg.Client;
    const client = new Client(
      typeof config === 'string' ? { connectionString: config } : (config as object),
    );
    let ending = false;
    client.on('notification', (message) => {
      if (message.channel === channel) notify(message.payload ?? '');
    });
    client.on('error', (error) => {
      if (!ending) lost(error);
    });
    client.on('end', () => {
      if (!ending) lost(new Error('The listening connection ended.'));
    });
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    return async () => {
      ending = true;
      await client.end().catch(() => {});
    };
  });
}

/** What `pgliteEventLogListener` uses of a PGlite instance. */
export interface PGliteListenable {
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/** A listener on an embedded PGlite database (`pglite.listen()`). */
export function pgliteEventLogListener(pglite: PGliteListenable): EventLogListener {
  return new EventLogListener(async (channel, notify) => pglite.listen(channel, notify));
}
