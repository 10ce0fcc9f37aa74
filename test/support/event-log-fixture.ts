// Entries at chosen timestamps for the retention tests, and the partition layouts they run
// on: month partitions (as a new install has them), or the upgraded layout (a partition of
// everything before a month, the single table attached by the partitioning migration).
export type Query = (sql: string, values?: unknown[]) => Promise<unknown[]>;

/** Drops every partition but the default one and empties event_log. */
export async function emptyEventLog(query: Query) {
  await query('TRUNCATE event_log');
  const rows = (await query(
    'SELECT partition FROM eventlog_partitions() WHERE NOT is_default',
  )) as { partition: string }[];
  for (const { partition } of rows) await query(`DROP TABLE ${partition}`);
}

/** Inserts one entry per timestamp (ISO strings), in order; returns their ids as strings. */
export async function insertEntries(query: Query, timestamps: string[]): Promise<string[]> {
  const rows = (await query(
    `INSERT INTO event_log ("timestamp", "actorId", tool, action, "objectType", "objectId", template, message, "values", changes)
     SELECT t.ts::timestamptz, CASE WHEN t.n % 3 = 0 THEN NULL ELSE (t.n % 3)::text END, 'fixture', 'update',
            'Certificate', (t.n % 5)::text, 'Entry {n}', 'Entry "' || t.n || '", with a comma',
            jsonb_build_object('n', t.n, 'big', 12345678901234567890::numeric, 'text', 'a "quoted", line' || chr(10) || 'two'),
            CASE WHEN t.n % 2 = 0 THEN jsonb_build_object('old_value', jsonb_build_object('n', t.n - 1), 'new_value', jsonb_build_object('n', t.n)) END
     FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS t(ts, n)
     ORDER BY t.n
     RETURNING id::text AS id`,
    [JSON.stringify(timestamps)],
  )) as { id: string }[];
  return rows.map((row) => row.id);
}

/** The entries' ids, ascending, optionally only those at or after `from`. */
export async function entryIds(query: Query, from?: string): Promise<string[]> {
  const rows = (await query(
    from === undefined
      ? 'SELECT id::text AS id FROM event_log ORDER BY id'
      : 'SELECT id::text AS id FROM event_log WHERE "timestamp" >= $1::timestamptz ORDER BY id',
    from === undefined ? [] : [from],
  )) as { id: string }[];
  return rows.map((row) => row.id);
}

export async function partitionNames(query: Query): Promise<string[]> {
  const rows = (await query('SELECT partition FROM eventlog_partitions()')) as {
    partition: string;
  }[];
  return rows.map((row) => row.partition);
}

/**
 * `perMonth` entries in each month of [fromMonth, toMonth] (`2024-09`): one at the month's
 * first millisecond, one at its last, ten sharing one timestamp mid-month, the rest spread.
 */
export function monthTimestamps(fromMonth: string, toMonth: string, perMonth = 30): string[] {
  const out: string[] = [];
  for (
    let month = new Date(`${fromMonth}-01T00:00:00Z`);
    month <= new Date(`${toMonth}-01T00:00:00Z`);
    month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1))
  ) {
    const start = month.getTime();
    const end = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1);
    out.push(new Date(start).toISOString(), new Date(end - 1).toISOString());
    const middle = new Date(start + 14 * 86_400_000 + 12 * 3_600_000).toISOString();
    for (let i = 0; i < 10; i++) out.push(middle);
    const rest = perMonth - 12;
    for (let i = 0; i < rest; i++) {
      out.push(new Date(start + Math.floor(((i + 0.5) * (end - start)) / rest)).toISOString());
    }
  }
  return out;
}

/**
 * Month partitions for the fixture's months (the default partition takes them first, then
 * eventlog_ensure_partitions() creates their months and moves them in), plus entries in the
 * default partition that no month covers: 2023-06 (before everything) and now.
 */
export async function monthLayout(query: Query): Promise<void> {
  await emptyEventLog(query);
  await insertEntries(query, monthTimestamps('2024-09', '2025-01'));
  await query('SELECT eventlog_ensure_partitions()');
  await insertEntries(query, ['2023-06-15T08:00:00.000Z', '2023-06-30T23:59:59.999Z']);
  await query(
    `INSERT INTO event_log (tool, action, "objectType", template, message) VALUES ('fixture', 'create', 'Certificate', 'now', 'now')`,
  );
}

/**
 * The upgraded layout: event_log_before_partitioning holds everything before `bound`
 * (2025-01-01), month partitions after it.
 */
export async function upgradedLayout(query: Query, bound = '2025-01-01'): Promise<void> {
  await emptyEventLog(query);
  await query('CREATE TABLE event_log_before_partitioning (LIKE event_log INCLUDING ALL)');
  await query(
    `ALTER TABLE event_log ATTACH PARTITION event_log_before_partitioning FOR VALUES FROM (MINVALUE) TO ('${bound} 00:00:00+00')`,
  );
  await insertEntries(query, monthTimestamps('2024-09', '2025-02'));
  await query('SELECT eventlog_ensure_partitions()');
}
