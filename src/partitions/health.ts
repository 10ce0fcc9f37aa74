import type { CaptureQuery } from '../capture/installed.js';

/**
 * What is wrong with event_log's partitions, one sentence each ending in `fix`; empty when
 * the next month has its partition and the default partition is empty, or when event_log is
 * not partitioned. Two cheap queries: the default partition is probed, not counted.
 */
export async function partitionProblems(query: CaptureQuery, fix: string): Promise<string[]> {
  const [state] = (await query(
    `SELECT c.relkind::text AS kind,
            to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month', 'YYYY-MM') AS next_month,
            EXISTS (SELECT 1 FROM eventlog_partitions() p
                    WHERE NOT p.is_default
                      AND p.lower_bound <= (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'
                      AND p.upper_bound >= (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months') AT TIME ZONE 'UTC') AS covered,
            (SELECT p.partition FROM eventlog_partitions() p WHERE p.is_default) AS default_partition
     FROM pg_class c WHERE c.oid = to_regclass('event_log')`,
    [],
  )) as { kind: string; next_month: string; covered: boolean; default_partition: string | null }[];
  if (state?.kind !== 'p') return [];
  const problems: string[] = [];
  if (!state.covered) {
    problems.push(
      `event_log has no partition for ${state.next_month}, the next month: its entries would go to the default partition until one is created: ${fix}.`,
    );
  }
  if (state.default_partition) {
    const [held] = (await query(
      `SELECT EXISTS (SELECT 1 FROM ${state.default_partition}) AS held`,
      [],
    )) as { held: boolean }[];
    if (held?.held) {
      problems.push(
        `The default partition ${state.default_partition} holds entries of months without a partition of their own, which prune can only trim row by row: ${fix} moves them into their months.`,
      );
    }
  }
  return problems;
}
