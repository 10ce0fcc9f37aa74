// `npm run bench`: W1, W2 and R1 (see bench/README.md) on a fresh PostgreSQL database,
// `pel_bench_<random>` on the server of DATABASE_URL, dropped at the end. The results
// go to stdout as Markdown, progress to stderr.
//   BENCH_QUICK=1       smaller sizes and shorter rounds, to iterate
//   BENCH_ONLY=w1,r1    run a subset of w1, w2, r1
//   BENCH_KEEP=1        keep the database
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { type R1Options, runR1 } from './r1-reads.js';
import { machineReport, r1Report, w1Report, w2Report } from './report.js';
import { addCertificates, createBenchDatabase } from './support/database.js';
import { runW1, type W1Options } from './w1-mutations.js';
import { runW2, type W2Options } from './w2-service.js';

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
  (process.env.BENCH_ONLY ?? 'w1,w2,r1').split(',').map((part) => part.trim().toLowerCase()),
);
// Many short rounds: other load on the machine then hits every variant alike.
const w1: W1Options = quick
  ? { phases: [{ concurrency: 8, rounds: 3, roundMs: 1000 }], warmupMs: 1000 }
  : {
      phases: [
        { concurrency: 8, rounds: 15, roundMs: 2000 },
        { concurrency: 1, rounds: 10, roundMs: 2000 },
      ],
      warmupMs: 3000,
    };
const w2: W2Options = quick ? { rounds: 2, roundMs: 1000 } : { rounds: 5, roundMs: 3000 };
const r1: R1Options = quick
  ? { levels: [10_000, 100_000], requests: 100, warmup: 50, argumentSets: 20 }
  : { levels: [10_000, 100_000, 1_000_000], requests: 200, warmup: 100, argumentSets: 20 };

const progress = (line: string) => console.error(`  ${line}`);
const started = performance.now();
const loadBefore = os.loadavg();
const bench = await createBenchDatabase(serverUrl);
progress(`database ${bench.name} created and migrated`);
// Ctrl-C: the servers end with their IPC channel; the database is dropped.
process.once('SIGINT', () => {
  progress('interrupted');
  bench.drop().finally(() => process.exit(130));
});
const sections: string[] = [];
try {
  sections.push(await machineReport(bench.sql));
  // 1000 certificates: 4 × 200 for W1, and the objects of R1's entries.
  const certificateIds = await addCertificates(bench.sql, 1000);
  if (only.has('w1')) {
    const report = await runW1(bench.url, bench.sql, certificateIds.slice(0, 800), w1, progress);
    sections.push(w1Report(report, w1));
  }
  if (only.has('w2')) {
    const report = await runW2(bench.database.prisma, bench.sql, w2, progress);
    sections.push(w2Report(report, w2.roundMs));
  }
  if (only.has('r1')) {
    const report = await runR1(bench.url, bench.sql, r1, progress);
    sections.push(r1Report(report));
  }
} finally {
  if (process.env.BENCH_KEEP === '1') {
    await bench.sql.end();
    await bench.database.close();
    progress(`kept ${bench.name}`);
  } else {
    await bench.drop();
    progress(`database ${bench.name} dropped`);
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
