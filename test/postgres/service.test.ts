// EventLogService through the generated Prisma client on a real PostgreSQL server. Stored
// rows are read back with a plain pg client, so the assertions see what reached the database.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLogLimitError, EventLogValidationError } from '../../src/errors.js';
import {
  createDiffSchema,
  EventLogAction,
  EventLogService,
  type LogEntry,
  objectRef,
} from '../../src/service/index.js';
import type { EventLogRecord } from '../../src/types.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

type StoredRow = Omit<EventLogRecord, 'id'> & { id: string };

function entry(tool: string, overrides: Partial<LogEntry> = {}): LogEntry {
  return {
    templateMessage: 'Certificate {number} was checked.',
    values: { number: 'C-1' },
    object: { model: 'Certificate', id: 1 },
    actor: { id: 1, name: 'Ann Lee' },
    tool,
    action: EventLogAction.ACCESS,
    ...overrides,
  };
}

describe('EventLogService on PostgreSQL', () => {
  let database: TestDatabase;
  let sql: pg.Client;

  const rows = async (tool: string) =>
    (await sql.query<StoredRow>('SELECT * FROM event_log WHERE tool = $1 ORDER BY id', [tool]))
      .rows;
  const count = async () =>
    Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM event_log')).rows[0]?.n);
  const now = async () =>
    (await sql.query<{ now: Date }>('SELECT clock_timestamp()::timestamptz(3) AS now')).rows[0]
      ?.now as Date;

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await database?.drop();
  });

  describe('inside prisma.$transaction with { client: tx }', () => {
    it('is gone when the transaction throws', async () => {
      const service = new EventLogService();
      await expect(
        database.prisma.$transaction(async (tx) => {
          await service.log(entry('tx-rollback'), { client: tx });
          expect(await tx.eventLog.count({ where: { tool: 'tx-rollback' } })).toBe(1);
          // Written on the transaction's connection, not committed by another one.
          expect(await rows('tx-rollback')).toEqual([]);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await rows('tx-rollback')).toEqual([]);
    });

    it('is there once the transaction commits, stamped at insert time', async () => {
      const service = new EventLogService();
      await database.prisma.$transaction(async (tx) => {
        await service.log(entry('tx-commit', { templateMessage: 'first' }), { client: tx });
        await tx.$executeRaw`SELECT pg_sleep(0.05)`;
        await service.log(entry('tx-commit', { templateMessage: 'second' }), { client: tx });
        expect(await rows('tx-commit')).toEqual([]);
      });
      const stored = await rows('tx-commit');
      expect(stored.map((row) => row.message)).toEqual(['first', 'second']);
      // clock_timestamp(), not now(): two entries of one transaction get distinct times.
      const [first, second] = stored as [StoredRow, StoredRow];
      expect(second.timestamp.getTime() - first.timestamp.getTime()).toBeGreaterThanOrEqual(45);
    });
  });

  describe('outside a transaction, with the service’s client', () => {
    it('stores the rendered message, the values, the diff and a database timestamp', async () => {
      const { prisma } = database;
      const owner = await prisma.user.create({
        data: { fullName: 'Ann Lee', email: 'ann@example.com' },
      });
      const certificate = await prisma.certificate.create({
        data: { name: 'Cert A', status: 'draft', ownerId: owner.id },
      });
      const service = new EventLogService({ client: prisma });
      const before = await now();
      const created = (await service.log({
        templateMessage:
          'Certificate {certificate__name} ({status}) was updated by {owner__fullName}.',
        values: {
          certificate: objectRef('Certificate', certificate),
          owner: objectRef('User', owner),
          status: 'issued',
        },
        object: objectRef('Certificate', certificate),
        actor: { id: owner.id, name: owner.fullName },
        tool: 'certificates',
        action: EventLogAction.UPDATE,
        changes: createDiffSchema(certificate, { ...certificate, status: 'issued' }),
        context: { requestId: 'req-1', operationName: 'UpdateCertificate' },
      })) as { id: bigint; timestamp: Date };
      const after = await now();

      const [row] = await rows('certificates');
      expect(row).toEqual({
        id: String(created.id),
        timestamp: created.timestamp,
        actorId: String(owner.id),
        actorName: 'Ann Lee',
        tool: 'certificates',
        action: 'update',
        objectType: 'Certificate',
        objectId: String(certificate.id),
        template: 'Certificate {certificate__name} ({status}) was updated by {owner__fullName}.',
        message: 'Certificate Cert A (issued) was updated by Ann Lee.',
        values: {
          certificate__name: {
            model: 'Certificate',
            id: String(certificate.id),
            path: ['name'],
            snapshot: 'Cert A',
          },
          owner__fullName: {
            model: 'User',
            id: String(owner.id),
            path: ['fullName'],
            snapshot: 'Ann Lee',
          },
          status: { value: 'issued' },
        },
        changes: { old_value: { status: 'draft' }, new_value: { status: 'issued' } },
        context: { requestId: 'req-1', operationName: 'UpdateCertificate' },
      });
      expect(service.prepare(entry('x'))).not.toHaveProperty('timestamp');
      expect(row?.timestamp.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(row?.timestamp.getTime()).toBeLessThanOrEqual(after.getTime());
    });

    it('stores SQL NULL for a system event without changes or context', async () => {
      const service = new EventLogService({ client: database.prisma });
      await service.log(entry('system', { actor: null, object: { model: 'Job' } }));
      const [row] = await rows('system');
      expect(row).toMatchObject({
        actorId: null,
        actorName: null,
        objectType: 'Job',
        objectId: null,
        changes: null,
        context: null,
      });
    });

    it('gives each entry a larger id than the one before', async () => {
      const service = new EventLogService({ client: database.prisma });
      for (let i = 0; i < 3; i += 1) await service.log(entry('sequence'));
      const ids = (await rows('sequence')).map((row) => BigInt(row.id));
      expect(ids).toHaveLength(3);
      expect(ids[1]).toBeGreaterThan(ids[0] as bigint);
      expect(ids[2]).toBeGreaterThan(ids[1] as bigint);
    });
  });

  it('never stores masked values, anywhere in the row', async () => {
    const secrets = {
      rowPassword: 'S3CRET-row-password',
      rowHash: 'S3CRET-row-password-hash',
      oldPassword: 'S3CRET-old-password',
      newPassword: 'S3CRET-new-password',
      apiKey: 'S3CRET-api-key',
      snakeApiKey: 'S3CRET-snake-api-key',
      nestedToken: 'S3CRET-nested-token',
      itemToken: 'S3CRET-item-token',
      context: 'S3CRET-context-secret',
    };
    const user = {
      id: 41,
      fullName: 'Ann Lee',
      password: secrets.rowPassword,
      passwordHash: secrets.rowHash,
    };
    const service = new EventLogService({ client: database.prisma });
    await service.log({
      templateMessage: 'Credentials of {user__fullName} changed: {user__password}.',
      values: { user: objectRef('User', user) },
      object: objectRef('User', user),
      actor: { id: 1, name: 'Admin' },
      tool: 'masking',
      action: EventLogAction.UPDATE,
      changes: {
        old_value: {
          password: secrets.oldPassword,
          apiKey: secrets.apiKey,
          profile: { token: secrets.nestedToken, theme: 'dark' },
        },
        new_value: {
          password: secrets.newPassword,
          api_key: secrets.snakeApiKey,
          profile: { token: null, theme: 'light' },
          devices: [{ name: 'phone', token: secrets.itemToken }],
        },
      },
      context: { requestId: 'req-2', secret: secrets.context },
    });

    const [row] = await rows('masking');
    expect(row).toMatchObject({
      message: 'Credentials of Ann Lee changed: [redacted].',
      values: {
        user__fullName: { snapshot: 'Ann Lee' },
        user__password: { model: 'User', id: '41', path: ['password'], snapshot: '[redacted]' },
      },
      changes: {
        old_value: {
          password: '[redacted]',
          apiKey: '[redacted]',
          profile: { token: '[redacted]', theme: 'dark' },
        },
        new_value: {
          password: '[redacted]',
          api_key: '[redacted]',
          profile: { token: '[redacted]', theme: 'light' },
          devices: [{ name: 'phone', token: '[redacted]' }],
        },
      },
      context: { requestId: 'req-2', secret: '[redacted]' },
    });

    const { rows: texts } = await sql.query<{ text: string }>(
      'SELECT row_to_json(e)::text AS text FROM event_log e',
    );
    const everything = texts.map((item) => item.text).join('\n');
    expect(everything).toContain('Credentials of Ann Lee changed');
    for (const secret of Object.values(secrets)) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('S3CRET');
  });

  describe('entries that cannot be stored', () => {
    const service = () => new EventLogService({ client: database.prisma });

    it('refuses changes over maxChangesBytes and writes nothing', async () => {
      const rowsBefore = await count();
      const big = 'x'.repeat(300 * 1024);
      const error = await service()
        .log(entry('refused', { changes: { old_value: { notes: '' }, new_value: { notes: big } } }))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EventLogLimitError);
      expect(error).toMatchObject({ field: 'changes', limit: 256 * 1024 });
      expect(await count()).toBe(rowsBefore);
    });

    it('refuses a cycle and writes nothing', async () => {
      const rowsBefore = await count();
      const node: Record<string, unknown> = { name: 'loop' };
      node.self = node;
      const error = await service()
        .log(entry('refused', { changes: { old_value: {}, new_value: { node } } }))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EventLogValidationError);
      expect(error).toMatchObject({ path: 'changes.new_value.node.self' });
      expect((error as Error).message).toMatch(/circular reference/);
      expect(await count()).toBe(rowsBefore);
    });

    it('refuses a function and writes nothing', async () => {
      const rowsBefore = await count();
      const error = await service()
        .log(entry('refused', { context: { requestId: 'r', callback: () => 'hi' } }))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EventLogValidationError);
      expect(error).toMatchObject({ path: 'context.callback' });
      expect((error as Error).message).toMatch(/a function/);
      expect(await count()).toBe(rowsBefore);
    });
  });

  describe('logMany', () => {
    /** One (transaction id, command id) per SQL statement that inserted the tool's rows. */
    const statements = async (tool: string) =>
      (
        await sql.query<{ xmin: string; cmin: string }>(
          'SELECT DISTINCT xmin::text, cmin::text FROM event_log WHERE tool = $1',
          [tool],
        )
      ).rows;

    it('writes every entry in one INSERT statement', async () => {
      const service = new EventLogService({ client: database.prisma });
      const written = await service.logMany([
        entry('many', { templateMessage: 'one' }),
        entry('many', { templateMessage: 'two', actor: null }),
        entry('many', { templateMessage: 'three', changes: createDiffSchema({ a: 1 }, { a: 2 }) }),
      ]);
      expect(written).toBe(3);
      const stored = await rows('many');
      expect(stored.map((row) => row.message)).toEqual(['one', 'two', 'three']);
      expect(stored[2]?.changes).toEqual({ old_value: { a: 1 }, new_value: { a: 2 } });
      expect(await statements('many')).toHaveLength(1);
    });

    it('is told apart from entries written one by one (control)', async () => {
      const service = new EventLogService();
      await database.prisma.$transaction(async (tx) => {
        await service.log(entry('one-by-one'), { client: tx });
        await service.log(entry('one-by-one'), { client: tx });
      });
      const found = await statements('one-by-one');
      expect(found).toHaveLength(2);
      expect(found[0]?.xmin).toBe(found[1]?.xmin);
    });

    it('writes none when one entry is invalid', async () => {
      const rowsBefore = await count();
      const service = new EventLogService({ client: database.prisma });
      await expect(
        service.logMany([
          entry('many-invalid'),
          entry('many-invalid', { changes: { old_value: {}, new_value: { fn: () => 1 } } }),
          entry('many-invalid'),
        ]),
      ).rejects.toThrow(/^entries\[1\]: changes\.new_value\.fn is a function/);
      expect(await count()).toBe(rowsBefore);
    });

    it('writes none when the database refuses one entry', async () => {
      const rowsBefore = await count();
      const service = new EventLogService({ client: database.prisma });
      await sql.query(`CREATE FUNCTION refuse_tool() RETURNS trigger AS $$
        BEGIN IF NEW.tool = 'refused' THEN RAISE EXCEPTION 'tool refused by test'; END IF;
        RETURN NEW; END $$ LANGUAGE plpgsql`);
      await sql.query(
        'CREATE TRIGGER refuse_tool BEFORE INSERT ON event_log FOR EACH ROW EXECUTE FUNCTION refuse_tool()',
      );
      try {
        await expect(
          service.logMany([
            entry('many-refused'),
            entry('many-refused', { tool: 'refused' }),
            entry('many-refused'),
          ]),
        ).rejects.toThrow(/tool refused by test/);
      } finally {
        await sql.query('DROP TRIGGER refuse_tool ON event_log');
        await sql.query('DROP FUNCTION refuse_tool()');
      }
      expect(await count()).toBe(rowsBefore);
    });
  });
});
