import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../example/database.js';
import {
  applyMigrations,
  diffMigrationsToSchema,
  readMigrations,
  schemaDir,
} from '../../scripts/schema-engine.js';

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
});
