// The capture on real PostgreSQL: atomicity, the chain of diffs under concurrency (no explicit
// lock: the row lock of each UPDATE orders them), nested items, and the statements a logged
// mutation sends.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { globalId, graphql, rawId } from '../support/http.js';

let database: TestDatabase;
let app: TestApp;
let admin: pg.Client;

const gql = (query: string, variables?: Record<string, unknown>, userId = 1) =>
  graphql(app.yoga, query, variables, { userId });

const CREATE = `mutation($input: CreateCertificateInput!) {
  createCertificate(input: $input) { id name items { id name quantity } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateCertificateInput!) {
  updateCertificate(id: $id, input: $input) { id name notes items { id name quantity } }
}`;

async function entriesOf(certificateId: number) {
  const { rows } = await admin.query(
    `SELECT id, action, "actorId", changes, message FROM event_log
     WHERE "objectType" = 'Certificate' AND "objectId" = $1 ORDER BY timestamp, id`,
    [String(certificateId)],
  );
  return rows as {
    id: string;
    action: string;
    actorId: string;
    changes: { old_value: Record<string, unknown>; new_value: Record<string, unknown> };
    message: string;
  }[];
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = await createTestApp(database);
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

describe('atomicity', () => {
  it('writes no entry and no change when the resolver throws', async () => {
    const created = await gql(CREATE, {
      input: { name: 'Atomic', items: [{ name: 'a', quantity: 1 }] },
    });
    const id = created.body.data.createCertificate.id;
    const before = await entriesOf(rawId(id));
    // The item belongs to another certificate: the resolver throws after it wrote the name.
    const failed = await gql(UPDATE, {
      id,
      input: {
        name: 'Changed',
        items: [{ id: globalId('CertificateItem', 1), name: 'x', quantity: 1 }],
      },
    });
    expect(failed.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const { rows } = await admin.query('SELECT name FROM "Certificate" WHERE id = $1', [rawId(id)]);
    expect(rows[0].name).toBe('Atomic');
    expect(await entriesOf(rawId(id))).toEqual(before);
  });

  it('rolls the change back when the entry cannot be written', async () => {
    const created = await gql(CREATE, { input: { name: 'Trigger victim' } });
    const id = created.body.data.createCertificate.id;
    const before = await entriesOf(rawId(id));
    await admin.query(`CREATE FUNCTION reject_event_log() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'event_log insert rejected by test'; END $$ LANGUAGE plpgsql`);
    await admin.query(
      'CREATE TRIGGER reject_event_log BEFORE INSERT ON event_log FOR EACH ROW EXECUTE FUNCTION reject_event_log()',
    );
    try {
      const failed = await gql(UPDATE, { id, input: { name: 'Should not stay' } });
      expect(failed.body.errors).toHaveLength(1);
      expect(failed.body.data).toBeNull();
    } finally {
      await admin.query('DROP TRIGGER reject_event_log ON event_log');
      await admin.query('DROP FUNCTION reject_event_log()');
    }
    const { rows } = await admin.query('SELECT name FROM "Certificate" WHERE id = $1', [rawId(id)]);
    expect(rows[0].name).toBe('Trigger victim');
    expect(await entriesOf(rawId(id))).toEqual(before);
  });
});

describe('nested items', () => {
  it('shows added, changed and removed items keyed by item id', async () => {
    const created = await gql(CREATE, {
      input: {
        name: 'Items',
        items: [
          { name: 'keep', quantity: 1 },
          { name: 'drop', quantity: 2 },
        ],
      },
    });
    const certificate = created.body.data.createCertificate;
    const [keep, drop] = certificate.items.map((item: { id: string }) => rawId(item.id));
    const updated = await gql(
      UPDATE,
      {
        id: certificate.id,
        input: {
          items: [
            { id: certificate.items[0].id, name: 'keep', quantity: 5 },
            { name: 'new', quantity: 3 },
          ],
        },
      },
      2,
    );
    expect(updated.body.errors).toBeUndefined();
    const added = rawId(updated.body.data.updateCertificate.items[1].id);
    const entries = await entriesOf(rawId(certificate.id));
    expect(entries.map((entry) => entry.action)).toEqual(['create', 'update']);
    expect(entries[0]?.changes).toEqual({
      old_value: {},
      new_value: {
        name: 'Items',
        status: 'draft',
        notes: null,
        ownerId: 1,
        items: { [keep]: { name: 'keep', quantity: 1 }, [drop]: { name: 'drop', quantity: 2 } },
      },
    });
    expect(entries[1]?.changes).toEqual({
      old_value: {
        items: { [keep]: { quantity: 1 }, [drop]: { name: 'drop', quantity: 2 }, [added]: null },
      },
      new_value: {
        items: { [keep]: { quantity: 5 }, [drop]: null, [added]: { name: 'new', quantity: 3 } },
      },
    });
    expect(entries[1]?.actorId).toBe('2');
  });
});

describe('concurrency', () => {
  let http: HttpServer;
  let url: string;

  beforeAll(async () => {
    http = createHttpServer(app.yoga);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
  });

  afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

  it('50 concurrent updates of one certificate give 50 entries whose diffs form an unbroken chain', async () => {
    const created = await gql(CREATE, {
      input: { name: 'Contended', notes: 'n0', items: [{ name: 'counter', quantity: 0 }] },
    });
    const certificate = created.body.data.createCertificate;
    const itemId = certificate.items[0].id;
    const responses = await Promise.all(
      Array.from({ length: 50 }, async (_, index) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': String((index % 3) + 1) },
          body: JSON.stringify({
            query: UPDATE,
            variables: {
              id: certificate.id,
              input: {
                name: `name ${index + 1}`,
                notes: `notes ${index + 1}`,
                items: [{ id: itemId, name: 'counter', quantity: index + 1 }],
              },
            },
          }),
        });
        return (await response.json()) as { errors?: unknown };
      }),
    );
    expect(responses.filter((response) => response.errors)).toEqual([]);
    const updates = (await entriesOf(rawId(certificate.id))).filter(
      (entry) => entry.action === 'update',
    );
    expect(updates).toHaveLength(50);
    const item = rawId(itemId);
    let previous = { name: 'Contended', notes: 'n0', quantity: 0 };
    for (const entry of updates) {
      const { old_value, new_value } = entry.changes;
      expect({
        name: old_value.name,
        notes: old_value.notes,
        quantity: (old_value.items as Record<string, { quantity: number }>)[item]?.quantity,
      }).toEqual(previous);
      previous = {
        name: new_value.name as string,
        notes: new_value.notes as string,
        quantity: (new_value.items as Record<string, { quantity: number }>)[item]
          ?.quantity as number,
      };
    }
    const { rows } = await admin.query('SELECT name, notes FROM "Certificate" WHERE id = $1', [
      rawId(certificate.id),
    ]);
    expect({ name: rows[0].name, notes: rows[0].notes }).toEqual({
      name: previous.name,
      notes: previous.notes,
    });
  });
});

describe('cost', () => {
  it('an audited update runs the statements of the update alone: the trigger writes the entry', async () => {
    const created = await gql(CREATE, {
      input: { name: 'Counted', items: [{ name: 'a', quantity: 1 }] },
    });
    const id = created.body.data.createCertificate.id;
    const statements: string[] = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string };
      statements.push(
        (typeof config === 'string' ? config : (config?.text ?? ''))
          .split(/\s+/)
          .slice(0, 3)
          .join(' '),
      );
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    try {
      const { body } = await gql(UPDATE.replace('notes items { id name quantity }', ''), {
        id,
        input: { name: 'Counted 2' },
      });
      expect(body.errors).toBeUndefined();
    } finally {
      pg.Client.prototype.query = original;
    }
    console.log(`SQL statements of one audited updateCertificate:\n  ${statements.join('\n  ')}`);
    // The example's authentication reads the user, then the resolver's UPDATE (with RETURNING).
    expect(statements).toHaveLength(2);
    expect(statements.join('\n')).not.toMatch(/BEGIN|COMMIT|FOR UPDATE|event_log/);
    expect(statements).toMatchSnapshot();
  });
});
