// Reads from a replica (eventLog.readClient): a primary and a streaming standby of the test's
// own, the example server over HTTP with its log reads on the standby. pg_stat_statements on
// each server tells which one ran each statement. Twice: with @prisma/extension-read-replicas
// (the app's client extended, as the README recommends) and with a plain client on the standby.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { PrismaPg } from '@prisma/adapter-pg';
import { readReplicas } from '@prisma/extension-read-replicas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../example/database.js';
import { PrismaClient } from '../../example/generated/prisma/client.js';
import { seed } from '../../example/seed.js';
import { createServer } from '../../example/server.js';
import { applyMigrations } from '../../scripts/schema-engine.js';
import { type EventLogListener, pgEventLogListener } from '../../src/live/listener.js';
import { freePort } from '../support/example-process.js';
import { findPostgresBin } from '../support/private-postgres.js';
import {
  query,
  type ReplicatedClusters,
  startReplicatedClusters,
} from '../support/replicated-postgres.js';
import { type SseSubscription, subscribeSse } from '../support/sse.js';

const certificate = (id: number) => Buffer.from(`Certificate:${id}`).toString('base64');

const READS = /* GraphQL */ `
  query Reads($certificate: ID!, $entry: ID!) {
    eventLogs(first: 3, objectType: "Certificate") {
      totalCount
      edges { cursor node { id message objectId } }
    }
    certificate(id: $certificate) {
      eventLog(first: 2) { totalCount edges { node { id message } } }
    }
    node(id: $entry) { ... on EventLog { id action } }
  }
`;

const UPDATE = /* GraphQL */ `
  mutation Update($id: ID!, $name: String!) {
    updateCertificate(id: $id, input: { name: $name }) {
      name
      eventLog(first: 1) { edges { node { id message } } }
    }
  }
`;

const FEED = /* GraphQL */ `
  subscription Feed($after: String) {
    eventLogAdded(objectType: "Certificate", after: $after) { node { id message } }
  }
`;

/** Statements each server ran since the last reset, as counts by kind. */
async function statements(url: string) {
  const rows = (await query(
    url,
    `SELECT query, calls::int FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND query NOT LIKE '%pg_stat_statements%'`,
  )) as { query: string; calls: number }[];
  const count = (pattern: RegExp) =>
    rows.filter((row) => pattern.test(row.query)).reduce((sum, row) => sum + row.calls, 0);
  return {
    /** Any read of event_log: Prisma's findMany/count, t.eventLog()'s LATERAL pages and counts. */
    logReads: count(/from\s+("public"\.)?"?event_log"?\b/i),
    /** t.eventLog()'s pages (raw SQL, routed by `$replica()` with the extension). */
    objectPages: count(
      /FROM event_log WHERE "objectType" = \$2 AND "objectId" = [\s\S]*ORDER BY "timestamp"/,
    ),
    /** The live feed's horizon probe. */
    probes: count(/pg_locks/),
    writes: count(/^\s*(INSERT|UPDATE|DELETE)\b/i),
  };
}

const resetStatements = (url: string) => query(url, 'SELECT pg_stat_statements_reset()');

