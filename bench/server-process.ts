// One benchmarked server in its own process: `tsx bench/server-process.ts <variant>`, with
// the database in BENCH_DATABASE_URL. Tells its parent the port over IPC, and on request
// records every SQL statement it sends (the "census"), to count round trips.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import pg from 'pg';
import { openDatabase } from '../example/database.js';
import type { PrismaClient } from '../example/generated/prisma/client.js';
import { createServer as createExampleServer } from '../example/server.js';
import type { BenchContext } from './servers/builder.js';
import { type W1Variant, w1Schemas } from './servers/index.js';
import type { ChildMessage, ParentMessage, Statement } from './support/children.js';

const variant = process.argv[2] as W1Variant | 'example';
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl || !(variant === 'example' || variant in w1Schemas)) {
  console.error('usage: BENCH_DATABASE_URL=... tsx bench/server-process.ts <variant>');
  process.exit(2);
}

const send = (message: ChildMessage) => process.send?.(message);
const database = await openDatabase({ databaseUrl, poolSize: 10 });
const prisma = database.prisma;

function createBenchYoga(schema: ReturnType<(typeof w1Schemas)[W1Variant]>) {
  // The example server's context: the same user lookup on every request.
  return createYoga<object, BenchContext>({
    graphqlEndpoint: '/graphql',
    graphiql: false,
    schema,
    context: async ({ request }) => ({
      prisma,
      currentUser: await authenticate(prisma, request.headers.get('x-user-id')),
      requestId: randomUUID(),
    }),
  });
}

async function authenticate(client: PrismaClient, header: string | null) {
  if (!header) return null;
  const id = /^[1-9][0-9]{0,9}$/.test(header) ? Number(header) : Number.NaN;
  return client.user.findUnique({ where: { id }, select: { id: true, fullName: true } });
}

const handler =
  variant === 'example' ? createExampleServer({ prisma }) : createBenchYoga(w1Schemas[variant]());
const server = createHttpServer(handler);
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

const originalQuery = pg.Client.prototype.query;
let statements: Statement[] | null = null;

process.on('message', (message: ParentMessage) => {
  if (message.type === 'census-start') {
    statements = [];
    const recorded = statements;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string; values?: unknown[] };
      recorded.push(
        typeof config === 'string'
          ? { text: config, values: [] }
          : { text: config?.text ?? '', values: config?.values ?? [] },
      );
      return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof originalQuery;
    send({ type: 'census-started' });
  } else if (message.type === 'census-stop') {
    pg.Client.prototype.query = originalQuery;
    send({ type: 'census', statements: statements ?? [] });
    statements = null;
  } else if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => {
      database.close().finally(() => process.exit(0));
    });
  }
});
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', port: (server.address() as AddressInfo).port });
