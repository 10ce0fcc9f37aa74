import {
  customModel,
  type ProjectOptions,
  planMigrations,
  singleTableModelFix,
  uncreatedTable,
} from './plan.js';
import { shownPath } from './schema.js';

export interface CheckOptions extends ProjectOptions {
  /** The command printed as the fix; the `migrate` command of these options by default. */
  fix?: string | undefined;
}

/**
 * Checks that the migrations folder creates the event_log table and that its newest capture
 * migration is what the declaration generates. Prints what is missing and the command that
 * writes it; returns the exit code (0 current, 1 not).
 */
export async function checkMigrations(
  options: CheckOptions,
  log: (line: string) => void,
  error: (line: string) => void,
): Promise<number> {
  const plan = await planMigrations(options, log);
  const folder = shownPath(options.cwd, plan.migrationsDir);
  const problems: string[] = [];
  if (!plan.table) problems.push(`No migration in ${folder} creates the table event_log.`);
  if (plan.table && !plan.partitioning && (plan.singleTableModel || !plan.modelDifference)) {
    problems.push(
      `No migration in ${folder} partitions event_log by month (${plan.table.name} creates it as one table).`,
    );
  }
  if (plan.capture.status === 'missing') {
    problems.push(`No migration in ${folder} installs the capture triggers.`);
  } else if (plan.capture.status === 'stale') {
    problems.push(
      `The capture triggers of ${plan.capture.migration.name} differ from what the declaration of ${plan.declaration.path} generates.`,
    );
  }
  for (const uncreated of plan.uncreatedTables)
    problems.push(`${uncreatedTable(folder, uncreated)}.`);
  if (problems.length === 0) {
    log(
      `The migrations in ${folder} are current: ${plan.table?.name} creates event_log, ${plan.capture.status === 'current' ? plan.capture.migration.name : ''} installs the capture triggers.`,
    );
    return 0;
  }
  for (const problem of problems) error(problem);
  const migrate = options.fix ?? migrateCommand(options);
  if (!plan.table && plan.modelDifference) {
    error(`Fix: ${customModel(plan.schema.path, plan.modelDifference)}`);
  } else if (plan.table && !plan.partitioning && plan.singleTableModel) {
    error(`Fix: ${singleTableModelFix(plan.schema.path)}`);
  } else if (plan.uncreatedTables.length > 0) {
    error(`Fix: npx prisma migrate dev, then ${migrate}`);
  } else {
    error(`Fix: ${migrate}`);
  }
  return 1;
}

/** `npx pothos-eventlog migrate` with the flags that read the same project. */
export function migrateCommand(options: ProjectOptions): string {
  const flags = [`--capture ${quote(options.capture)}`];
  if (options.schema !== undefined) flags.push(`--schema ${quote(options.schema)}`);
  if (options.migrations !== undefined) flags.push(`--migrations ${quote(options.migrations)}`);
  return `npx pothos-eventlog migrate ${flags.join(' ')}`;
}

function quote(value: string): string {
  return /^[\w./@:-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
