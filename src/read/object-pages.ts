import { createContextCache, type SchemaTypes } from '@pothos/core';
import DataLoader from 'dataloader';
import type { ResolvedOptions } from '../options.js';
import type { EventLogPrismaClient, EventLogRecord } from '../types.js';
import { hasEntriesBefore } from './oldest-entry.js';
import { type PageRequest, recentWindow } from './pagination.js';
import { readClient } from './read-client.js';

/** One object's page, as `t.eventLog()` asks for it. */
export interface ObjectPageKey {
  objectType: string;
  objectId: string;
  tool: string | null;
  action: string | null;
  page: PageRequest;
}

export type ObjectCountKey = Omit<ObjectPageKey, 'page'>;

export interface ObjectPageLoaders {
  /** The page's rows in read order, one more than the page size when there are more. */
  page: DataLoader<ObjectPageKey, EventLogRecord[], string>;
  count: DataLoader<ObjectCountKey, number, string>;
}

/**
 * Pages and counts of `t.eventLog()` under a list of parents, batched: the parents that ask
 * with the same arguments share one query for their pages (a LATERAL join on the object
 * index, each parent's page limited on its own) and one for their counts (each bounded on
 * its own by `maxExactCount`), whatever their number.
 */
export function objectPageLoaders(options: ResolvedOptions) {
  return createContextCache((context: SchemaTypes['Context']): ObjectPageLoaders => {
    const client = () => readClient(options, context);
    return {
      page: new DataLoader(
        async (keys) => {
          const groups = groupBy(keys, ({ objectId: _, ...rest }) => serialize(rest));
          const results = new Map<string, EventLogRecord[]>();
          await Promise.all(
            [...groups.values()].map(async (group) => {
              const rows = await readPages(client(), group);
              const byObject = new Map<string, EventLogRecord[]>();
              for (const row of rows) {
                const list = byObject.get(row.objectId as string);
                if (list) list.push(row);
                else byObject.set(row.objectId as string, [row]);
              }
              for (const key of group) results.set(pageKey(key), byObject.get(key.objectId) ?? []);
            }),
          );
          return keys.map((key) => results.get(pageKey(key)) ?? []);
        },
        { cacheKeyFn: pageKey },
      ),
      count: new DataLoader(
        async (keys) => {
          const groups = groupBy(keys, ({ objectId: _, ...rest }) => serialize(rest));
          const results = new Map<string, number>();
          await Promise.all(
            [...groups.values()].map(async (group) => {
              const rows = await readCounts(client(), group, options.maxExactCount);
              for (const row of rows) {
                results.set(
                  countKey({ ...(group[0] as ObjectCountKey), objectId: row.objectId }),
                  row.count,
                );
              }
            }),
          );
          return keys.map((key) => results.get(countKey(key)) ?? 0);
        },
        { cacheKeyFn: countKey },
      ),
    };
  });
}

/**
 * One statement for the counts of every object of a group (same type and filter), each read
 * on the object index up to the bound plus one when there is a bound.
 */
function readCounts(
  client: EventLogPrismaClient,
  group: ObjectCountKey[],
  maxExactCount: number | false,
): Promise<{ objectId: string; count: number }[]> {
  const { objectType, tool, action } = group[0] as ObjectCountKey;
  const params: unknown[] = [group.map((key) => key.objectId), objectType];
  const conditions = ['"objectType" = $2', '"objectId" = o.id'];
  if (tool != null) conditions.push(`tool = $${params.push(tool)}`);
  if (action != null) conditions.push(`action = $${params.push(action)}`);
  const limit = maxExactCount === false ? '' : ` LIMIT $${params.push(maxExactCount + 1)}::int`;
  return client.$queryRawUnsafe(
    `SELECT o.id AS "objectId", (SELECT count(*)::int FROM (
       SELECT 1 FROM event_log WHERE ${conditions.join(' AND ')}${limit}) e) AS count
     FROM unnest($1::text[]) AS o(id)`,
    ...params,
  );
}

/**
 * The pages of every object of a group (same type, filter and page): one statement over the
 * recent window (see `recentWindow`) for all of them, then, when the log has entries before
 * the window, one over those for the objects the window did not fill.
 */
