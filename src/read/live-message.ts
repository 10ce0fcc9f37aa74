import { createContextCache, type SchemaTypes } from '@pothos/core';
import DataLoader from 'dataloader';
import type { ResolvedOptions } from '../options.js';
import {
  createKeyMatcher,
  DEFAULT_MASKED_KEYS,
  type KeyMatcher,
  REDACTED,
} from '../service/mask.js';
import { renderStoredTemplate } from '../service/template.js';
import type { EventLogRecord } from '../types.js';
import { createLiveValueLoader, type LiveValueKey } from './live-values.js';
import { primaryClient, readClient } from './read-client.js';

/**
 * Marks an entry of a live feed with the scope its message is rendered in. A subscription
 * keeps one context for its whole life: caches keyed on it would serve the first values
 * read forever and grow with every entry. Each delivered batch gets a scope of its own.
 */
export const LIVE_SCOPE = Symbol('pothos-eventlog live scope');

type Scope = { context: SchemaTypes['Context']; shared: object };

/**
 * Renders an entry's message from the current rows, under the read path's rules:
 * - a placeholder is read live only from a row whose trail the reader may read
 *   (`authorize(ctx, { objectType, objectId })`, asked once per row and request);
 * - a placeholder naming a field that is masked now is `[redacted]`, never read, whatever
 *   its snapshot says;
 * - otherwise, or when the row is gone, the snapshot taken at write time stands.
 */
export function createLiveMessage(options: ResolvedOptions) {
  // Current rows are the same for every reader: one loader per delivered batch, shared by
  // the subscribers it went to (per request otherwise). What a reader may read is its own.
  // A live feed's batch renders from the primary, which has the rows its entries were just
  // written with; a read of a query from where it read the entries.
  const liveValues = createContextCache((key: object) =>
    createLiveValueLoader(
      SCOPE_CONTEXTS.has(key)
        ? primaryClient(options, contextOf(key))
        : readClient(options, contextOf(key)),
      options.datamodel,
    ),
  );
  const mayRead = createContextCache(
    (scopeKey: object) =>
      new DataLoader<string, boolean>((keys) =>
        Promise.all(
          keys.map(async (key) => {
            const [objectType, objectId] = JSON.parse(key) as [string, string];
            const decision = await options.authorize(contextOf(scopeKey), {
              objectType,
              objectId,
              filter: { objectType, objectId },
            });
            return decision === true;
          }),
        ),
      ),
  );
  const defaultMasks = createKeyMatcher(DEFAULT_MASKED_KEYS);
  const masksByModel = new Map<string, KeyMatcher>();
  for (const [model, captured] of options.capture?.models ?? []) {
    masksByModel.set(model, createKeyMatcher(captured.masked));
  }
  const isMasked = (key: LiveValueKey) => {
    const matches = masksByModel.get(key.model) ?? defaultMasks;
    return key.path.some((segment) => matches(segment));
  };

  return async (entry: EventLogRecord, context: SchemaTypes['Context']): Promise<string> => {
    const refs = liveKeys(entry.values);
    if (refs.length === 0) return entry.message;
    const scope = (entry as { [LIVE_SCOPE]?: Scope })[LIVE_SCOPE];
    const cacheKey: object = scope ?? context;
    const current = new Map<string, unknown>();
    const readable: [string, LiveValueKey][] = [];
    const decisions = await mayRead(cacheKey).loadMany(
      refs.map(([, key]) => JSON.stringify([key.model, key.id])),
    );
    refs.forEach(([placeholder, key], index) => {
      if (isMasked(key)) current.set(placeholder, REDACTED);
      else if (decisions[index] === true) readable.push([placeholder, key]);
    });
    const values = await liveValues(scope ? scope.shared : context).loadMany(
      readable.map(([, key]) => key),
    );
    readable.forEach(([placeholder], index) => {
      const value = values[index];
      if (!(value instanceof Error)) current.set(placeholder, value);
    });
    try {
      return renderStoredTemplate(entry.template, entry.values, (key) => current.get(key));
    } catch {
      return entry.message;
    }
  };
}

function contextOf(key: object): SchemaTypes['Context'] {
  return SCOPE_CONTEXTS.get(key) ?? key;
}

/** The context of each scope and shared batch made by a live feed (see {@link liveScope}). */
const SCOPE_CONTEXTS = new WeakMap<object, SchemaTypes['Context']>();

/**
 * A fresh scope for one delivered batch of a subscription with this context; `shared` is the
 * same object for every subscriber the hub handed that batch to.
 */
export function liveScope(context: SchemaTypes['Context'], shared: object = {}): Scope {
  const scope = { context, shared };
  SCOPE_CONTEXTS.set(scope, context);
  if (!SCOPE_CONTEXTS.has(shared)) SCOPE_CONTEXTS.set(shared, context);
  return scope;
}

/** The placeholders of stored `values` that refer to rows. */
function liveKeys(values: unknown): [string, LiveValueKey][] {
  if (typeof values !== 'object' || values === null) return [];
  const keys: [string, LiveValueKey][] = [];
  for (const [placeholder, stored] of Object.entries(values)) {
    const { model, id, path } = (stored ?? {}) as Partial<LiveValueKey>;
    if (typeof model === 'string' && typeof id === 'string' && Array.isArray(path)) {
      keys.push([placeholder, { model, id, path }]);
    }
  }
  return keys;
}
