// A closed-loop HTTP load generator: `concurrency` workers, each sending its next request
// as soon as the previous answer is read, over keep-alive connections.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadOptions {
  url: string;
  concurrency: number;
  /** Stop after this long... */
  durationMs?: number;
  /** ...or after this many requests. */
  requests?: number;
  /** The JSON body of request number `index`. */
  body: (index: number) => string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  /** Milliseconds per request, in completion order. */
  latencies: number[];
  elapsedMs: number;
  errors: number;
  firstError: string | null;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const target = new URL(options.url);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let issued = 0;
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;
  const limit = options.requests ?? Infinity;

  const worker = async () => {
    while (issued < limit && performance.now() < deadline) {
      const index = issued++;
      const body = options.body(index);
      const sent = performance.now();
      const answer = await post(agent, target, body, options.headers ?? {});
      latencies.push(performance.now() - sent);
      const problem = problemOf(answer);
      if (problem) {
        errors += 1;
        firstError ??= problem;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { latencies, elapsedMs, errors, firstError };
}

function problemOf(answer: { status: number; text: string }): string | null {
  if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`;
  // Cheaper than parsing every body: a GraphQL error always has this key.
  if (answer.text.includes('"errors"')) return answer.text.slice(0, 300);
  return null;
}

function post(
  agent: http.Agent,
  target: URL,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Peak resident set size of a process while `work` runs, sampled every 50 ms from /proc. */
export async function withPeakRss<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peakRssKb: number }> {
  let peakRssKb = await rssKb(pid);
  const timer = setInterval(() => {
    rssKb(pid).then(
      (value) => {
        peakRssKb = Math.max(peakRssKb, value);
      },
      () => {},
    );
  }, 50);
  try {
    const result = await work();
    peakRssKb = Math.max(peakRssKb, await rssKb(pid));
    return { result, peakRssKb };
  } finally {
    clearInterval(timer);
  }
}

export async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : Number.NaN;
}
