// Where PostgreSQL spends a write: `EXPLAIN (ANALYZE, FORMAT JSON)` of a recorded statement
// (its text, comment and parameters as the server sent them), each run in a transaction
// that is rolled back. The trigger times are those of the AFTER triggers it fired.
import type pg from 'pg';
import type { Statement } from './census.js';
import { median } from './stats.js';

export interface ExplainTimes {
  /** Median "Execution Time", ms (the triggers included). */
  executionMs: number;
  /** Median total time of the triggers, ms. */
  triggerMs: number;
  planningMs: number;
}

interface Plan {
  'Execution Time': number;
  'Planning Time': number;
  Triggers?: { 'Trigger Name': string; Time: number; Calls: number }[];
}

export async function explainTimes(
  sql: pg.Client,
  statement: Statement,
  repeats: number,
): Promise<ExplainTimes> {
  const runs: Plan[] = [];
  for (let index = 0; index < repeats; index += 1) {
    await sql.query('BEGIN');
    try {
      const { rows } = await sql.query<{ 'QUERY PLAN': Plan[] }>({
        text: `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`,
        values: statement.values,
      });
      runs.push(rows[0]?.['QUERY PLAN'][0] as Plan);
    } finally {
      await sql.query('ROLLBACK');
    }
  }
  return {
    executionMs: median(runs.map((plan) => plan['Execution Time'])),
    planningMs: median(runs.map((plan) => plan['Planning Time'])),
    triggerMs: median(
      runs.map((plan) => (plan.Triggers ?? []).reduce((sum, trigger) => sum + trigger.Time, 0)),
    ),
  };
}

export interface FunctionTime {
  name: string;
  /** Per run of the statement. */
  calls: number;
  totalMs: number;
  selfMs: number;
}

/**
 * The PL/pgSQL functions a statement runs (its triggers), with their time per run of the
 * statement, from `pg_stat_user_functions` with `track_functions = 'pl'` set for this
 * session (which needs a superuser; `null` otherwise). SQL functions that PostgreSQL
 * inlines count as time of their caller. Each run is rolled back.
 */
export async function functionProfile(
  sql: pg.Client,
  statement: Statement,
  repeats: number,
): Promise<FunctionTime[] | null> {
  try {
    await sql.query(`SET track_functions = 'pl'`);
  } catch {
    return null;
  }
  const read = async () => {
    await sql.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await sql.query<{ name: string; calls: string; total: number; self: number }>(
      `SELECT funcname AS name, calls, total_time AS total, self_time AS self
         FROM pg_stat_user_functions`,
    );
    return new Map(rows.map((row) => [row.name, row]));
  };
  try {
    // One run first: the functions are compiled on their first call in a session.
    await runRolledBack(sql, statement);
    await sql.query('SELECT pg_stat_force_next_flush()');
    const before = await read();
    for (let index = 0; index < repeats; index += 1) await runRolledBack(sql, statement);
    await sql.query('SELECT pg_stat_force_next_flush()');
    await sql.query('SELECT 1');
    const after = await read();
    const profile: FunctionTime[] = [];
    for (const [name, row] of after) {
      const old = before.get(name);
      const calls = Number(row.calls) - Number(old?.calls ?? 0);
      if (calls === 0) continue;
      profile.push({
        name,
        calls: calls / repeats,
        totalMs: (row.total - (old?.total ?? 0)) / repeats,
        selfMs: (row.self - (old?.self ?? 0)) / repeats,
      });
    }
    return profile.sort((a, b) => b.selfMs - a.selfMs);
  } finally {
    await sql.query('RESET track_functions');
  }
}

async function runRolledBack(sql: pg.Client, statement: Statement) {
  await sql.query('BEGIN');
  try {
    await sql.query({ text: statement.text, values: statement.values });
  } finally {
    await sql.query('ROLLBACK');
  }
}
