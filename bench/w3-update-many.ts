// W3: one `updateMany` of 1 000 rows through the Prisma client, in this process: on the
// logged database (capture triggers; the call inside `withEventLogContext`, as a script
// would run it) and on the unlogged one, in interleaved rounds.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { PrismaClient } from '../example/generated/prisma/client.js';
import { withEventLogContext } from '../src/capture/index.js';
import { census, summarize } from './support/census.js';
import { measureCpu } from './support/cpu.js';
import {
  type ExplainTimes,
  explainTimes,
  type FunctionTime,
  functionProfile,
} from './support/explain.js';
import { median } from './support/stats.js';
import { type W1Variant, w1Variants } from './w1-schema.js';

export interface W3Options {
  rounds: number;
  warmup: number;
}

export interface W3Target {
  prisma: PrismaClient;
  sql: pg.Client;
  /** Consecutive certificate ids: one updateMany changes all of them. */
  ids: number[];
}

export interface W3Report {
  rows: number;
  rounds: { variant: W1Variant; round: number; ms: number }[];
  /** CPU of all PostgreSQL processes per call, ms: the total over the rounds / rounds. */
  postgresCpuMs: Record<W1Variant, number>;
  statements: Record<W1Variant, string[]>;
  /** The recorded UPDATE under EXPLAIN ANALYZE, on the variant's database. */
  explain: Record<W1Variant, ExplainTimes>;
  /** The logged updateMany's PL/pgSQL functions, per call; null without a superuser. */
  functions: FunctionTime[] | null;
  /** `event_log` rows one call added. */
  entriesPerCall: Record<W1Variant, number>;
}

export async function runW3(
  targets: Record<W1Variant, W3Target>,
  options: W3Options,
  progress: (line: string) => void,
): Promise<W3Report> {
  let call = 0;
  const updateMany = async (variant: W1Variant) => {
    const { prisma, ids } = targets[variant];
    call += 1;
    const write = () =>
      prisma.certificate.updateMany({
        where: { id: { gte: ids[0] as number, lte: ids[ids.length - 1] as number } },
        data: { notes: `bulk update #${call}` },
      });
    const { count } =
      variant === 'logged'
        ? await withEventLogContext({ actor: null, tool: 'bench-bulk' }, write)
        : await write();
    if (count !== ids.length) throw new Error(`W3 ${variant}: updated ${count} of ${ids.length}`);
  };
  const countEntries = async (variant: W1Variant) =>
    Number(
      (await targets[variant].sql.query<{ n: string }>('SELECT count(*) AS n FROM event_log'))
        .rows[0]?.n,
    );

  const statements = {} as W3Report['statements'];
  const entriesPerCall = {} as W3Report['entriesPerCall'];
  const explain = {} as W3Report['explain'];
  let functions: FunctionTime[] | null = null;
  for (const variant of w1Variants) {
    const before = await countEntries(variant);
    const recorded = await census(() => updateMany(variant));
    statements[variant] = recorded.map((statement) => summarize(statement.text));
    entriesPerCall[variant] = (await countEntries(variant)) - before;
    const update = recorded.find((statement) => /^\s*UPDATE\b/.test(statement.text));
    if (!update) throw new Error(`W3 ${variant}: the census saw no UPDATE`);
    explain[variant] = await explainTimes(targets[variant].sql, update, 5);
    if (variant === 'logged') functions = await functionProfile(targets.logged.sql, update, 3);
    progress(
      `W3 ${variant}: ${recorded.length} SQL statements, ${entriesPerCall[variant]} entries per updateMany`,
    );
  }
  for (let index = 0; index < options.warmup; index += 1) {
    for (const variant of w1Variants) await updateMany(variant);
  }
  const rounds: W3Report['rounds'] = [];
  // /proc counts CPU in ticks of 10 ms: summed over the rounds, then divided.
  const postgresCpuMs = { logged: 0, unlogged: 0 };
  for (let round = 0; round < options.rounds; round += 1) {
    for (const variant of round % 2 ? [...w1Variants].reverse() : w1Variants) {
      let ms = 0;
      const { postgresMs } = await measureCpu(process.pid, async () => {
        const started = performance.now();
        await updateMany(variant);
        ms = performance.now() - started;
      });
      rounds.push({ variant, round, ms });
      postgresCpuMs[variant] += postgresMs / options.rounds;
    }
  }
  const medianOf = (variant: W1Variant) =>
    median(rounds.filter((entry) => entry.variant === variant).map((entry) => entry.ms));
  progress(
    `W3 median: logged ${medianOf('logged').toFixed(1)} ms, unlogged ${medianOf('unlogged').toFixed(1)} ms`,
  );
  return {
    rows: targets.logged.ids.length,
    rounds,
    statements,
    explain,
    functions,
    entriesPerCall,
    postgresCpuMs,
  };
}

/** Median over rounds of logged ms / unlogged ms within a round. */
export function w3Ratio(report: W3Report) {
  const ratios: number[] = [];
  for (const round of report.rounds) {
    if (round.variant !== 'logged') continue;
    const other = report.rounds.find(
      (entry) => entry.variant === 'unlogged' && entry.round === round.round,
    );
    if (other) ratios.push(round.ms / other.ms);
  }
  return median(ratios);
}
