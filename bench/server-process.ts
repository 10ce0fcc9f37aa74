// One benchmarked server in its own process: `tsx bench/server-process.ts <variant>`, with
// the database in BENCH_DATABASE_URL. Tells its parent the port over IPC, and on request
// records every SQL statement it sends (the census, support/census.ts), to count round trips.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { openDatabase } from '../example/database.js';
import type { PrismaClient } from '../example/generated/prisma/client.js';
import { createServer as createExampleServer } from '../example/server.js';
import { type Statement, startCensus } from './support/census.js';
import type { ChildMessage, ParentMessage } from './support/children.js';
import { type BenchContext, createW1Schema, type W1Variant, w1Variants } from './w1-schema.js';

const variant = process.argv[2] as W1Variant | 'example';
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl || !(variant === 'example' || w1Variants.includes(variant))) {
  console.error('usage: BENCH_DATABASE_URL=... tsx bench/server-process.ts <variant>');
  process.exit(2);
}

const send = (message: ChildMessage) => process.send?.(message);
// The example's client: a pool of 10, `comments: eventLogComments()`.
const database = await openDatabase({ databaseUrl, poolSize: 10 });
const prisma = database.prisma;

async function authenticate(client: PrismaClient, header: string | null) {
  if (!header) return null;
  const id = /^[1-9][0-9]{0,9}$/.test(header) ? Number(header) : Number.NaN;
  return client.user.findUnique({ where: { id }, select: { id: true, fullName: true } });
}

const handler =
  variant === 'example'
    ? createExampleServer({ prisma, eventLogListener: database.eventLogListener })
    : // The example server's context: the same user lookup on every request.
      createYoga<object, BenchContext>({
        graphqlEndpoint: '/graphql',
        graphiql: false,
        schema: createW1Schema(variant),
        context: async ({ request }) => ({
          prisma,
          currentUser: await authenticate(prisma, request.headers.get('x-user-id')),
          requestId: randomUUID(),
        }),
      });
const server = createHttpServer(handler);
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

let stopCensus: (() => Statement[]) | null = null;
process.on('message', (message: ParentMessage) => {
  if (message.type === 'census-start') {
    stopCensus = startCensus();
    send({ type: 'census-started' });
  } else if (message.type === 'census-stop') {
    send({ type: 'census', statements: stopCensus?.() ?? [] });
    stopCensus = null;
  } else if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => {
      database.close().finally(() => process.exit(0));
    });
  }
});
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', port: (server.address() as AddressInfo).port });
