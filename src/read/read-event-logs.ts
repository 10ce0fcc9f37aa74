import type { SchemaTypes } from '@pothos/core';
import { forbidden } from '../graphql-errors.js';
import type { ResolvedOptions } from '../options.js';
import type { EventLogFilter } from '../types.js';
import { filterToWhere } from './filter.js';
import {
  boundedCount,
  type EventLogConnectionResult,
  findEventLogs,
  lazyConnection,
  toPage,
} from './find-event-logs.js';
import { objectPageLoaders } from './object-pages.js';
import { type PageArgs, parsePageArgs } from './pagination.js';
import { readClient } from './read-client.js';
import { reserveEntries } from './request-budget.js';

export interface ReadRequest {
  filter: EventLogFilter;
  page: PageArgs;
  /** Set when the entries of one object are read. */
  object?: { objectType: string; objectId: string | null };
}

/** Authorizes, checks the arguments, then reads one page. Nothing is read when denied. */
export async function readEventLogs(
  options: ResolvedOptions,
  context: SchemaTypes['Context'],
  request: ReadRequest,
): Promise<EventLogConnectionResult> {
  const filter = request.object ? { ...request.filter, ...request.object } : request.filter;
  const where = filterToWhere(filter);
  const page = parsePageArgs(request.page, {
    defaultSize: options.defaultPageSize,
    maxSize: options.maxPageSize,
  });
  const allowed = await options.authorize(context, {
    ...(request.object ?? {}),
    filter,
  });
  if (allowed !== true) throw forbidden();
  reserveEntries(options, context, page.size);
  const object = request.object;
  if (object && object.objectId !== null) {
    // t.eventLog() under a list of parents: one query for all their pages, one for counts.
    const loaders = loadersFor(options)(context);
    const key = {
      objectType: object.objectType,
      objectId: object.objectId,
      tool: request.filter.tool ?? null,
      action: request.filter.action ?? null,
    };
    return lazyConnection(
      async () => toPage(await loaders.page.load({ ...key, page }), page),
      async () => boundedCount(await loaders.count.load(key), options.maxExactCount),
    );
  }
  return findEventLogs(readClient(options, context), where, page, options.maxExactCount, filter);
}

const loadersByOptions = new WeakMap<ResolvedOptions, ReturnType<typeof objectPageLoaders>>();

function loadersFor(options: ResolvedOptions) {
  let loaders = loadersByOptions.get(options);
  if (!loaders) {
    loaders = objectPageLoaders(options);
    loadersByOptions.set(options, loaders);
  }
  return loaders;
}
