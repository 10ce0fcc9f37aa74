import { type EventLogCaptureDeclaration, resolveCaptureDeclaration } from './declaration.js';

/** Runs one parameterized query and returns its rows: `$queryRawUnsafe`, or `pg`'s `query`. */
export type CaptureQuery = (sql: string, values: unknown[]) => Promise<unknown[]>;

/** A client that runs raw SQL: a PrismaClient (or transaction client) of any driver adapter. */
export interface RawQueryClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** Runs one parameterized query: a Prisma client's `$queryRawUnsafe`, or a `CaptureQuery`. */
export function rawQuery(client: RawQueryClient | CaptureQuery): CaptureQuery {
  if (typeof client === 'function') return client;
  if (typeof client?.$queryRawUnsafe !== 'function') {
    throw new TypeError(
      'pothos-eventlog: expected a PrismaClient (with $queryRawUnsafe) or a query function (sql, values) => rows.',
    );
  }
  return (sql, values) => client.$queryRawUnsafe<unknown[]>(sql, ...values);
}

interface InstalledFunction {
  name: string;
  signature: string | null;
  tables: string | null;
  triggers: number;
}

/** What a database needs to run to install the triggers of the declaration. */
export const CAPTURE_FIX =
  'generate the capture migration (npx pothos-eventlog migrate --capture <module>) and apply it';

/**
 * The problems of the capture triggers installed in a database, compared with what the
 * declaration needs, one sentence each; empty when every audited table has the triggers of
 * the current declaration. One query. `fix` ends each sentence: what writes the triggers.
 */
export async function installedCaptureProblems(
  query: CaptureQuery,
  declaration: EventLogCaptureDeclaration,
  fix = CAPTURE_FIX,
): Promise<string[]> {
  const resolved = resolveCaptureDeclaration(declaration);
  const expected = [...resolved.models.values()].flatMap((model) =>
    model.functions.map((name) => ({ name, model: model.model, signature: model.signature })),
  );
  if (expected.length === 0) return [];
  const installed = (await query(
    `SELECT p.proname AS name, obj_description(p.oid, 'pg_proc') AS signature,
            string_agg(DISTINCT t.tgrelid::regclass::text, ', ') AS tables,
            count(t.oid) FILTER (WHERE t.tgenabled <> 'D')::int AS triggers
       FROM pg_proc p LEFT JOIN pg_trigger t ON t.tgfoid = p.oid
      WHERE p.proname = ANY ($1::text[]) AND pg_function_is_visible(p.oid)
      GROUP BY p.oid, p.proname`,
    [expected.map((fn) => fn.name)],
  )) as InstalledFunction[];
  const byName = new Map(installed.map((fn) => [fn.name, fn]));
  const problems: string[] = [];
  for (const fn of expected) {
    const found = byName.get(fn.name);
    if (!found) {
      problems.push(
        `The table of ${fn.model} has no event log capture trigger (${fn.name} is missing): ${fix}.`,
      );
    } else if (Number(found.triggers) < 3) {
      problems.push(
        `The table ${found.tables ?? `of ${fn.model}`} has ${found.triggers} of the 3 enabled triggers of ${fn.name}: ${fix}.`,
      );
    } else if (found.signature !== fn.signature) {
      problems.push(
        `The trigger of ${found.tables} (${fn.name}) is out of date: it says "${found.signature ?? 'nothing'}", the declaration needs "${fn.signature}". ${fix[0]?.toUpperCase()}${fix.slice(1)}.`,
      );
    }
  }
  return problems;
}
