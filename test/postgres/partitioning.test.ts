// event_log partitioned by month on real PostgreSQL: the in-place upgrade of a single table,
// inserts at month boundaries, the default partition and eventlog_ensure_partitions(),
// cursors and node(id) across partitions over HTTP, and node(id) opening one partition.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../example/database.js';
import { applyMigrations, migrationsDir } from '../../scripts/schema-engine.js';
import { createScratchDatabase } from '../../scripts/scratch-database.js';
import { ensureEventLogPartitions } from '../../src/partitions/ensure.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { graphql } from '../support/http.js';

const UPGRADE = '20261203161931_eventlog_partitioned';

const INSERT = `INSERT INTO event_log ("timestamp", tool, action, "objectType", "objectId", template, message)
  VALUES ($1, $2, 'update', $3, $4, 'x', $5) RETURNING id::text, tableoid::regclass::text AS partition`;

async function insert(
  client: pg.Client,
  timestamp: string,
  { tool = 'test', objectType = 'Certificate', objectId = '900', message = timestamp } = {},
) {
  const { rows } = await client.query(INSERT, [timestamp, tool, objectType, objectId, message]);
  return rows[0] as { id: string; partition: string };
}

describe('the upgrade of a single event_log table', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let folder: string | undefined;

  afterAll(async () => {
    await scratch?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('keeps every entry, its id and its order in place; ids go on; new months get partitions', async () => {
    const serverUrl = process.env.DATABASE_URL as string;
    scratch = await createScratchDatabase(serverUrl, 'pel_test');
    // The migrations as they were before the upgrade.
    folder = await mkdtemp(join(tmpdir(), 'pel-upgrade-'));
    const names = (await readdir(migrationsDir)).sort();
    for (const name of names.filter((entry) => entry < UPGRADE)) {
      await cp(join(migrationsDir, name), join(folder, name), { recursive: true });
    }
    const database = await openDatabase({ databaseUrl: scratch.url, poolSize: 2 });
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      await applyMigrations(database.adapterFactory, folder);
      const kind = await client.query(
        `SELECT relkind FROM pg_class WHERE oid = 'event_log'::regclass`,
      );
      expect(kind.rows[0].relkind).toBe('r');
      for (const timestamp of [
        '2024-11-30T23:59:59.999Z',
        '2025-06-01T00:00:00.000Z',
        '2026-01-15T12:00:00.000Z',
      ]) {
        await insert(client, timestamp);
      }
      const before = await client.query(
        `SELECT id::text, "timestamp", message FROM event_log ORDER BY "timestamp" DESC, id DESC`,
      );

      const applied = await applyMigrations(database.adapterFactory);
      expect(applied[0]).toBe(UPGRADE);
      expect(
        (await client.query(`SELECT relkind FROM pg_class WHERE oid = 'event_log'::regclass`))
          .rows[0].relkind,
      ).toBe('p');
      const after = await client.query(
        `SELECT id::text, "timestamp", message, tableoid::regclass::text AS partition
         FROM event_log ORDER BY "timestamp" DESC, id DESC`,
      );
      expect(after.rows.map(({ partition: _, ...row }) => row)).toEqual(before.rows);
      expect(new Set(after.rows.map((row) => row.partition))).toEqual(
        new Set(['event_log_before_partitioning']),
      );

      const partitions = await client.query(
        `SELECT partition, lower_bound, upper_bound, is_default FROM eventlog_partitions()`,
      );
      const legacy = partitions.rows.find(
        (row) => row.partition === 'event_log_before_partitioning',
      );
      const now = new Date();
      const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      expect(legacy).toMatchObject({ upper_bound: nextMonth, is_default: false });
      expect(legacy.lower_bound).toBe(-Infinity);
      // The months after the legacy range, three ahead, exist (the capture migration's call).
      const months = partitions.rows
        .filter((row) => /^event_log_p\d{4}_\d{2}$/.test(row.partition))
        .map((row) => (row.lower_bound as Date).toISOString());
      expect(months).toEqual(
        [1, 2, 3].map((ahead) =>
          new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1)).toISOString(),
        ),
      );

      const maxBefore = Math.max(...before.rows.map((row) => Number(row.id)));
      const later = await insert(client, nextMonth.toISOString());
      expect(Number(later.id)).toBeGreaterThan(maxBefore);
      expect(later.partition).toBe(
        `event_log_p${nextMonth.getUTCFullYear()}_${String(nextMonth.getUTCMonth() + 1).padStart(2, '0')}`,
      );
      // The sequence belongs to the new table: dropping the old partition (as prune does)
      // keeps it.
      const owner = await client.query(
        `SELECT d.refobjid::regclass::text AS owner FROM pg_depend d
         WHERE d.objid = 'event_log_id_seq'::regclass AND d.deptype = 'a'`,
      );
      expect(owner.rows).toEqual([{ owner: 'event_log' }]);
    } finally {
      await client.end();
      await database.close();
    }
  });
});

