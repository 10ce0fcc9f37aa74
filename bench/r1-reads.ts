// R1: reading the log at growing sizes. The entries are made in SQL (one INSERT … SELECT
// generate_series per level), spread over 1000 certificates, 10 tools and 3 actors, one
// every 30 s, with values, changes and context shaped as the plugin writes them. Each
// query runs over HTTP (the example server) and as the same SQL through `pg`.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { summarize } from './support/census.js';
import { type ServerChild, type Statement, startServer } from './support/children.js';
import { runLoad } from './support/load.js';
import { percentile } from './support/stats.js';

export interface R1Options {
  levels: number[];
  /** Requests per measure and level, after `warmup` more. */
  requests: number;
  warmup: number;
  /** Distinct argument sets each query cycles through. */
  argumentSets: number;
}

export const r1Queries = {
  'certificate.eventLog(first: 20)': {
    query: `query ObjectLog($id: ID!) {
      certificate(id: $id) { eventLog(first: 20) { edges { node { id message actor } } } }
    }`,
    variables: (set: number) => ({
      id: Buffer.from(`Certificate:${1 + ((set * 389) % 1000)}`).toString('base64'),
    }),
  },
  'the same with messageAtEvent': {
    query: `query ObjectLogAtEvent($id: ID!) {
      certificate(id: $id) { eventLog(first: 20) { edges { node { id messageAtEvent actor } } } }
    }`,
    variables: (set: number) => ({
      id: Buffer.from(`Certificate:${1 + ((set * 389) % 1000)}`).toString('base64'),
    }),
  },
  'eventLogs(tool, first: 20)': {
    query: `query ToolLog($tool: String!) {
      eventLogs(tool: $tool, first: 20) { edges { node { id message } } }
    }`,
    variables: (set: number) => ({ tool: `tool-${set % 10}` }),
  },
  'eventLogs(tool) { totalCount }': {
    query: `query ToolCount($tool: String!) { eventLogs(tool: $tool) { totalCount } }`,
    variables: (set: number) => ({ tool: `tool-${set % 10}` }),
  },
  '{ __typename } (HTTP floor)': {
    query: 'query Floor { __typename }',
    variables: () => ({}),
  },
} as const;
export type R1Query = keyof typeof r1Queries;

export interface R1Measure {
  level: number;
  query: R1Query;
  http: { p50: number; p99: number };
  /** Every statement of the request, in order, on one connection. */
  raw: { p50: number; p99: number };
  /** The `event_log` statements alone. */
  rawLog: { p50: number; p99: number };
  errors: number;
  firstError: string | null;
}

export interface R1Report {
  measures: R1Measure[];
  statements: Record<R1Query, string[]>;
  /** `query` names the GraphQL query and the statement. */
  explain: { level: number; query: string; plan: string[] }[];
  insertSeconds: Record<number, number>;
  tableSize: Record<number, string>;
}

export async function runR1(
  url: string,
  sql: pg.Client,
  options: R1Options,
  progress: (line: string) => void,
): Promise<R1Report> {
  await sql.query('TRUNCATE event_log');
  const server = await startServer('example', url);
  const report: R1Report = {
    measures: [],
    statements: {} as R1Report['statements'],
    explain: [],
    insertSeconds: {},
    tableSize: {},
  };
  try {
    let current = 0;
    for (const level of options.levels) {
      const started = performance.now();
      await insertEntries(sql, current + 1, level);
      await sql.query('VACUUM ANALYZE event_log');
      current = level;
      report.insertSeconds[level] = (performance.now() - started) / 1000;
      const size = await sql.query<{ size: string }>(
        `SELECT pg_size_pretty(pg_total_relation_size('event_log')) AS size`,
      );
      report.tableSize[level] = size.rows[0]?.size ?? '?';
      progress(
        `R1 ${level.toLocaleString('en-US')} entries: inserted and vacuumed in ${report.insertSeconds[level].toFixed(1)} s (${report.tableSize[level]})`,
      );
      for (const query of Object.keys(r1Queries) as R1Query[]) {
        const measure = await measureQuery(server, sql, query, level, options, report);
        report.measures.push(measure);
        progress(
          `R1 ${level} ${query}: HTTP p50 ${measure.http.p50.toFixed(2)} ms, raw ${measure.raw.p50.toFixed(2)} ms`,
        );
      }
    }
  } finally {
    await server.stop();
  }
  return report;
}

