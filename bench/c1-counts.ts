// C1: what a `totalCount` costs with `maxExactCount` (issue 15), exact against bounded, on a
// log of 1M entries of one tool. Each count runs through the library's own read functions
// (findEventLogs, the batched t.eventLog() counts) with the example's Prisma client over
// @prisma/adapter-pg, as a server sends it; exact and bounded alternate within every round.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/c1-counts.ts
//
// C1_ENTRIES (default 1000000) and C1_ROUNDS (default 15) change the size and the rounds.
// Markdown on stdout, progress on stderr. About a minute: most of it is the INSERT.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase } from '../example/database.js';
import { applyMigrations } from '../scripts/schema-engine.js';
import { createScratchDatabase } from '../scripts/scratch-database.js';
import type { ResolvedOptions } from '../src/options.js';
import { boundedCount, findEventLogs } from '../src/read/find-event-logs.js';
import { objectPageLoaders } from '../src/read/object-pages.js';
import type { PageRequest } from '../src/read/pagination.js';
import type { EventLogPrismaClient } from '../src/types.js';
import { census } from './support/census.js';
import { count, median, ms, percentile, ratio, table } from './support/stats.js';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error(
    'c1-counts needs DATABASE_URL, a PostgreSQL server where it may create a database.',
  );
  process.exit(1);
}
const entries = Number(process.env.C1_ENTRIES ?? 1_000_000);
const rounds = Number(process.env.C1_ROUNDS ?? 15);
const bound = 10_000;
/** The objects the 1M entries are about: a list of 20 parents, 50k entries each. */
const objects = 20;
const progress = (line: string) => process.stderr.write(`${line}\n`);

