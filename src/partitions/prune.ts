import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CAPTURE_FIX,
  type CaptureQuery,
  type RawQueryClient,
  rawQuery,
} from '../capture/installed.js';
import { EventLogError, EventLogSetupError, EventLogValidationError } from '../errors.js';
import { type EventLogPartition, listPartitions } from './list.js';

/** What prune does to a partition: drop it whole, delete its entries before the date, or nothing. */
export type PruneAction = 'drop' | 'trim' | 'keep';

export type PruneExportFormat = 'ndjson' | 'csv';

export interface PruneProgress {
  partition: string;
  /** `export`: rows written to the file; `delete`: rows deleted by batches; `drop`: the partition is gone. */
  phase: 'export' | 'delete' | 'drop';
  /** Rows of this partition and phase so far. */
  rows: number;
  /** The rows the phase expects (counted before it began). */
  total: number;
  done: boolean;
  /** Milliseconds since the phase began. */
  elapsedMs: number;
  /** `export`: the file it writes. */
  file?: string;
}

export interface PruneOptions {
  /**
   * Entries with a timestamp before this go; entries at or after it stay. A `Date`, a day
   * (`2025-01-01`, UTC midnight) or an ISO timestamp with an offset
   * (`2025-01-01T00:00:00+01:00`). Not later than the database's `now()`.
   */
  before: Date | string;
  /**
   * Count what would go, per partition, and change nothing (and write no file).
   * @default false
   */
  dryRun?: boolean;
  /**
   * Rows per DELETE statement (and per export read) when a partition is trimmed.
   * @default 5000
   */
  batchSize?: number;
  /**
   * Before a partition is dropped or trimmed, write the entries it loses to
   * `<dir>/<partition>.ndjson` (or `.csv`), complete and flushed; an export that fails stops
   * the prune with nothing of that partition deleted. An existing file is never overwritten.
   */
  export?: { dir: string; format?: PruneExportFormat };
  /**
   * How long dropping a partition waits for its lock on event_log (which queues other
   * statements on event_log meanwhile) before it gives up and tries again, up to 5 times.
   * @default 1000
   */
  lockTimeoutMs?: number;
  onProgress?: (progress: PruneProgress) => void;
}

export interface PrunedPartition {
  /** As the catalog names it (`event_log_p2025_01`); `event_log` itself when it is not partitioned. */
  partition: string;
  /** Inclusive; `null` when unbounded below (MINVALUE), for the default partition and for a plain table. */
  lowerBound: Date | null;
  /** Exclusive; `null` when unbounded above, for the default partition and for a plain table. */
  upperBound: Date | null;
  isDefault: boolean;
  action: PruneAction;
  /** Entries removed (with `dryRun`: that would be); 0 for `keep`. */
  removed: number;
  /** DELETE statements a trim ran. */
  batches: number;
  /** The export file written, when there was something to export. */
  file: string | null;
}

export interface PruneReport {
  before: Date;
  dryRun: boolean;
  /** Whether event_log is partitioned; a plain table is trimmed by batched deletes. */
  partitioned: boolean;
  /** Oldest first, the default partition last. */
  partitions: PrunedPartition[];
  removed: number;
  elapsedMs: number;
}

/** The forms `before` accepts, for messages. */
export const PRUNE_BEFORE_FORMS =
  'a day (2025-01-01, UTC midnight) or an ISO timestamp with an offset (2025-01-01T00:00:00Z, 2025-01-01T00:00:00+01:00)';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * `before` as a Date: a valid Date, a day (UTC midnight) or an ISO timestamp with an offset.
 * Anything else (no offset, an impossible day, another format) throws.
 */
