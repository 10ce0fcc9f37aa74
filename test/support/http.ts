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
