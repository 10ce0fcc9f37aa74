// A PostgreSQL cluster of the test's own (initdb into a temporary directory), for faults that
// must not touch the shared server: a restart. As root, the server runs as the `postgres` user.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './example-process.js';

const run = promisify(execFile);

export interface PrivateCluster {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** `pg_ctl restart -m fast`: sessions are terminated, the server is back when it resolves. */
  restart(): Promise<void>;
  /** Stops the server and removes its files. */
  destroy(): Promise<void>;
}

/** The directory of initdb and pg_ctl: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. */
export async function findPostgresBin(): Promise<string | undefined> {
  const candidates: string[] = [];
  try {
    candidates.push((await run('pg_config', ['--bindir'])).stdout.trim());
  } catch {
    // No pg_config on the PATH.
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(root, version, 'bin')));
  }
  return candidates.find(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')),
  );
}

/**
 * A temporary directory for clusters, and a runner of PostgreSQL's programs in `bin`: as
 * root, the directory belongs to `postgres` and the programs run as `postgres` (initdb and
 * the server refuse root).
 */
export async function clusterWorkspace(prefix: string, bin: string) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout);
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout);
    await chown(dir, uid, gid);
  }
  const pg = (command: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args])
      : run(join(bin, command), args);
  /** A new cluster in `data`: trust authentication, user postgres, UTF8, no fsync. */
  const initdb = (data: string) =>
    pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '-N']);
  return { dir, pg, initdb };
}

export async function startPrivateCluster(bin: string): Promise<PrivateCluster> {
  const { dir, pg, initdb } = await clusterWorkspace('pel-cluster-', bin);
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const ctl = (args: string[]) => pg('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', ...args]);
  let started = false;
  try {
    await initdb(data);
    const port = await freePort();
    await ctl([
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`,
      'start',
    ]);
    started = true;
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      restart: async () => {
        await ctl(['-m', 'fast', 'restart']);
      },
      destroy: async () => {
        await ctl(['-m', 'immediate', 'stop']).catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (started) await ctl(['-m', 'immediate', 'stop']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
