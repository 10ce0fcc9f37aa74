// The one place that decides which database the example (and the tests) use:
// real PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
import { access, constants, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { eventLogComments } from '../src/capture/index.js';
import {
  type EventLogListener,
  pgEventLogListener,
  pgliteEventLogListener,
} from '../src/live/listener.js';
import { DirectoryInUseError, type DirectoryLock, lockDirectory } from './directory-lock.js';
import { PrismaClient } from './generated/prisma/client.js';

export interface Database {
  kind: 'postgresql' | 'pglite';
  /** Where the data lives, without credentials: safe to print. */
  description: string;
  prisma: PrismaClient;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** The server's one listening connection for `eventLogAdded`, opened on first use. */
  eventLogListener: EventLogListener;
  /** A client on the read replica of REPLICA_URL, when given: the log's reads of queries go there. */
  replica?: PrismaClient;
  close(): Promise<void>;
}

/** A configuration problem worth one clear line, not a stack trace. */
export class DatabaseConfigError extends Error {
  override name = 'DatabaseConfigError';
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** A read replica of `databaseUrl` (e.g. a streaming standby) for the log's reads. */
  replicaUrl?: string;
  pgliteDir?: string;
  /** Connections in the PostgreSQL pool. @default 10 */
  poolSize?: number;
  /**
   * How long a query or a transaction waits for a connection of the PostgreSQL pool before
   * it fails (and the request gets SERVICE_UNAVAILABLE). Also the time allowed to open a
   * connection, and Prisma's `maxWait` for interactive transactions, so that no other layer
   * gives up first. @default 5000
   */
  connectTimeoutMs?: number;
}

/**
 * The options from the environment: DATABASE_URL, REPLICA_URL, PGLITE_DIR, DATABASE_POOL_SIZE, and
 * DATABASE_CONNECT_TIMEOUT_MS (milliseconds a request waits for a pool connection, see
 * {@link DatabaseOptions.connectTimeoutMs}; a positive integer, default 5000).
 */
export function databaseOptionsFromEnv(env = process.env): DatabaseOptions {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    replicaUrl: env.REPLICA_URL || undefined,
    pgliteDir: env.PGLITE_DIR || undefined,
    poolSize: env.DATABASE_POOL_SIZE ? Number(env.DATABASE_POOL_SIZE) : undefined,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS
      ? millisecondsFromEnv('DATABASE_CONNECT_TIMEOUT_MS', env.DATABASE_CONNECT_TIMEOUT_MS)
      : undefined,
  };
}

function millisecondsFromEnv(name: string, value: string): number {
  const ms = /^[0-9]{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms > 0)) {
    throw new DatabaseConfigError(
      `${name} must be a positive number of milliseconds, got ${JSON.stringify(value)}.`,
    );
  }
  return ms;
}

