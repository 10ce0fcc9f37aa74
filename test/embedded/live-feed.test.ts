// eventLogAdded on embedded PGlite: the example server in this process, subscriptions over
// graphql-yoga's built-in SSE, notifications through pglite.listen().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import { seed } from '../../example/seed.js';
import { createServer, type Server } from '../../example/server.js';
import { EventLogService, objectRef } from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { graphql } from '../support/http.js';
import { type SseResult, subscribeSse } from '../support/sse.js';

const FEED = /* GraphQL */ `
  subscription Feed($objectType: String, $objectId: String, $after: String) {
    eventLogAdded(objectType: $objectType, objectId: $objectId, after: $after) {
      cursor
      node {
        action
        objectType
        objectId
        message
        changes
      }
    }
  }
`;

const UPDATE = /* GraphQL */ `
  mutation ($id: ID!, $notes: String!) {
    updateCertificate(id: $id, input: { notes: $notes }) {
      notes
    }
  }
`;

const certificate = (id: number) => Buffer.from(`Certificate:${id}`).toString('base64');

type Added = { cursor: string; node: Record<string, unknown> };
const added = (result: SseResult) =>
  (result.data as { eventLogAdded: Added } | undefined)?.eventLogAdded;

describe('eventLogAdded on PGlite, within one process', () => {
  let database: Database;
  let yoga: Server;
  const url = 'http://yoga/graphql';

  beforeAll(async () => {
    database = await createEmbeddedDatabase();
    await seed(database.prisma);
    yoga = createServer({
      prisma: database.prisma,
      eventLogListener: database.eventLogListener,
      logging: false,
    });
  });

  afterAll(async () => {
    await database?.close();
  });

  const subscribe = (variables: object, headers: Record<string, string> = { 'x-user-id': '1' }) =>
    subscribeSse(url, FEED, { headers, variables, fetch: (u, init) => yoga.fetch(u, init) });

  const update = async (id: number, notes: string) => {
    const { body } = await graphql(yoga, UPDATE, { id: certificate(id), notes }, { userId: 1 });
    expect(body.errors).toBeUndefined();
  };

  it('delivers each committed entry matching the filter once, in order, with a cursor', async () => {
    const feed = await subscribe({ objectType: 'Certificate', objectId: '4' });
    expect(feed.status).toBe(200);
    // The feed starts at the first horizon: give it a moment, then write.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await update(4, 'first');
    await update(3, 'another object: filtered out');
    await update(4, 'second');
    const results = await feed.waitFor(2, 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    feed.close();
    expect(results).toHaveLength(2);
    const entries = results.map((result) => added(result) as Added);
    expect(entries.map((entry) => entry.node)).toEqual([
      expect.objectContaining({
        action: 'update',
        objectType: 'Certificate',
        objectId: '4',
        changes: { old_value: { notes: null }, new_value: { notes: 'first' } },
      }),
      expect.objectContaining({
        objectId: '4',
        changes: { old_value: { notes: 'first' }, new_value: { notes: 'second' } },
      }),
    ]);
    expect(entries[0]?.node.message).toMatch(/^Certificate .+ was updated by John Doe\.$/);
    expect(entries[0]?.cursor).not.toBe(entries[1]?.cursor);

    // Resumed after the first one: the second is replayed, then the feed goes on live.
    const resumed = await subscribe({ objectId: '4', after: entries[0]?.cursor });
    const [replayed] = await resumed.waitFor(1, 5000);
    expect(added(replayed as SseResult)?.cursor).toBe(entries[1]?.cursor);
    await update(4, 'third');
    const next = await resumed.waitFor(2, 5000);
    resumed.close();
    expect(added(next[1] as SseResult)?.node.changes).toEqual({
      old_value: { notes: 'second' },
      new_value: { notes: 'third' },
    });
  });

  it('delivers entries written by EventLogService (no trigger, no notification) at the next poll', async () => {
    const feed = await subscribe({ objectType: 'Report' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await new EventLogService({ client: database.prisma as never }).log({
      templateMessage: 'Report {report__title} was exported.',
      values: { report: objectRef('Report', { id: 9, title: 'Q4' }) },
      object: objectRef('Report', { id: 9, title: 'Q4' }),
      actor: { id: 1, name: 'John Doe' },
      tool: 'reports',
      action: 'export',
    });
    const [result] = await feed.waitFor(1, 5000);
    feed.close();
    expect(added(result as SseResult)?.node).toMatchObject({
      action: 'export',
      objectType: 'Report',
      objectId: '9',
      message: 'Report Q4 was exported.',
    });
    // pollMs: 1000 by default.
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('refuses an anonymous subscriber with FORBIDDEN before sending anything', async () => {
    const feed = await subscribe({}, {});
    await feed.completed;
    expect(feed.results).toEqual([
      {
        errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })],
      },
    ]);
  });

  it('rejects a cursor that is not one, naming the argument', async () => {
    const feed = await subscribe({ after: 'nope' });
    await feed.completed;
    expect(feed.results[0]?.errors?.[0]).toMatchObject({
      message: 'after is not a cursor of an event log listing: "nope".',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});

describe('eventLogAdded with many subscribers', () => {
  let database: Database;
  let yoga: Server;
  const log: string[] = [];

  beforeAll(async () => {
    database = await createEmbeddedDatabase();
    await seed(database.prisma);
    const counted = database.prisma.$extends({
      query: {
        async $allOperations({ model, operation, args, query }) {
          log.push(model ? `${model}.${operation}` : operation);
          return query(args);
        },
      },
    }) as unknown as typeof database.prisma;
    yoga = createServer({
      prisma: counted,
      eventLogListener: database.eventLogListener,
      logging: false,
    });
  });

  afterAll(async () => {
    await database?.close();
  });

  it('reads each batch once for all of them, live messages included', async () => {
    const feeds = await Promise.all(
      [1, 2, 3].map(() =>
        subscribeSse('http://yoga/graphql', 'subscription { eventLogAdded { node { message } } }', {
          headers: { 'x-user-id': '1' },
          fetch: (u, init) => yoga.fetch(u, init),
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    log.splice(0);
    const { body } = await graphql(
      yoga,
      UPDATE,
      { id: certificate(2), notes: 'seen by three' },
      { userId: 1 },
    );
    expect(body.errors).toBeUndefined();
    const results = await Promise.all(feeds.map((feed) => feed.waitFor(1, 5000)));
    for (const feed of feeds) feed.close();
    for (const result of results) {
      expect(added(result[0] as SseResult)?.node.message).toMatch(/was updated by John Doe\.$/);
    }
    const reads = log.filter((entry) => entry.endsWith('.findMany'));
    // The hub's range read, and one look-up per model of the live message, for the three.
    expect(reads.sort()).toEqual(['Certificate.findMany', 'EventLog.findMany', 'User.findMany']);
  });
});
