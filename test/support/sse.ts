// A GraphQL-over-SSE client for the tests: POST with `accept: text/event-stream`, the way
// graphql-yoga serves subscriptions with no extra setup, reading events as they arrive.

export interface SseResult {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface SseSubscription {
  /** Every `next` event received so far. */
  results: SseResult[];
  /** HTTP status of the response. */
  status: number;
  /** Resolves once `count` results arrived (or the stream completed); rejects on timeout. */
  waitFor(count: number, timeoutMs: number): Promise<SseResult[]>;
  /** Resolves when the server sent `complete` or closed the stream. */
  completed: Promise<void>;
  close(): void;
}

type Fetch = (url: string, init: RequestInit) => Response | Promise<Response>;

export async function subscribeSse(
  url: string,
  query: string,
  options: { headers?: Record<string, string>; variables?: object; fetch?: Fetch } = {},
): Promise<SseSubscription> {
  const controller = new AbortController();
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const response = await doFetch(url, {
    method: 'POST',
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
    signal: controller.signal,
  });
  const results: SseResult[] = [];
  let listeners: (() => void)[] = [];
  let done = false;
  const changed = () => {
    const current = listeners;
    listeners = [];
    for (const listener of current) listener();
  };
  const completed = (async () => {
    const body = response.body;
    if (!body) return;
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buffer += value;
        let split = buffer.indexOf('\n\n');
        while (split >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          split = buffer.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (event === 'next') results.push(JSON.parse(data) as SseResult);
          if (event === 'complete') return;
          changed();
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    } finally {
      done = true;
      changed();
      reader.cancel().catch(() => {});
    }
  })();
  completed.catch(() => {});
  return {
    results,
    status: response.status,
    completed,
    waitFor: (count, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `Got ${results.length} of ${count} subscription results within ${timeoutMs} ms: ${JSON.stringify(results).slice(0, 2000)}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => {
          if (results.length >= count || done) {
            clearTimeout(timer);
            resolve(results);
          } else {
            listeners.push(check);
          }
        };
        check();
      }),
    close: () => controller.abort(),
  };
}
