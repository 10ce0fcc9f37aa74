import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { CliError } from './cli-error.js';
import { redactUrl } from './connect.js';
import { checkLockFile, readMigrationFolder } from './migrations-folder.js';
import { configPaths, DEFAULT_MIGRATIONS } from './plan.js';
import { findSchemaPath, readPrismaSchema, shownPath } from './schema.js';
import {
  applyMigrationsWith,
  EditedMigrationsError,
  importSchemaEngine,
  SchemaEngineError,
  type SchemaEngineModules,
} from './schema-engine.js';

export interface DeployOptions {
  /** The directory relative paths are read from, and the engine is resolved from. */
  cwd: string;
  /** The PostgreSQL connection URL. */
  url: string;
  /** The Prisma schema file or folder; `DEFAULT_SCHEMA_PATHS` when absent. */
  schema?: string | undefined;
  /** The migrations folder. @default 'prisma/migrations' */
  migrations?: string | undefined;
}

/** The optional peer dependencies deploy needs; package.json's peerDependencies pin them. */
const ENGINE = '@prisma/schema-engine-wasm';
const ADAPTER = '@prisma/adapter-pg';

interface PgAdapterModule {
  PrismaPg: new (config: object) => SqlMigrationAwareDriverAdapterFactory;
}

interface PgClient {
  connect(): Promise<unknown>;
  end(): Promise<void>;
}

/**
 * `prisma migrate deploy` without the native engine: applies the pending migrations of the
 * folder to the database with @prisma/schema-engine-wasm over @prisma/adapter-pg, both
 * installed in the user's project. Returns the names applied.
 */
export async function deploy(
  options: DeployOptions,
  log: (line: string) => void,
  warn: (line: string) => void,
): Promise<string[]> {
  const config = await configPaths(options, log);
  const dir = resolve(options.cwd, options.migrations ?? config?.migrations ?? DEFAULT_MIGRATIONS);
  const folder = shownPath(options.cwd, dir);
  const migrations = await readMigrationFolder(dir);
  if (migrations.length === 0) {
    throw new CliError(
      existsSync(dir)
        ? `The folder ${folder} holds no migration (no <name>/migration.sql): pass --migrations <dir> of your Prisma migrations.`
        : `The migrations folder ${folder} does not exist: pass --migrations <dir> of your Prisma migrations.`,
    );
  }
  await checkLockFile(dir, options.cwd);
  const schema = await readPrismaSchema(
    options.cwd,
    findSchemaPath(options.cwd, options.schema ?? config?.schema),
  );
  const modules = await loadEngine(options.cwd, warn);
  const shown = redactUrl(options.url);
  await probe(options.cwd, options.url, shown);
  log(`Connected to ${shown}.`);

  const adapters: { dispose(): Promise<void> }[] = [];
  const { PrismaPg } = await importFromProject<PgAdapterModule>(options.cwd, ADAPTER);
  const pg = new PrismaPg({ connectionString: options.url, connectionTimeoutMillis: 10_000 });
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: pg.provider,
    adapterName: pg.adapterName,
    connect: async () => {
      const adapter = await pg.connect();
      adapters.push(adapter);
      return adapter;
    },
    connectToShadowDb: () => {
      throw new Error('deploy needs no shadow database.');
    },
  };
  let applied: string[];
  let current: string | undefined;
  try {
    applied = await applyMigrationsWith(modules, factory, dir, schema.files, {
      refuseEdited: true,
      onApplying: (name) => {
        // The engine says when it starts a migration: the one before is then applied.
        if (current) log(`Applied ${current}`);
        current = name;
      },
    });
    if (current) log(`Applied ${current}`);
  } catch (error) {
    if (error instanceof EditedMigrationsError) {
      const [one] = error.migrations;
      const many = error.migrations.length > 1;
      throw new CliError(
        `${many ? `The migrations ${error.migrations.join(', ')} were` : `The migration ${one} was`} modified after ${shown} applied ${many ? 'them' : 'it'}: ${many ? 'their migration.sql files no longer match the checksums' : 'its migration.sql no longer matches the checksum'} recorded in _prisma_migrations, so the database is not what the folder describes. Nothing was applied. Restore the applied ${many ? 'files' : 'file'} (e.g. git checkout -- ${folder}/${one}/migration.sql) and put the change in a new migration.`,
      );
    }
    if (error instanceof SchemaEngineError) throw new CliError(failure(error, folder, shown));
    throw error;
  } finally {
    await Promise.all(adapters.map((adapter) => adapter.dispose().catch(() => {})));
  }
  log(
    applied.length === 0
      ? `No pending migrations: the ${count(migrations.length)} of ${folder} are applied to ${shown}.`
      : `Applied ${count(applied.length)} of ${folder} to ${shown} (${migrations.length - applied.length} already applied).`,
  );
  return applied;
}

