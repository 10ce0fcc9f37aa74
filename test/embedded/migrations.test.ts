import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capture } from '../../example/capture.js';
import { openDatabase } from '../../example/database.js';
import { generatedCaptureSql, latestCaptureMigration } from '../../scripts/capture-migration.js';
import { readDatamodel } from '../../scripts/datamodel.js';
import {
  applyMigrations,
  diffMigrationsToSchema,
  readMigrations,
  schemaDir,
} from '../../scripts/schema-engine.js';
import { captureSql } from '../../src/capture/capture-sql.js';
import { checkEventLogCapture, defineEventLogCapture } from '../../src/capture/index.js';

describe('migrations', () => {
  const temporary: string[] = [];
  afterAll(async () => {
    await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('match the Prisma schema (no drift)', async () => {
    expect(await diffMigrationsToSchema()).toBe('');
  });

  it('drift check fails when a model gains a field without a migration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pel-schema-'));
    temporary.push(dir);
    await cp(schemaDir, dir, { recursive: true });
    const example = join(dir, 'example.prisma');
    const original = await readFile(example, 'utf8');
    const changed = original.replace(/model User \{\n/, 'model User {\n  nickname String?\n');
    expect(changed).not.toBe(original);
    await writeFile(example, changed);

    const sql = await diffMigrationsToSchema(dir);
    expect(sql).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT/);
  });

  it('applies every migration once; a second run applies nothing', async () => {
    const database = await openDatabase({ pgliteDir: 'memory://' });
    try {
      const all = (await readMigrations()).migrationDirectories.map((dir) => dir.path);
      expect(all.length).toBeGreaterThan(0);
      expect(await applyMigrations(database.adapterFactory)).toEqual(all);
      expect(await applyMigrations(database.adapterFactory)).toEqual([]);
      const rows = await database.prisma.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL
        ORDER BY migration_name`;
      expect(rows.map((row) => row.migration_name)).toEqual(all);
    } finally {
      await database.close();
    }
  });

  it('carry the capture triggers the declaration generates (no trigger drift)', async () => {
    const latest = await latestCaptureMigration();
    expect(latest?.sql).toBe(await generatedCaptureSql());
  });

  it('trigger drift is found when the declaration changes', async () => {
    const changed = defineEventLogCapture({
      models: {
        ...capture.models,
        Certificate: { tool: 'certificate', fold: [], exclude: ['notes'] },
      },
    });
    const sql = captureSql(await readDatamodel(), changed).sql;
    expect((await latestCaptureMigration())?.sql).not.toBe(sql);
  });

  it('the start-up check passes on the migrated database and names what is missing or stale', async () => {
    const database = await openDatabase({ pgliteDir: 'memory://' });
    try {
      await applyMigrations(database.adapterFactory);
      await expect(checkEventLogCapture(database.prisma, capture)).resolves.toBeUndefined();

      const stale = defineEventLogCapture({
        models: { ...capture.models, User: { tool: 'user', mask: ['email'] } },
      });
      await expect(checkEventLogCapture(database.prisma, stale)).rejects.toThrow(
        /The trigger of "User" \(eventlog_capture_user\) is out of date/,
      );

      await database.prisma.$executeRawUnsafe('DROP FUNCTION eventlog_capture_user() CASCADE');
      await expect(checkEventLogCapture(database.prisma, capture)).rejects.toThrow(
        /The table of User has no event log capture trigger/,
      );
      await database.prisma.$executeRawUnsafe(
        'DROP TRIGGER eventlog_capture_update ON "Certificate"',
      );
      await expect(checkEventLogCapture(database.prisma, capture)).rejects.toThrow(
        /The table "Certificate" has 2 of the 3 enabled triggers of eventlog_capture_certificate/,
      );
    } finally {
      await database.close();
    }
  });

  it('the start-up check refuses a client that does not send the context', async () => {
    const database = await openDatabase({ pgliteDir: 'memory://' });
    const { PrismaClient } = await import('../../example/generated/prisma/client.js');
    const bare = new PrismaClient({ adapter: database.adapterFactory });
    try {
      await expect(checkEventLogCapture(bare, capture)).rejects.toThrow(
        /does not send the event log context: create it with `comments: eventLogComments\(\)`/,
      );
    } finally {
      await bare.$disconnect();
      await database.close();
    }
  });
});
