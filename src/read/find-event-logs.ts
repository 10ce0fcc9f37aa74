import type { EventLogPrismaClient, EventLogRecord } from '../types.js';
import { hasEntriesBefore } from './oldest-entry.js';
import { cursorWhere, encodeCursor, type PageRequest, recentWindow } from './pagination.js';

export interface EventLogPageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface EventLogPage {
  edges: { cursor: string; node: EventLogRecord }[];
  pageInfo: EventLogPageInfo;
}

/** A count read up to a bound: `value` is at most the bound, `exact` false past it. */
export interface EventLogCount {
  value: number;
  exact: boolean;
}

/** Each part is read only when a client selects it, and at most once. */
export interface EventLogConnectionResult {
  edges: Promise<EventLogPage['edges']>;
  pageInfo: Promise<EventLogPageInfo>;
  totalCount: () => Promise<EventLogCount>;
}

const newestFirst = [{ timestamp: 'desc' }, { id: 'desc' }] as const;
const oldestFirst = [{ timestamp: 'asc' }, { id: 'asc' }] as const;

/** Entries newest first, by keyset pagination on (timestamp, id). */
export function findEventLogs(
  client: EventLogPrismaClient,
  where: Record<string, unknown>,
  page: PageRequest,
  maxExactCount: number | false,
  range: { since?: Date | null; until?: Date | null } = {},
): EventLogConnectionResult {
  return lazyConnection(
    () => readPage(client, where, page, recentWindow(page, range)),
    async () =>
      boundedCount(
        // With take, Prisma counts in a subquery with LIMIT, and orders it (by id unless told):
        // the pages' order lets the filter's own index serve it, without a sort.
        await client.eventLog.count(
          maxExactCount === false
            ? { where }
            : { where, orderBy: newestFirst, take: maxExactCount + 1 },
        ),
        maxExactCount,
      ),
  );
}

/** A count read with a LIMIT of the bound plus one, as clients see it. */
export function boundedCount(counted: number, maxExactCount: number | false): EventLogCount {
  return maxExactCount !== false && counted > maxExactCount
    ? { value: maxExactCount, exact: false }
    : { value: counted, exact: true };
}

/** A connection whose page and count are each read when first selected, and once. */
export function lazyConnection(
  readPageOnce: () => Promise<EventLogPage>,
  countOnce: () => Promise<EventLogCount>,
): EventLogConnectionResult {
  let rows: Promise<EventLogPage> | undefined;
  let count: Promise<EventLogCount> | undefined;
  const loadPage = () => {
    rows ??= readPageOnce();
    return rows;
  };
  return {
    get edges() {
      return loadPage().then((result) => result.edges);
    },
    get pageInfo() {
      return loadPage().then((result) => result.pageInfo);
    },
    totalCount: () => {
      count ??= countOnce();
      return count;
    },
  };
}

async function readPage(
  client: EventLogPrismaClient,
  where: Record<string, unknown>,
  page: PageRequest,
  window: Date | undefined,
): Promise<EventLogPage> {
  if (page.size === 0) return toPage([], page);
  const bounds = [
    where,
    ...(page.after ? [cursorWhere(page.after, 'lt')] : []),
    ...(page.before ? [cursorWhere(page.before, 'gt')] : []),
  ];
  const read = (extra: object[], take: number) =>
    client.eventLog.findMany({
      where: { AND: [...bounds, ...extra] },
      orderBy: page.direction === 'forward' ? newestFirst : oldestFirst,
      take,
    });
  if (!window) return toPage(await read([], page.size + 1), page);
  // Newest first: the window's entries all come before the older ones.
  const recent = await read([{ timestamp: { gte: window } }], page.size + 1);
  if (recent.length > page.size) return toPage(recent, page);
  if (!(await hasEntriesBefore(client, window))) return toPage(recent, page);
  const older = await read([{ timestamp: { lt: window } }], page.size + 1 - recent.length);
  return toPage([...recent, ...older], page);
}

/** A page from rows read in the page's order, one more than its size when there are more. */
export function toPage(rows: EventLogRecord[], page: PageRequest): EventLogPage {
  const forward = page.direction === 'forward';
  const hasMore = rows.length > page.size;
  const pageRows = rows.slice(0, page.size);
  if (!forward) pageRows.reverse();
  const edges = pageRows.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? hasMore : page.before != null,
      hasPreviousPage: forward ? page.after != null : hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
