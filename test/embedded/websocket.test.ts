// The example over WebSocket (graphql-ws), through a real socket on a real HTTP server, with
// graphql-ws' own client: eventLogAdded, the demo authentication from connectionParams, the
// same limits as over HTTP, and the sockets closed on shutdown.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Client, createClient, type FormattedExecutionResult } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Database } from '../../example/database.js';
import { seed } from '../../example/seed.js';
import { createServer, type Server } from '../../example/server.js';
import { type GraphQLWebSocket, serveGraphQLOverWebSocket } from '../../example/websocket.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { graphql } from '../support/http.js';

const FEED = /* GraphQL */ `
  subscription ($objectId: String) {
    eventLogAdded(objectType: "Certificate", objectId: $objectId) {
      node {
        action
        actor
        message
        changes
      }
    }
  }
`;

type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;

const certificate = (id: number) => Buffer.from(`Certificate:${id}`).toString('base64');

/** The example's yoga on a real HTTP server (an ephemeral port), with graphql-ws on it. */
async function serveExample(database: Database) {
  const yoga = createServer({
    prisma: database.prisma,
    eventLogListener: database.eventLogListener,
    logging: false,
  });
  const http = createHttpServer(yoga);
  const webSocket = serveGraphQLOverWebSocket(http, yoga);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    yoga,
    http,
    webSocket,
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`,
  };
}

describe('the example over WebSocket (graphql-ws)', () => {
  let database: Database;
  let yoga: Server;
  let http: HttpServer;
  let webSocket: GraphQLWebSocket;
  let url: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await createEmbeddedDatabase();
    await seed(database.prisma);
    ({ yoga, http, webSocket, url } = await serveExample(database));
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await webSocket?.close();
    await new Promise((resolve) => http?.close(resolve));
    await database?.close();
  });

  const connect = (connectionParams: Record<string, string>) => {
    const client = createClient({ url, webSocketImpl: WebSocket, connectionParams, lazy: true });
    clients.push(client);
    return client;
  };

  /** The first `count` results of an operation, or its error (an array of GraphQL errors). */
  const take = (client: Client, query: string, variables: Record<string, unknown>, count: number) =>
    new Promise<{ results: Result[]; error?: unknown }>((resolve) => {
      const results: Result[] = [];
      const stop = client.subscribe(
        { query, variables },
        {
          next: (result) => {
            results.push(result);
            if (results.length === count) {
              stop();
              resolve({ results });
            }
          },
          error: (error) => resolve({ results, error }),
          complete: () => resolve({ results }),
        },
      );
    });

  it('delivers eventLogAdded to a signed-in subscriber, attributed and rendered', async () => {
    const client = connect({ 'x-user-id': '1' });
    const received = take(client, FEED, { objectId: '2' }, 1);
    // The feed starts at its first horizon: give it a moment, then write over HTTP.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { body } = await graphql(
      yoga,
      'mutation ($id: ID!) { updateCertificate(id: $id, input: { notes: "over ws" }) { notes } }',
      { id: certificate(2) },
      { userId: 1 },
    );
    expect(body.errors).toBeUndefined();
    const { results, error } = await received;
    expect(error).toBeUndefined();
    expect(results[0]?.errors).toBeUndefined();
    const data = results[0]?.data as { eventLogAdded: { node: Record<string, unknown> } };
    const node = data.eventLogAdded.node;
    const user = await database.prisma.user.findUniqueOrThrow({ where: { id: 1 } });
    expect(node).toMatchObject({
      action: 'update',
      actor: user.fullName,
      changes: { new_value: { notes: 'over ws' } },
    });
    expect(node.message).toMatch(new RegExp(`was updated by ${user.fullName}\\.$`));
  });

  it('refuses an anonymous subscriber with FORBIDDEN, and an unknown user with UNAUTHENTICATED', async () => {
    // The subscription's own refusal: one result with the error, then the end.
    const anonymous = await take(connect({}), FEED, {}, 1);
    expect(anonymous.error).toBeUndefined();
    expect(anonymous.results).toMatchObject([
      {
        errors: [
          {
            message: 'You are not allowed to read these event logs.',
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      },
    ]);
    // A user that does not exist is refused before the operation runs (graphql-ws' error).
    const unknown = await take(connect({ 'x-user-id': '999' }), FEED, {}, 1);
    expect(unknown.error).toMatchObject([
      {
        message: 'The x-user-id header does not name a user.',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
  });

  it('answers queries with the same limits as over HTTP', async () => {
    const client = connect({ 'x-user-id': '1' });
    const ok = await take(client, '{ certificates(first: 1) { edges { node { name } } } }', {}, 1);
    expect(ok.results[0]?.errors).toBeUndefined();
    expect(ok.results[0]?.data).toMatchObject({ certificates: { edges: [{ node: {} }] } });
    const deep = `{ ${'certificates { edges { node { owner { '.repeat(3)}fullName${' } } } }'.repeat(3)} }`;
    const refused = await take(client, deep, {}, 1);
    expect(refused.error).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: expect.stringMatching(/depth limit/i) }),
      ]),
    );
  });
});

describe('shutting the WebSocket down', () => {
  it('completes the open subscriptions and closes the sockets with 1001 (going away)', async () => {
    const database = await createEmbeddedDatabase();
    const { http, webSocket, url } = await serveExample(database);
    try {
      await seed(database.prisma);
      const closed = new Promise<number>((resolve) => {
        const client = createClient({
          url,
          webSocketImpl: WebSocket,
          connectionParams: { 'x-user-id': '1' },
          retryAttempts: 0,
          // Kept open when its subscription completes: the server is the one to close it.
          lazy: false,
          on: { closed: (event) => resolve((event as { code: number }).code) },
        });
        client.subscribe({ query: FEED }, { next: () => {}, error: () => {}, complete: () => {} });
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // As example/main.ts does on SIGTERM: the feeds end, then the sockets close.
      await database.eventLogListener.close();
      await webSocket.close();
      expect(await closed).toBe(1001);
    } finally {
      await new Promise((resolve) => http.close(resolve));
      await database.close();
    }
  });
});
