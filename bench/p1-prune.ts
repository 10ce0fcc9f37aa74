// P1: retention (issue 15). Dropping one month of entries from the partitioned event_log
// with pruneEventLog, against the same DELETE (timestamp in that month) on a single table
// with the same columns and indexes, side by side in interleaved rounds; and pruneEventLog's
// batched trim on that single table (what an unpartitioned install gets). Then the export's
// rate, NDJSON and CSV.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/p1-prune.ts
//
// P1_ENTRIES (default 400000) entries in the month, P1_ROUNDS (default 5) rounds. It creates
// `pel_bench_prune_<random>`, applies the migrations, and drops it at the end. Markdown on
// stdout, progress on stderr. About 3 minutes: most of it refills the month every round.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase } from '../example/database.js';
import { applyMigrations } from '../scripts/schema-engine.js';
import { createScratchDatabase } from '../scripts/scratch-database.js';
import { type PruneReport, pruneEventLog } from '../src/partitions/prune.js';
import { count, median, ms, percentile, ratio, table } from './support/stats.js';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('p1-prune needs DATABASE_URL, a PostgreSQL server where it may create a database.');
  process.exit(1);
}
const entries = Number(process.env.P1_ENTRIES ?? 400_000);
const rounds = Number(process.env.P1_ROUNDS ?? 5);
const progress = (line: string) => process.stderr.write(`${line}\n`);
const month = { from: '2024-03-01T00:00:00Z', to: '2024-04-01T00:00:00Z' };
/** Two later months stay in both tables, so that the DELETE has other rows around it. */
const later = [
  { name: 'event_log_p2024_04', from: '2024-04-01T00:00:00Z', to: '2024-05-01T00:00:00Z' },
  { name: 'event_log_p2024_05', from: '2024-05-01T00:00:00Z', to: '2024-06-01T00:00:00Z' },
];

/** Entries shaped as the capture triggers write them, spread evenly over [from, to). */
const fill = (target: string, from: string, to: string, n: number) =>
  `INSERT INTO ${target} ("timestamp", "actorId", "actorName", tool, action, "objectType", "objectId", template, message, "values", changes, context)
   SELECT timestamptz '${from}' + (timestamptz '${to}' - timestamptz '${from}') * (g - 1) / ${n},
          (1 + g % 3)::text, 'Bench user', 'certificate',
          CASE WHEN g % 10 = 0 THEN 'create' ELSE 'update' END, 'Certificate', (1 + g % 1000)::text,
          'Certificate {certificate__name} was updated.', 'Certificate ' || g || ' was updated.',
          jsonb_build_object('certificate', jsonb_build_object('id', 1 + g % 1000, 'name', 'Certificate ' || g)),
          jsonb_build_object('old_value', jsonb_build_object('notes', 'before ' || g), 'new_value', jsonb_build_object('notes', 'after ' || g)),
          jsonb_build_object('requestId', md5(g::text))
   FROM generate_series(1, ${n}) AS g`;

