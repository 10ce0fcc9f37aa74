import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { graphql } from '../support/http.js';

let database: Database;
let app: TestApp;

const gql = (query: string, variables?: Record<string, unknown>, userId: number | null = 1) =>
  graphql(app.yoga, query, variables, userId === null ? {} : { userId });

async function createCertificate(
  name: string,
  userId = 1,
  items = [{ name: 'bolt', quantity: 1 }],
) {
  const { body } = await gql(
    'mutation($input: CreateCertificateInput!) { createCertificate(input: $input) { id items { id } } }',
    { input: { name, items } },
    userId,
  );
  expect(body.errors).toBeUndefined();
  return body.data.createCertificate as { id: string; items: { id: string }[] };
}

async function rename(id: string, name: string, userId = 1) {
  const { body } = await gql(
    'mutation($id: ID!, $name: String!) { updateCertificate(id: $id, input: { name: $name }) { id } }',
    { id, name },
    userId,
  );
  expect(body.errors).toBeUndefined();
}

beforeAll(async () => {
  database = await createEmbeddedDatabase();
  app = await createTestApp(database);
});

afterAll(() => database.close());

describe('eventLogs query', () => {
  let ids: string[] = [];

  beforeAll(async () => {
    const first = await createCertificate('Paging A', 1);
    const second = await createCertificate('Paging B', 2);
    await rename(first.id, 'Paging A2', 3);
    await rename(second.id, 'Paging B2', 1);
    const { body } = await gql(
      '{ eventLogs(tool: "certificate", first: 100) { edges { node { id } } } }',
    );
    ids = body.data.eventLogs.edges.map((edge: { node: { id: string } }) => edge.node.id);
  });

  it('lists newest first and pages forward with after', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { body } = await gql(
        'query($after: String) { eventLogs(tool: "certificate", first: 1, after: $after) { pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id timestamp } } } }',
        { after },
      );
      const connection = body.data.eventLogs;
      seen.push(...connection.edges.map((edge: { node: { id: string } }) => edge.node.id));
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
    expect(ids.length).toBeGreaterThanOrEqual(4);
  });

  it('pages backward with last and before', async () => {
    const seen: string[] = [];
    let before: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { body } = await gql(
        'query($before: String) { eventLogs(tool: "certificate", last: 2, before: $before) { pageInfo { hasPreviousPage startCursor } edges { node { id } } } }',
        { before },
      );
      const connection = body.data.eventLogs;
      seen.unshift(...connection.edges.map((edge: { node: { id: string } }) => edge.node.id));
      if (!connection.pageInfo.hasPreviousPage) break;
      before = connection.pageInfo.startCursor;
    }
    expect(seen).toEqual(ids);
  });

  it('filters by tool, action, actor, object and time, and counts all pages', async () => {
    const all = await gql(
      '{ eventLogs(first: 100) { totalCount edges { node { id timestamp actorId action objectType objectId tool } } } }',
    );
    type Node = {
      id: string;
      timestamp: string;
      actorId: string;
      action: string;
      objectType: string;
      objectId: string;
      tool: string;
    };
    const nodes: Node[] = all.body.data.eventLogs.edges.map((edge: { node: Node }) => edge.node);
    expect(all.body.data.eventLogs.totalCount).toBe(nodes.length);
    const target = nodes[1] as Node;
    const cases: [string, (node: Node) => boolean][] = [
      ['tool: "certificate"', (node) => node.tool === 'certificate'],
      ['action: "update"', (node) => node.action === 'update'],
      ['actorId: "3"', (node) => node.actorId === '3'],
      [
        `objectType: "Certificate", objectId: "${target.objectId}"`,
        (node) => node.objectId === target.objectId,
      ],
      [`since: "${target.timestamp}"`, (node) => node.timestamp >= target.timestamp],
      [`until: "${target.timestamp}"`, (node) => node.timestamp <= target.timestamp],
    ];
    for (const [filter, keep] of cases) {
      const { body } = await gql(
        `{ eventLogs(${filter}, first: 100) { totalCount edges { node { id } } } }`,
      );
      const expected = nodes.filter(keep).map((node) => node.id);
      expect(expected.length, filter).toBeGreaterThan(0);
      expect(
        body.data.eventLogs.edges.map((edge: { node: Node }) => edge.node.id),
        filter,
      ).toEqual(expected);
      expect(body.data.eventLogs.totalCount, filter).toBe(expected.length);
    }
  });

  it.each([
    ['first: -1', 'first must be a whole number'],
    ['first: 101', 'first must be at most 100'],
    ['first: 1, last: 1', 'either first or last'],
    ['after: "bm9wZQ"', 'after is not a cursor'],
    ['since: "2020-01-02T00:00:00Z", until: "2020-01-01T00:00:00Z"', 'later than until'],
  ])('rejects %s with a clear error', async (args, message) => {
    const { body } = await gql(`{ eventLogs(${args}) { totalCount } }`);
    expect(body.data).toEqual({ eventLogs: null });
    expect(body.errors[0].message).toContain(message);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('rejects a cursor of another connection', async () => {
    const { body: certificates } = await gql(
      '{ certificates(first: 1) { pageInfo { endCursor } } }',
    );
    const foreign = certificates.data.certificates.pageInfo.endCursor;
    const { body } = await gql(
      'query($after: String) { eventLogs(after: $after) { totalCount } }',
      { after: foreign },
    );
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('reads only what is selected: a totalCount alone runs the count, not the page', async () => {
    app.queries.reset();
    const { body } = await gql('{ eventLogs(tool: "certificate") { totalCount } }');
    expect(body.data.eventLogs.totalCount).toBeGreaterThan(0);
    expect(app.queries.log.filter((query) => query.startsWith('EventLog.'))).toEqual([
      'EventLog.count',
    ]);
    app.queries.reset();
    await gql('{ eventLogs(tool: "certificate") { edges { node { id } } } }');
    expect(app.queries.log.filter((query) => query.startsWith('EventLog.'))).toEqual([
      'EventLog.findMany',
    ]);
  });

  it('is FORBIDDEN to anonymous requests, with no data', async () => {
    const { body } = await gql('{ eventLogs { totalCount edges { node { message } } } }', {}, null);
    expect(body.data).toEqual({ eventLogs: null });
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('does not leak entries through node(id) to anonymous requests', async () => {
    const { body } = await gql(
      'query($id: ID!) { node(id: $id) { id ... on EventLog { message } } }',
      { id: ids[0] },
      null,
    );
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
    const allowed = await gql(
      'query($id: ID!) { node(id: $id) { id ... on EventLog { message } } }',
      { id: ids[0] },
    );
    expect(allowed.body.data.node.id).toBe(ids[0]);
  });
});

describe('certificate(id) { eventLog }', () => {
  it('renders the message from the current row, keeps the message at the event, and uses the snapshot after delete', async () => {
    const { id } = await createCertificate('Original name', 1);
    await rename(id, 'Renamed', 2);
    const read = await gql(
      'query($id: ID!) { certificate(id: $id) { eventLog { totalCount edges { node { action actor message messageAtEvent } } } } }',
      { id },
    );
    expect(read.body.data.certificate.eventLog).toEqual({
      totalCount: 2,
      edges: [
        {
          node: {
            action: 'update',
            actor: 'Jane Roe',
            message: 'Certificate Renamed was updated by Jane Roe.',
            messageAtEvent: 'Certificate Renamed was updated by Jane Roe.',
          },
        },
        {
          node: {
            action: 'create',
            actor: 'John Doe',
            message: 'Certificate Renamed was created by John Doe.',
            messageAtEvent: 'Certificate Original name was created by John Doe.',
          },
        },
      ],
    });
    const deleted = await gql(
      'mutation($id: ID!) { deleteCertificate(id: $id) { name } }',
      { id },
      3,
    );
    expect(deleted.body.data.deleteCertificate.name).toBe('Renamed');
    const objectId = Buffer.from(id, 'base64').toString().split(':')[1];
    const after = await gql(
      'query($objectId: String!) { eventLogs(objectType: "Certificate", objectId: $objectId) { edges { node { action message messageAtEvent } } } }',
      { objectId },
    );
    expect(after.body.data.eventLogs.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      {
        action: 'delete',
        message: 'Certificate Renamed was deleted by Alex Poe.',
        messageAtEvent: 'Certificate Renamed was deleted by Alex Poe.',
      },
      {
        action: 'update',
        message: 'Certificate Renamed was updated by Jane Roe.',
        messageAtEvent: 'Certificate Renamed was updated by Jane Roe.',
      },
      {
        action: 'create',
        message: 'Certificate Original name was created by John Doe.',
        messageAtEvent: 'Certificate Original name was created by John Doe.',
      },
    ]);
  });

  it('reads a page of 100 entries with message, actor and fieldChanges in a constant number of queries', async () => {
    const count = async (n: number) => {
      const { id } = await createCertificate(`Counted ${n}`, 1);
      for (let i = 0; i < n - 1; i++) await rename(id, `Counted ${n} v${i}`, (i % 3) + 1);
      app.queries.reset();
      const { body } = await gql(
        'query($id: ID!) { certificate(id: $id) { eventLog(first: 100) { edges { node { message actor fieldChanges { path old new } } } } } }',
        { id },
      );
      expect(body.data.certificate.eventLog.edges).toHaveLength(n);
      return [...app.queries.log];
    };
    const small = await count(2);
    const large = await count(100);
    expect(large).toEqual(small);
    expect(large.length).toBeLessThanOrEqual(5);
  });
});
