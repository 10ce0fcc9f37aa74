// The parent's side of bench/server-process.ts.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Statement } from './census.js';

export type { Statement };

export type ParentMessage = { type: 'census-start' } | { type: 'census-stop' } | { type: 'stop' };
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'census-started' }
  | { type: 'census'; statements: Statement[] };

const entry = fileURLToPath(new URL('../server-process.ts', import.meta.url));

export interface ServerChild {
  variant: string;
  url: string;
  pid: number;
  /** Runs `work` while recording the SQL statements the server sends. */
  census(work: () => Promise<unknown>): Promise<Statement[]>;
  stop(): Promise<void>;
}

export async function startServer(variant: string, databaseUrl: string): Promise<ServerChild> {
  const child = fork(entry, [variant], {
    // BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${variant}`]
        : []),
    ],
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, NODE_ENV: 'production' },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server ${variant} exited (${code})`)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') resolve(message.port);
    });
  });
  child.removeAllListeners('exit');
  return {
    variant,
    url: `http://127.0.0.1:${port}/graphql`,
    pid: child.pid as number,
    census: async (work) => {
      await request(child, { type: 'census-start' }, 'census-started');
      await work();
      const answer = await request(child, { type: 'census-stop' }, 'census');
      return answer.type === 'census' ? answer.statements : [];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' } satisfies ParentMessage);
      }),
  };
}

function request(
  child: ChildProcess,
  message: ParentMessage,
  answer: ChildMessage['type'],
): Promise<ChildMessage> {
  return new Promise((resolve) => {
    const listener = (reply: ChildMessage) => {
      if (reply.type !== answer) return;
      child.off('message', listener);
      resolve(reply);
    };
    child.on('message', listener);
    child.send(message);
  });
}
