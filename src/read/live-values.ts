import DataLoader from 'dataloader';
import { type DataModel, modelMetadata, parseStoredId } from './model-metadata.js';

/** A placeholder that refers to a row: read `path` on row `id` of `model`. */
export interface LiveValueKey {
  model: string;
  id: string;
  path: readonly string[];
}

type Delegate = { findMany(args: object): Promise<Record<string, unknown>[]> };

/**
 * Reads the current value of placeholders that refer to rows, batched: one query per model
 * for a whole page of entries. A row that is gone, or a path that no longer exists, gives
 * `undefined`, and the caller falls back to the snapshot stored with the entry.
 */
export function createLiveValueLoader(client: unknown, datamodel: DataModel | undefined) {
  return new DataLoader<LiveValueKey, unknown, string>(
    async (keys) => {
      const byModel = new Map<string, { index: number; key: LiveValueKey }[]>();
      keys.forEach((key, index) => {
        const group = byModel.get(key.model) ?? [];
        group.push({ index, key });
        byModel.set(key.model, group);
      });
      const results: unknown[] = new Array(keys.length).fill(undefined);
      await Promise.all(
        [...byModel].map(async ([model, group]) => {
          const rows = await loadRows(
            client,
            datamodel,
            model,
            group.map(({ key }) => key),
          );
          for (const { index, key } of group) {
            results[index] = readPath(rows.get(key.id), key.path);
          }
        }),
      );
      return results;
    },
    { cacheKeyFn: (key) => `${key.model}\u0000${key.id}\u0000${key.path.join('.')}` },
  );
}

async function loadRows(
  client: unknown,
  datamodel: DataModel | undefined,
  model: string,
  keys: LiveValueKey[],
): Promise<Map<string, Record<string, unknown>>> {
  const rows = new Map<string, Record<string, unknown>>();
  const meta = modelMetadata(datamodel, model);
  const delegate = meta && (client as Record<string, Delegate | undefined>)[meta.delegate];
  if (!meta || typeof delegate?.findMany !== 'function') return rows;
  const ids = [...new Set(keys.map((key) => key.id))]
    .map((id) => parseStoredId(id, meta.idType))
    .filter((id) => id !== undefined);
  if (ids.length === 0) return rows;
  const select = selectForPaths(
    keys.map((key) => key.path),
    meta.idField,
  );
  try {
    const found = await delegate.findMany({ where: { [meta.idField]: { in: ids } }, select });
    for (const row of found) rows.set(String(row[meta.idField]), row);
  } catch {
    // The model or a field was renamed since the entry was written: snapshots stand in.
  }
  return rows;
}

/** `[['name'], ['owner', 'fullName']]` → `{ id: true, name: true, owner: { select: { fullName: true } } }` */
export function selectForPaths(paths: readonly (readonly string[])[], idField: string) {
  const select: Record<string, unknown> = { [idField]: true };
  for (const path of paths) {
    let level = select;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        if (level[segment] === undefined) level[segment] = true;
        return;
      }
      const existing = level[segment];
      const nested =
        typeof existing === 'object' && existing !== null
          ? (existing as { select: Record<string, unknown> })
          : { select: {} };
      level[segment] = nested;
      level = nested.select;
    });
  }
  return select;
}

function readPath(row: Record<string, unknown> | undefined, path: readonly string[]): unknown {
  let value: unknown = row;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value === null ? undefined : value;
}
