// `npm run load [-- --duration 30 --connections 8]`: the example server (`npm start`, a real
// process) on a fresh PostgreSQL database `pel_load_<random>`, under mixed reads and writes
// sent with autocannon. Afterwards the database must show every successful mutation as one
// entry, no entry without its change, and there must have been no 5xx. Prints a summary;
// exits 1 when a check fails. DATABASE_URL names the server (default: local, user postgres).
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { demoCertificates } from '../example/seed.js';
import { type ExampleProcess, startExample } from '../test/support/example-process.js';
import { checkConsistency } from './consistency.js';
import { createScratchDatabase } from './scratch-database.js';

export const defaultServerUrl = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The demo certificates, by id (the seed logs them as `create` entries, tool `seed`). */
export const seededCertificates: ReadonlyMap<number, string> = new Map(
  demoCertificates.map((certificate) => [certificate.id, certificate.name]),
);

export interface ExampleServer {
  /** The GraphQL endpoint. */
  url: string;
  process: ExampleProcess;
  /** SIGTERM, then waits for the process to end (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

/** `npm start` on `databaseUrl`, as a child process on a free port; resolves once it serves. */
export async function startServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ExampleServer> {
  const example = startExample({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    NODE_ENV: 'production',
    // The load and fault checks account for every entry: the database starts with the
    // seed's create entries only.
    DEMO_HISTORY: '0',
    ...env,
  });
  try {
    const [, url] = await example.waitForOutput(/example on (http:\/\/\S+\/graphql)/, 90_000);
    return {
      url: (url as string).replace('localhost', '127.0.0.1'),
      process: example,
      stop: async () => {
        example.signal('SIGTERM');
        await example.closed(20_000).catch(() => example.kill());
      },
    };
  } catch (error) {
    example.kill();
    throw error;
  }
}

type Operation = 'eventLogs' | 'certificateHistory' | 'certificates' | 'update' | 'create';

/** The mix: 70 % reads, 30 % writes (updates of existing certificates, and creates). */
const mix: [Operation, number][] = [
  ['eventLogs', 25],
  ['certificateHistory', 25],
  ['certificates', 20],
  ['update', 25],
  ['create', 5],
];

const queries: Record<Operation, string> = {
  eventLogs:
    'query Feed { eventLogs(first: 20) { edges { node { timestamp actor message fieldChanges { path old new } } } } }',
  certificateHistory:
    'query History($id: ID!) { certificate(id: $id) { name eventLog(first: 10) { totalCount edges { node { actor message } } } } }',
  certificates: 'query List { certificates(first: 20) { edges { node { id name status } } } }',
  update:
    'mutation Update($id: ID!, $input: UpdateCertificateInput!) { updateCertificate(id: $id, input: $input) { id name } }',
  create:
    'mutation Create($input: CreateCertificateInput!) { createCertificate(input: $input) { id name } }',
};

/** The operation whose share of the mix holds `roll` (0 ≤ roll < the sum of the weights). */
function pickOperation(roll: number): Operation {
  let rest = roll;
  for (const [operation, weight] of mix) {
    if (rest < weight) return operation;
    rest -= weight;
  }
  return 'certificates';
}

export interface TrafficOptions {
  url: string;
  durationSeconds: number;
  connections: number;
  /** Ids of the certificates to read and update; grows with each successful create. */
  certificateIds: number[];
  /** Prefix of the unique names the writes set. */
  namePrefix: string;
  /** Seconds to wait for a response. @default 10 */
  timeoutSeconds?: number;
}

export interface TrafficResult {
  durationSeconds: number;
  responses: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p97_5: number; p99: number; max: number };
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
  /** Requests without a response: socket errors and timeouts (autocannon's counts). */
  socketErrors: number;
  timeouts: number;
  /** By operation: responses, and those without errors. */
  operations: Record<Operation, { responses: number; ok: number }>;
  /** `extensions.code` of the first error of each failed response. */
  errorCodes: Record<string, number>;
  /** Responses with an error that has no code. */
  errorsWithoutCode: number;
  /** Error responses that show a stack, a file path or SQL (at most 5 kept). */
  leaks: string[];
  /** Names set by writes that succeeded, with the user who sent them. */
  written: Map<string, number>;
  /** Every name a write tried to set, successful or not. */
  attempted: Set<string>;
  /** Writes sent without a response (cut by the end of the run, or lost): ambiguous. */
  unanswered: Set<string>;
  /** Successful creates and updates. */
  successfulMutations: number;
}

