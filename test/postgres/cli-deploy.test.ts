// `pothos-eventlog deploy` as a user runs it: the packed package installed in a project with
// the optional peers @prisma/schema-engine-wasm and @prisma/adapter-pg, applying the
// project's migrations to a fresh private PostgreSQL database without Prisma's native engine.
import { createHash } from 'node:crypto';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffEmptyToSchema } from '../../scripts/schema-engine.js';
import { createScratchDatabase, type ScratchDatabase } from '../../scripts/scratch-database.js';
import { installPackage, packPackage, root, runBin } from '../support/packed-cli.js';

const datasource = `datasource db {
  provider = "postgresql"
}
`;

const models = `model Order {
  id    String      @id @default(uuid())
  title String
  lines OrderLine[]
}

model OrderLine {
  id       String @id @default(uuid())
  orderId  String
  order    Order  @relation(fields: [orderId], references: [id], onDelete: Cascade)
  quantity Int

  @@index([orderId])
}
`;

const capture = "export default { models: { Order: { tool: 'orders', fold: ['lines'] } } };\n";

const pinned = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).peerDependencies[
  '@prisma/schema-engine-wasm'
] as string;

async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** A project with the schema, the capture declaration and the user's own first migration. */
async function project(dir: string, tarball: string, links: string[]) {
  await mkdir(join(dir, 'prisma/schema'), { recursive: true });
  await writeFile(join(dir, 'package.json'), '{ "name": "app", "type": "module" }\n');
  await installPackage(dir, tarball, links);
  await writeFile(join(dir, 'prisma/schema/schema.prisma'), datasource);
  await writeFile(join(dir, 'prisma/schema/models.prisma'), models);
  await writeFile(
    join(dir, 'prisma/schema/eventlog.prisma'),
    await readFile(join(dir, 'node_modules/pothos-eventlog/prisma/schema/eventlog.prisma'), 'utf8'),
  );
  await writeFile(join(dir, 'capture.mjs'), capture);
  const init = await diffEmptyToSchema([
    { path: 'schema.prisma', content: datasource },
    { path: 'models.prisma', content: models },
  ]);
  await mkdir(join(dir, 'prisma/migrations/20260101000000_init'), { recursive: true });
  await writeFile(join(dir, 'prisma/migrations/20260101000000_init/migration.sql'), `${init}\n`);
}

