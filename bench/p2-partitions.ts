// P2: the month-partitioned event_log at 10M entries (issue 15). Two parts:
//
//   reads     a log of P2_ENTRIES (10M) over P2_MONTHS (24) months in `pel_bench_p2_10m`;
//             the example server (bench/server-process.ts example) answers pages, counts,
//             node(id) with and without the timestamp and pages after deep cursors over
//             HTTP, interleaved; EXPLAIN (ANALYZE, BUFFERS) of their event_log statements.
//   overhead  the same logged update, event_log partitioned against the single table of
//             before 20261203161931_eventlog_partitioned, each with P2_OVERHEAD_ENTRIES
//             (1M) over the same months: over HTTP (updateCertificate) and at the database
//             (the trigger path: autocommit UPDATEs through pg), interleaved rounds.
//   drop      drops the databases P2 keeps.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/p2-partitions.ts reads
//
// Building the 10M log takes long, so P2_KEEP=1 keeps the databases and a later run with
// the same sizes reuses them (the build time printed is then 0); `drop` removes them.
// Markdown on stdout, progress on stderr.
import http from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { type BigLog, bigLog, dropBigLog } from './support/big-log.js';
import { type ServerChild, type Statement, startServer } from './support/children.js';
import { runLoad } from './support/load.js';
import { count, median, ms, percentile, ratio, table } from './support/stats.js';

const serverUrl = process.env.DATABASE_URL;
const mode = process.argv[2];
if (!serverUrl || !['reads', 'overhead', 'drop'].includes(mode ?? '')) {
  console.error('usage: DATABASE_URL=... npx tsx bench/p2-partitions.ts reads|overhead|drop');
  process.exit(2);
}
const entries = Number(process.env.P2_ENTRIES ?? 10_000_000);
const overheadEntries = Number(process.env.P2_OVERHEAD_ENTRIES ?? 1_000_000);
const months = Number(process.env.P2_MONTHS ?? 24);
const rounds = Number(process.env.P2_ROUNDS ?? 8);
const keep = process.env.P2_KEEP === '1';
const names = {
  reads: process.env.P2_DATABASE ?? 'pel_bench_p2_10m',
  partitioned: 'pel_bench_p2_part',
  single: 'pel_bench_p2_single',
};
const progress = (line: string) => process.stderr.write(`${line}\n`);
const headers = { 'x-user-id': '1' };
const globalId = (type: string, id: string | number) =>
  Buffer.from(`${type}:${id}`).toString('base64');

if (mode === 'drop') {
  for (const name of Object.values(names)) await dropBigLog(serverUrl, name);
  progress(`dropped ${Object.values(names).join(', ')}`);
  process.exit(0);
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function graphql<T>(server: ServerChild, query: string, variables: object): Promise<T> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors ?? body));
  return body.data;
}

interface Case {
  name: string;
  query: string;
  variables: (index: number) => object;
  target?: number;
}

/** p50 of every case, the cases interleaved: each round runs each once, the order rotating. */
async function interleaved(server: ServerChild, cases: Case[], requests: number) {
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const perRound = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const errors = new Map<string, string>();
  for (let round = -1; round < rounds; round += 1) {
    const order = cases.map((_, i) => cases[(i + Math.max(round, 0)) % cases.length] as Case);
    for (const test of order) {
      const result = await runLoad({
        url: server.url,
        concurrency: 1,
        requests: round < 0 ? 10 : requests,
        body: (index) => JSON.stringify({ query: test.query, variables: test.variables(index) }),
        headers,
      });
      if (result.firstError) errors.set(test.name, result.firstError);
      if (round < 0) continue;
      samples.get(test.name)?.push(...result.latencies);
      perRound.get(test.name)?.push(median(result.latencies));
    }
    if (round >= 0) progress(`round ${round + 1}/${rounds} done`);
  }
  return { samples, perRound, errors };
}

