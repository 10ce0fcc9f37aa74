// The example GraphQL server: the schema of example/schema over graphql-yoga, with a
// demo authentication that trusts an `x-user-id` header. Not for production use as is.
import { randomUUID } from 'node:crypto';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError } from 'graphql';
import {
  createGraphQLError,
  createYoga,
  type GraphiQLOptions,
  maskError,
  type Plugin,
  type YogaServerInstance,
  type YogaServerOptions,
} from 'graphql-yoga';
import type { EventLogListener } from '../src/live/listener.js';
import { eventLogViewer } from '../src/viewer/index.js';
import type { Context, CurrentUser } from './context.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { schema } from './schema/index.js';
import type { WebSocketInitialContext } from './websocket.js';

// biome-ignore lint/complexity/noBannedTypes: yoga's own default for the server context.
type ServerContext = {};

export type ServerOptions = Omit<
  YogaServerOptions<ServerContext, Context>,
  'schema' | 'context'
> & {
  prisma: PrismaClient;
  /** A client on a read replica: the log's reads go there (`eventLog.readClient`). */
  replica?: PrismaClient;
  /** Serves `eventLogAdded`: the database's listener (`Database.eventLogListener`). */
  eventLogListener?: EventLogListener;
};

export type Server = YogaServerInstance<ServerContext, Context>;

/**
 * Bounds on what one request may ask for. The deepest query a client of the example needs,
 * `certificates { edges { node { owner { eventLog { edges { node { fieldChanges { path } } } } } } } }`,
 * is 9 fields deep (fragments do not count); GraphiQL's introspection query takes 163 tokens.
 */
export const requestLimits = {
  /** Nesting of fields (graphql-armor). */
  maxDepth: 10,
  /**
   * Tokens of the GraphQL document, counted while parsing (graphql-armor). Also bounds the
   * nesting the parser recurses into (3 tokens a level: ~660 levels; graphql-js overflows
   * the stack at ~2 000). Long lists belong in variables, which do not count.
   */
  maxTokens: 2000,
  /** Aliased fields in one operation (graphql-armor). */
  maxAliases: 20,
  /** Bytes of a request body, with or without Content-Length: 413 beyond (yoga). */
  maxRequestBodySize: 1024 * 1024,
} as const;

/** The largest value of a PostgreSQL `integer`, the type of `User.id`. */
const maxUserId = 2_147_483_647;
const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Creates the example's yoga instance. Every option but `prisma`, `replica` and
 * `eventLogListener` is passed on to `createYoga`, so plugins (depth limit, ...) can be
 * added by the caller.
 */
export function createServer({
  prisma,
  replica,
  eventLogListener,
  plugins = [],
  ...options
}: ServerOptions): Server {
  return createYoga<ServerContext, Context>({
    graphqlEndpoint: '/graphql',
    graphiql: true,
    renderGraphiQL: renderLocalGraphiQL,
    maskedErrors: { isDev: process.env.NODE_ENV === 'development', maskError: classifyError },
    maxRequestBodySize: requestLimits.maxRequestBodySize,
    ...options,
    plugins: [
      useUnsupportedMediaTypeError(),
      maxTokensPlugin({ n: requestLimits.maxTokens }),
      // Reported as validation errors (400, GRAPHQL_VALIDATION_FAILED) rather than thrown.
      maxDepthPlugin({
        n: requestLimits.maxDepth,
        flattenFragments: true,
        propagateOnRejection: false,
        onReject: [(context, error) => context?.reportError(error)],
      }),
      maxAliasesPlugin({
        n: requestLimits.maxAliases,
        propagateOnRejection: false,
        onReject: [(context, error) => context?.reportError(error)],
      }),
      // The log viewer at /eventlog, with a field for the demo's x-user-id header.
      eventLogViewer({ requestHeaders: true }),
      ...plugins,
    ],
    schema,
    context: async (initial) => ({
      prisma,
      replica,
      currentUser: await authenticate(prisma, header(initial, 'x-user-id')),
      requestId: requestIdFrom(header(initial, 'x-request-id')),
      eventLogListener,
    }),
  });
}

/**
 * GraphiQL with its scripts, styles and editor workers inlined in the page (9 MB), not
 * loaded from a CDN: it works offline. The bundle is imported on the first page view, so
 * a server that never serves GraphiQL does not load it.
 */
async function renderLocalGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  return renderGraphiQL(options);
}

/**
 * A POST body in a format yoga does not read gets 415 with an empty body from yoga; this
 * gives it a GraphQL error with a code, like every other refused request.
 */
function useUnsupportedMediaTypeError(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (request.method !== 'POST' || requestParser) return;
      setRequestParser(() => {
        throw createGraphQLError(
          'Send GraphQL requests as application/json (or application/graphql, form data).',
          { extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', http: { status: 415 } } },
        );
      });
    },
  };
}

