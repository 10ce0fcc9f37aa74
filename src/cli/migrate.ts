import { CliError } from './cli-error.js';
import { CAPTURE_MARKER, nextTimestamps, writeMigration } from './migrations-folder.js';
import { partitionUpgradeSql } from './partition-upgrade-sql.js';
import {
  customModel,
  type ProjectOptions,
  planMigrations,
  singleTableModelFix,
  uncreatedTable,
} from './plan.js';
import { shownPath } from './schema.js';
import { EVENT_LOG_TABLE_SQL } from './table-sql.js';

export interface MigrateOptions extends ProjectOptions {
  /** The name of the capture migration. @default 'eventlog_capture' */
  name?: string | undefined;
}

/** The names of the migrations `migrate` writes, after their timestamp. */
export const TABLE_MIGRATION_NAME = 'eventlog_table';
export const PARTITION_MIGRATION_NAME = 'eventlog_partitioned';
export const CAPTURE_MIGRATION_NAME = 'eventlog_capture';

/**
 * Writes what the migrations folder lacks: the event_log table (unless a migration creates
 * it), the upgrade that partitions a single event_log table in place (when the model is the
 * shipped one), and the capture triggers (unless the newest capture migration is what the
 * declaration generates). Returns the files written.
 */
export async function migrate(
  options: MigrateOptions,
  log: (line: string) => void,
): Promise<string[]> {
  const name = options.name ?? CAPTURE_MIGRATION_NAME;
  const plan = await planMigrations(options, log);
  const folder = shownPath(options.cwd, plan.migrationsDir);
  const needed: { name: string; sql: string; why: string }[] = [];
  if (plan.table && plan.partitioning) {
    log(
      `The table event_log exists: ${plan.table.name} creates it${plan.partitioning === plan.table ? ', partitioned by month' : `, ${plan.partitioning.name} partitions it by month`}.`,
    );
  } else if (plan.table) {
    log(`The table event_log exists: ${plan.table.name} creates it as one table.`);
    if (plan.singleTableModel) throw new CliError(singleTableModelFix(plan.schema.path));
    if (plan.modelDifference) {
      log(
        `event_log stays one table: its model is not the one pothos-eventlog ships (${plan.modelDifference}), so migrate does not partition it.`,
      );
    } else {
      needed.push({
        name: PARTITION_MIGRATION_NAME,
        sql: partitionUpgradeSql(),
        why: 'partitions event_log by month, keeping its rows in place',
      });
    }
  } else if (plan.modelDifference) {
    throw new CliError(customModel(plan.schema.path, plan.modelDifference));
  } else {
    needed.push({
      name: TABLE_MIGRATION_NAME,
      sql: EVENT_LOG_TABLE_SQL,
      why: 'creates the table event_log',
    });
  }
  if (plan.capture.status === 'current') {
    log(`The capture triggers are current: ${plan.capture.migration.name} installs them.`);
  } else {
    const [uncreated] = plan.uncreatedTables;
    if (uncreated) {
      throw new CliError(`${uncreatedTable(folder, uncreated)}, then run migrate again.`);
    }
    if (!plan.captureSql.startsWith(CAPTURE_MARKER)) {
      throw new Error('The generated capture SQL lost its marker line.');
    }
    needed.push({
      name,
      sql: plan.captureSql,
      why:
        plan.capture.status === 'stale'
          ? `installs the capture triggers (${plan.capture.migration.name} differs from the declaration)`
          : 'installs the capture triggers',
    });
  }
  if (needed.length === 0) {
    log(`Nothing to write: ${folder} is current.`);
    return [];
  }
  const stamps = nextTimestamps(plan.migrations, needed.length);
  const written: string[] = [];
  for (const [index, migration] of needed.entries()) {
    const path = await writeMigration(
      plan.migrationsDir,
      `${stamps[index]}_${migration.name}`,
      migration.sql,
    );
    written.push(path);
    log(`Wrote ${shownPath(options.cwd, path)}: ${migration.why}.`);
  }
  return written;
}
