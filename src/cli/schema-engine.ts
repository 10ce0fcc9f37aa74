// Drives Prisma's official wasm schema engine (@prisma/schema-engine-wasm) through a driver
// adapter: the native engine that `prisma migrate` spawns cannot be downloaded on machines
// without internet. The SQL and the `_prisma_migrations` rows it writes are those of the
// native CLI, so `prisma migrate deploy` accepts the same history later.
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  bindMigrationAwareSqlAdapterFactory,
  SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type * as EngineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';

export type SchemaEngineBindings = typeof EngineBindings;
export type SchemaEngine = Awaited<ReturnType<SchemaEngineBindings['SchemaEngine']['new']>>;
export type MigrationsList = Parameters<SchemaEngine['applyMigrations']>[0]['migrationsList'];
type Adapter = Awaited<ReturnType<SqlMigrationAwareDriverAdapterFactory['connect']>>;

/** The engine's bindings with their .wasm, and the adapter wrapper of the same Prisma version. */
export interface SchemaEngineModules {
  bindings: SchemaEngineBindings;
  wasmPath: string;
  /** The installed @prisma/schema-engine-wasm's version. */
  version: string;
  bind: typeof bindMigrationAwareSqlAdapterFactory;
}

const filters = { externalTables: [], externalEnums: [] };

const started = new WeakMap<SchemaEngineBindings, Promise<void>>();

/** The message of the engine's last panic: its glue reports it to this global. */
let panic: string | undefined;
const panics = globalThis as {
  PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void };
};
panics.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message(message: string) {
    panic = message;
  },
};

/** A line of the engine's tracing log. */
export interface EngineLog {
  level?: string;
  fields?: { message?: string; [field: string]: unknown };
}

/** What PostgreSQL said when a migration script failed. */
export interface DatabaseError {
  message: string;
  /** SQLSTATE, e.g. 42P01. */
  code?: string | undefined;
  detail?: string | undefined;
}

/**
 * Imports @prisma/schema-engine-wasm and @prisma/driver-adapter-utils as installed for the
 * project in `projectDir`; the adapter utilities are those of `adapterPackage` (its
 * dependency), so the adapter and the wrapper agree. Throws the resolution error (code
 * MODULE_NOT_FOUND) when one is missing.
 */
export async function importSchemaEngine(
  projectDir: string,
  adapterPackage = '@prisma/adapter-pg',
): Promise<SchemaEngineModules> {
  const fromProject = createRequire(join(projectDir, 'package.json'));
  // Its exports have no ./package.json: find the folder from its main entry.
  const dir = dirname(fromProject.resolve('@prisma/schema-engine-wasm'));
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const fromAdapter = createRequire(fromProject.resolve(adapterPackage));
  const utils = (await import(
    pathToFileURL(fromAdapter.resolve('@prisma/driver-adapter-utils')).href
  )) as { bindMigrationAwareSqlAdapterFactory: typeof bindMigrationAwareSqlAdapterFactory };
  const bindings = (await import(
    pathToFileURL(join(dir, 'schema_engine_bg.js')).href
  )) as SchemaEngineBindings;
  return {
    bindings,
    wasmPath: join(dir, 'schema_engine_bg.wasm'),
    version,
    bind: utils.bindMigrationAwareSqlAdapterFactory,
  };
}

/** Instantiates the .wasm once per bindings module, as wasm-bindgen's bundler glue expects. */
function startWasm(modules: SchemaEngineModules): Promise<void> {
  let ready = started.get(modules.bindings);
  if (!ready) {
    ready = (async () => {
      const module = await WebAssembly.compile(await readFile(modules.wasmPath));
      const instance = await WebAssembly.instantiate(module, {
        './schema_engine_bg.js': modules.bindings,
      });
      (modules.bindings as unknown as { __wbg_set_wasm(exports: unknown): void }).__wbg_set_wasm(
        instance.exports,
      );
      (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    })();
    started.set(modules.bindings, ready);
  }
  return ready;
}

/**
 * A migrations folder in the shape the CLI passes to the engine: every directory with a
 * migration.sql, sorted by name, and the lock file.
 */
export async function readMigrationsList(dir: string): Promise<MigrationsList> {
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
  } as MigrationsList;
}

/**
 * Runs `work` with a schema engine bound to `factory` and the schema `files`, then frees it.
 * An adapter error the engine reports as "External error id#N" is replaced by its cause.
 */
export async function withSchemaEngine<T>(
  modules: SchemaEngineModules,
  factory: SqlMigrationAwareDriverAdapterFactory,
  files: readonly { path: string; content: string }[],
  work: (engine: SchemaEngine) => Promise<T>,
  onLog: (entry: EngineLog) => void = () => {},
): Promise<T> {
  await startWasm(modules);
  let scriptError: DatabaseError | undefined;
  const bound = modules.bind(
    wholeScripts(factory, (error) => {
      scriptError = error;
    }),
  );
  panic = undefined;
  const engine = await modules.bindings.SchemaEngine.new(
    { datamodels: files.map((file) => [file.path, file.content]) },
    (line: string) => {
      try {
        onLog(JSON.parse(line) as EngineLog);
      } catch {
        // Not a JSON log line: nothing to report.
      }
    },
    bound,
  );
  try {
    return await work(engine);
  } catch (error) {
    if (error instanceof EditedMigrationsError) throw error;
    throw explainEngineError(error, bound.errorRegistry, scriptError);
  } finally {
    engine.free();
  }
}