/** The plan without costs, its partition scans that return at most one row folded into a count. */
function condense(lines: string[]): string[] {
  const out: string[] = [];
  let folded = 0;
  let skipDepth = -1;
  let planning = false;
  const flush = () => {
    if (folded)
      out.push(`        …  ${folded} more partition scans, each rows ≤ 1, none filtering more`);
    folded = 0;
  };
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (/^Planning:/.test(line)) planning = true;
    else if (!/^\s/.test(line)) planning = false;
    if (planning && !/^Planning:/.test(line)) continue;
    const depth = line.search(/\S/);
    if (skipDepth >= 0 && depth > skipDepth) continue;
    skipDepth = -1;
    if (/->\s+.* on event_log_\w+/.test(line) && out.some((l) => / on event_log_\w+/.test(l))) {
      const block = [line];
      for (let j = index + 1; j < lines.length && (lines[j] as string).search(/\S/) > depth; j += 1)
        block.push(lines[j] as string);
      const rows = Number(/actual [^)]*rows=(\d+)/.exec(line)?.[1] ?? 0);
      const removed = Number(/Rows Removed by Filter: (\d+)/.exec(block.join('\n'))?.[1] ?? 0);
      if (rows <= 1 && removed <= 100) {
        folded += 1;
        skipDepth = depth;
        continue;
      }
    }
    flush();
    out.push(line.replace(/\s*\(cost=[^)]*\)/, '').trimEnd());
  }
  flush();
  return out;
}

/** Milliseconds of a statement through pg on one connection: p50 of 30 runs after 5. */
async function timeStatement(sql: pg.Client, statement: Statement) {
  const samples: number[] = [];
  for (let run = -5; run < 30; run += 1) {
    const start = performance.now();
    await sql.query({ text: statement.text, values: statement.values, rowMode: 'array' });
    if (run >= 0) samples.push(performance.now() - start);
  }
  return median(samples);
}

interface Explained {
  label: string;
  plan: string[];
  partitions: string;
  planning: string;
  execution: string;
  sqlP50: number;
}

