// W1: one update over HTTP, logged (capture triggers + the `eventLog` option) against
// unlogged (no triggers, no option), each server in its own process on its own database,
// in interleaved rounds.
import type pg from 'pg';
import { summarize } from './support/census.js';
import { type ServerChild, startServer } from './support/children.js';
import { measureCpu } from './support/cpu.js';
import {
  type ExplainTimes,
  explainTimes,
  type FunctionTime,
  functionProfile,
} from './support/explain.js';
import { type LoadOptions, rssKb, runLoad, withPeakRss } from './support/load.js';
import { median, percentile } from './support/stats.js';
import { type W1Variant, w1Variants } from './w1-schema.js';

export interface W1Options {
  /** One phase per concurrency: that many rounds of `roundMs` per variant. */
  phases: { concurrency: number; rounds: number; roundMs: number }[];
  warmupMs: number;
}

/** Where a variant runs: its database, a `pg` connection to it, the rows it updates. */
export interface W1Target {
  url: string;
  sql: pg.Client;
  ids: number[];
}

export interface W1Round {
  variant: W1Variant;
  concurrency: number;
  round: number;
  p50: number;
  p99: number;
  perSecond: number;
  requests: number;
  errors: number;
  firstError: string | null;
  peakRssKb: number;
  /** CPU time of the server process per update, ms. */
  serverCpuMs: number;
  /** CPU time of all PostgreSQL processes per update, ms. */
  postgresCpuMs: number;
}

export interface W1Report {
  rounds: W1Round[];
  /** One update's statements, summarized, and the bytes of their text. */
  statements: Record<W1Variant, { summary: string[]; bytes: number }>;
  /** The recorded UPDATE under EXPLAIN ANALYZE, on the variant's database. */
  explain: Record<W1Variant, ExplainTimes>;
  /** The logged UPDATE's PL/pgSQL functions, per update; null without a superuser. */
  functions: FunctionTime[] | null;
  idleRssKb: Record<W1Variant, number>;
  /** Successful updates sent (warm-up and census included) and `event_log` rows added. */
  entries: Record<W1Variant, { updates: number; added: number }>;
  rowsPerVariant: number;
}

const UPDATE = `mutation Update($id: Int!, $name: String!, $notes: String!) {
  updateCertificate(id: $id, name: $name, notes: $notes) { id name notes }
}`;

