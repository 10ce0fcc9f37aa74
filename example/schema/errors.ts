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

const maxIntId = 2_147_483_647;

/** The database id inside a decoded global ID, or undefined when no row can have it. */
export function parseDatabaseId(id: string): number | undefined {
  if (!/^[1-9]\d{0,9}$/.test(id)) return undefined;
  const value = Number(id);
  return value <= maxIntId ? value : undefined;
}

/** Like parseDatabaseId, for mutations: an id no row can have is NOT_FOUND. */
export function requireDatabaseId(id: string, type: string): number {
  const value = parseDatabaseId(id);
  if (value === undefined) throw notFound(`No ${type.toLowerCase()} with id ${id}.`);
  return value;
}