async function authenticate(
  prisma: PrismaClient,
  header: string | null,
): Promise<CurrentUser | null> {
  if (header === null || header === '') return null;
  const id = /^[1-9][0-9]{0,9}$/.test(header) ? Number(header) : Number.NaN;
  const user =
    id <= maxUserId
      ? await prisma.user.findUnique({ where: { id }, select: { id: true, fullName: true } })
      : null;
  if (!user) {
    throw createGraphQLError('The x-user-id header does not name a user.', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
  return user;
}

/**
 * A request header over HTTP; over WebSocket (example/websocket.ts) the connection_init
 * payload's value of that name, else the upgrade request's header.
 */
function header(
  initial: { request?: Request } & WebSocketInitialContext,
  name: string,
): string | null {
  if (initial.request) return initial.request.headers.get(name);
  const param = initial.connectionParams?.[name];
  if (typeof param === 'string') return param;
  const upgrade = initial.req?.headers[name];
  return typeof upgrade === 'string' ? upgrade : null;
}

function requestIdFrom(header: string | null): string {
  return header && requestIdPattern.test(header) ? header : randomUUID();
}

/**
 * Yoga's error masking, plus a code for every error a client gets:
 * - the database cannot be reached (a restart, a terminated connection), or no pool connection
 *   became free in time (DATABASE_CONNECT_TIMEOUT_MS): `SERVICE_UNAVAILABLE`, answered with
 *   503 and Retry-After when the request could not start (no `path`: the x-user-id lookup);
 * - PostgreSQL refused a value of the request (data exception, SQLSTATE class 22: an id out
 *   of range, a NUL character): `BAD_USER_INPUT`;
 * - errors the schema or graphql-js raise for bad input without a code (an invalid global
 *   ID or cursor, a variable of the wrong type): `BAD_USER_INPUT`.
 * Anything else is `INTERNAL_SERVER_ERROR`, without details unless NODE_ENV=development.
 */
function classifyError(error: unknown, message: string, isDev?: boolean): Error {
  const path = error instanceof GraphQLError ? error.path : undefined;
  const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const detail =
    isDev && cause instanceof Error
      ? { originalError: { name: cause.name, message: cause.message, stack: cause.stack } }
      : {};
  if (isDatabaseUnavailable(error)) {
    return createGraphQLError('The database is not available; try again shortly.', {
      path,
      extensions: {
        code: 'SERVICE_UNAVAILABLE',
        ...(path ? {} : { http: { status: 503, headers: { 'retry-after': '1' } } }),
        ...detail,
      },
    });
  }
  if (isDataException(error)) {
    return createGraphQLError('A value of this request is out of range or cannot be stored.', {
      path,
      extensions: { code: 'BAD_USER_INPUT', ...detail },
    });
  }
  const masked = maskError(error, message, isDev);
  // The error itself, not a copy: yoga logs the errors it sees replaced, and these are the
  // client's, not the server's.
  if (masked instanceof GraphQLError) {
    const extensions = masked.extensions as Record<string, unknown>;
    if (extensions.code === undefined) extensions.code = 'BAD_USER_INPUT';
    shortenParserDetail(extensions, isDev);
  }
  return masked;
}

/** The most of a request parser's own message shown in development. */
const maxParserDetailLength = 200;

/**
 * Yoga's JSON body parser answers "POST body sent invalid JSON." with the SyntaxError as
 * `extensions.originalError`, whose message quotes the body: a 900 KB body of control
 * characters came back as 5.4 MB. Outside development it is dropped; in development its
 * message is cut to {@link maxParserDetailLength} characters.
 */
function shortenParserDetail(extensions: Record<string, unknown>, isDev?: boolean): void {
  const detail = extensions.originalError as { message?: unknown } | undefined;
  if (extensions.code !== 'BAD_REQUEST' || typeof detail !== 'object' || detail === null) return;
  if (!isDev) {
    delete extensions.originalError;
  } else if (typeof detail.message === 'string' && detail.message.length > maxParserDetailLength) {
    extensions.originalError = {
      ...detail,
      message: `${detail.message.slice(0, maxParserDetailLength - 1)}…`,
    };
  }
}

interface DriverErrorCause {
  kind?: string;
  code?: string;
  originalCode?: string;
}

/** The driver adapter's description of a database error, wherever Prisma put it. */
function driverCauses(error: unknown): DriverErrorCause[] {
  const causes: DriverErrorCause[] = [];
  let current = error as Record<string, unknown> | null | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    const meta = current.meta as { driverAdapterError?: { cause?: DriverErrorCause } } | undefined;
    if (meta?.driverAdapterError?.cause) causes.push(meta.driverAdapterError.cause);
    if (current.name === 'DriverAdapterError' && current.cause) {
      causes.push(current.cause as DriverErrorCause);
    }
    causes.push(current as DriverErrorCause);
    current = (current.originalError ?? current.cause) as Record<string, unknown> | undefined;
  }
  return causes;
}

const unreachableKinds = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
/** Connection exception (08), admin/crash shutdown, cannot connect now (57P01-57P03). */
const unreachableSqlState = /^(08...|57P0[123])$/;
/** Prisma: can't reach, timed out, closed connection, no connection from the pool in time. */
const unreachablePrismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

function isDatabaseUnavailable(error: unknown): boolean {
  return driverCauses(error).some(
    (cause) =>
      unreachableKinds.has(cause.kind ?? '') ||
      unreachableSqlState.test(cause.originalCode ?? '') ||
      (cause.kind === 'postgres' && unreachableSqlState.test(cause.code ?? '')) ||
      unreachablePrismaCodes.has(cause.code ?? '') ||
      // Prisma's maxWait: no pool connection for an interactive transaction in time.
      (cause.code === 'P2028' &&
        cause instanceof Error &&
        /Unable to start a transaction in the given time/.test(cause.message)) ||
      // node-postgres, on a connection that already failed; pg-pool, when no connection
      // became free within connectionTimeoutMillis (the pool is exhausted).
      (cause instanceof Error &&
        /^(Client has encountered a connection error|Connection terminated|timeout exceeded when trying to connect)/.test(
          cause.message,
        )),
  );
}

function isDataException(error: unknown): boolean {
  return driverCauses(error).some(
    (cause) =>
      cause.kind === 'ValueOutOfRange' ||
      cause.kind === 'InvalidInputValue' ||
      /^22...$/.test(cause.originalCode ?? '') ||
      (cause.kind === 'postgres' && /^22...$/.test(cause.code ?? '')),
  );
}
