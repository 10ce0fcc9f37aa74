import { badInput } from '../graphql-errors.js';
import type { EventLogFilter } from '../types.js';

const maxLengths: Record<string, number> = {
  tool: 100,
  action: 100,
  objectType: 100,
  objectId: 255,
  actorId: 255,
};

/** Checks a filter from a client and turns it into a Prisma `where`. */
export function filterToWhere(filter: EventLogFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  for (const [key, max] of Object.entries(maxLengths)) {
    const value = filter[key as keyof EventLogFilter];
    if (value == null) continue;
    if (typeof value !== 'string') throw badInput(`${key} must be a string.`);
    if (value.length > max) {
      throw badInput(`${key} is longer than ${max} characters (${value.length}).`);
    }
    if (value.includes('\u0000')) throw badInput(`${key} contains a NUL character (U+0000).`);
    where[key] = value;
  }
  const { since, until } = filter;
  if (since && until && since.getTime() > until.getTime()) {
    throw badInput(`since (${since.toISOString()}) is later than until (${until.toISOString()}).`);
  }
  if (since || until) {
    where.timestamp = { ...(since ? { gte: since } : {}), ...(until ? { lte: until } : {}) };
  }
  return where;
}
