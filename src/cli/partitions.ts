import { ensureEventLogPartitions } from '../partitions/ensure.js';
import { listPartitions } from '../partitions/list.js';
import { columns, formatCount, formatRange, withDatabase } from './connect.js';

/**
 * `pothos-eventlog partitions`: creates the month partitions through `ahead` months after the
 * current one (eventlog_ensure_partitions), then lists every partition with its bounds and
 * its number of entries. The command for a monthly cron.
 */
export async function partitions(
  options: { url: string; ahead: number | undefined },
  log: (line: string) => void,
): Promise<number> {
  return withDatabase('partitions', options.url, log, async (query) => {
    const [table] = (await query(
      `SELECT c.relkind::text AS kind FROM pg_class c WHERE c.oid = to_regclass('event_log')`,
      [],
    )) as { kind: string }[];
    if (table?.kind !== 'p') {
      log(
        table
          ? 'event_log is not partitioned: there are no partitions to create.'
          : 'The database has no table event_log.',
      );
      return table ? 0 : 1;
    }
    const created = await ensureEventLogPartitions(query, { monthsAhead: options.ahead });
    log(
      created.length > 0
        ? `Created ${created.join(', ')}.`
        : 'Every month through the last one asked for has its partition: none created.',
    );
    const lines: string[][] = [['partition', 'range', 'entries']];
    for (const partition of await listPartitions(query)) {
      const [count] = (await query(
        `SELECT count(*)::text AS n FROM ${partition.partition}`,
        [],
      )) as {
        n: string;
      }[];
      lines.push([partition.partition, formatRange(partition), formatCount(Number(count?.n ?? 0))]);
    }
    for (const line of columns(lines)) log(line);
    return 0;
  });
}
