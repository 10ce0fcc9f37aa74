import { EventLogSetupError } from '../errors.js';
import { CONTEXT_TAG, withEventLogContext } from './context.js';
import { type EventLogCaptureDeclaration, resolveCaptureDeclaration } from './declaration.js';

interface RawClient {
  $queryRawUnsafe(query: string, ...values: unknown[]): Promise<unknown>;
}

interface InstalledFunction {
  name: string;
  signature: string | null;
  tables: string | null;
  triggers: number;
}

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
  const raw = client as RawClient;
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
  const resolved = resolveCaptureDeclaration(declaration);
  const expected = [...resolved.models.values()].flatMap((model) =>
    model.functions.map((name) => ({ name, model: model.model, signature: model.signature })),
  );
  if (expected.length === 0) return;
  const installed = (await raw.$queryRawUnsafe(
    `SELECT p.proname AS name, obj_description(p.oid, 'pg_proc') AS signature,
            string_agg(DISTINCT t.tgrelid::regclass::text, ', ') AS tables,
            count(t.oid) FILTER (WHERE t.tgenabled <> 'D')::int AS triggers
       FROM pg_proc p LEFT JOIN pg_trigger t ON t.tgfoid = p.oid
      WHERE p.proname = ANY ($1::text[]) AND pg_function_is_visible(p.oid)
      GROUP BY p.oid, p.proname`,
    expected.map((fn) => fn.name),
  )) as InstalledFunction[];
  const byName = new Map(installed.map((fn) => [fn.name, fn]));
  for (const fn of expected) {
    const found = byName.get(fn.name);
    const fix = 'generate the capture migration (npm run migrate:capture) and apply it';
    if (!found) {
      throw new EventLogSetupError(
        `The table of ${fn.model} has no event log capture trigger (${fn.name} is missing): ${fix}.`,
      );
    }
    if (found.triggers < 3) {
      throw new EventLogSetupError(
        `The table ${found.tables ?? `of ${fn.model}`} has ${found.triggers} of the 3 enabled triggers of ${fn.name}: ${fix}.`,
      );
    }
    if (found.signature !== fn.signature) {
      throw new EventLogSetupError(
        `The trigger of ${found.tables} (${fn.name}) is out of date: it says "${found.signature ?? 'nothing'}", the declaration needs "${fn.signature}". ${fix[0]?.toUpperCase()}${fix.slice(1)}.`,
      );
    }
  }
}
