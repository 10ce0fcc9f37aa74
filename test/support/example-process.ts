// Runs the example server the way `npm start` does, as a child process in its own
// process group, so that npx, tsx and node can all be killed together.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { projectRoot } from '../../scripts/schema-engine.js';

export interface ExampleProcess {
  child: ChildProcess;
  stdout(): string;
  /** stderr without npm's and Node's own notices. */
  stderr(): string;
  /** Resolves once stdout matches `pattern`; rejects if the process ends first or on timeout. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited and its output is closed. */
  closed(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL to the whole group; safe to call more than once. */
  kill(): void;
}

const noise = [/^npm (warn|notice|WARN)\b/, /ExperimentalWarning/, /--trace-warnings/];

export function startExample(env: Record<string, string>): ExampleProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['DATABASE_URL', 'PGLITE_DIR', 'PORT']) {
    if (!(name in env)) delete childEnv[name];
  }
  const child = spawn('npx', ['tsx', 'example/main.ts'], {
    cwd: projectRoot,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const closedPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal })),
  );
  let running = true;
  closedPromise.then(() => {
    running = false;
  });

  const signal = (name: NodeJS.Signals) => {
    if (!running || child.pid === undefined) return;
    try {
      process.kill(-child.pid, name);
    } catch {
      // The group is already gone.
    }
  };

  return {
    child,
    stdout: () => out,
    stderr: () =>
      err
        .split('\n')
        .filter((line) => line.trim() !== '' && !noise.some((pattern) => pattern.test(line)))
        .join('\n'),
    waitForOutput: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `No ${pattern} on stdout within ${timeoutMs} ms.\nstdout: ${out}\nstderr: ${err}`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          const match = pattern.exec(out);
          if (match) {
            finish();
            resolve(match);
          }
        };
        const onClose = () => {
          finish();
          reject(new Error(`The process ended before ${pattern}.\nstdout: ${out}\nstderr: ${err}`));
        };
        const finish = () => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.off('close', onClose);
        };
        child.stdout?.on('data', check);
        child.on('close', onClose);
        check();
      }),
    closed: (timeoutMs) =>
      Promise.race([
        closedPromise,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`The process did not end within ${timeoutMs} ms.`)),
            timeoutMs,
          ).unref(),
        ),
      ]),
    signal,
    kill: () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    },
  };
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