export function parsePruneBefore(value: Date | string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new EventLogValidationError('pothos-eventlog: before is an invalid Date.', 'before');
    }
    return value;
  }
  const day = typeof value === 'string' ? DAY.exec(value) : null;
  const time = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  const parts = (day ?? time)?.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  const [year = 0, month = 0, date = 0, hour = 0, minute = 0, second = 0] = parts ?? [];
  const [offsetHours = 0, offsetMinutes = 0] = time ? (parts?.slice(6) ?? []) : [];
  const valid =
    parts !== undefined &&
    month >= 1 &&
    month <= 12 &&
    date >= 1 &&
    date <= new Date(Date.UTC(year, month, 0)).getUTCDate() &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  if (!valid) {
    throw new EventLogValidationError(
      `pothos-eventlog: before must be ${PRUNE_BEFORE_FORMS}; got ${JSON.stringify(value)}.`,
      'before',
    );
  }
  return new Date(day ? `${value}T00:00:00Z` : (value as string));
}

const DEFAULT_BATCH_SIZE = 5000;
const MAX_BATCH_SIZE = 100_000;
const DROP_ATTEMPTS = 5;

interface Column {
  name: string;
  /** How the column reaches the file: a JSON string, JSON text as it is, or null. */
  kind: 'string' | 'raw';
  expression: string;
}

interface Target extends EventLogPartition {
  action: PruneAction;
}

/**
 * Deletes the entries of event_log with a timestamp before `before`, and only those: a
 * partition that ends at or before it is dropped whole (one short DROP TABLE, which waits
 * for event_log's lock at most `lockTimeoutMs`), the partition it falls into, the default
 * partition and a table that is not partitioned are trimmed by DELETEs of `batchSize` rows,
 * each its own statement. With `export`, every partition's doomed rows are written to a file
 * first. Returns what happened to each partition.
 */
export async function pruneEventLog(
  client: RawQueryClient | CaptureQuery,
  options: PruneOptions,
): Promise<PruneReport> {
  const started = performance.now();
  const before = parsePruneBefore(options?.before);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new EventLogValidationError(
      `pothos-eventlog: batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}; got ${String(batchSize)}.`,
      'batchSize',
    );
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? 1000;
  if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs < 1) {
    throw new EventLogValidationError(
      `pothos-eventlog: lockTimeoutMs must be a positive whole number of milliseconds; got ${String(lockTimeoutMs)}.`,
      'lockTimeoutMs',
    );
  }
  const format = options.export?.format ?? 'ndjson';
  if (options.export && format !== 'ndjson' && format !== 'csv') {
    throw new EventLogValidationError(
      `pothos-eventlog: export.format must be "ndjson" or "csv"; got ${JSON.stringify(format)}.`,
      'export.format',
    );
  }
  if (options.export && !options.export.dir) {
    throw new EventLogValidationError('pothos-eventlog: export.dir is required.', 'export.dir');
  }
  const dryRun = options.dryRun ?? false;
  const query = rawQuery(client);
  const beforeIso = before.toISOString();

  const [state] = (await query(
    `SELECT c.relkind::text AS kind, to_regproc('eventlog_partitions') IS NOT NULL AS listed,
            $1::timestamptz > now() AS future
     FROM (SELECT to_regclass('event_log') AS oid) t LEFT JOIN pg_class c ON c.oid = t.oid`,
    [beforeIso],
  )) as { kind: string | null; listed: boolean; future: boolean }[];
  if (!state?.kind) {
    throw new EventLogSetupError('pothos-eventlog: the database has no table event_log.');
  }
  if (state.future) {
    throw new EventLogValidationError(
      `pothos-eventlog: before (${beforeIso}) is later than the database's current time: entries being written now would be deleted. Give a date in the past.`,
      'before',
    );
  }
  const partitioned = state.kind === 'p';
  if (partitioned && !state.listed) {
    throw new EventLogSetupError(
      `pothos-eventlog: event_log is partitioned but the database has no eventlog_partitions(): ${CAPTURE_FIX}.`,
    );
  }
  const targets: Target[] = partitioned
    ? (await listPartitions(query)).map((partition) => ({
        ...partition,
        action: pruneAction(partition, before),
      }))
    : [
        {
          partition: 'event_log',
          isDefault: false,
          lowerBound: null,
          upperBound: null,
          action: 'trim',
        },
      ];

  const columns = options.export && !dryRun ? await exportColumns(query) : [];
  const report: PrunedPartition[] = [];
  for (const target of targets) {
    const result: PrunedPartition = { ...target, removed: 0, batches: 0, file: null };
    report.push(result);
    if (target.action === 'keep') continue;
    const doomed = await countRows(query, target, beforeIso);
    if (dryRun) {
      result.removed = doomed;
      continue;
    }
    let exported: { count: number; last: [string, string] | null } | null = null;
    if (options.export && doomed > 0) {
      const file = join(options.export.dir, `${fileName(target.partition)}.${format}`);
      exported = await exportRows(query, target.partition, columns, beforeIso, batchSize, {
        file,
        format,
        total: doomed,
        onProgress: options.onProgress,
      });
      result.file = file;
    }
    if (target.action === 'drop') {
      const expected = exported?.count ?? doomed;
      const phase = performance.now();
      await dropPartition(query, target.partition, expected, lockTimeoutMs);
      result.removed = expected;
      options.onProgress?.({
        partition: target.partition,
        phase: 'drop',
        rows: expected,
        total: expected,
        done: true,
        elapsedMs: performance.now() - phase,
      });
    } else if (doomed > 0) {
      // With an export, only what the file holds is deleted: an entry written before the date
      // after the export began stays rather than go unexported.
      const upTo = exported ? exported.last : null;
      if (!exported || upTo) {
        const trimmed = await trimPartition(query, target.partition, beforeIso, batchSize, upTo, {
          total: exported?.count ?? doomed,
          onProgress: options.onProgress,
        });
        result.removed = trimmed.removed;
        result.batches = trimmed.batches;
      }
    }
  }
  return {
    before,
    dryRun,
    partitioned,
    partitions: report,
    removed: report.reduce((sum, partition) => sum + partition.removed, 0),
    elapsedMs: performance.now() - started,
  };
}

