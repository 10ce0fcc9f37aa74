#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EventLogError } from '../errors.js';
import { PRUNE_BEFORE_FORMS, parsePruneBefore } from '../partitions/prune.js';
import { checkMigrations } from './check.js';
import { CliError, CliUsageError } from './cli-error.js';
import { checkDatabase } from './database-check.js';
import { deploy } from './deploy.js';
import { migrate } from './migrate.js';
import { partitions } from './partitions.js';
import { prune } from './prune.js';
import { DEFAULT_SCHEMA_PATHS } from './schema.js';

const USAGE = `Usage: pothos-eventlog <command> [flags]

Commands:
  migrate   Write the migrations the event log needs into the migrations folder:
            <timestamp>_eventlog_table (the event_log table, partitioned by month),
            unless a migration already creates it; <timestamp>_eventlog_partitioned
            when one creates it as a single table (it becomes a partition in place);
            and <timestamp>_<name> (the capture triggers), when the newest capture
            migration differs from what the declaration generates.
  check     Exit 0 when the migrations folder is current, 1 naming what is missing
            and the command that writes it. With --database, check the triggers
            installed in that database instead.
  deploy    Apply the pending migrations of the folder (all of them, yours included)
            to --database, as prisma migrate deploy does, without Prisma's native
            engine: through @prisma/schema-engine-wasm and @prisma/adapter-pg,
            optional peer dependencies to install in the project. The history it
            writes (_prisma_migrations) is the one prisma migrate deploy accepts.
  prune     Delete the entries of --database before --before: month partitions that
            end by then are dropped whole, the one it falls into and the default
            partition are trimmed by batched DELETEs (a table that is not partitioned
            too). --dry-run counts what would go and changes nothing; --export writes
            the doomed entries of each partition to a file first.
  partitions
            Create the month partitions of --database through --ahead months after
            the current one (eventlog_ensure_partitions), then list every partition
            with its bounds and entries. For a monthly cron.

Flags:
  --capture <module>    The module exporting defineEventLogCapture(...) as default,
                        as capture, or as its only declaration. .js/.mjs/.cjs, or
                        .ts/.mts/.cts with tsx installed in the project. Required
                        by migrate and check.
  --schema <path>       The Prisma schema file, or the folder of a multi-file schema.
                        Default: the schema of prisma.config.ts, else the first of
                        ${DEFAULT_SCHEMA_PATHS.join(', ')}.
  --migrations <dir>    The migrations folder. Default: migrations.path of
                        prisma.config.ts, else prisma/migrations.
  --name <name>         migrate: the name of the capture migration. Default: eventlog_capture.
  --database <url>      check: the PostgreSQL database to check, e.g.
                        --database "$DATABASE_URL" (needs the pg package).
                        deploy: the PostgreSQL database to migrate. Required. It
                        must exist: deploy does not create it. prune, partitions:
                        the database, required.
  --before <date>       prune: entries before this go, those at or after it stay:
                        2025-01-01 (UTC midnight) or an ISO timestamp with an offset,
                        2025-01-01T00:00:00+01:00. Not in the future. Required.
  --dry-run             prune: print what would go per partition, change nothing.
  --export <dir>        prune: first write each partition's doomed entries to
                        <dir>/<partition>.ndjson (or .csv), never overwriting a file.
  --format <format>     prune --export: ndjson (default) or csv.
  --batch-size <n>      prune: rows per DELETE when trimming. Default: 5000.
  --ahead <months>      partitions: months after the current one. Default: 3.
  -h, --help            Print this help.
  -v, --version         Print the version.

Paths are relative to the working directory. Nothing connects to a database except
check --database, deploy, prune and partitions: migrate and check read files only.

Exit codes: 0 written, current or applied, 1 not current or failed (the message says
why and what fixes it), 2 unknown command or flag.`;

