// The printed results: Markdown tables, as pasted into bench/README.md.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { R1Report } from './r1-reads.js';
import type { ExplainTimes, FunctionTime } from './support/explain.js';
import { count, median, ms, ratio, table } from './support/stats.js';
import { type W1Options, type W1Report, type W1Round, w1Median, w1Ratio } from './w1-mutations.js';
import { type W1Variant, w1Variants } from './w1-schema.js';
import { type W2Report, w2Variants } from './w2-service.js';
import { type W3Report, w3Ratio } from './w3-update-many.js';

const verdict = (value: number, limit: number) =>
  Number.isFinite(value) ? (value <= limit ? 'met' : 'missed') : '-';
const mb = (kb: number) => (Number.isFinite(kb) ? (kb / 1024).toFixed(0) : '-');

/** The commit of the working tree (`+ changes` when it has some) and the migrations, hashed. */
async function codeVersion(): Promise<string[]> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'src', 'prisma', 'example')
    ? ' + uncommitted changes in src/, prisma/ or example/'
    : '';
  const migrations = join(root, 'prisma/migrations');
  const names = (await readdir(migrations, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const hashes = await Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(migrations, name, 'migration.sql'));
      return `${name} (sha256 ${createHash('sha256').update(text).digest('hex').slice(0, 12)})`;
    }),
  );
  return [`- Code: commit ${commit}${dirty}; migrations ${hashes.join(', ')}`];
}

export async function machineReport(sql: pg.Client): Promise<string> {
  const setting = async (name: string) =>
    (await sql.query<{ value: string }>(`SELECT current_setting($1) AS value`, [name])).rows[0]
      ?.value;
  const version = (await sql.query<{ version: string }>('SELECT version()')).rows[0]?.version;
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    '## Machine',
    '',
    `- ${os.availableParallelism()} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Linux ${os.release()}`,
    `- Node ${process.version}; ${version?.split(' on ')[0]} on the same machine (shared_buffers ${await setting('shared_buffers')}, synchronous_commit ${await setting('synchronous_commit')})`,
    `- Load generator, servers and PostgreSQL share the ${os.availableParallelism()} cores.`,
    ...(await codeVersion()),
  ].join('\n');
}

const labels: Record<W1Variant, string> = { unlogged: 'unlogged', logged: 'logged' };

export function w1Report(report: W1Report, options: W1Options): string {
  const sections: string[] = [];
  const cpu = (round: W1Round) => round.serverCpuMs + round.postgresCpuMs;
  for (const { concurrency, rounds, roundMs } of options.phases) {
    const rows = w1Variants.map((variant) => {
      const measures = report.rounds.filter(
        (round) => round.variant === variant && round.concurrency === concurrency,
      );
      const median = (measure: (round: W1Round) => number) =>
        w1Median(report, variant, concurrency, measure);
      return [
        labels[variant],
        String(report.statements[variant].summary.length),
        ms(median((round) => round.p50)),
        ms(median((round) => round.p99)),
        count(median((round) => round.perSecond)),
        ms(median((round) => round.serverCpuMs)),
        ms(median((round) => round.postgresCpuMs)),
        count(measures.reduce((sum, round) => sum + round.requests, 0)),
        String(measures.reduce((sum, round) => sum + round.errors, 0)),
        `${mb(report.idleRssKb[variant])} → ${mb(Math.max(...measures.map((round) => round.peakRssKb)))}`,
      ];
    });
    const p50 = w1Ratio(report, 'logged', 'unlogged', concurrency, (round) => round.p50);
    // Throughput as a cost: unlogged updates/s over logged updates/s.
    const throughput = w1Ratio(
      report,
      'unlogged',
      'logged',
      concurrency,
      (round) => round.perSecond,
    );
    sections.push(
      `### Concurrency ${concurrency}: ${rounds} interleaved rounds of ${roundMs / 1000} s per variant, ${report.rowsPerVariant} rows each`,
      '',
      table(
        [
          'variant',
          'SQL statements',
          'p50 ms',
          'p99 ms',
          'updates/s',
          'server CPU ms/update',
          'PostgreSQL CPU ms/update',
          'requests',
          'errors',
          'server RSS MB (idle → peak)',
        ],
        rows,
      ),
      '',
      table(
        ['logged / unlogged', 'ratio', 'target', ''],
        [
          ['p50', ratio(p50), '≤ 1.15×', verdict(p50, 1.15)],
          [
            'throughput (unlogged updates/s ÷ logged)',
            ratio(throughput),
            '≤ 1.15×',
            verdict(throughput, 1.15),
          ],
          [
            'CPU per update (server + PostgreSQL)',
            ratio(w1Ratio(report, 'logged', 'unlogged', concurrency, cpu)),
            '',
            '',
          ],
        ],
      ),
      '',
    );
  }
  const { logged, unlogged } = report.statements;
  sections.push(
    'Each value is the median over the rounds; each ratio the median over rounds of the ratio within a round. CPU: user + system time from /proc, per update (PostgreSQL: all its processes).',
    '',
    `Statement census (every statement the server process sends, recorded at \`pg.Client.prototype.query\`), one update: unlogged ${unlogged.summary.length} statements (${count(unlogged.bytes)} bytes of SQL), logged ${logged.summary.length} (${count(logged.bytes)} bytes: the same statements, the UPDATE with the context comment).`,
    '',
    table(
      ['#', 'unlogged', 'logged'],
      Array.from(
        { length: Math.max(unlogged.summary.length, logged.summary.length) },
        (_, index) => [
          String(index + 1),
          unlogged.summary[index] ?? '',
          logged.summary[index] ?? '',
        ],
      ),
    ),
    '',
    explainLine('the UPDATE', report.explain, 30),
    '',
    functionTable('logged UPDATE', report.functions, 30),
    '',
    `\`event_log\` rows added during W1 (warm-up and census included): logged ${count(report.entries.logged.added)} for ${count(report.entries.logged.updates)} successful updates, unlogged ${count(report.entries.unlogged.added)} for ${count(report.entries.unlogged.updates)}.`,
  );
  return ['## W1: one update over HTTP, logged / unlogged', '', ...sections].join('\n');
}