/**
 * Drop a partition that ends by `before`; trim the default partition and one that starts
 * before it; keep the rest.
 */
function pruneAction(partition: EventLogPartition, before: Date): PruneAction {
  if (!partition.isDefault && partition.upperBound && partition.upperBound <= before) return 'drop';
  if (partition.isDefault || !partition.lowerBound || partition.lowerBound < before) return 'trim';
  return 'keep';
}

async function countRows(query: CaptureQuery, target: Target, beforeIso: string) {
  const [row] = (await query(
    target.action === 'drop'
      ? `SELECT count(*)::text AS n FROM ${target.partition}`
      : `SELECT count(*)::text AS n FROM ${target.partition} WHERE "timestamp" < $1::timestamptz`,
    target.action === 'drop' ? [] : [beforeIso],
  )) as { n: string }[];
  return Number(row?.n ?? 0);
}

/** A partition's name as a file name: `event_log_p2025_01`, `public.event_log_default`. */
function fileName(partition: string): string {
  return partition.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * One DROP TABLE of the partition, inside a DO block so that its lock_timeout applies to it
 * alone. DROP takes ACCESS EXCLUSIVE on event_log and on the default partition, as DETACH
 * does in PostgreSQL 15 (DETACH CONCURRENTLY is refused while a default partition exists), so
 * while it waits for a long reader every other statement on event_log queues behind it: it
 * gives up after `lockTimeoutMs` and tries again later. Once it has the lock it holds it for
 * the catalog change alone. The partition is locked against writes first and must still hold
 * exactly the rows counted (and exported).
 */
async function dropPartition(
  query: CaptureQuery,
  partition: string,
  expected: number,
  lockTimeoutMs: number,
) {
  const statement = `DO $prune$
DECLARE
  held bigint;
BEGIN
  PERFORM set_config('lock_timeout', ${literal(`${lockTimeoutMs}ms`)}, true);
  LOCK TABLE ${partition} IN SHARE MODE;
  SELECT count(*) INTO held FROM ${partition};
  IF held <> ${expected} THEN
    RAISE EXCEPTION 'pothos-eventlog: % holds % entries, % expected: entries were written into it meanwhile; nothing of it was dropped', ${literal(partition)}, held, ${expected};
  END IF;
  DROP TABLE ${partition};
END
$prune$`;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await query(statement, []);
      return;
    } catch (caught) {
      const message = caught instanceof Error ? caught.message : String(caught);
      if (!/lock timeout|55P03|deadlock|40P01/.test(`${message} ${JSON.stringify(caught)}`)) {
        throw new EventLogError(
          /pothos-eventlog: /.test(message)
            ? message.slice(message.indexOf('pothos-eventlog: '))
            : `pothos-eventlog: dropping ${partition} failed: ${message}`,
          'EVENT_LOG_PRUNE_FAILED',
          { cause: caught },
        );
      }
      if (attempt === DROP_ATTEMPTS) {
        throw new EventLogError(
          `pothos-eventlog: could not drop ${partition}: event_log stayed locked by other sessions (${DROP_ATTEMPTS} waits of ${lockTimeoutMs} ms). Long transactions on event_log hold it: end them, or give a longer lockTimeoutMs. Nothing of ${partition} was deleted.`,
          'EVENT_LOG_PRUNE_LOCKED',
          { cause: caught },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, lockTimeoutMs));
    }
  }
}

