import { performance } from 'node:perf_hooks';
import {
  type PruneExportFormat,
  type PruneProgress,
  type PruneReport,
  pruneEventLog,
} from '../partitions/prune.js';
import { columns, formatCount, formatRange, formatSeconds, withDatabase } from './connect.js';

export interface PruneCommand {
  url: string;
  before: Date;
  dryRun: boolean;
  batchSize: number | undefined;
  export: { dir: string; format: PruneExportFormat } | undefined;
}

/** `pothos-eventlog prune`: deletes the entries before a date, or with --dry-run counts them. */
export async function prune(options: PruneCommand, log: (line: string) => void): Promise<number> {
  return withDatabase('prune', options.url, log, async (query) => {
    const report = await pruneEventLog(query, {
      before: options.before,
      dryRun: options.dryRun,
      batchSize: options.batchSize,
      export: options.export,
      onProgress: progressLines(log),
    });
    if (report.dryRun) printDryRun(report, log);
    else log(summary(report));
    return 0;
  });
}

/**
 * Turns progress into lines: the end of each phase, and at most one line a second while a
 * phase runs.
 */
function progressLines(log: (line: string) => void) {
  let shown = performance.now();
  return (progress: PruneProgress) => {
    const { partition, rows, total, elapsedMs } = progress;
    const took = formatSeconds(elapsedMs);
    if (progress.done) {
      shown = performance.now();
      if (progress.phase === 'drop') {
        log(`${partition}: dropped, ${formatCount(rows)} entries (${took}).`);
      } else if (progress.phase === 'delete') {
        log(`${partition}: deleted ${formatCount(rows)} entries in batches (${took}).`);
      } else {
        log(`${partition}: exported ${formatCount(rows)} entries to ${progress.file} (${took}).`);
      }
      return;
    }
    if (performance.now() - shown < 1000) return;
    shown = performance.now();
    const verb = progress.phase === 'export' ? 'exporting' : 'deleting';
    log(`${partition}: ${verb}, ${formatCount(rows)} of ${formatCount(total)} entries (${took}).`);
  };
}

function counts(report: PruneReport) {
  const of = (action: string) =>
    report.partitions.filter((partition) => partition.action === action).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return report.partitioned
    ? `${plural(of('drop'), 'partition')} dropped, ${of('trim')} trimmed, ${of('keep')} untouched`
    : 'event_log is not partitioned: batched deletes';
}

function printDryRun(report: PruneReport, log: (line: string) => void) {
  log(`Dry run, nothing changed: entries before ${report.before.toISOString()}.`);
  const rows = report.partitions.map((partition) => [
    partition.partition,
    formatRange({ ...partition, partitioned: report.partitioned }),
    partition.action,
    partition.action === 'keep'
      ? ''
      : `${formatCount(partition.removed)} ${partition.removed === 1 ? 'entry' : 'entries'}`,
  ]);
  for (const line of columns([['partition', 'range', 'action', 'removes'], ...rows])) log(line);
  log(`Would remove ${formatCount(report.removed)} entries: ${counts(report)}.`);
}

function summary(report: PruneReport): string {
  const files = report.partitions.filter((partition) => partition.file).length;
  return `Removed ${formatCount(report.removed)} entries before ${report.before.toISOString()}: ${counts(report)}${files ? `; ${files} exported` : ''} (${formatSeconds(report.elapsedMs)}).`;
}
