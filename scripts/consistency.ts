// The audit trail's consistency, read from the database alone: no change without its entry,
// no entry without its change. Used by `npm run load` and the fault tests.
import type pg from 'pg';

export interface ConsistencyReport {
  certificates: number;
  entries: number;
  /** `new_value.name` of every Certificate entry: the names the trail says were written. */
  entryNames: Map<string, { objectId: string; actorId: string | null }>;
  /** One line per inconsistency; empty when the trail and the table agree. */
  problems: string[];
}

interface EntryRow {
  id: string;
  action: string;
  objectId: string | null;
  actorId: string | null;
  changes: { old_value?: Record<string, unknown>; new_value?: Record<string, unknown> } | null;
}

/**
 * Replays the entries of every certificate, oldest first, from its state before the first
 * entry (the seeded name, or nothing for a certificate created through the API):
 * - a `create` must come first, and only for a certificate that did not exist;
 * - an entry that changed the name must start from the name the previous one left
 *   (`old_value.name`): an entry whose change was rolled back, or a change committed
 *   without its entry, breaks this chain;
 * - the name the last entry left must be the name in the table, and a certificate
 *   without a `delete` entry must still exist.
 * `seeded` maps the ids of rows written without the plugin (the demo data) to their name.
 */
export async function checkConsistency(
  sql: pg.Client,
  seeded: ReadonlyMap<number, string>,
): Promise<ConsistencyReport> {
  const certificates = await sql.query<{ id: number; name: string }>(
    'SELECT id, name FROM "Certificate" ORDER BY id',
  );
  const entries = await sql.query<EntryRow>(
    `SELECT id::text, action, "objectId", "actorId", changes FROM event_log
     WHERE "objectType" = 'Certificate' ORDER BY timestamp, id`,
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
      entryNames.set(name, { objectId: key, actorId: entry.actorId });
    }
  }
  const current = new Map(certificates.rows.map((row) => [String(row.id), row.name]));
  const ids = new Set([...current.keys(), ...byObject.keys(), ...[...seeded.keys()].map(String)]);
  for (const id of ids) {
    let name: string | null = seeded.get(Number(id)) ?? null;
    let exists = seeded.has(Number(id));
    for (const entry of byObject.get(id) ?? []) {
      const where = `certificate ${id}, entry ${entry.id} (${entry.action})`;
      const oldName = entry.changes?.old_value?.name;
      const newName = entry.changes?.new_value?.name;
      if (entry.action === 'create') {
        if (exists) problems.push(`${where}: created twice`);
        exists = true;
        name = typeof newName === 'string' ? newName : null;
      } else if (!exists) {
        problems.push(`${where}: entry for a certificate that did not exist`);
      } else if (entry.action === 'delete') {
        exists = false;
        name = null;
      } else if (newName !== undefined) {
        if (oldName !== name) {
          problems.push(
            `${where}: starts from ${JSON.stringify(oldName)}, the trail had ${JSON.stringify(name)}`,
          );
        }
        name = typeof newName === 'string' ? newName : null;
      }
    }
    const actual = current.get(id);
    if (exists && actual === undefined)
      problems.push(`certificate ${id}: gone without a delete entry`);
    if (!exists && actual !== undefined) {
      problems.push(`certificate ${id} ("${actual}"): exists without a create entry`);
    }
    if (exists && actual !== undefined && actual !== name) {
      problems.push(`certificate ${id}: named "${actual}" in the table, "${name}" by its entries`);
    }
  }
  return {
    certificates: certificates.rows.length,
    entries: entries.rows.length,
    entryNames,
    problems,
  };
}
