import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { globalId, graphql } from '../support/http.js';

let database: Database;
let app: TestApp;

const gql = (query: string, variables?: Record<string, unknown>, userId: number | null = 1) =>
  graphql(app.yoga, query, variables, userId === null ? {} : { userId });
const entryCount = () => app.prisma.eventLog.count();

const CREATE =
  'mutation($input: CreateCertificateInput!) { createCertificate(input: $input) { id items { id } } }';
const UPDATE =
  'mutation($id: ID!, $input: UpdateCertificateInput!) { updateCertificate(id: $id, input: $input) { id name } }';

beforeAll(async () => {
  database = await createEmbeddedDatabase();
  app = await createTestApp(database);
});

afterAll(() => database.close());

describe('audited mutations on the embedded database', () => {
  it('neither hangs nor loses writes under concurrent requests (one PGlite connection)', async () => {
    const created = await gql(CREATE, { input: { name: 'Busy' } });
    const id = created.body.data.createCertificate.id;
    const before = await entryCount();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        index % 3 === 2
          ? gql('query($id: ID!) { certificate(id: $id) { eventLog(first: 5) { totalCount } } }', {
              id,
            })
          : gql(UPDATE, { id, input: { name: `Busy ${index}` } }, (index % 3) + 1),
      ),
    );
    expect(results.filter((result) => result.body.errors)).toEqual([]);
    expect((await entryCount()) - before).toBe(20);
  });

  it('logs an update that changes nothing, with empty changes', async () => {
    const created = await gql(CREATE, { input: { name: 'Same' } });
    const id = created.body.data.createCertificate.id;
    await gql(UPDATE, { id, input: { name: 'Same' } });
    const { body } = await gql(
      'query($id: ID!) { certificate(id: $id) { eventLog(first: 1) { edges { node { action changes fieldChanges { path } } } } } }',
      { id },
    );
    expect(body.data.certificate.eventLog.edges[0].node).toEqual({
      action: 'update',
      changes: { old_value: {}, new_value: {} },
      fieldChanges: [],
    });
  });

  it('logs one entry per row of a bulk mutation, with a constant number of queries', async () => {
    const makeIds = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        ids.push(
          (await gql(CREATE, { input: { name: `Bulk ${n}.${i}` } })).body.data.createCertificate.id,
        );
      }
      return ids;
    };
    const archive = async (ids: string[]) => {
      const before = await entryCount();
      app.queries.reset();
      const { body } = await gql(
        'mutation($ids: [ID!]!) { archiveCertificates(ids: $ids) { status } }',
        { ids },
        2,
      );
      const queries = [...app.queries.log];
      expect(body.errors).toBeUndefined();
      expect(body.data.archiveCertificates.map((c: { status: string }) => c.status)).toEqual(
        ids.map(() => 'archived'),
      );
      expect((await entryCount()) - before).toBe(ids.length);
      return queries;
    };
    const few = await archive(await makeIds(2));
    const many = await archive(await makeIds(12));
    expect(many).toEqual(few);
    const { body } = await gql(
      '{ eventLogs(action: "archive", first: 1) { edges { node { message changes } } } }',
    );
    expect(body.data.eventLogs.edges[0].node).toEqual({
      message: 'Certificate Bulk 12.11 was archived by Jane Roe.',
      changes: { old_value: { status: 'draft' }, new_value: { status: 'archived' } },
    });
  });

  it.each([
    ['an anonymous mutation', CREATE, { input: { name: 'x' } }, null, 'UNAUTHENTICATED'],
    [
      'a negative quantity',
      CREATE,
      { input: { name: 'x', items: [{ name: 'a', quantity: -1 }] } },
      1,
      'BAD_USER_INPUT',
    ],
    ['an empty name', CREATE, { input: { name: '  ' } }, 1, 'BAD_USER_INPUT'],
    [
      'a name of 10 000 characters',
      CREATE,
      { input: { name: 'x'.repeat(10_000) } },
      1,
      'BAD_USER_INPUT',
    ],
    [
      'updating a certificate that does not exist',
      UPDATE,
      { id: globalId('Certificate', 999_999), input: { name: 'x' } },
      1,
      'NOT_FOUND',
    ],
    [
      'an item of another certificate',
      UPDATE,
      {
        id: globalId('Certificate', 1),
        input: { items: [{ id: globalId('CertificateItem', 3), name: 'x', quantity: 1 }] },
      },
      1,
      'BAD_USER_INPUT',
    ],
    [
      'deleting a certificate that does not exist',
      'mutation($id: ID!) { deleteCertificate(id: $id) { id } }',
      { id: globalId('Certificate', 999_999) },
      1,
      'NOT_FOUND',
    ],
  ])(
    'refuses %s with a code, and writes nothing',
    async (_name, query, variables, userId, code) => {
      const before = await entryCount();
      const { body } = await gql(query, variables, userId);
      expect(body.errors?.[0]?.extensions?.code).toBe(code);
      expect(await entryCount()).toBe(before);
    },
  );
});
