// pruneEventLog on PGlite through the example's Prisma client (pglite-prisma-adapter): the
// drop (a DO block), the batched trim and the export run through $queryRawUnsafe alone.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import { pruneEventLog } from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { entryIds, monthLayout, partitionNames, type Query } from '../support/event-log-fixture.js';

let database: Database;
let query: Query;
let dir: string;

beforeAll(async () => {
  database = await createEmbeddedDatabase();
  query = (sql, values = []) => database.prisma.$queryRawUnsafe(sql, ...values);
  dir = await mkdtemp(join(tmpdir(), 'pel-prune-embedded-'));
});

afterAll(async () => {
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('prunes on PGlite through a Prisma client: drops, trims, exports', async () => {
  await monthLayout(query);
  const before = '2024-11-15T12:00:00Z';
  const all = await entryIds(query);
  const kept = await entryIds(query, before);
  const dry = await pruneEventLog(database.prisma, { before, dryRun: true });
  expect(await entryIds(query)).toEqual(all);
  const report = await pruneEventLog(database.prisma, {
    before,
    batchSize: 5,
    export: { dir },
  });
  expect(await entryIds(query)).toEqual(kept);
  expect(report.removed).toBe(all.length - kept.length);
  expect(report.partitions.map((p) => [p.partition, p.action, p.removed])).toEqual(
    dry.partitions.map((p) => [p.partition, p.action, p.removed]),
  );
  expect(await partitionNames(query)).not.toContain('event_log_p2024_10');
  const lines = (await readFile(join(dir, 'event_log_p2024_10.ndjson'), 'utf8')).trim().split('\n');
  expect(lines).toHaveLength(30);
  expect(JSON.parse(lines[0] as string)).toMatchObject({
    id: expect.stringMatching(/^\d+$/),
    timestamp: '2024-10-01T00:00:00.000Z',
    values: { n: expect.any(Number) },
  });
  // JSON columns are written as PostgreSQL prints them: a big number keeps every digit
  expect(lines[0]).toContain('"big": 12345678901234567890');
});
