// The package as a user gets it: built, packed by npm, unpacked into node_modules and
// imported by a plain Node process (not vitest), the way an application would.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Run, runProcess } from '../support/run-process.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
/** What the package imports, and what the checks below import next to it. */
const installed = ['graphql', '@pothos', 'dataloader', 'graphql-scalars', '@prisma'];

/** Runs an ES module with `node` in `cwd`; kills it after `timeout` ms. */
async function runNode(cwd: string, name: string, source: string, timeout = 20_000) {
  const file = join(cwd, name);
  await writeFile(file, source);
  return runProcess(process.execPath, [file], { cwd, timeoutMs: timeout });
}

/** The JSON object a check printed as its last stdout line; fails with its stderr otherwise. */
function output(run: Run): Record<string, unknown> {
  expect(run.stderr).toBe('');
  expect(run.signal).toBeNull();
  expect(run.code).toBe(0);
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last);
}

/** Scripts npm (and yarn, pnpm) run when a package is installed. */
const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'];

/** `name@version` of each package npm warned about with EBADENGINE. */
function engineWarnings(stderr: string): string[] {
  return [...stderr.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map(
    (match) => match[1] as string,
  );
}

/** `name@version (script)` of each installed package that has an install-time script. */
async function packagesWithInstallScripts(nodeModules: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        await visit(path);
        continue;
      }
      const manifest = JSON.parse(await readFile(join(path, 'package.json'), 'utf8'));
      const scripts = installScripts.filter((name) => manifest.scripts?.[name]);
      if (scripts.length)
        found.push(`${manifest.name}@${manifest.version} (${scripts.join(', ')})`);
      await visit(join(path, 'node_modules'));
    }
  };
  await visit(nodeModules);
  return found.sort();
}

function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(exportTargets);
}

