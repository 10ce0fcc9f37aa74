// Pool exhaustion on the example server as a real process (`npm start`, NODE_ENV=production)
// with a tiny pool and a short connect timeout (DATABASE_POOL_SIZE, DATABASE_CONNECT_TIMEOUT_MS).
// A request that gets no connection in time is refused with SERVICE_UNAVAILABLE, 503 and
// Retry-After when it could not start (the user lookup of x-user-id): never a 500. pg-pool's
// "timeout exceeded when trying to connect" was classified as INTERNAL_SERVER_ERROR, and
// Prisma's maxWait (2 s) ended interactive transactions before the pool's 5 s (issue 11, defect 6).
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DatabaseConfigError,
  databaseOptionsFromEnv,
  openDatabase,
} from '../../example/database.js';
import { checkConsistency } from '../../scripts/consistency.js';
import { type ExampleServer, startServer } from '../../scripts/load.js';
import { createScratchDatabase } from '../../scripts/scratch-database.js';

const serverUrl = process.env.DATABASE_URL as string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cleanups: (() => Promise<unknown>)[] = [];
const connectTimeoutMs = 500;

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

interface Answer {
  status: number;
  retryAfter: string | null;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary result shapes.
  body: any;
}

async function post(
  server: ExampleServer,
  query: string,
  variables: object,
  userId?: number,
): Promise<Answer> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(userId === undefined ? {} : { 'x-user-id': String(userId) }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    text,
    body: JSON.parse(text),
  };
}

const certificate = (id: number) => Buffer.from(`Certificate:${id}`).toString('base64');
const update =
  'mutation($id: ID!, $input: UpdateCertificateInput!) { updateCertificate(id: $id, input: $input) { name } }';
const items = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ name: `item ${index}`, quantity: index }));
const codes = (answer: Answer): string[] =>
  (answer.body.errors ?? []).map(
    (error: { extensions?: { code?: string } }) => error.extensions?.code,
  );

async function startTinyServer(poolSize: number) {
  const database = await createScratchDatabase(serverUrl, 'pel_test');
  cleanups.push(database.drop);
  const server = await startServer(database.url, {
    DATABASE_POOL_SIZE: String(poolSize),
    DATABASE_CONNECT_TIMEOUT_MS: String(connectTimeoutMs),
  });
  cleanups.push(server.stop);
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  cleanups.push(() => sql.end());
  return { database, server, sql };
}

