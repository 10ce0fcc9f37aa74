import { installedCaptureProblems } from '../capture/installed.js';
import { partitionProblems } from '../partitions/health.js';
import { withDatabase } from './connect.js';
import { loadDeclaration } from './load-declaration.js';
import { EVENT_LOG_TABLE } from './plan.js';

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
  return withDatabase('check --database', options.url, log, async (query, shown) => {
    const table = (await query('SELECT to_regclass($1)::text AS name', [EVENT_LOG_TABLE])) as {
      name: string | null;
    }[];
    const problems = table[0]?.name
      ? []
      : [
          `The database has no table ${EVENT_LOG_TABLE}: apply the migrations (npx prisma migrate deploy, or without Prisma's native engine npx pothos-eventlog deploy --database <url>).`,
        ];
    problems.push(
      ...(await installedCaptureProblems(
        query,
        declaration.declaration,
        `generate the capture migration (npx pothos-eventlog migrate --capture ${declaration.path}) and apply it`,
      )),
    );
    if (problems.length === 0) {
      log(
        `The capture triggers of ${shown} are current for ${Object.keys(declaration.declaration.models).join(', ')}.`,
      );
      problems.push(
        ...(await partitionProblems(
          query,
          'npx pothos-eventlog partitions --database <url> (monthly, e.g. from cron)',
        )),
      );
      if (problems.length === 0) return 0;
    }
    for (const problem of problems) error(problem);
    return 1;
  });
}
