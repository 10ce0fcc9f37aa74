// The capture triggers on real PostgreSQL: whoever writes a row (a mutation over HTTP, a
// script with withEventLogContext(), psql), the entry is written in the same statement and
// commits or rolls back with it. Rows are read back with `pg`, never through the library.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../example/database.js';
import { checkConsistency } from '../../scripts/consistency.js';
import { type CaptureDatamodel, captureSql } from '../../src/capture/capture-sql.js';
import { withEventLogContext } from '../../src/capture/context.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { globalId, graphql, rawId } from '../support/http.js';

let database: TestDatabase;
let app: TestApp;
/** A second client of the database, as a script or job would have: its own pool. */
let script: Database;
/** Reads rows back. */
let admin: pg.Client;
/** Writes the way psql does: plain SQL, no comment, no context. */
let psql: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await createTestApp(database);
  script = await openDatabase({ databaseUrl: database.url, poolSize: 2 });
  admin = new pg.Client({ connectionString: database.url });
  psql = new pg.Client({ connectionString: database.url });
  await Promise.all([admin.connect(), psql.connect()]);
});

afterAll(async () => {
  await admin?.end();
  await psql?.end();
  await script?.close();
  await database?.drop();
});

// --- helpers --------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Values = Record<string, Json>;

interface Entry {
  id: string;
  actorId: string | null;
  actorName: string | null;
  tool: string;
  action: string;
  objectType: string;
  objectId: string;
  message: string;
  changes: { old_value: Values; new_value: Values };
  context: { call: string; op: string; unattributed?: boolean; requestId?: string; path?: string };
}

const gql = (query: string, variables?: Record<string, unknown>, userId?: number) =>
  graphql(app.yoga, query, variables, { userId });

const CREATE = `mutation($input: CreateCertificateInput!) {
  createCertificate(input: $input) { id name items { id name quantity } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateCertificateInput!) {
  updateCertificate(id: $id, input: $input) { id name }
}`;

/** Creates a certificate over HTTP; returns its raw id and its items' raw ids. */
async function createCertificate(
  name: string,
  items: { name: string; quantity: number }[] = [],
  userId = 1,
) {
  const { body } = await gql(CREATE, { input: { name, items } }, userId);
  expect(body.errors).toBeUndefined();
  const created = body.data.createCertificate;
  return {
    id: rawId(created.id),
    items: created.items.map((item: { id: string }) => rawId(item.id)) as number[],
  };
}

/** The id of the newest entry: entries written later have larger ids. */
async function lastEntryId(): Promise<string> {
  const { rows } = await admin.query('SELECT coalesce(max(id), 0)::text AS id FROM event_log');
  return rows[0].id;
}

/** Entries written after `after` (an id from lastEntryId), oldest first. */
async function entriesAfter(after: string, objectType = 'Certificate'): Promise<Entry[]> {
  const { rows } = await admin.query(
    `SELECT id::text, "actorId", "actorName", tool, action, "objectType", "objectId", message,
            changes, context
     FROM event_log WHERE id > $1 AND "objectType" = $2 ORDER BY event_log.timestamp, event_log.id`,
    [after, objectType],
  );
  return rows;
}