/** No 500, no code but SERVICE_UNAVAILABLE, no stack or SQL: what every answer here must be. */
function expectNoInternalError(answers: Answer[]) {
  expect(
    answers.map((answer) => answer.status).filter((status) => status >= 500 && status !== 503),
  ).toEqual([]);
  expect(answers.flatMap(codes).filter((code) => code !== 'SERVICE_UNAVAILABLE')).toEqual([]);
  expect(
    answers.filter((answer) => /timeout exceeded|\bat \S+ \(|prisma/i.test(answer.text)),
  ).toEqual([]);
}

describe('pool exhaustion on PostgreSQL', () => {
  it('reads DATABASE_CONNECT_TIMEOUT_MS, and refuses a value that is not milliseconds', () => {
    expect(databaseOptionsFromEnv({ DATABASE_CONNECT_TIMEOUT_MS: '750' }).connectTimeoutMs).toBe(
      750,
    );
    expect(databaseOptionsFromEnv({}).connectTimeoutMs).toBeUndefined();
    for (const value of ['0', '-1', '1.5', '5s', ' 500']) {
      expect(() => databaseOptionsFromEnv({ DATABASE_CONNECT_TIMEOUT_MS: value })).toThrow(
        new DatabaseConfigError(
          `DATABASE_CONNECT_TIMEOUT_MS must be a positive number of milliseconds, got ${JSON.stringify(value)}.`,
        ),
      );
    }
  });

  it("an interactive transaction waits for a connection as long as the pool's connect timeout", async () => {
    const scratch = await createScratchDatabase(serverUrl, 'pel_test');
    cleanups.push(scratch.drop);
    const database = await openDatabase({
      databaseUrl: scratch.url,
      poolSize: 1,
      connectTimeoutMs: 4000,
    });
    cleanups.push(database.close);
    // The one connection is busy for 2.5 s: more than Prisma's default maxWait (2 s), less
    // than the pool's connect timeout.
    const busy = database.prisma.$queryRawUnsafe('SELECT pg_sleep(2.5)::text').then(() => 'done');
    await sleep(100);
    const started = Date.now();
    const result = await database.prisma.$transaction(async (tx) =>
      tx.$queryRawUnsafe('SELECT 1 AS one'),
    );
    expect(result).toEqual([{ one: 1 }]);
    expect(Date.now() - started).toBeGreaterThan(2000);
    expect(await busy).toBe('done');
  });

  it('a request that gets no connection in time: 503, Retry-After, SERVICE_UNAVAILABLE (the x-user-id lookup too)', async () => {
    const { database, server, sql } = await startTinyServer(1);
    // The pool's one connection waits on a row lock held here: every other request waits for it.
    await sql.query('BEGIN');
    await sql.query('SELECT 1 FROM "Certificate" WHERE id = 1 FOR UPDATE');
    const blocked = post(
      server,
      update,
      { id: certificate(1), input: { name: 'after the lock' } },
      2,
    );
    for (let tries = 0; ; tries++) {
      const { rows } = await sql.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
        [database.name],
      );
      if (rows[0].n > 0) break;
      if (tries > 100) throw new Error('The update never waited on the row lock.');
      await sleep(50);
    }

    const started = Date.now();
    const [lookups, updates, anonymous] = await Promise.all([
      Promise.all(
        Array.from({ length: 4 }, () =>
          post(server, '{ certificates(first: 1) { edges { node { name } } } }', {}, 1),
        ),
      ),
      Promise.all(
        Array.from({ length: 4 }, (_, index) =>
          post(
            server,
            update,
            { id: certificate(2), input: { name: `refused ${index}`, items: items(200) } },
            2,
          ),
        ),
      ),
      Promise.all(
        Array.from({ length: 4 }, () =>
          post(server, '{ certificates(first: 1) { edges { node { name } } } }', {}),
        ),
      ),
    ]);
    const waitedMs = Date.now() - started;
    await sql.query('COMMIT');
    const unblocked = await blocked;

    console.log(
      `  ${lookups.length + updates.length + anonymous.length} requests refused in ${waitedMs} ms`,
    );
    // The user lookup runs before the request starts: 503 with Retry-After.
    for (const answer of [...lookups, ...updates]) {
      expect(answer.status, answer.text).toBe(503);
      expect(answer.retryAfter).toBe('1');
      expect(answer.body).toEqual({
        errors: [
          {
            message: 'The database is not available; try again shortly.',
            extensions: { code: 'SERVICE_UNAVAILABLE' },
          },
        ],
      });
    }
    // Without x-user-id the field's own query waits: the field fails with the code.
    for (const answer of anonymous) {
      expect(answer.status, answer.text).not.toBe(500);
      expect(codes(answer), answer.text).toEqual(['SERVICE_UNAVAILABLE']);
    }
    expectNoInternalError([...lookups, ...updates, ...anonymous]);
    // The pool's connect timeout decides, not a default of some other layer.
    expect(waitedMs).toBeLessThan(connectTimeoutMs * 4);

    expect(unblocked.body).toEqual({ data: { updateCertificate: { name: 'after the lock' } } });
    const { rows } = await sql.query(
      `SELECT changes->'new_value'->>'name' AS name, "actorId" FROM event_log
       WHERE "objectType" = 'Certificate' AND "objectId" IN ('1', '2') AND action <> 'create'`,
    );
    expect(rows).toEqual([{ name: 'after the lock', actorId: '2' }]);
    expect(server.process.child.exitCode).toBeNull();
    expect(server.process.stderr()).not.toMatch(/uncaught|unhandled/i);
  }, 90_000);

  // Issue 11 sent 200 items each. Each item's trigger merges into the certificate's entry;
  // that merge once visited the whole entry, so 200 items took seconds (fixed: about 0.3 s,
  // test/postgres/capture.test.ts). 20 items keep this test short; the pool runs out the same.
  it('80 concurrent 20-item updates of one row on a pool of 2: no 500, every acknowledged update has its entry', async () => {
    const { server, sql } = await startTinyServer(2);
    const names = Array.from({ length: 80 }, (_, index) => `burst ${index}`);
    const answers = await Promise.all(
      names.map((name) =>
        post(server, update, { id: certificate(1), input: { name, items: items(20) } }, 2),
      ),
    );
    const acknowledged = names.filter(
      (name, index) => answers[index]?.body.data?.updateCertificate?.name === name,
    );
    const refused = answers.filter((answer) => answer.status === 503);
    const statuses: Record<number, number> = {};
    for (const answer of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    console.log(
      `  statuses ${JSON.stringify(statuses)}; acknowledged ${acknowledged.length}, refused before starting ${refused.length}, failed in the resolver ${answers.length - acknowledged.length - refused.length}`,
    );

    expectNoInternalError(answers);
    // The pool did run out, and it did serve.
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(acknowledged.length).toBeLessThan(answers.length);
    for (const answer of refused) expect(answer.retryAfter).toBe('1');

    const report = await checkConsistency(sql);
    expect(report.problems).toEqual([]);
    for (const name of acknowledged) {
      expect(report.entryNames.get(name)?.actorId, name).toBe('2');
    }
    // A request refused before it started wrote nothing.
    const refusedNames = names.filter((_, index) => answers[index]?.status === 503);
    expect(refusedNames.filter((name) => report.entryNames.has(name))).toEqual([]);
    expect(server.process.child.exitCode).toBeNull();
    expect(server.process.stderr()).not.toMatch(/uncaught|unhandled/i);
  }, 120_000);
});
