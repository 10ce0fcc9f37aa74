import { resolve } from 'node:path';
import { captureSql } from '../capture/capture-sql.js';
import { CliError } from './cli-error.js';
import { eventLogModelDifference } from './event-log-model.js';
import { type LoadedDeclaration, loadDeclaration } from './load-declaration.js';
import {
  checkLockFile,
  latestCaptureMigration,
  type Migration,
  migrationCreatingTable,
  readMigrationFolder,
} from './migrations-folder.js';
import { partitionsEventLog } from './partition-upgrade-sql.js';
import { type PrismaConfigPaths, readPrismaConfig } from './prisma-config.js';
import { findSchemaPath, type PrismaSchema, readPrismaSchema, shownPath } from './schema.js';

/** The table the capture triggers write to: the shipped model's `@@map`. */
export const EVENT_LOG_TABLE = 'event_log';

export interface ProjectOptions {
  /** The directory relative paths are read from. */
  cwd: string;
  /** The module that exports the capture declaration. */
  capture: string;
  /** The Prisma schema file or folder; `DEFAULT_SCHEMA_PATHS` when absent. */
  schema?: string | undefined;
  /** The migrations folder. @default 'prisma/migrations' */
  migrations?: string | undefined;
}

/** What a migrations folder lacks for the declaration, read without writing anything. */
export interface MigrationPlan {
  schema: PrismaSchema;
  declaration: LoadedDeclaration;
  /** Absolute path of the migrations folder. */
  migrationsDir: string;
  migrations: Migration[];
  /** The migration that creates event_log, if one does. */
  table: Migration | undefined;
  /** The migration that partitions event_log by month (its table SQL, or the upgrade), if one does. */
  partitioning: Migration | undefined;
  /**
   * The schema's EventLog model is the one shipped before partitioning (`id` alone its
   * primary key): the upgrade needs the current model first.
   */
  singleTableModel: boolean;
  /**
   * How the schema's EventLog model differs from the shipped one, whose table SQL `migrate`
   * writes; undefined when they agree.
   */
  modelDifference: string | undefined;
  /** What the declaration generates against the schema. */
  captureSql: string;
  /**
   * Tables the triggers attach to (audited models, folded children) that no migration
   * creates: a capture migration written before theirs would fail to apply.
   */
  uncreatedTables: { model: string; table: string }[];
  capture:
    | { status: 'current'; migration: Migration }
    | { status: 'stale'; migration: Migration }
    | { status: 'missing' };
}

export const DEFAULT_MIGRATIONS = 'prisma/migrations';

/** The upgrade of a schema whose EventLog model still has `id` alone as its primary key. */
export function singleTableModelFix(schema: string): string {
  return `The EventLog model of ${schema} has id alone as its primary key, as pothos-eventlog's model had before event_log was partitioned by month: copy node_modules/pothos-eventlog/prisma/schema/eventlog.prisma over it (the key becomes @@id([id, timestamp])), run prisma generate, then run migrate again to write the migration that partitions event_log in place.`;
}

function isSingleTableModel(schema: PrismaSchema): boolean {
  const model = schema.datamodel.models.find(
    (candidate) => (candidate.dbName ?? candidate.name) === EVENT_LOG_TABLE,
  );
  const id = model?.fields.find((field) => field.name === 'id');
  return !model?.primaryKey && id?.isId === true;
}

/** Why the shipped table SQL cannot create a customized EventLog model, and what to do. */
export function customModel(schema: string, difference: string): string {
  return `The EventLog model of ${schema} is not the one pothos-eventlog ships (${difference}), so its table SQL would not create it: create event_log with a migration of your own (npx prisma migrate dev --create-only), then run migrate again to add the capture triggers.`;
}

/** A table the triggers need that no migration creates, and what creates it. */
export function uncreatedTable(folder: string, { model, table }: { model: string; table: string }) {
  return `No migration in ${folder} creates the table "${table}" of ${model}, which the capture triggers are created on: write the model's own migration first (npx prisma migrate dev)`;
}

