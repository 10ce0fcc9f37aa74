import type { CaptureQuery } from '../capture/installed.js';
import { EventLogError } from '../errors.js';
import { CliError } from './cli-error.js';
import { loadPg, redactUrl } from './database-check.js';

/**
 * Connects to `url` with node-postgres, runs `work` with a query function on that one
 * connection, and closes it. A library error becomes a CLI error (its message, exit 1).
 */
export async function withDatabase<T>(
  command: string,
  url: string,
  log: (line: string) => void,
  work: (query: CaptureQuery, shown: string) => Promise<T>,
): Promise<T> {
  const shown = redactUrl(url);
  const client = new (await loadPg(command))({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
  } catch (cause) {
    throw new CliError(
      `Could not connect to ${shown}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
  try {
    log(`Connected to ${shown}.`);
    return await work(async (sql, values) => (await client.query(sql, values)).rows, shown);
  } catch (caught) {
    if (caught instanceof EventLogError) {
      throw new CliError(caught.message.replace(/^pothos-eventlog: /, ''), 1, { cause: caught });
    }
    throw caught;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A bound or a date as the CLI prints it: the day when it is a UTC midnight. */
export function formatDate(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `[2025-01-01, 2025-02-01)`, `[MINVALUE, 2027-01-01)`, `default`, or `whole table`. */
export function formatRange(partition: {
  isDefault: boolean;
  lowerBound: Date | null;
  upperBound: Date | null;
  partitioned?: boolean;
}): string {
  if (partition.isDefault) return 'default';
  if (partition.partitioned === false) return 'whole table';
  const lower = partition.lowerBound ? formatDate(partition.lowerBound) : 'MINVALUE';
  const upper = partition.upperBound ? formatDate(partition.upperBound) : 'MAXVALUE';
  return `[${lower}, ${upper})`;
}

/** Rows of cells, padded to columns, indented by two spaces. */
export function columns(rows: string[][]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    `  ${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')}`.trimEnd(),
  );
}