function explainLine(what: string, explain: Record<W1Variant, ExplainTimes>, repeats: number) {
  const { logged, unlogged } = explain;
  return `\`EXPLAIN (ANALYZE)\` of ${what} as recorded (comment and parameters included), median of ${repeats}, each rolled back, on its variant's database: execution unlogged ${ms(unlogged.executionMs)} ms, logged ${ms(logged.executionMs)} ms, of which triggers ${ms(logged.triggerMs)} ms (planning ${ms(unlogged.planningMs)} and ${ms(logged.planningMs)} ms).`;
}

function functionTable(what: string, functions: FunctionTime[] | null, repeats: number) {
  if (!functions)
    return `No function profile of the ${what}: \`track_functions\` needs a superuser.`;
  const total = functions.reduce((sum, fn) => sum + fn.selfMs, 0);
  return [
    `PL/pgSQL functions of the ${what} (\`pg_stat_user_functions\`, \`track_functions = 'pl'\`, mean of ${repeats} rolled-back runs; inlined SQL functions count as their caller's time):`,
    '',
    table(
      ['function', 'calls', 'total ms', 'self ms', 'self share'],
      functions.map((fn) => [
        fn.name,
        count(fn.calls),
        ms(fn.totalMs),
        ms(fn.selfMs),
        `${((fn.selfMs / total) * 100).toFixed(0)} %`,
      ]),
    ),
  ].join('\n');
}

export function w3Report(report: W3Report): string {
  const rounds = report.rounds.length / w1Variants.length;
  const of = (variant: W1Variant, measure: (round: W3Report['rounds'][number]) => number) =>
    median(report.rounds.filter((round) => round.variant === variant).map(measure));
  const row = (variant: W1Variant) => [
    labels[variant],
    report.statements[variant].join(' → '),
    count(report.entriesPerCall[variant]),
    ms(of(variant, (round) => round.ms)),
    ms(report.postgresCpuMs[variant]),
    ms(of(variant, (round) => round.ms) / report.rows),
  ];
  return [
    `## W3: updateMany of ${count(report.rows)} rows`,
    '',
    `\`prisma.certificate.updateMany\` of ${count(report.rows)} certificates (an id range, new \`notes\`), from the bench process; logged inside \`withEventLogContext({ actor: null, tool })\`. ${rounds} interleaved rounds; medians.`,
    '',
    table(
      [
        'variant',
        'statements',
        'entries per call',
        'ms per call',
        'PostgreSQL CPU ms',
        'ms per row',
      ],
      w1Variants.map(row),
    ),
    '',
    table(
      ['logged / unlogged', 'ratio'],
      [
        ['time per call (median of the ratios within a round)', ratio(w3Ratio(report))],
        [
          'PostgreSQL CPU per call (of the totals)',
          ratio(report.postgresCpuMs.logged / report.postgresCpuMs.unlogged),
        ],
      ],
    ),
    '',
    explainLine('the updateMany', report.explain, 5),
    '',
    functionTable('logged updateMany', report.functions, 3),
  ].join('\n');
}

