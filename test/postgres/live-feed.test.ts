// eventLogAdded on real PostgreSQL, across two example server processes on one database:
// subscriptions over SSE (fetch + accept: text/event-stream), writes through the other
// server or straight through pg, notifications by the capture triggers' pg_notify.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type ExampleProcess, freePort, startExample } from '../support/example-process.js';
import { type SseResult, type SseSubscription, subscribeSse } from '../support/sse.js';

const run = promisify(execFile);

const FEED = /* GraphQL */ `
  subscription Feed($objectType: String, $after: String) {
    eventLogAdded(objectType: $objectType, after: $after) {
      cursor
      node {
        id
        action
        objectId
        message
        changes
      }
    }
  }
`;

const UPDATE = /* GraphQL */ `
  mutation ($id: ID!, $notes: String!) {
    updateCertificate(id: $id, input: { notes: $notes }) {
      notes
    }
  }
`;

type Added = { cursor: string; node: { id: string; changes: unknown; [key: string]: unknown } };
const added = (result: SseResult) => (result.data as { eventLogAdded: Added }).eventLogAdded;
const certificate = (id: number) => Buffer.from(`Certificate:${id}`).toString('base64');

describe('eventLogAdded across two server processes on PostgreSQL', () => {
  let database: TestDatabase;
  let sql: pg.Client;
  let serverA: ExampleProcess;
  let serverB: ExampleProcess;
  let urlA: string;
  let urlB: string;
  const open: SseSubscription[] = [];
  /** Certificates of these tests' own, with no notes yet. */
  let ids: number[] = [];

  const start = async () => {
    const port = await freePort();
    const server = startExample({ DATABASE_URL: database.url, PORT: String(port) });
    await server.waitForOutput(/example on http/, 90_000);
    return { server, url: `http://127.0.0.1:${port}/graphql` };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    // One after the other: the first seeds the empty database.
    ({ server: serverA, url: urlA } = await start());
    ({ server: serverB, url: urlB } = await start());
    const { rows } = await sql.query(
      `INSERT INTO "Certificate" (name, "updatedAt") SELECT 'live ' || n, now() FROM generate_series(1, 40) n RETURNING id`,
    );
    ids = rows.map((row) => row.id as number);
  }, 200_000);

  afterAll(async () => {
    for (const feed of open) feed.close();
    serverA?.kill();
    serverB?.kill();
    await sql?.end();
    await database?.drop();
  });

  const gql = async (url: string, query: string, variables?: object, userId = '1') => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': userId },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };

  /** The cursor of the newest stored entry: subscribing after it misses nothing written later. */
  const newestCursor = async (url: string) => {
    const body = await gql(url, '{ eventLogs(first: 1) { edges { cursor } } }');
    return (body.data as { eventLogs: { edges: { cursor: string }[] } }).eventLogs.edges[0]
      ?.cursor as string;
  };

  const subscribe = async (url: string, variables: object, headers = { 'x-user-id': '1' }) => {
    const feed = await subscribeSse(url, FEED, { headers, variables });
    open.push(feed);
    return feed;
  };

  const update = async (url: string, id: number, notes: string) => {
    const body = await gql(url, UPDATE, { id: certificate(id), notes });
    expect(body.errors).toBeUndefined();
  };

  it('delivers a change made through either server to the subscribers of both', async () => {
    const after = await newestCursor(urlA);
    const feedA = await subscribe(urlA, { objectType: 'Certificate', after });
    const feedB = await subscribe(urlB, { objectType: 'Certificate', after });
    await update(urlB, ids[0] as number, 'through B');
    await update(urlA, ids[1] as number, 'through A');
    const [a, b] = await Promise.all([feedA.waitFor(2, 10_000), feedB.waitFor(2, 10_000)]);
    feedA.close();
    feedB.close();
    const changes = (results: SseResult[]) => results.map((result) => added(result).node.changes);
    expect(changes(a)).toEqual([
      { old_value: { notes: null }, new_value: { notes: 'through B' } },
      { old_value: { notes: null }, new_value: { notes: 'through A' } },
    ]);
    expect(changes(b)).toEqual(changes(a));
    expect(added(a[0] as SseResult).node.message).toMatch(/was updated by John Doe\.$/);
  });

  it('the resume seam under 20 concurrent writers: after a cursor taken mid-stream, exactly the missing entries', async () => {
    const after = await newestCursor(urlA);
    const whole = await subscribe(urlA, { objectType: 'Certificate', after });
    const perWriter = 10;
    const writers = 20;
    // Half through HTTP (alternating servers), half straight through pg in transactions held
    // open for a random while: entries then commit in another order than their ids.
    const httpWriter = async (w: number) => {
      for (let i = 0; i < perWriter; i++) {
        await update(i % 2 === 0 ? urlA : urlB, ids[2 + (w % 8)] as number, `http ${w}.${i}`);
      }
    };
    const pgWriter = async (w: number) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        for (let i = 0; i < perWriter; i++) {
          await client.query('BEGIN');
          await client.query('UPDATE "Certificate" SET notes = $1 WHERE id = $2', [
            `pg ${w}.${i}`,
            ids[10 + (w % 8)],
          ]);
          await client.query('SELECT pg_sleep($1)', [Math.random() * 0.05]);
          await client.query('COMMIT');
        }
      } finally {
        await client.end();
      }
    };
    const writing = Promise.all(
      Array.from({ length: writers }, (_, w) => (w % 2 === 0 ? httpWriter(w) : pgWriter(w))),
    );
    // Mid-stream: the cursor of what the first subscriber has got so far, while writes go on.
    await whole.waitFor(60, 30_000);
    const cut = whole.results.length;
    const resumed = await subscribe(urlB, {
      objectType: 'Certificate',
      after: added(whole.results[cut - 1] as SseResult).cursor,
    });
    await writing;
    const total = writers * perWriter;
    await whole.waitFor(total, 30_000);
    await resumed.waitFor(total - cut, 30_000);
    // Nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    whole.close();
    resumed.close();
    // The database id inside the global ID (EventLog:["<id>","<objectType>","<objectId>"]).
    const idsOf = (results: SseResult[]) =>
      results.map(
        (result) =>
          JSON.parse(
            Buffer.from(added(result).node.id, 'base64').toString('utf8').slice('EventLog:'.length),
          )[0] as string,
      );
    const stored = await sql.query(
      `SELECT id FROM event_log WHERE "objectType" = 'Certificate' ORDER BY "timestamp", id`,
    );
    const all = idsOf(whole.results);
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    // In the listing's order, and every stored entry after the start cursor is there.
    const storedIds = stored.rows.map((row) => String(row.id));
    expect(all).toEqual(storedIds.slice(-total));
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThan(total);
    expect(idsOf(resumed.results)).toEqual(all.slice(cut));
    console.log(`seam: ${total} entries, resumed after #${cut}, ${total - cut} replayed + live`);
  }, 120_000);

  it('a rolled-back change delivers nothing', async () => {
    const after = await newestCursor(urlA);
    const feed = await subscribe(urlA, { objectType: 'Certificate', after });
    // Through GraphQL: the update runs, then an item of another certificate fails the
    // transaction, and the entry the trigger wrote is rolled back with it.
    const items = await gql(
      urlB,
      '{ certificates(first: 2) { edges { node { id items { id } } } } }',
    );
    const nodes = (
      items.data as { certificates: { edges: { node: { id: string; items: { id: string }[] } }[] } }
    ).certificates.edges.map((edge) => edge.node);
    const foreignItem = nodes[1]?.items[0]?.id as string;
    const failed = await gql(
      urlB,
      'mutation ($id: ID!, $item: ID!) { updateCertificate(id: $id, input: { notes: "rolled back", items: [{ id: $item, name: "x", quantity: 1 }] }) { id } }',
      { id: nodes[0]?.id, item: foreignItem },
    );
    expect(failed.errors).toHaveLength(1);
    // Straight through pg.
    await sql.query('BEGIN');
    await sql.query(`UPDATE "Certificate" SET notes = 'rolled back too' WHERE id = $1`, [ids[20]]);
    await sql.query('ROLLBACK');
    await update(urlB, ids[21] as number, 'committed');
    await feed.waitFor(1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    feed.close();
    expect(feed.results.map((result) => added(result).node.changes)).toEqual([
      { old_value: { notes: null }, new_value: { notes: 'committed' } },
    ]);
  });

  it('the triggers notify once per statement with the ids, below 8000 bytes, not on rollback, not with eventlog.notify off', async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query('LISTEN eventlog');
    try {
      await sql.query(
        `INSERT INTO "Certificate" (name, "updatedAt") SELECT 'bulk ' || n, now() FROM generate_series(1, 2000) n`,
      );
      await sql.query('BEGIN');
      await sql.query(`UPDATE "Certificate" SET notes = 'never' WHERE id = 1`);
      await sql.query('ROLLBACK');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const announced = payloads.flatMap((payload) => payload.split(','));
      const { rows } = await sql.query(
        `SELECT id::text FROM event_log WHERE "objectType" = 'Certificate' AND action = 'create' AND "objectId" IN (SELECT id::text FROM "Certificate" WHERE name LIKE 'bulk %') ORDER BY event_log.id`,
      );
      expect(rows).toHaveLength(2000);
      expect(announced).toEqual(rows.map((row) => row.id));
      expect(payloads.length).toBeGreaterThan(1);
      for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
      // eventlog.notify = 'off' (for a database that nothing listens to): no notification.
      payloads.length = 0;
      await sql.query(`SET eventlog.notify = 'off'`);
      await sql.query(`UPDATE "Certificate" SET notes = 'quiet' WHERE id = $1`, [ids[30]]);
      await sql.query('RESET eventlog.notify');
      await sql.query(`UPDATE "Certificate" SET notes = 'heard' WHERE id = $1`, [ids[31]]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { rows: quiet } = await sql.query(
        `SELECT id::text FROM event_log WHERE action = 'update' AND "objectType" = 'Certificate' AND "objectId" IN ($1, $2) ORDER BY event_log.id`,
        [String(ids[30]), String(ids[31])],
      );
      expect(quiet).toHaveLength(2);
      expect(payloads).toEqual([quiet[1]?.id]);
    } finally {
      await listener.end();
    }
  });

  it('refuses an anonymous subscriber with FORBIDDEN before sending anything', async () => {
    const feed = await subscribe(urlB, {}, {} as { 'x-user-id': string });
    await feed.completed;
    expect(feed.status).toBe(200);
    expect(feed.results).toEqual([
      { errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })] },
    ]);
  });

  it('one listening connection per server, whatever the number of subscribers', async () => {
    const feeds = await Promise.all(
      Array.from({ length: 6 }, (_, i) => subscribe(i % 2 ? urlA : urlB, {})),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN eventlog'`,
    );
    for (const feed of feeds) feed.close();
    expect(rows[0].n).toBe(2);
  });

  it('a stalled client leaves the server’s memory bounded, and once it reads again it gets every entry in order', async () => {
    const port = new URL(urlA).port;
    const pid = await serverPid(serverA);
    const after = await newestCursor(urlA);
    // A client that sends the subscription and then stops reading.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const body = JSON.stringify({ query: FEED, variables: { objectType: 'Certificate', after } });
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\ncontent-type: application/json\r\nx-user-id: 1\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = await rssMb(pid);
    // 20 statements of 2 000 entries each, every one holding 2 × 4 KB of notes.
    const rounds = 20;
    let peak = before;
    for (let i = 0; i < rounds; i++) {
      await sql.query(
        `UPDATE "Certificate" SET notes = repeat($1, 4000) WHERE name LIKE 'bulk %'`,
        [String.fromCharCode(97 + (i % 26))],
      );
      peak = Math.max(peak, await rssMb(pid));
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
    peak = Math.max(peak, await rssMb(pid));
    const stalledPeak = peak;
    // Reading again: the entries come from where the client stopped, in order, without a
    // gap and without an error, read back from the log. The first `wanted` are checked.
    const wanted = 3000;
    // SSE events end with a blank line; only their cursors are kept (each carries 8 KB of notes).
    let pending = '';
    let errors = false;
    const received: string[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const events = (pending + chunk).split('\n\n');
      pending = events.pop() ?? '';
      for (const event of events) {
        if (event.includes('"errors"')) errors = true;
        const cursor = /"eventLogAdded":\{"cursor":"([A-Za-z0-9_-]+)"/.exec(event)?.[1];
        if (cursor) received.push(cursor);
      }
    });
    socket.resume();
    const enough = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000);
      const check = setInterval(() => {
        if (received.length >= wanted || errors) {
          clearTimeout(timer);
          clearInterval(check);
          resolve(true);
        }
      }, 50);
    });
    peak = Math.max(peak, await rssMb(pid));
    socket.destroy();
    const delivered = received
      .slice(0, wanted)
      .map((cursor) => Buffer.from(cursor, 'base64url').toString().split(':')[2]);
    const [, afterMs, afterId] = Buffer.from(after, 'base64url').toString().split(':');
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id::text FROM event_log WHERE "objectType" = 'Certificate'
         AND ("timestamp", id) > ('epoch'::timestamptz + $1::bigint * interval '1 millisecond', $2::bigint)
       ORDER BY "timestamp", id LIMIT $3`,
      [afterMs, afterId, wanted],
    );
    const entriesWritten = rounds * 2000;
    console.log(
      `stalled client: ${entriesWritten} entries written (${Math.round((2 * 4000 * entriesWritten) / 1e6)} MB of notes) while it did not read; server RSS ${before} MB before, peak ${stalledPeak} MB; then ${delivered.length} delivered in order when it read again (peak ${peak} MB while reading them back)`,
    );
    expect(enough).toBe(true);
    expect(errors).toBe(false);
    expect(delivered).toEqual(rows.map((row) => row.id));
    // Unbounded, the server would hold every entry (320 MB of notes): it stays far below.
    expect(stalledPeak - before).toBeLessThan(150);
    // The server goes on serving.
    expect(await newestCursor(urlA)).toMatch(/^[A-Za-z0-9_-]+$/);
  }, 180_000);

  it('a listening connection that is killed comes back, and nothing committed meanwhile is lost', async () => {
    const after = await newestCursor(urlA);
    const feed = await subscribe(urlA, { objectType: 'Certificate', after });
    const feedB = await subscribe(urlB, { objectType: 'Certificate', after });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killed = await sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN eventlog'`,
    );
    expect(killed.rows.length).toBe(2);
    // Written while no server listens: its notification is never heard.
    await sql.query(`UPDATE "Certificate" SET notes = 'unheard' WHERE id = $1`, [ids[32]]);
    await update(urlB, ids[33] as number, 'after the reconnection');
    const [results, resultsB] = await Promise.all([
      feed.waitFor(2, 10_000),
      feedB.waitFor(2, 10_000),
    ]);
    feed.close();
    feedB.close();
    const expected = [
      { old_value: { notes: null }, new_value: { notes: 'unheard' } },
      { old_value: { notes: null }, new_value: { notes: 'after the reconnection' } },
    ];
    expect(results.map((result) => added(result).node.changes)).toEqual(expected);
    expect(resultsB.map((result) => added(result).node.changes)).toEqual(expected);
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN eventlog'`,
    );
    expect(rows[0].n).toBe(2);
  });

  it('SIGTERM ends the subscriptions and releases the listening connection', async () => {
    const feed = await subscribe(urlB, {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    // To the server's node process alone: signalled as a group, tsx relays a second SIGTERM.
    process.kill(await serverPid(serverB), 'SIGTERM');
    await feed.completed;
    await serverB.closed(20_000);
    expect(serverB.stderr()).toBe('');
    expect(serverB.stdout()).toContain('SIGTERM: shutting down.');
    expect(serverB.stdout()).toContain('Stopped.');
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN eventlog'`,
    );
    expect(rows[0].n).toBe(1);
  }, 60_000);
});

/** The node process running example/main.ts in the example's process group. */
async function serverPid(server: ExampleProcess): Promise<number> {
  const { stdout } = await run('ps', ['-o', 'pid=,args=', '-g', String(server.child.pid)]);
  const line = stdout
    .split('\n')
    .find((row) => row.includes('loader.mjs') && row.includes('example/main.ts'));
  if (!line) throw new Error(`No server process in group ${server.child.pid}:\n${stdout}`);
  return Number(line.trim().split(/\s+/)[0]);
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024);
}
