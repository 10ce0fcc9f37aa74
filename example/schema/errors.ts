import { createGraphQLError } from 'graphql-yoga';
import type { Context, CurrentUser } from '../context.js';

export function badInput(message: string) {
  return createGraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function notFound(message: string) {
  return createGraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

/** Mutations need a signed-in user (demo authentication: the `x-user-id` header). */
export function requireUser(ctx: Context): CurrentUser {
  if (!ctx.currentUser) {
    throw createGraphQLError('Sign in to change data: send the x-user-id header.', {
      extensions: { code: 'UNAUTHENTICATED' },
    });
  }
  return ctx.currentUser;
}

/** Prisma's "record to update/delete not found". */
export function isRecordNotFound(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'P2025';
}