/** Sorts a list of plain records by their JSON text, to compare lists regardless of order. */
const sorted = <T>(list: T[]) =>
  [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

// --- tests ----------------------------------------------------------------------------

describe('a mixed race on the same certificates', () => {
  it('HTTP mutations, a script updateMany and psql UPDATEs: one entry per committed change, and the trail replays to the rows', async () => {
    const rounds = 24;
    const targets = await Promise.all(
      [0, 1, 2].map((n) =>
        createCertificate(`race ${n}`, [
          { name: 'kept', quantity: 0 },
          { name: 'extra', quantity: 1 },
        ]),
      ),
    );
    const ids = targets.map((target) => target.id);
    const before = await lastEntryId();

    const http: { name: string; actorId: string; objectId: string }[] = [];
    const scripted: { notes: string; count: number }[] = [];
    const psqlWrites: { name: string; objectId: string }[] = [];
    const failures: unknown[] = [];

    /** Renames; on odd rounds also replaces the items: the first kept, one added. */
    const httpWriter = async (userId: number) => {
      for (let round = 0; round < rounds; round++) {
        const target = targets[(round + userId) % targets.length] as (typeof targets)[number];
        const name = `http u${userId} r${round}`;
        const input =
          round % 2 === 0
            ? { name }
            : {
                name,
                items: [
                  {
                    id: globalId('CertificateItem', target.items[0] as number),
                    name: 'kept',
                    quantity: round,
                  },
                  { name: `added u${userId} r${round}`, quantity: userId },
                ],
              };
        const { body } = await gql(
          UPDATE,
          { id: globalId('Certificate', target.id), input },
          userId,
        );
        if (body.errors) failures.push(body.errors);
        else http.push({ name, actorId: String(userId), objectId: String(target.id) });
      }
    };
    /** One updateMany over all the targets per round, from its own Prisma client. */
    const scriptWriter = async () => {
      for (let round = 0; round < rounds; round++) {
        const notes = `script r${round}`;
        try {
          const { count } = await withEventLogContext({ actor: null, tool: 'script' }, () =>
            script.prisma.certificate.updateMany({ where: { id: { in: ids } }, data: { notes } }),
          );
          scripted.push({ notes, count });
        } catch (error) {
          failures.push(error);
        }
      }
    };
    /** Plain UPDATEs, one row each. */
    const psqlWriter = async () => {
      for (let round = 0; round < rounds; round++) {
        const id = ids[round % ids.length] as number;
        const name = `psql r${round}`;
        try {
          const { rowCount } = await psql.query(
            'UPDATE "Certificate" SET name = $1 WHERE id = $2',
            [name, id],
          );
          if (rowCount === 1) psqlWrites.push({ name, objectId: String(id) });
        } catch (error) {
          failures.push(error);
        }
      }
    };

    await Promise.all([httpWriter(1), httpWriter(2), httpWriter(3), scriptWriter(), psqlWriter()]);
    // No writer can deadlock another (each locks at most one certificate, but the script):
    // every write must have committed.
    expect(failures).toEqual([]);
    expect(http).toHaveLength(3 * rounds);
    expect(scripted).toEqual(
      Array.from({ length: rounds }, (_, round) => ({ notes: `script r${round}`, count: 3 })),
    );
    expect(psqlWrites).toHaveLength(rounds);

    const entries = await entriesAfter(before);
    const byTool = (tool: string) => entries.filter((entry) => entry.tool === tool);
    expect(entries.map((entry) => entry.tool).sort()).toEqual(
      [
        ...Array(http.length).fill('certificate'),
        ...Array(rounds * 3).fill('script'),
        ...Array(psqlWrites.length).fill('database'),
      ].sort(),
    );

    // Mutations over HTTP: one entry each, by their user, with the new name.
    const httpEntries = byTool('certificate');
    expect(
      sorted(
        httpEntries.map((entry) => ({
          name: entry.changes.new_value.name,
          actorId: entry.actorId,
          objectId: entry.objectId,
        })),
      ),
    ).toEqual(sorted(http));
    for (const entry of httpEntries) {
      expect(entry.action).toBe('update');
      expect(entry.context).toMatchObject({ op: 'update', path: 'updateCertificate' });
      expect(entry.context.unattributed).toBeUndefined();
      // The odd rounds' items: the added item is folded into the same entry.
      const [, user, round] =
        /^http u(\d) r(\d+)$/.exec(String(entry.changes.new_value.name)) ?? [];
      const items = Object.values((entry.changes.new_value.items ?? {}) as Values);
      expect(
        items.filter((item) => (item as Values)?.name === `added u${user} r${round}`),
      ).toHaveLength(Number(round) % 2);
    }

    // The script: one entry per row of each updateMany, tool `script`, no actor.
    const scriptEntries = byTool('script');
    for (const { notes } of scripted) {
      const ofCall = scriptEntries.filter((entry) => entry.changes.new_value.notes === notes);
      expect(ofCall.map((entry) => entry.objectId).sort(), notes).toEqual(ids.map(String).sort());
      expect(new Set(ofCall.map((entry) => entry.context.call)).size).toBe(1);
    }
    for (const entry of scriptEntries) {
      expect(entry.actorId).toBeNull();
      expect(entry.context.unattributed).toBeUndefined();
      expect(Object.keys(entry.changes.new_value)).toEqual(['notes']);
    }

    // psql: unattributed entries of the `database` tool.
    const psqlEntries = byTool('database');
    expect(
      sorted(
        psqlEntries.map((entry) => ({
          name: entry.changes.new_value.name,
          objectId: entry.objectId,
        })),
      ),
    ).toEqual(sorted(psqlWrites));
    for (const entry of psqlEntries) {
      expect(entry.actorId).toBeNull();
      expect(entry.context.unattributed).toBe(true);
    }

    // Replaying each certificate's entries, oldest first, gives its row and items.
    const report = await checkConsistency(admin);
    expect(report.problems).toEqual([]);
  }, 60_000);
});

describe('writes without a context', () => {
  it('a psql UPDATE is logged as an unattributed entry with its diff', async () => {
    const { id } = await createCertificate('Before psql');
    const before = await lastEntryId();
    await psql.query('BEGIN');
    const { rows } = await psql.query('SELECT txid_current()::text AS txid');
    await psql.query(
      `UPDATE "Certificate" SET name = 'After psql', notes = 'by hand' WHERE id = $1`,
      [id],
    );
    await psql.query('COMMIT');
    const entries = await entriesAfter(before);
    expect(entries).toEqual([
      {
        id: expect.any(String),
        actorId: null,
        actorName: null,
        tool: 'database',
        action: 'update',
        objectType: 'Certificate',
        objectId: String(id),
        message: `Certificate ${id} was updated.`,
        changes: {
          old_value: { name: 'Before psql', notes: null },
          new_value: { name: 'After psql', notes: 'by hand' },
        },
        context: { call: `tx:${rows[0].txid}`, op: 'update', unattributed: true },
      },
    ]);
  });

  it('a psql change of an item alone is folded into an unattributed entry on its certificate', async () => {
    const { id, items } = await createCertificate('Item by hand', [{ name: 'bolt', quantity: 4 }]);
    const item = items[0] as number;
    const before = await lastEntryId();
    await psql.query('UPDATE "CertificateItem" SET quantity = 40 WHERE id = $1', [item]);
    const entries = await entriesAfter(before);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorId: null,
      tool: 'database',
      action: 'update',
      objectId: String(id),
      changes: {
        old_value: { items: { [item]: { quantity: 4 } } },
        new_value: { items: { [item]: { quantity: 40 } } },
      },
      context: { op: 'update', unattributed: true },
    });
  });
  it('a psql INSERT and a DELETE that cascades to the items are logged, the items folded', async () => {
    const before = await lastEntryId();
    const { rows } = await psql.query(
      `INSERT INTO "Certificate" (name, "updatedAt") VALUES ('Typed in psql', now()) RETURNING id`,
    );
    const id = rows[0].id as number;
    const item = await psql.query(
      `INSERT INTO "CertificateItem" ("certificateId", name, quantity) VALUES ($1, 'nut', 8) RETURNING id`,
      [id],
    );
    await psql.query('DELETE FROM "Certificate" WHERE id = $1', [id]);
    const entries = await entriesAfter(before);
    const row = { name: 'Typed in psql', status: 'draft', notes: null, ownerId: null };
    const items = { [item.rows[0].id]: { name: 'nut', quantity: 8 } };
    expect(
      entries.map((entry) => [entry.action, entry.tool, entry.actorId, entry.changes]),
    ).toEqual([
      ['create', 'database', null, { old_value: {}, new_value: row }],
      [
        'update',
        'database',
        null,
        { old_value: { items: { [item.rows[0].id]: null } }, new_value: { items } },
      ],
      ['delete', 'database', null, { old_value: { ...row, items }, new_value: {} }],
    ]);
    expect(entries.every((entry) => entry.context.unattributed === true)).toBe(true);
  });

  it('a malformed eventlog comment counts as no context: the write goes through, unattributed', async () => {
    const { id } = await createCertificate('Forged comments');
    const encode = (text: string) => Buffer.from(text).toString('base64url');
    const comments = [
      "/*eventlog='%%%'*/",
      `/*eventlog='${encode('not json')}'*/`,
      `/*eventlog='${encode('"a string"')}'*/`,
      `/*eventlog='${encode('[1, 2]')}'*/`,
    ];
    const before = await lastEntryId();
    for (const [index, comment] of comments.entries()) {
      await psql.query(
        `UPDATE "Certificate" SET name = 'forged ${index}' WHERE id = ${id} ${comment}`,
      );
    }
    const entries = await entriesAfter(before);
    expect(
      entries.map((entry) => [
        entry.changes.new_value.name,
        entry.actorId,
        entry.tool,
        entry.context.unattributed,
      ]),
    ).toEqual(comments.map((_, index) => [`forged ${index}`, null, 'database', true]));
  });
});