const scratch = await createScratchDatabase(serverUrl, 'pel_bench_prune');
const database = await openDatabase({ databaseUrl: scratch.url, poolSize: 2 });
const sql = new pg.Client({ connectionString: scratch.url });
const single = new pg.Client({ connectionString: scratch.url, options: '-c search_path=single' });
const dir = await mkdtemp(join(os.tmpdir(), 'pel-bench-prune-'));
try {
  await applyMigrations(database.adapterFactory);
  await sql.connect();
  await single.connect();
  const query = async (text: string, values: unknown[]) => (await sql.query(text, values)).rows;
  const singleQuery = async (text: string, values: unknown[]) =>
    (await single.query(text, values)).rows;
  // Month partitions only, as a new install has them (an upgraded one may also keep the
  // partition of everything before the upgrade).
  await sql.query('DROP TABLE IF EXISTS event_log_before_partitioning');
  await sql.query('CREATE SCHEMA single');
  await sql.query(
    'CREATE TABLE single.event_log (LIKE public.event_log INCLUDING DEFAULTS INCLUDING INDEXES)',
  );
  for (const part of later) {
    await sql.query(
      `CREATE TABLE ${part.name} PARTITION OF event_log FOR VALUES FROM ('${part.from}') TO ('${part.to}')`,
    );
    await sql.query(fill('event_log', part.from, part.to, entries / 2));
    await sql.query(fill('single.event_log', part.from, part.to, entries / 2));
  }
  const { rows: indexes } = await sql.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_indexes WHERE schemaname = 'single' AND tablename = 'event_log'`,
  );
  progress(`P1: ${scratch.name}; single.event_log has ${indexes[0]?.n} indexes, as event_log`);

  /** Puts the month back: a partition of the partitioned table, rows of the single one. */
  const refill = async (variant: Variant) => {
    if (variant === 'drop') {
      await sql.query(
        `CREATE TABLE event_log_p2024_03 PARTITION OF event_log FOR VALUES FROM ('${month.from}') TO ('${month.to}')`,
      );
      await sql.query(fill('event_log', month.from, month.to, entries));
      await sql.query('VACUUM ANALYZE event_log_p2024_03');
    } else {
      await sql.query(fill('single.event_log', month.from, month.to, entries));
      await sql.query('VACUUM ANALYZE single.event_log');
    }
    // As old data is: written out, hint bits set, vacuumed.
    await sql.query('CHECKPOINT');
  };
  type Variant = 'drop' | 'delete' | 'trim';
  const variants: Variant[] = ['drop', 'delete', 'trim'];
  const run: Record<Variant, () => Promise<{ removed: number; report?: PruneReport }>> = {
    drop: async () => {
      const report = await pruneEventLog(query, { before: month.to });
      return { removed: report.removed, report };
    },
    delete: async () => {
      const result = await sql.query(
        `DELETE FROM single.event_log WHERE "timestamp" >= $1 AND "timestamp" < $2`,
        [month.from, month.to],
      );
      return { removed: result.rowCount ?? 0 };
    },
    trim: async () => {
      const report = await pruneEventLog(singleQuery, { before: month.to });
      return { removed: report.removed, report };
    },
  };
  const samples: Record<Variant, number[]> = { drop: [], delete: [], trim: [] };
  const dropPhase: number[] = [];
  /** The VACUUM of the single table right after its DELETE: the work a DELETE leaves behind. */
  const vacuum: number[] = [];
  const perRound: Record<Variant, number>[] = [];
  const loadBefore = os.loadavg();
  for (let round = 0; round < rounds; round++) {
    // Rotate the order, so that a busy moment or a warm cache favours none.
    const order = [...variants.slice(round % 3), ...variants.slice(0, round % 3)];
    const times = {} as Record<Variant, number>;
    for (const variant of order) {
      await refill(variant);
      const started = performance.now();
      const { removed, report } = await run[variant]();
      times[variant] = performance.now() - started;
      if (removed !== entries) throw new Error(`P1 ${variant}: removed ${removed} of ${entries}`);
      if (variant === 'drop') {
        const dropped = report?.partitions.find((p) => p.partition === 'event_log_p2024_03');
        if (dropped?.action !== 'drop') throw new Error('P1 drop: the month was not dropped');
      }
      samples[variant].push(times[variant]);
      if (variant === 'delete') {
        const started = performance.now();
        await sql.query('VACUUM single.event_log');
        vacuum.push(performance.now() - started);
      }
    }
    perRound.push(times);
    progress(
      `P1 round ${round + 1}/${rounds}: drop ${ms(times.drop)} ms, DELETE ${ms(times.delete)} ms, batched trim ${ms(times.trim)} ms`,
    );
  }
  // The DROP TABLE statement alone, the time it holds event_log's ACCESS EXCLUSIVE lock at most.
  for (let i = 0; i < 3; i++) {
    await refill('drop');
    const started = performance.now();
    await sql.query('DROP TABLE event_log_p2024_03');
    dropPhase.push(performance.now() - started);
  }

  const exportRows: string[][] = [];
  for (const format of ['ndjson', 'csv'] as const) {
    await refill('drop');
    let exportMs = 0;
    const report = await pruneEventLog(query, {
      before: month.to,
      export: { dir: join(dir, format), format },
      onProgress: (event) => {
        if (event.phase === 'export' && event.done) exportMs = event.elapsedMs;
      },
    });
    const file = report.partitions.find((p) => p.file)?.file as string;
    const bytes = (await stat(file)).size;
    exportRows.push([
      format,
      count(report.removed),
      ms(exportMs),
      count((report.removed / exportMs) * 1000),
      `${(bytes / 1024 / 1024).toFixed(0)} MiB`,
    ]);
    progress(`P1 export ${format}: ${count(report.removed)} rows in ${ms(exportMs)} ms`);
  }
  const loadAfter = os.loadavg();
  const ratioOf = (variant: Variant) =>
    median(perRound.map((times) => (times[variant] as number) / times.drop));
  const { rows: version } = await sql.query('SHOW server_version');
  const row = (variant: Variant, name: string) => [
    name,
    count(entries),
    ms(median(samples[variant])),
    ms(percentile(samples[variant], 90)),
    ms(Math.min(...samples[variant])),
    ratio(ratioOf(variant)),
  ];
  console.log(`### P1: dropping a month against deleting it

${count(entries)} entries in March 2024 (and ${count(entries)} in the two months after it, which stay), PostgreSQL ${version[0]?.server_version}, ${os.cpus().length} cores; ${rounds} rounds, the order rotating, each variant on a month refilled, vacuumed and checkpointed just before. Milliseconds for the whole call; load average ${loadBefore[0]?.toFixed(1)} → ${loadAfter[0]?.toFixed(1)}.

${table(
  ['variant', 'entries removed', 'p50 ms', 'p90 ms', 'min ms', '÷ drop (per round, median)'],
  [
    row('drop', 'pruneEventLog, partitioned: DROP TABLE of the month'),
    row('delete', 'one DELETE … WHERE timestamp in the month, single table'),
    row('trim', 'pruneEventLog, single table: DELETEs of 5 000'),
  ],
)}

A DROP TABLE of the month alone, the longest event_log is locked, took ${ms(median(dropPhase))} ms (median of 3); the rest of the call counts the month twice (before, then under a SHARE lock of the partition alone, to check that nothing was written into it). The DELETE leaves ${count(entries)} dead rows in the table and its indexes: the VACUUM right after it took ${ms(median(vacuum))} ms (p50), and the table's files do not shrink; a dropped month's files are gone.

Export before the drop (one file, keyset batches of 5 000, flushed and renamed):

${table(['format', 'rows', 'ms', 'rows/s', 'file'], exportRows)}`);
} finally {
  await single.end().catch(() => {});
  await sql.end().catch(() => {});
  await database.close().catch(() => {});
  await scratch.drop();
  await rm(dir, { recursive: true, force: true });
}
