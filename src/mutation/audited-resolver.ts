import type { SchemaTypes } from '@pothos/core';
import { type GraphQLFieldResolver, type GraphQLResolveInfo, responsePathAsArray } from 'graphql';
import { isEventLogError } from '../errors.js';
import { entryRefused } from '../graphql-errors.js';
import type { ResolvedOptions } from '../options.js';
import { type ModelMetadata, modelMetadata } from '../read/model-metadata.js';
import { createDiffSchema, DEFAULT_EXCLUDED_KEYS, type DiffSchema } from '../service/diff.js';
import {
  type EventLogActor,
  EventLogService,
  type LogEntry,
} from '../service/event-log-service.js';
import { objectRef } from '../service/object-ref.js';
import type { EventLogMutationModelOptions } from '../types.js';
import { lockRows, normalizeIds, readRows } from './row-state.js';
import { contextWithClient, isTransactionClient } from './transaction-context.js';

type Row = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: the option is checked per model where it is declared
type MutationOptions = EventLogMutationModelOptions<SchemaTypes, string, any, any>;
type Resolver = GraphQLFieldResolver<unknown, SchemaTypes['Context'], object>;
// biome-ignore lint/suspicious/noExplicitAny: Prisma clients are used structurally
type Client = any;

/**
 * Wraps a mutation resolver: one transaction (or the one already open) holds the row lock,
 * the before-state, the resolver's own writes, the after-state and the entries, so an entry
 * is written if and only if its change commits.
 */
export function auditedResolver(
  resolver: Resolver,
  mutation: MutationOptions,
  meta: ModelMetadata,
  options: ResolvedOptions,
): Resolver {
  // The table name (`@@map`) is known only to the client: read once, at the first call.
  let metaWithTable: ModelMetadata | undefined;
  const service = new EventLogService({
    maskedKeys: [...options.maskedKeys, ...(mutation.mask ?? [])],
    maxChangesBytes: options.maxChangesBytes,
  });
  const action = mutation.action ?? (mutation.id ? 'update' : 'create');
  const template =
    mutation.message ?? `${mutation.model} {object__${meta.idField}} was ${pastTense(action)}.`;
  const objectKey = meta.delegate;

  return async (parent, args, context, info) => {
    const root: Client = options.client(context);
    metaWithTable ??= modelMetadata(options.datamodel, mutation.model, root) ?? meta;
    const model = metaWithTable;
    const actor = await options.actor(context);
    const entryContext = requestContext(options, context, info);
    const run = async (tx: Client) => {
      const ids = normalizeIds(mutation.id?.(args, context));
      await lockRows(tx, model, ids);
      const before = await readRows(tx, model, ids, mutation.include);
      const result = await resolver(parent, args, contextWithClient(context, root, tx), info);
      const changedIds = ids.length
        ? ids
        : normalizeIds((mutation.resultId ?? defaultResultId)(result as never));
      const after =
        action === 'delete' ? new Map() : await readRows(tx, model, changedIds, mutation.include);
      const entries: LogEntry[] = [];
      for (const id of changedIds) {
        const oldRow = before.get(id) ?? null;
        const newRow = after.get(id) ?? null;
        if (!oldRow && !newRow) continue;
        const changes = diffRows(oldRow, newRow, mutation.exclude);
        if (mutation.skipUnchanged && isEmptyDiff(changes)) continue;
        const row = (newRow ?? oldRow) as Row;
        const ref = objectRef(mutation.model, { ...row, id: row[meta.idField] });
        const extra = await mutation.values?.({
          args,
          context,
          info,
          actor,
          before: oldRow as never,
          after: newRow as never,
        });
        entries.push({
          templateMessage: template,
          values: { object: ref, [objectKey]: ref, actor: actorValue(actor), ...extra },
          object: { model: mutation.model, id },
          actor,
          tool: mutation.tool,
          action,
          changes,
          context: entryContext,
        });
      }
      if (entries.length > 0) {
        try {
          await service.logMany(entries, { client: tx });
        } catch (error) {
          throw isEventLogError(error) ? entryRefused(error) : error;
        }
      }
      return result;
    };
    if (isTransactionClient(root)) return run(root);
    return root.$transaction(run, options.transaction);
  };
}

function defaultResultId(result: unknown) {
  const id = (result as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? id : null;
}

/**
 * A create has `old_value: {}` and a delete `new_value: {}`. Lists of related rows are
 * diffed against an empty list, so that their items come out keyed by id in both cases.
 */
function diffRows(
  oldRow: Row | null,
  newRow: Row | null,
  exclude: string[] | undefined,
): DiffSchema {
  const options = { excludeKeys: exclude };
  if (oldRow && newRow) return createDiffSchema(oldRow, newRow, options);
  if (newRow) {
    const state = createDiffSchema(emptyLike(newRow), newRow, options).new_value;
    return { old_value: {}, new_value: { ...nullColumns(newRow, exclude), ...state } };
  }
  const state = createDiffSchema(oldRow, emptyLike(oldRow as Row), options).old_value;
  return { old_value: { ...nullColumns(oldRow as Row, exclude), ...state }, new_value: {} };
}

/** Columns that are null: part of a created or deleted state, though never a "change". */
function nullColumns(row: Row, exclude: string[] | undefined): Row {
  const excluded = new Set([...DEFAULT_EXCLUDED_KEYS, ...(exclude ?? [])]);
  return Object.fromEntries(
    Object.entries(row)
      .filter(([key, value]) => value === null && !excluded.has(key))
      .map(([key]) => [key, null]),
  );
}

function emptyLike(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row)
      .filter(([, value]) => Array.isArray(value))
      .map(([key]) => [key, []]),
  );
}

function isEmptyDiff(changes: DiffSchema) {
  return Object.keys(changes.old_value).length === 0 && Object.keys(changes.new_value).length === 0;
}

function actorValue(actor: EventLogActor | null) {
  return actor ? { id: String(actor.id), name: actor.name ?? null } : { id: null, name: null };
}

function requestContext(
  options: ResolvedOptions,
  context: SchemaTypes['Context'],
  info: GraphQLResolveInfo,
) {
  return {
    requestId: options.requestId?.(context) ?? null,
    operationName: info.operation.name?.value ?? null,
    path: responsePathAsArray(info.path).join('.'),
  };
}

function pastTense(action: string) {
  return action.endsWith('e') ? `${action}d` : `${action}ed`;
}
