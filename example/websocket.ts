// GraphQL over WebSocket (the graphql-ws protocol, as Apollo Client's GraphQLWsLink and urql
// speak it) on the example's HTTP server, next to SSE: the same yoga instance, its plugins
// (limits, error masking) and context, following yoga's graphql-ws recipe. The demo
// authentication reads `x-user-id` from the connection_init payload (connectionParams), since
// a browser's WebSocket cannot send headers.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Server } from './server.js';

/** What yoga's context function receives for an operation over WebSocket. */
export interface WebSocketInitialContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  req?: IncomingMessage;
}

type EnvelopedArgs = ExecutionArgs & {
  rootValue: {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
  };
};

export interface GraphQLWebSocket {
  /** Closes every socket (code 1001) and stops accepting new ones. */
  close(): Promise<void>;
}

/** Serves `yoga` over WebSocket at its GraphQL endpoint on `server`. */
export function serveGraphQLOverWebSocket(server: HttpServer, yoga: Server): GraphQLWebSocket {
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const served = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(params.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return [...errors];
        let contextValue: unknown;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          // The x-user-id lookup refused the connection's user: the client's error, coded.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        return {
          schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute, subscribe },
        };
      },
    },
    sockets,
  );
  return {
    close: async () => {
      await served.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}