const leakPattern =
  /\bat \S+ \(|\.[cm]?[jt]s:\d+|\/work\/|node_modules|invocation|\b(SELECT|INSERT INTO|UPDATE)\b.+\b(FROM|VALUES|SET)\b|"stack"/;

/** Mixed reads and writes for `durationSeconds` over `connections` keep-alive connections. */
export async function runTraffic(options: TrafficOptions): Promise<TrafficResult> {
  const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
  const operations = Object.fromEntries(
    mix.map(([operation]) => [operation, { responses: 0, ok: 0 }]),
  ) as TrafficResult['operations'];
  const errorCodes: Record<string, number> = {};
  const leaks: string[] = [];
  const written = new Map<string, number>();
  const attempted = new Set<string>();
  const unanswered = new Set<string>();
  let errorsWithoutCode = 0;
  let sequence = 0;
  // autocannon drops the requests in flight when the time is up; writes stop a little
  // earlier (reads take their place), so that every write gets its answer.
  const drainMs = Math.min(1000, options.durationSeconds * 200);
  const writesUntil = Date.now() + options.durationSeconds * 1000 - drainMs;
  const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)] as T;
  const globalId = (id: number) => Buffer.from(`Certificate:${id}`).toString('base64');

  interface Sent {
    operation: Operation;
    name?: string;
    userId: number;
  }

  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: options.timeoutSeconds ?? 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          let operation = pickOperation(Math.random() * total);
          if ((operation === 'update' || operation === 'create') && Date.now() > writesUntil) {
            operation = 'certificates';
          }
          const userId = 1 + Math.floor(Math.random() * 3);
          const sent: Sent = { operation, userId };
          let variables: Record<string, unknown> | undefined;
          if (operation === 'certificateHistory') {
            variables = { id: globalId(pick(options.certificateIds)) };
          } else if (operation === 'update' || operation === 'create') {
            sent.name = `${options.namePrefix}-${++sequence}`;
            attempted.add(sent.name);
            unanswered.add(sent.name);
            variables =
              operation === 'update'
                ? { id: globalId(pick(options.certificateIds)), input: { name: sent.name } }
                : { input: { name: sent.name, items: [{ name: 'bolt', quantity: sequence }] } };
          }
          (context as { sent?: Sent }).sent = sent;
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              accept: 'application/graphql-response+json, application/json',
              'x-user-id': String(userId),
            },
            body: JSON.stringify({ query: queries[operation], variables }),
          };
        },
        onResponse: (_status, body, context) => {
          const sent = (context as { sent?: Sent }).sent;
          if (!sent) return;
          const stats = operations[sent.operation];
          stats.responses += 1;
          if (sent.name) unanswered.delete(sent.name);
          let parsed: { data?: Record<string, unknown> | null; errors?: unknown[] } | undefined;
          try {
            parsed = JSON.parse(body);
          } catch {
            parsed = undefined;
          }
          const errors = parsed?.errors as { extensions?: { code?: unknown } }[] | undefined;
          if (!parsed || errors?.length) {
            const code = errors?.[0]?.extensions?.code;
            if (typeof code === 'string') errorCodes[code] = (errorCodes[code] ?? 0) + 1;
            else errorsWithoutCode += 1;
            if (leakPattern.test(body) && leaks.length < 5) leaks.push(body.slice(0, 500));
            return;
          }
          stats.ok += 1;
          if (sent.operation === 'create') {
            const created = parsed.data?.createCertificate as { id: string } | undefined;
            const id = Number(
              Buffer.from(created?.id ?? '', 'base64')
                .toString()
                .split(':')[1],
            );
            if (Number.isSafeInteger(id)) options.certificateIds.push(id);
          }
          if (sent.name) written.set(sent.name, sent.userId);
        },
      },
    ],
  });

  const statuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = stats?.count ?? 0;
  }
  return {
    durationSeconds: result.duration,
    responses: Object.values(statuses).reduce((sum, count) => sum + count, 0),
    requestsPerSecond: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    statuses,
    socketErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    operations,
    errorCodes,
    errorsWithoutCode,
    leaks,
    written,
    attempted,
    unanswered,
    successfulMutations: operations.update.ok + operations.create.ok,
  };
}

export interface LoadOptions {
  durationSeconds: number;
  connections: number;
  /** The PostgreSQL server to create the database on. */
  serverUrl?: string;
  /** Certificates created before the timed run, so that writers spread over many rows. */
  certificates?: number;
}

export interface LoadReport {
  traffic: TrafficResult;
  entries: number;
  certificates: number;
  /** Failed checks, one line each; empty when the run held. */
  failures: string[];
}

