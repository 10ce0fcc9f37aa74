// pruneEventLog and `pothos-eventlog prune` / `partitions` on real PostgreSQL: entries over
// several month partitions, the default partition and the upgraded layout; prune must leave
// exactly the entries at or after the boundary, and the dry run must say what the run does.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PruneProgress, type PruneReport, pruneEventLog } from '../../src/partitions/prune.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  entryIds,
  monthLayout,
  partitionNames,
  type Query,
  upgradedLayout,
} from '../support/event-log-fixture.js';
import { root } from '../support/packed-cli.js';
import { runProcess, withoutSignal } from '../support/run-process.js';

let database: TestDatabase;
let sql: pg.Client;
let query: Query;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  query = async (text, values) => (await sql.query(text, values)).rows;
  dir = await mkdtemp(join(tmpdir(), 'pel-prune-'));
});

afterAll(async () => {
  await sql?.end().catch(() => {});
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Per partition: action and entries removed, as the report gives them. */
function actions(report: PruneReport) {
  return Object.fromEntries(
    report.partitions.map((partition) => [
      partition.partition,
      `${partition.action} ${partition.removed}`,
    ]),
  );
}

async function expectExactlyKept(before: string, run: () => Promise<PruneReport>) {
  const all = await entryIds(query);
  const kept = await entryIds(query, before);
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.length).toBeLessThan(all.length);
  const report = await run();
  expect(await entryIds(query)).toEqual(kept);
  expect(report.removed).toBe(all.length - kept.length);
  return report;
}

describe('pruneEventLog on month partitions', () => {
  beforeEach(() => monthLayout(query));

  it('mid-month: the dry run counts, changes nothing, and the run does what it said', async () => {
    const before = '2024-11-15T12:00:00.000Z';
    const all = await entryIds(query);
    const layout = await partitionNames(query);
    const dry = await pruneEventLog(database.prisma, { before, dryRun: true });
    expect(await entryIds(query)).toEqual(all);
    expect(await partitionNames(query)).toEqual(layout);
    expect(actions(dry)).toEqual({
      event_log_p2024_09: 'drop 30',
      event_log_p2024_10: 'drop 30',
      // the first millisecond and the spread ones before noon on the 15th; the 10 at noon stay
      event_log_p2024_11: `trim ${await countBefore('event_log_p2024_11', before)}`,
      event_log_p2024_12: 'keep 0',
      event_log_p2025_01: 'keep 0',
      event_log_p2026_12: 'keep 0',
      event_log_p2027_01: 'keep 0',
      event_log_p2027_02: 'keep 0',
      event_log_p2027_03: 'keep 0',
      event_log_default: 'trim 2',
    });
    const progress: PruneProgress[] = [];
    const report = await expectExactlyKept(before, () =>
      pruneEventLog(database.prisma, {
        before,
        batchSize: 4,
        onProgress: (event) => progress.push(event),
      }),
    );
    expect(actions(report)).toEqual(actions(dry));
    expect(report.removed).toBe(dry.removed);
    expect(await partitionNames(query)).toEqual(
      layout.filter((name) => !['event_log_p2024_09', 'event_log_p2024_10'].includes(name)),
    );
    // progress: one drop event per dropped month, batches of at most 4 for the trims
    expect(progress.filter((event) => event.phase === 'drop').map((e) => e.partition)).toEqual([
      'event_log_p2024_09',
      'event_log_p2024_10',
    ]);
    const trim = progress.filter(
      (event) => event.phase === 'delete' && event.partition === 'event_log_p2024_11',
    );
    const trimmed = report.partitions.find((p) => p.partition === 'event_log_p2024_11');
    expect(trim.at(-1)).toMatchObject({ done: true, rows: trimmed?.removed });
    expect(trim.length).toBe(Math.ceil((trimmed?.removed ?? 0) / 4) + 1);
    expect(trimmed?.batches).toBe(trim.length);
  });

  it('at a month start: the month before goes whole, the entry at the first millisecond stays', async () => {
    const before = '2024-11-01T00:00:00.000Z';
    const [first] = (await query(
      `SELECT id::text AS id FROM event_log WHERE "timestamp" = '2024-11-01T00:00:00Z'`,
    )) as { id: string }[];
    const report = await expectExactlyKept(before, () =>
      pruneEventLog(query, { before: '2024-11-01' }),
    );
    expect(report.before.toISOString()).toBe(before);
    expect(actions(report)).toMatchObject({
      event_log_p2024_09: 'drop 30',
      event_log_p2024_10: 'drop 30',
      event_log_p2024_11: 'keep 0',
      event_log_default: 'trim 2',
    });
    expect(await entryIds(query)).toContain(first?.id);
    const [last] = (await query(
      `SELECT count(*)::int AS n FROM event_log WHERE "timestamp" = '2024-10-31T23:59:59.999Z'`,
    )) as { n: number }[];
    expect(last?.n).toBe(0);
  });

  it('before everything: nothing goes', async () => {
    const all = await entryIds(query);
    const report = await pruneEventLog(query, { before: '2020-01-01' });
    expect(report.removed).toBe(0);
    expect(report.partitions.filter((p) => p.action !== 'keep').map((p) => p.partition)).toEqual([
      'event_log_default',
    ]);
    expect(await entryIds(query)).toEqual(all);
  });

  it('exports what it removes, one file per partition, before removing it', async () => {
    const out = join(dir, 'ndjson');
    const before = '2024-11-15T12:00:00Z';
    const doomed = (await query(
      `SELECT id::text AS id, to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts, "values"::text AS v
       FROM event_log WHERE "timestamp" < $1 ORDER BY "timestamp", id`,
      [before],
    )) as { id: string; ts: string; v: string }[];
    const progress: PruneProgress[] = [];
    const report = await expectExactlyKept(before, () =>
      pruneEventLog(database.prisma, {
        before,
        batchSize: 7,
        export: { dir: out },
        onProgress: (event) => progress.push(event),
      }),
    );
    expect((await readdir(out)).sort()).toEqual([
      'event_log_default.ndjson',
      'event_log_p2024_09.ndjson',
      'event_log_p2024_10.ndjson',
      'event_log_p2024_11.ndjson',
    ]);
    const rows: Record<string, unknown>[] = [];
    for (const partition of report.partitions.filter((p) => p.file)) {
      const lines = (await readFile(partition.file as string, 'utf8')).split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.length).toBe(partition.removed);
      rows.push(...lines.map((line) => JSON.parse(line) as Record<string, unknown>));
    }
    expect(rows.map((row) => row.id).sort()).toEqual(doomed.map((row) => row.id).sort());
    const byId = new Map(doomed.map((row) => [row.id, row]));
    for (const row of rows) {
      const original = byId.get(row.id as string);
      expect(row.timestamp).toBe(original?.ts);
      expect(row.values).toEqual(JSON.parse(original?.v as string));
    }
    expect(rows[0]).toMatchObject({ id: expect.any(String), tool: 'fixture', context: null });
    // keyset batches of 7: the 30 entries of a month in 5 reads
    const exports = progress.filter(
      (event) => event.phase === 'export' && event.partition === 'event_log_p2024_09',
    );
    expect(exports.map((event) => event.rows)).toEqual([7, 14, 21, 28, 30, 30]);
  });

  it('writes CSV, and keeps big numbers of JSON columns exact', async () => {
    const out = join(dir, 'csv');
    await pruneEventLog(query, { before: '2024-10-01', export: { dir: out, format: 'csv' } });
    const text = await readFile(join(out, 'event_log_p2024_09.csv'), 'utf8');
    const [header, first] = text.split('\r\n');
    expect(header).toBe(
      'id,timestamp,actorId,actorName,tool,action,objectType,objectId,template,message,values,changes,context',
    );
    expect(first).toMatch(
      /^\d+,2024-09-01T00:00:00\.000Z,1,,fixture,update,Certificate,1,Entry \{n\},"Entry ""1"", with a comma","\{""n"": 1, ""big"": 12345678901234567890, ""text"": ""a \\""quoted\\"", line\\ntwo""\}",,$/,
    );
    expect(text.split('\r\n').length).toBe(1 + 30 + 1);
  });

  it('an export that fails deletes nothing of the partition, and never overwrites a file', async () => {
    const all = await entryIds(query);
    const notADirectory = join(dir, 'a-file');
    await writeFile(notADirectory, 'x');
    await expect(
      pruneEventLog(query, { before: '2024-10-01', export: { dir: notADirectory } }),
    ).rejects.toMatchObject({
      code: 'EVENT_LOG_PRUNE_EXPORT',
      message: expect.stringMatching(
        /^pothos-eventlog: exporting event_log_p2024_09 to .* failed, nothing of it was deleted: /,
      ),
    });
    expect(await entryIds(query)).toEqual(all);
    const out = join(dir, 'existing');
    await pruneEventLog(query, { before: '2020-01-01', export: { dir: out } });
    await rm(out, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(out, { recursive: true }));
    await writeFile(join(out, 'event_log_p2024_09.ndjson'), 'kept\n');
    await expect(
      pruneEventLog(query, { before: '2024-10-01', export: { dir: out } }),
    ).rejects.toThrow(/the file exists already/);
    expect(await entryIds(query)).toEqual(all);
    expect(await readFile(join(out, 'event_log_p2024_09.ndjson'), 'utf8')).toBe('kept\n');
    expect(await readdir(out)).toEqual(['event_log_p2024_09.ndjson']);
  });

  it('refuses bad input and a date later than now, changing nothing', async () => {
    const all = await entryIds(query);
    for (const before of ['yesterday', '2025-02-30', '2025-01-01T00:00', '2025-13-01', '']) {
      await expect(pruneEventLog(query, { before })).rejects.toMatchObject({
        path: 'before',
        message: expect.stringContaining(`got ${JSON.stringify(before)}`),
      });
    }
    await expect(pruneEventLog(query, { before: new Date('x') })).rejects.toThrow(
      /before is an invalid Date/,
    );
    await expect(
      pruneEventLog(query, { before: new Date(Date.now() + 3_600_000) }),
    ).rejects.toThrow(/later than the database's current time/);
    await expect(pruneEventLog(query, { before: '2024-10-01', batchSize: 0 })).rejects.toThrow(
      /batchSize must be a whole number from 1 to 100000; got 0/,
    );
    await expect(
      pruneEventLog(query, {
        before: '2024-10-01',
        export: { dir, format: 'xml' as 'csv' },
      }),
    ).rejects.toThrow(/export.format must be "ndjson" or "csv"; got "xml"/);
    expect(await entryIds(query)).toEqual(all);
  });
});

async function countBefore(partition: string, before: string) {
  const [row] = (await query(`SELECT count(*)::int AS n FROM ${partition} WHERE "timestamp" < $1`, [
    before,
  ])) as { n: number }[];
  return row?.n ?? 0;
}

describe('pruneEventLog and other sessions', () => {
  beforeEach(() => monthLayout(query));

  it('a trim holds no lock that stops writers: inserts complete while it runs', async () => {
    // 20 000 entries in the default partition (no month covers 2023-05), trimmed by 200.
    await query(
      `INSERT INTO event_log ("timestamp", tool, action, "objectType", template, message)
       SELECT timestamptz '2023-05-01' + g * interval '1 second', 'bulk', 'update', 'X', 't', 'm'
       FROM generate_series(1, 20000) g`,
    );
    const writer = new pg.Client({ connectionString: database.url });
    await writer.connect();
    try {
      const inserts: Promise<number>[] = [];
      const done: number[] = [];
      const insert = (when: string) => async () => {
        const started = performance.now();
        await writer.query(
          `INSERT INTO event_log ("timestamp", tool, action, "objectType", template, message)
           VALUES (${when}, 'writer', 'create', 'X', 't', 'm')`,
        );
        done.push(performance.now());
        return performance.now() - started;
      };
      let finished = Number.NaN;
      const report = await pruneEventLog(database.prisma, {
        before: '2024-01-01',
        batchSize: 200,
        onProgress: (event) => {
          if (event.phase === 'delete' && event.rows === 2000) {
            // into the current month, and into the very partition being trimmed
            inserts.push(insert('now()')(), insert(`'2025-06-01'`)());
          }
        },
      });
      finished = performance.now();
      const times = await Promise.all(inserts);
      expect(times).toHaveLength(2);
      for (const ms of times) expect(ms).toBeLessThan(500);
      for (const at of done) expect(at).toBeLessThan(finished);
      expect(report.partitions.find((p) => p.isDefault)).toMatchObject({
        action: 'trim',
        removed: 20002,
      });
      expect(report.partitions.find((p) => p.isDefault)?.batches).toBe(102);
    } finally {
      await writer.end();
    }
  });

  it('a drop waits for event_log at most lockTimeoutMs a time, and gives up deleting nothing', async () => {
    const all = await entryIds(query);
    const reader = new pg.Client({ connectionString: database.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM event_log');
      // While the drop waits, another session's insert waits behind it: at most 100 ms.
      const started = performance.now();
      const pruning = pruneEventLog(query, { before: '2024-10-01', lockTimeoutMs: 100 });
      await expect(pruning).rejects.toMatchObject({
        code: 'EVENT_LOG_PRUNE_LOCKED',
        message: expect.stringMatching(
          /^pothos-eventlog: could not drop event_log_p2024_09: event_log stayed locked by other sessions \(5 waits of 100 ms\)/,
        ),
      });
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    expect(await entryIds(query)).toEqual(all);
    // once the reader is gone, the same call drops it
    const report = await pruneEventLog(query, { before: '2024-10-01', lockTimeoutMs: 100 });
    expect(actions(report)).toMatchObject({ event_log_p2024_09: 'drop 30' });
  });
});

describe('pruneEventLog on other layouts', () => {
  it('the upgraded layout: the partition of everything before a month is trimmed, then dropped', async () => {
    await upgradedLayout(query);
    const trim = await expectExactlyKept('2024-10-20T00:00:00.000Z', () =>
      pruneEventLog(query, { before: '2024-10-20', batchSize: 9 }),
    );
    expect(trim.partitions[0]).toMatchObject({
      partition: 'event_log_before_partitioning',
      lowerBound: null,
      upperBound: new Date('2025-01-01T00:00:00Z'),
      action: 'trim',
    });
    const drop = await expectExactlyKept('2025-01-01T00:00:00.000Z', () =>
      pruneEventLog(query, { before: '2025-01-01' }),
    );
    expect(actions(drop)).toMatchObject({
      event_log_before_partitioning: `drop ${drop.partitions[0]?.removed}`,
      event_log_p2025_01: 'keep 0',
    });
    expect(await partitionNames(query)).not.toContain('event_log_before_partitioning');
  });

  it('a table that is not partitioned: batched deletes', async () => {
    await monthLayout(query);
    await query('CREATE SCHEMA plain');
    try {
      await query(
        'CREATE TABLE plain.event_log (LIKE public.event_log INCLUDING DEFAULTS INCLUDING INDEXES)',
      );
      await query('INSERT INTO plain.event_log SELECT * FROM public.event_log');
      const plain = new pg.Client({
        connectionString: database.url,
        options: '-c search_path=plain',
      });
      await plain.connect();
      try {
        const plainQuery: Query = async (text, values) => (await plain.query(text, values)).rows;
        const kept = await entryIds(plainQuery, '2024-11-15T12:00:00Z');
        const dry = await pruneEventLog(plainQuery, {
          before: '2024-11-15T12:00:00Z',
          dryRun: true,
        });
        const report = await pruneEventLog(plainQuery, {
          before: '2024-11-15T12:00:00Z',
          batchSize: 10,
        });
        expect(report.partitioned).toBe(false);
        expect(report.partitions).toEqual([
          expect.objectContaining({ partition: 'event_log', action: 'trim', removed: dry.removed }),
        ]);
        expect(await entryIds(plainQuery)).toEqual(kept);
      } finally {
        await plain.end();
      }
    } finally {
      await query('DROP SCHEMA plain CASCADE');
    }
  });
});

function cli(args: string[]) {
  return runProcess(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
  }).then(withoutSignal);
}

describe('pothos-eventlog prune and partitions', () => {
  let shown: string;
  beforeAll(() => {
    const url = new URL(database.url);
    if (url.password) url.password = '***';
    shown = url.toString();
  });
  beforeEach(() => monthLayout(query));

  it('prints a dry run, then prunes with an export', async () => {
    const all = await entryIds(query);
    const dry = await cli([
      'prune',
      '--database',
      database.url,
      '--before',
      '2024-11-15T12:00:00Z',
      '--dry-run',
    ]);
    expect(dry).toEqual({
      code: 0,
      stderr: '',
      stdout: `Connected to ${shown}.
Dry run, nothing changed: entries before 2024-11-15T12:00:00.000Z.
  partition           range                     action  removes
  event_log_p2024_09  [2024-09-01, 2024-10-01)  drop    30 entries
  event_log_p2024_10  [2024-10-01, 2024-11-01)  drop    30 entries
  event_log_p2024_11  [2024-11-01, 2024-12-01)  trim    ${await countBefore('event_log_p2024_11', '2024-11-15T12:00:00Z')} entries
  event_log_p2024_12  [2024-12-01, 2025-01-01)  keep
  event_log_p2025_01  [2025-01-01, 2025-02-01)  keep
  event_log_p2026_12  [2026-12-01, 2027-01-01)  keep
  event_log_p2027_01  [2027-01-01, 2027-02-01)  keep
  event_log_p2027_02  [2027-02-01, 2027-03-01)  keep
  event_log_p2027_03  [2027-03-01, 2027-04-01)  keep
  event_log_default   default                   trim    2 entries
Would remove ${all.length - (await entryIds(query, '2024-11-15T12:00:00Z')).length} entries: 2 partitions dropped, 2 trimmed, 6 untouched.
`,
    });
    expect(await entryIds(query)).toEqual(all);
    const out = join(dir, 'cli');
    const kept = await entryIds(query, '2024-11-15T12:00:00Z');
    const run = await cli([
      'prune',
      '--database',
      database.url,
      '--before',
      '2024-11-15T12:00:00Z',
      '--export',
      out,
      '--format',
      'csv',
      '--batch-size',
      '3',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        [
          `^Connected to ${shown.replace(/[.?+]/g, '\\$&')}\\.`,
          `event_log_p2024_09: exported 30 entries to ${out}/event_log_p2024_09\\.csv \\(\\d+\\.\\d\\d s\\)\\.`,
          'event_log_p2024_09: dropped, 30 entries \\(\\d+\\.\\d\\d s\\)\\.',
          `event_log_p2024_10: exported 30 entries to ${out}/event_log_p2024_10\\.csv \\(\\d+\\.\\d\\d s\\)\\.`,
          'event_log_p2024_10: dropped, 30 entries \\(\\d+\\.\\d\\d s\\)\\.',
          `event_log_p2024_11: exported \\d+ entries to ${out}/event_log_p2024_11\\.csv \\(\\d+\\.\\d\\d s\\)\\.`,
          'event_log_p2024_11: deleted \\d+ entries in batches \\(\\d+\\.\\d\\d s\\)\\.',
          `event_log_default: exported 2 entries to ${out}/event_log_default\\.csv \\(\\d+\\.\\d\\d s\\)\\.`,
          'event_log_default: deleted 2 entries in batches \\(\\d+\\.\\d\\d s\\)\\.',
          `Removed ${all.length - kept.length} entries before 2024-11-15T12:00:00\\.000Z: 2 partitions dropped, 2 trimmed, 6 untouched; 4 exported \\(\\d+\\.\\d\\d s\\)\\.`,
          '$',
        ].join('\n'),
      ),
    );
    expect(await entryIds(query)).toEqual(kept);
  });

  it('partitions creates the months ahead and those the default partition holds, and lists them', async () => {
    const run = await cli(['partitions', '--database', database.url, '--ahead', '4']);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: `Connected to ${shown}.
Created event_log_p2023_06, event_log_p2027_04.
  partition           range                     entries
  event_log_p2023_06  [2023-06-01, 2023-07-01)  2
  event_log_p2024_09  [2024-09-01, 2024-10-01)  30
  event_log_p2024_10  [2024-10-01, 2024-11-01)  30
  event_log_p2024_11  [2024-11-01, 2024-12-01)  30
  event_log_p2024_12  [2024-12-01, 2025-01-01)  30
  event_log_p2025_01  [2025-01-01, 2025-02-01)  30
  event_log_p2026_12  [2026-12-01, 2027-01-01)  1
  event_log_p2027_01  [2027-01-01, 2027-02-01)  0
  event_log_p2027_02  [2027-02-01, 2027-03-01)  0
  event_log_p2027_03  [2027-03-01, 2027-04-01)  0
  event_log_p2027_04  [2027-04-01, 2027-05-01)  0
  event_log_default   default                   0
`,
    });
    const again = await cli(['partitions', '--database', database.url]);
    expect(again.stdout).toMatch(
      /^Connected to .*\nEvery month through the last one asked for has its partition: none created\.\n/,
    );
  });

  it('usage errors name the flag, exit 2 and change nothing', async () => {
    const all = await entryIds(query);
    const cases: [string[], string][] = [
      [['prune', '--database', database.url], 'prune needs --before <date>'],
      [
        ['prune', '--database', database.url, '--before', '2025-01-01T00:00'],
        '--before "2025-01-01T00:00" is not a date',
      ],
      [
        ['prune', '--database', database.url, '--before', 'last year'],
        '--before "last year" is not a date',
      ],
      [['prune', '--before', '2024-10-01'], 'prune needs --database <url>'],
      [
        ['prune', '--database', database.url, '--before', '2024-10-01', '--batch-size', '0'],
        '--batch-size "0": give a whole number from 1 to 100000.',
      ],
      [
        ['prune', '--database', database.url, '--before', '2024-10-01', '--format', 'csv'],
        '--format applies to --export <dir>',
      ],
      [
        [
          'prune',
          '--database',
          database.url,
          '--before',
          '2024-10-01',
          '--export',
          dir,
          '--format',
          'xml',
        ],
        '--format "xml": give ndjson or csv.',
      ],
      [
        ['prune', '--database', database.url, '--before', '2024-10-01', '--ahead', '2'],
        'The flag --ahead does not apply to prune.',
      ],
      [
        ['partitions', '--database', database.url, '--ahead', 'x'],
        '--ahead "x": give a whole number from 0 to 120.',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr.split('\n')[0]).toContain(message);
    }
    const future = await cli(['prune', '--database', database.url, '--before', '2099-01-01']);
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(
      /^pothos-eventlog: before \(2099-01-01T00:00:00\.000Z\) is later than the database's current time/,
    );
    expect(await entryIds(query)).toEqual(all);
  });
});