describe('the packed package', () => {
  /** Has pothos-eventlog and its dependencies in node_modules. */
  let app: string;
  /**
   * Has pothos-eventlog and its one peer the service needs (@prisma/sqlcommenter-query-tags,
   * which carries the capture context): no graphql, no Pothos anywhere up the tree.
   */
  let bare: string;
  let packed: string[];
  let tarball: string;
  let manifest: {
    exports: Record<string, unknown>;
    main: string;
    types: string;
    sideEffects: string[];
    scripts?: Record<string, string>;
    bin: Record<string, string>;
  };

  beforeAll(async () => {
    await execFileAsync('npm', ['run', 'build'], { cwd: root });
    app = await mkdtemp(join(tmpdir(), 'pel-package-'));
    bare = await mkdtemp(join(tmpdir(), 'pel-package-bare-'));
    const { stdout } = await execFileAsync(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', app],
      { cwd: root },
    );
    const [pack] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    if (!pack) throw new Error(`npm pack printed no package: ${stdout}`);
    packed = pack.files.map((file) => file.path);
    tarball = join(app, pack.filename);
    for (const dir of [app, bare]) {
      const target = join(dir, 'node_modules', 'pothos-eventlog');
      await mkdir(target, { recursive: true });
      await execFileAsync('tar', [
        '-xzf',
        join(app, pack.filename),
        '-C',
        target,
        '--strip-components=1',
      ]);
    }
    for (const name of installed) {
      await symlink(join(root, 'node_modules', name), join(app, 'node_modules', name), 'dir');
    }
    const queryTags = '@prisma/sqlcommenter-query-tags';
    await mkdir(join(bare, 'node_modules', '@prisma'), { recursive: true });
    await symlink(
      join(root, 'node_modules', queryTags),
      join(bare, 'node_modules', queryTags),
      'dir',
    );
    manifest = JSON.parse(
      await readFile(join(app, 'node_modules', 'pothos-eventlog', 'package.json'), 'utf8'),
    );
  }, 180_000);

  afterAll(async () => {
    for (const dir of [app, bare]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds the build and the model fragment, and nothing else of the repository', () => {
    expect(packed).toContain('dist/index.js');
    expect(packed).toContain('dist/service/index.js');
    expect(packed).toContain('prisma/schema/eventlog.prisma');
    expect(packed.filter((path) => /^(src|test|example|scripts|bench)\//.test(path))).toEqual([]);
    expect(
      packed.filter((path) => !/^(dist\/|package\.json$|README\.md$|LICENSE)/.test(path)),
    ).toEqual(['prisma/schema/eventlog.prisma']);
  });

  it('holds every file package.json points to', () => {
    expect(Object.keys(manifest.exports)).toEqual(['.', './service', './viewer']);
    expect(Object.keys(manifest.bin)).toEqual(['pothos-eventlog']);
    const targets = [
      ...exportTargets(manifest.exports),
      manifest.main,
      manifest.types,
      ...manifest.sideEffects,
      ...Object.values(manifest.bin),
    ];
    expect(targets).toContain('./dist/service/index.d.ts');
    for (const target of targets) {
      const path = target.replace(/^\.\//, '');
      expect(packed, target).toContain(path);
      expect(existsSync(join(app, 'node_modules', 'pothos-eventlog', path)), target).toBe(true);
    }
    for (const bin of Object.values(manifest.bin)) {
      const source = readFileSync(join(app, 'node_modules', 'pothos-eventlog', bin), 'utf8');
      expect(source.split('\n')[0], bin).toBe('#!/usr/bin/env node');
    }
  });

  it('gives the documented answers through a plain Node import', async () => {
    const result = output(
      await runNode(
        app,
        'root.mjs',
        `import { createDiffSchema, renderTemplate, EventLogService, EventLogAction, objectRef } from 'pothos-eventlog';
const diff = createDiffSchema(
  { items: [{ id: 1, n: 'x' }, { id: 2, n: 'y' }] },
  { items: [{ id: 1, n: 'x' }, { id: 2, n: 'z' }] },
);
const message = renderTemplate('Item {item__name} was updated by {user}.', {
  item: { name: 'Bolt' },
  user: 'Ann',
});
const written = [];
const client = { eventLog: { create: async ({ data }) => { written.push(data); return data; } } };
const bolt = { id: 7, name: 'Bolt', password: 'hunter2' };
await new EventLogService({ client }).log({
  templateMessage: 'Item {item__name} changed.',
  values: { item: objectRef('Item', bolt) },
  object: objectRef('Item', bolt),
  actor: { id: 1, name: 'Ann' },
  tool: 'items',
  action: EventLogAction.UPDATE,
  changes: diff,
  context: { secret: 's' },
});
console.log(JSON.stringify({ diff, message, update: EventLogAction.UPDATE, written }));
`,
      ),
    );
    expect(result).toEqual({
      diff: {
        old_value: { items: { '2': { n: 'y' } } },
        new_value: { items: { '2': { n: 'z' } } },
      },
      message: 'Item Bolt was updated by Ann.',
      update: 'update',
      written: [
        {
          actorId: '1',
          actorName: 'Ann',
          tool: 'items',
          action: 'update',
          objectType: 'Item',
          objectId: '7',
          template: 'Item {item__name} changed.',
          message: 'Item Bolt changed.',
          values: { item__name: { model: 'Item', id: '7', path: ['name'], snapshot: 'Bolt' } },
          changes: {
            old_value: { items: { '2': { n: 'y' } } },
            new_value: { items: { '2': { n: 'z' } } },
          },
          context: { secret: '[redacted]' },
        },
      ],
    });
  });

  it('serves pothos-eventlog/service where neither graphql nor Pothos is installed', async () => {
    const result = output(
      await runNode(
        bare,
        'service.mjs',
        `const service = await import('pothos-eventlog/service');
const diff = service.createDiffSchema({ status: 'draft' }, { status: 'issued' });
const root = await import('pothos-eventlog').then(
  () => 'loaded',
  (error) => ({ code: error.code, message: error.message }),
);
console.log(JSON.stringify({ diff, service: typeof service.EventLogService, root }));
`,
      ),
    );
    expect(result.diff).toEqual({
      old_value: { status: 'draft' },
      new_value: { status: 'issued' },
    });
    expect(result.service).toBe('function');
    // The control: the root entry needs Pothos, which this directory cannot resolve.
    expect(result.root).toMatchObject({
      code: 'ERR_MODULE_NOT_FOUND',
      message: expect.stringMatching(/'(@pothos\/core|graphql)'/),
    });
  });

  it('serves the log viewer from the shipped bundle, without vite', async () => {
    const result = output(
      await runNode(
        app,
        'viewer.mjs',
        `const { createEventLogViewerHandler } = await import('pothos-eventlog/viewer');
const viewer = createEventLogViewerHandler();
const answer = async (path) => {
  const response = await viewer(new Request('http://app.test' + path));
  if (!response) return null;
  const body = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), bytes: body.length, body: body.slice(0, 2000) };
};
const vite = await import('vite').then(() => 'resolvable', () => 'missing');
console.log(JSON.stringify({
  page: await answer('/eventlog'),
  script: await answer('/eventlog/viewer.js'),
  style: await answer('/eventlog/viewer.css'),
  other: await answer('/graphql'),
  vite,
}));
`,
      ),
    );
    // The app directory has no vite: the handler reads dist/viewer/assets, as users get it.
    expect(result.vite).toBe('missing');
    const page = result.page as { status: number; type: string; body: string };
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toContain('/eventlog/viewer.js');
    for (const [asset, type] of [
      ['script', /javascript/],
      ['style', /^text\/css/],
    ] as const) {
      const served = result[asset] as { status: number; type: string; bytes: number };
      expect(served.status, asset).toBe(200);
      expect(served.type, asset).toMatch(type);
      expect(served.bytes, asset).toBeGreaterThan(1000);
    }
    expect(result.other).toBeNull();
  });

  it('starts nothing when imported: the process exits right after the import', async () => {
    const run = await runNode(
      app,
      'idle.mjs',
      `const start = performance.now();
await import('pothos-eventlog');
const imported = performance.now();
// Requests (*Req) are the loader's own file reads; handles would be timers, sockets, servers.
const handles = process.getActiveResourcesInfo().filter((name) => !name.endsWith('Req'));
process.on('exit', () => {
  console.log(JSON.stringify({ handles, importMs: imported - start, exitMs: performance.now() - imported }));
});
`,
      15_000,
    );
    const result = output(run) as { handles: string[]; importMs: number; exitMs: number };
    expect(result.handles).toEqual([]);
    expect(result.importMs).toBeLessThan(5_000);
    expect(result.exitMs).toBeLessThan(1_000);
  });

  it('is the eventLog plugin, refusing a schema without eventLog.authorize', async () => {
    const result = output(
      await runNode(
        app,
        'plugin.mjs',
        `import SchemaBuilder, { RootFieldBuilder } from '@pothos/core';
import EventLogPlugin from 'pothos-eventlog';

function build(plugins, eventLog) {
  const builder = new SchemaBuilder({ plugins, relay: {}, eventLog });
  builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
  try {
    return { fields: Object.keys(builder.toSchema().getQueryType().getFields()).sort() };
  } catch (error) {
    return { name: error.name, message: error.message };
  }
}

const withoutAuthorize = build([EventLogPlugin], { client: () => ({}), actor: () => null });
const { default: RelayPlugin } = await import('@pothos/plugin-relay');
const complete = build([RelayPlugin, EventLogPlugin], {
  client: () => ({}),
  actor: () => null,
  authorize: () => false,
});
console.log(JSON.stringify({
  name: EventLogPlugin,
  registered: Object.keys(SchemaBuilder.plugins).includes(EventLogPlugin),
  fieldHelper: typeof RootFieldBuilder.prototype.eventLog,
  withoutAuthorize,
  complete,
}));
`,
      ),
    );
    expect(result).toEqual({
      name: 'eventLog',
      registered: true,
      fieldHelper: 'function',
      withoutAuthorize: {
        name: 'PothosSchemaError',
        message: expect.stringContaining('`eventLog.authorize` is required'),
      },
      // The control: the same schema with a policy (and relay, which the plugin builds on).
      complete: { fields: ['eventLogs', 'node', 'nodes', 'ok'] },
    });
  });

  it('runs nothing when installed: no install-time script in its manifest', () => {
    expect(
      Object.keys(manifest.scripts ?? {}).filter((name) => installScripts.includes(name)),
    ).toEqual([]);
  });

  it('ships source maps whose sources are embedded or shipped', async () => {
    const unpacked = join(app, 'node_modules', 'pothos-eventlog');
    const maps = packed.filter((path) => path.endsWith('.map'));
    const scripts = packed.filter((path) => path.endsWith('.js'));
    expect(maps.length).toBeGreaterThan(0);
    const unresolved: string[] = [];
    for (const script of scripts) {
      const source = await readFile(join(unpacked, script), 'utf8');
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(source)?.[1];
      if (url && !packed.includes(posix.join(posix.dirname(script), url))) {
        unresolved.push(`${script} -> ${url}`);
      }
    }
    for (const map of maps) {
      const content = JSON.parse(await readFile(join(unpacked, map), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
        sourceRoot?: string;
      };
      expect(content.sources.length, map).toBeGreaterThan(0);
      content.sources.forEach((source, index) => {
        if (typeof content.sourcesContent?.[index] === 'string') return;
        const path = posix.join(posix.dirname(map), content.sourceRoot ?? '', source);
        if (!packed.includes(path)) unresolved.push(`${map} -> ${source}`);
      });
    }
    expect(unresolved).toEqual([]);
  });

  it('installs with its peers on this Node without an engine warning or an install script', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pel-package-install-'));
    try {
      // The control: a package that wants another Node and runs a postinstall script, which
      // the checks below must report, so a silent npm cannot pass them.
      const control = join(dir, 'engine-control');
      await mkdir(control);
      await writeFile(
        join(control, 'package.json'),
        JSON.stringify({
          name: 'engine-control',
          version: '1.0.0',
          engines: { node: '>=999' },
          scripts: { postinstall: 'node -e 0' },
        }),
      );
      const { stdout: controlPack } = await execFileAsync(
        'npm',
        ['pack', '--json', '--pack-destination', dir],
        { cwd: control },
      );
      const controlTarball = join(dir, JSON.parse(controlPack)[0].filename);
      const consumer = join(dir, 'app');
      await mkdir(consumer);
      await writeFile(join(consumer, 'package.json'), '{"name":"app","private":true}\n');
      // npm installs the peers itself; --ignore-scripts: a control script must not run.
      const { stderr } = await execFileAsync(
        'npm',
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--ignore-scripts',
          '--loglevel=warn',
          tarball,
          controlTarball,
        ],
        { cwd: consumer, env: { ...process.env, npm_config_engine_strict: 'false' } },
      );
      const nodeModules = join(consumer, 'node_modules');
      expect(existsSync(join(nodeModules, 'pothos-eventlog', 'dist', 'index.js'))).toBe(true);
      expect(existsSync(join(nodeModules, '@pothos', 'core', 'package.json'))).toBe(true);
      expect(engineWarnings(stderr), stderr).toEqual(['engine-control@1.0.0']);
      expect(await packagesWithInstallScripts(nodeModules)).toEqual([
        'engine-control@1.0.0 (postinstall)',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