/** The whole run: database, server, warm-up, traffic, checks, clean-up. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const serverUrl = options.serverUrl ?? process.env.DATABASE_URL ?? defaultServerUrl;
  const database = await createScratchDatabase(serverUrl, 'pel_load');
  let server: ExampleServer | undefined;
  const sql = new pg.Client({ connectionString: database.url });
  try {
    server = await startServer(database.url);
    await sql.connect();
    const certificateIds = [...seededCertificates.keys()];
    const namePrefix = `load-${randomBytes(3).toString('hex')}`;
    for (let index = 0; index < (options.certificates ?? 16); index++) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': '1' },
        body: JSON.stringify({
          query: queries.create,
          variables: { input: { name: `${namePrefix}-warmup-${index}` } },
        }),
      });
      const body = (await response.json()) as { data?: { createCertificate?: { id: string } } };
      const id = body.data?.createCertificate?.id;
      if (!id) throw new Error(`Warm-up create failed: ${JSON.stringify(body)}`);
      certificateIds.push(Number(Buffer.from(id, 'base64').toString().split(':')[1]));
    }
    // Certificate entries only, as report.entries counts them (the seed logs its users too).
    const before = Number(
      (await sql.query(`SELECT count(*) FROM event_log WHERE "objectType" = 'Certificate'`)).rows[0]
        .count,
    );

    const traffic = await runTraffic({
      url: server.url,
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      certificateIds,
      namePrefix,
    });

    const report = await checkConsistency(sql);
    const failures = [...report.problems];
    const newEntries = report.entries - before;
    if (traffic.successfulMutations !== newEntries) {
      failures.push(
        `${traffic.successfulMutations} successful mutations but ${newEntries} new entries`,
      );
    }
    const fiveHundreds = Object.entries(traffic.statuses)
      .filter(([status]) => Number(status) >= 500)
      .reduce((sum, [, count]) => sum + count, 0);
    if (fiveHundreds > 0) failures.push(`${fiveHundreds} responses with a 5xx status`);
    if (traffic.unanswered.size > 0) {
      failures.push(`${traffic.unanswered.size} writes without an answer`);
    }
    if (traffic.socketErrors + traffic.timeouts > 0) {
      failures.push(`${traffic.socketErrors} socket errors, ${traffic.timeouts} timeouts`);
    }
    const failed = Object.values(traffic.operations).reduce(
      (sum, { responses, ok }) => sum + responses - ok,
      0,
    );
    if (failed > 0)
      failures.push(`${failed} responses with errors: ${JSON.stringify(traffic.errorCodes)}`);
    for (const [name, userId] of traffic.written) {
      const entry = report.entryNames.get(name);
      if (!entry) failures.push(`the write of "${name}" succeeded but has no entry`);
      else if (entry.actorId !== String(userId)) {
        failures.push(`"${name}" was written by user ${userId}, its entry names ${entry.actorId}`);
      }
    }
    for (const [name, entry] of report.entryNames) {
      if (entry.tool !== 'seed' && !name.includes('-warmup-') && !traffic.written.has(name)) {
        failures.push(`an entry wrote "${name}", which no successful request sent`);
      }
    }
    if (server.process.child.exitCode !== null) failures.push('the server process ended');
    return {
      traffic,
      entries: newEntries,
      certificates: report.certificates,
      failures: failures.slice(0, 50),
    };
  } finally {
    await sql.end().catch(() => {});
    await server?.stop().catch(() => {});
    await database.drop().catch((error) => console.error(`Dropping ${database.name}: ${error}`));
  }
}

export function formatReport(report: LoadReport, options: LoadOptions): string {
  const { traffic } = report;
  const ops = Object.entries(traffic.operations)
    .map(([name, { responses, ok }]) => `${name} ${ok}/${responses}`)
    .join(', ');
  return [
    `load: ${traffic.durationSeconds} s, ${options.connections} connections, ${traffic.responses} responses (${traffic.requestsPerSecond.toFixed(0)}/s)`,
    `  latency ms: p50 ${traffic.latencyMs.p50}, p97.5 ${traffic.latencyMs.p97_5}, p99 ${traffic.latencyMs.p99}, max ${traffic.latencyMs.max}`,
    `  statuses: ${JSON.stringify(traffic.statuses)}; socket errors ${traffic.socketErrors}, timeouts ${traffic.timeouts}`,
    `  operations (ok/responses): ${ops}`,
    `  successful mutations ${traffic.successfulMutations}, new entries ${report.entries}, certificates ${report.certificates}`,
    report.failures.length === 0
      ? '  held: every successful mutation has its entry, no entry without its change, no 5xx'
      : `  FAILED:\n    ${report.failures.join('\n    ')}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: process.env.LOAD_DURATION ?? '30' },
      connections: { type: 'string', default: process.env.LOAD_CONNECTIONS ?? '8' },
    },
  });
  const options = {
    durationSeconds: Number(values.duration),
    connections: Number(values.connections),
  };
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`--${name} must be a positive whole number.`);
    }
  }
  const report = await runLoad(options);
  console.log(formatReport(report, options));
  if (report.failures.length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
