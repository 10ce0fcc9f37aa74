// W1: one audited update over HTTP, four ways, in interleaved rounds.
import type pg from 'pg';
import { type W1Variant, w1Variants } from './servers/index.js';
import { installAuditTrigger } from './servers/trigger.js';
import { type ServerChild, type Statement, startServer } from './support/children.js';
import { measureCpu } from './support/cpu.js';
import { rssKb, runLoad, withPeakRss } from './support/load.js';
import { median, percentile } from './support/stats.js';

export interface W1Options {
  /** One phase per concurrency: that many rounds of `roundMs` per variant. */
  phases: { concurrency: number; rounds: number; roundMs: number }[];
  warmupMs: number;
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
  statements: Record<W1Variant, string[]>;
  idleRssKb: Record<W1Variant, number>;
  rowsPerVariant: number;
}

const UPDATE = `mutation Update($id: Int!, $name: String!, $notes: String!) {
  updateCertificate(id: $id, name: $name, notes: $notes) { id name notes }
}`;

/** Starts the four servers on rows of their own (the trigger fires on its rows only). */
export async function runW1(
  url: string,
  sql: pg.Client,
  certificateIds: number[],
  options: W1Options,
  progress: (line: string) => void,
): Promise<W1Report> {
  const rowsPerVariant = Math.floor(certificateIds.length / w1Variants.length);
  const rowsOf = new Map(
    w1Variants.map((variant, index) => [
      variant,
      certificateIds.slice(index * rowsPerVariant, (index + 1) * rowsPerVariant),
    ]),
  );
  const triggerRows = rowsOf.get('trigger') as number[];
  await installAuditTrigger(sql, {
    from: Math.min(...triggerRows),
    to: Math.max(...triggerRows),
  });

  const servers = new Map<W1Variant, ServerChild>();
  try {
    for (const variant of w1Variants) servers.set(variant, await startServer(variant, url));
    let sequence = 0;
    const body = (variant: W1Variant) => (index: number) => {
      const rows = rowsOf.get(variant) as number[];
      const id = rows[Math.floor(Math.random() * rows.length)] as number;
      sequence += 1;
      return JSON.stringify({
        query: UPDATE,
        operationName: 'Update',
        variables: { id, name: `Bench certificate ${id} #${sequence}`, notes: `notes ${index}` },
      });
    };
    const headers = (index: number) => ({ 'x-user-id': String((index % 3) + 1) });

    const statements = {} as Record<W1Variant, string[]>;
    const idleRssKb = {} as Record<W1Variant, number>;
    for (const [variant, server] of servers) {
      const recorded: Statement[] = await server.census(() =>
        runLoad({
          url: server.url,
          concurrency: 1,
          requests: 1,
          body: body(variant),
          headers: headers(0),
        }),
      );
      statements[variant] = recorded.map((statement) => summarize(statement.text));
      idleRssKb[variant] = await rssKb(server.pid);
      progress(`W1 ${variant}: ${statements[variant].length} SQL statements per update`);
    }

    const rounds: W1Round[] = [];
    for (const { concurrency, rounds: roundCount, roundMs } of options.phases) {
      for (const [variant, server] of servers) {
        const warm = await runLoad({
          url: server.url,
          concurrency,
          durationMs: options.warmupMs,
          body: body(variant),
          headers: headers(1),
        });
        if (warm.errors) throw new Error(`W1 ${variant} failed: ${warm.firstError}`);
      }
      for (let round = 0; round < roundCount; round += 1) {
        // Rotate the order, so that no variant always runs first (or right after another).
        const order = w1Variants.map(
          (_, index) => w1Variants[(index + round) % w1Variants.length] as W1Variant,
        );
        for (const variant of order) {
          const server = servers.get(variant) as ServerChild;
          const {
            result: { result, serverMs, postgresMs },
            peakRssKb,
          } = await withPeakRss(server.pid, () =>
            measureCpu(server.pid, () =>
              runLoad({
                url: server.url,
                concurrency,
                durationMs: roundMs,
                body: body(variant),
                headers: headers(round),
              }),
            ),
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
          .map((entry) => `${entry.variant} ${entry.p50.toFixed(2)} ms`)
          .join(', ');
        progress(`W1 c=${concurrency} round ${round + 1}/${roundCount}: p50 ${line}`);
      }
    }
    return { rounds, statements, idleRssKb, rowsPerVariant };
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
  measure: (round: W1Round) => number = (round) => round.p50,
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

/** The first words of a statement, enough to tell them apart. */
export function summarize(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim();
  const from = /\bFROM ("[^"]+"\.)?("[^"]+")/.exec(words)?.[2];
  const into = /^(INSERT INTO|UPDATE) ("[^"]+"\.)?("[^"]+")/.exec(words);
  if (into) return `${into[1]} ${into[3]}`;
  if (/^SELECT/.test(words) && from) {
    const forUpdate = / FOR UPDATE\b/.test(words) ? ' FOR UPDATE' : '';
    const count = /\bCOUNT\(/i.test(words) ? 'SELECT COUNT(*)' : 'SELECT';
    return `${count} ${from}${forUpdate}`;
  }
  return words.slice(0, 40);
}
