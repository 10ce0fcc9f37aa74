import { createContextCache, type SchemaTypes } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { ResolvedOptions } from '../options.js';

const spent = createContextCache(() => ({ entries: 0 }));

/**
 * Counts the entries one request asks for, page by page (`eventLogs` and every `eventLog`
 * field), and refuses a page that would take it past `maxEntriesPerRequest`, before it is
 * read. The refused field answers null with TOO_MANY_EVENT_LOGS; what fit stays.
 */
export function reserveEntries(
  options: ResolvedOptions,
  context: SchemaTypes['Context'],
  size: number,
) {
  const budget = spent(context);
  if (budget.entries + size > options.maxEntriesPerRequest) {
    throw new GraphQLError(
      `This request asks for more than ${options.maxEntriesPerRequest} event log entries in all (eventLog.maxEntriesPerRequest): ask for smaller pages or fewer objects, and page with after.`,
      { extensions: { code: 'TOO_MANY_EVENT_LOGS' } },
    );
  }
  budget.entries += size;
}
