import type { SchemaTypes } from '@pothos/core';
import { forbidden } from '../graphql-errors.js';
import type { ResolvedOptions } from '../options.js';
import type { EventLogFilter, EventLogPrismaClient } from '../types.js';
import { filterToWhere } from './filter.js';
import { type EventLogConnectionResult, findEventLogs } from './find-event-logs.js';
import { type PageArgs, parsePageArgs } from './pagination.js';

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
  return findEventLogs(options.client(context) as EventLogPrismaClient, where, page);
}
