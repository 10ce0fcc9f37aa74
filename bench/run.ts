// `npm run bench`: W1, W3, W2 and R1 (see bench/README.md) on two fresh PostgreSQL
// databases, `pel_bench_<random>` on the server of DATABASE_URL: "logged" with every
// migration (the capture triggers included), "unlogged" without the capture triggers;
// dropped at the end. The results go to stdout as Markdown, progress to stderr.
//   BENCH_QUICK=1       smaller sizes and shorter rounds, to iterate
//   BENCH_ONLY=w1,w3    run a subset of w1, w3, w2, r1, l1
//   BENCH_KEEP=1        keep the databases
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { type L1Options, l1Report, runL1 } from './l1-live-feed.js';
import { type R1Options, runR1 } from './r1-reads.js';
import { machineReport, r1Report, w1Report, w2Report, w3Report } from './report.js';
import { addCertificates, type BenchDatabase, createBenchDatabase } from './support/database.js';
import { runW1, type W1Options } from './w1-mutations.js';
import type { W1Variant } from './w1-schema.js';
import { runW2, type W2Options } from './w2-service.js';
import { runW3, type W3Options } from './w3-update-many.js';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error(
    'The benchmarks run on PostgreSQL: set DATABASE_URL to a server where they may create a database, e.g.\n' +
      '  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench',
  );
  process.exit(1);
}

const quick = process.env.BENCH_QUICK === '1';
const only = new Set(
  (process.env.BENCH_ONLY ?? 'w1,w3,w2,r1,l1').split(',').map((part) => part.trim().toLowerCase()),
);
// Many short rounds: other load on the machine then hits every variant alike.
const w1: W1Options = quick
  ? { phases: [{ concurrency: 8, rounds: 3, roundMs: 1000 }], warmupMs: 1000 }
  : {
      phases: [
        { concurrency: 8, rounds: 20, roundMs: 2000 },
        { concurrency: 1, rounds: 20, roundMs: 2000 },
      ],
      warmupMs: 3000,
    };
const w3: W3Options = quick ? { rounds: 3, warmup: 1 } : { rounds: 15, warmup: 2 };
const w2: W2Options = quick ? { rounds: 2, roundMs: 1000 } : { rounds: 5, roundMs: 3000 };
const r1: R1Options = quick
  ? { levels: [10_000, 100_000], requests: 100, warmup: 50, argumentSets: 20 }
  : { levels: [10_000, 100_000, 1_000_000], requests: 200, warmup: 100, argumentSets: 20 };

const l1: L1Options = quick
  ? { rounds: 2, roundMs: 1500, concurrency: 8, warmupMs: 1000 }
  : { rounds: 8, roundMs: 3000, concurrency: 8, warmupMs: 3000 };

const progress = (line: string) => console.error(`  ${line}`);
const started = performance.now();
const loadBefore = os.loadavg();
const databases: Partial<Record<W1Variant, BenchDatabase>> = {};
const dropAll = () => Promise.all(Object.values(databases).map((database) => database.drop()));
// Ctrl-C: the servers end with their IPC channel; the databases are dropped.
process.once('SIGINT', () => {
  progress('interrupted');
  dropAll().finally(() => process.exit(130));
});
const sections: string[] = [];
try {
  databases.logged = await createBenchDatabase(serverUrl, { capture: true });
  databases.unlogged = await createBenchDatabase(serverUrl, { capture: false });
  const { logged, unlogged } = databases as Record<W1Variant, BenchDatabase>;
  progress(`databases ${logged.name} (logged), ${unlogged.name} (unlogged) created and migrated`);
  sections.push(await machineReport(logged.sql));
  // 1000 certificates in each: 200 for W1, all for W3, the objects of R1's entries.
  const ids = {
    logged: await addCertificates(logged.sql, 1000),
    unlogged: await addCertificates(unlogged.sql, 1000),
  };
  if (only.has('w1')) {
    const target = (variant: W1Variant) => ({
      url: (databases[variant] as BenchDatabase).url,
      sql: (databases[variant] as BenchDatabase).sql,
      ids: ids[variant].slice(0, 200),
    });
    const report = await runW1(
      { logged: target('logged'), unlogged: target('unlogged') },
      w1,
      progress,
    );
    sections.push(w1Report(report, w1));
  }
  if (only.has('w3')) {
    const target = (variant: W1Variant) => ({
      prisma: (databases[variant] as BenchDatabase).database.prisma,
      sql: (databases[variant] as BenchDatabase).sql,
      ids: ids[variant],
    });
    const report = await runW3(
      { logged: target('logged'), unlogged: target('unlogged') },
      w3,
      progress,
    );
    sections.push(w3Report(report));
  }
  if (only.has('w2')) {
    const report = await runW2(logged.database.prisma, logged.sql, w2, progress);
    sections.push(w2Report(report, w2.roundMs));
  }
  if (only.has('r1')) {
    const report = await runR1(logged.url, logged.sql, r1, progress);
    sections.push(r1Report(report));
  }
  if (only.has('l1')) {
    const target = { databaseUrl: logged.url, sql: logged.sql, ids: ids.logged.slice(0, 200) };
    const report = await runL1(target, l1, progress);
    sections.push(l1Report(report, l1));
  }
} finally {
  if (process.env.BENCH_KEEP === '1') {
    for (const database of Object.values(databases)) {
      await database.sql.end();
      await database.database.close();
      progress(`kept ${database.name}`);
    }
  } else {
    await dropAll();
    progress('databases dropped');
  }
}
const minutes = (performance.now() - started) / 60_000;
const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
console.log(
  [
    `# pothos-eventlog benchmarks${quick ? ' (BENCH_QUICK)' : ''}`,
    ...sections,
    `Total time: ${minutes.toFixed(1)} min. Load average (1, 5, 15 min) at the start: ${load(loadBefore)}; at the end: ${load(os.loadavg())}.`,
  ].join('\n\n'),
);