const scratch = await createScratchDatabase(serverUrl, 'pel_bench_c1');
const database = await openDatabase({ databaseUrl: scratch.url, poolSize: 2 });
const sql = new pg.Client({ connectionString: scratch.url });
try {
  await applyMigrations(database.adapterFactory);
  await sql.connect();
  const started = performance.now();
  progress(`C1: inserting ${count(entries)} entries of tool "certificate" in ${scratch.name}…`);
  // One tool, spread over 20 objects, one entry a second; 10% more of another tool, so that
  // the tool filter has something to leave out.
  await sql.query(
    `INSERT INTO event_log ("timestamp", "actorId", "actorName", tool, action, "objectType", "objectId", template, message, "values", changes)
     SELECT now() - g * interval '1 second', (1 + g % 3)::text, 'Bench user',
            'certificate', CASE WHEN g % 10 = 0 THEN 'create' ELSE 'update' END,
            'Certificate', (1 + g % $2::int)::text,
            'Certificate {certificate__name} was updated.', 'Certificate ' || g || ' was updated.',
            '{}', jsonb_build_object('old_value', jsonb_build_object('name', 'a'), 'new_value', jsonb_build_object('name', 'b'))
     FROM generate_series(1, $1::int) AS g`,
    [entries, objects],
  );
  await sql.query(
    `INSERT INTO event_log (tool, action, "objectType", "objectId", template, message)
     SELECT 'user', 'update', 'User', (1 + g % 1000)::text, 'User {user__fullName} was updated.', 'User ' || g
     FROM generate_series(1, $1::int) AS g`,
    [Math.round(entries / 10)],
  );
  await sql.query('VACUUM ANALYZE event_log');
  progress(`C1: ready in ${ms((performance.now() - started) / 1000)} s; ${rounds} rounds…`);

  const client = database.prisma as unknown as EventLogPrismaClient;
  const page: PageRequest = { size: 20, direction: 'forward', after: null, before: null };
  const listCount = (maxExactCount: number | false) => () => {
    const loaders = objectPageLoaders({
      client: () => client,
      maxExactCount,
    } as unknown as ResolvedOptions)({});
    return Promise.all(
      Array.from({ length: objects }, async (_, i) =>
        boundedCount(
          await loaders.count.load({
            objectType: 'Certificate',
            objectId: String(i + 1),
            tool: null,
            action: null,
          }),
          maxExactCount,
        ),
      ),
    );
  };
  // What the batched counts were before maxExactCount: one Prisma groupBy, every entry counted.
  const groupByCount = () => () =>
    (database.prisma.eventLog.groupBy as unknown as (args: object) => Promise<unknown[]>)({
      by: ['objectId'],
      where: {
        objectType: 'Certificate',
        objectId: { in: Array.from({ length: objects }, (_, i) => String(i + 1)) },
      },
      _count: { _all: true },
    });
  const cases: {
    name: string;
    matches: number;
    run: (maxExactCount: number | false) => () => Promise<unknown>;
    before?: () => () => Promise<unknown>;
  }[] = [
    {
      name: 'eventLogs(tool: "certificate") { totalCount }',
      matches: entries,
      run: (maxExactCount: number | false) => () =>
        findEventLogs(client, { tool: 'certificate' }, page, maxExactCount).totalCount(),
    },
    {
      name: 'eventLogs { totalCount } (no filter)',
      matches: entries + Math.round(entries / 10),
      run: (maxExactCount: number | false) => () =>
        findEventLogs(client, {}, page, maxExactCount).totalCount(),
    },
    {
      name: `${objects} certificates { eventLog { totalCount } } (one batch)`,
      matches: entries,
      run: listCount,
      before: groupByCount,
    },
  ];

  const rows: string[][] = [];
  const plans: string[] = [];
  for (const test of cases) {
    const variants = {
      exact: test.run(false),
      bounded: test.run(bound),
      ...(test.before ? { before: test.before() } : {}),
    } as Record<string, () => Promise<unknown>>;
    const names = Object.keys(variants);
    const samples: Record<string, number[]> = { exact: [], bounded: [], before: [] };
    for (let round = -2; round < rounds; round++) {
      // Alternate which goes first, so that a warm cache or a busy moment favours none.
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const variant of order) {
        const start = performance.now();
        await variants[variant]?.();
        if (round >= 0) samples[variant]?.push(performance.now() - start);
      }
    }
    const bounded = test.run(bound);
    const answer = (await bounded()) as { value: number; exact: boolean }[] | { value: number };
    const statements = (await census(bounded)).filter(
      (statement) => !/^(BEGIN|COMMIT)/.test(statement.text),
    );
    const [statement] = statements;
    if (statements.length !== 1 || !statement) {
      throw new Error(`${test.name}: ${statements.length} statements, expected one.`);
    }
    const explained = await sql.query(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${statement.text}`,
      statement.values,
    );
    const plan = explained.rows
      .map((row) => row['QUERY PLAN'] as string)
      .filter((line) => /Scan|Limit|Aggregate|Sort/.test(line));
    plans.push(`${test.name}:\n${plan.map((line) => `    ${line}`).join('\n')}`);
    const exact = median(samples.exact as number[]);
    const boundedP50 = median(samples.bounded as number[]);
    rows.push([
      test.name,
      count(test.matches),
      ms(exact),
      ms(percentile(samples.exact as number[], 90)),
      ms(boundedP50),
      ms(percentile(samples.bounded as number[], 90)),
      ratio(exact / boundedP50),
      JSON.stringify(Array.isArray(answer) ? answer[0] : answer),
    ]);
    if (test.before) {
      const before = samples.before as number[];
      rows.push([
        '  the same, exact as before this change (one groupBy)',
        count(test.matches),
        ms(median(before)),
        ms(percentile(before, 90)),
        '-',
        '-',
        ratio(median(before) / boundedP50),
        '-',
      ]);
    }
    progress(`C1: ${test.name}: exact ${ms(exact)} ms, bounded ${ms(boundedP50)} ms`);
  }
  const { rows: version } = await sql.query('SHOW server_version');
  console.log(`### C1: totalCount, exact and bounded (maxExactCount: ${bound})

${count(entries)} entries of one tool over ${objects} objects (plus ${count(entries / 10)} of another), PostgreSQL ${version[0].server_version}; ${rounds} interleaved rounds after 2 of warm-up, milliseconds per count through the library's read functions and Prisma (adapter-pg).

${table(
  [
    'count',
    'matching',
    'exact p50',
    'exact p90',
    'bounded p50',
    'bounded p90',
    'exact ÷ bounded',
    'bounded answer',
  ],
  rows,
)}

The bounded statements' plans (EXPLAIN ANALYZE, one run):

\`\`\`text
${plans.join('\n')}
\`\`\``);
} finally {
  await sql.end().catch(() => {});
  await database.close().catch(() => {});
  await scratch.drop();
}
