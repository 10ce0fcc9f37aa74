import type { EventLogEntry } from './api.js';

/** The value the capture writes for a masked field. */
export const REDACTED = '[redacted]';

export type ItemMark = 'added' | 'removed';

export interface DiffRow {
  /** Dotted path as the API gives it, e.g. `items.2.quantity`. */
  path: string;
  old: unknown;
  new: unknown;
  /** Set when the row belongs to a nested item that the change added or removed. */
  item?: { path: string; mark: ItemMark };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The nested items an entry's `changes` added or removed: an object on one side whose key
 * is null or absent on the other, below a field (`items.7`, not a top-level field).
 */
export function itemMarks(changes: unknown): Map<string, ItemMark> {
  const marks = new Map<string, ItemMark>();
  if (!isObject(changes)) return marks;
  const walk = (oldValue: unknown, newValue: unknown, path: string[]) => {
    if (!isObject(oldValue) && !isObject(newValue)) return;
    if (path.length >= 2 && oldValue == null) {
      marks.set(path.join('.'), 'added');
      return;
    }
    if (path.length >= 2 && newValue == null) {
      marks.set(path.join('.'), 'removed');
      return;
    }
    const oldObject = isObject(oldValue) ? oldValue : {};
    const newObject = isObject(newValue) ? newValue : {};
    for (const key of new Set([...Object.keys(oldObject), ...Object.keys(newObject)])) {
      walk(oldObject[key], newObject[key], [...path, key]);
    }
  };
  walk(changes.old_value, changes.new_value, []);
  return marks;
}

/** One row per changed leaf, each tagged with the added or removed item it belongs to. */
export function diffRows(entry: Pick<EventLogEntry, 'changes' | 'fieldChanges'>): DiffRow[] {
  const marks = itemMarks(entry.changes);
  return entry.fieldChanges.map((change) => {
    const row: DiffRow = { path: change.path, old: change.old, new: change.new };
    for (const [path, mark] of marks) {
      if (change.path === path || change.path.startsWith(`${path}.`)) row.item = { path, mark };
    }
    return row;
  });
}

export const isMasked = (value: unknown) => value === REDACTED;
