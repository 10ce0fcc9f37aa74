// The log viewer's live feed without a browser: its SSE parser fed chunks split anywhere, and
// LiveFeed against a stubbed fetch (resume after the newest cursor, FORBIDDEN).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventLogEntry } from '../../src/viewer/app/api.js';
import { LiveFeed, type LiveState } from '../../src/viewer/app/live.js';
import { type SseEvent, SseParser } from '../../src/viewer/app/sse.js';

const parse = (chunks: string[]) => {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
};

describe('SseParser', () => {
  const stream = ':\n\nevent: next\ndata: {"a":1}\n\n:\n\nevent: complete\ndata:\n\n';
  const expected = [
    { event: 'next', data: '{"a":1}' },
    { event: 'complete', data: '' },
  ];

  it('reads events and skips keep-alive comments', () => {
    expect(parse([stream])).toEqual(expected);
  });

  it('gives the same events however the stream is split, one character at a time too', () => {
    for (let at = 1; at < stream.length; at++) {
      expect(parse([stream.slice(0, at), stream.slice(at)]), `split at ${at}`).toEqual(expected);
    }
    expect(parse([...stream])).toEqual(expected);
  });

  it('takes CRLF and CR line ends, a CRLF split between chunks included', () => {
    const crlf = stream.replaceAll('\n', '\r\n');
    for (let at = 1; at < crlf.length; at++) {
      expect(parse([crlf.slice(0, at), crlf.slice(at)]), `split at ${at}`).toEqual(expected);
    }
    expect(parse([stream.replaceAll('\n', '\r')])).toEqual(expected);
  });

  it('joins data lines, names an unnamed event message, and waits for the blank line', () => {
    expect(parse(['data: one\ndata:two\n\ndata: three'])).toEqual([
      { event: 'message', data: 'one\ntwo' },
    ]);
  });
});

const entry = (id: string) => ({ id, message: `Entry ${id}` }) as EventLogEntry;
const next = (payload: object) => `event: next\ndata: ${JSON.stringify(payload)}\n\n`;
const added = (id: string) =>
  next({ data: { eventLogAdded: { cursor: `c${id}`, node: entry(id) } } });
const complete = 'event: complete\ndata:\n\n';

/** A response whose body sends `chunks` and then ends, or stays open with `open`. */
function sse(chunks: string[], open = false): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      if (!open) controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

function run(responses: (() => Response)[]) {
  const requests: { after: unknown; headers: Headers; credentials?: string }[] = [];
  const states: LiveState[] = [];
  const delivered: string[][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      const body = JSON.parse(init.body as string) as { variables: { after: unknown } };
      requests.push({
        after: body.variables.after,
        headers: new Headers(init.headers),
        credentials: init.credentials,
      });
      const respond = responses.shift();
      if (!respond) return sse([':\n\n'], true);
      return respond();
    }),
  );
  const feed = new LiveFeed({
    endpoint: '/graphql',
    headers: () => [['x-user-id', '1']],
    onEntries: (entries) => delivered.push(entries.map((item) => item.id)),
    onState: (state) => states.push(state),
    delay: () => 1,
  });
  return { feed, requests, states, delivered };
}

describe('LiveFeed', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('posts the subscription with the page headers, delivers a chunk newest first, and resumes after the newest cursor when the stream ends', async () => {
    const { feed, requests, states, delivered } = run([
      () => sse([`:\n\n${added('1')}${added('2')}`, added('3')]),
      () => sse([complete]),
    ]);
    feed.start({ tool: 'certificate' }, 'c0');
    await vi.waitFor(() => expect(requests.length).toBe(3));
    feed.stop();
    expect(delivered).toEqual([['2', '1'], ['3']]);
    expect(requests.map((request) => request.after)).toEqual(['c0', 'c3', 'c3']);
    expect(requests[0]?.headers.get('accept')).toBe('text/event-stream');
    expect(requests[0]?.headers.get('x-user-id')).toBe('1');
    expect(requests[0]?.credentials).toBe('same-origin');
    expect(states.map((state) => state.kind)).toEqual([
      'connecting',
      'live',
      'reconnecting',
      'live',
      'reconnecting',
      'live',
    ]);
  });

  it('reconnects after a network error with the last cursor', async () => {
    const { feed, requests, states } = run([
      () => sse([added('5')]),
      () => {
        throw new TypeError('Failed to fetch');
      },
    ]);
    feed.start({}, null);
    await vi.waitFor(() => expect(requests.length).toBe(3));
    feed.stop();
    expect(requests.map((request) => request.after)).toEqual([null, 'c5', 'c5']);
    expect(states).toContainEqual({
      kind: 'reconnecting',
      reason: 'the connection failed (Failed to fetch)',
    });
  });

  it('stops for FORBIDDEN and does not try again', async () => {
    const forbidden = next({
      errors: [{ message: 'You may not.', extensions: { code: 'FORBIDDEN' } }],
    });
    const { feed, requests, states } = run([() => sse([':\n\n', forbidden, complete])]);
    feed.start({}, null);
    await vi.waitFor(() => expect(states.at(-1)?.kind).toBe('stopped'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    feed.stop();
    expect(requests.length).toBe(1);
    expect(states.at(-1)).toEqual({ kind: 'stopped', reason: 'You may not. (FORBIDDEN)' });
  });

  it('stops when the server answers without a stream (no live feed there)', async () => {
    const { feed, requests, states } = run([
      () =>
        new Response(JSON.stringify({ errors: [{ message: 'Not found' }] }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        }),
    ]);
    feed.start({}, null);
    await vi.waitFor(() => expect(states.at(-1)?.kind).toBe('stopped'));
    feed.stop();
    expect(requests.length).toBe(1);
  });
});