async function measureQuery(
  server: ServerChild,
  sql: pg.Client,
  query: R1Query,
  level: number,
  options: R1Options,
  report: R1Report,
): Promise<R1Measure> {
  const spec = r1Queries[query];
  const body = (index: number) =>
    JSON.stringify({ query: spec.query, variables: spec.variables(index % options.argumentSets) });
  const http = (requests: number) =>
    runLoad({
      url: server.url,
      concurrency: 1,
      requests,
      body,
      headers: { 'x-user-id': '1' },
    });
  // What each request sends to PostgreSQL, recorded once per argument set.
  const recorded: Statement[][] = [];
  for (let set = 0; set < options.argumentSets; set += 1) {
    const single = JSON.stringify({ query: spec.query, variables: spec.variables(set) });
    recorded.push(
      await server.census(() =>
        runLoad({
          url: server.url,
          concurrency: 1,
          requests: 1,
          body: () => single,
          headers: { 'x-user-id': '1' },
        }),
      ),
    );
  }
  report.statements[query] ??= (recorded[0] ?? []).map((statement) => summarize(statement.text));
  const logStatements = recorded.map((statements) =>
    statements.filter((statement) => /"event_log"/.test(statement.text)),
  );
  for (const statement of logStatements[0] ?? []) {
    const label = `${query}, ${summarize(statement.text)}`;
    report.explain.push({ level, query: label, plan: await explain(sql, statement) });
  }
  const replay = async (sets: Statement[][], requests: number) => {
    const latencies: number[] = [];
    for (let index = 0; index < requests; index += 1) {
      const statements = sets[index % sets.length] ?? [];
      const sent = performance.now();
      for (const statement of statements) {
        await sql.query({ text: statement.text, values: statement.values, rowMode: 'array' });
      }
      latencies.push(performance.now() - sent);
    }
    return latencies;
  };

  await http(options.warmup);
  await replay(recorded, options.warmup);
  const httpLatencies: number[] = [];
  const rawLatencies: number[] = [];
  const rawLogLatencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const rounds = 4;
  const perRound = Math.ceil(options.requests / rounds);
  for (let round = 0; round < rounds; round += 1) {
    const result = await http(perRound);
    httpLatencies.push(...result.latencies);
    errors += result.errors;
    firstError ??= result.firstError;
    rawLatencies.push(...(await replay(recorded, perRound)));
    if (logStatements.some((statements) => statements.length > 0)) {
      rawLogLatencies.push(...(await replay(logStatements, perRound)));
    }
  }
  const stats = (latencies: number[]) => ({
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  });
  return {
    level,
    query,
    http: stats(httpLatencies),
    raw: stats(rawLatencies),
    rawLog: stats(rawLogLatencies),
    errors,
    firstError,
  };
}

/** `EXPLAIN (ANALYZE, BUFFERS)` of a recorded statement, without costs and widths. */
async function explain(sql: pg.Client, statement: Statement): Promise<string[]> {
  const { rows } = await sql.query<{ 'QUERY PLAN': string }>({
    text: `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
    values: statement.values,
  });
  const plan: string[] = [];
  let planning = false;
  for (const { 'QUERY PLAN': line } of rows) {
    // The buffers read while planning are indented under "Planning:": left out.
    if (/^Planning:/.test(line)) planning = true;
    else if (!/^\s/.test(line)) planning = false;
    if (planning) continue;
    plan.push(line.replace(/\s*\(cost=[^)]*\)/, '').trimEnd());
  }
  return plan;
}

/** Entries `from`…`to` (1-based), as the plugin would have written them. */
async function insertEntries(sql: pg.Client, from: number, to: number) {
  await sql.query(
    `INSERT INTO event_log (timestamp, "actorId", "actorName", tool, action, "objectType",
       "objectId", template, message, values, changes, context)
     SELECT timestamptz '2024-01-01 00:00:00+00' + g * interval '30 seconds',
       pick.actor::text, 'User ' || pick.actor, 'tool-' || pick.tool, 'update', 'Certificate',
       pick.object::text,
       'Certificate {certificate__name} was updated by {user__fullName}.',
       'Certificate Bench certificate ' || pick.object || ' was updated by User ' || pick.actor || '.',
       jsonb_build_object(
         'certificate__name', jsonb_build_object('id', pick.object::text, 'path',
           jsonb_build_array('name'), 'model', 'Certificate', 'snapshot',
           'Bench certificate ' || pick.object),
         'user__fullName', jsonb_build_object('id', pick.actor::text, 'path',
           jsonb_build_array('fullName'), 'model', 'User', 'snapshot', 'User ' || pick.actor)),
       jsonb_build_object(
         'old_value', jsonb_build_object('name', 'Bench certificate ' || pick.object,
           'notes', 'notes ' || (g - 1), 'items', jsonb_build_object('2', jsonb_build_object('quantity', 12))),
         'new_value', jsonb_build_object('name', 'Bench certificate ' || pick.object,
           'notes', 'notes ' || g, 'items', jsonb_build_object('2', jsonb_build_object('quantity', 11)))),
       jsonb_build_object('requestId', md5(g::text), 'operationName', 'Update',
         'path', 'updateCertificate')
     FROM generate_series($1::bigint, $2::bigint) AS g,
       LATERAL (SELECT 1 + (hashint8(g)::bigint + 2147483648) % 1000 AS object,
                       (hashint8(g + 7)::bigint + 2147483648) % 10 AS tool,
                       1 + (hashint8(g + 13)::bigint + 2147483648) % 3 AS actor) AS pick`,
    [from, to],
  );
}
