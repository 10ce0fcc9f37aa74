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

  it('drops what it cannot hold, reads it back from the log, in order, and goes on live', async () => {
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
    const objectId = (result: IteratorResult<ExecutionResult>) => {
      expect(result.value.errors).toBeUndefined();
      return (result.value.data as { eventLogAdded: { node: { objectId: string } } }).eventLogAdded
        .node.objectId;
    };
    // Unattributed writes (no context): the triggers still write and announce their entries.
    const write = (names: string[]) =>
      database.prisma.certificate.createManyAndReturn({
        data: names.map((name) => ({ name })),
        select: { id: true },
      });
    // Asked for before the write: the feed replays nothing, goes live and waits.
    const pending = feed.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [one] = await write(['one']);
    expect(objectId(await pending)).toBe(String(one?.id));
    // The client stops reading: two entries wait (within the buffer's 3), then one statement
    // writes ten more, past it, and another statement two.
    const queued = await write(['queued 1', 'queued 2']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const bulk = await write(Array.from({ length: 10 }, (_, i) => `bulk ${i}`));
    const more = await write(['after 1', 'after 2']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Reading again: all fourteen, the dropped ones read back from the log from where the
    // client stopped (not from the last one it was handed), in order, each once, no error.
    const ids: string[] = [];
    for (let i = 0; i < 14; i++) ids.push(objectId(await feed.next()));
    expect(ids).toEqual([...queued, ...bulk, ...more].map((row) => String(row.id)));
    // Caught up, the same subscription is live again: a later write arrives on it.
    const next = feed.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [last] = await write(['live again']);
    expect(objectId(await next)).toBe(String(last?.id));
    // A client that keeps reading gets one statement's entries beyond the buffer, too.
    const waiting = feed.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const big = await write(Array.from({ length: 8 }, (_, i) => `big ${i}`));
    const got = [objectId(await waiting)];
    for (let i = 1; i < 8; i++) got.push(objectId(await feed.next()));
    expect(got).toEqual(big.map((row) => String(row.id)));
    await feed.return?.();
  });

  it('ends a subscription that is catching up when the server shuts down', async () => {
    const own = await createEmbeddedDatabase();
    try {
      const schema = makeBuilder({ subscriptions: { listen, bufferSize: 3 } }).toSchema();
      const contextValue = { prisma: own.prisma, listener: own.eventLogListener };
      const feed = (await subscribe({
        schema,
        document: parse('subscription { eventLogAdded { cursor } }'),
        contextValue,
      })) as AsyncIterableIterator<ExecutionResult>;
      const write = (count: number) =>
        own.prisma.certificate.createMany({
          data: Array.from({ length: count }, (_, i) => ({ name: `shutdown ${i}` })),
        });
      const first = feed.next();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await write(1);
      expect((await first).done).toBe(false);
      // Stalled past the buffer: the subscription has left the live set to catch up.
      await write(10);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await own.eventLogListener.close();
      const end = await Promise.race([
        feed.next(),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 3000)),
      ]);
      expect(end).toEqual({ done: true, value: undefined });
    } finally {
      await own.close();
    }
  });
});
