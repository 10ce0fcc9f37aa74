// Reading entries by id (node / nodes) and through t.eventLog(), over HTTP on a schema with a
// policy of its own: `authorize` is asked before anything is read, an anonymous request sends
// no SQL, the number of ids is bounded, and a denial hides nothing else.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import type PrismaTypes from '../../example/generated/pothos-types.js';
import { getDatamodel } from '../../example/generated/pothos-types.js';
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import { seed } from '../../example/seed.js';
import EventLogPlugin, {
  defineEventLogCapture,
  type EventLogAuthorizeTarget,
  EventLogService,
  objectRef,
} from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';

/** user 1 audits everything; user 2 may read the trail of certificates only. */
type Reader = 'auditor' | 'certificates' | null;
type Context = { prisma: PrismaClient; reader: Reader };

const maxNodeIds = 10;
const maxEntriesPerRequest = 120;
// The read side masks User.email, which the entries written below stored with a row reference
// (as entries written before the mask was declared would have).
const capture = defineEventLogCapture({
  models: {
    Certificate: { tool: 'certificate', fold: ['items'] },
    User: { tool: 'user', mask: ['email'] },
  },
});
const statements: string[] = [];
const authorized: EventLogAuthorizeTarget[] = [];

function buildSchema() {
  const builder = new SchemaBuilder<{ Context: Context; PrismaTypes: PrismaTypes }>({
    plugins: [EventLogPlugin, RelayPlugin, PrismaPlugin],
    prisma: { client: (ctx) => ctx.prisma, dmmf: getDatamodel() },
    eventLog: {
      client: (ctx) => ctx.prisma,
      actor: () => null,
      authorize: (ctx, target) => {
        authorized.push(target);
        if (ctx.reader === 'auditor') return true;
        return ctx.reader === 'certificates' && target.objectType === 'Certificate';
      },
      capture,
      maxNodeIds,
      maxEntriesPerRequest,
    },
  });
  builder.prismaNode('User', {
    id: { field: 'id' },
    fields: (t) => ({ fullName: t.exposeString('fullName'), eventLog: t.eventLog() }),
  });
  builder.prismaNode('Certificate', {
    id: { field: 'id' },
    fields: (t) => ({ name: t.exposeString('name'), eventLog: t.eventLog() }),
  });
  builder.queryType({
    fields: (t) => ({
      users: t.prismaField({
        type: ['User'],
        resolve: (query, _root, _args, ctx) =>
          ctx.prisma.user.findMany({ ...query, orderBy: { id: 'asc' } }),
      }),
    }),
  });
  return builder.toSchema();
}

let database: Database;
let yoga: ReturnType<typeof createYoga<object, Context>>;
/** Global ids of the seed's entries, by object type. */
let ids: { certificate: string[]; user: string[] };

