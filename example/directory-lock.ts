// An exclusive, crash-safe lock on a directory: one process at a time may own it.
//
// PGlite has no interlock of its own. Its postmaster.pid always says pid -42 and is never
// checked, so a second process on the same directory runs happily and corrupts it.
//
// The lock is a directory, `<dir>/.eventlog.lock/`, that holds one `<token>.json` file naming
// its owner: pid, host, start time and (on Linux) the process's boot id and start tick.
// - Acquiring: the owner file is written in a private temporary directory first, then that
//   directory is renamed to `.eventlog.lock`. rename() is atomic, and it fails when the target
//   exists and is not empty, so the lock appears complete or not at all.
// - A lock whose owner is gone (SIGKILL, power loss) is stale. Its owner's pid no longer runs,
//   or runs a process that started at another time (a reused pid, as after a container
//   restart). To break a stale lock, a starter removes that owner's file by its unique name
//   and then calls rmdir(), which removes the directory only while it is empty. Two starters
//   that both find the lock stale can therefore never remove a lock that a third has just
//   taken, and only one rename can win: the others see a live owner and are refused.
// - A lock that names another host is never broken: its pid cannot be checked from here.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The lock's name inside the locked directory. */
export const lockName = '.eventlog.lock';

/** Who holds a lock, as written in its owner file. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** `<boot id>:<start tick>` of the process, where /proc tells it (Linux). */
  processStart?: string;
}

export interface DirectoryLock {
  /** The lock directory, `<dir>/.eventlog.lock`. */
  path: string;
  /** Gives the lock up; safe to call more than once. Also done when the process exits. */
  release(): void;
}

export class DirectoryInUseError extends Error {
  override name = 'DirectoryInUseError';
  constructor(
    readonly dir: string,
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {
    super(
      holder.host === hostname()
        ? `${dir} is in use by process ${holder.pid} (since ${holder.startedAt}).`
        : `${dir} is in use by process ${holder.pid} on host ${holder.host} (since ${holder.startedAt}); if that process is no longer running, delete ${lockPath}.`,
    );
  }
}

/** Tokens of the locks this process holds or is taking: those owners are alive. */
const ownTokens = new Set<string>();

const attempts = 20;

/**
 * Takes the lock on `dir` (which must exist), or throws {@link DirectoryInUseError} naming
 * the live process that holds it. A stale lock is taken over.
 */
export async function lockDirectory(dir: string): Promise<DirectoryLock> {
  const lockPath = join(dir, lockName);
  const token = randomBytes(12).toString('hex');
  const ownerFile = `${token}.json`;
  const staging = join(dir, `${lockName}.${token}.tmp`);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    processStart: processStart(process.pid),
  };
  ownTokens.add(token);
  let acquired = false;
  try {
    await mkdir(staging);
    await writeFile(join(staging, ownerFile), `${JSON.stringify(me)}\n`);
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        await rename(staging, lockPath);
        acquired = true;
        break;
      } catch (error) {
        // EEXIST/ENOTEMPTY: taken. EPERM: Windows' answer for an existing directory.
        if (!hasCode(error, 'EEXIST', 'ENOTEMPTY', 'EPERM')) throw error;
        lastError = error;
      }
      let names: string[];
      try {
        names = await readdir(lockPath);
      } catch (error) {
        if (hasCode(error, 'ENOENT')) continue; // released meanwhile
        if (hasCode(error, 'ENOTDIR')) {
          throw new Error(
            `${lockPath} is not a lock directory; remove it if no server uses ${dir}.`,
          );
        }
        throw error;
      }
      const owners = await Promise.all(names.map((name) => readOwner(lockPath, name)));
      const live = owners.find((owner) => owner !== undefined && !isStale(owner));
      if (live) {
        const { token: _token, ...holder } = live;
        throw new DirectoryInUseError(dir, lockPath, holder);
      }
      for (const name of names) {
        await unlink(join(lockPath, name)).catch(ignore('ENOENT'));
      }
      // Removes the directory only while it is empty: never a lock another starter just took.
      await rmdir(lockPath).catch(ignore('ENOENT', 'ENOTEMPTY', 'EEXIST'));
    }
    if (!acquired) throw lastError;
  } finally {
    if (!acquired) {
      ownTokens.delete(token);
      await rm(staging, { recursive: true, force: true }).catch(() => {});
    }
  }

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      unlinkSync(join(lockPath, ownerFile));
      rmdirSync(lockPath);
    } catch {
      // Gone already, or not empty: then it is not ours any more.
    }
    ownTokens.delete(token);
  };
  process.on('exit', release);
  return { path: lockPath, release };
}

interface Owner extends LockHolder {
  /** From the owner file's name: unique to one acquisition. */
  token: string;
}

/** The owner an owner file names; undefined when it cannot be read (then it is stale). */
async function readOwner(lockPath: string, name: string): Promise<Owner | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(join(lockPath, name), 'utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, host, startedAt, processStart } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
    if (typeof host !== 'string') return undefined;
    return {
      token: name.replace(/\.json$/, ''),
      pid,
      host,
      startedAt: typeof startedAt === 'string' ? startedAt : 'an unknown time',
      ...(typeof processStart === 'string' ? { processStart } : {}),
    };
  } catch {
    // Unreadable or torn. Owner files are complete before the lock appears, so only a crash
    // of the machine while writing one leaves it so, and that crash ended its owner.
    return undefined;
  }
}

function isStale(owner: Owner): boolean {
  if (ownTokens.has(owner.token)) return false;
  if (owner.host !== hostname()) return false; // cannot be checked from here
  // Our own pid with a token we did not make: an earlier process with the same pid (containers).
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if (hasCode(error, 'ESRCH')) return true;
    // EPERM: it runs, as another user.
  }
  const stat = procStat(owner.pid);
  // A zombie has exited but not been reaped yet (its parent died, and a container's pid 1
  // may reap late): kill(pid, 0) still succeeds, yet it holds nothing.
  if (stat?.state === 'Z' || stat?.state === 'X') return true;
  // The pid runs: is it still the process that took the lock?
  const now = stat?.start;
  return owner.processStart !== undefined && now !== undefined && now !== owner.processStart;
}

let bootId: string | undefined;

/** `<boot id>:<start tick>` of a running process, from /proc; undefined elsewhere. */
function processStart(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/**
 * From /proc/<pid>/stat: the state (R, S, Z...) and the start (`<boot id>:<start tick>`);
 * undefined where /proc cannot tell.
 */
function procStat(pid: number): { state: string; start: string | undefined } | undefined {
  try {
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after "(comm) " start at field 3, the state; field 22 is starttime.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = fields[19];
    return { state: fields[0] ?? '', start: bootId && tick ? `${bootId}:${tick}` : undefined };
  } catch {
    return undefined;
  }
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && codes.includes(code);
}

function ignore(...codes: string[]): (error: unknown) => void {
  return (error) => {
    if (!hasCode(error, ...codes)) throw error;
  };
}
