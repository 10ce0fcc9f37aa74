// Security of the example server over HTTP: anonymous requests read no entry, the actor of an
// entry is the authenticated user whatever else the request says, errors in production carry
// no stack, SQL or path, and queries are bounded in depth and page size. Anonymous
// `eventLogs` and `node(id)` are in test/embedded/graphql.test.ts, x-user-id parsing in
// test/embedded/server.test.ts, masked values in the database in test/postgres/plugin-safety.test.ts.
import {
  type GraphQLInputType,
  getIntrospectionQuery,
  getNamedType,
  isInputObjectType,
} from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import { schema } from '../../example/schema/index.js';
import { seed } from '../../example/seed.js';
import { createServer, requestLimits, type Server } from '../../example/server.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { globalId, graphql, rawRequest } from '../support/http.js';

let database: Database;
let yoga: Server;
const nodeEnv = process.env.NODE_ENV;

const leakPattern =
  /\bat \S+ \(|\.[cm]?[jt]s:\d+|\/work\/|node_modules|invocation|prisma|\b(SELECT|INSERT INTO|UPDATE)\b.+\b(FROM|VALUES|SET)\b|"stack"/i;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeAll(async () => {
  database = await createEmbeddedDatabase();
  await seed(database.prisma);
  yoga = createServer({ prisma: database.prisma, logging: false });
  const { body } = await graphql(
    yoga,
    'mutation($id: ID!) { updateCertificate(id: $id, input: { name: "Quarterly audit of the vault" }) { id } }',
    { id: globalId('Certificate', 1) },
    { userId: 1 },
  );
  expect(body.errors).toBeUndefined();
});

afterAll(() => database?.close());

describe('anonymous requests read no entry', () => {
  const id = globalId('Certificate', 1);
  it.each([
    [
      "a certificate's history",
      `{ certificate(id: "${id}") { eventLog { edges { node { message changes } } } } }`,
    ],
    ["a user's history", '{ users { eventLog { edges { node { message } } } } }'],
    [
      'histories inside a list',
      '{ certificates { edges { node { name eventLog(first: 1) { edges { node { messageAtEvent } } } } } } }',
    ],
    ['the totalCount alone', `{ certificate(id: "${id}") { eventLog { totalCount } } }`],
  ])('%s is FORBIDDEN', async (_name, query) => {
    const anonymous = await rawRequest(yoga, { body: JSON.stringify({ query }) });
    expect(anonymous.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(anonymous.text).not.toContain('was updated by');
    expect(anonymous.text).not.toContain('totalCount');
    const signedIn = await graphql(yoga, query, undefined, { userId: 3 });
    expect(signedIn.body.errors).toBeUndefined();
  });
});

describe('the actor of an entry is the authenticated user', () => {
  it('no argument or input field of a mutation can name an actor or a user', () => {
    const names: string[] = [];
    const seen = new Set<string>();
    const walk = (type: GraphQLInputType, path: string) => {
      const named = getNamedType(type);
      if (!isInputObjectType(named) || seen.has(named.name)) return;
      seen.add(named.name);
      for (const field of Object.values(named.getFields())) {
        names.push(`${path}.${field.name}`);
        walk(field.type, `${path}.${field.name}`);
      }
    };
    for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
      for (const arg of field.args) {
        names.push(`${field.name}(${arg.name})`);
        walk(arg.type, `${field.name}(${arg.name})`);
      }
    }
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((name) => /actor|user|owner|author|by$|creator/i.test(name))).toEqual([]);
  });

  it('keeps x-user-id as the actor whatever other headers, extensions and variables say', async () => {
    const response = await rawRequest(yoga, {
      userId: 2,
      headers: {
        'x-actor-id': '3',
        'x-user': '3',
        'x-forwarded-user': 'Alex Poe',
        'x-remote-user': '3',
        authorization: 'Bearer user-3',
        'x-request-id': 'req-forge-1',
      },
      body: JSON.stringify({
        query:
          'mutation Forge($input: CreateCertificateInput!) { createCertificate(input: $input) { id owner { fullName } } }',
        variables: { input: { name: 'Forged?' }, actorId: '3', actor: { id: 3, name: 'Alex Poe' } },
        extensions: { actor: { id: '3', name: 'Alex Poe' }, userId: '3' },
      }),
    });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.createCertificate.owner).toEqual({ fullName: 'Jane Roe' });
    const entry = await database.prisma.eventLog.findFirstOrThrow({
      where: { context: { path: ['requestId'], equals: 'req-forge-1' } },
    });
    expect(entry).toMatchObject({ actorId: '2', actorName: 'Jane Roe', action: 'create' });
    expect(entry.message).toBe('Certificate Forged? was created by Jane Roe.');
    expect(entry.context).toEqual({
      requestId: 'req-forge-1',
      operationName: 'Forge',
      path: 'createCertificate',
      call: expect.stringMatching(/^[0-9a-f-]{36}$/),
      op: 'create',
    });
  });

  it.each([
    ['JSON', '","actorId":"3'],
    ['SQL', "1'; DROP TABLE event_log; --"],
    ['markup', '<script>alert(1)</script>'],
    ['a newline', 'a\tb'],
    ['65 characters', 'x'.repeat(65)],
  ])(
    'stores a generated request id instead of an x-request-id holding %s',
    async (_name, header) => {
      const before = new Date();
      const response = await rawRequest(yoga, {
        userId: 3,
        headers: { 'x-request-id': header },
        body: JSON.stringify({
          query:
            'mutation($id: ID!) { updateCertificate(id: $id, input: { status: "active" }) { id } }',
          variables: { id: globalId('Certificate', 2) },
        }),
      });
      expect(response.body.errors).toBeUndefined();
      const entry = await database.prisma.eventLog.findFirstOrThrow({
        where: { timestamp: { gte: before } },
        orderBy: { id: 'desc' },
      });
      const { requestId } = entry.context as { requestId: string };
      expect(requestId).toMatch(uuid);
      expect(entry.actorId).toBe('3');
      expect(JSON.stringify(entry.context)).not.toContain(header);
    },
  );
});

