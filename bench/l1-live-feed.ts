// L1, the live feed (issue 13): logged updates over HTTP with 0, 1 and 100 `eventLogAdded`
// subscribers on the same example server, and with the triggers' pg_notify switched off,
// in interleaved rounds; the delay from an entry's write to its delivery at the subscriber.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startServer } from './support/children.js';
import { runLoad, withPeakRss } from './support/load.js';
import { count, median, ms, percentile, ratio, table } from './support/stats.js';

export interface L1Options {
  rounds: number;
  roundMs: number;
  concurrency: number;
  warmupMs: number;
}

export const l1Cases = [
  'notify off, 0 subscribers',
  '0 subscribers',
  '1 subscriber',
  '100 subscribers',
] as const;
export type L1Case = (typeof l1Cases)[number];

export interface L1Round {
  case: L1Case;
  updatesPerSecond: number;
  errors: number;
  /** ms from each entry's timestamp (written, before commit) to its arrival at a subscriber. */
  latencies: number[];
  /** Entries each subscriber got, against the successful updates of the round. */
  delivered: number[];
  updates: number;
  peakRssMb: number;
}

export interface L1Report {
  rounds: L1Round[];
  /** Straight through pg: autocommit UPDATEs of `concurrency` connections, per round. */
  direct: { notify: boolean; connections: number; updatesPerSecond: number }[];
}

const UPDATE =
  'mutation ($id: ID!, $notes: String!) { updateCertificate(id: $id, input: { notes: $notes }) { id } }';

const FEED = JSON.stringify({
  query: 'subscription { eventLogAdded(objectType: "Certificate") { cursor node { timestamp } } }',
});

/** One SSE subscriber on a raw keep-alive socket: counts entries and their delays. */
function subscriber(url: URL, latencies: number[]) {
  let count = 0;
  let buffer = '';
  let ready: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const request = http.request(
    {
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        'x-user-id': '1',
        'content-length': Buffer.byteLength(FEED),
      },
    },
    (response) => {
      ready();
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const now = Date.now();
        buffer += chunk;
        let at = buffer.indexOf('\n\n');
        while (at >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          at = buffer.indexOf('\n\n');
          const match = /"timestamp":"([^"]+)"/.exec(block);
          if (match) {
            count++;
            latencies.push(now - Date.parse(match[1] as string));
          }
        }
      });
      response.on('error', () => {});
    },
  );
  request.on('error', () => {});
  request.end(FEED);
  return {
    opened,
    count: () => count,
    close: () => request.destroy(),
  };
}

/**
 * NOTIFY's cost on the database alone: `concurrency` pg connections, each sending autocommit
 * UPDATEs of its own certificates (one logged entry each) as fast as it can for `ms`.
 */
async function directRound(url: string, ids: number[], concurrency: number, durationMs: number) {
  const clients = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  let updates = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const id = ids[(c + i * concurrency) % ids.length];
        await client.query('UPDATE "Certificate" SET notes = $1 WHERE id = $2', [
          `direct ${i}`,
          id,
        ]);
        updates++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  await Promise.all(clients.map((client) => client.end()));
  return (updates / elapsed) * 1000;
}

