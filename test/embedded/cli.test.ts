// The pothos-eventlog CLI as a user gets it: src built with tsconfig.build.json, packed by
// npm, unpacked into a project's node_modules with its bin linked, and run as a subprocess
// in that project, which has a Prisma schema and a capture declaration of its own
// (test/support/packed-cli.ts).
import { cpSync, existsSync, realpathSync, statSync } from 'node:fs';
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
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEventLogTableSql } from '../../scripts/event-log-table.js';
import {
  applyMigrations,
  diffEmptyToSchema,
  diffMigrationsToSchema,
} from '../../scripts/schema-engine.js';
import { EVENT_LOG_TABLE_SQL } from '../../src/cli/table-sql.js';
import {
  runBin as cli,
  installPackage as install,
  packPackage,
  root,
} from '../support/packed-cli.js';

const datasource = `datasource db {
  provider = "postgresql"
}
`;

const models = `model Order {
  id    String      @id @default(uuid())
  title String
  notes String?
  lines OrderLine[]
}

model OrderLine {
  id       String @id @default(uuid())
  orderId  String
  order    Order  @relation(fields: [orderId], references: [id], onDelete: Cascade)
  sku      String
  quantity Int

  @@index([orderId])
}
`;

const declaration = (extra = '') => `import { defineEventLogCapture } from 'pothos-eventlog';

export const capture = defineEventLogCapture({
  models: { Order: { tool: 'orders', fold: ['lines']${extra} } },
});
`;

async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