/** Reads the schema, the declaration and the migrations, printing one line per step. */
export async function planMigrations(
  options: ProjectOptions,
  log: (line: string) => void,
): Promise<MigrationPlan> {
  const { cwd } = options;
  const config = await configPaths(options, log);
  const schemaPath = findSchemaPath(cwd, options.schema ?? config?.schema);
  const schema = await readPrismaSchema(cwd, schemaPath);
  log(
    `Read the Prisma schema ${schema.path} (${schema.files.length} file${schema.files.length === 1 ? '' : 's'}, ${schema.datamodel.models.length} models).`,
  );
  if (!schema.datamodel.models.some((model) => (model.dbName ?? model.name) === EVENT_LOG_TABLE)) {
    throw new CliError(
      `The Prisma schema ${schema.path} has no model mapped to "${EVENT_LOG_TABLE}": copy node_modules/pothos-eventlog/prisma/schema/eventlog.prisma into it (the EventLog model).`,
    );
  }
  const declaration = await loadDeclaration(cwd, options.capture);
  const audited = Object.keys(declaration.declaration.models);
  log(
    `Loaded the capture declaration ${declaration.exportName} of ${declaration.path} (${audited.join(', ') || 'no models'}).`,
  );
  let sql: string;
  try {
    sql = captureSql(schema.datamodel, declaration.declaration).sql;
  } catch (error) {
    throw new CliError(
      `The capture declaration of ${declaration.path} does not fit the Prisma schema ${schema.path}: ${(error instanceof Error ? error.message : String(error)).replace(/^pothos-eventlog capture: /, '')}`,
    );
  }
  const migrationsDir = resolve(
    cwd,
    options.migrations ?? config?.migrations ?? DEFAULT_MIGRATIONS,
  );
  await checkLockFile(migrationsDir, cwd);
  const migrations = await readMigrationFolder(migrationsDir);
  const latest = latestCaptureMigration(migrations);
  const uncreatedTables = triggerTables(schema, declaration).filter(
    ({ table }) => !migrationCreatingTable(migrations, table),
  );
  return {
    schema,
    declaration,
    migrationsDir,
    migrations,
    table: migrationCreatingTable(migrations, EVENT_LOG_TABLE),
    partitioning: migrations.find((migration) => partitionsEventLog(migration.sql)),
    singleTableModel: isSingleTableModel(schema),
    modelDifference: await eventLogModelDifference(schema.datamodel, EVENT_LOG_TABLE),
    captureSql: sql,
    uncreatedTables,
    capture: !latest
      ? { status: 'missing' }
      : latest.sql.replace(/\r\n/g, '\n') === sql // a checkout with CRLF line ends is current
        ? { status: 'current', migration: latest }
        : { status: 'stale', migration: latest },
  };
}

/**
 * The paths of the project's Prisma config that the flags leave open, with a line saying
 * what it gave; undefined when both flags are given or there is no config.
 */
export async function configPaths(
  options: Pick<ProjectOptions, 'cwd' | 'schema' | 'migrations'>,
  log: (line: string) => void,
): Promise<Omit<PrismaConfigPaths, 'file'> | undefined> {
  if (options.schema !== undefined && options.migrations !== undefined) return undefined;
  const config = await readPrismaConfig(options.cwd);
  if (!config) return undefined;
  const used = {
    schema: options.schema === undefined ? config.schema : undefined,
    migrations: options.migrations === undefined ? config.migrations : undefined,
  };
  const named = [
    used.schema && `schema ${shownPath(options.cwd, used.schema)}`,
    used.migrations && `migrations ${shownPath(options.cwd, used.migrations)}`,
  ].filter(Boolean);
  if (named.length > 0) log(`Read the Prisma config ${config.file} (${named.join(', ')}).`);
  return used;
}

/** The tables the capture triggers of the declaration are created on. */
function triggerTables(schema: PrismaSchema, declaration: LoadedDeclaration) {
  const byName = new Map(schema.datamodel.models.map((model) => [model.name, model]));
  const tables = new Map<string, { model: string; table: string }>();
  const add = (name: string) => {
    const model = byName.get(name);
    if (model) tables.set(name, { model: name, table: model.dbName ?? model.name });
  };
  for (const [name, options] of Object.entries(declaration.declaration.models)) {
    add(name);
    for (const relation of options?.fold ?? []) {
      const field = byName.get(name)?.fields.find((candidate) => candidate.name === relation);
      if (field) add(field.type);
    }
  }
  return [...tables.values()];
}
