// The repository's use of the wasm schema engine (src/cli/schema-engine.ts drives it, as the
// shipped `pothos-eventlog deploy` does): the example's migrations, drift checks and the
// migration SQL, on this repository's prisma/schema and prisma/migrations.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import {
  applyMigrationsWith,
  diffWith,
  importSchemaEngine,
  readMigrationsList,
  type SchemaEngineModules,
} from '../src/cli/schema-engine.js';

export const projectRoot = resolve(import.meta.dirname, '..');
export const schemaDir = join(projectRoot, 'prisma/schema');
export const migrationsDir = join(projectRoot, 'prisma/migrations');

let modules: Promise<SchemaEngineModules> | undefined;

/** The engine as this repository installs it (a devDependency). */
function engine(): Promise<SchemaEngineModules> {
  modules ??= importSchemaEngine(projectRoot);
  return modules;
}

export async function readSchemaFiles(dir = schemaDir) {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.prisma')).sort();
  return Promise.all(
    names.map(async (name) => ({
      path: relative(projectRoot, join(dir, name)),
      content: await readFile(join(dir, name), 'utf8'),
    })),
  );
}

export function readMigrations(dir = migrationsDir) {
  return readMigrationsList(dir);
}

/**
 * SQL that takes a database from the state of the migrations to the Prisma schema.
 * Empty when they agree. Runs on in-memory PGlite (main and shadow database), since
 * adapter-pg cannot introspect a real server's catalog here. The directories default to
 * prisma/schema and prisma/migrations.
 */
export async function diffMigrationsToSchema(
  schemaDirectory = schemaDir,
  migrationsDirectory = migrationsDir,
): Promise<string> {
  const pglite = new PGlite();
  try {
    const migrations = await readMigrations(migrationsDirectory);
    const from =
      migrations.migrationDirectories.length === 0
        ? { tag: 'empty' as const }
        : { tag: 'migrations' as const, ...migrations };
    const sql = await diffWith(
      await engine(),
      new PrismaPGlite(pglite),
      from,
      await readSchemaFiles(schemaDirectory),
    );
    return sql.replace(/^-- This is an empty migration\.\s*$/m, '').trim();
  } finally {
    await pglite.close();
  }
}

/** The SQL that creates the given schema files in an empty database (`migrate diff --from-empty`). */
export async function diffEmptyToSchema(
  files: { path: string; content: string }[],
): Promise<string> {
  const pglite = new PGlite();
  try {
    return (
      await diffWith(await engine(), new PrismaPGlite(pglite), { tag: 'empty' }, files)
    ).trim();
  } finally {
    await pglite.close();
  }
}

/**
 * Applies pending migrations (`prisma migrate deploy`) of `directory` (prisma/migrations by
 * default); returns the names applied.
 */
export async function applyMigrations(
  factory: SqlMigrationAwareDriverAdapterFactory,
  directory = migrationsDir,
): Promise<string[]> {
  return applyMigrationsWith(await engine(), factory, directory, await readSchemaFiles());
}
