// The live feed's options, checked when the schema is built, and its bounded buffer, on an
// in-memory PGlite with graphql-js' own subscribe().
import SchemaBuilder, { PothosSchemaError } from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { type ExecutionResult, parse, subscribe } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../example/capture.js';
import type { Database } from '../../example/database.js';
import type PrismaTypes from '../../example/generated/pothos-types.js';
import { getDatamodel } from '../../example/generated/pothos-types.js';
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import { seed } from '../../example/seed.js';
import EventLogPlugin, { type EventLogListener } from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';

type Context = { prisma: PrismaClient; listener: EventLogListener };
type Types = { Context: Context; PrismaTypes: PrismaTypes };

function makeBuilder(eventLog: Record<string, unknown>) {
  const builder = new SchemaBuilder<Types>({
    plugins: [EventLogPlugin, RelayPlugin, PrismaPlugin],
    prisma: { client: (ctx: Context) => ctx.prisma, dmmf: getDatamodel() } as never,
    eventLog: {
      client: (ctx: Context) => ctx.prisma,
      actor: () => null,
      authorize: () => true,
      capture,
      ...eventLog,
    } as never,
  });
  builder.queryType({});
  builder.queryField('ping', (t) => t.string({ resolve: () => 'pong' }));
  return builder;
}

const listen = (ctx: Context) => ctx.listener;

describe('eventLog.subscriptions options', () => {
  it('adds eventLogAdded only with subscriptions; renamed or left out with subscriptionField', () => {
    const fields = (eventLog: Record<string, unknown>) =>
      Object.keys(makeBuilder(eventLog).toSchema().getSubscriptionType()?.getFields() ?? {});
    expect(fields({})).toEqual([]);
    expect(fields({ subscriptions: { listen } })).toEqual(['eventLogAdded']);
    expect(fields({ subscriptions: { listen }, subscriptionField: 'auditFeed' })).toEqual([
      'auditFeed',
    ]);
    expect(fields({ subscriptions: { listen }, subscriptionField: false })).toEqual([]);
    // Next to the schema's own Subscription type.
    const own = makeBuilder({ subscriptions: { listen } });
    own.subscriptionType({});
    own.subscriptionField('tick', (t) =>
      t.int({
        subscribe: async function* () {
          yield 1;
        },
        resolve: (value: number) => value,
      }),
    );
    expect(Object.keys(own.toSchema().getSubscriptionType()?.getFields() ?? {}).sort()).toEqual([
      'eventLogAdded',
      'tick',
    ]);
  });

  it('refuses a subscriptionField without subscriptions, and a bad bufferSize, naming the fix', () => {
    expect(() => makeBuilder({ subscriptionField: 'feed' }).toSchema()).toThrow(
      new PothosSchemaError(
        'pothos-eventlog: `eventLog.subscriptionField` is "feed" but `eventLog.subscriptions` is not set: pass subscriptions: { listen: (ctx) => ctx.eventLogListener } with a listener made by pgEventLogListener() or pgliteEventLogListener().',
      ),
    );
    expect(() => makeBuilder({ subscriptions: { listen, bufferSize: 0 } }).toSchema()).toThrow(
      'pothos-eventlog: `eventLog.subscriptions.bufferSize` must be a positive integer; got 0.',
    );
    expect(() => makeBuilder({ subscriptions: {} }).toSchema()).toThrow(
      /`eventLog.subscriptions.listen` must be a function of the context/,
    );
  });
});

describe('a subscriber that falls behind', () => {
  let database: Database;

  beforeAll(async () => {
    database = await createEmbeddedDatabase();
    await seed(database.prisma);
  });

  afterAll(async () => {
    await database?.close();
  });

  it('is ended with EVENT_LOG_FEED_OVERFLOW, whose after resumes where it stopped', async () => {
    const schema = makeBuilder({ subscriptions: { listen, bufferSize: 3 } }).toSchema();
    const contextValue = { prisma: database.prisma, listener: database.eventLogListener };
    const newest = await database.prisma.eventLog.findFirst({
      orderBy: [{ timestamp: 'desc' }, { id: 'desc' }],
    });
    const cursor = (entry: { timestamp: Date; id: bigint }) =>
      Buffer.from(`EventLog:${entry.timestamp.getTime()}:${entry.id}`).toString('base64url');
    const document = parse(
      'subscription ($after: String) { eventLogAdded(after: $after) { cursor node { objectId } } }',
    );
    const feed = (await subscribe({
      schema,
      document,
      contextValue,
      variableValues: { after: cursor(newest as { timestamp: Date; id: bigint }) },
    })) as AsyncIterableIterator<ExecutionResult>;
    // Unattributed writes (no context): the triggers still write and announce their entries.
    const write = (names: string[]) =>
      database.prisma.certificate.createMany({ data: names.map((name) => ({ name })) });
    // Asked for before the write: the feed replays nothing, goes live and waits.
    const pending = feed.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await write(['one']);
    const first = await pending;
    const firstCursor = (first.value.data as { eventLogAdded: { cursor: string } }).eventLogAdded
      .cursor;
    // The client stops reading; ten entries arrive at once, more than the buffer's 3.
    await write(Array.from({ length: 10 }, (_, i) => `bulk ${i}`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const end = await feed.next();
    expect(end.value).toMatchObject({
      data: { eventLogAdded: null },
      errors: [
        {
          message: `This subscription fell more than 3 entries behind the live feed (eventLog.subscriptions.bufferSize) and was ended. Subscribe again with after: "${firstCursor}" to receive the rest without a gap.`,
          extensions: { code: 'EVENT_LOG_FEED_OVERFLOW', after: firstCursor },
        },
      ],
    });
    expect((await feed.next()).done).toBe(true);
    // Resumed with that cursor: the ten, in order, nothing before them.
    const resumed = (await subscribe({
      schema,
      document,
      contextValue,
      variableValues: { after: firstCursor },
    })) as AsyncIterableIterator<ExecutionResult>;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const next = await resumed.next();
      ids.push(
        (next.value.data as { eventLogAdded: { node: { objectId: string } } }).eventLogAdded.node
          .objectId,
      );
    }
    await resumed.return?.();
    const created = await database.prisma.certificate.findMany({
      where: { name: { startsWith: 'bulk ' } },
      orderBy: { id: 'asc' },
    });
    expect(ids).toEqual(created.map((row) => String(row.id)));
  });
});