async function explainStatement(sql: pg.Client, label: string, statement: Statement) {
  const { rows } = await sql.query<{ 'QUERY PLAN': string }>({
    text: `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
    values: statement.values,
  });
  const lines = rows.map((row) => row['QUERY PLAN']);
  const scans = lines.filter((line) => / on event_log_\w+/.test(line));
  const executed = scans.filter((line) => !/never executed/.test(line));
  const removed = lines
    .map((line) => /Subplans Removed: (\d+)/.exec(line)?.[1])
    .filter(Boolean)
    .map(Number)
    .reduce((a, b) => a + b, 0);
  const distinct = (found: string[]) =>
    new Set(found.map((line) => / on (event_log_\w+)/.exec(line)?.[1])).size;
  const time = (name: string) =>
    new RegExp(`^${name} Time: (.*)$`).exec(
      lines.find((l) => l.startsWith(`${name} Time`)) ?? '',
    )?.[1] ?? '-';
  return {
    label,
    plan: condense(lines),
    partitions: `${distinct(scans)} in the plan, ${distinct(executed)} executed${removed ? `, ${removed} removed at run time` : ''}`,
    planning: time('Planning'),
    execution: time('Execution'),
    sqlP50: await timeStatement(sql, statement),
  } satisfies Explained;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the event_log statements one request of `test` sends, and
 * their time through pg. A page after a cursor is also run with the bound that src/ does not
 * send yet: `"timestamp" <= cursor AND` before the cursor's OR, which an index can start at.
 */
async function explainCase(server: ServerChild, sql: pg.Client, test: Case) {
  const body = JSON.stringify({ query: test.query, variables: test.variables(0) });
  const statements: Statement[] = await server.census(() =>
    runLoad({ url: server.url, concurrency: 1, requests: 1, body: () => body, headers }),
  );
  const found: Explained[] = [];
  for (const statement of statements.filter((s) => /\bevent_log\b/.test(s.text))) {
    found.push(await explainStatement(sql, test.name, statement));
    const cursorOr = /\(("public"\."event_log"\."timestamp") < (\$\d+) OR/;
    const match = cursorOr.exec(statement.text);
    // Since 2a67769 src/ sends that bound itself: nothing to add then.
    if (match && !/"timestamp" <= \$\d+ AND/.test(statement.text)) {
      const bounded = statement.text.replace(
        cursorOr,
        (or, column, param) => `${column} <= ${param} AND ${or}`,
      );
      found.push(
        await explainStatement(sql, `${test.name}, with "timestamp" <= cursor (proposed)`, {
          ...statement,
          text: bounded,
        }),
      );
    }
  }
  return found;
}

async function reads() {
  const log = await bigLog(
    serverUrl as string,
    names.reads,
    { layout: 'partitioned', entries, months },
    progress,
  );
  const loadAtStart = load();
  const sql = new pg.Client({ connectionString: log.url });
  await sql.connect();
  const server = await startServer('example', log.url);
  try {
    const { rows: parts } = await sql.query<{ n: number; rows: string }>(
      `SELECT count(*)::int AS n FROM eventlog_partitions()`,
    );
    const partitionCount = parts[0]?.n ?? 0;
    const hot = log.certificates.slice(0, 5);
    const cold = log.certificates.slice(5);
    // Partition boundaries 1 and 12 months back, and an entry just after each.
    const boundary = (back: number) => {
      const at = new Date();
      return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - back + 1, 1));
    };
    const cursorAfter = async (where: string, values: unknown[], at: Date, filter: object) => {
      const { rows } = await sql.query<{ timestamp: Date }>(
        `SELECT "timestamp" FROM event_log WHERE ${where} "timestamp" >= $${values.length + 1}
         ORDER BY "timestamp", id OFFSET 9 LIMIT 1`,
        [...values, at],
      );
      const until = rows[0]?.timestamp as Date;
      const data = await graphql<{ eventLogs: { edges: { cursor: string }[] } }>(
        server,
        `query ($until: DateTime, $tool: String, $objectType: String, $objectId: String) {
          eventLogs(until: $until, tool: $tool, objectType: $objectType, objectId: $objectId, first: 1) { edges { cursor } } }`,
        { until: until.toISOString(), ...filter },
      );
      return data.eventLogs.edges[0]?.cursor as string;
    };
    const hotObject = { objectType: 'Certificate', objectId: String(hot[0]) };
    const cursors = {
      recent: await cursorAfter('', [], boundary(1), {}),
      deep: await cursorAfter('', [], boundary(12), {}),
      deepTool: await cursorAfter(`tool = 'certificate' AND`, [], boundary(12), {
        tool: 'certificate',
      }),
      deepObject: await cursorAfter(
        `"objectType" = $1 AND "objectId" = $2 AND`,
        ['Certificate', String(hot[0])],
        boundary(12),
        hotObject,
      ),
    };
    // Node ids of 20 entries, one in each of the last 20 months; the old (3-element) form too.
    const { rows: picked } = await sql.query<{ ts: Date }>(
      `SELECT max("timestamp") AS ts FROM generate_series(1, 20) AS m,
         LATERAL (SELECT "timestamp" FROM event_log
                  WHERE "timestamp" < date_trunc('month', now()) - (m - 1) * interval '1 month'
                    AND "timestamp" >= date_trunc('month', now()) - (m - 1) * interval '1 month' - interval '1 day'
                  LIMIT 1) e GROUP BY m ORDER BY m`,
    );
    const nodeIds: string[] = [];
    for (const { ts } of picked) {
      const data = await graphql<{ eventLogs: { edges: { node: { id: string } }[] } }>(
        server,
        'query ($until: DateTime) { eventLogs(until: $until, first: 1) { edges { node { id } } } }',
        { until: ts.toISOString() },
      );
      nodeIds.push(data.eventLogs.edges[0]?.node.id as string);
    }
    const oldIds = nodeIds.map((id) => {
      const raw = Buffer.from(id, 'base64').toString('utf8');
      const json = JSON.parse(raw.slice(raw.indexOf(':') + 1)) as unknown[];
      return globalId('EventLog', JSON.stringify(json.slice(0, 3)));
    });
    const week = (back: number) => {
      const since = new Date(Date.now() - back * 30 * 86_400_000);
      return { since: since.toISOString(), until: new Date(+since + 7 * 86_400_000).toISOString() };
    };
    const page = '{ edges { cursor node { id timestamp message } } }';
    const cases: Case[] = [
      {
        name: 'certificate(hot).eventLog(first: 20)',
        query: `query ($id: ID!) { certificate(id: $id) { eventLog(first: 20) { edges { node { id message actor } } } } }`,
        variables: (i) => ({ id: globalId('Certificate', hot[i % hot.length] as number) }),
        target: 5,
      },
      {
        name: 'certificate(other).eventLog(first: 20)',
        query: `query ($id: ID!) { certificate(id: $id) { eventLog(first: 20) { edges { node { id message actor } } } } }`,
        variables: (i) => ({
          id: globalId('Certificate', cold[(i * 389) % cold.length] as number),
        }),
        target: 5,
      },
      {
        name: 'eventLogs(tool: "certificate", first: 20)',
        query: `query { eventLogs(tool: "certificate", first: 20) ${page} }`,
        variables: () => ({}),
        target: 5,
      },
      {
        name: 'eventLogs(tool: "tool-3", first: 20)',
        query: `query { eventLogs(tool: "tool-3", first: 20) ${page} }`,
        variables: () => ({}),
        target: 5,
      },
      {
        name: 'eventLogs(first: 20) (unfiltered)',
        query: `query { eventLogs(first: 20) ${page} }`,
        variables: () => ({}),
        target: 5,
      },
      {
        name: 'eventLogs(tool: "certificate") { totalCount }',
        query: 'query { eventLogs(tool: "certificate") { totalCount totalCountIsExact } }',
        variables: () => ({}),
        target: 20,
      },
      {
        name: 'eventLogs { totalCount } (unfiltered)',
        query: 'query { eventLogs { totalCount totalCountIsExact } }',
        variables: () => ({}),
        target: 20,
      },
      {
        name: 'eventLogs(since, until: a week, 6 months back, first: 20)',
        query: `query ($since: DateTime, $until: DateTime) { eventLogs(since: $since, until: $until, first: 20) ${page} }`,
        variables: () => week(6),
      },
      {
        name: 'eventLogs(tool, since, until: a week, 6 months back, first: 20)',
        query: `query ($since: DateTime, $until: DateTime) { eventLogs(tool: "certificate", since: $since, until: $until, first: 20) ${page} }`,
        variables: () => week(6),
      },
      {
        name: 'node(id) (with timestamp)',
        query: 'query ($id: ID!) { node(id: $id) { ... on EventLog { id message } } }',
        variables: (i) => ({ id: nodeIds[i % nodeIds.length] }),
      },
      {
        name: 'node(id) (old id, no timestamp)',
        query: 'query ($id: ID!) { node(id: $id) { ... on EventLog { id message } } }',
        variables: (i) => ({ id: oldIds[i % oldIds.length] }),
      },
      {
        name: 'eventLogs(first: 20, after: 1 month back, across a boundary)',
        query: `query ($after: String) { eventLogs(first: 20, after: $after) ${page} }`,
        variables: () => ({ after: cursors.recent }),
      },
      {
        name: 'eventLogs(first: 20, after: 12 months back, across a boundary)',
        query: `query ($after: String) { eventLogs(first: 20, after: $after) ${page} }`,
        variables: () => ({ after: cursors.deep }),
      },
      {
        name: 'eventLogs(tool, first: 20, after: 12 months back, across)',
        query: `query ($after: String) { eventLogs(tool: "certificate", first: 20, after: $after) ${page} }`,
        variables: () => ({ after: cursors.deepTool }),
      },
      {
        name: 'eventLogs(object, first: 20, after: 12 months back, across)',
        query: `query ($after: String) { eventLogs(objectType: "Certificate", objectId: "${hot[0]}", first: 20, after: $after) ${page} }`,
        variables: () => ({ after: cursors.deepObject }),
      },
      { name: '{ __typename } (HTTP floor)', query: '{ __typename }', variables: () => ({}) },
    ];
    // Every page after a cursor must hold entries of both months around its boundary.
    const crossing: string[] = [];
    for (const test of cases.filter((c) => c.name.includes('after:'))) {
      const data = await graphql<{
        eventLogs: { edges: { node: { timestamp: string } }[] };
      }>(server, test.query, test.variables(0));
      const monthsSeen = new Set(data.eventLogs.edges.map((e) => e.node.timestamp.slice(0, 7)));
      crossing.push(
        `${test.name}: ${data.eventLogs.edges.length} entries, months ${[...monthsSeen].join(', ')}`,
      );
    }
    const requests = Number(process.env.P2_REQUESTS ?? 60);
    progress(`P2 reads: ${cases.length} cases, ${rounds} rounds of ${requests} requests each`);
    const started = performance.now();
    const { samples, perRound, errors } = await interleaved(server, cases, requests);
    const seconds = (performance.now() - started) / 1000;
    const nodeRatios = (perRound.get('node(id) (old id, no timestamp)') ?? []).map(
      (old, i) => old / (perRound.get('node(id) (with timestamp)')?.[i] ?? Number.NaN),
    );
    const rows = cases.map((test) => {
      const s = samples.get(test.name) ?? [];
      const p50 = median(s);
      return [
        test.name,
        ms(p50),
        ms(percentile(s, 90)),
        ms(percentile(s, 99)),
        test.target ? `≤ ${test.target} ms: ${p50 <= test.target ? 'met' : 'missed'}` : '-',
        errors.get(test.name) ? `error: ${errors.get(test.name)?.slice(0, 80)}` : '',
      ];
    });
    const explained: string[] = [];
    const partitionRows: string[][] = [];
    for (const test of cases.filter((c) => !c.name.startsWith('{'))) {
      for (const found of await explainCase(server, sql, test)) {
        partitionRows.push([
          found.label,
          found.partitions,
          found.planning,
          found.execution,
          ms(found.sqlP50),
        ]);
        explained.push(`${found.label}:\n\n\`\`\`text\n${found.plan.join('\n')}\n\`\`\``);
      }
    }
    const { rows: version } = await sql.query('SHOW server_version');
    console.log(`### P2 reads: ${count(log.entries)} entries over ${log.months} months, ${partitionCount} partitions

PostgreSQL ${version[0].server_version}; event_log ${log.tableSize} with its indexes; built in ${log.buildSeconds ? `${(log.buildSeconds / 60).toFixed(1)} min` : 'an earlier run (reused)'}. The example server (bench/server-process.ts example, pool of 10), one request at a time as user 1; ${rounds} interleaved rounds of ${requests} requests per case (the order rotating), after one of warm-up; ${seconds.toFixed(0)} s. Load average at the start: ${loadAtStart}; at the end: ${load()}.

${table(['query', 'p50 (ms)', 'p90', 'p99', 'target', ''], rows)}

node(id), old id ÷ id with timestamp, per round: median ${ratio(median(nodeRatios))} (${ratio(Math.min(...nodeRatios))}–${ratio(Math.max(...nodeRatios))}).

Pages after a cursor 10 entries past a month's start:

${crossing.map((line) => `- ${line}`).join('\n')}

The event_log statements each request sent (recorded at the driver), under EXPLAIN (ANALYZE, BUFFERS), and their p50 through \`pg\` on one connection (30 runs):

${table(['statement of', 'partitions', 'planning', 'execution', 'pg p50 (ms)'], partitionRows)}

${explained.join('\n\n')}`);
  } finally {
    await server.stop();
    await sql.end();
    if (!keep) await dropBigLog(serverUrl as string, names.reads);
    else progress(`kept ${names.reads} (drop it with: npx tsx bench/p2-partitions.ts drop)`);
  }
}

