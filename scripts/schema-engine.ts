// Drives Prisma's official wasm schema engine: the native engine that `prisma migrate`
// spawns cannot be downloaded on machines without internet. The SQL and the
// `_prisma_migrations` rows it writes are those of the native CLI, so
// `prisma migrate deploy` accepts the same history later.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

export const projectRoot = resolve(import.meta.dirname, '..');
export const schemaDir = join(projectRoot, 'prisma/schema');
export const migrationsDir = join(projectRoot, 'prisma/migrations');

const filters = { externalTables: [], externalEnums: [] };

let wasmReady: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasmPath = join(
      projectRoot,
      'node_modules/@prisma/schema-engine-wasm/schema_engine_bg.wasm',
    );
    const module = await WebAssembly.compile(await readFile(wasmPath));
    const instance = await WebAssembly.instantiate(module, { './schema_engine_bg.js': bg });
    (bg as unknown as { __wbg_set_wasm(exports: unknown): void }).__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  })();
  return wasmReady;
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

export async function readMigrations(dir = migrationsDir) {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const lockContent = await readFile(join(dir, 'migration_lock.toml'), 'utf8').catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: {
            tag: 'ok' as const,
            value: await readFile(join(dir, name, 'migration.sql'), 'utf8'),
          },
        },
      })),
    ),
    shadowDbInitScript: '',
  };
}

type Engine = Awaited<ReturnType<typeof bg.SchemaEngine.new>>;

/** Runs `work` with a schema engine bound to the given adapter factory, then frees it. */
async function withEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  work: (engine: Engine) => Promise<T>,
): Promise<T> {
  await loadWasm();
  const bound = bindMigrationAwareSqlAdapterFactory(wholeScripts(factory));
  const schemaFiles = await readSchemaFiles();
  const engine = await bg.SchemaEngine.new(
    { datamodels: schemaFiles.map((file) => [file.path, file.content]) },
    () => {},
    bound,
  );
  try {
    return await work(engine);
  } catch (error) {
    throw explainEngineError(error, bound.errorRegistry);
  } finally {
    engine.free();
  }
}

type Adapter = Awaited<ReturnType<SqlMigrationAwareDriverAdapterFactory['connect']>>;

/**
 * @prisma/adapter-pg 7.10.0 runs a migration script by splitting it on every ";", which
 * cuts a PL/pgSQL function body (the capture triggers) apart. PostgreSQL's simple query
 * protocol takes the whole script in one message, as the native `prisma migrate` sends it:
 * the factory's adapters do that instead. PGlite's adapter already does.
 */
function wholeScripts(
  factory: SqlMigrationAwareDriverAdapterFactory,
): SqlMigrationAwareDriverAdapterFactory {
  const patch = <T extends Adapter>(adapter: T): T => {
    const pgClient = (adapter as { client?: { query?: (sql: string) => Promise<unknown> } }).client;
    const onError = (adapter as { onError?: (error: unknown) => never }).onError;
    if (adapter.adapterName.includes('adapter-pg') && typeof pgClient?.query === 'function') {
      adapter.executeScript = async (script: string) => {
        try {
          await pgClient.query?.(script);
        } catch (error) {
          if (typeof onError === 'function') onError.call(adapter, error);
          throw error;
        }
      };
    }
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect()),
    connectToShadowDb: async () => patch(await factory.connectToShadowDb()),
  };
}

function explainEngineError(
  error: unknown,
  registry: { consumeError(id: number): { error: unknown } | undefined },
): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const match = /External error id#(\d+)/.exec(message);
  const cause = match ? registry.consumeError(Number(match[1]))?.error : undefined;
  if (!cause) return error;
  const detail = (cause as { message?: string; originalMessage?: string }) ?? {};
  return new Error(
    `schema engine: ${detail.originalMessage ?? detail.message ?? JSON.stringify(cause)}`,
  );
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
    return await withEngine(new PrismaPGlite(pglite), async (engine) => {
      const migrations = await readMigrations(migrationsDirectory);
      const from =
        migrations.migrationDirectories.length === 0
          ? { tag: 'empty' as const }
          : { tag: 'migrations' as const, ...migrations };
      const result = await engine.diff({
        from,
        to: { tag: 'schemaDatamodel', files: await readSchemaFiles(schemaDirectory) },
        script: true,
        exitCode: null,
        filters,
      });
      return (result.stdout ?? '').replace(/^-- This is an empty migration\.\s*$/m, '').trim();
    });
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
    return await withEngine(new PrismaPGlite(pglite), async (engine) => {
      const result = await engine.diff({
        from: { tag: 'empty' },
        to: { tag: 'schemaDatamodel', files },
        script: true,
        exitCode: null,
        filters,
      });
      return (result.stdout ?? '').trim();
    });
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
  return withEngine(factory, async (engine) => {
    const output = await engine.applyMigrations({
      migrationsList: await readMigrations(directory),
      filters,
    });
    return output.appliedMigrationNames;
  });
}
