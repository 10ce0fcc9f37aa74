import type { EventLogPrismaClient, EventLogRecord } from '../types.js';
import { cursorWhere, encodeCursor, type PageRequest } from './pagination.js';

export interface EventLogConnectionResult {
  edges: { cursor: string; node: EventLogRecord }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  /** Counted only when a client selects it. */
  totalCount: () => Promise<number>;
}

const newestFirst = [{ timestamp: 'desc' }, { id: 'desc' }] as const;
const oldestFirst = [{ timestamp: 'asc' }, { id: 'asc' }] as const;

/** One page of entries, newest first, by keyset pagination on (timestamp, id). */
export async function findEventLogs(
  client: EventLogPrismaClient,
  where: Record<string, unknown>,
  page: PageRequest,
): Promise<EventLogConnectionResult> {
  const bounds = [
    ...(page.after ? [cursorWhere(page.after, 'lt')] : []),
    ...(page.before ? [cursorWhere(page.before, 'gt')] : []),
  ];
  const forward = page.direction === 'forward';
  const rows =
    page.size === 0
      ? []
      : await client.eventLog.findMany({
          where: bounds.length ? { AND: [where, ...bounds] } : where,
          orderBy: forward ? newestFirst : oldestFirst,
          take: page.size + 1,
        });
  const hasMore = rows.length > page.size;
  const pageRows = rows.slice(0, page.size);
  if (!forward) pageRows.reverse();
  const edges = pageRows.map((node) => ({ cursor: encodeCursor(node), node }));
  let count: Promise<number> | undefined;
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? hasMore : page.before != null,
      hasPreviousPage: forward ? page.after != null : hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: () => {
      count ??= client.eventLog.count({ where });
      return count;
    },
  };
}