async function send(query: string, variables: Record<string, unknown>, reader: Reader) {
  const response = await yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-reader': reader ?? '' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

const NODES = 'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on EventLog { objectType } } }';

beforeAll(async () => {
  database = await createEmbeddedDatabase();
  await seed(database.prisma);
  const counted = database.prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        statements.push(model ? `${model}.${operation}` : operation);
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  yoga = createYoga<object, Context>({
    schema: buildSchema(),
    logging: false,
    maskedErrors: false,
    context: ({ request }) => ({
      prisma: counted,
      reader: (request.headers.get('x-reader') || null) as Reader,
    }),
  });
  const listing = await send(
    '{ eventLogs(first: 100) { edges { node { id objectType } } } }',
    {},
    'auditor',
  );
  const nodes: { id: string; objectType: string }[] = listing.body.data.eventLogs.edges.map(
    (edge: { node: unknown }) => edge.node,
  );
  ids = {
    certificate: nodes.filter((n) => n.objectType === 'Certificate').map((n) => n.id),
    user: nodes.filter((n) => n.objectType === 'User').map((n) => n.id),
  };
  expect(ids.certificate.length).toBeGreaterThanOrEqual(2);
  expect(ids.user.length).toBeGreaterThanOrEqual(1);
});

afterAll(async () => {
  await database?.close();
});

function reset() {
  statements.splice(0);
  authorized.splice(0);
}

describe('node(id) and nodes(ids) of entries', () => {
  it('answers an anonymous request FORBIDDEN for every id, having sent no SQL', async () => {
    reset();
    const { body } = await send(NODES, { ids: [...ids.certificate, ...ids.user] }, null);
    expect(body.data.nodes.every((node: unknown) => node === null)).toBe(true);
    expect(
      body.errors.map((error: { extensions: { code: string } }) => error.extensions.code),
    ).toEqual(Array(ids.certificate.length + ids.user.length).fill('FORBIDDEN'));
    expect(statements).toEqual([]);
    // Each object is asked about once, by name, whatever the number of its entries.
    expect(authorized.every((target) => target.objectType && target.objectId)).toBe(true);
    expect(new Set(authorized.map((t) => `${t.objectType}:${t.objectId}`)).size).toBe(
      authorized.length,
    );
  });

  it('answers the same for an entry that does not exist as for one that does', async () => {
    reset();
    const real = JSON.parse(
      Buffer.from(ids.certificate[0] as string, 'base64')
        .toString()
        .slice('EventLog:'.length),
    ) as [string, string, string];
    const missing = Buffer.from(
      `EventLog:${JSON.stringify(['9223372036854775807', real[1], real[2]])}`,
    ).toString('base64');
    const one = await send(NODES, { ids: [ids.certificate[0]] }, null);
    const other = await send(NODES, { ids: [missing] }, null);
    expect(other.body).toEqual(one.body);
    expect(statements).toEqual([]);
  });

  it('gives each id its own answer: the entry, FORBIDDEN for a denied object, null for no entry', async () => {
    reset();
    const forged = Buffer.from(
      // A real entry id claimed for an object the reader may read: it finds nothing.
      `EventLog:${JSON.stringify([
        JSON.parse(
          Buffer.from(ids.user[0] as string, 'base64')
            .toString()
            .slice(9),
        )[0],
        'Certificate',
        '1',
      ])}`,
    ).toString('base64');
    const malformed = Buffer.from('EventLog:12').toString('base64');
    const { body } = await send(
      NODES,
      { ids: [ids.certificate[0], ids.user[0], forged, malformed, ids.certificate[1]] },
      'certificates',
    );
    expect(body.data.nodes).toEqual([
      { id: ids.certificate[0], objectType: 'Certificate' },
      null,
      null,
      null,
      { id: ids.certificate[1], objectType: 'Certificate' },
    ]);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ path: ['nodes', 1], extensions: { code: 'FORBIDDEN' } });
    // One read for all the allowed ids.
    expect(statements).toEqual(['EventLog.findMany']);
  });

  it(`refuses more than ${maxNodeIds} entry ids in one call before reading or authorizing`, async () => {
    reset();
    const many = Array.from({ length: maxNodeIds + 1 }, (_, index) =>
      Buffer.from(`EventLog:${JSON.stringify([String(index + 1), 'Certificate', '1'])}`).toString(
        'base64',
      ),
    );
    const { body } = await send(NODES, { ids: many }, 'auditor');
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toContain(`at most ${maxNodeIds}`);
    expect(statements).toEqual([]);
    expect(authorized).toEqual([]);
    // The bound itself is served.
    const allowed = await send(NODES, { ids: many.slice(0, maxNodeIds) }, 'auditor');
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data.nodes).toHaveLength(maxNodeIds);
  });
});

describe('a denied t.eventLog()', () => {
  it('answers null with FORBIDDEN for that field and keeps its parent and siblings', async () => {
    const { status, body } = await send(
      '{ users { fullName eventLog { totalCount } } eventLogs(objectType: "Certificate") { totalCount } }',
      {},
      'certificates',
    );
    expect(status).toBe(200);
    expect(body.data.users.length).toBeGreaterThan(0);
    for (const user of body.data.users) {
      expect(typeof user.fullName).toBe('string');
      expect(user.eventLog).toBeNull();
    }
    expect(body.data.eventLogs).toBeNull();
    expect(
      new Set(body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)),
    ).toEqual(new Set(['FORBIDDEN']));
  });
});

describe('the live message', () => {
  it('reads current rows only where the reader may read their trail, and never a masked field', async () => {
    const prisma = database.prisma;
    const user = await prisma.user.findFirstOrThrow({ orderBy: { id: 'asc' } });
    const certificate = await prisma.certificate.findFirstOrThrow({ orderBy: { id: 'asc' } });
    await new EventLogService({ client: prisma }).log({
      templateMessage: 'Certificate {cert__name} checked by {user__fullName} <{user__email}>.',
      values: { cert: objectRef('Certificate', certificate), user: objectRef('User', user) },
      object: objectRef('Certificate', certificate),
      actor: null,
      tool: 'inspection',
      action: 'access',
    });
    await prisma.user.update({ where: { id: user.id }, data: { fullName: 'Renamed Person' } });
    await prisma.certificate.update({
      where: { id: certificate.id },
      data: { name: 'Renamed Certificate' },
    });
    const read = async (reader: Reader) => {
      const { body } = await send(
        '{ eventLogs(tool: "inspection") { edges { node { message messageAtEvent } } } }',
        {},
        reader,
      );
      return body;
    };
    const auditor = await read('auditor');
    expect(auditor.errors).toBeUndefined();
    expect(auditor.data.eventLogs.edges[0].node).toEqual({
      // Both rows are read live, the masked email is not.
      message: 'Certificate Renamed Certificate checked by Renamed Person <[redacted]>.',
      // Written before User.email was masked: the stored snapshot is what it is.
      messageAtEvent: `Certificate ${certificate.name} checked by ${user.fullName} <${user.email}>.`,
    });

    // A reader of certificate trails only: the certificate live, the user from the snapshot.
    authorized.splice(0);
    const entry = await prisma.eventLog.findFirstOrThrow({ where: { tool: 'inspection' } });
    const limited = await send(
      'query ($id: ID!) { node(id: $id) { ... on EventLog { message } } }',
      {
        id: Buffer.from(
          `EventLog:${JSON.stringify([String(entry.id), 'Certificate', String(certificate.id)])}`,
        ).toString('base64'),
      },
      'certificates',
    );
    expect(limited.body.errors).toBeUndefined();
    expect(limited.body.data.node.message).toBe(
      `Certificate Renamed Certificate checked by ${user.fullName} <[redacted]>.`,
    );
    expect(authorized).toContainEqual(
      expect.objectContaining({ objectType: 'User', objectId: String(user.id) }),
    );
  });
});

