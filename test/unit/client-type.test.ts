import { describe, expectTypeOf, it } from 'vitest';
import type { Prisma, PrismaClient } from '../../example/generated/prisma/client.js';
import type { EventLogClient, EventLogCreateData } from '../../src/service/index.js';

describe('EventLogClient', () => {
  it('accepts a generated PrismaClient and its transaction client', () => {
    expectTypeOf<PrismaClient>().toExtend<EventLogClient>();
    expectTypeOf<Prisma.TransactionClient>().toExtend<EventLogClient>();
  });

  it('produces data a generated client accepts', () => {
    expectTypeOf<EventLogCreateData>().toExtend<Prisma.EventLogCreateInput>();
    expectTypeOf<EventLogCreateData[]>().toExtend<Prisma.EventLogCreateManyInput[]>();
  });
});
