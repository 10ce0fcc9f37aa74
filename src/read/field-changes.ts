export interface FieldChange {
  /** Dotted path of the changed leaf, e.g. `items.2.quantity`. */
  path: string;
  old: unknown;
  new: unknown;
}

/** One change per changed leaf of a `{ old_value, new_value }` diff, in a stable order. */
export function fieldChanges(changes: unknown): FieldChange[] {
  if (!isPlainObject(changes)) return [];
  const result: FieldChange[] = [];
  walk(changes.old_value, changes.new_value, [], result);
  return result;
}

function walk(oldValue: unknown, newValue: unknown, path: string[], out: FieldChange[]) {
  // An object on one side only (an added or removed item) still yields one change per leaf.
  const bothObjects =
    (isPlainObject(oldValue) || oldValue == null) &&
    (isPlainObject(newValue) || newValue == null) &&
    (oldValue != null || newValue != null);
  if (bothObjects) {
    oldValue ??= {};
    newValue ??= {};
    const oldObject = oldValue as Record<string, unknown>;
    const newObject = newValue as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(oldObject), ...Object.keys(newObject)])].sort();
    for (const key of keys) {
      walk(oldObject[key] ?? null, newObject[key] ?? null, [...path, key], out);
    }
    return;
  }
  if (path.length === 0) return;
  out.push({ path: path.join('.'), old: oldValue ?? null, new: newValue ?? null });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
