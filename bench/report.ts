// The printed results: Markdown tables, as pasted into bench/README.md.
import os from 'node:os';
import type pg from 'pg';
import type { R1Report } from './r1-reads.js';
import { type W1Variant, w1Variants } from './servers/index.js';
import { count, ms, ratio, table } from './support/stats.js';
import { type W1Options, type W1Report, type W1Round, w1Median, w1Ratio } from './w1-mutations.js';
import { type W2Report, w2Variants } from './w2-service.js';

const verdict = (value: number, limit: number) =>
  Number.isFinite(value) ? (value <= limit ? 'met' : 'missed') : '-';
const mb = (kb: number) => (Number.isFinite(kb) ? (kb / 1024).toFixed(0) : '-');

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
  ].join('\n');
}

const labels: Record<W1Variant, string> = {
  none: 'no logging',
  plugin: 'plugin',
  'hand-written': 'hand-written log()',
  trigger: 'trigger',
};

export function w1Report(report: W1Report, options: W1Options): string {
  const sections: string[] = [];
  for (const { concurrency, rounds, roundMs } of options.phases) {
    const rows = w1Variants.map((variant) => {
      const measures = report.rounds.filter(
        (round) => round.variant === variant && round.concurrency === concurrency,
      );
      const median = (measure: (round: W1Round) => number) =>
        w1Median(report, variant, concurrency, measure);
      return [
        labels[variant],
        String(report.statements[variant].length),
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
    const cpu = (round: W1Round) => round.serverCpuMs + round.postgresCpuMs;
    const ratios = (
      [
        ['plugin', 'none', 1.25],
        ['plugin', 'hand-written', 1.1],
        ['plugin', 'trigger', 1.3],
        ['hand-written', 'none', null],
        ['trigger', 'none', null],
      ] as const
    ).map(([variant, other, limit]) => {
      const value = w1Ratio(report, variant, other, concurrency);
      return [
        `${labels[variant]} / ${labels[other]}`,
        ratio(value),
        limit === null ? '' : `≤ ${limit.toFixed(2)}×`,
        limit === null ? '' : verdict(value, limit),
        ratio(w1Ratio(report, variant, other, concurrency, cpu)),
      ];
    });
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
      table(['ratio', 'p50', 'target', '', 'CPU (server + PostgreSQL)'], ratios),
      '',
    );
  }
  sections.push(
    'Each value is the median over the rounds; each ratio the median over rounds of the ratio within a round. CPU: user + system time from /proc, per update.',
    '',
    'SQL statements of one update, in order:',
    '',
    table(
      ['#', ...w1Variants.map((variant) => labels[variant])],
      Array.from(
        { length: Math.max(...w1Variants.map((variant) => report.statements[variant].length)) },
        (_, index) => [
          String(index + 1),
          ...w1Variants.map((variant) => report.statements[variant][index] ?? ''),
        ],
      ),
    ),
    '',
    'The trigger’s INSERT runs inside the UPDATE, so it is no statement of its own.',
  );
  return ['## W1: one update over HTTP', '', ...sections].join('\n');
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
