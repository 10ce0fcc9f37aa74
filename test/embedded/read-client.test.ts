// eventLog.readClient on the embedded database: which client each log read goes to, told by
// a query log on each (both over the same PGlite, so the answers are the same), and the
// build-time refusal of a readClient that is not a function. The same reads against a real
// streaming standby: test/postgres/read-replica.test.ts.
import SchemaBuilder, { PothosSchemaError } from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { graphql as execute } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../example/capture.js';
import type { Database } from '../../example/database.js';
import type PrismaTypes from '../../example/generated/pothos-types.js';
import { getDatamodel } from '../../example/generated/pothos-types.js';
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import { seed } from '../../example/seed.js';
import { createServer, type Server } from '../../example/server.js';
import EventLogPlugin from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { globalId, graphql } from '../support/http.js';

let database: Database;
let yoga: Server;
const calls: string[] = [];

/** The client, logging `<name>:<model>.<operation>` for every query it runs. */
const logged = (name: string) =>
  database.prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        calls.push(`${name}:${model ? `${model}.` : ''}${operation}`);
        return query(args);
      },
    },
  }) as unknown as PrismaClient;

/** The log reads (EventLog, raw, the current rows of messages), without the user lookup. */
const logReads = () => calls.filter((call) => !call.endsWith('User.findUnique'));

beforeAll(async () => {
  database = await createEmbeddedDatabase();
  await seed(database.prisma);
  yoga = createServer({ prisma: logged('primary'), replica: logged('replica'), logging: false });
});

afterAll(() => database.close());

const gql = async (query: string, variables?: Record<string, unknown>) => {
  calls.splice(0);
  const { body } = await graphql(yoga, query, variables, { userId: 1 });
  expect(body.errors).toBeUndefined();
  return body.data;
};

describe('eventLog.readClient', () => {
  it('serves the reads of a query: eventLogs, t.eventLog(), node, the current rows of messages', async () => {
    const data = await gql(
      `query($id: ID!) {
        eventLogs(first: 2) { totalCount edges { node { id message } } }
        certificate(id: $id) { eventLog(first: 1) { totalCount edges { node { id } } } }
      }`,
      { id: globalId('Certificate', 1) },
    );
    expect(logReads().sort()).toEqual([
      'primary:Certificate.findUnique',
      'replica:$queryRawUnsafe',
      'replica:$queryRawUnsafe',
      'replica:Certificate.findMany',
      'replica:EventLog.count',
      'replica:EventLog.findMany',
      // The time of the oldest entry (read once a minute per client): the certificate's
      // page is not full within the recent months, so the older ones are read only if any.
      'replica:EventLog.findMany',
    ]);
    const entry = data.certificate.eventLog.edges[0].node.id;
    await gql('query($id: ID!) { node(id: $id) { id } }', { id: entry });
    expect(logReads()).toEqual(['replica:EventLog.findMany']);
  });

  it("leaves a mutation's reads on the primary: its response sees the entry it wrote", async () => {
    const data = await gql(
      `mutation($id: ID!) {
        updateCertificate(id: $id, input: { notes: "read your writes" }) {
          eventLog(first: 1) { edges { node { message changes } } }
        }
      }`,
      { id: globalId('Certificate', 1) },
    );
    expect(data.updateCertificate.eventLog.edges[0].node.changes).toEqual({
      old_value: { notes: null },
      new_value: { notes: 'read your writes' },
    });
    expect(logReads().filter((call) => call.startsWith('replica:'))).toEqual([]);
    expect(logReads()).toContain('primary:$queryRawUnsafe');
  });
});

type Types = { Context: { prisma: PrismaClient }; PrismaTypes: PrismaTypes };

function buildWith(readClient: unknown) {
  const builder = new SchemaBuilder<Types>({
    plugins: [EventLogPlugin, RelayPlugin, PrismaPlugin],
    prisma: { client: (ctx: Types['Context']) => ctx.prisma, dmmf: getDatamodel() },
    eventLog: {
      client: (ctx: Types['Context']) => ctx.prisma,
      readClient: readClient as never,
      actor: () => null,
      authorize: () => true,
      capture,
    },
  });
  builder.queryType({});
  builder.queryField('ping', (t) => t.string({ resolve: () => 'pong' }));
  return () => builder.toSchema();
}

describe('a misconfigured readClient', () => {
  it('is refused when the schema is built: a client instead of a function of the context', () => {
    const build = buildWith(database.prisma);
    expect(build).toThrow(PothosSchemaError);
    expect(build).toThrow(
      'pothos-eventlog: `eventLog.readClient` must be a function of the context returning the client log reads go to, not a client: e.g. readClient: (ctx) => ctx.prisma.$replica() with @prisma/extension-read-replicas, or readClient: () => replica for a PrismaClient on the replica.',
    );
  });

  it('names what it got otherwise', () => {
    expect(buildWith('postgresql://replica/db')).toThrow(/`eventLog\.readClient`.*not string:/);
  });

  it('is optional', () => {
    expect(buildWith(undefined)).not.toThrow();
  });

  it('returning no client fails the read with a message naming the option', async () => {
    const schema = buildWith(() => undefined)();
    const result = await execute({
      schema,
      source: '{ eventLogs(first: 1) { totalCount } }',
      contextValue: { prisma: database.prisma },
    });
    expect(result.errors?.[0]?.message).toMatch(
      /^pothos-eventlog: eventLog\.readClient\(context\) returned no client: /,
    );
  });
});
