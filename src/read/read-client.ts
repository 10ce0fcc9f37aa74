import type { SchemaTypes } from '@pothos/core';
import type { ResolvedOptions } from '../options.js';
import type { EventLogPrismaClient } from '../types.js';

/** What `@prisma/extension-read-replicas` adds to a client. */
interface ReplicaRouting {
  $primary?: unknown;
  $replica?: unknown;
}

/** Contexts of mutation operations: their reads must see the entries their writes made. */
const writing = new WeakSet<object>();

/** Marks the context of a mutation operation (before its first root field resolves). */
export function markWriting(context: SchemaTypes['Context']): void {
  if (typeof context === 'object' && context !== null) writing.add(context);
}

/**
 * The client of a log read in this context: `readClient` for a query, the primary for a
 * mutation (read-your-writes) or when there is no `readClient`. A read-replicas client is
 * read through its `$replica()`, whose raw queries go to the replica too.
 */
export function readClient(
  options: ResolvedOptions,
  context: SchemaTypes['Context'],
): EventLogPrismaClient {
  if (!options.readClient || writing.has(context)) return primaryClient(options, context);
  const client = options.readClient(context) as (EventLogPrismaClient & ReplicaRouting) | null;
  if (typeof client !== 'object' || client === null) {
    throw new Error(
      'pothos-eventlog: eventLog.readClient(context) returned no client: return the Prisma client log reads go to, e.g. (ctx) => ctx.prisma.$replica(), or (ctx) => ctx.replica ?? ctx.prisma when some servers have no replica.',
    );
  }
  return typeof client.$replica === 'function'
    ? (client.$replica() as EventLogPrismaClient)
    : client;
}

/**
 * `client`, through its `$primary()` when it is extended with read replicas: the extension
 * would send its findMany to a replica that may not have replayed the entries yet.
 */
export function primaryClient(
  options: ResolvedOptions,
  context: SchemaTypes['Context'],
): EventLogPrismaClient {
  const client = options.client(context) as EventLogPrismaClient & ReplicaRouting;
  return typeof client.$primary === 'function'
    ? (client.$primary() as EventLogPrismaClient)
    : client;
}
