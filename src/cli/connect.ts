import type { CaptureQuery } from '../capture/installed.js';
import { EventLogError } from '../errors.js';
import { CliError } from './cli-error.js';

export interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

type PgModule = { default?: { Client: new (config: object) => PgClient } } & {
  Client?: new (config: object) => PgClient;
};

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

export async function loadPg(
  command = 'check --database',
): Promise<new (config: object) => PgClient> {
  let pg: PgModule;
  try {
    pg = (await import('pg')) as PgModule;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new CliError(
        `${command} connects with node-postgres, which is not installed: npm install pg`,
      );
    }
    throw cause;
  }
  const Client = pg.default?.Client ?? pg.Client;
  if (!Client) throw new CliError('The installed pg package has no Client: npm install pg@8');
  return Client;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the database (its URL does not parse)';
  }
}
