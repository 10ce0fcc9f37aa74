// The partitioned event_log on PGlite, the embedded default: the table SQL `migrate` writes
// for a new install, the month partitions the capture SQL creates, month boundaries, and
// ensureEventLogPartitions() through a Prisma client.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import { partitionSql } from '../../src/capture/partition-sql.js';
import { EVENT_LOG_TABLE_SQL } from '../../src/cli/table-sql.js';
import { ensureEventLogPartitions } from '../../src/partitions/ensure.js';
import { createEmbeddedDatabase } from '../support/database.js';

const monthName = (date: Date) =>
  `event_log_p${date.getUTCFullYear()}_${String(date.getUTCMonth() + 1).padStart(2, '0')}`;

describe('a new install on PGlite', () => {
  let db: PGlite;

  beforeAll(async () => {
    db = new PGlite();
    await db.exec(EVENT_LOG_TABLE_SQL);
    await db.exec(partitionSql);
  });

  afterAll(async () => {
    await db.close();
  });

  const insert = async (timestamp: string) =>
    (
      await db.query<{ partition: string }>(
        `INSERT INTO event_log ("timestamp", tool, action, "objectType", template, message)
         VALUES ($1, 't', 'create', 'Certificate', 'x', 'y') RETURNING tableoid::regclass::text AS partition`,
        [timestamp],
      )
    ).rows[0]?.partition;

  it('has only the default partition until the months are created, and loses no insert meanwhile', async () => {
    expect(await insert(new Date().toISOString())).toBe('event_log_default');
  });

  it('creates the current month and three ahead, moving what the default partition held', async () => {
    const { rows } = await db.query<{ p: string }>('SELECT p FROM eventlog_ensure_partitions() p');
    const now = new Date();
    expect(rows.map((row) => row.p)).toEqual(
      [0, 1, 2, 3].map((ahead) =>
        monthName(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1))),
      ),
    );
    const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_log_default');
    expect(left.rows[0]?.n).toBe(0);
    expect((await db.query('SELECT count(*)::int AS n FROM event_log')).rows).toEqual([{ n: 1 }]);
  });

  it('puts the last millisecond of a month and the first of the next in their own months', async () => {
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(await insert(new Date(next.getTime() - 1).toISOString())).toBe(monthName(now));
    expect(await insert(next.toISOString())).toBe(monthName(next));
  });
});

describe('ensureEventLogPartitions on the example database (PGlite, through Prisma)', () => {
  let database: Database;

  beforeAll(async () => {
    database = await createEmbeddedDatabase();
  });

  afterAll(async () => {
    await database?.close();
  });

  it('creates the months up to monthsAhead that do not exist yet, then nothing', async () => {
    const now = new Date();
    const created = await ensureEventLogPartitions(database.prisma, { monthsAhead: 6 });
    expect(created).toEqual(
      [4, 5, 6].map((ahead) =>
        monthName(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1))),
      ),
    );
    expect(await ensureEventLogPartitions(database.prisma, { monthsAhead: 6 })).toEqual([]);
  });

  it('names the fix when the database lacks the partition functions', async () => {
    await database.prisma.$executeRawUnsafe(
      'DROP FUNCTION eventlog_ensure_partitions(timestamptz)',
    );
    await expect(ensureEventLogPartitions(database.prisma)).rejects.toThrow(
      'the database has no eventlog_ensure_partitions(): generate the capture migration (npx pothos-eventlog migrate --capture <module>) and apply it.',
    );
  });
});
