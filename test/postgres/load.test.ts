// The short version of `npm run load` (scripts/load.ts): the example server as a real process
// on a fresh PostgreSQL database, 5 s of mixed reads and writes; then every successful
// mutation has its entry, no entry lacks its change, and nothing answered 5xx. And the
// consistency check itself, shown to catch what it is there to catch.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConsistency } from '../../scripts/consistency.js';
import { formatReport, runLoad } from '../../scripts/load.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { graphql } from '../support/http.js';

describe('load (npm run load, 5 s)', () => {
  it('holds: successful mutations equal new entries, the trail is consistent, no 5xx', async () => {
    const options = { durationSeconds: 5, connections: 4, certificates: 8 };
    const report = await runLoad(options);
    console.log(formatReport(report, options));
    expect(report.failures).toEqual([]);
    const { traffic } = report;
    expect(traffic.successfulMutations).toBeGreaterThan(20);
    expect(report.entries).toBe(traffic.successfulMutations);
    expect(Object.keys(traffic.statuses)).toEqual(['200']);
    expect(traffic.operations.eventLogs.ok).toBeGreaterThan(0);
    expect(traffic.operations.create.ok).toBeGreaterThan(0);
  }, 120_000);
});

describe('checkConsistency', () => {
  let database: TestDatabase;
  let app: TestApp;
  let sql: pg.Client;
  const id = (n: number) => Buffer.from(`Certificate:${n}`).toString('base64');
  const problems = async () => (await checkConsistency(sql)).problems.sort();

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp(database);
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    const rename = (n: number, name: string) =>
      graphql(
        app.yoga,
        'mutation($id: ID!, $name: String!) { updateCertificate(id: $id, input: { name: $name }) { id } }',
        { id: id(n), name },
        { userId: 1 },
      );
    await rename(1, 'one');
    await rename(1, 'two');
    await graphql(
      app.yoga,
      'mutation { createCertificate(input: { name: "three" }) { id } }',
      undefined,
      { userId: 2 },
    );
  });

  afterAll(async () => {
    await sql?.end();
    await database?.drop();
  });

  it('finds nothing wrong with entries written by the triggers (seed, API, psql)', async () => {
    await sql.query(`UPDATE "Certificate" SET notes = 'from psql' WHERE id = 4`);
    expect(await problems()).toEqual([]);
  });

  /** Runs `work` in a transaction with the capture triggers of both tables off, then rolls back. */
  async function uncaptured(work: () => Promise<void>) {
    await sql.query('BEGIN');
    try {
      await sql.query('ALTER TABLE "Certificate" DISABLE TRIGGER USER');
      await sql.query('ALTER TABLE "CertificateItem" DISABLE TRIGGER USER');
      await work();
    } finally {
      await sql.query('ROLLBACK');
    }
  }

  it('finds a change without its entry', async () => {
    await uncaptured(async () => {
      await sql.query(`UPDATE "Certificate" SET name = 'behind its back' WHERE id = 1`);
      expect(await problems()).toEqual([
        'certificate 1: the table and its entries differ: name: "behind its back" ≠ "two"',
      ]);
    });
  });

  it('finds an item change without its entry', async () => {
    await uncaptured(async () => {
      await sql.query('UPDATE "CertificateItem" SET quantity = 7 WHERE id = 3');
      expect(await problems()).toEqual([
        'certificate 2: the table and its entries differ: items.3.quantity: 7 ≠ 6',
      ]);
    });
  });

  it('finds the chain broken when a logged change follows an unlogged one', async () => {
    await uncaptured(async () => {
      await sql.query(`UPDATE "Certificate" SET name = 'behind its back' WHERE id = 1`);
      await sql.query('ALTER TABLE "Certificate" ENABLE TRIGGER USER');
      await sql.query(`UPDATE "Certificate" SET name = 'logged' WHERE id = 1`);
      const { rows } = await sql.query(
        `SELECT id::text FROM event_log WHERE "objectType" = 'Certificate' AND "objectId" = '1'
         ORDER BY event_log.id DESC LIMIT 1`,
      );
      expect(await problems()).toEqual([
        `certificate 1, entry ${rows[0].id} (update): starts from name = "behind its back", the trail had "two"`,
      ]);
    });
  });

  it('finds an entry without its change', async () => {
    await sql.query('BEGIN');
    try {
      await sql.query(`INSERT INTO event_log (tool, action, "objectType", "objectId", template, message, changes)
        VALUES ('certificate', 'update', 'Certificate', '2', 'x', 'x',
                '{"old_value": {"name": "Electrical installation check"}, "new_value": {"name": "never written"}}')`);
      expect(await problems()).toEqual([
        'certificate 2: the table and its entries differ: name: "Electrical installation check" ≠ "never written"',
      ]);
    } finally {
      await sql.query('ROLLBACK');
    }
  });

  it('finds rows created or deleted without an entry', async () => {
    await uncaptured(async () => {
      await sql.query(
        `INSERT INTO "Certificate" (id, name, "updatedAt") VALUES (1000, 'unlogged', now())`,
      );
      await sql.query('DELETE FROM "Certificate" WHERE id = 3');
      expect(await problems()).toEqual([
        'certificate 1000 ("unlogged"): exists without a create entry',
        'certificate 3: gone without a delete entry',
      ]);
    });
  });
});
