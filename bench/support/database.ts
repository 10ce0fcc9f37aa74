// The bench's own databases: `pel_bench_<random>` on the server of DATABASE_URL, migrated
// and seeded like the example, with extra certificates; dropped at the end. The "unlogged"
// one gets the same migrations and data, then loses the capture triggers.
import pg from 'pg';
import { type Database, openDatabase } from '../../example/database.js';
import { seed } from '../../example/seed.js';
import { applyMigrations } from '../../scripts/schema-engine.js';
import { createScratchDatabase } from '../../scripts/scratch-database.js';

export interface BenchDatabase {
  name: string;
  url: string;
  /** The example's Prisma client on this database (pool of 4). */
  database: Database;
  /** A plain `pg` connection for fixtures, raw SQL and EXPLAIN. */
  sql: pg.Client;
  drop(): Promise<void>;
}

export async function createBenchDatabase(
  serverUrl: string,
  { capture }: { capture: boolean },
): Promise<BenchDatabase> {
  const scratch = await createScratchDatabase(serverUrl, 'pel_bench');
  let database: Database | undefined;
  let sql: pg.Client | undefined;
  const drop = async () => {
    await sql?.end().catch(() => {});
    await database?.close().catch(() => {});
    await scratch.drop();
  };
  try {
    database = await openDatabase({ databaseUrl: scratch.url, poolSize: 4 });
    await applyMigrations(database.adapterFactory);
    await seed(database.prisma);
    sql = new pg.Client({ connectionString: scratch.url });
    await sql.connect();
    if (!capture) await dropCaptureTriggers(sql);
  } catch (error) {
    await drop();
    throw error;
  }
  return { name: scratch.name, url: scratch.url, database, sql, drop };
}

/** Drops every trigger that runs a capture function (`eventlog_*`); the functions stay. */
async function dropCaptureTriggers(sql: pg.Client) {
  const triggers = `SELECT t.tgname AS name, t.tgrelid::regclass::text AS "table"
    FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE NOT t.tgisinternal AND p.proname LIKE 'eventlog\\_%'`;
  const { rows } = await sql.query<{ name: string; table: string }>(triggers);
  for (const { name, table } of rows) await sql.query(`DROP TRIGGER "${name}" ON ${table}`);
  if (rows.length === 0 || (await sql.query(triggers)).rows.length > 0) {
    throw new Error(`Dropping the capture triggers failed (${rows.length} found).`);
  }
}

/** Adds `count` certificates with three items each; returns their ids in order. */
export async function addCertificates(sql: pg.Client, count: number): Promise<number[]> {
  const { rows } = await sql.query<{ id: number }>(
    `INSERT INTO "Certificate" (name, status, notes, "ownerId", "updatedAt")
     SELECT 'Bench certificate ' || g, 'active', 'Created for the benchmark', 1 + g % 3, now()
     FROM generate_series(1, $1::int) AS g
     RETURNING id`,
    [count],
  );
  const ids = rows.map((row) => row.id).sort((a, b) => a - b);
  await sql.query(
    `INSERT INTO "CertificateItem" ("certificateId", name, quantity)
     SELECT c, item.name, item.quantity
     FROM unnest($1::int[]) AS c,
          (VALUES ('Fire extinguisher', 4), ('Emergency light', 12), ('Smoke detector', 8))
            AS item(name, quantity)`,
    [ids],
  );
  await sql.query('ANALYZE');
  return ids;
}
