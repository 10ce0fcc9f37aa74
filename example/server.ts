// The example GraphQL server: the schema of example/schema over graphql-yoga, with a
// demo authentication that trusts an `x-user-id` header. Not for production use as is.
import { randomUUID } from 'node:crypto';
import {
  createGraphQLError,
  createYoga,
  type YogaServerInstance,
  type YogaServerOptions,
} from 'graphql-yoga';
import type { Context, CurrentUser } from './context.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { schema } from './schema/index.js';

// biome-ignore lint/complexity/noBannedTypes: yoga's own default for the server context.
type ServerContext = {};

export type ServerOptions = Omit<
  YogaServerOptions<ServerContext, Context>,
  'schema' | 'context'
> & {
  prisma: PrismaClient;
};

export type Server = YogaServerInstance<ServerContext, Context>;

/** The largest value of a PostgreSQL `integer`, the type of `User.id`. */
const maxUserId = 2_147_483_647;
const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Creates the example's yoga instance. Every option but `prisma` is passed on to
 * `createYoga`, so plugins (depth limit, ...) can be added by the caller.
 */
export function createServer({ prisma, ...options }: ServerOptions): Server {
  return createYoga<ServerContext, Context>({
    graphqlEndpoint: '/graphql',
    graphiql: true,
    maskedErrors: { isDev: process.env.NODE_ENV === 'development' },
    ...options,
    schema,
    context: async ({ request }) => ({
      prisma,
      currentUser: await authenticate(prisma, request.headers.get('x-user-id')),
      requestId: requestIdFrom(request.headers.get('x-request-id')),
    }),
  });
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

function requestIdFrom(header: string | null): string {
  return header && requestIdPattern.test(header) ? header : randomUUID();
}
