import { EventLogSetupError } from '../errors.js';
import { CONTEXT_TAG, withEventLogContext } from './context.js';
import type { EventLogCaptureDeclaration } from './declaration.js';
import { installedCaptureProblems, type RawQueryClient, rawQuery } from './installed.js';

/**
 * Checks, with two queries, that capture works: the client sends the context on its SQL
 * comments (`comments: eventLogComments()`), and every audited table has the triggers of
 * the current declaration. Throws an `EventLogSetupError` naming the first problem; call it
 * at start, so that a missing piece is never found later as unattributed or missing entries.
 */
export async function checkEventLogCapture(
  client: unknown,
  declaration: EventLogCaptureDeclaration,
): Promise<void> {
  const raw = client as RawQueryClient;
  if (typeof raw?.$queryRawUnsafe !== 'function') {
    throw new EventLogSetupError(
      'checkEventLogCapture(client, capture) needs the PrismaClient the application writes with.',
    );
  }
  const probe = (await withEventLogContext({ actor: null, tool: 'probe' }, () =>
    raw.$queryRawUnsafe('SELECT current_query() AS query'),
  )) as { query: string }[];
  if (!probe[0]?.query?.includes(`${CONTEXT_TAG}='`)) {
    throw new EventLogSetupError(
      'The PrismaClient does not send the event log context: create it with `comments: eventLogComments()` (from pothos-eventlog), or add `queryTags()` of @prisma/sqlcommenter-query-tags to its comments.',
    );
  }
  const [problem] = await installedCaptureProblems(rawQuery(raw), declaration);
  if (problem) throw new EventLogSetupError(problem);
}