describe('masked keys', () => {
  // A model of the test's own, with a masked column (password, a default masked key), a
  // declared masked key (pin) inside JSON items without ids, and a default one (token).
  const datamodel: CaptureDatamodel = {
    models: [
      {
        name: 'Secret',
        fields: [
          { name: 'id', kind: 'scalar', type: 'Int', isList: false, isId: true },
          { name: 'name', kind: 'scalar', type: 'String', isList: false },
          { name: 'password', kind: 'scalar', type: 'String', isList: false },
          { name: 'settings', kind: 'scalar', type: 'Json', isList: false },
        ],
      },
    ],
  };
  const declaration = { models: { Secret: { tool: 'secret', mask: ['pin'] } } };
  const secrets = [
    'hunter2-first-password',
    'correct-horse-battery',
    'tok-9f8e7d6c',
    '4821',
    '7395',
    '1066',
    '2718',
  ];
  const settings = (frontPin: string, backPin = '7395') => ({
    token: 'tok-9f8e7d6c',
    doors: [
      { label: 'front door', pin: frontPin },
      { label: 'back door', pin: backPin },
    ],
  });

  beforeAll(async () => {
    await admin.query(
      'CREATE TABLE "Secret" (id integer PRIMARY KEY, name text NOT NULL, password text NOT NULL, settings jsonb NOT NULL)',
    );
    // The shared functions again (CREATE OR REPLACE), then the Secret model's own.
    await admin.query(captureSql(datamodel, declaration).sql);
  });

  it('store no secret value, and content keys do not change when only a masked value does', async () => {
    const before = await lastEntryId();
    const write = (sql: string, params: unknown[]) => psql.query(sql, params);
    await write('INSERT INTO "Secret" VALUES (1, $1, $2, $3)', [
      'vault',
      'hunter2-first-password',
      JSON.stringify(settings('4821')),
    ]);
    await write('UPDATE "Secret" SET password = $1 WHERE id = 1', ['correct-horse-battery']);
    await write('UPDATE "Secret" SET settings = $1 WHERE id = 1', [
      JSON.stringify(settings('1066')),
    ]);
    await write('UPDATE "Secret" SET settings = $1 WHERE id = 1', [
      JSON.stringify(settings('2718')),
    ]);
    await write('DELETE FROM "Secret" WHERE id = 1', []);

    const { rows } = await admin.query(
      `SELECT action, tool, changes, changes::text AS changes_text, "values"::text AS values_text,
              message, template, context::text AS context_text
       FROM event_log WHERE id > $1 AND "objectType" = 'Secret' ORDER BY event_log.timestamp, event_log.id`,
      [before],
    );
    expect(rows.map((row) => [row.tool, row.action])).toEqual([
      ['database', 'create'],
      ['database', 'update'],
      ['database', 'update'],
      ['database', 'update'],
      ['database', 'delete'],
    ]);
    // Nothing stored holds a secret, not even as a part of a word or number.
    for (const row of rows) {
      const stored = [
        row.changes_text,
        row.values_text,
        row.message,
        row.template,
        row.context_text,
      ].join('\n');
      for (const secret of secrets) {
        expect(stored).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`));
      }
    }
    const masked = {
      token: '[redacted]',
      doors: [
        { label: 'front door', pin: '[redacted]' },
        { label: 'back door', pin: '[redacted]' },
      ],
    };
    const [created, password, pin1, pin2, deleted] = rows.map((row) => row.changes);
    expect(created).toEqual({
      old_value: {},
      new_value: { name: 'vault', password: '[redacted]', settings: masked },
    });
    expect(password).toEqual({
      old_value: { password: '[redacted]' },
      new_value: { password: '[redacted]' },
    });
    // Only the front door's pin changed: one item, under the same content key both times,
    // and that key is not the hash of any unmasked version of the item (no 4-digit guess finds it).
    const keys = [pin1, pin2].map((changes) => Object.keys(changes.new_value.settings.doors));
    expect(keys[0]).toHaveLength(1);
    expect(keys[1]).toEqual(keys[0]);
    const key = keys[0]?.[0] as string;
    expect(pin1).toEqual({
      old_value: { settings: { doors: { [key]: { pin: '[redacted]' } } } },
      new_value: { settings: { doors: { [key]: { pin: '[redacted]' } } } },
    });
    expect(pin2).toEqual(pin1);
    const { rows: guessed } = await admin.query(
      `SELECT p FROM generate_series(0, 9999) p
       WHERE left(encode(sha256(convert_to(
               jsonb_build_object('label', 'front door', 'pin', lpad(p::text, 4, '0'))::text, 'UTF8')), 'hex'), 16) = $1`,
      [key],
    );
    expect(guessed).toEqual([]);
    expect(deleted).toEqual({
      old_value: { name: 'vault', password: '[redacted]', settings: masked },
      new_value: {},
    });
  });
});

describe('writes merged into one entry', () => {
  it('a masked column written twice in one transaction stays a masked change; a column set back is no change', async () => {
    await admin.query(`INSERT INTO "Secret" VALUES (2, 'safe', 'first-secret-value', '{}')`);
    const before = await lastEntryId();
    await psql.query('BEGIN');
    try {
      await psql.query(
        `UPDATE "Secret" SET password = 'second-secret-value', name = 'renamed' WHERE id = 2`,
      );
      await psql.query(`UPDATE "Secret" SET password = 'third-secret-value' WHERE id = 2`);
      await psql.query(`UPDATE "Secret" SET name = 'safe' WHERE id = 2`);
      await psql.query('COMMIT');
    } catch (error) {
      await psql.query('ROLLBACK');
      throw error;
    }
    const entries = await entriesAfter(before, 'Secret');
    expect(entries.map((entry) => entry.changes)).toEqual([
      { old_value: { password: '[redacted]' }, new_value: { password: '[redacted]' } },
    ]);
  });

  // Each item statement's trigger merges into the certificate's entry. Merging used to visit
  // the whole entry, so 200 items cost seconds and a 200-item update passed Prisma's 5 s
  // transaction timeout under load.
  it('200 items written one statement at a time in one call: one entry holding all 200, within the transaction timeout', async () => {
    const { id, items } = await createCertificate('Many items', [
      { name: 'old 1', quantity: 1 },
      { name: 'old 2', quantity: 2 },
    ]);
    const ITEMS = `mutation($id: ID!, $input: UpdateCertificateInput!) {
      updateCertificate(id: $id, input: $input) { id items { id name quantity } }
    }`;
    const fresh = Array.from({ length: 200 }, (_, index) => ({
      name: `item ${index}`,
      quantity: index,
    }));
    let before = await lastEntryId();
    let started = Date.now();
    const replaced = await gql(
      ITEMS,
      { id: globalId('Certificate', id), input: { items: fresh } },
      1,
    );
    console.log(`  200 new items in one call: ${Date.now() - started} ms`);
    expect(replaced.body.errors).toBeUndefined();
    const created: { id: string; name: string; quantity: number }[] =
      replaced.body.data.updateCertificate.items;
    expect(created).toHaveLength(200);
    let entries = await entriesAfter(before);
    expect(entries).toHaveLength(1);
    const first = entries[0]?.changes as {
      old_value: { items: object };
      new_value: { items: object };
    };
    const removed = Object.fromEntries(
      items.map((item, index) => [String(item), { name: `old ${index + 1}`, quantity: index + 1 }]),
    );
    // Item snapshots leave out what is their key (id) and the foreign key.
    const added = Object.fromEntries(
      created.map((item) => [String(rawId(item.id)), { name: item.name, quantity: item.quantity }]),
    );
    expect(first.old_value.items).toEqual({
      ...removed,
      ...Object.fromEntries(Object.keys(added).map((key) => [key, null])),
    });
    expect(first.new_value.items).toEqual({
      ...Object.fromEntries(Object.keys(removed).map((key) => [key, null])),
      ...added,
    });

    // 200 updates of kept items; the first one's name is set back to what it was.
    before = await lastEntryId();
    started = Date.now();
    const updated = await gql(
      ITEMS,
      {
        id: globalId('Certificate', id),
        input: {
          items: created.map((item, index) => ({
            id: item.id,
            name: item.name,
            quantity: index === 0 ? item.quantity : item.quantity + 1000,
          })),
        },
      },
      1,
    );
    console.log(`  200 item updates in one call: ${Date.now() - started} ms`);
    expect(updated.body.errors).toBeUndefined();
    entries = await entriesAfter(before);
    expect(entries).toHaveLength(1);
    const quantities = (side: number) =>
      Object.fromEntries(
        created
          .slice(1)
          .map((item) => [String(rawId(item.id)), { quantity: item.quantity + side }]),
      );
    expect(entries[0]?.changes).toEqual({
      old_value: { items: quantities(0) },
      new_value: { items: quantities(1000) },
    });
  }, 60_000);
});

describe('rollback', () => {
  it('a psql transaction that rolls back leaves no entry', async () => {
    const { id } = await createCertificate('Kept by rollback');
    const before = await lastEntryId();
    await psql.query('BEGIN');
    try {
      await psql.query(`UPDATE "Certificate" SET name = 'rolled back' WHERE id = $1`, [id]);
      // The trigger did write the entry, inside the transaction.
      const inside = await psql.query('SELECT count(*)::int AS n FROM event_log WHERE id > $1', [
        before,
      ]);
      expect(inside.rows[0].n).toBe(1);
    } finally {
      await psql.query('ROLLBACK');
    }
    expect(await entriesAfter(before)).toEqual([]);
    const { rows } = await admin.query('SELECT name FROM "Certificate" WHERE id = $1', [id]);
    expect(rows[0].name).toBe('Kept by rollback');
  });

  it('a Prisma interactive transaction that throws after an update leaves no entry', async () => {
    const { id } = await createCertificate('Kept by Prisma');
    const before = await lastEntryId();
    let inside = 0;
    await expect(
      withEventLogContext({ actor: { id: 7, name: 'Job' }, tool: 'job' }, () =>
        script.prisma.$transaction(async (tx) => {
          await tx.certificate.update({ where: { id }, data: { name: 'thrown away' } });
          const [row] = await tx.$queryRaw<
            { n: number }[]
          >`SELECT count(*)::int AS n FROM event_log WHERE id > ${BigInt(before)}`;
          inside = row?.n ?? 0;
          throw new Error('abort the job');
        }),
      ),
    ).rejects.toThrow('abort the job');
    expect(inside).toBe(1);
    expect(await entriesAfter(before)).toEqual([]);
    const { rows } = await admin.query('SELECT name FROM "Certificate" WHERE id = $1', [id]);
    expect(rows[0].name).toBe('Kept by Prisma');
  });
});

describe('bulk writes', () => {
  it('updateMany and deleteMany of 1 000 certificates give 1 000 entries each, one per row', async () => {
    const count = 1000;
    const names = Array.from(
      { length: count },
      (_, index) => `bulk ${String(index).padStart(4, '0')}`,
    );
    const bulk = <T>(fn: () => Promise<T>) =>
      withEventLogContext({ actor: null, tool: 'bulk' }, fn);
    const beforeCreate = await lastEntryId();
    await bulk(() =>
      script.prisma.certificate.createMany({ data: names.map((name) => ({ name })) }),
    );
    const rows = await script.prisma.certificate.findMany({
      where: { name: { startsWith: 'bulk ' } },
      select: { id: true, name: true },
    });
    expect(rows).toHaveLength(count);
    const nameOf = new Map(rows.map((row) => [String(row.id), row.name]));
    const created = await entriesAfter(beforeCreate);
    expect(created).toHaveLength(count);
    for (const entry of created) {
      expect(entry.action).toBe('create');
      expect(entry.changes).toEqual({
        old_value: {},
        new_value: {
          name: nameOf.get(entry.objectId),
          status: 'draft',
          notes: null,
          ownerId: null,
        },
      });
    }

    const beforeUpdate = await lastEntryId();
    const updated = await bulk(() =>
      script.prisma.certificate.updateMany({
        where: { name: { startsWith: 'bulk ' } },
        data: { status: 'archived', notes: 'bulk note' },
      }),
    );
    expect(updated.count).toBe(count);
    const updates = await entriesAfter(beforeUpdate);
    expect(updates).toHaveLength(count);
    expect(new Set(updates.map((entry) => entry.objectId))).toEqual(new Set(nameOf.keys()));
    expect(new Set(updates.map((entry) => entry.context.call)).size).toBe(1);
    for (const entry of updates) {
      expect(entry).toMatchObject({ tool: 'bulk', actorId: null, action: 'update' });
      expect(entry.changes).toEqual({
        old_value: { status: 'draft', notes: null },
        new_value: { status: 'archived', notes: 'bulk note' },
      });
    }

    const beforeDelete = await lastEntryId();
    const deleted = await bulk(() =>
      script.prisma.certificate.deleteMany({ where: { name: { startsWith: 'bulk ' } } }),
    );
    expect(deleted.count).toBe(count);
    const deletes = await entriesAfter(beforeDelete);
    expect(deletes).toHaveLength(count);
    expect(new Set(deletes.map((entry) => entry.objectId))).toEqual(new Set(nameOf.keys()));
    for (const entry of deletes) {
      expect(entry.action).toBe('delete');
      expect(entry.changes).toEqual({
        old_value: {
          name: nameOf.get(entry.objectId),
          status: 'archived',
          notes: 'bulk note',
          ownerId: null,
        },
        new_value: {},
      });
    }
    expect((await checkConsistency(admin)).problems).toEqual([]);
  }, 60_000);
});

describe('an anonymous mutation', () => {
  const statements: string[] = [];
  const original = pg.Client.prototype.query;

  afterEach(() => {
    pg.Client.prototype.query = original;
  });

  it('is refused before any SQL runs', async () => {
    const { id } = await createCertificate('Not for strangers');
    const before = await lastEntryId();
    app.queries.reset();
    // Every statement any pg client of this process sends (the app's pool included).
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string };
      statements.push(typeof config === 'string' ? config : (config?.text ?? ''));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    const responses = [
      await gql(UPDATE, { id: globalId('Certificate', id), input: { name: 'defaced' } }),
      await gql('mutation($id: ID!) { deleteCertificate(id: $id) { id } }', {
        id: globalId('Certificate', id),
      }),
      await gql(CREATE, { input: { name: 'spam', items: [{ name: 'x', quantity: 1 }] } }),
    ];
    pg.Client.prototype.query = original;
    expect(responses.map((response) => response.body.errors?.[0]?.extensions?.code)).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
    ]);
    // No x-user-id header: no authentication query, and the resolver refuses before any write.
    expect(app.queries.log).toEqual([]);
    expect(statements).toEqual([]);
    expect(await entriesAfter(before)).toEqual([]);
    const { rows } = await admin.query('SELECT name FROM "Certificate" WHERE id = $1', [id]);
    expect(rows[0].name).toBe('Not for strangers');
  });
});

describe('deleteCertificate', () => {
  it('returns the deleted certificate with its items and owner; the entry holds the items folded', async () => {
    const { id, items } = await createCertificate(
      'To be deleted',
      [
        { name: 'smoke detector', quantity: 3 },
        { name: 'sprinkler', quantity: 9 },
      ],
      2,
    );
    const before = await lastEntryId();
    const { body } = await gql(
      'mutation($id: ID!) { deleteCertificate(id: $id) { id name items { id name } owner { fullName } } }',
      { id: globalId('Certificate', id) },
      2,
    );
    expect(body).toEqual({
      data: {
        deleteCertificate: {
          id: globalId('Certificate', id),
          name: 'To be deleted',
          items: [
            { id: globalId('CertificateItem', items[0] as number), name: 'smoke detector' },
            { id: globalId('CertificateItem', items[1] as number), name: 'sprinkler' },
          ],
          owner: { fullName: 'Jane Roe' },
        },
      },
    });
    const { rows } = await admin.query(
      'SELECT (SELECT count(*)::int FROM "Certificate" WHERE id = $1) AS certificates, (SELECT count(*)::int FROM "CertificateItem" WHERE "certificateId" = $1) AS items',
      [id],
    );
    expect(rows[0]).toEqual({ certificates: 0, items: 0 });
    const entries = await entriesAfter(before);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorId: '2',
      actorName: 'Jane Roe',
      tool: 'certificate',
      action: 'delete',
      objectId: String(id),
      message: 'Certificate To be deleted was deleted by Jane Roe.',
      changes: {
        old_value: {
          name: 'To be deleted',
          status: 'draft',
          notes: null,
          ownerId: 2,
          items: {
            [items[0] as number]: { name: 'smoke detector', quantity: 3 },
            [items[1] as number]: { name: 'sprinkler', quantity: 9 },
          },
        },
        new_value: {},
      },
      context: { op: 'delete', path: 'deleteCertificate' },
    });
    // toMatchObject allows more keys: the old value must be exactly the row and its items.
    expect(Object.keys(entries[0]?.changes.old_value ?? {}).sort()).toEqual([
      'items',
      'name',
      'notes',
      'ownerId',
      'status',
    ]);
  });
});

describe('order of merged entries', () => {
  // Runs last: when it fails, the trail it leaves does not replay, and later consistency
  // checks would fail with it.
  it('an item written by another transaction between two writes of one call keeps the trail replayable', async () => {
    const { id, items } = await createCertificate('Interleaved', [
      { name: 'kept', quantity: 1 },
      { name: 'doomed', quantity: 2 },
    ]);
    const doomed = items[1] as number;
    const before = await lastEntryId();
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      // A transaction renames the certificate: its entry is written now...
      await other.query('BEGIN');
      await other.query(`UPDATE "Certificate" SET name = 'Interleaved 2' WHERE id = $1`, [id]);
      // ...psql changes an item meanwhile (it must not be ordered before a write it follows)...
      const changed = psql
        .query('UPDATE "CertificateItem" SET quantity = 20 WHERE id = $1', [doomed])
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      await settledOrWaiting(changed, psql);
      // ...and the transaction then deletes that item, merging the delete into its entry.
      const deleted = await other
        .query('DELETE FROM "CertificateItem" WHERE id = $1', [doomed])
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      await other.query(deleted ? 'ROLLBACK' : 'COMMIT');
      await changed;
    } finally {
      await other.end();
    }
    const entries = await entriesAfter(before);
    expect(entries.length).toBeGreaterThan(0);
    const problems = (await checkConsistency(admin)).problems;
    expect(problems.filter((problem) => problem.startsWith(`certificate ${id}`))).toEqual([]);
  });
});

/**
 * Resolves once `query` has settled, or once the client's backend waits for a lock (a
 * trigger that locks the parent row): a synchronization point, not a time limit.
 */
async function settledOrWaiting(query: Promise<unknown>, client: pg.Client) {
  const pid = (client as unknown as { processID: number }).processID;
  let settled = false;
  void query.then(() => {
    settled = true;
  });
  while (!settled) {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
      [pid],
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