export function w2Report(report: W2Report, roundMs: number): string {
  const rounds = report.rounds.length / w2Variants.length;
  return [
    '## W2: EventLogService alone',
    '',
    `${rounds} interleaved rounds of ${roundMs / 1000} s per way; median entries/s. One entry: an updated certificate (name, notes, one of three items), values with two row references, context.`,
    '',
    table(
      ['way', 'entries/s', 'per entry ms'],
      w2Variants.map((variant) => [
        variant,
        count(report.perSecond[variant]),
        ms(1000 / report.perSecond[variant]),
      ]),
    ),
  ].join('\n');
}

export function r1Report(report: R1Report): string {
  const levels = [...new Set(report.measures.map((measure) => measure.level))];
  const largest = Math.max(...levels);
  const rows = report.measures.map((measure) => [
    count(measure.level),
    measure.query,
    ms(measure.http.p50),
    ms(measure.http.p99),
    ms(measure.raw.p50),
    ms(measure.raw.p99),
    ms(measure.rawLog.p50),
    ratio(measure.http.p50 / measure.raw.p50),
    measure.errors ? `${measure.errors} errors` : '',
  ]);
  const at = (query: string) =>
    report.measures.find((measure) => measure.level === largest && measure.query === query);
  const page = at('certificate.eventLog(first: 20)');
  const toolPage = at('eventLogs(tool, first: 20)');
  const total = at('eventLogs(tool) { totalCount }');
  const targets = [
    [
      `certificate.eventLog first page p50 at ${count(largest)}`,
      `${ms(page?.http.p50 ?? Number.NaN)} ms`,
      '≤ 5 ms',
      verdict(page?.http.p50 ?? Number.NaN, 5),
    ],
    [
      `eventLogs(tool) first page p50 at ${count(largest)}`,
      `${ms(toolPage?.http.p50 ?? Number.NaN)} ms`,
      '≤ 5 ms',
      verdict(toolPage?.http.p50 ?? Number.NaN, 5),
    ],
    ...[page, toolPage].map((measure) => {
      const value = measure ? measure.http.p50 / measure.raw.p50 : Number.NaN;
      return [`${measure?.query} HTTP / raw SQL`, ratio(value), '≤ 1.20×', verdict(value, 1.2)];
    }),
    [
      `totalCount p50 at ${count(largest)}`,
      `${ms(total?.http.p50 ?? Number.NaN)} ms`,
      '≤ 50 ms',
      verdict(total?.http.p50 ?? Number.NaN, 50),
    ],
  ];
  const explain = report.explain
    .filter((entry) => entry.level === largest)
    .map((entry) => [`${entry.query}:`, '```', ...entry.plan, '```'].join('\n'));
  return [
    '## R1: reads',
    '',
    table(
      ['entries', 'table size', 'insert + VACUUM ANALYZE s'],
      levels.map((level) => [
        count(level),
        report.tableSize[level] ?? '',
        (report.insertSeconds[level] ?? Number.NaN).toFixed(1),
      ]),
    ),
    '',
    'Sequential requests (x-user-id: 1) to the example server; "raw": every SQL statement the request sent, replayed in order through `pg` on one connection; "event_log SQL": its `event_log` statements alone.',
    '',
    table(
      [
        'entries',
        'query',
        'HTTP p50',
        'HTTP p99',
        'raw p50',
        'raw p99',
        'event_log SQL p50',
        'HTTP / raw',
        '',
      ],
      rows,
    ),
    '',
    table(['target', 'measured', 'target', ''], targets),
    '',
    'SQL statements per request:',
    '',
    table(
      ['query', 'statements'],
      Object.entries(report.statements).map(([query, statements]) => [
        query,
        statements.join(' → '),
      ]),
    ),
    '',
    `EXPLAIN (ANALYZE, BUFFERS) of the event_log statements at ${count(largest)} entries:`,
    '',
    ...explain,
  ].join('\n');
}