describe('the pothos-eventlog CLI', () => {
  let work: string;
  /** A project with the package, its peers and tsx: the usual setup. */
  let app: string;
  /** A project with the package and its one dependency only: no tsx, no pg, no Pothos. */
  let bare: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pel-cli-'));
    const tarball = await packPackage(work);

    app = join(work, 'app');
    await mkdir(join(app, 'prisma/schema'), { recursive: true });
    await writeFile(join(app, 'package.json'), '{ "name": "app", "type": "module" }\n');
    await install(app, tarball, [
      '@prisma/client',
      '@prisma/sqlcommenter-query-tags',
      '@pothos',
      'graphql',
      'prisma',
      'tsx',
    ]);
    await writeFile(join(app, 'prisma/schema/schema.prisma'), datasource);
    await writeFile(join(app, 'prisma/schema/models.prisma'), models);
    // As the README says: the model fragment is copied from the package into the schema.
    await copyFile(
      join(app, 'node_modules/pothos-eventlog/prisma/schema/eventlog.prisma'),
      join(app, 'prisma/schema/eventlog.prisma'),
    );
    await writeFile(join(app, 'capture.ts'), declaration());
    // The user's own first migration (prisma migrate dev), from before the event log.
    const init = await diffEmptyToSchema([
      { path: 'schema.prisma', content: datasource },
      { path: 'models.prisma', content: models },
    ]);
    await mkdir(join(app, 'prisma/migrations/20260101000000_init'), { recursive: true });
    await writeFile(join(app, 'prisma/migrations/20260101000000_init/migration.sql'), `${init}\n`);

    bare = join(work, 'bare');
    await mkdir(bare);
    cpSync(join(app, 'prisma/migrations'), join(bare, 'prisma/migrations'), { recursive: true });
    await writeFile(join(bare, 'package.json'), '{ "name": "bare" }\n');
    await install(bare, tarball, []);
    await writeFile(
      join(bare, 'schema.prisma'),
      `${datasource}\n${models}\n${await readFile(join(root, 'prisma/schema/eventlog.prisma'), 'utf8')}`,
    );
    await writeFile(
      join(bare, 'capture.mjs'),
      "export default { models: { Order: { tool: 'orders' } } };\n",
    );
    await writeFile(
      join(bare, 'capture.ts'),
      "export default { models: { Order: { tool: 'orders' } } };\n",
    );
  }, 240_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships the table SQL the schema engine generates from eventlog.prisma', async () => {
    expect(EVENT_LOG_TABLE_SQL).toBe(await generateEventLogTableSql());
  });

  it('is an executable bin with a node shebang once installed', async () => {
    const installed = join(app, 'node_modules/pothos-eventlog');
    const main = await readFile(join(installed, 'dist/cli/main.js'), 'utf8');
    expect(main.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(join(installed, 'dist/cli/main.js')).mode & 0o111).not.toBe(0);
    expect(realpathSync(join(app, 'node_modules/.bin/pothos-eventlog'))).toBe(
      realpathSync(join(installed, 'dist/cli/main.js')),
    );
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    expect(manifest.bin).toEqual({ 'pothos-eventlog': './dist/cli/main.js' });
    expect(manifest.peerDependenciesMeta).toEqual({
      '@prisma/adapter-pg': { optional: true },
      '@prisma/schema-engine-wasm': { optional: true },
      pg: { optional: true },
    });
  });

  it('prints its usage and version', async () => {
    const help = await cli(app, ['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: pothos-eventlog <command> \[flags\]/);
    expect(help.stdout).toContain('--database <url>');
    expect(help.stdout).toMatch(/^ {2}deploy {4}Apply the pending migrations/m);
    const version = await cli(app, ['--version']);
    expect(version).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('migrate writes the table and the triggers, which apply and audit an UPDATE', async () => {
    const migrations = join(app, 'prisma/migrations');
    const run = await cli(app, ['migrate', '--capture', 'capture.ts']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const names = await migrationNames(migrations);
    expect(names).toHaveLength(3);
    const [, table, capture] = names as [string, string, string];
    expect(table).toMatch(/^\d{14}_eventlog_table$/);
    expect(capture).toMatch(/^\d{14}_eventlog_capture$/);
    expect(run.stdout.trim().split('\n')).toEqual([
      'Read the Prisma schema prisma/schema (3 files, 3 models).',
      'Loaded the capture declaration capture of capture.ts (Order).',
      `Wrote prisma/migrations/${table}/migration.sql: creates the table event_log.`,
      `Wrote prisma/migrations/${capture}/migration.sql: installs the capture triggers.`,
    ]);
    expect(await readFile(join(migrations, table, 'migration.sql'), 'utf8')).toBe(
      EVENT_LOG_TABLE_SQL,
    );
    expect(await readFile(join(migrations, capture, 'migration.sql'), 'utf8')).toMatch(
      /^-- Generated by pothos-eventlog from the capture declaration/,
    );
    expect(await readFile(join(migrations, 'migration_lock.toml'), 'utf8')).toMatch(
      /^provider = "postgresql"$/m,
    );
    // What `prisma migrate dev` would compare: the history now builds the whole schema.
    expect(await diffMigrationsToSchema(join(app, 'prisma/schema'), migrations)).toBe('');

    const pglite = new PGlite();
    try {
      expect(await applyMigrations(new PrismaPGlite(pglite), migrations)).toEqual(names);
      // One statement per transaction, as an application's writes: no entries merged.
      await pglite.exec(`INSERT INTO "Order" (id, title) VALUES ('o1', 'Draft')`);
      await pglite.exec(
        `INSERT INTO "OrderLine" (id, "orderId", sku, quantity) VALUES ('l1', 'o1', 'BOLT', 2)`,
      );
      await pglite.exec(`UPDATE "Order" SET title = 'Final' WHERE id = 'o1'`);
      await pglite.exec(`UPDATE "OrderLine" SET quantity = 3 WHERE id = 'l1'`);
      const { rows } = await pglite.query(
        `SELECT tool, action, "objectType", "objectId", changes FROM event_log ORDER BY id OFFSET 2`,
      );
      expect(rows).toEqual([
        {
          tool: 'database',
          action: 'update',
          objectType: 'Order',
          objectId: 'o1',
          changes: { old_value: { title: 'Draft' }, new_value: { title: 'Final' } },
        },
        {
          tool: 'database',
          action: 'update',
          objectType: 'Order',
          objectId: 'o1',
          changes: {
            old_value: { lines: { l1: { quantity: 2 } } },
            new_value: { lines: { l1: { quantity: 3 } } },
          },
        },
      ]);
    } finally {
      await pglite.close();
    }
  });

  it('a second migrate writes nothing', async () => {
    const before = await migrationNames(join(app, 'prisma/migrations'));
    const run = await cli(app, ['migrate', '--capture', 'capture.ts']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(
      /The table event_log exists: \d{14}_eventlog_table creates it, partitioned by month\./,
    );
    expect(run.stdout).toMatch(
      /The capture triggers are current: \d{14}_eventlog_capture installs them\./,
    );
    expect(run.stdout).toContain('Nothing to write: prisma/migrations is current.');
    expect(await migrationNames(join(app, 'prisma/migrations'))).toEqual(before);

    // A checkout with CRLF line ends (git autocrlf) holds the same capture migration.
    const file = join(app, 'prisma/migrations', before.at(-1) as string, 'migration.sql');
    const sql = await readFile(file, 'utf8');
    await writeFile(file, sql.replace(/\n/g, '\r\n'));
    try {
      expect(await cli(app, ['check', '--capture', 'capture.ts'])).toMatchObject({ code: 0 });
    } finally {
      await writeFile(file, sql);
    }
  });

  it('check passes, fails with the fix when the declaration changes, passes after the fix', async () => {
    const current = await cli(app, ['check', '--capture', 'capture.ts']);
    expect(current).toMatchObject({ code: 0, stderr: '' });
    expect(current.stdout).toMatch(/The migrations in prisma\/migrations are current/);

    await writeFile(join(app, 'capture.ts'), declaration(", exclude: ['notes']"));
    const stale = await cli(app, ['check', '--capture', 'capture.ts']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(
      /^The capture triggers of \d{14}_eventlog_capture differ from what the declaration of capture.ts generates\.\nFix: npx pothos-eventlog migrate --capture capture.ts\n$/,
    );

    const before = await migrationNames(join(app, 'prisma/migrations'));
    const fixed = await cli(app, ['migrate', '--capture', 'capture.ts', '--name', 'audit_notes']);
    expect(fixed).toMatchObject({ code: 0, stderr: '' });
    const after = await migrationNames(join(app, 'prisma/migrations'));
    expect(after.slice(0, -1)).toEqual(before);
    expect(after.at(-1)).toMatch(/^\d{14}_audit_notes$/);
    expect(fixed.stdout).toContain('differs from the declaration');
    expect(await cli(app, ['check', '--capture', 'capture.ts'])).toMatchObject({ code: 0 });
  });

  it('migrate adds only the triggers where a migration creates event_log, nothing where no migration creates the audited table', async () => {
    // An empty folder: the triggers' tables are created by no migration, so nothing is written.
    const empty = await cli(app, ['migrate', '--capture', 'capture.ts', '--migrations', 'empty']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('No migration in empty creates the table "Order" of Order');
    expect(existsSync(join(app, 'empty'))).toBe(false);
    // The history the user's own `prisma migrate dev` would have written, with event_log in it.
    const dir = join(app, 'own-migrations');
    const whole = await diffEmptyToSchema([
      { path: 'schema.prisma', content: datasource },
      { path: 'models.prisma', content: models },
      {
        path: 'eventlog.prisma',
        content: await readFile(join(root, 'prisma/schema/eventlog.prisma'), 'utf8'),
      },
    ]);
    await mkdir(join(dir, '20260101000000_init'), { recursive: true });
    await writeFile(join(dir, '20260101000000_init/migration.sql'), `${whole}\n`);
    const own = await cli(app, [
      'migrate',
      '--capture',
      'capture.ts',
      '--migrations',
      'own-migrations',
    ]);
    expect(own).toMatchObject({ code: 0, stderr: '' });
    // Prisma Migrate cannot partition a table: the upgrade partitions it in place.
    expect(own.stdout).toContain(
      'The table event_log exists: 20260101000000_init creates it as one table.',
    );
    const names = await migrationNames(dir);
    expect(names).toHaveLength(3);
    expect(names[1]).toMatch(/_eventlog_partitioned$/);
    expect(names[2]).toMatch(/_eventlog_capture$/);
  });

  it('works without tsx, pg or Pothos when the declaration is JavaScript', async () => {
    const run = await cli(bare, [
      'migrate',
      '--capture',
      'capture.mjs',
      '--schema',
      'schema.prisma',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('Loaded the capture declaration default of capture.mjs (Order).');
    expect(await migrationNames(join(bare, 'prisma/migrations'))).toHaveLength(3);
  });

  it('names what to install for a TypeScript declaration without tsx, for --database without pg, and for deploy without its optional peers', async () => {
    const ts = await cli(bare, ['check', '--capture', 'capture.ts', '--schema', 'schema.prisma']);
    expect(ts.code).toBe(1);
    expect(ts.stderr).toContain(
      'pothos-eventlog: The capture module capture.ts is TypeScript, and tsx is not installed in',
    );
    expect(ts.stderr).toContain('npm install --save-dev tsx');
    const pg = await cli(bare, [
      'check',
      '--capture',
      'capture.mjs',
      '--database',
      'postgresql://localhost/none',
    ]);
    expect(pg.code).toBe(1);
    expect(pg.stderr).toBe(
      'pothos-eventlog: check --database connects with node-postgres, which is not installed: npm install pg\n',
    );
    const deploy = await cli(bare, [
      'deploy',
      '--database',
      'postgresql://localhost/none',
      '--schema',
      'schema.prisma',
    ]);
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toMatch(
      /: npm install --save-dev @prisma\/schema-engine-wasm@7\.10\.0-\d+\.[0-9a-f]{40} @prisma\/adapter-pg@7\.10\.0 \(or apply them with npx prisma migrate deploy where Prisma can download its native engine\)\.\n$/,
    );
  });

  it('refuses bad input with an error naming it', async () => {
    await writeFile(join(app, 'nothing.mjs'), 'export const answer = 42;\nexport default "x";\n');
    await writeFile(
      join(app, 'invoice.mjs'),
      "export default { models: { Invoice: { tool: 'invoices' } } };\n",
    );
    await mkdir(join(app, 'extra-schema'));
    await writeFile(
      join(app, 'extra-schema/schema.prisma'),
      `${datasource}\n${models}\nmodel Invoice {\n  id Int @id\n}\n`,
    );
    await copyFile(
      join(app, 'prisma/schema/eventlog.prisma'),
      join(app, 'extra-schema/eventlog.prisma'),
    );
    const cases: [string[], number, RegExp][] = [
      [
        ['migrate'],
        2,
        /^pothos-eventlog: migrate needs --capture <module>.*\n\nUsage: pothos-eventlog/,
      ],
      [
        ['frobnicate', '--capture', 'capture.ts'],
        2,
        /^pothos-eventlog: Unknown command "frobnicate"\.\n\nUsage:/,
      ],
      [
        ['migrate', '--capture', 'capture.ts', '--frobnicate'],
        2,
        /^pothos-eventlog: Unknown option '--frobnicate'\.\n\nUsage:/,
      ],
      [
        ['migrate', '--capture', 'capture.ts', '--database', 'x'],
        2,
        /The flag --database does not apply to migrate/,
      ],
      [['check', '--capture'], 2, /Option '--capture <value>' argument missing/],
      [
        ['migrate', '--capture', 'capture.ts', '--name', '../outside'],
        2,
        /^pothos-eventlog: --name \.\.\/outside: a migration name is letters, digits, _ and - only\./,
      ],
      [['migrate', '--capture', 'missing.ts'], 1, /The capture module missing.ts does not exist/],
      [
        ['migrate', '--capture', 'nothing.mjs'],
        1,
        /The capture module nothing.mjs exports no capture declaration \(exports found: answer, default\)/,
      ],
      [
        ['migrate', '--capture', 'capture.ts', '--schema', 'prisma/nope.prisma'],
        1,
        /The Prisma schema prisma\/nope.prisma does not exist .*pass --schema <file or folder>/,
      ],
      [
        ['migrate', '--capture', 'invoice.mjs'],
        1,
        /^pothos-eventlog: The capture declaration of invoice.mjs does not fit the Prisma schema prisma\/schema: capture.models.Invoice names the model "Invoice", which the Prisma schema does not have\. Models: EventLog, Order, OrderLine\.\n$/,
      ],
      [
        ['migrate', '--capture', 'invoice.mjs', '--schema', 'extra-schema'],
        1,
        /^pothos-eventlog: No migration in prisma\/migrations creates the table "Invoice" of Invoice, which the capture triggers are created on: write the model's own migration first \(npx prisma migrate dev\), then run migrate again\.\n$/,
      ],
      [
        ['check', '--capture', 'invoice.mjs', '--schema', 'extra-schema'],
        1,
        /No migration in prisma\/migrations creates the table "Invoice" of Invoice, which the capture triggers are created on: write the model's own migration first \(npx prisma migrate dev\)\.\nFix: npx prisma migrate dev, then npx pothos-eventlog migrate --capture invoice.mjs --schema extra-schema\n$/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const run = await cli(app, args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({
        args,
        code,
        stdout: expect.any(String),
      });
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    expect(await migrationNames(join(app, 'prisma/migrations'))).toHaveLength(4);
  });

  it('leaves a customized EventLog table to the user, and takes a lone named export', async () => {
    await mkdir(join(app, 'custom-schema'));
    await writeFile(join(app, 'custom-schema/schema.prisma'), `${datasource}\n${models}`);
    const shipped = await readFile(join(root, 'prisma/schema/eventlog.prisma'), 'utf8');
    const custom = shipped.replace(
      '  context    Json?\n',
      '  context    Json?\n  tenantId   String?\n',
    );
    expect(custom).not.toBe(shipped);
    await writeFile(join(app, 'custom-schema/eventlog.prisma'), custom);
    await writeFile(
      join(app, 'audit.mjs'),
      "export const version = 2;\nexport const auditing = { models: { Order: { tool: 'orders' } } };\n",
    );
    const flags = ['--capture', 'audit.mjs', '--schema', 'custom-schema'];
    const why =
      'The EventLog model of custom-schema is not the one pothos-eventlog ships (field tenantId is not in the shipped model), so its table SQL would not create it: create event_log with a migration of your own (npx prisma migrate dev --create-only), then run migrate again to add the capture triggers.';
    const refused = await cli(app, ['migrate', ...flags, '--migrations', 'custom-migrations']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`pothos-eventlog: ${why}\n`);
    expect(refused.stdout).toContain(
      'Loaded the capture declaration auditing of audit.mjs (Order).',
    );
    expect(existsSync(join(app, 'custom-migrations'))).toBe(false);
    const check = await cli(app, ['check', ...flags, '--migrations', 'custom-migrations']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`Fix: ${why}\n`);

    // Once the user's own migration creates the table, migrate adds the triggers.
    await mkdir(join(app, 'custom-own/20260101000000_init'), { recursive: true });
    await writeFile(
      join(app, 'custom-own/20260101000000_init/migration.sql'),
      await diffEmptyToSchema([
        { path: 'schema.prisma', content: `${datasource}\n${models}` },
        { path: 'eventlog.prisma', content: custom },
      ]),
    );
    const own = await cli(app, ['migrate', ...flags, '--migrations', 'custom-own']);
    expect(own).toMatchObject({ code: 0, stderr: '' });
    expect(await migrationNames(join(app, 'custom-own'))).toEqual([
      '20260101000000_init',
      expect.stringMatching(/^\d{14}_eventlog_capture$/),
    ]);
  });

  it('takes the schema and migrations paths of prisma.config.ts, which flags override, and names a config it cannot read', async () => {
    // A project of its own, with app's packages (prisma too).
    const project = join(work, 'configured');
    await mkdir(join(project, 'db/schema'), { recursive: true });
    await symlink(join(app, 'node_modules'), join(project, 'node_modules'), 'dir');
    await writeFile(join(project, 'package.json'), '{ "name": "configured", "type": "module" }\n');
    for (const file of ['schema.prisma', 'models.prisma', 'eventlog.prisma']) {
      await copyFile(join(app, 'prisma/schema', file), join(project, 'db/schema', file));
    }
    cpSync(
      join(app, 'prisma/migrations/20260101000000_init'),
      join(project, 'db/migrations/20260101000000_init'),
      { recursive: true },
    );
    await writeFile(join(project, 'capture.ts'), declaration());
    const config = `import { defineConfig } from 'prisma/config';

export default defineConfig({ schema: 'db/schema', migrations: { path: 'db/migrations' } });
`;
    await writeFile(join(project, 'prisma.config.ts'), config);

    const run = await cli(project, ['migrate', '--capture', 'capture.ts']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.split('\n')[0]).toBe(
      'Read the Prisma config prisma.config.ts (schema db/schema, migrations db/migrations).',
    );
    expect(run.stdout).toContain('Read the Prisma schema db/schema (3 files, 3 models).');
    const names = await migrationNames(join(project, 'db/migrations'));
    expect(names).toHaveLength(3);
    expect(names[1]).toMatch(/_eventlog_table$/);
    expect(existsSync(join(project, 'prisma'))).toBe(false);

    // A flag wins over the config; with both flags the config is not read at all.
    const flagged = await cli(project, [
      'check',
      '--capture',
      'capture.ts',
      '--migrations',
      'elsewhere',
    ]);
    expect(flagged.code).toBe(1);
    expect(flagged.stdout.split('\n')[0]).toBe(
      'Read the Prisma config prisma.config.ts (schema db/schema).',
    );
    expect(flagged.stderr).toContain('No migration in elsewhere creates the table event_log.');
    await writeFile(join(project, 'prisma.config.ts'), 'export default {\n');
    const both = await cli(project, [
      'check',
      '--capture',
      'capture.ts',
      '--schema',
      'db/schema',
      '--migrations',
      'db/migrations',
    ]);
    expect(both).toMatchObject({ code: 0, stderr: '' });
    const broken = await cli(project, ['check', '--capture', 'capture.ts']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('The Prisma config prisma.config.ts could not be read:');
    expect(broken.stderr).toContain('or pass --schema and --migrations.');
  });

  it('refuses a migrations folder locked to another provider, and an invalid schema', async () => {
    await mkdir(join(app, 'sqlite-migrations'));
    await writeFile(join(app, 'sqlite-migrations/migration_lock.toml'), 'provider = "sqlite"\n');
    const locked = await cli(app, [
      'migrate',
      '--capture',
      'capture.ts',
      '--migrations',
      'sqlite-migrations',
    ]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(
      /sqlite-migrations\/migration_lock.toml says provider = "sqlite"/,
    );
    expect(await readFile(join(app, 'sqlite-migrations/migration_lock.toml'), 'utf8')).toBe(
      'provider = "sqlite"\n',
    );
    expect(await readdir(join(app, 'sqlite-migrations'))).toEqual(['migration_lock.toml']);

    await writeFile(
      join(app, 'broken.prisma'),
      `${datasource}\nmodel Order {\n  id Strin @id\n}\n`,
    );
    const broken = await cli(app, [
      'check',
      '--capture',
      'capture.ts',
      '--schema',
      'broken.prisma',
    ]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /The Prisma schema broken.prisma is invalid:\n.*Type "Strin" is neither a built-in type/,
    );
  });
});