/**
 * `prisma migrate deploy`: applies the pending migrations of `dir`; returns their names.
 * With `refuseEdited`, first asks the engine which applied migrations were modified since
 * (their checksum differs), and throws an EditedMigrationsError naming them instead of
 * applying anything: the native deploy ignores them silently.
 */
export async function applyMigrationsWith(
  modules: SchemaEngineModules,
  factory: SqlMigrationAwareDriverAdapterFactory,
  dir: string,
  files: readonly { path: string; content: string }[],
  options: { refuseEdited?: boolean; onApplying?: (migration: string) => void } = {},
): Promise<string[]> {
  const migrationsList = await readMigrationsList(dir);
  const onLog = (entry: EngineLog) => {
    const applying = /^Applying `([^`]+)`$/.exec(entry.fields?.message ?? '')?.[1];
    if (applying) options.onApplying?.(applying);
  };
  return withSchemaEngine(
    modules,
    factory,
    files,
    async (engine) => {
      if (options.refuseEdited) {
        const diagnosis = await engine.diagnoseMigrationHistory({
          migrationsList,
          optInToShadowDatabase: false,
          filters,
        });
        if (diagnosis.editedMigrationNames.length > 0) {
          throw new EditedMigrationsError(diagnosis.editedMigrationNames);
        }
      }
      const output = await engine.applyMigrations({ migrationsList, filters });
      return output.appliedMigrationNames;
    },
    onLog,
  );
}

/** `prisma migrate diff --script` between two states the engine understands. */
export async function diffWith(
  modules: SchemaEngineModules,
  factory: SqlMigrationAwareDriverAdapterFactory,
  from: Parameters<SchemaEngine['diff']>[0]['from'],
  files: { path: string; content: string }[],
): Promise<string> {
  return withSchemaEngine(modules, factory, files, async (engine) => {
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters,
    });
    return result.stdout ?? '';
  });
}

/**
 * @prisma/adapter-pg 7.10.0 runs a migration script by splitting it on every ";", which
 * cuts a PL/pgSQL function body (the capture triggers) apart. PostgreSQL's simple query
 * protocol takes the whole script in one message, as the native `prisma migrate` sends it:
 * the factory's adapters do that instead. PGlite's adapter already does.
 */
function wholeScripts(
  factory: SqlMigrationAwareDriverAdapterFactory,
  onScriptError: (error: DatabaseError) => void,
): SqlMigrationAwareDriverAdapterFactory {
  const patch = <A extends Adapter>(adapter: A): A => {
    const pgClient = (adapter as { client?: { query?: (sql: string) => Promise<unknown> } }).client;
    const onError = (adapter as { onError?: (error: unknown) => never }).onError;
    if (adapter.adapterName.includes('adapter-pg') && typeof pgClient?.query === 'function') {
      adapter.executeScript = async (script: string) => {
        try {
          await pgClient.query?.(script);
        } catch (error) {
          // The adapter keeps only a kind ("No such table"): keep PostgreSQL's own words.
          const { message, code, detail } = error as { message?: string } & DatabaseError;
          if (typeof message === 'string') onScriptError({ message, code, detail });
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

/**
 * The engine's error as a SchemaEngineError: each "External error id#N" replaced by the
 * adapter error's message, its span trace ("0: sql_schema_connector::...") cut off.
 */
function explainEngineError(
  error: unknown,
  registry: { consumeError(id: number): { error: unknown } | undefined },
  databaseError: DatabaseError | undefined,
): SchemaEngineError {
  const raw = error instanceof Error ? error.message : String(error);
  const migration = /migration_name="([^"]+)"/.exec(raw)?.[1];
  const resolved = raw.replace(/External error id#(\d+)/g, (text, id: string) => {
    const cause = registry.consumeError(Number(id))?.error as
      | { message?: string; originalMessage?: string }
      | undefined;
    if (!cause) return text;
    return cause.originalMessage ?? cause.message ?? JSON.stringify(cause);
  });
  const lines = resolved.split('\n');
  const trace = lines.findIndex((line) => /^\s*0: \w+::/.test(line));
  let message = (trace === -1 ? lines : lines.slice(0, trace)).join('\n').trim();
  if (panic && error instanceof WebAssembly.RuntimeError) message = `${message} (panic: ${panic})`;
  return new SchemaEngineError(message, { cause: error, migration, databaseError });
}

/** An error of the schema engine, with the adapter's errors it names resolved. */
export class SchemaEngineError extends Error {
  /** The migration being applied when it failed, if any. */
  readonly migration: string | undefined;
  /** What PostgreSQL said, when a migration script failed. */
  readonly databaseError: DatabaseError | undefined;

  constructor(
    message: string,
    options: ErrorOptions & { migration?: string | undefined; databaseError?: DatabaseError },
  ) {
    super(message, options);
    this.name = 'SchemaEngineError';
    this.migration = options.migration;
    this.databaseError = options.databaseError;
  }
}

/** Applied migrations whose migration.sql changed since (the engine's checksum check). */
export class EditedMigrationsError extends Error {
  readonly migrations: readonly string[];

  constructor(migrations: readonly string[]) {
    super(`Modified after they were applied: ${migrations.join(', ')}`);
    this.name = 'EditedMigrationsError';
    this.migrations = migrations;
  }
}
