// pothos-eventlog as an application gets it: packed by npm, installed with its peers into an
// app outside the repository (test/fixtures/consumer-app: its own Prisma schema, Pothos
// builder and Yoga server), its client generated there, its migrations written by the shipped
// CLI and applied to a private PostgreSQL database, the app run as its own process and spoken
// to over HTTP. What it logs is read back through GraphQL and compared exactly.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, diffEmptyToSchema } from '../../scripts/schema-engine.js';
import { createScratchDatabase, type ScratchDatabase } from '../../scripts/scratch-database.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'test', 'fixtures', 'consumer-app');

const rootManifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  files: string[];
  devDependencies: Record<string, string>;
  overrides: Record<string, string>;
};

/** What the app installs next to the tarball, at this repository's versions. */
const appPackages = [
  '@pothos/core',
  '@pothos/plugin-prisma',
  '@pothos/plugin-relay',
  '@prisma/client',
  '@prisma/sqlcommenter-query-tags',
  '@prisma/adapter-pg',
  'pg',
  'graphql',
  'graphql-yoga',
  'prisma',
  'tsx',
  'typescript',
  '@types/node',
];

/** The migrations folder of the app, and the CLI flags that name its project. */
const project = [
  '--capture',
  'src/capture.ts',
  '--schema',
  'prisma/schema',
  '--migrations',
  'prisma/migrations',
];

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command in the app; never throws, so a failure shows its output. */
async function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 } satisfies Run;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: failed.code ?? 1 };
  }
}

function succeeded(result: Run, what: string): Run {
  if (result.code !== 0) {
    throw new Error(`${what} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** `name@version` of each package npm warned about with EBADENGINE. */
function engineWarnings(stderr: string): string[] {
  return [...stderr.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map(
    (match) => match[1] as string,
  );
}

/** Starts the app's server; resolves with its port once it listens. */
function startServer(cwd: string, databaseUrl: string) {
  const child = spawn(join(cwd, 'node_modules', '.bin', 'tsx'), ['src/server.ts'], {
    cwd,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port after 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}):\n${output}`));
    });
  });
  return { child, port, output: () => output };
}

