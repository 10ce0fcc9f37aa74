import type { ViewerConfig } from '../config.js';
import type { Filters } from './filters.js';

export interface FieldChange {
  path: string;
  old: unknown;
  new: unknown;
}

export interface EventLogEntry {
  id: string;
  message: string;
  actor: string | null;
  actorId: string | null;
  action: string;
  tool: string;
  timestamp: string;
  objectType: string;
  objectId: string | null;
  changes: unknown;
  fieldChanges: FieldChange[];
}

export interface EventLogPage {
  totalCount: number;
  /** False when more entries match than the server counts (`totalCount` is its bound). */
  totalCountIsExact: boolean;
  entries: EventLogEntry[];
  /** The cursor of the first (newest) entry: the live feed resumes after it. */
  newestCursor: string | null;
  endCursor: string | null;
  hasNextPage: boolean;
}

export type PageResult =
  | { kind: 'ok'; page: EventLogPage }
  | { kind: 'forbidden'; message: string }
  | { kind: 'error'; message: string; code?: string };

export const ENTRY_FIELDS =
  'id message actor actorId action tool timestamp objectType objectId changes fieldChanges { path old new }';

export const EVENT_LOGS_QUERY = `query EventLogViewer($first: Int, $after: String, $tool: String, $action: String, $actorId: String, $objectType: String, $objectId: String, $since: DateTime, $until: DateTime) {
  eventLogs(first: $first, after: $after, tool: $tool, action: $action, actorId: $actorId, objectType: $objectType, objectId: $objectId, since: $since, until: $until) {
    totalCount
    totalCountIsExact
    pageInfo { endCursor hasNextPage }
    edges { cursor node { ${ENTRY_FIELDS} } }
  }
}`;

export interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

interface Answer {
  data?: {
    eventLogs: {
      totalCount: number;
      totalCountIsExact?: boolean;
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
      edges: { cursor?: string; node: EventLogEntry }[];
    } | null;
  } | null;
  errors?: GraphQLError[];
}

/** `Name: value` lines as headers; lines without a colon are ignored. */
export function parseHeaderLines(text: string): [string, string][] {
  const headers: [string, string][] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) headers.push([name, value]);
  }
  return headers;
}

/** A GraphQL request as the page makes them: POST, the reader's headers and cookies. */
export function post(
  endpoint: string,
  extraHeaders: [string, string][],
  accept: string,
  body: object,
  signal?: AbortSignal,
): Promise<Response> {
  const headers = new Headers(extraHeaders);
  headers.set('content-type', 'application/json');
  headers.set('accept', accept);
  return fetch(endpoint, {
    method: 'POST',
    credentials: 'same-origin',
    headers,
    body: JSON.stringify(body),
    signal,
  });
}

/** One page of entries, newest first, from the configured endpoint with the page's credentials. */
export async function fetchPage(
  config: ViewerConfig,
  extraHeaders: [string, string][],
  filters: Filters,
  first: number,
  after: string | null,
  signal?: AbortSignal,
): Promise<PageResult> {
  let response: Response;
  try {
    response = await post(
      config.endpoint,
      extraHeaders,
      'application/graphql-response+json, application/json',
      {
        query: EVENT_LOGS_QUERY,
        operationName: 'EventLogViewer',
        variables: { ...filters, first, after },
      },
      signal,
    );
  } catch (error) {
    if (signal?.aborted) throw error;
    return {
      kind: 'error',
      message: `The GraphQL endpoint ${config.endpoint} could not be reached (${(error as Error).message}).`,
    };
  }
  let answer: Answer;
  try {
    answer = (await response.json()) as Answer;
  } catch {
    return {
      kind: 'error',
      message: `The GraphQL endpoint ${config.endpoint} answered HTTP ${response.status} without a GraphQL response.`,
    };
  }
  const errors = answer.errors ?? [];
  const forbidden = errors.find((error) => error.extensions?.code === 'FORBIDDEN');
  if (forbidden) return { kind: 'forbidden', message: forbidden.message };
  const connection = answer.data?.eventLogs;
  if (!connection) {
    const first = errors[0];
    return {
      kind: 'error',
      message: first
        ? first.message
        : `The GraphQL endpoint ${config.endpoint} answered HTTP ${response.status} without entries.`,
      code: first?.extensions?.code,
    };
  }
  return {
    kind: 'ok',
    page: {
      totalCount: connection.totalCount,
      totalCountIsExact: connection.totalCountIsExact !== false,
      entries: connection.edges.map((edge) => edge.node),
      newestCursor: connection.edges[0]?.cursor ?? null,
      endCursor: connection.pageInfo.endCursor,
      hasNextPage: connection.pageInfo.hasNextPage,
    },
  };
}
