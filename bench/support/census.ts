// The statement census: every SQL statement this process sends to PostgreSQL, recorded at
// the driver (a patch of `pg.Client.prototype.query`, through which @prisma/adapter-pg sends
// everything, BEGIN and COMMIT included). Statements a trigger runs inside PostgreSQL are
// not sent, so they do not count: the census counts round trips.
import pg from 'pg';

export interface Statement {
  text: string;
  values: unknown[];
}

const originalQuery = pg.Client.prototype.query;

/** Starts recording; the returned function stops and gives the statements, in order. */
export function startCensus(): () => Statement[] {
  const recorded: Statement[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text?: string; values?: unknown[] };
    recorded.push(
      typeof config === 'string'
        ? { text: config, values: (args[1] as unknown[]) ?? [] }
        : { text: config?.text ?? '', values: config?.values ?? [] },
    );
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof originalQuery;
  return () => {
    pg.Client.prototype.query = originalQuery;
    return recorded;
  };
}

/** Records the statements `work` sends. */
export async function census(work: () => Promise<unknown>): Promise<Statement[]> {
  const stop = startCensus();
  try {
    await work();
  } catch (error) {
    stop();
    throw error;
  }
  return stop();
}

/** The first words of a statement, enough to tell them apart; a trailing SQL comment as `+ comment`. */
export function summarize(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim();
  const comment = /\/\*.*\*\/\s*;?$/.test(words) ? ' + comment' : '';
  const from = /\bFROM ("[^"]+"\.)?("[^"]+")/.exec(words)?.[2];
  const into = /^(INSERT INTO|UPDATE) ("[^"]+"\.)?("[^"]+")/.exec(words);
  if (into) return `${into[1]} ${into[3]}${comment}`;
  if (/^SELECT/.test(words) && from) {
    const forUpdate = / FOR UPDATE\b/.test(words) ? ' FOR UPDATE' : '';
    const count = /\bCOUNT\(/i.test(words) ? 'SELECT COUNT(*)' : 'SELECT';
    return `${count} ${from}${forUpdate}${comment}`;
  }
  return words.slice(0, 40);
}