describe('a partitioned event_log', () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: pg.Client;
  let locker: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp(database);
    admin = new pg.Client({ connectionString: database.url });
    locker = new pg.Client({ connectionString: database.url });
    await Promise.all([admin.connect(), locker.connect()]);
    // Months far from the current ones, created in a session whose time zone is not UTC:
    // the bounds are UTC midnights all the same.
    await admin.query(`SET TimeZone = 'America/New_York'`);
    await admin.query(`SELECT eventlog_ensure_partitions('2031-03-15T00:00:00Z')`);
    await admin.query('RESET TimeZone');
  });

  afterAll(async () => {
    await admin?.end();
    await locker?.end();
    await database?.drop();
  });

  it('after the upgrade of an empty single table, has month partitions from the current month, as a new install', async () => {
    const { rows } = await admin.query(
      `SELECT partition, to_char(lower_bound AT TIME ZONE 'UTC', 'YYYY-MM') AS month FROM eventlog_partitions() WHERE NOT is_default ORDER BY lower_bound LIMIT 4`,
    );
    const now = new Date();
    expect(rows).toEqual(
      [0, 1, 2, 3].map((ahead) => {
        const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1));
        const name = `${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
        return { partition: `event_log_p${name}`, month: name.replace('_', '-') };
      }),
    );
  });

  it('puts an entry at the last millisecond of a month and one at the first of the next in their own months, whatever the session time zone', async () => {
    await admin.query(`SET TimeZone = 'Pacific/Kiritimati'`);
    try {
      expect(
        (await insert(admin, '2031-01-31T23:59:59.999Z', { objectId: 'edge' })).partition,
      ).toBe('event_log_p2031_01');
      expect(
        (await insert(admin, '2031-02-01T00:00:00.000Z', { objectId: 'edge' })).partition,
      ).toBe('event_log_p2031_02');
    } finally {
      await admin.query('RESET TimeZone');
    }
  });

  it('takes an entry no month covers into the default partition; ensure gives it its month, id unchanged', async () => {
    const stray = await insert(admin, '2033-05-10T08:00:00.000Z', { objectId: 'stray' });
    expect(stray.partition).toBe('event_log_default');
    expect(await ensureEventLogPartitions(database.prisma)).toEqual(['event_log_p2033_05']);
    const moved = await admin.query(
      `SELECT id::text, tableoid::regclass::text AS partition FROM event_log WHERE "objectId" = 'stray'`,
    );
    expect(moved.rows).toEqual([{ id: stray.id, partition: 'event_log_p2033_05' }]);
    expect((await admin.query('SELECT count(*)::int AS n FROM event_log_default')).rows[0].n).toBe(
      0,
    );
    // A second call has nothing to do.
    expect(await ensureEventLogPartitions(database.prisma)).toEqual([]);
  });

  it('creates each month once when two callers ensure at the same time', async () => {
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      const list = async () =>
        (await admin.query('SELECT partition FROM eventlog_partitions()')).rows.map(
          (row) => row.partition as string,
        );
      const before = new Set(await list());
      const call = (client: pg.Client) =>
        client.query(`SELECT p FROM eventlog_ensure_partitions('2034-03-01'::timestamptz) p`);
      const [a, b] = await Promise.all([call(admin), call(other)]);
      const created = [...a.rows, ...b.rows].map((row) => row.p as string).sort();
      const added = (await list()).filter((name) => !before.has(name)).sort();
      expect(created).toEqual(added);
      expect(created).toContain('event_log_p2034_03');
      expect(created).toContain('event_log_p2033_06');
    } finally {
      await other.end();
    }
  });

  it('refuses a monthsAhead that is not a whole number from 0 to 120', async () => {
    for (const monthsAhead of [-1, 1.5, 121, Number.NaN]) {
      await expect(ensureEventLogPartitions(database.prisma, { monthsAhead })).rejects.toThrow(
        `monthsAhead must be a whole number from 0 to 120; got ${monthsAhead}.`,
      );
    }
  });

  const PAGE = `query($objectId: String, $after: String) {
    eventLogs(objectType: "Certificate", objectId: $objectId, first: 2, after: $after) {
      edges { node { id message timestamp } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

  async function seedAcrossMonths(objectId: string) {
    const stamps = [
      '2031-03-02T00:00:00.000Z',
      '2031-02-28T23:59:59.999Z',
      '2031-02-01T00:00:00.000Z',
      '2031-01-31T23:59:59.999Z',
      '2031-01-01T00:00:00.000Z',
    ];
    const rows = [];
    for (const stamp of stamps) rows.push(await insert(admin, stamp, { objectId }));
    return { stamps, rows };
  }

  it('pages through an object’s entries across three partitions with cursors, newest first, none lost or repeated', async () => {
    const { stamps, rows } = await seedAcrossMonths('paged');
    expect(new Set(rows.map((row) => row.partition)).size).toBe(3);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const { body } = await graphql(app.yoga, PAGE, { objectId: 'paged', after }, { userId: 1 });
      expect(body.errors).toBeUndefined();
      const connection = body.data.eventLogs;
      seen.push(
        ...connection.edges.map((edge: { node: { message: string } }) => edge.node.message),
      );
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(stamps);
  });

  it('a page after a cursor opens no month after the cursor’s, in eventLogs and in t.eventLog(): a lock on a later month does not stop it', async () => {
    const { stamps } = await seedAcrossMonths('1');
    const pages = {
      eventLogs: {
        query: `query($after: String) {
          eventLogs(objectType: "Certificate", objectId: "1", first: 2, after: $after) {
            edges { node { message } } pageInfo { endCursor }
          }
        }`,
        connection: (data: { eventLogs: unknown }) => data.eventLogs,
      },
      'certificate.eventLog': {
        query: `query($after: String) {
          certificate(id: "${Buffer.from('Certificate:1').toString('base64')}") {
            eventLog(first: 2, after: $after) { edges { node { message } } pageInfo { endCursor } }
          }
        }`,
        connection: (data: { certificate: { eventLog: unknown } }) => data.certificate.eventLog,
      },
    };
    for (const [name, page] of Object.entries(pages)) {
      type Connection = { edges: { node: { message: string } }[]; pageInfo: { endCursor: string } };
      const read = async (after: string | null) => {
        const { body } = await graphql(app.yoga, page.query, { after }, { userId: 1 });
        expect(body.errors, name).toBeUndefined();
        return page.connection(body.data) as Connection;
      };
      const first = await read(null);
      // The newest two: March, then February.
      expect(
        first.edges.map((edge) => edge.node.message),
        name,
      ).toEqual(stamps.slice(0, 2));
      await locker.query('BEGIN');
      try {
        await locker.query('LOCK TABLE event_log_p2031_03 IN ACCESS EXCLUSIVE MODE');
        const next = await Promise.race([
          read(first.pageInfo.endCursor),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`${name} waited for a later month’s lock`)), 5000),
          ),
        ]);
        expect(
          next.edges.map((edge) => edge.node.message),
          name,
        ).toEqual(stamps.slice(2, 4));
      } finally {
        await locker.query('ROLLBACK');
      }
    }
  });

  it('a newest-first page reads the recent months first and older months only when they do not fill it: a lock on an older month stops only the page that needs it', async () => {
    const { stamps } = await seedAcrossMonths('2');
    const certificate = Buffer.from('Certificate:2').toString('base64');
    const pages = {
      eventLogs: (first: number, after: string | null) =>
        graphql(
          app.yoga,
          `query($first: Int, $after: String) {
            eventLogs(objectType: "Certificate", objectId: "2", first: $first, after: $after, until: "2031-03-31T00:00:00Z") {
              edges { node { message } } pageInfo { hasNextPage endCursor }
            }
          }`,
          { first, after },
          { userId: 1 },
        ).then(({ body }) => body.data.eventLogs),
      'certificate.eventLog': (first: number, after: string | null) =>
        graphql(
          app.yoga,
          `query($first: Int, $after: String) {
            certificate(id: "${certificate}") {
              eventLog(first: $first, after: $after) { edges { node { message } } pageInfo { hasNextPage endCursor } }
            }
          }`,
          { first, after },
          { userId: 1 },
        ).then(({ body }) => body.data.certificate.eventLog),
    };
    type Page = {
      edges: { node: { message: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    const messages = (page: Page) => page.edges.map((edge) => edge.node.message);
    for (const [name, read] of Object.entries(pages)) {
      // After the March entry: February fills a page of one, January is not read.
      const march = (await read(1, null)) as Page;
      expect(messages(march), name).toEqual([stamps[0]]);
      await locker.query('BEGIN');
      try {
        await locker.query('LOCK TABLE event_log_p2031_01 IN ACCESS EXCLUSIVE MODE');
        const february = (await Promise.race([
          read(1, march.pageInfo.endCursor),
          new Promise<never>((_, reject) =>
            setTimeout(
              () => reject(new Error(`${name} read an older month it did not need`)),
              5000,
            ),
          ),
        ])) as Page;
        expect(messages(february), name).toEqual([stamps[1]]);
        expect(february.pageInfo.hasNextPage, name).toBe(true);
      } finally {
        await locker.query('ROLLBACK');
      }
      // A page the window does not fill goes on into the older months, in order.
      const across = (await read(3, march.pageInfo.endCursor)) as Page;
      expect(messages(across), name).toEqual(stamps.slice(1, 4));
      expect(across.pageInfo.hasNextPage, name).toBe(true);
      // Then the seed's entry of the certificate, written now, long before those months.
      const rest = (await read(5, march.pageInfo.endCursor)) as Page;
      expect(messages(rest), name).toEqual([...stamps.slice(1), 'Certificate 2 was created.']);
      expect(rest.pageInfo.hasNextPage, name).toBe(false);
    }
  });

  it('node(id) finds entries in each partition, and opens only the entry’s own: a lock held on another month does not stop it', async () => {
    await seedAcrossMonths('node');
    const { body } = await graphql(
      app.yoga,
      `{ eventLogs(objectType: "Certificate", objectId: "node", first: 5) { edges { node { id message } } } }`,
      undefined,
      { userId: 1 },
    );
    const nodes = body.data.eventLogs.edges.map(
      (edge: { node: { id: string; message: string } }) => edge.node,
    );
    expect(nodes).toHaveLength(5);
    const NODE = `query($id: ID!) { node(id: $id) { ... on EventLog { id message } } }`;
    for (const node of nodes) {
      const found = await graphql(app.yoga, NODE, { id: node.id }, { userId: 1 });
      expect(found.body).toEqual({ data: { node } });
    }
    // The January entry, with February locked by another session.
    const january = nodes.find((node: { message: string }) =>
      node.message.startsWith('2031-01-31'),
    );
    await locker.query('BEGIN');
    try {
      await locker.query('LOCK TABLE event_log_p2031_02 IN ACCESS EXCLUSIVE MODE');
      const found = await Promise.race([
        graphql(app.yoga, NODE, { id: january.id }, { userId: 1 }),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('node(id) waited for another month’s lock')), 5000),
        ),
      ]);
      expect(found.body).toEqual({ data: { node: january } });
      // An id given out before partitioning (no timestamp) reads every partition, so it waits.
      const [, raw] = /^EventLog:(.*)$/.exec(Buffer.from(january.id, 'base64').toString()) ?? [];
      const [id, objectType, objectId] = JSON.parse(raw as string);
      const oldId = Buffer.from(`EventLog:${JSON.stringify([id, objectType, objectId])}`).toString(
        'base64',
      );
      let settled = false;
      const waiting = graphql(app.yoga, NODE, { id: oldId }, { userId: 1 }).then((response) => {
        settled = true;
        return response;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
      await locker.query('COMMIT');
      expect((await waiting).body).toEqual({ data: { node: january } });
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
    }
  });

  it('a global ID whose timestamp is not the entry’s finds nothing', async () => {
    const entry = await insert(admin, '2031-03-20T10:00:00.000Z', { objectId: 'forged' });
    const forged = Buffer.from(
      `EventLog:${JSON.stringify([entry.id, 'Certificate', 'forged', Date.parse('2031-03-20T10:00:00.001Z')])}`,
    ).toString('base64');
    const { body } = await graphql(
      app.yoga,
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: forged },
      { userId: 1 },
    );
    expect(body).toEqual({ data: { node: null } });
  });
});
