// The example server over a test database, with a Prisma query counter.

import type { Database } from '../../example/database.js';
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import { seed } from '../../example/seed.js';
import { createServer, type Server } from '../../example/server.js';

export interface TestApp {
  yoga: Server;
  prisma: PrismaClient;
  /** Prisma operations run since the last `reset()`, by model and operation. */
  queries: { log: string[]; reset(): void };
}

export async function createTestApp(database: Database, options: { seed?: boolean } = {}) {
  if (options.seed !== false) await seed(database.prisma);
  const log: string[] = [];
  const counted = database.prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        log.push(model ? `${model}.${operation}` : operation);
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  const yoga = createServer({ prisma: counted });
  return {
    yoga,
    prisma: counted,
    queries: { log, reset: () => log.splice(0) },
  } satisfies TestApp;
}