export async function runW1(
  targets: Record<W1Variant, W1Target>,
  options: W1Options,
  progress: (line: string) => void,
): Promise<W1Report> {
  const countEntries = async (variant: W1Variant) =>
    Number(
      (await targets[variant].sql.query<{ n: string }>('SELECT count(*) AS n FROM event_log'))
        .rows[0]?.n,
    );
  const entriesBefore = {} as Record<W1Variant, number>;
  for (const variant of w1Variants) entriesBefore[variant] = await countEntries(variant);
  const updates = { logged: 0, unlogged: 0 };

  const servers = new Map<W1Variant, ServerChild>();
  try {
    for (const variant of w1Variants) {
      servers.set(variant, await startServer(variant, targets[variant].url));
    }
    let sequence = 0;
    const load = async (
      variant: W1Variant,
      how: Pick<LoadOptions, 'concurrency' | 'durationMs' | 'requests'>,
    ) => {
      const { ids } = targets[variant];
      const result = await runLoad({
        ...how,
        url: (servers.get(variant) as ServerChild).url,
        body: (index) => {
          const id = ids[Math.floor(Math.random() * ids.length)] as number;
          sequence += 1;
          return JSON.stringify({
            query: UPDATE,
            operationName: 'Update',
            variables: {
              id,
              name: `Bench certificate ${id} #${sequence}`,
              notes: `notes ${index}`,
            },
          });
        },
        headers: { 'x-user-id': String((sequence % 3) + 1) },
      });
      updates[variant] += result.latencies.length - result.errors;
      return result;
    };

    const statements = {} as W1Report['statements'];
    const idleRssKb = {} as Record<W1Variant, number>;
    const explain = {} as Record<W1Variant, ExplainTimes>;
    let functions: FunctionTime[] | null = null;
    for (const [variant, server] of servers) {
      const recorded = await server.census(() => load(variant, { concurrency: 1, requests: 1 }));
      statements[variant] = {
        summary: recorded.map((statement) => summarize(statement.text)),
        bytes: recorded.reduce((sum, statement) => sum + Buffer.byteLength(statement.text), 0),
      };
      idleRssKb[variant] = await rssKb(server.pid);
      const update = recorded.find((statement) => /^\s*UPDATE\b/.test(statement.text));
      if (!update) throw new Error(`W1 ${variant}: the census saw no UPDATE`);
      explain[variant] = await explainTimes(targets[variant].sql, update, 30);
      if (variant === 'logged') functions = await functionProfile(targets.logged.sql, update, 30);
      progress(
        `W1 ${variant}: ${recorded.length} SQL statements per update; UPDATE executes in ${explain[variant].executionMs.toFixed(3)} ms (triggers ${explain[variant].triggerMs.toFixed(3)} ms)`,
      );
    }

    const rounds: W1Round[] = [];
    for (const { concurrency, rounds: roundCount, roundMs } of options.phases) {
      for (const variant of w1Variants) {
        const warm = await load(variant, { concurrency, durationMs: options.warmupMs });
        if (warm.errors) throw new Error(`W1 ${variant} failed: ${warm.firstError}`);
      }
      for (let round = 0; round < roundCount; round += 1) {
        // Alternate the order, so that neither variant always runs first.
        const order = round % 2 ? [...w1Variants].reverse() : w1Variants;
        for (const variant of order) {
          const server = servers.get(variant) as ServerChild;
          const {
            result: { result, serverMs, postgresMs },
            peakRssKb,
          } = await withPeakRss(server.pid, () =>
            measureCpu(server.pid, () => load(variant, { concurrency, durationMs: roundMs })),
          );
          rounds.push({
            variant,
            concurrency,
            round,
            p50: percentile(result.latencies, 50),
            p99: percentile(result.latencies, 99),
            perSecond: (result.latencies.length / result.elapsedMs) * 1000,
            requests: result.latencies.length,
            errors: result.errors,
            firstError: result.firstError,
            peakRssKb,
            serverCpuMs: serverMs / result.latencies.length,
            postgresCpuMs: postgresMs / result.latencies.length,
          });
        }
        const line = rounds
          .filter((entry) => entry.round === round && entry.concurrency === concurrency)
          .map(
            (entry) =>
              `${entry.variant} ${entry.p50.toFixed(2)} ms ${entry.perSecond.toFixed(0)}/s`,
          )
          .join(', ');
        progress(`W1 c=${concurrency} round ${round + 1}/${roundCount}: p50 ${line}`);
      }
    }
    const entries = {} as W1Report['entries'];
    for (const variant of w1Variants) {
      entries[variant] = {
        updates: updates[variant],
        added: (await countEntries(variant)) - (entriesBefore[variant] as number),
      };
    }
    return {
      rounds,
      statements,
      explain,
      functions,
      idleRssKb,
      entries,
      rowsPerVariant: Math.min(...w1Variants.map((variant) => targets[variant].ids.length)),
    };
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
}

/** Median over rounds of a measure, for one variant at one concurrency. */
export function w1Median(
  report: W1Report,
  variant: W1Variant,
  concurrency: number,
  measure: (round: W1Round) => number,
): number {
  return median(
    report.rounds
      .filter((round) => round.variant === variant && round.concurrency === concurrency)
      .map(measure),
  );
}

/** Median over rounds of `measure(a) / measure(b)`, both taken in the same round. */
export function w1Ratio(
  report: W1Report,
  a: W1Variant,
  b: W1Variant,
  concurrency: number,
  measure: (round: W1Round) => number,
) {
  const ratios: number[] = [];
  for (const round of report.rounds) {
    if (round.variant !== a || round.concurrency !== concurrency) continue;
    const other = report.rounds.find(
      (entry) =>
        entry.variant === b && entry.concurrency === concurrency && entry.round === round.round,
    );
    if (other) ratios.push(measure(round) / measure(other));
  }
  return median(ratios);
}