async function readPages(
  client: EventLogPrismaClient,
  group: ObjectPageKey[],
): Promise<EventLogRecord[]> {
  const { page } = group[0] as ObjectPageKey;
  if (page.size === 0) return [];
  const ids = group.map((key) => key.objectId);
  // One object's statement names its id, so PostgreSQL plans with that object's own
  // statistics; under a LATERAL over many ids it guesses an average object, and for a busy
  // one a window would be read whole and sorted (17 ms at 180k entries, bench P2), not walked
  // down the index: a list of parents reads every month, as before.
  const window = ids.length === 1 ? recentWindow(page) : undefined;
  if (!window) return readPagesIn(client, group[0] as ObjectPageKey, ids);
  const recent = await readPagesIn(client, group[0] as ObjectPageKey, ids, { gte: window });
  const counts = new Map<string, number>();
  for (const row of recent) {
    counts.set(row.objectId as string, (counts.get(row.objectId as string) ?? 0) + 1);
  }
  const unfilled = ids.filter((id) => (counts.get(id) ?? 0) <= page.size);
  if (unfilled.length === 0) return recent;
  if (!(await hasEntriesBefore(client, window))) return recent;
  const older = await readPagesIn(client, group[0] as ObjectPageKey, unfilled, { lt: window });
  // Each object's older rows after its recent ones, up to the page size plus one.
  for (const row of older) {
    const id = row.objectId as string;
    const count = counts.get(id) ?? 0;
    if (count > page.size) continue;
    counts.set(id, count + 1);
    recent.push(row);
  }
  return recent;
}

/** One statement for the pages of `objectIds`, within a time range when one is given. */
function readPagesIn(
  client: EventLogPrismaClient,
  { objectType, tool, action, page }: ObjectPageKey,
  objectIds: string[],
  range?: { gte: Date } | { lt: Date },
): Promise<EventLogRecord[]> {
  const single = objectIds.length === 1;
  const params: unknown[] = [single ? objectIds[0] : objectIds, objectType];
  const param = (value: unknown, cast = '') => {
    params.push(value);
    return `$${params.length}${cast}`;
  };
  const conditions = ['"objectType" = $2', single ? '"objectId" = $1' : '"objectId" = o.id'];
  if (tool != null) conditions.push(`tool = ${param(tool)}`);
  if (action != null) conditions.push(`action = ${param(action)}`);
  if (range && 'gte' in range)
    conditions.push(`"timestamp" >= ${param(range.gte, '::timestamptz')}`);
  if (range && 'lt' in range) conditions.push(`"timestamp" < ${param(range.lt, '::timestamptz')}`);
  // The plain bound on "timestamp" beside the row comparison lets PostgreSQL skip the months
  // past the cursor (partition pruning does not read row comparisons).
  if (page.after) {
    const at = param(page.after.timestamp, '::timestamptz');
    conditions.push(
      `"timestamp" <= ${at}`,
      `("timestamp", id) < (${at}, ${param(page.after.id.toString(), '::bigint')})`,
    );
  }
  if (page.before) {
    const at = param(page.before.timestamp, '::timestamptz');
    conditions.push(
      `"timestamp" >= ${at}`,
      `("timestamp", id) > (${at}, ${param(page.before.id.toString(), '::bigint')})`,
    );
  }
  const order = page.direction === 'forward' ? 'DESC' : 'ASC';
  const limit = param(page.size + 1, '::int');
  const select = `SELECT * FROM event_log WHERE ${conditions.join(' AND ')}
       ORDER BY "timestamp" ${order}, id ${order} LIMIT ${limit}`;
  return client.$queryRawUnsafe<EventLogRecord[]>(
    single
      ? select
      : `SELECT e.* FROM unnest($1::text[]) AS o(id) CROSS JOIN LATERAL (${select}) e`,
    ...params,
  );
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function serialize(value: unknown): string {
  return JSON.stringify(value, (_key, inner) =>
    typeof inner === 'bigint' ? inner.toString() : inner,
  );
}

function countKey(key: ObjectCountKey): string {
  return serialize([key.objectType, key.objectId, key.tool, key.action]);
}

function pageKey(key: ObjectPageKey): string {
  return serialize([key.objectType, key.objectId, key.tool, key.action, key.page]);
}
