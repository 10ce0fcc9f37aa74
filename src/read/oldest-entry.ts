import type { EventLogPrismaClient } from '../types.js';

/** How long the time of a client's oldest entry is reused before it is read again. */
export const OLDEST_ENTRY_TTL_MS = 60_000;

const cache = new WeakMap<object, { readAt: number; oldest: Promise<Date | null> }>();

/**
 * The time of the oldest entry, read at most once a minute per client (one index probe per
 * partition): a newest-first page that its recent window does not fill reads the older months
 * only when there are entries before the window. Entries are stamped when they are written,
 * so the oldest only moves back when one is written with an explicit older timestamp; a page
 * sees such an entry within the minute.
 */
export function oldestEntry(client: EventLogPrismaClient, now = Date.now()): Promise<Date | null> {
  const cached = cache.get(client);
  if (cached && now - cached.readAt < OLDEST_ENTRY_TTL_MS) return cached.oldest;
  const oldest = client.eventLog
    .findMany({ orderBy: [{ timestamp: 'asc' }], select: { timestamp: true }, take: 1 })
    .then(([row]) => row?.timestamp ?? null);
  cache.set(client, { readAt: now, oldest });
  // A failed read is not kept: the next page asks again.
  oldest.catch(() => {
    if (cache.get(client)?.oldest === oldest) cache.delete(client);
  });
  return oldest;
}

/** Whether the log may hold entries before `time`, by the cached oldest entry. */
export async function hasEntriesBefore(client: EventLogPrismaClient, time: Date): Promise<boolean> {
  const oldest = await oldestEntry(client);
  return oldest !== null && oldest < time;
}