/** One POST over a keep-alive agent; resolves with the milliseconds it took. */
function post(agent: http.Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = performance.now();
    const request = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200 || text.includes('"errors"')) {
            reject(new Error(`${response.statusCode}: ${text.slice(0, 300)}`));
          } else resolve(performance.now() - sent);
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function overhead() {
  const logs: BigLog[] = [];
  for (const layout of ['partitioned', 'single'] as const) {
    logs.push(
      await bigLog(
        serverUrl as string,
        names[layout],
        { layout, entries: overheadEntries, months },
        progress,
      ),
    );
  }
  const loadAtStart = load();
  const servers = await Promise.all(logs.map((log) => startServer('example', log.url)));
  const agents = logs.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const sqls = await Promise.all(
    logs.map(async (log) => {
      const sql = new pg.Client({ connectionString: log.url });
      await sql.connect();
      return sql;
    }),
  );
  const pairs = Number(process.env.P2_OVERHEAD_REQUESTS ?? 200);
  const overheadRounds = Number(process.env.P2_OVERHEAD_ROUNDS ?? 10);
  const mutation =
    'mutation ($id: ID!, $notes: String!) { updateCertificate(id: $id, input: { notes: $notes }) { id } }';
  const update = 'UPDATE "Certificate" SET notes = $1 WHERE id = $2';
  const page = '{ edges { node { id message } } }';
  /** Each case does one operation on database `which` and returns its milliseconds. */
  const cases: Record<string, (which: number, i: number) => Promise<number>> = {
    'HTTP updateCertificate': (which, i) => {
      const ids = (logs[which] as BigLog).certificates.slice(5, 205);
      return post(
        agents[which] as http.Agent,
        new URL((servers[which] as ServerChild).url),
        JSON.stringify({
          query: mutation,
          variables: { id: globalId('Certificate', ids[i % ids.length] as number), notes: `h${i}` },
        }),
      );
    },
    'SQL UPDATE, autocommit (commit flush included)': async (which, i) => {
      const ids = (logs[which] as BigLog).certificates.slice(205, 405);
      const start = performance.now();
      await (sqls[which] as pg.Client).query(update, [`s${i}`, ids[i % ids.length]]);
      return performance.now() - start;
    },
    'SQL UPDATE in a transaction (the UPDATE alone)': async (which, i) => {
      const sql = sqls[which] as pg.Client;
      const ids = (logs[which] as BigLog).certificates.slice(405, 605);
      await sql.query('BEGIN');
      const start = performance.now();
      await sql.query(update, [`t${i}`, ids[i % ids.length]]);
      const elapsed = performance.now() - start;
      await sql.query('COMMIT');
      return elapsed;
    },
    'SQL second UPDATE of a row in a transaction (merge look-up)': async (which, i) => {
      const sql = sqls[which] as pg.Client;
      const ids = (logs[which] as BigLog).certificates.slice(605, 805);
      const id = ids[i % ids.length];
      await sql.query('BEGIN');
      await sql.query(update, [`a${i}`, id]);
      const start = performance.now();
      await sql.query(update, [`b${i}`, id]);
      const elapsed = performance.now() - start;
      await sql.query('COMMIT');
      return elapsed;
    },
    'HTTP read certificate(id).eventLog(first: 20)': (which, i) =>
      post(
        agents[which] as http.Agent,
        new URL((servers[which] as ServerChild).url),
        JSON.stringify({
          query: `query ($id: ID!) { certificate(id: $id) { eventLog(first: 20) { edges { node { id message actor } } } } }`,
          variables: {
            id: globalId(
              'Certificate',
              (logs[which] as BigLog).certificates[(i * 389) % 1000] as number,
            ),
          },
        }),
      ),
    'HTTP read eventLogs(tool: "certificate", first: 20)': (which) =>
      post(
        agents[which] as http.Agent,
        new URL((servers[which] as ServerChild).url),
        JSON.stringify({ query: `query { eventLogs(tool: "certificate", first: 20) ${page} }` }),
      ),
    'HTTP read eventLogs(first: 20)': (which) =>
      post(
        agents[which] as http.Agent,
        new URL((servers[which] as ServerChild).url),
        JSON.stringify({ query: `query { eventLogs(first: 20) ${page} }` }),
      ),
  };
  const countEntries = () =>
    Promise.all(
      sqls.map(
        async (sql) => (await sql.query('SELECT count(*)::int AS n FROM event_log')).rows[0].n,
      ),
    );
  const before = await countEntries();
  const perRound: Record<string, { partitioned: number[]; single: number[] }> = {};
  try {
    for (let round = -1; round < overheadRounds; round += 1) {
      for (const [name, operation] of Object.entries(cases)) {
        const samples: number[][] = [[], []];
        // Paired: operation i runs on both databases back to back, the order alternating.
        for (let i = 0; i < (round < 0 ? 20 : pairs); i += 1) {
          for (const which of i % 2 === 0 ? [0, 1] : [1, 0]) {
            samples[which]?.push(await operation(which, round * pairs + i + pairs));
          }
        }
        if (round < 0) continue;
        perRound[name] ??= { partitioned: [], single: [] };
        logs.forEach((log, which) => {
          perRound[name]?.[log.layout].push(median(samples[which] as number[]));
        });
      }
      if (round >= 0) progress(`overhead round ${round + 1}/${overheadRounds}`);
    }
    const after = await countEntries();
    // Where the database spends the UPDATE: EXPLAIN ANALYZE, 30 runs each rolled back.
    const profiles: string[][] = [];
    for (const [which, log] of logs.entries()) {
      const sql = sqls[which] as pg.Client;
      const id = log.certificates[900] as number;
      for (const second of [false, true]) {
        const runs: { execution: number; planning: number; trigger: number }[] = [];
        for (let run = -3; run < 30; run += 1) {
          await sql.query('BEGIN');
          if (second) await sql.query(update, ['first', id]);
          const { rows } = await sql.query<{ 'QUERY PLAN': Record<string, unknown>[] }>({
            text: `EXPLAIN (ANALYZE, FORMAT JSON) ${update}`,
            values: [`e${run}`, id],
          });
          await sql.query('ROLLBACK');
          const plan = rows[0]?.['QUERY PLAN'][0] as {
            'Execution Time': number;
            'Planning Time': number;
            Triggers?: { Time: number }[];
          };
          if (run >= 0) {
            runs.push({
              execution: plan['Execution Time'],
              planning: plan['Planning Time'],
              trigger: (plan.Triggers ?? []).reduce((sum, t) => sum + t.Time, 0),
            });
          }
        }
        profiles.push([
          `${log.layout}, ${second ? 'second UPDATE of the row (merge look-up)' : 'first UPDATE'}`,
          ms(median(runs.map((r) => r.planning))),
          ms(median(runs.map((r) => r.execution))),
          ms(median(runs.map((r) => r.trigger))),
        ]);
      }
    }
    const rows = Object.keys(cases).map((name) => {
      const sample = perRound[name] as { partitioned: number[]; single: number[] };
      const ratios = sample.partitioned.map((p, i) => p / (sample.single[i] as number));
      return [
        name,
        ms(median(sample.single)),
        ms(median(sample.partitioned)),
        ratio(median(ratios)),
        `${ratio(Math.min(...ratios))}–${ratio(Math.max(...ratios))}`,
        sample.partitioned.map((p, i) => `${ms(p)}/${ms(sample.single[i] as number)}`).join(' '),
      ];
    });
    console.log(`### P2 overhead: one logged update, event_log partitioned vs a single table

Each database holds ${count(overheadEntries)} entries over ${months} months (built in ${logs.map((l) => `${l.layout} ${l.buildSeconds ? `${l.buildSeconds.toFixed(0)} s` : 'reused'}`).join(', ')}; event_log ${logs.map((l) => `${l.layout} ${l.tableSize}`).join(', ')}). ${overheadRounds} rounds after one of warm-up; in each, every case runs ${pairs} times on each database, paired: operation i on one database then on the other, back to back, the order alternating. A round's figure is the p50 of its ${pairs} operations, the ratio that of one round. The HTTP cases go to the example server of each database (bench/server-process.ts example), as user 1, one request at a time over a keep-alive connection; the SQL cases are a \`pg\` connection's \`UPDATE "Certificate" SET notes\` (no request context: the capture trigger writes one unattributed entry), timed with its commit, alone inside a transaction, and as the second UPDATE of the row in its transaction (the one that runs the merge look-up). Entries written: ${logs.map((l, i) => `${l.layout} ${count((after[i] as number) - (before[i] as number))}`).join(', ')}. Load average at the start: ${loadAtStart}; at the end: ${load()}.

${table(
  [
    'case',
    'single p50 (ms)',
    'partitioned p50',
    'partitioned ÷ single (median of rounds)',
    'range over rounds',
    'per round: partitioned/single',
  ],
  rows,
)}

The UPDATE under EXPLAIN (ANALYZE), 30 runs each rolled back, medians in ms (trigger: the capture trigger's time):

${table(['database, statement', 'planning', 'execution', 'trigger'], profiles)}`);
  } finally {
    for (const agent of agents) agent.destroy();
    await Promise.all(servers.map((server) => server.stop()));
    await Promise.all(sqls.map((sql) => sql.end()));
    if (!keep) for (const log of logs) await dropBigLog(serverUrl as string, log.name);
    else progress(`kept ${logs.map((l) => l.name).join(', ')}`);
  }
}

if (mode === 'reads') await reads();
else await overhead();
