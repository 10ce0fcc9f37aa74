// `npm start`: migrate, seed and serve the example on PostgreSQL (DATABASE_URL) or on
// the embedded PGlite (PGLITE_DIR). A bad setting ends in one line on stderr, exit 1.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyMigrations } from '../scripts/schema-engine.js';
import { checkEventLogCapture, EventLogSetupError } from '../src/capture/index.js';
import { ensureEventLogPartitions } from '../src/partitions/ensure.js';
import { capture } from './capture.js';
import { type Database, DatabaseConfigError, openDatabase } from './database.js';
import { writeDemoHistory } from './demo-history.js';
import { seed } from './seed.js';
import { createServer } from './server.js';
import { type GraphQLWebSocket, serveGraphQLOverWebSocket } from './websocket.js';

/** A bad setting: reported as its message alone. */
class ConfigError extends Error {
  override name = 'ConfigError';
}

function portFromEnv(value = process.env.PORT): number {
  if (value === undefined || value === '') return 4000;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ConfigError(`PORT must be a number from 0 to 65535, got ${JSON.stringify(value)}.`);
  }
  return port;
}

/** DEMO_HISTORY: whether the first start writes the demo history (on unless `0`). */
function demoHistoryFromEnv(value = process.env.DEMO_HISTORY): boolean {
  if (value === undefined || value === '' || value === '1') return true;
  if (value === '0') return false;
  throw new ConfigError(`DEMO_HISTORY must be 0 or 1, got ${JSON.stringify(value)}.`);
}

function listen(server: HttpServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? 'is already in use'
          : error.code === 'EACCES'
            ? 'needs privileges this process does not have'
            : `cannot be listened on (${error.message})`;
      reject(new ConfigError(`PORT ${port} ${reason}.`));
    };
    server.once('error', onError);
    server.listen(port, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function main(): Promise<void> {
  const port = portFromEnv();
  const demoHistory = demoHistoryFromEnv();
  const database = await openDatabase();
  let server: HttpServer | undefined;
  let webSocket: GraphQLWebSocket | undefined;
  try {
    const applied = await applyMigrations(database.adapterFactory);
    console.log(
      applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'No pending migrations.',
    );
    await checkEventLogCapture(database.prisma, capture);
    const created = await ensureEventLogPartitions(database.prisma);
    if (created.length > 0) console.log(`Created event_log partitions: ${created.join(', ')}`);
    const seeded = await seed(database.prisma);
    const yoga = createServer({
      prisma: database.prisma,
      replica: database.replica,
      eventLogListener: database.eventLogListener,
    });
    if (seeded && demoHistory) {
      await writeDemoHistory(yoga);
      console.log('Inserted the demo data and its history.');
    } else if (seeded) {
      console.log('Inserted the demo data.');
    }
    server = createHttpServer(yoga);
    const actualPort = await listen(server, port);
    // Subscriptions (and the rest) also over WebSocket, graphql-ws, on the same path. Attached
    // once listening: a WebSocket server re-emits its HTTP server's errors (a port in use)
    // as its own, which graphql-ws logs as an internal error.
    webSocket = serveGraphQLOverWebSocket(server, yoga);
    console.log(
      `pothos-eventlog example on http://localhost:${actualPort}/graphql (${database.description})`,
    );
  } catch (error) {
    server?.close();
    await database.close().catch(() => {});
    throw error;
  }
  handleShutdown(server, webSocket, database);
}

function handleShutdown(server: HttpServer, webSocket: GraphQLWebSocket, database: Database): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: shutting down.`);
    // Requests in flight get 10 s to finish; idle keep-alive sockets are closed now.
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    force.unref();
    // Ends the eventLogAdded subscriptions (their streams complete, their sockets go idle) and
    // releases the listening connection; then closes the WebSockets (1001, going away).
    const feedsClosed = database.eventLogListener
      .close()
      .then(() => webSocket.close())
      .then(
        () => setImmediate(() => server.closeIdleConnections()),
        (error: unknown) => console.error(`Closing the live feed failed: ${String(error)}`),
      );
    server.close(async () => {
      await feedsClosed;
      clearTimeout(force);
      try {
        await database.close();
        console.log('Stopped.');
      } catch (error) {
        console.error(`Closing the database failed: ${String(error)}`);
        process.exitCode = 1;
      }
      process.exit();
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof DatabaseConfigError ||
    error instanceof EventLogSetupError
  ) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