describe('t.eventLog() under a list of parents', () => {
  const USERS = `query ($first: Int, $after: String) { users { id fullName eventLog(first: $first, after: $after) {
    totalCount edges { cursor node { objectId timestamp } } pageInfo { hasNextPage endCursor } } } }`;

  it('reads every parent’s page and count in one statement each, whatever the number of parents', async () => {
    const census = async () => {
      reset();
      const { body } = await send(USERS, { first: 2 }, 'auditor');
      expect(body.errors).toBeUndefined();
      return { users: body.data.users, statements: [...statements].sort() };
    };
    const before = await census();
    await database.prisma.user.createMany({
      data: Array.from({ length: 30 }, (_, index) => ({
        fullName: `Batch User ${index}`,
        email: `batch${index}@example.com`,
      })),
    });
    // Two more entries for one user, so that its page is full and has a next page.
    const [first] = await database.prisma.user.findMany({ orderBy: { id: 'asc' }, take: 1 });
    for (const name of ['Twice Renamed', 'Thrice Renamed']) {
      await database.prisma.user.update({ where: { id: first?.id }, data: { fullName: name } });
    }
    const after = await census();
    expect(after.users.length).toBe(before.users.length + 30);
    expect(after.statements).toEqual(before.statements);
    expect(after.statements).toEqual(['$queryRawUnsafe', '$queryRawUnsafe', 'User.findMany']);

    // Each parent got its own entries, newest first, with its own count.
    for (const user of after.users) {
      const rawId = Buffer.from(user.id, 'base64').toString().split(':')[1];
      const expected = await database.prisma.eventLog.findMany({
        where: { objectType: 'User', objectId: rawId },
        orderBy: [{ timestamp: 'desc' }, { id: 'desc' }],
      });
      expect(user.eventLog.totalCount).toBe(expected.length);
      expect(
        user.eventLog.edges.map((edge: { node: { timestamp: string } }) => edge.node.timestamp),
      ).toEqual(expected.slice(0, 2).map((row) => row.timestamp.toISOString()));
      expect(user.eventLog.pageInfo.hasNextPage).toBe(expected.length > 2);
    }
    // The next page of the user with three entries, through the same batched read.
    const busy = after.users.find(
      (user: { eventLog: { pageInfo: { hasNextPage: boolean } } }) =>
        user.eventLog.pageInfo.hasNextPage,
    );
    const next = await send(
      USERS,
      { first: 2, after: busy.eventLog.pageInfo.endCursor },
      'auditor',
    );
    const again = next.body.data.users.find((user: { id: string }) => user.id === busy.id);
    expect(again.eventLog.edges).toHaveLength(busy.eventLog.totalCount - 2);
  });

  it(`refuses pages past ${maxEntriesPerRequest} entries in one request before reading them`, async () => {
    reset();
    const { status, body } = await send(USERS, { first: 5 }, 'auditor');
    expect(status).toBe(200);
    const served = body.data.users.filter((user: { eventLog: unknown }) => user.eventLog !== null);
    const refused = body.data.users.filter((user: { eventLog: unknown }) => user.eventLog === null);
    expect(served).toHaveLength(maxEntriesPerRequest / 5);
    expect(refused.length).toBe(body.data.users.length - served.length);
    expect(refused.every((user: { fullName: string }) => typeof user.fullName === 'string')).toBe(
      true,
    );
    expect(body.errors).toHaveLength(refused.length);
    expect(body.errors[0].extensions.code).toBe('TOO_MANY_EVENT_LOGS');
    expect(body.errors[0].message).toContain(`more than ${maxEntriesPerRequest} event log entries`);
    // The refused pages were never read: still one statement each for pages and counts.
    expect([...statements].sort()).toEqual(['$queryRawUnsafe', '$queryRawUnsafe', 'User.findMany']);
  });
});
