import { badInput } from '../graphql-errors.js';

/** Position of an entry in the newest-first order: timestamp, then id. */
export interface EventLogCursor {
  timestamp: Date;
  id: bigint;
}

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface PageRequest {
  direction: 'forward' | 'backward';
  size: number;
  after: EventLogCursor | null;
  before: EventLogCursor | null;
}

const CURSOR_PREFIX = 'EventLog:';

/** Largest PostgreSQL `bigint`, the type of `EventLog.id`. */
export const MAX_BIGINT = 9_223_372_036_854_775_807n;

export function encodeCursor(entry: EventLogCursor): string {
  return Buffer.from(`${CURSOR_PREFIX}${entry.timestamp.getTime()}:${entry.id}`).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string, argName: string): EventLogCursor {
  const invalid = () =>
    badInput(`${argName} is not a cursor of an event log listing: "${truncate(cursor)}".`);
  if (cursor.length > 200 || !/^[A-Za-z0-9_=-]+$/.test(cursor)) throw invalid();
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^EventLog:(\d{1,15}):(\d{1,19})$/.exec(decoded);
  const id = match ? BigInt(match[2] as string) : null;
  if (!match || id === null || id > MAX_BIGINT) throw invalid();
  return { timestamp: new Date(Number(match[1])), id };
}

export function parsePageArgs(
  args: PageArgs,
  limits: { defaultSize: number; maxSize: number },
): PageRequest {
  const { first, last } = args;
  if (first != null && last != null) {
    throw badInput('Pass either first or last, not both.');
  }
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value == null) continue;
    if (!Number.isInteger(value) || value < 0) {
      throw badInput(`${name} must be a whole number from 0 to ${limits.maxSize}; got ${value}.`);
    }
    if (value > limits.maxSize) {
      throw badInput(`${name} must be at most ${limits.maxSize}; got ${value}.`);
    }
  }
  return {
    direction: last != null ? 'backward' : 'forward',
    size: last ?? first ?? limits.defaultSize,
    after: args.after != null ? decodeCursor(args.after, 'after') : null,
    before: args.before != null ? decodeCursor(args.before, 'before') : null,
  };
}

/**
 * Prisma `where` for entries strictly older (`lt`) or newer (`gt`) than the cursor. The
 * plain bound on `timestamp` beside the OR lets PostgreSQL skip the months past the cursor
 * (partition pruning) and start the index scan there.
 */
export function cursorWhere(cursor: EventLogCursor, op: 'lt' | 'gt') {
  return {
    timestamp: { [op === 'lt' ? 'lte' : 'gte']: cursor.timestamp },
    OR: [
      { timestamp: { [op]: cursor.timestamp } },
      { timestamp: cursor.timestamp, id: { [op]: cursor.id } },
    ],
  };
}

/**
 * Where a newest-first page reads first: from the start of the month before its anchor (the
 * cursor, `until`, else now), so that a page the recent months fill opens their partitions
 * alone, not one per month of the log; the rest is read only when they do not fill it.
 * Undefined when there is nothing to gain: a backward page, an empty one, or a `since` inside
 * the window already.
 */
export function recentWindow(
  page: PageRequest,
  filter: { since?: Date | null; until?: Date | null } = {},
  now = new Date(),
): Date | undefined {
  if (page.direction !== 'forward' || page.size === 0) return undefined;
  const anchor = Math.min(
    page.after?.timestamp.getTime() ?? now.getTime(),
    filter.until?.getTime() ?? Number.POSITIVE_INFINITY,
  );
  const at = new Date(anchor);
  const start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1);
  if (filter.since && filter.since.getTime() >= start) return undefined;
  return new Date(start);
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