const options = {
  capture: { type: 'string' },
  schema: { type: 'string' },
  migrations: { type: 'string' },
  name: { type: 'string' },
  database: { type: 'string' },
  before: { type: 'string' },
  'dry-run': { type: 'boolean' },
  export: { type: 'string' },
  format: { type: 'string' },
  'batch-size': { type: 'string' },
  ahead: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

const allowed: Record<string, readonly string[]> = {
  migrate: ['capture', 'schema', 'migrations', 'name'],
  check: ['capture', 'schema', 'migrations', 'database'],
  deploy: ['database', 'schema', 'migrations'],
  prune: ['database', 'before', 'dry-run', 'export', 'format', 'batch-size'],
  partitions: ['database', 'ahead'],
};

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const log = (line: string) => console.log(line);
  const error = (line: string) => console.error(line);
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      log(USAGE);
      return 0;
    }
    if (values.version) {
      log(version());
      return 0;
    }
    const [command, ...extra] = positionals;
    if (command === undefined) throw new CliUsageError('No command given.');
    const flags = allowed[command];
    if (!flags) throw new CliUsageError(`Unknown command "${command}".`);
    if (extra.length > 0) throw new CliUsageError(`Unexpected argument "${extra[0]}".`);
    for (const flag of Object.keys(values)) {
      if (!flags.includes(flag)) {
        throw new CliUsageError(`The flag --${flag} does not apply to ${command}.`);
      }
    }
    if (command === 'deploy') {
      if (values.database === undefined || values.database === '') {
        throw new CliUsageError(
          'deploy needs --database <url>, the PostgreSQL database to apply the migrations to.',
        );
      }
      const { schema, migrations } = values;
      await deploy({ cwd, url: values.database, schema, migrations }, log, error);
      return 0;
    }
    if (command === 'prune' || command === 'partitions') {
      if (values.database === undefined || values.database === '') {
        throw new CliUsageError(`${command} needs --database <url>, the PostgreSQL database.`);
      }
      if (command === 'partitions') {
        const ahead = wholeNumber('--ahead', values.ahead, 0, 120);
        return await partitions({ url: values.database, ahead }, log);
      }
      return await prune(pruneOptions(values, values.database), log);
    }
    const capture = values.capture;
    if (capture === undefined || capture === '') {
      throw new CliUsageError(
        `${command} needs --capture <module>, the module that exports defineEventLogCapture(...).`,
      );
    }
    if (values.name !== undefined && !/^[A-Za-z0-9_-]+$/.test(values.name)) {
      throw new CliUsageError(
        `--name ${values.name}: a migration name is letters, digits, _ and - only.`,
      );
    }
    const project = { cwd, capture, schema: values.schema, migrations: values.migrations };
    if (command === 'migrate') {
      await migrate({ ...project, name: values.name }, log);
      return 0;
    }
    if (values.database !== undefined) {
      return await checkDatabase({ cwd, capture, url: values.database }, log, error);
    }
    return await checkMigrations(project, log, error);
  } catch (caught) {
    if (caught instanceof CliUsageError) {
      error(`pothos-eventlog: ${caught.message}\n\n${USAGE}`);
      return caught.exitCode;
    }
    if (caught instanceof CliError || caught instanceof EventLogError) {
      error(`pothos-eventlog: ${caught.message}`);
      return caught instanceof CliError ? caught.exitCode : 1;
    }
    error(
      `pothos-eventlog: unexpected error: ${caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)}`,
    );
    return 1;
  }
}

function pruneOptions(values: ReturnType<typeof parse>['values'], url: string) {
  if (values.before === undefined || values.before === '') {
    throw new CliUsageError(`prune needs --before <date>: ${PRUNE_BEFORE_FORMS}.`);
  }
  let before: Date;
  try {
    before = parsePruneBefore(values.before);
  } catch {
    throw new CliUsageError(
      `--before ${JSON.stringify(values.before)} is not a date: give ${PRUNE_BEFORE_FORMS}.`,
    );
  }
  const format = (values.format ?? 'ndjson') as 'ndjson' | 'csv';
  if (format !== 'ndjson' && format !== 'csv') {
    throw new CliUsageError(`--format ${JSON.stringify(format)}: give ndjson or csv.`);
  }
  if (values.format !== undefined && values.export === undefined) {
    throw new CliUsageError('--format applies to --export <dir>, which is missing.');
  }
  if (values.export === '') throw new CliUsageError('--export needs a directory.');
  return {
    url,
    before,
    dryRun: values['dry-run'] ?? false,
    batchSize: wholeNumber('--batch-size', values['batch-size'], 1, 100_000),
    export: values.export === undefined ? undefined : { dir: values.export, format },
  };
}

function wholeNumber(flag: string, value: string | undefined, min: number, max: number) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new CliUsageError(
      `${flag} ${JSON.stringify(value)}: give a whole number from ${min} to ${max}.`,
    );
  }
  return Number(value);
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (caught) {
    // node:util's messages name the flag: "Unknown option '--frobnicate'. To specify ...".
    const message = caught instanceof Error ? caught.message : String(caught);
    throw new CliUsageError(`${message.split('. ')[0]?.replace(/\.$/, '')}.`);
  }
}

function version(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// The wasm schema engine (deploy) leaves a 10 s timer of its own behind: exit as soon as
// the output is flushed instead of waiting for it.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