/**
 * DELETEs of at most `batchSize` rows, oldest first, each its own statement: it locks the
 * rows it deletes and takes ROW EXCLUSIVE on the partition alone, so writers and readers of
 * event_log go on between and during batches.
 */
async function trimPartition(
  query: CaptureQuery,
  partition: string,
  beforeIso: string,
  batchSize: number,
  upTo: [string, string] | null,
  progress: { total: number; onProgress: PruneOptions['onProgress'] },
) {
  const started = performance.now();
  const bound = upTo ? ' AND ("timestamp", id) <= ($3::timestamptz, $4::bigint)' : '';
  const statement = `WITH doomed AS (
    SELECT ctid FROM ${partition} WHERE "timestamp" < $1::timestamptz${bound}
    ORDER BY "timestamp", id LIMIT $2::int
  ), gone AS (
    DELETE FROM ${partition} WHERE ctid = ANY (ARRAY(SELECT ctid FROM doomed)) RETURNING 1
  ) SELECT count(*)::int AS n FROM gone`;
  let removed = 0;
  let batches = 0;
  for (;;) {
    const [row] = (await query(statement, [beforeIso, batchSize, ...(upTo ?? [])])) as {
      n: number;
    }[];
    const n = Number(row?.n ?? 0);
    batches += 1;
    removed += n;
    const done = n === 0;
    progress.onProgress?.({
      partition,
      phase: 'delete',
      rows: removed,
      total: progress.total,
      done,
      elapsedMs: performance.now() - started,
    });
    if (done) return { removed, batches };
  }
}

async function exportColumns(query: CaptureQuery): Promise<Column[]> {
  const rows = (await query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
     FROM pg_attribute a
     WHERE a.attrelid = to_regclass('event_log') AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [],
  )) as { name: string; type: string }[];
  return rows.map(({ name, type }) => {
    const column = `"${name.replace(/"/g, '""')}"`;
    if (/^timestamp(\(\d\))? with time zone$/.test(type)) {
      const digits = Number(/\((\d)\)/.exec(type)?.[1] ?? 6);
      const fraction = digits === 0 ? '' : digits <= 3 ? '.MS' : '.US';
      return {
        name,
        kind: 'string',
        expression: `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS${fraction}"Z"')`,
      };
    }
    const raw = /^(jsonb?|boolean|integer|smallint|real|double precision)$/.test(type);
    return { name, kind: raw ? 'raw' : 'string', expression: `${column}::text` };
  });
}

