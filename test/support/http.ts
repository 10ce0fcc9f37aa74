// GraphQL over HTTP, in process: requests go through yoga.fetch, no socket.
import type { Server } from '../../example/server.js';

export interface GraphQLResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary result shapes.
  body: any;
}

export interface RequestOptions {
  /** Sent as the `x-user-id` header (demo authentication). */
  userId?: number | string;
  headers?: Record<string, string>;
}

export async function graphql(
  yoga: Server,
  query: string,
  variables?: Record<string, unknown>,
  { userId, headers = {} }: RequestOptions = {},
): Promise<GraphQLResponse> {
  const response = await yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(userId === undefined ? {} : { 'x-user-id': String(userId) }),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

export interface RawRequestOptions {
  method?: string;
  /** Sent as it is: a string, bytes or a stream (then without Content-Length, chunked). */
  body?: string | Uint8Array | ReadableStream<Uint8Array> | null;
  /** Replaces the default `content-type: application/json`; `x-user-id` as in `graphql()`. */
  headers?: Record<string, string>;
  userId?: number | string;
  /** Path and query string, e.g. `/graphql?query=...`. @default '/graphql' */
  path?: string;
}

/** Any HTTP request to the server, for bodies `graphql()` cannot send: invalid JSON, streams... */
export async function rawRequest(
  yoga: Server,
  { method = 'POST', body = null, headers = {}, userId, path = '/graphql' }: RawRequestOptions,
): Promise<GraphQLResponse & { text: string }> {
  const response = await yoga.fetch(`http://yoga${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(userId === undefined ? {} : { 'x-user-id': String(userId) }),
      ...headers,
    },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, text };
}

/** The Relay global ID of a row, as the example's schema encodes it. */
export const globalId = (type: string, id: number | string) =>
  Buffer.from(`${type}:${id}`).toString('base64');

/** The database id inside a global ID. */
export const rawId = (global: string) =>
  Number(Buffer.from(global, 'base64').toString().split(':')[1]);
