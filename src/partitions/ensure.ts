import {
  CAPTURE_FIX,
  type CaptureQuery,
  type RawQueryClient,
  rawQuery,
} from '../capture/installed.js';
import { EventLogSetupError } from '../errors.js';

export interface EnsurePartitionsOptions {
  /**
   * How many months after the current one get a partition now.
   * @default 3
   */
  monthsAhead?: number;
}

/**
 * Creates event_log's month partitions through `monthsAhead` months after the current one
 * (and one for each month the default partition holds rows of, moving them in), with the
 * database's `eventlog_ensure_partitions()` that every capture migration installs. Returns
 * the partitions created, oldest first; none when they all exist or event_log is not
 * partitioned. Run it at start and from a monthly job: an insert never fails without it
 * (the default partition takes the entry), but reads and `prune` work per month.
 */
export async function ensureEventLogPartitions(
  client: RawQueryClient | CaptureQuery,
  options: EnsurePartitionsOptions = {},
): Promise<string[]> {
  const monthsAhead = options.monthsAhead ?? 3;
  if (!Number.isInteger(monthsAhead) || monthsAhead < 0 || monthsAhead > 120) {
    throw new RangeError(
      `pothos-eventlog: monthsAhead must be a whole number from 0 to 120; got ${String(monthsAhead)}.`,
    );
  }
  const query = rawQuery(client);
  const [installed] = (await query(
    `SELECT to_regproc('eventlog_ensure_partitions') IS NOT NULL AS installed`,
    [],
  )) as { installed: boolean }[];
  if (!installed?.installed) {
    throw new EventLogSetupError(
      `pothos-eventlog: the database has no eventlog_ensure_partitions(): ${CAPTURE_FIX}.`,
    );
  }
  const rows = (await query(
    `SELECT p AS partition FROM eventlog_ensure_partitions(now() + make_interval(months => $1::int)) p`,
    [monthsAhead],
  )) as { partition: string }[];
  return rows.map((row) => row.partition);
}
