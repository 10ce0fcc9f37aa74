import { ENTRY_FIELDS, type EventLogEntry, type GraphQLError, post } from './api.js';
import type { Filters } from './filters.js';
import { SseParser } from './sse.js';

export const EVENT_LOG_ADDED_SUBSCRIPTION = `subscription EventLogViewerLive($tool: String, $action: String, $actorId: String, $objectType: String, $objectId: String, $since: DateTime, $until: DateTime, $after: String) {
  eventLogAdded(tool: $tool, action: $action, actorId: $actorId, objectType: $objectType, objectId: $objectId, since: $since, until: $until, after: $after) { cursor node { ${ENTRY_FIELDS} } }
}`;

export type LiveState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; reason: string }
  | { kind: 'stopped'; reason: string };

export interface LiveFeedOptions {
  endpoint: string;
  headers(): [string, string][];
  /** Entries newest first, and the cursor of the newest. */
  onEntries(entries: EventLogEntry[], cursor: string): void;
  onState(state: LiveState): void;
  /** Milliseconds to wait before reconnecting the `attempt`-th time in a row. */
  delay?(attempt: number): number;
}

/** Errors that another try would meet again. */
const FINAL_CODES = new Set([
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
]);
/** A connection that stayed up this long was healthy: the next failure retries at once. */
const HEALTHY_MS = 5_000;

type Outcome = { retry: string } | { stop: string } | { aborted: true };

interface Next {
  data?: { eventLogAdded?: { cursor: string; node: EventLogEntry } | null } | null;
  errors?: GraphQLError[];
}

const defaultDelay = (attempt: number) => Math.min(30_000, 1_000 * 2 ** (attempt - 1));

/**
 * `eventLogAdded` over SSE (a POST with the page's headers and cookies, read as a stream):
 * resumes after the newest cursor it delivered when the stream breaks or ends, and stops for
 * errors a retry would meet again (FORBIDDEN).
 */
export class LiveFeed {
  private controller: AbortController | undefined;

  constructor(private readonly options: LiveFeedOptions) {}

  start(filters: Filters, after: string | null): void {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    void this.run(filters, after, controller.signal);
  }

  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
  }

  private async run(filters: Filters, start: string | null, signal: AbortSignal): Promise<void> {
    const { onState } = this.options;
    const delay = this.options.delay ?? defaultDelay;
    let after = start;
    let attempt = 0;
    onState({ kind: 'connecting' });
    for (;;) {
      const opened = Date.now();
      const outcome = await this.connect(filters, after, signal, (cursor) => {
        after = cursor;
      });
      if ('aborted' in outcome || signal.aborted) return;
      if ('stop' in outcome) {
        onState({ kind: 'stopped', reason: outcome.stop });
        return;
      }
      attempt = Date.now() - opened >= HEALTHY_MS ? 0 : attempt + 1;
      onState({ kind: 'reconnecting', reason: outcome.retry });
      if (attempt > 0) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, delay(attempt));
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve(undefined);
          });
        });
        if (signal.aborted) return;
      }
    }
  }

  private async connect(
    filters: Filters,
    after: string | null,
    signal: AbortSignal,
    delivered: (cursor: string) => void,
  ): Promise<Outcome> {
    const { endpoint, onEntries, onState } = this.options;
    try {
      const response = await post(
        endpoint,
        this.options.headers(),
        'text/event-stream',
        { query: EVENT_LOG_ADDED_SUBSCRIPTION, variables: { ...filters, after } },
        signal,
      );
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !type.includes('text/event-stream') || !response.body) {
        // Not a stream: a server without the feed, or one failing now (5xx).
        const answer = (await response.json().catch(() => ({}))) as Next;
        const error = answer.errors?.[0];
        const reason = error
          ? describe(error)
          : `the server answered HTTP ${response.status} without a stream`;
        return response.status >= 500 ? { retry: reason } : { stop: reason };
      }
      onState({ kind: 'live' });
      let outcome: Outcome | undefined;
      let batch: EventLogEntry[] = [];
      let cursor = '';
      const parser = new SseParser(({ event, data }) => {
        if (outcome) return;
        if (event === 'complete') {
          outcome = { retry: 'the server ended the stream' };
          return;
        }
        if (event !== 'next') return;
        const next = JSON.parse(data) as Next;
        const added = next.data?.eventLogAdded;
        if (added) {
          batch.unshift(added.node);
          cursor = added.cursor;
        }
        const error = next.errors?.[0];
        if (error) outcome = classify(error);
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      try {
        while (!outcome) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(decoder.decode(value, { stream: true }));
          if (batch.length > 0) {
            delivered(cursor);
            onEntries(batch, cursor);
            batch = [];
          }
        }
      } finally {
        reader.cancel().catch(() => {});
      }
      return outcome ?? { retry: 'the stream ended' };
    } catch (error) {
      if (signal.aborted) return { aborted: true };
      return { retry: `the connection failed (${(error as Error).message})` };
    }
  }
}

const describe = (error: GraphQLError) =>
  `${error.message}${error.extensions?.code ? ` (${error.extensions.code})` : ''}`;

function classify(error: GraphQLError): Outcome {
  const code = error.extensions?.code;
  const reason = describe(error);
  return code && FINAL_CODES.has(code) ? { stop: reason } : { retry: reason };
}
