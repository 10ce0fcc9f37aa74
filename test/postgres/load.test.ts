// The short version of `npm run load` (scripts/load.ts): the example server as a real process
// on a fresh PostgreSQL database, 5 s of mixed reads and writes; then every successful
// mutation has its entry, no entry lacks its change, and nothing answered 5xx. And the
// consistency check itself, shown to catch what it is there to catch.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConsistency } from '../../scripts/consistency.js';
import { formatReport, runLoad, seededCertificates } from '../../scripts/load.js';
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
  const problems = async () => (await checkConsistency(sql, seededCertificates)).problems.sort();

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

  it('finds nothing wrong with entries written by the plugin', async () => {
    expect(await problems()).toEqual([]);
  });

  it('finds a change without its entry', async () => {
    await sql.query(`UPDATE "Certificate" SET name = 'behind its back' WHERE id = 1`);
    try {
      expect(await problems()).toEqual([
        'certificate 1: named "behind its back" in the table, "two" by its entries',
      ]);
    } finally {
      await sql.query(`UPDATE "Certificate" SET name = 'two' WHERE id = 1`);
    }
  });

  it('finds an entry without its change', async () => {
    await sql.query('BEGIN');
    try {
      await sql.query(`INSERT INTO event_log (tool, action, "objectType", "objectId", template, message, changes)
        VALUES ('certificate', 'update', 'Certificate', '2', 'x', 'x',
                '{"old_value": {"name": "Electrical installation check"}, "new_value": {"name": "never written"}}')`);
      expect(await problems()).toEqual([
        'certificate 2: named "Electrical installation check" in the table, "never written" by its entries',
      ]);
    } finally {
      await sql.query('ROLLBACK');
    }
  });

  it('finds rows created or deleted without an entry', async () => {
    await sql.query('BEGIN');
    try {
      await sql.query(
        `INSERT INTO "Certificate" (id, name, "updatedAt") VALUES (1000, 'unlogged', now())`,
      );
      await sql.query('DELETE FROM "Certificate" WHERE id = 3');
      expect(await problems()).toEqual([
        'certificate 1000 ("unlogged"): exists without a create entry',
        'certificate 3: gone without a delete entry',
      ]);
    } finally {
      await sql.query('ROLLBACK');
    }
  });
});
