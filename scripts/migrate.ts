// npm run migrate:create -- <name> | migrate:capture | migrate:deploy | migrate:check
// capture and check are the shipped CLI (src/cli) run on the example; create, deploy and the
// drift check drive the wasm schema engine, which only this repository has.
import { relative } from 'node:path';
import { openDatabase } from '../example/database.js';
import { checkMigrations } from '../src/cli/check.js';
import { migrate } from '../src/cli/migrate.js';
import {
  nextTimestamps,
  readMigrationFolder,
  writeMigration as writeMigrationIn,
} from '../src/cli/migrations-folder.js';
import {
  applyMigrations,
  diffMigrationsToSchema,
  migrationsDir,
  projectRoot,
  schemaDir,
} from './schema-engine.js';

/** The example's project as the CLI reads it: `pothos-eventlog migrate --capture example/capture.ts ...`. */
const example = {
  cwd: projectRoot,
  capture: 'example/capture.ts',
  schema: relative(projectRoot, schemaDir),
  migrations: relative(projectRoot, migrationsDir),
};

const [command, name] = process.argv.slice(2);

async function create() {
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error('usage: npm run migrate:create -- <name> (lowercase letters, digits, _)');
  }
  const sql = await diffMigrationsToSchema();
  if (!sql) {
    console.log('The migrations already match the Prisma schema: nothing to create.');
    return;
  }
  await writeMigration(name, `${sql}\n`);
}

async function writeMigration(migrationName: string, sql: string) {
  const [stamp] = nextTimestamps(await readMigrationFolder(migrationsDir), 1);
  const path = await writeMigrationIn(migrationsDir, `${stamp}_${migrationName}`, sql);
  console.log(`Created ${path}`);
}

/** Writes a migration with the capture SQL when the newest one is not what the declaration generates. */
async function captureCommand() {
  await migrate({ ...example, name }, console.log);
}

async function deploy() {
  const database = await openDatabase();
  try {
    const applied = await applyMigrations(database.adapterFactory);
    console.log(
      `${database.description}: ${applied.length ? `applied ${applied.join(', ')}` : 'no pending migrations'}`,
    );
  } finally {
    await database.close();
  }
}

async function check() {
  const sql = await diffMigrationsToSchema();
  if (sql) {
    console.error(`The Prisma schema and the migrations disagree. Missing migration:\n${sql}`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = await checkMigrations(
    { ...example, fix: 'npm run migrate:capture' },
    console.log,
    console.error,
  );
}

const commands: Record<string, () => Promise<void>> = {
  create,
  capture: captureCommand,
  deploy,
  check,
};
const run = commands[command ?? ''];
if (!run) {
  console.error('usage: tsx scripts/migrate.ts create <name> | capture | deploy | check');
  process.exit(2);
}
run()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  // The wasm schema engine (deploy, check) leaves a 10 s timer of its own behind: exit once the
  // output is flushed, as the shipped CLI does (src/cli/main.ts).
  .finally(() => {
    process.stdout.write('', () => process.stderr.write('', () => process.exit()));
  });
