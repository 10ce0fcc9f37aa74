import type { CaptureQuery } from '../capture/installed.js';

/** One partition of event_log, as `eventlog_partitions()` lists it. */
export interface EventLogPartition {
  /** As the catalog names it, e.g. `event_log_p2025_01`. */
  partition: string;
  isDefault: boolean;
  /** Inclusive; null when unbounded below (MINVALUE) and for the default partition. */
  lowerBound: Date | null;
  /** Exclusive; null when unbounded above (MAXVALUE) and for the default partition. */
  upperBound: Date | null;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** event_log's partitions, oldest first, the default partition last. */
export async function listPartitions(query: CaptureQuery): Promise<EventLogPartition[]> {
  const rows = (await query(
    `SELECT partition, is_default,
            CASE WHEN lower_bound > '-infinity' THEN to_char(lower_bound AT TIME ZONE 'UTC', ${ISO}) END AS lower,
            CASE WHEN upper_bound < 'infinity' THEN to_char(upper_bound AT TIME ZONE 'UTC', ${ISO}) END AS upper
     FROM eventlog_partitions()`,
    [],
  )) as { partition: string; is_default: boolean; lower: string | null; upper: string | null }[];
  return rows.map((row) => ({
    partition: row.partition,
    isDefault: row.is_default,
    lowerBound: row.is_default || row.lower === null ? null : new Date(row.lower),
    upperBound: row.is_default || row.upper === null ? null : new Date(row.upper),
  }));
}