function stopServer(child: ChildProcess | undefined) {
  if (child?.pid === undefined || child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // tsx runs the app in a child of its own: signal the whole group.
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 5_000);
  return exited.finally(() => clearTimeout(timer));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Entry {
  action: string;
  tool: string;
  actorId: string | null;
  actor: string | null;
  objectType: string;
  objectId: string;
  message: string;
  messageAtEvent: string;
  template: string;
  changes: { old_value: Json; new_value: Json };
}

const ENTRY =
  'action tool actorId actor objectType objectId message messageAtEvent template changes';

describe('an application that installs the packed package', () => {
  let dir: string;
  let app: string;
  let install: Run;
  let database: ScratchDatabase | undefined;
  let server: ReturnType<typeof startServer> | undefined;
  let port: number;
  const started = Date.now();

  async function graphql(query: string, variables: Record<string, unknown> = {}, userId = '1') {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': userId },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Record<string, Json>; errors?: unknown[] };
    return { status: response.status, ...body };
  }

  async function data(query: string, variables?: Record<string, unknown>) {
    const result = await graphql(query, variables);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(result.status).toBe(200);
    return result.data as Record<string, unknown>;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pel-consumer-'));
    // Built by its own build script in a copy of the build's inputs, then packed: the package
    // test builds dist/ in the repository meanwhile, and its clean step would pull files from
    // under this pack.
    const stage = join(dir, 'package');
    const inputs = ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json'];
    for (const file of [...inputs, 'src', 'scripts', ...rootManifest.files]) {
      if (file === 'dist') continue;
      await mkdir(dirname(join(stage, file)), { recursive: true });
      await cp(join(root, file), join(stage, file), { recursive: true });
    }
    await symlink(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
    succeeded(await run(stage, 'npm', ['run', 'build']), 'npm run build');
    const packed = succeeded(
      await run(stage, 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir]),
      'npm pack',
    );
    const tarball = join(dir, JSON.parse(packed.stdout)[0].filename);

    app = join(dir, 'app');
    await cp(fixture, app, { recursive: true });
    // The README's Node 20 recipe: graphql-yoga's newest graphql-tools want Node 22.
    await writeFile(
      join(app, 'package.json'),
      `${JSON.stringify({ name: 'consumer-app', private: true, type: 'module', overrides: rootManifest.overrides }, null, 2)}\n`,
    );
    // --ignore-scripts: prisma's own install scripts would try to download its engines.
    install = succeeded(
      await run(app, 'npm', [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=warn',
        tarball,
        ...appPackages.map((name) => `${name}@${rootManifest.devDependencies[name]}`),
      ]),
      'npm install',
    );

    await cp(
      join(app, 'node_modules', 'pothos-eventlog', 'prisma', 'schema', 'eventlog.prisma'),
      join(app, 'prisma', 'schema', 'eventlog.prisma'),
    );
    // generate never runs the schema engine, but the CLI insists that the binary it cannot
    // download here exists (see prisma.config.ts of this repository).
    succeeded(
      await run(app, 'npx', ['prisma', 'generate'], {
        PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      }),
      'prisma generate',
    );

    // The app's own tables, as `prisma migrate dev` would have written them before the event
    // log was added (the native engine cannot be downloaded here: the wasm build instead).
    const own = await Promise.all(
      ['schema.prisma', 'shop.prisma'].map(async (name) => ({
        path: `prisma/schema/${name}`,
        content: await readFile(join(app, 'prisma', 'schema', name), 'utf8'),
      })),
    );
    const migrations = join(app, 'prisma', 'migrations');
    await mkdir(join(migrations, '20260101000000_init'), { recursive: true });
    await writeFile(
      join(migrations, '20260101000000_init', 'migration.sql'),
      `${await diffEmptyToSchema(own)}\n`,
    );
    await writeFile(join(migrations, 'migration_lock.toml'), 'provider = "postgresql"\n');
  }, 240_000);

  afterAll(async () => {
    await stopServer(server?.child);
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`consumer test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it('installs with its peers on Node 20 without an engine warning, but the prisma CLI’s', () => {
    expect(install.stdout + install.stderr).toMatch(/added \d+ packages/);
    const warned = engineWarnings(install.stderr);
    // @prisma/streams-local wants Node 22; the prisma CLI loads it for `prisma dev` alone.
    const prismaCli = (name: string) => name.startsWith('@prisma/streams-local@');
    expect(
      warned.filter((name) => !prismaCli(name)),
      install.stderr,
    ).toEqual([]);
    // The control: below Node 22 that one warning is printed, so warnings were not hidden.
    if (Number(process.versions.node.split('.')[0]) < 22) {
      expect(warned.filter(prismaCli), install.stderr).toHaveLength(1);
    }
  });

  it('typechecks against the types the package ships', async () => {
    const result = await run(app, 'npx', ['tsc', '-p', 'tsconfig.json']);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);

  it('gets its event log migrations from the CLI, and check agrees before and after', async () => {
    const before = await run(app, 'npx', ['pothos-eventlog', 'check', ...project]);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain(
      'No migration in prisma/migrations creates the table event_log.',
    );

    const migrate = succeeded(
      await run(app, 'npx', ['pothos-eventlog', 'migrate', ...project]),
      'pothos-eventlog migrate',
    );
    expect(migrate.stdout).toMatch(/_eventlog_table\/migration\.sql: creates the table event_log/);
    expect(migrate.stdout).toMatch(/_eventlog_capture\/migration\.sql: installs the capture/);
    const after = await run(app, 'npx', ['pothos-eventlog', 'check', ...project]);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    const again = succeeded(
      await run(app, 'npx', ['pothos-eventlog', 'migrate', ...project]),
      'a second pothos-eventlog migrate',
    );
    expect(again.stdout).not.toContain('Wrote');

    if (!process.env.DATABASE_URL) throw new Error('the postgres suite needs DATABASE_URL');
    database = await createScratchDatabase(process.env.DATABASE_URL, 'pel_test');
    const applied = await applyMigrations(
      new PrismaPg({ connectionString: database.url }),
      join(app, 'prisma', 'migrations'),
    );
    expect(applied).toEqual([
      '20260101000000_init',
      expect.stringMatching(/^\d{14}_eventlog_table$/),
      expect.stringMatching(/^\d{14}_eventlog_capture$/),
    ]);
    const installed = await run(app, 'npx', [
      'pothos-eventlog',
      'check',
      '--capture',
      'src/capture.ts',
      '--database',
      database.url,
    ]);
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
  }, 60_000);

  it('logs a create, an update and a delete made over HTTP, with exact diffs and messages', async () => {
    if (!database) throw new Error('the migrations were not applied');
    server = startServer(app, database.url);
    port = await server.port;

    const created = (
      await data(
        `mutation($input: ProductInput!, $parts: [PartInput!]!) {
          createProduct(input: $input, parts: $parts) { id name price attributes status availableAt parts { id label quantity } }
        }`,
        {
          input: {
            name: 'Bolt',
            price: '12.50',
            attributes: JSON.stringify({ color: 'red', size: { length: 40, thread: 'M8' } }),
            status: 'ACTIVE',
            availableAt: '2026-01-02T03:04:05.678Z',
          },
          parts: [
            { label: 'head', quantity: 1 },
            { label: 'washer', quantity: 2 },
          ],
        },
      )
    ).createProduct as {
      id: string;
      parts: { id: string; label: string; quantity: number }[];
    };
    expect(created).toMatchObject({
      name: 'Bolt',
      price: '12.5',
      status: 'ACTIVE',
      availableAt: '2026-01-02T03:04:05.678Z',
    });
    expect(created.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const [head, washer] = created.parts;
    if (!head || !washer) throw new Error('the parts were not created');

    await data(
      `mutation($id: ID!, $input: ProductInput!, $part: PartChange) {
        updateProduct(id: $id, input: $input, part: $part) { id }
      }`,
      {
        id: created.id,
        input: {
          name: 'Bolt M8',
          price: '13.00',
          attributes: JSON.stringify({ color: 'blue', size: { length: 40, thread: 'M8' } }),
          status: 'RETIRED',
          availableAt: '2026-02-03T04:05:06.789Z',
        },
        part: { id: washer.id, quantity: 4 },
      },
    );

    const history = (
      await data(
        `query($id: ID!) { product(id: $id) { status eventLog { totalCount edges { node { ${ENTRY} } } } } }`,
        { id: created.id },
      )
    ).product as { status: string; eventLog: { totalCount: number; edges: { node: Entry }[] } };
    expect(history.status).toBe('RETIRED');
    const actor = { tool: 'catalog', actorId: '1', actor: 'Ann Lee', objectType: 'Product' };
    const row = {
      name: 'Bolt',
      price: '12.5',
      attributes: { color: 'red', size: { length: 40, thread: 'M8' } },
      status: 'ACTIVE',
      availableAt: '2026-01-02T03:04:05.678Z',
    };
    const createEntry = {
      ...actor,
      action: 'create',
      objectId: created.id,
      template: 'Product {product__name} was created by {actor__name}.',
      // The live message reads the current name; the stored one kept the name of the time.
      message: 'Product Bolt M8 was created by Ann Lee.',
      messageAtEvent: 'Product Bolt was created by Ann Lee.',
      changes: {
        // A create has no old side, for the row and for the parts created with it.
        old_value: {},
        new_value: {
          ...row,
          parts: {
            [head.id]: { label: 'head', quantity: 1 },
            [washer.id]: { label: 'washer', quantity: 2 },
          },
        },
      },
    };
    const updateEntry = {
      ...actor,
      action: 'update',
      objectId: created.id,
      template: 'Product {product__name} was updated by {actor__name} ({reason}).',
      message: 'Product Bolt M8 was updated by Ann Lee (with a part).',
      messageAtEvent: 'Product Bolt M8 was updated by Ann Lee (with a part).',
      changes: {
        old_value: {
          name: 'Bolt',
          price: '12.5',
          attributes: { color: 'red' },
          status: 'ACTIVE',
          availableAt: '2026-01-02T03:04:05.678Z',
          parts: { [washer.id]: { quantity: 2 } },
        },
        new_value: {
          name: 'Bolt M8',
          price: '13',
          attributes: { color: 'blue' },
          status: 'RETIRED',
          availableAt: '2026-02-03T04:05:06.789Z',
          parts: { [washer.id]: { quantity: 4 } },
        },
      },
    };
    expect(history.eventLog.totalCount).toBe(2);
    expect(history.eventLog.edges.map((edge) => edge.node)).toEqual([updateEntry, createEntry]);

    const deleted = await data('mutation($id: ID!) { deleteProduct(id: $id) { name } }', {
      id: created.id,
    });
    expect(deleted).toEqual({ deleteProduct: { name: 'Bolt M8' } });

    const all = (
      await data(
        `query($id: String!) { eventLogs(objectType: "Product", objectId: $id) { edges { node { ${ENTRY} } } } }`,
        { id: created.id },
      )
    ).eventLogs as { edges: { node: Entry }[] };
    const deleteEntry = {
      ...actor,
      action: 'delete',
      objectId: created.id,
      template: 'Product {object__id} was deleted.',
      message: `Product ${created.id} was deleted.`,
      messageAtEvent: `Product ${created.id} was deleted.`,
      changes: {
        old_value: {
          name: 'Bolt M8',
          price: '13',
          attributes: { color: 'blue', size: { length: 40, thread: 'M8' } },
          status: 'RETIRED',
          availableAt: '2026-02-03T04:05:06.789Z',
          parts: {
            [head.id]: { label: 'head', quantity: 1 },
            [washer.id]: { label: 'washer', quantity: 4 },
          },
        },
        new_value: {},
      },
    };
    // The row is gone: the messages fall back to what was stored.
    expect(all.edges.map((edge) => edge.node)).toEqual([
      deleteEntry,
      { ...updateEntry, message: updateEntry.messageAtEvent },
      { ...createEntry, message: createEntry.messageAtEvent },
    ]);
  }, 60_000);

  it('refuses the trail to an anonymous reader', async () => {
    if (!server) throw new Error('the server did not start');
    const result = await graphql('{ eventLogs { totalCount } }', {}, '');
    expect(result.data).toEqual({ eventLogs: null });
    expect(result.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
  });
});
