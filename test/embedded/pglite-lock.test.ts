// One PGLITE_DIR, one server: a second process on the same directory would corrupt it
// (PGlite's own postmaster.pid always says pid -42 and is never checked).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryInUseError, lockDirectory, lockName } from '../../example/directory-lock.js';
import { type ExampleProcess, freePort, startExample } from '../support/example-process.js';

const ready = /pothos-eventlog example on (http:\/\/localhost:\d+\/graphql) /;

async function graphql(url: string, query: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  expect(response.status).toBe(200);
  return response.json();
}

/** The process group of `pid`, from ps (the server runs under npx and tsx in its own group). */
function processGroup(pid: number): number {
  const result = spawnSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(result.stdout.trim());
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '0']).pid;
  expect(pid).toBeGreaterThan(0);
  return pid as number;
}

describe('PGLITE_DIR lock (example server)', () => {
  let root: string;
  const started: ExampleProcess[] = [];
  const start = (env: Record<string, string>) => {
    const example = startExample(env);
    started.push(example);
    return example;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pel-lock-'));
  });
  afterEach(() => {
    for (const example of started.splice(0)) example.kill();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a second server on the same PGLITE_DIR with one line naming it and the holder; the first keeps serving', async () => {
    const dir = join(root, 'shared');
    const first = start({ PGLITE_DIR: dir, PORT: String(await freePort()) });
    const [, url] = await first.waitForOutput(ready, 60_000);

    const second = start({ PGLITE_DIR: dir, PORT: String(await freePort()) });
    const { code } = await second.closed(60_000);
    expect(code).toBe(1);
    const lines = second.stderr().split('\n');
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line).toContain(`PGLITE_DIR (${dir})`);
    const pid = Number(/process (\d+)/.exec(line)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(processGroup(pid)).toBe(first.child.pid);
    expect(second.stdout()).not.toMatch(/Applied migrations|No pending migrations/);

    const body = await graphql(url as string, '{ certificates { edges { node { id } } } }');
    expect(body).toMatchObject({ data: { certificates: { edges: expect.any(Array) } } });
  }, 120_000);

  it('starts after the holder was killed with SIGKILL (the lock left behind is stale)', async () => {
    const dir = join(root, 'killed');
    const first = start({ PGLITE_DIR: dir, PORT: String(await freePort()) });
    await first.waitForOutput(ready, 60_000);
    first.kill();
    await first.closed(20_000);
    expect(existsSync(join(dir, lockName))).toBe(true);

    const again = start({ PGLITE_DIR: dir, PORT: String(await freePort()) });
    const [, url] = await again.waitForOutput(ready, 60_000);
    const body = await graphql(url as string, '{ certificates { edges { node { id } } } }');
    expect(body).toMatchObject({ data: { certificates: { edges: expect.any(Array) } } });
  }, 120_000);

  it('removes the lock on a clean stop (SIGTERM)', async () => {
    const dir = join(root, 'stopped');
    const first = start({ PGLITE_DIR: dir, PORT: String(await freePort()) });
    await first.waitForOutput(ready, 60_000);
    expect(existsSync(join(dir, lockName))).toBe(true);
    first.signal('SIGTERM');
    await first.closed(20_000);
    expect(first.stdout()).toContain('Stopped.');
    expect(first.stderr()).toBe('');
    expect(existsSync(join(dir, lockName))).toBe(false);
  }, 120_000);
});

describe('lockDirectory', () => {
  let root: string;
  let n = 0;
  const freshDir = async () => {
    const dir = join(root, `d${n++}`);
    await mkdir(dir);
    return dir;
  };
  /** A lock left by another process, in the format lockDirectory writes. */
  const plantLock = async (dir: string, holder: Record<string, unknown>) => {
    await mkdir(join(dir, lockName));
    await writeFile(join(dir, lockName, 'planted.json'), JSON.stringify(holder));
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pel-lockfn-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a second lock in the same process, naming this process', async () => {
    const dir = await freshDir();
    const lock = await lockDirectory(dir);
    const error = await lockDirectory(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectoryInUseError);
    expect((error as DirectoryInUseError).holder.pid).toBe(process.pid);
    expect((error as Error).message).toContain(`process ${process.pid}`);
    lock.release();
    expect(existsSync(join(dir, lockName))).toBe(false);
    lock.release();
    (await lockDirectory(dir)).release();
  });

  it('takes over a lock whose process is gone, or is a process that reused its pid', async () => {
    const dir = await freshDir();
    await plantLock(dir, { pid: deadPid(), host: hostname(), startedAt: new Date().toISOString() });
    const lock = await lockDirectory(dir);
    expect(await readdir(join(dir, lockName))).not.toContain('planted.json');
    lock.release();

    // A live pid whose process started at another time than the one that wrote the lock.
    if (existsSync('/proc/self/stat')) {
      const reused = await freshDir();
      await plantLock(reused, {
        pid: process.ppid,
        host: hostname(),
        startedAt: new Date().toISOString(),
        processStart: 'another-boot:1',
      });
      (await lockDirectory(reused)).release();
    }
  });

  it('respects a live holder, and one on another host it cannot check', async () => {
    const live = await freshDir();
    await plantLock(live, { pid: process.ppid, host: hostname(), startedAt: '2020-01-01' });
    await expect(lockDirectory(live)).rejects.toThrow(`process ${process.ppid}`);

    const remote = await freshDir();
    await plantLock(remote, { pid: deadPid(), host: 'elsewhere.example', startedAt: '2020-01-01' });
    await expect(lockDirectory(remote)).rejects.toThrow(/on host elsewhere\.example/);
  });

  it('lets exactly one of many racing starters take a stale lock', async () => {
    for (const stale of [false, true, true, true, true, true]) {
      const dir = await freshDir();
      if (stale)
        await plantLock(dir, { pid: deadPid(), host: hostname(), startedAt: '2020-01-01' });
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, () => lockDirectory(dir)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DirectoryInUseError);
      }
      expect(await readdir(join(dir, lockName))).toHaveLength(1);
      for (const r of won) r.value.release();
      expect((await readdir(dir)).filter((name) => name.startsWith(lockName))).toEqual([]);
    }
  });
});