/**
 * Streams the partition's rows before the date to `file` in keyset batches, oldest first:
 * written to `<file>.partial`, flushed, then renamed. Returns the count and the last key.
 */
async function exportRows(
  query: CaptureQuery,
  partition: string,
  columns: Column[],
  beforeIso: string,
  batchSize: number,
  target: {
    file: string;
    format: PruneExportFormat;
    total: number;
    onProgress: PruneOptions['onProgress'];
  },
): Promise<{ count: number; last: [string, string] | null }> {
  const { file, format } = target;
  const partial = `${file}.partial`;
  const fail = (cause: unknown): never => {
    throw new EventLogError(
      `pothos-eventlog: exporting ${partition} to ${file} failed, nothing of it was deleted: ${cause instanceof Error ? cause.message : String(cause)}`,
      'EVENT_LOG_PRUNE_EXPORT',
      { cause },
    );
  };
  if (
    await stat(file).then(
      () => true,
      () => false,
    )
  ) {
    fail(new Error('the file exists already (an earlier export?): move it away first'));
  }
  const started = performance.now();
  const statement = `SELECT ${columns.map((column, index) => `${column.expression} AS c${index}`).join(', ')},
      to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key_timestamp, id::text AS key_id
    FROM ${partition}
    WHERE "timestamp" < $1::timestamptz AND ("timestamp", id) > ($2::timestamptz, $3::bigint)
    ORDER BY "timestamp", id LIMIT $4::int`;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let count = 0;
  let last: [string, string] | null = null;
  try {
    await mkdir(dirname(file), { recursive: true });
    handle = await open(partial, 'w');
    if (format === 'csv') {
      await handle.write(`${columns.map((column) => csvField(column.name)).join(',')}\r\n`);
    }
    for (;;) {
      const rows = (await query(statement, [
        beforeIso,
        last?.[0] ?? '-infinity',
        last?.[1] ?? '-9223372036854775808',
        batchSize,
      ])) as Record<string, string | null>[];
      if (rows.length === 0) break;
      let chunk = '';
      for (const row of rows) {
        chunk += format === 'csv' ? csvLine(columns, row) : ndjsonLine(columns, row);
      }
      await handle.write(chunk);
      count += rows.length;
      const end = rows[rows.length - 1] as Record<string, string>;
      last = [end.key_timestamp as string, end.key_id as string];
      target.onProgress?.({
        partition,
        phase: 'export',
        rows: count,
        total: Math.max(target.total, count),
        done: false,
        elapsedMs: performance.now() - started,
        file,
      });
      if (rows.length < batchSize) break;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(partial, file);
    const directory = await open(dirname(file), 'r');
    await directory.sync().finally(() => directory.close());
  } catch (caught) {
    await handle?.close().catch(() => {});
    await rm(partial, { force: true }).catch(() => {});
    fail(caught);
  }
  target.onProgress?.({
    partition,
    phase: 'export',
    rows: count,
    total: count,
    done: true,
    elapsedMs: performance.now() - started,
    file,
  });
  return { count, last };
}

function ndjsonLine(columns: Column[], row: Record<string, string | null>): string {
  const fields = columns.map((column, index) => {
    const value = row[`c${index}`] ?? null;
    const json = value === null ? 'null' : column.kind === 'raw' ? value : JSON.stringify(value);
    return `${JSON.stringify(column.name)}:${json}`;
  });
  return `{${fields.join(',')}}\n`;
}

/** RFC 4180: a null is an empty field, an empty string is `""`. */
function csvLine(columns: Column[], row: Record<string, string | null>): string {
  return `${columns
    .map((_, index) => {
      const value = row[`c${index}`] ?? null;
      return value === null ? '' : csvField(value);
    })
    .join(',')}\r\n`;
}

function csvField(value: string): string {
  return value === '' || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