describe('pothos-eventlog deploy', () => {
  let work: string;
  /** The package with both optional peers of deploy. */
  let app: string;
  /** The package alone: deploy's peers are missing. */
  let bare: string;
  let database: ScratchDatabase;
  let client: pg.Client;
  /** The URL as the CLI prints it. */
  let shown: string;
  /** The packed package. */
  let tarball: string;
  let migrations: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pel-deploy-'));
    tarball = await packPackage(work);
    app = join(work, 'app');
    bare = join(work, 'bare');
    await project(app, tarball, ['@prisma/adapter-pg', '@prisma/schema-engine-wasm']);
    await project(bare, tarball, []);
    migrations = join(app, 'prisma/migrations');
    database = await createScratchDatabase(process.env.DATABASE_URL as string, 'pel_test');
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const url = new URL(database.url);
    if (url.password) url.password = '***';
    shown = url.toString();
  }, 240_000);

  afterAll(async () => {
    await client?.end().catch(() => {});
    await database?.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('says how to use it', async () => {
    const help = await runBin(app, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}deploy {4}Apply the pending migrations of the folder/m);
    const usage = await runBin(app, ['deploy']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(
      /^pothos-eventlog: deploy needs --database <url>, the PostgreSQL database to apply the migrations to\.\n\nUsage:/,
    );
    const flag = await runBin(app, ['deploy', '--database', database.url, '--capture', 'x.mjs']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^pothos-eventlog: The flag --capture does not apply to deploy\./);
  });

  it('applies every migration of the folder, the user’s own included; an UPDATE is then logged', async () => {
    expect(await runBin(app, ['migrate', '--capture', 'capture.mjs'])).toMatchObject({
      code: 0,
      stderr: '',
    });
    const names = await migrationNames(migrations);
    expect(names).toHaveLength(3);
    const run = await runBin(app, ['deploy', '--database', database.url]);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `Connected to ${shown}.`,
        ...names.map((name) => `Applied ${name}`),
        `Applied 3 migrations of prisma/migrations to ${shown} (0 already applied).`,
        '',
      ].join('\n'),
    });
    await client.query(`INSERT INTO "Order" (id, title) VALUES ('o1', 'Draft')`);
    await client.query(`UPDATE "Order" SET title = 'Final' WHERE id = 'o1'`);
    const { rows } = await client.query(
      `SELECT action, "objectType", "objectId", changes FROM event_log WHERE action = 'update'`,
    );
    expect(rows).toEqual([
      {
        action: 'update',
        objectType: 'Order',
        objectId: 'o1',
        changes: { old_value: { title: 'Draft' }, new_value: { title: 'Final' } },
      },
    ]);
  });

  it('writes one _prisma_migrations row per migration, with the sha256 of its migration.sql', async () => {
    const names = await migrationNames(migrations);
    const expected = await Promise.all(
      names.map(async (name) => ({
        migration_name: name,
        checksum: createHash('sha256')
          .update(await readFile(join(migrations, name, 'migration.sql')))
          .digest('hex'),
        finished: true,
        rolled_back_at: null,
        applied_steps_count: 1,
      })),
    );
    const { rows } = await client.query(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at, applied_steps_count
         FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows).toEqual(expected);
  });

  it('a second deploy applies nothing', async () => {
    const run = await runBin(app, ['deploy', '--database', database.url]);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: `Connected to ${shown}.\nNo pending migrations: the 3 migrations of prisma/migrations are applied to ${shown}.\n`,
    });
  });

  it('names a failed migration with PostgreSQL’s message, keeps the ones before it, and recovers as it says', async () => {
    const good = '20990101000000_priority';
    const broken = '20990102000000_broken';
    await mkdir(join(migrations, good));
    await writeFile(
      join(migrations, good, 'migration.sql'),
      'ALTER TABLE "Order" ADD COLUMN "priority" INTEGER;\n',
    );
    await mkdir(join(migrations, broken));
    await writeFile(
      join(migrations, broken, 'migration.sql'),
      'ALTER TABLE "Nope" ADD COLUMN "x" INTEGER;\n',
    );
    const run = await runBin(app, ['deploy', '--database', database.url]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(`Connected to ${shown}.\nApplied ${good}\n`);
    expect(run.stderr).toMatch(
      new RegExp(
        `^pothos-eventlog: The migration ${broken} failed: relation "Nope" does not exist \\(PostgreSQL error 42P01\\)\\. The migrations before it stay applied\\. `,
      ),
    );
    const { rows } = await client.query(
      `SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations
        WHERE migration_name > '2099' ORDER BY migration_name`,
    );
    expect(rows).toEqual([
      { migration_name: good, finished: true },
      { migration_name: broken, finished: false },
    ]);
    const column = await client.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'Order' AND column_name = 'priority'`,
    );
    expect(column.rowCount).toBe(1);

    const again = await runBin(app, ['deploy', '--database', database.url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `has a failed migration, ${broken}: deploy applies nothing until it is resolved.`,
    );

    // The recovery the message gives, without the native engine.
    const update = /UPDATE _prisma_migrations .*? IS NULL/.exec(run.stderr)?.[0];
    expect(update).toBe(
      `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${broken}' AND finished_at IS NULL`,
    );
    await client.query(update as string);
    await writeFile(
      join(migrations, broken, 'migration.sql'),
      'ALTER TABLE "Order" ADD COLUMN "x" INTEGER;\n',
    );
    const fixed = await runBin(app, ['deploy', '--database', database.url]);
    expect(fixed).toMatchObject({ code: 0, stderr: '' });
    expect(fixed.stdout).toContain(`Applied ${broken}\nApplied 1 migration of prisma/migrations`);
  });

  it('refuses a folder whose applied migration was modified, naming it', async () => {
    const file = join(migrations, '20260101000000_init/migration.sql');
    const sql = await readFile(file, 'utf8');
    await writeFile(file, `${sql}-- edited\n`);
    try {
      const run = await runBin(app, ['deploy', '--database', database.url]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `pothos-eventlog: The migration 20260101000000_init was modified after ${shown} applied it: its migration.sql no longer matches the checksum recorded in _prisma_migrations, so the database is not what the folder describes. Nothing was applied. Restore the applied file (e.g. git checkout -- prisma/migrations/20260101000000_init/migration.sql) and put the change in a new migration.\n`,
      );
    } finally {
      await writeFile(file, sql);
    }
  });

  it('names an unreachable database without its password, and a missing one', async () => {
    const run = await runBin(app, [
      'deploy',
      '--database',
      'postgresql://someone:s3cret@127.0.0.1:1/nothing',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^pothos-eventlog: Could not connect to postgresql:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nothing: connect ECONNREFUSED 127\.0\.0\.1:1\. /,
    );
    expect(run.stderr + run.stdout).not.toContain('s3cret');
    const url = new URL(database.url);
    url.pathname = `/${database.name}_missing`;
    const missing = await runBin(app, ['deploy', '--database', url.toString()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `database "${database.name}_missing" does not exist. Check the URL given to --database, and that the database exists (deploy does not create it).`,
    );
  });

  it('warns when the installed engine is not the build it is tested with, and still deploys', async () => {
    const skewed = join(work, 'skewed');
    await mkdir(skewed);
    await writeFile(join(skewed, 'package.json'), '{ "name": "skewed", "type": "module" }\n');
    await installPackage(skewed, tarball, ['@prisma/adapter-pg']);
    const engine = join(skewed, 'node_modules/@prisma/schema-engine-wasm');
    await mkdir(engine, { recursive: true });
    const real = join(root, 'node_modules/@prisma/schema-engine-wasm');
    // Copies (Node resolves a symlink to its target's folder), the 5 MB .wasm linked.
    for (const file of await readdir(real)) {
      if (file.endsWith('.wasm')) await symlink(join(real, file), join(engine, file));
      else if (file !== 'package.json') await copyFile(join(real, file), join(engine, file));
    }
    const manifest = JSON.parse(await readFile(join(real, 'package.json'), 'utf8'));
    const other = `7.10.0-9.${'0'.repeat(40)}`;
    await writeFile(join(engine, 'package.json'), JSON.stringify({ ...manifest, version: other }));
    const run = await runBin(skewed, [
      'deploy',
      '--database',
      database.url,
      '--migrations',
      migrations,
      '--schema',
      join(app, 'prisma/schema'),
    ]);
    expect(run.stderr).toBe(
      `pothos-eventlog: warning: @prisma/schema-engine-wasm@${other} is installed, deploy is tested with ${pinned} (npm install --save-dev @prisma/schema-engine-wasm@${pinned}).\n`,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No pending migrations: the 5 migrations of');
  });

  it('names the npm install to run when the optional peers are missing', async () => {
    const run = await runBin(bare, ['deploy', '--database', database.url]);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `pothos-eventlog: deploy applies the migrations with Prisma's wasm schema engine over node-postgres, and @prisma/schema-engine-wasm and @prisma/adapter-pg are not installed in ${bare}: npm install --save-dev @prisma/schema-engine-wasm@${pinned} @prisma/adapter-pg@7.10.0 (or apply them with npx prisma migrate deploy where Prisma can download its native engine).\n`,
    });
    expect(pinned).toMatch(/^7\.10\.0-\d+\.[0-9a-f]{40}$/);
  });
});
