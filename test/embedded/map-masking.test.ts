// Issue 11, defect 10, through the database: a Map with an object key is stored as
// [key, value] pairs, and its masked entries were stored raw. log() writes into PGlite; the
// stored row, read back as JSON text, holds none of the secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import { createDiffSchema, EventLogService } from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';

let database: Database;

beforeAll(async () => {
  database = await createEmbeddedDatabase();
});

afterAll(() => database.close());

describe('a Map with an object key, logged into the database', () => {
  it('stores [redacted] for its masked entries, and the secret nowhere in the row', async () => {
    const service = new EventLogService({ client: database.prisma as never, maskedKeys: ['pin'] });
    const objectKey = { kind: 'object key' };
    const settings = (password: string, pin: string) =>
      new Map<unknown, unknown>([
        [objectKey, 'kept'],
        ['password', password],
        [
          'nested',
          new Map<unknown, unknown>([
            [[1], 'x'],
            ['pin', pin],
          ]),
        ],
      ]);
    const row = (await service.log({
      templateMessage: 'Settings of {user__name} changed.',
      values: { user: { name: 'Ann', settings: settings('unused-secret', 'unused-pin') } },
      object: { model: 'User', id: 1 },
      actor: { id: 1, name: 'Ann' },
      tool: 'settings',
      action: 'update',
      changes: createDiffSchema(
        { settings: settings('old-Secret-1', 'pin-old-1') },
        { settings: settings('new-Secret-2', 'pin-new-2') },
        { maskedKeys: ['pin'] },
      ),
      context: {
        session: new Map<unknown, unknown>([
          [objectKey, 1],
          ['token', 'tok-Ctx-3'],
        ]),
      },
    })) as { id: bigint };

    const [stored] = await database.prisma.$queryRawUnsafe<{ text: string }[]>(
      'SELECT row_to_json(e)::text AS text FROM event_log e WHERE e.id = $1',
      row.id,
    );
    expect(stored).toBeDefined();
    const text = stored?.text ?? '';
    expect(text).toContain('[redacted]');
    for (const secret of [
      'old-Secret-1',
      'new-Secret-2',
      'pin-old-1',
      'pin-new-2',
      'tok-Ctx-3',
      'unused-secret',
      'unused-pin',
    ]) {
      expect(text).not.toContain(secret);
    }
    const entry = await database.prisma.eventLog.findFirstOrThrow({ where: { id: row.id } });
    expect(entry.changes).toEqual({
      old_value: {
        settings: [
          [{ kind: 'object key' }, 'kept'],
          ['password', '[redacted]'],
          [
            'nested',
            [
              [[1], 'x'],
              ['pin', '[redacted]'],
            ],
          ],
        ],
      },
      new_value: {
        settings: [
          [{ kind: 'object key' }, 'kept'],
          ['password', '[redacted]'],
          [
            'nested',
            [
              [[1], 'x'],
              ['pin', '[redacted]'],
            ],
          ],
        ],
      },
    });
    expect(entry.context).toEqual({
      session: [
        [{ kind: 'object key' }, 1],
        ['token', '[redacted]'],
      ],
    });
  });
});