function count(n: number): string {
  return n === 1 ? '1 migration' : `${n} migrations`;
}

/** What went wrong, and how to recover, as the native CLI's P3018 and P3009 say it. */
function failure(error: SchemaEngineError, folder: string, shown: string): string {
  const failed = /The `([^`]+)` migration started at/.exec(error.message)?.[1];
  if (error.migration && error.databaseError) {
    const { message, code } = error.databaseError;
    return `The migration ${error.migration} failed: ${message}${code ? ` (PostgreSQL error ${code})` : ''}. The migrations before it stay applied. ${recovery(error.migration, folder)}`;
  }
  if (failed) {
    return `${shown} has a failed migration, ${failed}: deploy applies nothing until it is resolved. ${recovery(failed, folder)}`;
  }
  return `Applying the migrations of ${folder} to ${shown} failed: ${error.message}`;
}

function recovery(migration: string, folder: string): string {
  return `${migration} is recorded as failed in _prisma_migrations: undo what it changed, if anything, fix ${folder}/${migration}/migration.sql, mark it rolled back (npx prisma migrate resolve --rolled-back ${migration}, or without Prisma's native engine: UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${migration}' AND finished_at IS NULL), then run deploy again.`;
}

/** The versions deploy asks for: the exact engine build this package is tested with. */
function peerVersions(): Record<string, string> {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { peerDependencies?: Record<string, string> };
  const peers = manifest.peerDependencies ?? {};
  return {
    [ENGINE]: peers[ENGINE] ?? 'latest',
    [ADAPTER]: (peers[ADAPTER] ?? 'latest').replace(/^[\^~]/, ''),
  };
}

function resolvesFrom(cwd: string, specifier: string): boolean {
  try {
    createRequire(join(cwd, 'package.json')).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

async function loadEngine(cwd: string, warn: (line: string) => void): Promise<SchemaEngineModules> {
  const versions = peerVersions();
  const missing = [
    resolvesFrom(cwd, ENGINE) ? undefined : ENGINE,
    resolvesFrom(cwd, ADAPTER) ? undefined : ADAPTER,
  ].filter((name): name is string => name !== undefined);
  if (missing.length > 0) {
    throw new CliError(
      `deploy applies the migrations with Prisma's wasm schema engine over node-postgres, and ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not installed in ${cwd}: npm install --save-dev ${missing.map((name) => `${name}@${versions[name]}`).join(' ')}` +
        ' (or apply them with npx prisma migrate deploy where Prisma can download its native engine).',
    );
  }
  const modules = await importSchemaEngine(cwd, ADAPTER);
  if (modules.version !== versions[ENGINE]) {
    warn(
      `pothos-eventlog: warning: ${ENGINE}@${modules.version} is installed, deploy is tested with ${versions[ENGINE]} (npm install --save-dev ${ENGINE}@${versions[ENGINE]}).`,
    );
  }
  return modules;
}

async function importFromProject<T>(cwd: string, specifier: string): Promise<T> {
  const path = createRequire(join(cwd, 'package.json')).resolve(specifier);
  return (await import(pathToFileURL(path).href)) as T;
}

/**
 * Connects once with node-postgres (adapter-pg's own) so that an unreachable server, a wrong
 * password or a missing database is one plain sentence, not an engine error.
 */
async function probe(cwd: string, url: string, shown: string): Promise<void> {
  const adapterPath = createRequire(join(cwd, 'package.json')).resolve(ADAPTER);
  const pgPath = createRequire(adapterPath).resolve('pg');
  const pg = (await import(pathToFileURL(pgPath).href)) as {
    default?: { Client: new (config: object) => PgClient };
  };
  const Client = pg.default?.Client;
  if (!Client) throw new Error(`The pg package at ${pgPath} has no Client.`);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (cause) {
    throw new CliError(
      `Could not connect to ${shown}: ${connectionProblem(cause)}. Check the URL given to --database, and that the database exists (deploy does not create it).`,
      1,
      { cause },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** node-postgres's reason; an AggregateError (every address refused) has no message of its own. */
function connectionProblem(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as NodeJS.ErrnoException).code;
  const message =
    cause.message ||
    (cause instanceof AggregateError ? String(cause.errors[0]?.message ?? '') : '');
  return (message || code || 'unknown error').replace(/\.$/, '');
}