describe('errors in production carry no stack, SQL or path', () => {
  const failingMutation = async () => {
    const server = createServer({ prisma: database.prisma, logging: false });
    return rawRequest(server, {
      userId: 1,
      body: JSON.stringify({
        query: 'mutation($id: ID!) { updateCertificate(id: $id, input: { notes: "n" }) { id } }',
        variables: { id: globalId('Certificate', 3) },
      }),
    });
  };

  beforeAll(async () => {
    // A real database error: the entry of the mutation cannot be written.
    await database.prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_entry() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'refused by a trigger in security.test.ts'; END $$ LANGUAGE plpgsql`);
    await database.prisma.$executeRawUnsafe(
      'CREATE TRIGGER refuse_entry BEFORE INSERT ON event_log FOR EACH ROW EXECUTE FUNCTION refuse_entry()',
    );
  });

  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  afterAll(async () => {
    await database.prisma.$executeRawUnsafe('DROP TRIGGER refuse_entry ON event_log');
    await database.prisma.$executeRawUnsafe('DROP FUNCTION refuse_entry()');
  });

  it.each(['production', undefined])('NODE_ENV=%s: "Unexpected error." and a code', async (env) => {
    if (env === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = env;
    const before = await database.prisma.certificate.findUniqueOrThrow({ where: { id: 3 } });
    const response = await failingMutation();
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: null,
      errors: [
        {
          message: 'Unexpected error.',
          locations: [{ line: 1, column: 22 }],
          path: ['updateCertificate'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ],
    });
    expect(response.text).not.toMatch(leakPattern);
    expect(response.text).not.toContain('trigger');
    expect(await database.prisma.certificate.findUniqueOrThrow({ where: { id: 3 } })).toEqual(
      before,
    );
  });

  it('NODE_ENV=development shows the cause (so the check above would see a leak)', async () => {
    process.env.NODE_ENV = 'development';
    const response = await failingMutation();
    expect(response.text).toContain('refused by a trigger');
    expect(response.text).toMatch(leakPattern);
  });
});

describe('an invalid JSON body gets a short answer', () => {
  // V8's SyntaxError quotes the body, and yoga passed it on as extensions.originalError: a
  // 900 KB body of control characters gave a 5.4 MB answer (issue 11, defect 9).
  const bodies = [
    ['a truncated object', '{"query": '],
    ['900 KB of control characters', '\u0001'.repeat(900 * 1024)],
  ];
  const send = (body: string) =>
    rawRequest(createServer({ prisma: database.prisma, logging: false }), { body });

  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it.each(bodies)(
    'NODE_ENV=production, %s: 400, BAD_REQUEST, no original error',
    async (_name, body) => {
      process.env.NODE_ENV = 'production';
      const response = await send(body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } }],
      });
      expect(response.text.length).toBeLessThan(200);
    },
  );

  it.each(bodies)('NODE_ENV=development, %s: the cause, shortened', async (_name, body) => {
    process.env.NODE_ENV = 'development';
    const response = await send(body);
    expect(response.status).toBe(400);
    const [error] = response.body.errors;
    expect(error.extensions.code).toBe('BAD_REQUEST');
    expect(error.extensions.originalError.name).toBe('SyntaxError');
    expect(error.extensions.originalError.message).toMatch(/JSON/);
    expect(error.extensions.originalError.message.length).toBeLessThanOrEqual(200);
    // 200 characters, each control character escaped as \u0001 in the answer.
    expect(response.text.length).toBeLessThan(1500);
  });
});

describe('bounds', () => {
  it(`serves the deepest query the example needs (9 fields; the limit is ${requestLimits.maxDepth})`, async () => {
    const { body } = await graphql(
      yoga,
      '{ certificates(first: 2) { edges { node { owner { eventLog(first: 2) { edges { node { fieldChanges { path } } } } } } } } }',
      undefined,
      { userId: 1 },
    );
    expect(body.errors).toBeUndefined();
  });

  it("serves GraphiQL's introspection query", async () => {
    const { body } = await graphql(yoga, getIntrospectionQuery());
    expect(body.errors).toBeUndefined();
    expect(body.data.__schema.queryType.name).toBe('Query');
  });

  it('returns at most 100 certificates whatever first asks for', async () => {
    await database.prisma.certificate.createMany({
      data: Array.from({ length: 110 }, (_, index) => ({ name: `Bulk ${index}` })),
    });
    const { body } = await graphql(
      yoga,
      '{ certificates(first: 1000000) { edges { node { id } } pageInfo { hasNextPage } } }',
    );
    expect(body.data.certificates.edges).toHaveLength(100);
    expect(body.data.certificates.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses more than 100 entries on every event log field', async () => {
    for (const query of [
      '{ eventLogs(last: 101) { totalCount } }',
      `{ certificate(id: "${globalId('Certificate', 1)}") { eventLog(first: 101) { totalCount } } }`,
      '{ users { eventLog(first: 500) { totalCount } } }',
    ]) {
      const { body } = await graphql(yoga, query, undefined, { userId: 1 });
      expect(body.errors[0].extensions.code, query).toBe('BAD_USER_INPUT');
      expect(body.errors[0].message, query).toMatch(/at most 100/);
    }
  });

  it('reads 20 entries when no page size is given', async () => {
    const id = globalId('Certificate', 4);
    for (let index = 0; index < 22; index++) {
      await graphql(
        yoga,
        'mutation($id: ID!, $name: String!) { updateCertificate(id: $id, input: { name: $name }) { id } }',
        { id, name: `Lift ${index}` },
        { userId: 1 },
      );
    }
    const { body } = await graphql(
      yoga,
      `{ certificate(id: "${id}") { eventLog { totalCount edges { node { action } } } } }`,
      undefined,
      { userId: 1 },
    );
    // 22 updates and the seed's create.
    expect(body.data.certificate.eventLog.totalCount).toBe(23);
    expect(body.data.certificate.eventLog.edges).toHaveLength(20);
  });
});
