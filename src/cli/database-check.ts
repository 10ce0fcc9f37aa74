import { installedCaptureProblems } from '../capture/installed.js';
import { partitionProblems } from '../partitions/health.js';
import { CliError } from './cli-error.js';
import { loadDeclaration } from './load-declaration.js';
import { EVENT_LOG_TABLE } from './plan.js';

export interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

type PgModule = { default?: { Client: new (config: object) => PgClient } } & {
  Client?: new (config: object) => PgClient;
};

/**
 * Checks the capture triggers installed in a live database against the declaration, with
 * the query of `checkEventLogCapture`, then that the next month has its partition and the
 * default partition is empty. Returns the exit code (0 current, 1 not).
 */
export async function checkDatabase(
  options: { cwd: string; capture: string; url: string },
  log: (line: string) => void,
  error: (line: string) => void,
): Promise<number> {
  const declaration = await loadDeclaration(options.cwd, options.capture);
  log(`Loaded the capture declaration ${declaration.exportName} of ${declaration.path}.`);
  const shown = redactUrl(options.url);
  const client = new (await loadPg())({
    connectionString: options.url,
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
    const table = await client.query('SELECT to_regclass($1)::text AS name', [EVENT_LOG_TABLE]);
    const problems = (table.rows[0] as { name: string | null } | undefined)?.name
      ? []
      : [
          `The database has no table ${EVENT_LOG_TABLE}: apply the migrations (npx prisma migrate deploy, or without Prisma's native engine npx pothos-eventlog deploy --database <url>).`,
        ];
    problems.push(
      ...(await installedCaptureProblems(
        async (sql, values) => (await client.query(sql, values)).rows,
        declaration.declaration,
        `generate the capture migration (npx pothos-eventlog migrate --capture ${declaration.path}) and apply it`,
      )),
    );
    if (problems.length === 0) {
      log(
        `The capture triggers of ${shown} are current for ${Object.keys(declaration.declaration.models).join(', ')}.`,
      );
      const partitions = await partitionProblems(
        async (sql, values) => (await client.query(sql, values)).rows,
        'npx pothos-eventlog partitions --database <url> (monthly, e.g. from cron)',
      );
      if (partitions.length === 0) return 0;
      problems.push(...partitions);
    }
    for (const problem of problems) error(problem);
    return 1;
  } finally {
    await client.end().catch(() => {});
  }
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