describe('reads from a streaming standby (eventLog.readClient)', () => {
  let clusters: ReplicatedClusters;
  let database: Database;
  let standby: PrismaClient;
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    const bin = await findPostgresBin();
    if (!bin) throw new Error('No PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup).');
    clusters = await startReplicatedClusters(bin);
    await query(clusters.primaryUrl, 'CREATE EXTENSION pg_stat_statements');
    database = await openDatabase({ databaseUrl: clusters.primaryUrl, poolSize: 4 });
    await applyMigrations(database.adapterFactory);
    await seed(database.prisma);
    standby = new PrismaClient({
      adapter: new PrismaPg({ connectionString: clusters.standbyUrl, max: 4 }),
    });
    figures.initialCatchUpMs = Math.round(await clusters.caughtUp());
  }, 120_000);

  afterAll(async () => {
    console.info('read-replica figures', JSON.stringify(figures));
    await standby?.$disconnect().catch(() => {});
    await database?.close().catch(() => {});
    await clusters?.destroy();
  });

  it('the standby is a replica: it refuses writes', async () => {
    await expect(
      query(clusters.standbyUrl, `UPDATE "Certificate" SET notes = 'x' WHERE id = 1`),
    ).rejects.toThrow(/read-only transaction/);
  });

  describe.each([
    {
      setup: 'the app client extended with readReplicas, readClient the same client',
      clients: () => {
        // The extension applied last, as its README asks; `client` is this one too: the plugin
        // reads the primary through its $primary(), the replica through its $replica().
        const prisma = database.prisma.$extends(readReplicas({ replicas: [standby] }));
        return {
          prisma: prisma as unknown as PrismaClient,
          replica: prisma as unknown as PrismaClient,
        };
      },
    },
    {
      setup: 'a plain PrismaClient on the standby as readClient',
      clients: () => ({ prisma: database.prisma, replica: standby }),
    },
  ])('$setup', ({ setup, clients }) => {
    let http: HttpServer;
    let url: string;
    // Its own listener, so its own feed hub: closed with the setup, nothing of it polls later.
    let listener: EventLogListener;
    const feeds: SseSubscription[] = [];
    const key = setup.startsWith('the app') ? 'extension' : 'plain';

    const gql = async (text: string, variables: object) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': '1' },
        body: JSON.stringify({ query: text, variables }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary result shapes.
      const body = (await response.json()) as { data?: any; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      return body.data;
    };

    beforeAll(async () => {
      listener = pgEventLogListener({ connectionString: clusters.primaryUrl });
      const yoga = createServer({
        ...clients(),
        eventLogListener: listener,
        logging: false,
      });
      http = createHttpServer(yoga);
      const port = await freePort();
      await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${port}/graphql`;
    });

    afterAll(async () => {
      for (const feed of feeds) feed.close();
      await listener?.close();
      http?.closeAllConnections();
      await new Promise((resolve) => http?.close(resolve));
    });

    it('log reads hit the standby, writes the primary; the entries arrive through replication', async () => {
      const name = `Replicated ${key}`;
      await Promise.all([
        resetStatements(clusters.primaryUrl),
        resetStatements(clusters.standbyUrl),
      ]);
      const { updateCertificate } = await gql(UPDATE, { id: certificate(1), name });
      const entry = updateCertificate.eventLog.edges[0].node;
      const lagMs = Math.round(await clusters.caughtUp());
      await resetStatements(clusters.standbyUrl);
      const primaryBefore = await statements(clusters.primaryUrl);

      const data = await gql(READS, { certificate: certificate(1), entry: entry.id });
      // Written on the primary, read back from the standby.
      expect(data.eventLogs.edges[0].node).toEqual({
        id: entry.id,
        message: `Certificate ${name} was updated by John Doe.`,
        objectId: '1',
      });
      expect(data.certificate.eventLog.edges[0].node.id).toBe(entry.id);
      expect(data.node).toEqual({ id: entry.id, action: 'update' });

      const onPrimary = await statements(clusters.primaryUrl);
      const onStandby = await statements(clusters.standbyUrl);
      // The mutation's UPDATE ran on the primary (its entry by the capture trigger there).
      expect(primaryBefore.writes).toBeGreaterThanOrEqual(1);
      // eventLogs (page + count), t.eventLog() (LATERAL page + count), node: all on the standby.
      expect(onStandby.objectPages).toBe(1);
      expect(onStandby.logReads).toBeGreaterThanOrEqual(5);
      expect(onStandby.writes).toBe(0);
      expect(onPrimary.logReads - primaryBefore.logReads).toBe(0);
      figures[key] = { lagMs, primaryBefore, onPrimary, onStandby };
    });

    it('with the standby paused: the mutation sees its own entry, the live feed delivers it, the query does not until replay resumes', async () => {
      const name = `Renamed while lagging ${key}`;
      const after = (await gql('{ eventLogs(first: 1) { edges { cursor } } }', {})).eventLogs
        .edges[0].cursor as string;
      const feed = await subscribeSse(url, FEED, {
        headers: { 'x-user-id': '1' },
        variables: { after },
      });
      feeds.push(feed);
      await clusters.pauseReplay();
      try {
        await Promise.all([
          resetStatements(clusters.primaryUrl),
          resetStatements(clusters.standbyUrl),
        ]);
        const { updateCertificate } = await gql(UPDATE, { id: certificate(2), name });
        // Read-your-writes: the response's eventLog was read on the primary.
        const entry = updateCertificate.eventLog.edges[0].node;
        expect(entry.message).toBe(`Certificate ${name} was updated by John Doe.`);
        const afterMutation = await statements(clusters.standbyUrl);
        expect(afterMutation.logReads).toBe(0);

        // A query reads the standby, which has not replayed the entry.
        const lagging = await gql(READS, { certificate: certificate(2), entry: entry.id });
        const ids = lagging.eventLogs.edges.map((edge: { node: { id: string } }) => edge.node.id);
        expect(ids).not.toContain(entry.id);
        expect(lagging.node).toBeNull();

        // The live feed reads the primary: the entry arrives while the standby still lags.
        const [delivered] = await feed.waitFor(1, 10_000);
        expect(delivered?.data?.eventLogAdded).toEqual({ node: entry });
        const onPrimary = await statements(clusters.primaryUrl);
        expect(onPrimary.probes).toBeGreaterThanOrEqual(1);
        expect((await statements(clusters.standbyUrl)).probes).toBe(0);
        (figures[key] as Record<string, unknown>).paused = {
          onPrimary,
          onStandby: await statements(clusters.standbyUrl),
        };
      } finally {
        await clusters.resumeReplay();
      }
      const catchUpMs = Math.round(await clusters.caughtUp());
      (figures[key] as Record<string, unknown>).catchUpAfterResumeMs = catchUpMs;
      const data = await gql(
        '{ eventLogs(first: 1, objectType: "Certificate") { edges { node { message } } } }',
        {},
      );
      expect(data.eventLogs.edges[0].node.message).toBe(
        `Certificate ${name} was updated by John Doe.`,
      );
    });
  });
});