export async function runL1(
  target: { databaseUrl: string; sql: pg.Client; ids: number[] },
  options: L1Options,
  progress: (line: string) => void,
): Promise<L1Report> {
  const { sql } = target;
  const [{ def: notifyOn }] = (
    await sql.query<{ def: string }>(
      `SELECT pg_get_functiondef('eventlog_notify(bigint[])'::regprocedure) AS def`,
    )
  ).rows as [{ def: string }];
  const notifyOff = `CREATE OR REPLACE FUNCTION eventlog_notify(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $fn$ BEGIN END $fn$`;
  // The example server (bench/server-process.ts example), listening on its database.
  const server = await startServer('example', target.databaseUrl);
  const url = new URL(server.url);
  const body = (index: number) =>
    JSON.stringify({
      query: UPDATE,
      variables: {
        id: Buffer.from(`Certificate:${target.ids[index % target.ids.length]}`).toString('base64'),
        notes: `bench ${index}`,
      },
    });
  const rounds: L1Round[] = [];
  const direct: L1Report['direct'] = [];
  try {
    // NOTIFY's cost straight through pg, interleaved (off, on, on, off, ...).
    // At 1 connection it shows the call's own cost, at `concurrency` the commit lock's queue.
    for (let round = 0; round < options.rounds; round++) {
      for (const connections of [1, options.concurrency]) {
        for (const notify of round % 2 === 0 ? [false, true] : [true, false]) {
          await sql.query(notify ? notifyOn : notifyOff);
          const updatesPerSecond = await directRound(
            target.databaseUrl,
            target.ids,
            connections,
            options.roundMs,
          );
          direct.push({ notify, connections, updatesPerSecond });
          progress(
            `L1 direct round ${round + 1}/${options.rounds}, ${connections} connection(s), notify ${notify ? 'on' : 'off'}: ${updatesPerSecond.toFixed(0)} updates/s`,
          );
        }
      }
    }
    await runLoad({
      url: server.url,
      concurrency: options.concurrency,
      durationMs: options.warmupMs,
      body,
      headers: { 'x-user-id': '1' },
    });
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order of the cases from round to round.
      const order = l1Cases.map((_, i) => l1Cases[(i + round) % l1Cases.length] as L1Case);
      for (const which of order) {
        await sql.query(which === 'notify off, 0 subscribers' ? notifyOff : notifyOn);
        const latencies: number[] = [];
        const count = which === '1 subscriber' ? 1 : which === '100 subscribers' ? 100 : 0;
        const subscribers = Array.from({ length: count }, () => subscriber(url, latencies));
        await Promise.all(subscribers.map((s) => s.opened));
        // The feeds start at their first horizon: let them settle.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const { result, peakRssKb } = await withPeakRss(server.pid, () =>
          runLoad({
            url: server.url,
            concurrency: options.concurrency,
            durationMs: options.roundMs,
            body,
            headers: { 'x-user-id': '1' },
          }),
        );
        const updates = result.latencies.length - result.errors;
        // Let the last entries arrive.
        const deadline = performance.now() + 5000;
        while (subscribers.some((s) => s.count() < updates) && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        for (const s of subscribers) s.close();
        const entry: L1Round = {
          case: which,
          updatesPerSecond: (updates / result.elapsedMs) * 1000,
          errors: result.errors,
          latencies,
          delivered: subscribers.map((s) => s.count()),
          updates,
          peakRssMb: peakRssKb / 1024,
        };
        rounds.push(entry);
        progress(
          `L1 round ${round + 1}/${options.rounds} ${which}: ${entry.updatesPerSecond.toFixed(0)} updates/s, ` +
            (count > 0
              ? `delivered ${Math.min(...entry.delivered)}..${Math.max(...entry.delivered)} of ${updates}, p50 ${percentile(latencies, 50)} ms p99 ${percentile(latencies, 99)} ms`
              : `${result.errors} errors`),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await sql.query(notifyOn);
    await server.stop();
  }
  return { rounds, direct };
}

export function l1Summary(report: L1Report) {
  const baseline = new Map<number, number>();
  report.rounds.forEach((round, index) => {
    if (round.case === 'notify off, 0 subscribers') {
      baseline.set(Math.floor(index / l1Cases.length), round.updatesPerSecond);
    }
  });
  return l1Cases.map((which) => {
    const rounds = report.rounds.filter((round) => round.case === which);
    // The cost against notify off within the same round: off ÷ this.
    const costs = report.rounds
      .map((round, index) => ({ round, index }))
      .filter(({ round }) => round.case === which)
      .map(
        ({ round, index }) =>
          (baseline.get(Math.floor(index / l1Cases.length)) as number) / round.updatesPerSecond,
      );
    const latencies = rounds.flatMap((round) => round.latencies);
    return {
      case: which,
      rounds: rounds.length,
      updatesPerSecond: median(rounds.map((round) => round.updatesPerSecond)),
      cost: median(costs),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      listening: which === '1 subscriber' || which === '100 subscribers',
      complete: rounds.every((round) => round.delivered.every((d) => d === round.updates)),
      errors: rounds.reduce((sum, round) => sum + round.errors, 0),
      peakRssMb: Math.max(...rounds.map((round) => round.peakRssMb)),
    };
  });
}

export function l1Report(report: L1Report, options: L1Options): string {
  const rows = l1Summary(report).map((row) => [
    row.case,
    count(row.updatesPerSecond),
    ratio(row.cost),
    row.listening ? `${ms(row.p50)} / ${ms(row.p99)}` : '-',
    row.listening ? (row.complete ? 'all' : 'INCOMPLETE') : '-',
    count(row.peakRssMb),
    String(row.errors),
  ]);
  const directRows = [1, options.concurrency].flatMap((connections) => {
    const of = (notify: boolean) =>
      report.direct
        .filter((round) => round.notify === notify && round.connections === connections)
        .map((round) => round.updatesPerSecond);
    const on = of(true);
    const off = of(false);
    const pairs = on.map((value, index) => (off[index] as number) / value);
    return [
      [String(connections), 'off', count(median(off)), ratio(1)],
      [String(connections), 'on', count(median(on)), ratio(median(pairs))],
    ];
  });
  const direct = table(
    ['pg connections', 'notify', 'updates/s (median)', 'cost vs notify off'],
    directRows,
  );
  return [
    `## L1: the live feed, ${options.rounds} interleaved rounds of ${options.roundMs / 1000} s, concurrency ${options.concurrency}`,
    table(
      [
        'case',
        'updates/s (median)',
        'cost vs notify off',
        'write→delivery p50 / p99 (ms)',
        'entries per subscriber',
        'server peak RSS (MB)',
        'errors',
      ],
      rows,
    ),
    `NOTIFY on the database alone: pg connections sending autocommit UPDATEs (one entry each) as fast as they can, ${options.rounds} interleaved rounds of ${options.roundMs / 1000} s per way, no server, no subscriber.`,
    direct,
  ].join('\n\n');
}
