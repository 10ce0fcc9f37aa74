import type { Plugin } from 'graphql-yoga';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../example/context.js';
import type { Database } from '../../example/database.js';
import { demoCertificates, seed } from '../../example/seed.js';
import { createServer, type Server } from '../../example/server.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { graphql } from '../support/http.js';

const certificatesQuery = /* GraphQL */ `
  {
    certificates {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('example server on embedded PGlite', () => {
  let database: Database;
  let yoga: Server;

  beforeAll(async () => {
    database = await createEmbeddedDatabase();
    expect(await seed(database.prisma)).toBe(true);
    yoga = createServer({ prisma: database.prisma, logging: false });
  });

  afterAll(async () => {
    await database?.close();
  });

  it('serves the seeded certificates', async () => {
    const { status, body } = await graphql(yoga, certificatesQuery);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const names = body.data.certificates.edges.map(
      (edge: { node: { name: string } }) => edge.node.name,
    );
    expect(names).toEqual(demoCertificates.map((certificate) => certificate.name));
    for (const edge of body.data.certificates.edges) {
      expect(edge.node.id).toEqual(expect.any(String));
    }
  });

  it('seeding again inserts nothing twice, and new rows get fresh ids', async () => {
    const count = async () => ({
      users: await database.prisma.user.count(),
      certificates: await database.prisma.certificate.count(),
      items: await database.prisma.certificateItem.count(),
    });
    const before = await count();
    expect(before).toEqual({ users: 3, certificates: 4, items: 8 });
    expect(await seed(database.prisma)).toBe(false);
    expect(await count()).toEqual(before);

    const user = await database.prisma.user.create({
      data: { fullName: 'Sam Soe', email: 'sam@example.com' },
    });
    expect(user.id).toBe(4);
    await database.prisma.user.delete({ where: { id: user.id } });
  });

  it('treats a request without x-user-id as anonymous', async () => {
    const { status, body } = await graphql(yoga, certificatesQuery);
    expect(status).toBe(200);
    expect(body.data.certificates.edges).toHaveLength(demoCertificates.length);
  });

  it('accepts the id of a seeded user', async () => {
    const { status, body } = await graphql(yoga, certificatesQuery, undefined, { userId: 2 });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it.each([['abc'], ['0'], ['-1'], ['1.5'], ['999'], ['99999999999']])(
    'rejects x-user-id %j as UNAUTHENTICATED (401)',
    async (userId) => {
      const { status, body } = await graphql(yoga, certificatesQuery, undefined, { userId });
      expect(status).toBe(401);
      expect(body.data).toBeUndefined();
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    },
  );

  it('builds the context: currentUser from x-user-id, requestId from a sane x-request-id', async () => {
    const contexts: Context[] = [];
    const spy: Plugin<Context> = {
      onExecute: ({ args }) => void contexts.push(args.contextValue),
    };
    const spied = createServer({ prisma: database.prisma, logging: false, plugins: [spy] });
    await graphql(spied, certificatesQuery, undefined, {
      userId: 2,
      headers: { 'x-request-id': 'req-42.a_b:c' },
    });
    await graphql(spied, certificatesQuery, undefined, {
      headers: { 'x-request-id': 'not a <sane> id' },
    });
    await graphql(spied, certificatesQuery, undefined, {
      headers: { 'x-request-id': 'x'.repeat(65) },
    });
    await graphql(spied, certificatesQuery);
    expect(contexts.map((context) => context.currentUser)).toEqual([
      { id: 2, fullName: 'Jane Roe' },
      null,
      null,
      null,
    ]);
    const [given, ...generated] = contexts.map((context) => context.requestId);
    expect(given).toBe('req-42.a_b:c');
    for (const requestId of generated) expect(requestId).toMatch(uuid);
    expect(new Set(generated).size).toBe(generated.length);
  });

  describe('unexpected errors', () => {
    const failingPrisma = {
      certificate: { findMany: () => Promise.reject(new Error('secret database detail')) },
    } as unknown as Database['prisma'];
    const nodeEnv = process.env.NODE_ENV;
    afterEach(() => {
      process.env.NODE_ENV = nodeEnv;
    });

    it.each(['production', 'test'])('are masked, without stack, when NODE_ENV=%s', async (env) => {
      process.env.NODE_ENV = env;
      const broken = createServer({ prisma: failingPrisma, logging: false });
      const { body } = await graphql(broken, certificatesQuery);
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Unexpected error.',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        }),
      ]);
      expect(JSON.stringify(body)).not.toContain('secret database detail');
      expect(JSON.stringify(body)).not.toMatch(/\bat .*\.ts:\d+/);
    });

    it('carry the original error when NODE_ENV=development', async () => {
      process.env.NODE_ENV = 'development';
      const broken = createServer({ prisma: failingPrisma, logging: false });
      const { body } = await graphql(broken, certificatesQuery);
      expect(body.errors[0].message).toBe('Unexpected error.');
      expect(body.errors[0].extensions.originalError.message).toBe('secret database detail');
    });
  });
});
