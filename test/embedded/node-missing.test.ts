// node(id) and nodes(ids) of rows that do not exist, over HTTP (issue 11, defect 8): Relay
// expects `null` for such an id, not an error. A missing row (Certificate:99999999), an id no
// row can have (User:-1, beyond a PostgreSQL integer) and a malformed one (CertificateItem:abc)
// all answer `null`, without an error, and the server logs nothing for them. A global ID with
// no id at all (`CertificateItem:`) is not a global ID: BAD_USER_INPUT, as in bad-input.test.ts.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../example/database.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { globalId, graphql } from '../support/http.js';

let database: Database;
let app: TestApp;
const nodeEnv = process.env.NODE_ENV;

const missing = [
  globalId('Certificate', 99_999_999),
  globalId('User', -1),
  globalId('CertificateItem', 'abc'),
  globalId('Certificate', 2_147_483_648),
  globalId('User', '1.5'),
  globalId('CertificateItem', '1abc'),
];

const NODE = `query($id: ID!) {
  node(id: $id) { id ... on Certificate { name } ... on User { fullName } ... on CertificateItem { name } }
}`;
const NODES = `query($ids: [ID!]!) {
  nodes(ids: $ids) { id ... on Certificate { name } ... on User { fullName } ... on CertificateItem { name } }
}`;

/** Everything the process wrote to stderr or through console while a test ran. */
let logged: string[] = [];
const spies: { mockRestore(): void }[] = [];

beforeAll(async () => {
  process.env.NODE_ENV = 'production';
  database = await createEmbeddedDatabase();
  app = await createTestApp(database);
});

afterAll(async () => {
  process.env.NODE_ENV = nodeEnv;
  await database.close();
});

beforeEach(() => {
  logged = [];
  const record = (...args: unknown[]) => {
    logged.push(
      args.map((arg) => (arg instanceof Error ? String(arg.stack) : String(arg))).join(' '),
    );
  };
  for (const method of ['error', 'warn', 'info', 'log', 'debug'] as const) {
    spies.push(vi.spyOn(console, method).mockImplementation(record));
  }
  spies.push(
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    }),
  );
});

afterEach(() => {
  for (const spy of spies.splice(0)) spy.mockRestore();
});

describe('node(id) of a row that does not exist', () => {
  it.each(missing)('answers { node: null } without an error for %s', async (id) => {
    const { status, body } = await graphql(app.yoga, NODE, { id }, { userId: 1 });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { node: null } });
    expect(logged).toEqual([]);
  });

  it('answers null to anonymous requests too', async () => {
    const { body } = await graphql(app.yoga, NODE, { id: globalId('Certificate', 99_999_999) });
    expect(body).toEqual({ data: { node: null } });
    expect(logged).toEqual([]);
  });

  it('still loads an existing row, with its relations', async () => {
    const { body } = await graphql(app.yoga, NODE, { id: globalId('User', 1) }, { userId: 1 });
    expect(body.errors).toBeUndefined();
    expect(body.data.node).toEqual({ id: globalId('User', 1), fullName: expect.any(String) });
    const certificate = await graphql(
      app.yoga,
      'query($id: ID!) { node(id: $id) { ... on Certificate { owner { id } items { id name } } } }',
      { id: globalId('Certificate', 1) },
      { userId: 1 },
    );
    expect(certificate.body.errors).toBeUndefined();
    expect(certificate.body.data.node.items.length).toBeGreaterThan(0);
    expect(logged).toEqual([]);
  });

  it('refuses a global ID without an id as BAD_USER_INPUT, logging nothing', async () => {
    const { body } = await graphql(
      app.yoga,
      NODE,
      { id: globalId('CertificateItem', '') },
      { userId: 1 },
    );
    expect(body.data).toEqual({ node: null });
    expect(body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
    expect(logged).toEqual([]);
  });
});

describe('nodes(ids) with missing ids', () => {
  it('answers null for each missing id and keeps the others', async () => {
    const ids = [
      globalId('Certificate', 1),
      globalId('Certificate', 99_999_999),
      globalId('CertificateItem', 'abc'),
      globalId('User', 1),
      globalId('User', -1),
      globalId('CertificateItem', 1),
    ];
    const { status, body } = await graphql(app.yoga, NODES, { ids }, { userId: 1 });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.nodes).toEqual([
      { id: ids[0], name: expect.any(String) },
      null,
      null,
      { id: ids[3], fullName: expect.any(String) },
      null,
      { id: ids[5], name: expect.any(String) },
    ]);
    expect(logged).toEqual([]);
  });

  it('answers a list of nulls when no id exists', async () => {
    const { body } = await graphql(app.yoga, NODES, { ids: missing }, { userId: 1 });
    expect(body).toEqual({ data: { nodes: missing.map(() => null) } });
    expect(logged).toEqual([]);
  });
});
