// CPU time from /proc: of one process (a server), and of all PostgreSQL processes.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** user + system CPU of a process, in ms; `null` when it is gone. */
export async function processCpuMs(pid: number): Promise<{ comm: string; ms: number } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after it.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { comm, ms: (ticks / ticksPerSecond) * 1000 };
  } catch {
    return null;
  }
}

/** CPU ms of every `postgres` process, by pid. */
export async function postgresCpuMs(): Promise<Map<number, number>> {
  const result = new Map<number, number>();
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  await Promise.all(
    pids.map(async (pid) => {
      const cpu = await processCpuMs(pid);
      if (cpu?.comm === 'postgres') result.set(pid, cpu.ms);
    }),
  );
  return result;
}

/**
 * CPU used while `work` runs: by the process `pid` and by PostgreSQL (all its processes,
 * so other clients of the same server count too; processes that end meanwhile are missed).
 */
export async function measureCpu<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; serverMs: number; postgresMs: number }> {
  const serverBefore = (await processCpuMs(pid))?.ms ?? Number.NaN;
  const postgresBefore = await postgresCpuMs();
  const result = await work();
  const serverAfter = (await processCpuMs(pid))?.ms ?? Number.NaN;
  const postgresAfter = await postgresCpuMs();
  let postgresMs = 0;
  for (const [process, ms] of postgresAfter) postgresMs += ms - (postgresBefore.get(process) ?? 0);
  return { result, serverMs: serverAfter - serverBefore, postgresMs };
}
