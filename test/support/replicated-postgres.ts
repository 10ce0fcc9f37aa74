// A primary and a streaming standby of the test's own (initdb, then pg_basebackup -R), for
// reads from a replica. Both load pg_stat_statements, so a test can ask each server which
// statements it ran. As root, the servers run as the `postgres` user.
import { appendFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './example-process.js';
import { clusterWorkspace } from './private-postgres.js';

export interface ReplicatedClusters {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` of the primary. */
  primaryUrl: string;
  /** The standby's URL: read-only, replaying the primary's WAL. */
  standbyUrl: string;
  /** Waits until the standby has replayed everything the primary wrote so far; resolves to the ms waited. */
  caughtUp(timeoutMs?: number): Promise<number>;
  /** Stops (or restarts) applying the WAL on the standby: it keeps receiving it, and lags. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Stops both servers and removes their files. */
  destroy(): Promise<void>;
}

const SETTINGS = [
  '-c listen_addresses=127.0.0.1',
  '-c fsync=off',
  '-c max_connections=50',
  '-c wal_level=replica',
  '-c max_wal_senders=4',
  '-c hot_standby=on',
  '-c shared_preload_libraries=pg_stat_statements',
  '-c pg_stat_statements.track=top',
];

export async function startReplicatedClusters(bin: string): Promise<ReplicatedClusters> {
  const { dir, pg: pgRun, initdb } = await clusterWorkspace('pel-replica-', bin);
  const primaryData = join(dir, 'primary');
  const standbyData = join(dir, 'standby');
  const ctl = (data: string, args: string[]) =>
    pgRun('pg_ctl', ['-D', data, '-l', `${data}.log`, '-w', '-t', '60', ...args]);
  const started: string[] = [];
  const stopAll = async () => {
    for (const data of started.splice(0).reverse()) {
      await ctl(data, ['-m', 'immediate', 'stop']).catch(() => {});
    }
  };
  try {
    await initdb(primaryData);
    // initdb's trust already covers replication from localhost; said here, not assumed.
    await appendFile(
      join(primaryData, 'pg_hba.conf'),
      '\nhost replication postgres 127.0.0.1/32 trust\n',
    );
    const primaryPort = await freePort();
    await ctl(primaryData, ['-o', `-p ${primaryPort} -k ${dir} ${SETTINGS.join(' ')}`, 'start']);
    started.push(primaryData);
    // -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby.
    await pgRun('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      standbyData,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
    const standbyPort = await freePort();
    await ctl(standbyData, ['-o', `-p ${standbyPort} -k ${dir} ${SETTINGS.join(' ')}`, 'start']);
    started.push(standbyData);
    const primaryUrl = `postgresql://postgres@127.0.0.1:${primaryPort}/postgres`;
    const standbyUrl = `postgresql://postgres@127.0.0.1:${standbyPort}/postgres`;
    const onStandby = (sql: string) => query(standbyUrl, sql);
    const streaming = await waitFor(
      async () =>
        (
          await query(
            primaryUrl,
            "SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'",
          )
        )[0]?.n === 1,
      30_000,
    );
    if (!streaming) throw new Error('The standby did not start streaming from the primary.');
    return {
      primaryUrl,
      standbyUrl,
      caughtUp: async (timeoutMs = 10_000) => {
        const [{ lsn }] = (await query(primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn')) as [
          { lsn: string },
        ];
        const start = performance.now();
        const done = await waitFor(
          async () =>
            (
              await query(standbyUrl, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS done`)
            )[0]?.done === true,
          timeoutMs,
        );
        if (!done) throw new Error(`The standby did not replay ${lsn} within ${timeoutMs} ms.`);
        return performance.now() - start;
      },
      pauseReplay: async () => {
        await onStandby('SELECT pg_wal_replay_pause()');
      },
      resumeReplay: async () => {
        await onStandby('SELECT pg_wal_replay_resume()');
      },
      destroy: async () => {
        await stopAll();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** One statement on its own connection. */
export async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}
