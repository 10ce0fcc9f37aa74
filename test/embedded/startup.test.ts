// `npm start` as a user runs it: a real process, real HTTP, real exit codes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCertificates } from '../../example/seed.js';
import { type ExampleProcess, freePort, startExample } from '../support/example-process.js';

describe('npm start (example/main.ts)', () => {
  let dir: string;
  const started: ExampleProcess[] = [];
  const start = (env: Record<string, string>) => {
    const example = startExample(env);
    started.push(example);
    return example;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pel-startup-'));
  });
  afterEach(() => {
    for (const example of started.splice(0)) example.kill();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates, seeds and serves GraphQL over HTTP on the embedded database', async () => {
    const port = await freePort();
    const example = start({ PGLITE_DIR: join(dir, 'pglite'), PORT: String(port) });
    const [, url, description] = await example.waitForOutput(
      /pothos-eventlog example on (http:\/\/localhost:\d+\/graphql) \((.*)\)\n/,
      60_000,
    );
    expect(url).toBe(`http://localhost:${port}/graphql`);
    expect(description).toContain(join(dir, 'pglite'));
    expect(example.stdout()).toContain('Applied migrations: ');

    const response = await fetch(url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ certificates { edges { node { id name } } } }' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      data: { certificates: { edges: { node: { name: string } }[] } };
    };
    // The demo data, then its history: John renamed the first certificate at start.
    expect(body.data.certificates.edges.map((edge) => edge.node.name)).toEqual([
      'Annual fire safety inspection 2026',
      ...demoCertificates.slice(1).map((certificate) => certificate.name),
    ]);
    expect(example.stdout()).toContain('Inserted the demo data and its history.');
    const history = await fetch(url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': '1' },
      body: JSON.stringify({
        query: '{ eventLogs(tool: "certificate") { edges { node { actor action objectId } } } }',
      }),
    });
    expect(((await history.json()) as { data: unknown }).data).toEqual({
      eventLogs: {
        edges: [
          { node: { actor: 'John Doe', action: 'archive', objectId: '3' } },
          { node: { actor: 'Jane Roe', action: 'update', objectId: '2' } },
          { node: { actor: 'John Doe', action: 'update', objectId: '1' } },
        ],
      },
    });

    example.signal('SIGTERM');
    await example.closed(20_000);
    expect(example.stdout()).toContain('SIGTERM: shutting down.');
    expect(example.stdout()).toContain('Stopped.');
    expect(example.stderr()).toBe('');
  }, 90_000);

  it('exits 1 with one line naming DATABASE_URL when the server is unreachable', async () => {
    const example = start({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/x' });
    const { code } = await example.closed(30_000);
    expect(code).toBe(1);
    const lines = example.stderr().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL/);
    expect(lines[0]).toContain('127.0.0.1:1');
    expect(lines[0]).not.toMatch(/^\s+at /);
  });

  it('exits 1 with one line naming REPLICA_URL when it is given without DATABASE_URL, or is unreachable', async () => {
    const alone = start({ PGLITE_DIR: join(dir, 'unused'), REPLICA_URL: 'postgresql://x@h/db' });
    expect((await alone.closed(30_000)).code).toBe(1);
    expect(alone.stderr()).toBe(
      'REPLICA_URL is a replica of the DATABASE_URL database: set DATABASE_URL (the primary) too.',
    );
    if (!process.env.DATABASE_URL) return;
    const unreachable = start({
      DATABASE_URL: process.env.DATABASE_URL,
      REPLICA_URL: 'postgresql://postgres@127.0.0.1:1/x',
    });
    expect((await unreachable.closed(30_000)).code).toBe(1);
    const lines = unreachable.stderr().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Cannot connect to REPLICA_URL \(postgresql:\/\/postgres@127\.0\.0\.1:1\/x\)/,
    );
  });

  it('exits 1 with one line naming PGLITE_DIR when it cannot be a directory', async () => {
    const file = join(dir, 'a-regular-file');
    await writeFile(file, 'not a directory\n');
    const example = start({ PGLITE_DIR: join(file, 'sub') });
    const { code } = await example.closed(30_000);
    expect(code).toBe(1);
    const lines = example.stderr().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PGLITE_DIR/);
    expect(lines[0]).toContain(join(file, 'sub'));
  });

  it('exits 1 with one line naming DEMO_HISTORY when it is neither 0 nor 1', async () => {
    const example = start({ PGLITE_DIR: join(dir, 'unused'), DEMO_HISTORY: 'yes' });
    const { code } = await example.closed(30_000);
    expect(code).toBe(1);
    expect(example.stderr()).toBe('DEMO_HISTORY must be 0 or 1, got "yes".');
  });

  it('exits 1 with one line naming PORT when it is not a port number', async () => {
    const example = start({ PGLITE_DIR: join(dir, 'unused'), PORT: 'http' });
    const { code } = await example.closed(30_000);
    expect(code).toBe(1);
    expect(example.stderr()).toBe('PORT must be a number from 0 to 65535, got "http".');
  });

  it('exits 1 with one line naming PORT when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const example = start({ PGLITE_DIR: join(dir, 'taken'), PORT: String(port) });
      const { code } = await example.closed(60_000);
      expect(code).toBe(1);
      expect(example.stderr()).toBe(`PORT ${port} is already in use.`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 90_000);
});