export async function openDatabase(options = databaseOptionsFromEnv()): Promise<Database> {
  if (options.replicaUrl && !options.databaseUrl) {
    throw new DatabaseConfigError(
      'REPLICA_URL is a replica of the DATABASE_URL database: set DATABASE_URL (the primary) too.',
    );
  }
  const poolSize = options.poolSize ?? 10;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  if (!options.databaseUrl) return openPglite(options.pgliteDir ?? '.data/pglite');
  const database = await openPostgres(options.databaseUrl, poolSize, connectTimeoutMs);
  if (!options.replicaUrl) return database;
  let replica: PrismaClient;
  try {
    replica = new PrismaClient({
      adapter: await postgresAdapter('REPLICA_URL', options.replicaUrl, poolSize, connectTimeoutMs),
    });
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return {
    ...database,
    description: `${database.description}, log reads from ${redactUrl(options.replicaUrl)}`,
    replica,
    close: async () => {
      await replica.$disconnect();
      await database.close();
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** The adapter of a PostgreSQL URL from the variable `name`, once one connection has worked. */
async function postgresAdapter(
  name: string,
  url: string,
  poolSize: number,
  connectTimeoutMs: number,
): Promise<PrismaPg> {
  if (!URL.canParse(url) || !/^postgres(ql)?:$/.test(new URL(url).protocol)) {
    throw new DatabaseConfigError(`${name} is not a postgresql:// URL: ${redactUrl(url)}`);
  }
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
  } catch (error) {
    throw new DatabaseConfigError(
      `Cannot connect to ${name} (${redactUrl(url)}): ${rootMessage(error)}`,
    );
  } finally {
    await probe.end().catch(() => {});
  }
  return new PrismaPg({
    connectionString: url,
    max: poolSize,
    // Bounds the wait for a free connection too: pg-pool then fails the query with "timeout
    // exceeded when trying to connect", which the server answers with SERVICE_UNAVAILABLE.
    connectionTimeoutMillis: connectTimeoutMs,
    // pg-pool hands a client to a waiting connect() (the adapter's transactions) without an
    // 'error' listener until the caller's next tick. A backend terminated in between (restart,
    // pg_terminate_backend) would raise an unhandled 'error' event and end the process. With
    // this listener the client is only marked broken; its query fails and the pool drops it.
    onConnect: (client: pg.ClientBase) => {
      client.on('error', () => {});
    },
  });
}

async function openPostgres(
  url: string,
  poolSize: number,
  connectTimeoutMs: number,
): Promise<Database> {
  const description = `PostgreSQL at ${redactUrl(url)}`;
  const adapterFactory = await postgresAdapter('DATABASE_URL', url, poolSize, connectTimeoutMs);
  const prisma = new PrismaClient({
    adapter: adapterFactory,
    comments: eventLogComments(),
    // An interactive transaction starts with a pool connection; Prisma's own limit on that
    // wait (maxWait, 2 s by default) would end it before the pool does, with another error.
    transactionOptions: { maxWait: connectTimeoutMs },
  });
  const eventLogListener = pgEventLogListener({ connectionString: url });
  return {
    kind: 'postgresql',
    description,
    prisma,
    adapterFactory,
    eventLogListener,
    close: async () => {
      await eventLogListener.close();
      await prisma.$disconnect();
    },
  };
}

async function openPglite(dir: string): Promise<Database> {
  const path = dir === 'memory://' ? dir : resolve(dir);
  if (path !== 'memory://') {
    try {
      await mkdir(path, { recursive: true });
      await access(path, constants.W_OK);
    } catch (error) {
      throw new DatabaseConfigError(
        `PGLITE_DIR (${path}) is not a writable directory: ${rootMessage(error)}`,
      );
    }
  }
  // PGlite lets any number of processes open one directory, and two of them corrupt it.
  const lock = path === 'memory://' ? undefined : await lockPgliteDir(path);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(path);
  } catch (error) {
    lock?.release();
    throw new DatabaseConfigError(
      `Cannot open the embedded database in PGLITE_DIR (${path}): ${rootMessage(error)}`,
    );
  }
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory, comments: eventLogComments() });
  const eventLogListener = pgliteEventLogListener(pglite);
  return {
    kind: 'pglite',
    description: `embedded PGlite in ${path}`,
    prisma,
    adapterFactory,
    eventLogListener,
    close: async () => {
      try {
        await eventLogListener.close();
        await prisma.$disconnect();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function lockPgliteDir(path: string): Promise<DirectoryLock> {
  try {
    return await lockDirectory(path);
  } catch (error) {
    if (error instanceof DirectoryInUseError) {
      const { pid, host, startedAt } = error.holder;
      throw new DatabaseConfigError(
        host === hostname()
          ? `PGLITE_DIR (${path}) is in use by process ${pid} (running since ${startedAt}): stop that server first, or give this one another PGLITE_DIR.`
          : `PGLITE_DIR (${path}) is in use by process ${pid} on host ${host} (since ${startedAt}): stop that server first; if it is no longer running, delete ${error.lockPath}.`,
      );
    }
    throw new DatabaseConfigError(
      `Cannot lock PGLITE_DIR (${path}) for this process: ${rootMessage(error)}`,
    );
  }
}

function rootMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (current instanceof AggregateError && current.errors.length > 0) {
    return rootMessage(current.errors[0]);
  }
  if (current instanceof Error) {
    return current.message || (current as NodeJS.ErrnoException).code || current.name;
  }
  return String(current);
}
