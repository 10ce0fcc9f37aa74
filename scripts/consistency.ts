// The audit trail's consistency, read from the database alone: no change without its entry,
// no entry without its change. Used by `npm run load`, the fault tests and the capture tests.
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { DEFAULT_EXCLUDED_KEYS } from '../src/service/diff.js';

export interface ConsistencyReport {
  certificates: number;
  entries: number;
  /** `new_value.name` of every Certificate entry: the names the trail says were written. */
  entryNames: Map<string, { objectId: string; actorId: string | null; tool: string }>;
  /** One line per inconsistency; empty when the trail and the table agree. */
  problems: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type State = { [key: string]: Json };

interface EntryRow {
  id: string;
  action: string;
  tool: string;
  objectId: string | null;
  actorId: string | null;
  changes: { old_value?: State; new_value?: State } | null;
  context: { op?: string } | null;
}

/** Keys the capture leaves out of a Certificate's state, and out of its items' (with the foreign key). */
const excluded = new Set(DEFAULT_EXCLUDED_KEYS);
const itemExcluded = new Set([...DEFAULT_EXCLUDED_KEYS, 'certificateId']);

/**
 * Replays the entries of every certificate, oldest first (`timestamp`, then `id`), and
 * compares the result with the table. The capture triggers log every write, whoever made it
 * (the API, a script, psql, the seed's `create` entries), so every row must be explained by
 * its entries alone. The state of a certificate is its row as the capture sees it: the
 * fields without `id`, `createdAt` and `updatedAt`, and its items folded in as `items.{id}`
 * (without `id` and `certificateId`).
 * - a `create` (the `op` of the entry's context, else its action) must come first and hold
 *   the whole state; an entry of any other kind needs an existing certificate;
 * - each update's `old_value` must be what the previous entries left: an entry whose change
 *   was rolled back, or a change committed without its entry, breaks this chain; its
 *   `new_value` is then applied (`items.{id}: null` removes an item);
 * - a `delete` must start from the whole state the trail had;
 * - the state the last entry left must be the row in the table, and a certificate without
 *   a `delete` entry must still exist.
 */
export async function checkConsistency(sql: pg.Client): Promise<ConsistencyReport> {
  const certificates = await sql.query<{ id: number; state: State }>(
    `SELECT c.id, to_jsonb(c) || jsonb_build_object('items', coalesce(
              (SELECT jsonb_object_agg(i.id::text, to_jsonb(i)) FROM "CertificateItem" i
               WHERE i."certificateId" = c.id), '{}')) AS state
     FROM "Certificate" c ORDER BY c.id`,
  );
  // Ordered by the bigint id: a bare `id` would name the text column of the select list.
  const entries = await sql.query<EntryRow>(
    `SELECT id::text, action, tool, "objectId", "actorId", changes, context FROM event_log
     WHERE "objectType" = 'Certificate' ORDER BY event_log.timestamp, event_log.id`,
  );
  const problems: string[] = [];
  const entryNames: ConsistencyReport['entryNames'] = new Map();
  const byObject = new Map<string, EntryRow[]>();
  for (const entry of entries.rows) {
    const key = entry.objectId ?? '(null)';
    byObject.set(key, [...(byObject.get(key) ?? []), entry]);
    const name = entry.changes?.new_value?.name;
    if (typeof name === 'string') {
      if (entryNames.has(name)) problems.push(`two entries wrote the name "${name}"`);
      entryNames.set(name, { objectId: key, actorId: entry.actorId, tool: entry.tool });
    }
  }
  const current = new Map(certificates.rows.map((row) => [String(row.id), tableState(row.state)]));
  for (const id of new Set([...current.keys(), ...byObject.keys()])) {
    let state: State | null = null;
    for (const entry of byObject.get(id) ?? []) {
      const where = `certificate ${id}, entry ${entry.id} (${entry.action})`;
      const op = entry.context?.op ?? entry.action;
      const oldValue = entry.changes?.old_value ?? {};
      const newValue = entry.changes?.new_value ?? {};
      if (op === 'create') {
        if (state) problems.push(`${where}: created twice`);
        // A certificate created without items has no `items` in its entry.
        state = { items: {}, ...structuredClone(newValue) };
      } else if (!state) {
        problems.push(`${where}: entry for a certificate that did not exist`);
      } else if (op === 'delete') {
        const left = differences(state, { items: {}, ...oldValue });
        if (left.length) problems.push(`${where}: deletes another state: ${left.join('; ')}`);
        state = null;
      } else {
        const broken = mismatches(oldValue, state);
        if (broken.length) problems.push(`${where}: starts from ${broken.join('; ')}`);
        state = apply(state, newValue);
      }
    }
    const actual = current.get(id);
    if (state && !actual) problems.push(`certificate ${id}: gone without a delete entry`);
    if (!state && actual) {
      problems.push(
        `certificate ${id} (${JSON.stringify(actual.name)}): exists without a create entry`,
      );
    }
    if (state && actual) {
      for (const difference of differences(actual, state)) {
        problems.push(`certificate ${id}: the table and its entries differ: ${difference}`);
      }
    }
  }
  return {
    certificates: certificates.rows.length,
    entries: entries.rows.length,
    entryNames,
    problems,
  };
}

/** The row as the capture sees it: without the excluded keys, items without theirs. */
function tableState(row: State): State {
  const state: State = {};
  for (const [key, value] of Object.entries(row)) {
    if (!excluded.has(key)) state[key] = value;
  }
  const items: State = {};
  for (const [id, item] of Object.entries((row.items ?? {}) as State)) {
    items[id] = Object.fromEntries(
      Object.entries(item as State).filter(([key]) => !itemExcluded.has(key)),
    );
  }
  state.items = items;
  return state;
}

const isObject = (value: Json | undefined): value is State =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where a partial `old_value` disagrees with the state; `null` below the top level means absent. */
function mismatches(old: State, state: State, path = ''): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(old)) {
    const here = `${path}${key}`;
    const actual = state[key];
    if (isObject(value) && isObject(actual)) {
      found.push(...mismatches(value, actual, `${here}.`));
    } else if (value === null && path !== '' ? actual != null : !isDeepStrictEqual(value, actual)) {
      found.push(`${here} = ${JSON.stringify(value)}, the trail had ${JSON.stringify(actual)}`);
    }
  }
  return found;
}

/** The state with a partial `new_value` applied; `null` below the top level removes the key. */
function apply(state: State, change: State, top = true): State {
  const result: State = { ...state };
  for (const [key, value] of Object.entries(change)) {
    const before = result[key];
    if (isObject(value) && isObject(before)) result[key] = apply(before, value, false);
    else if (value === null && !top) delete result[key];
    else result[key] = structuredClone(value);
  }
  return result;
}

/** Every key where two whole states differ, as `path: a ≠ b`. */
function differences(a: State, b: State, path = ''): string[] {
  const found: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const [x, y] = [a[key], b[key]];
    if (isObject(x) && isObject(y)) found.push(...differences(x, y, `${path}${key}.`));
    else if (!isDeepStrictEqual(x, y)) {
      found.push(`${path}${key}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
    }
  }
  return found;
}
