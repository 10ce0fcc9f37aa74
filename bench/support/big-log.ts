// A large event log for P2 (issue 15): entries spread over `months` months ending now, made
// in SQL (one INSERT … SELECT generate_series per month, on one connection), in a database
// of either layout: `partitioned` (every migration: event_log by month) or `single` (the
// layout before 20261203161931_eventlog_partitioned: the init table and the newest capture
// SQL, whose eventlog_ensure_partitions() does nothing on a plain table).

import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase } from '../../example/database.js';
import { seed } from '../../example/seed.js';
import { applyMigrations } from '../../scripts/schema-engine.js';
import { runOnServer } from '../../scripts/scratch-database.js';
import { latestCaptureMigration, readMigrationFolder } from '../../src/cli/migrations-folder.js';
import { addCertificates } from './database.js';

export type Layout = 'partitioned' | 'single';

export interface BigLog {
  name: string;
  url: string;
  layout: Layout;
  entries: number;
  months: number;
  /** The bench certificates (1000); the first five are the "hot" objects. */
  certificates: number[];
  /** Seconds the build took (0 when an existing database was reused). */
  buildSeconds: number;
  tableSize: string;
}

const migrations = new URL('../../prisma/migrations/', import.meta.url);
/** The single table's SQL, then the newest capture SQL (a no-op for partitions on it). */
async function singleTableSql(): Promise<string[]> {
  const folder = await readMigrationFolder(fileURLToPath(migrations));
  const init = folder.find((migration) => migration.name === '20261128193500_init');
  const capture = latestCaptureMigration(folder);
  if (!init || !capture)
    throw new Error('prisma/migrations lacks the init or a capture migration.');
  return [init.sql, capture.sql];
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropBigLog(serverUrl: string, name: string): Promise<void> {
  await runOnServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/**
 * The database `name` with a log of `entries` entries in `layout`: reused when it exists and
 * its meta row says it was built with the same size and layout, built (from scratch) otherwise.
 */
export async function bigLog(
  serverUrl: string,
  name: string,
  { layout, entries, months }: { layout: Layout; entries: number; months: number },
  progress: (line: string) => void,
): Promise<BigLog> {
  const url = databaseUrl(serverUrl, name);
  const existing = await readMeta(url);
  if (
    existing &&
    existing.layout === layout &&
    existing.entries === entries &&
    existing.months === months
  ) {
    progress(`${name}: reusing the ${layout} log of ${entries} entries (built earlier)`);
    return { ...existing, name, url, buildSeconds: 0, tableSize: await tableSize(url) };
  }
  await dropBigLog(serverUrl, name);
  await runOnServer(serverUrl, `CREATE DATABASE "${name}"`);
  const started = performance.now();
  if (layout === 'partitioned') {
    const database = await openDatabase({ databaseUrl: url, poolSize: 2 });
    try {
      await applyMigrations(database.adapterFactory);
      await seed(database.prisma);
    } finally {
      await database.close();
    }
  }
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    if (layout === 'single') {
      for (const migration of await singleTableSql()) await sql.query(migration);
      const database = await openDatabase({ databaseUrl: url, poolSize: 2 });
      await seed(database.prisma).finally(() => database.close());
    }
    const certificates = await addCertificates(sql, 1000);
    // The capture triggers logged those 4000 rows as the newest entries: not part of the spread.
    await sql.query(`DELETE FROM event_log WHERE tool <> 'seed'`);
    const end = new Date();
    const monthStart = (offset: number) => {
      const at = new Date(end);
      at.setUTCMonth(at.getUTCMonth() - months + offset);
      return at;
    };
    if (layout === 'partitioned') {
      // A database whose upgrade migration found entries in the single table keeps it as the
      // partition of everything before that month: a log that grew under the partitioned
      // layout has month partitions instead. Its entries move to the default partition.
      // (A new database's empty table is dropped by the upgrade itself.)
      const legacy = await sql.query(
        `SELECT to_regclass('event_log_before_partitioning') IS NOT NULL AS present`,
      );
      if (legacy.rows[0]?.present) {
        await sql.query(`ALTER TABLE event_log DETACH PARTITION event_log_before_partitioning`);
        await sql.query(`INSERT INTO event_log SELECT * FROM event_log_before_partitioning`);
        await sql.query(`DROP TABLE event_log_before_partitioning`);
      }
      // One placeholder entry per calendar month of the span lands in the default partition;
      // eventlog_ensure_partitions() makes those months' partitions and moves the rows in.
      await sql.query(
        `INSERT INTO event_log ("timestamp", tool, action, "objectType", template, message)
         SELECT m, 'placeholder', 'create', 'Bench', '', ''
         FROM generate_series(date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                              $2::timestamptz, interval '1 month') AS m`,
        [monthStart(0), end],
      );
      const created = await sql.query('SELECT eventlog_ensure_partitions()');
      await sql.query(`DELETE FROM event_log WHERE tool = 'placeholder'`);
      progress(`${name}: ${created.rowCount} partitions made by eventlog_ensure_partitions()`);
    }
    const perMonth = Math.ceil(entries / months);
    for (let month = 0; month < months; month += 1) {
      const from = month * perMonth + 1;
      const to = Math.min(entries, from + perMonth - 1);
      const t = performance.now();
      await fill(
        sql,
        from,
        to,
        monthStart(month),
        monthStart(month + 1),
        certificates[0] as number,
      );
      progress(
        `${name}: month ${month + 1}/${months} (${to - from + 1} entries) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    }
    const t = performance.now();
    await sql.query('VACUUM ANALYZE event_log');
    progress(`${name}: VACUUM ANALYZE in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await sql.query(
      `CREATE TABLE bench_p2_meta AS SELECT $1::text AS layout, $2::int AS entries, $3::int AS months, $4::int[] AS certificates`,
      [layout, entries, months, certificates],
    );
    const buildSeconds = (performance.now() - started) / 1000;
    return {
      name,
      url,
      layout,
      entries,
      months,
      certificates,
      buildSeconds,
      tableSize: await tableSize(url),
    };
  } finally {
    await sql.end();
  }
}

async function readMeta(url: string) {
  const sql = new pg.Client({ connectionString: url });
  try {
    await sql.connect();
  } catch {
    return null;
  }
  try {
    const { rows } = await sql.query<{
      layout: Layout;
      entries: number;
      months: number;
      certificates: number[];
    }>(`SELECT * FROM bench_p2_meta`);
    return rows[0] ?? null;
  } catch {
    return null;
  } finally {
    await sql.end();
  }
}

async function tableSize(url: string) {
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    const { rows } = await sql.query<{ size: string }>(
      `SELECT pg_size_pretty(coalesce(
         (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('event_log')),
         pg_total_relation_size('event_log'))) AS size`,
    );
    return rows[0]?.size ?? '?';
  } finally {
    await sql.end();
  }
}

/**
 * Entries `from`…`to` evenly spaced over [start, end). The spread: tool `certificate` 45 %
 * (9 % of all entries on five hot certificates, the rest over 1000), `user` 15 % (5000
 * users), `item` 15 % (3000 items), seven more tools 25 % (100 000 documents); actors: 5 %
 * none, 30 % the three seeded users, the rest 297 others; 10 % create, 5 % delete.
 */
async function fill(
  sql: pg.Client,
  from: number,
  to: number,
  start: Date,
  end: Date,
  firstCertificate: number,
) {
  await sql.query(
    `INSERT INTO event_log ("timestamp", "actorId", "actorName", tool, action, "objectType",
       "objectId", template, message, "values", changes, context)
     SELECT $3::timestamptz + (g - $1) * (($4::timestamptz - $3::timestamptz) / ($2 - $1 + 1)),
       a.actor, 'User ' || a.actor, o.tool,
       CASE WHEN h.r3 % 20 = 0 THEN 'delete' WHEN h.r3 % 10 = 1 THEN 'create' ELSE 'update' END,
       o.type, o.id,
       CASE WHEN o.type = 'Certificate'
         THEN 'Certificate {certificate__name} was updated by {user__fullName}.'
         ELSE o.type || ' ' || o.id || ' was updated.' END,
       CASE WHEN o.type = 'Certificate'
         THEN 'Certificate Bench certificate ' || o.id || ' was updated by User ' || coalesce(a.actor, 'nobody') || '.'
         ELSE o.type || ' ' || o.id || ' was updated.' END,
       CASE WHEN o.type = 'Certificate' THEN jsonb_build_object(
         'certificate__name', jsonb_build_object('id', o.id, 'path', jsonb_build_array('name'),
           'model', 'Certificate', 'snapshot', 'Bench certificate ' || o.id),
         'user__fullName', jsonb_build_object('id', a.actor, 'path', jsonb_build_array('fullName'),
           'model', 'User', 'snapshot', 'User ' || a.actor))
         ELSE '{}'::jsonb END,
       jsonb_build_object('old_value', jsonb_build_object('notes', 'notes ' || (g - 1)),
         'new_value', jsonb_build_object('notes', 'notes ' || g)),
       jsonb_build_object('requestId', md5(g::text), 'operationName', 'Update', 'path', o.tool)
     FROM generate_series($1::bigint, $2::bigint) AS g
     CROSS JOIN LATERAL (SELECT (hashint8(g)::bigint + 2147483648) % 1000 AS r1,
                                hashint8(g + 7)::bigint + 2147483648 AS r2,
                                (hashint8(g + 13)::bigint + 2147483648) % 1000 AS r3) AS h
     CROSS JOIN LATERAL (SELECT CASE WHEN h.r3 < 50 THEN NULL
                                     WHEN h.r3 < 350 THEN (1 + h.r3 % 3)::text
                                     ELSE (4 + h.r2 % 297)::text END AS actor) AS a
     CROSS JOIN LATERAL (SELECT
         CASE WHEN h.r1 < 450 THEN 'certificate' WHEN h.r1 < 600 THEN 'user'
              WHEN h.r1 < 750 THEN 'item' ELSE 'tool-' || (h.r1 % 7) END AS tool,
         CASE WHEN h.r1 < 450 THEN 'Certificate' WHEN h.r1 < 600 THEN 'User'
              WHEN h.r1 < 750 THEN 'CertificateItem' ELSE 'Document' END AS type,
         (CASE WHEN h.r1 < 90 THEN $5 + h.r2 % 5
               WHEN h.r1 < 450 THEN $5 + h.r2 % 1000
               WHEN h.r1 < 600 THEN 1 + h.r2 % 5000
               WHEN h.r1 < 750 THEN 1 + h.r2 % 3000
               ELSE 1 + h.r2 % 100000 END)::text AS id) AS o`,
    [from, to, start, end, firstCertificate],
  );
}
