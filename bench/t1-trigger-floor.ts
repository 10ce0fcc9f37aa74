// T1: the floor of a capture trigger. What the capture trigger costs per one-row UPDATE
// transaction, measured with pgbench on the UPDATE the W1 server sends (recorded with its
// sqlcommenter comment), and what cheaper PL/pgSQL trigger designs cost at least: each is
// installed in place of the real capture on the logged database, measured, and the real
// function and trigger put back.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/t1-trigger-floor.ts
//
// T1_ROUNDS (default 5) interleaved rounds, the variants' order rotating; T1_SECONDS (default
// 3) seconds per pgbench run (`-n -M prepared -c 1`), each variant with synchronous_commit on
// and off. Then WAL per transaction (pg_stat_wal around a `-t` run). Needs pgbench (found
// with `pg_config --bindir`, on PATH or in /usr/lib/postgresql/*/bin) and a superuser for
// CREATE FUNCTION / TRIGGER and pg_stat_wal. It creates two `pel_bench_<random>` databases
// (bench/support/database.ts: logged, unlogged) and drops them at the end, also on an error
// or Ctrl-C. Markdown on stdout, progress on stderr. About 5.5 minutes with the defaults.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { createYoga } from 'graphql-yoga';
import { census } from './support/census.js';
import { addCertificates, type BenchDatabase, createBenchDatabase } from './support/database.js';
import { count, median, ms, ratio, table } from './support/stats.js';
import { createW1Schema } from './w1-schema.js';

const run = promisify(execFile);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error(
    't1-trigger-floor needs DATABASE_URL, a PostgreSQL server where it may create databases.',
  );
  process.exit(1);
}
const rounds = Number(process.env.T1_ROUNDS ?? 5);
const seconds = Number(process.env.T1_SECONDS ?? 3);
/** Transactions of each WAL run, and runs per variant (the smallest counts: see below). */
const walTransactions = 1000;
const walRuns = 3;
const rows = 200;
const progress = (line: string) => process.stderr.write(`${line}\n`);

/** pgbench of the server's major version if pg_config knows it, else PATH, else the newest install. */
async function findPgbench(): Promise<string> {
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    const candidate = join(stdout.trim(), 'pgbench');
    if (existsSync(candidate)) return candidate;
  } catch {}
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = join(root, version, 'bin', 'pgbench');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    't1-trigger-floor needs pgbench (PostgreSQL client tools): not found by `pg_config --bindir`, on PATH, or in /usr/lib/postgresql/*/bin.',
  );
}

/** The real capture function of "Certificate" is replaced by each variant's body. */
const fn = (body: string, declare = '') => `
CREATE OR REPLACE FUNCTION eventlog_capture_certificate() RETURNS trigger LANGUAGE plpgsql AS $fn$
${declare}BEGIN
${body}
  RETURN NULL;
END
$fn$;`;

interface Variant {
  key: string;
  /** The table's label: what it does, in plain words. */
  label: string;
  /** What it does and what it leaves out, for the list under the table. */
  note: string;
  database: 'logged' | 'unlogged';
  script: 'logged' | 'bare';
  /** SQL that installs the variant on the logged database (the real capture is restored after). */
  install?: string;
  /** A reduced capture: writes an entry, but without some of the real capture's features. */
  reduced?: boolean;
}

const variants: Variant[] = [
  {
    key: 'unlogged',
    label: 'unlogged: no capture trigger',
    note: 'the unlogged database (no capture trigger on "Certificate"), the UPDATE without the comment, as the W1 unlogged server sends it.',
    database: 'unlogged',
    script: 'bare',
  },
  {
    key: 'current',
    label: 'current capture (the generated trigger)',
    note: "the generated statement trigger as migrated: transition tables to items JSON, `eventlog_record` (context decoded from the comment, merge look-up skipped on a call's first write, diff with exclusions and masking, rendered message, one INSERT, NOTIFY).",
    database: 'logged',
    script: 'logged',
  },
  {
    key: 'empty',
    label: 'empty statement trigger',
    note: 'the same AFTER UPDATE … FOR EACH STATEMENT trigger with its transition tables, the function body empty: the cost of firing a PL/pgSQL statement trigger that keeps OLD/NEW tables. Writes nothing.',
    database: 'logged',
    script: 'logged',
    install: fn(''),
  },
  {
    key: 'insert',
    label: 'one constant INSERT into event_log',
    note: 'the empty trigger plus one INSERT of constant values into the partitioned `event_log` (its 5 indexes, the sequence, WAL): the price of writing any entry at all. Reads neither the context nor the rows.',
    database: 'logged',
    script: 'logged',
    install: fn(
      `  INSERT INTO event_log (tool, action, "objectType", "objectId", template, message)
  VALUES ('t', 'update', 'Certificate', '5', 'x', 'x');`,
    ),
  },
  {
    key: 'context',
    label: 'eventlog_context() + one constant INSERT',
    note: 'as the constant INSERT, after decoding the context from the comment (`eventlog_context()`, unchanged): the price of the attribution itself. Uses neither the context nor the rows.',
    database: 'logged',
    script: 'logged',
    install: fn(
      `  PERFORM eventlog_context();
  INSERT INTO event_log (tool, action, "objectType", "objectId", template, message)
  VALUES ('t', 'update', 'Certificate', '5', 'x', 'x');`,
    ),
  },
  {
    key: 'items',
    label: 'items JSON from the transition tables only',
    note: "the current capture function's own query alone (old and new row as JSON, joined by id, aggregated into the items array), the result thrown away: no context, no diff, no INSERT.",
    database: 'logged',
    script: 'logged',
    install: fn(
      `  PERFORM (SELECT coalesce(jsonb_agg(jsonb_build_object('id', coalesce(n."id"::text, o."id"::text), 'op', 'update',
                     'old', eventlog_row_certificate(o), 'new', eventlog_row_certificate(n))), '[]')
           FROM eventlog_old o FULL JOIN eventlog_new n ON o."id"::text = n."id"::text);`,
    ),
  },
  {
    key: 'single',
    label: 'reduced capture: one INSERT … SELECT (statement trigger)',
    note: "one statement per trigger call: the context decoded, old and new row as JSON, the changed keys (all but `updatedAt`) as old_value/new_value, the message rendered from the template's parts, one INSERT per row, all in SQL without helper calls.",
    database: 'logged',
    script: 'logged',
    reduced: true,
    install: fn(
      `  INSERT INTO event_log ("actorId", "actorName", tool, action, "objectType", "objectId", template, message, "values", changes, context)
  SELECT c #>> '{actor,id}', c #>> '{actor,name}', coalesce(c ->> 'tool', 'certificate'), 'update', 'Certificate', n.id::text,
         c ->> 'template',
         (SELECT string_agg(CASE WHEN jsonb_typeof(p) = 'string' THEN p #>> '{}' WHEN p ? 'f' THEN r.nr ->> (p ->> 'f')
                                 ELSE c #>> array['values', p ->> 'k', 'snapshot'] END, '' ORDER BY ord)
          FROM jsonb_array_elements(c -> 'parts') WITH ORDINALITY a(p, ord)),
         c -> 'values',
         d.changes,
         jsonb_build_object('call', c -> 'call', 'op', 'update', 'requestId', c -> 'requestId', 'path', c -> 'path')
  FROM (SELECT eventlog_context() AS c OFFSET 0) ctx, eventlog_old o JOIN eventlog_new n ON o.id = n.id,
  LATERAL (SELECT eventlog_row_certificate(o) AS orow, eventlog_row_certificate(n) AS nr OFFSET 0) r,
  LATERAL (SELECT jsonb_build_object('old_value', jsonb_object_agg(x.key, x.value), 'new_value', jsonb_object_agg(x.key, y.value)) AS changes
           FROM jsonb_each(r.orow) x JOIN jsonb_each(r.nr) y USING (key)
           WHERE x.value <> y.value AND NOT key = ANY ('{updatedAt}')) d;`,
    ),
  },
  {
    key: 'row',
    label: 'reduced capture: row-level AFTER UPDATE trigger',
    note: 'a FOR EACH ROW trigger (no transition tables) in place of the statement trigger: the context decoded, OLD and NEW as JSON, `eventlog_diff` (exclusions and masking) and `eventlog_render` called as the current capture calls them, one INSERT, NOTIFY of its id.',
    database: 'logged',
    script: 'logged',
    reduced: true,
    install: `
CREATE OR REPLACE FUNCTION eventlog_t1_row_certificate() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_context jsonb := eventlog_context();
  o jsonb := eventlog_row_certificate(OLD);
  n jsonb := eventlog_row_certificate(NEW);
  d jsonb;
  rendered jsonb;
  v_id bigint;
BEGIN
  d := eventlog_diff(o, n, '{"id","updatedAt"}'::text[], '{"password"}'::text[]);
  rendered := eventlog_render(v_context -> 'parts', v_context -> 'values', 'Certificate', NEW.id::text, n);
  INSERT INTO event_log ("actorId", "actorName", tool, action, "objectType", "objectId", template, message, "values", changes, context)
  VALUES (v_context #>> '{actor,id}', v_context #>> '{actor,name}', coalesce(v_context ->> 'tool', 'certificate'), 'update',
          'Certificate', NEW.id::text, v_context ->> 'template', rendered ->> 'message', rendered -> 'values',
          jsonb_build_object('old_value', d -> 0, 'new_value', d -> 1),
          jsonb_strip_nulls(jsonb_build_object('requestId', v_context -> 'requestId', 'path', v_context -> 'path',
                                               'call', v_context -> 'call', 'op', 'update')))
  RETURNING id INTO v_id;
  PERFORM pg_notify('eventlog', v_id::text);
  RETURN NULL;
END
$fn$;
DROP TRIGGER eventlog_capture_update ON "Certificate";
CREATE TRIGGER eventlog_t1_row AFTER UPDATE ON "Certificate" FOR EACH ROW EXECUTE FUNCTION eventlog_t1_row_certificate();`,
  },
];

/** The features the reduced variants leave out: why they are a floor, not an alternative. */
const missing = [
  "merging several writes of one call into one entry (the real capture's `eventlog.calls` and look-up of the call's entry)",
  'unattributed writes (no comment: tool `database`, the transaction as the call, `unattributed: true`)',
  "the model check of the context (`own`), `action` from the context, and the default message when the context has none or is another model's",
  'INSERT and DELETE (the triggers on INSERT and DELETE stay the real ones; the variants handle UPDATE only)',
  'the length limits (`left(…, 255)`), `operationName`, and a NULL-safe context (a missing or malformed comment)',
];

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
const cleanup = () => {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch(() => {});
  })();
  return cleaning;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    progress(`T1: ${signal}, dropping the databases`);
    void cleanup().then(() => process.exit(130));
  });
}

const started = performance.now();
const pgbench = await findPgbench();
const dir = await mkdtemp(join(os.tmpdir(), 'pel-bench-t1-'));
cleanups.push(() => rm(dir, { recursive: true, force: true }));
try {
  const logged: BenchDatabase = await createBenchDatabase(serverUrl, { capture: true });
  cleanups.push(() => logged.drop());
  const unlogged: BenchDatabase = await createBenchDatabase(serverUrl, { capture: false });
  cleanups.push(() => unlogged.drop());
  for (const db of [logged, unlogged]) {
    await addCertificates(db.sql, rows);
    const { rows: present } = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Certificate" WHERE id BETWEEN 1 AND ${rows}`,
    );
    if (present[0]?.n !== rows) throw new Error(`T1: ${db.name} lacks certificates 1..${rows}`);
  }
  // The seed's own entries stay; the unlogged database must gain none.
  const entries = async (db: BenchDatabase) =>
    Number(
      (await db.sql.query<{ n: string }>('SELECT count(*)::text AS n FROM event_log')).rows[0]?.n,
    );
  const unloggedAtStart = await entries(unlogged);
  progress(`T1: logged ${logged.name}, unlogged ${unlogged.name}; pgbench ${pgbench}`);

  // The UPDATE as the W1 logged server sends it: the mutation through yoga on the logged
  // database's Prisma client (with the eventLog comments), recorded at the driver.
  const prisma = logged.database.prisma;
  const yoga = createYoga({
    schema: createW1Schema('logged'),
    graphiql: false,
    context: async () => ({
      prisma,
      currentUser: { id: 1, fullName: 'Ada Admin' },
      requestId: randomUUID(),
    }),
  });
  const statements = await census(async () => {
    const response = await yoga.fetch('http://bench/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation { updateCertificate(id: 5, name: "B5", notes: "n") { id name notes } }',
      }),
    });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) throw new Error(`T1: the mutation failed: ${JSON.stringify(body.errors)}`);
  });
  const update = statements.find((s) => s.text.startsWith('UPDATE'));
  if (!update || !/\/\*eventlog='[^']+'\*\/\s*$/.test(update.text)) {
    throw new Error('T1: no UPDATE with an eventlog comment was recorded');
  }
  // Parameters become pgbench variables: a random one of the rows, new values each time.
  const expressions: Record<string, string> = {
    name: `'B' || :id`,
    notes: `'notes ' || :r`,
    updatedAt: 'now()',
    id: ':id',
  };
  const parameterText = update.text.replace(/"(\w+)" = \$(\d+)/g, (whole, column: string) => {
    const expression = expressions[column];
    return expression ? `"${column}" = ${expression}` : whole;
  });
  if (/\$\d/.test(parameterText)) {
    throw new Error(`T1: unmapped parameters in the recorded UPDATE: ${update.text}`);
  }
  const header = `\\set id random(1, ${rows})\n\\set r random(1, 1000000)\n`;
  const scripts = {
    logged: join(dir, 'logged.sql'),
    bare: join(dir, 'bare.sql'),
  };
  await writeFile(scripts.logged, `${header}${parameterText};\n`);
  await writeFile(
    scripts.bare,
    `${header}${parameterText.replace(/\s*\/\*eventlog='[^']+'\*\/\s*$/, '')};\n`,
  );
  const commentBytes =
    Buffer.byteLength(update.text) -
    Buffer.byteLength(update.text.replace(/\s*\/\*eventlog='[^']+'\*\/\s*$/, ''));

  // The real capture, as migrated: put back after every variant, and checked.
  const { rows: real } = await logged.sql.query<{ fn: string; trigger: string }>(
    `SELECT pg_get_functiondef('eventlog_capture_certificate'::regproc) AS fn,
            pg_get_triggerdef(t.oid) AS trigger
     FROM pg_trigger t WHERE t.tgrelid = '"Certificate"'::regclass AND t.tgname = 'eventlog_capture_update'`,
  );
  const original = real[0];
  if (!original) throw new Error('T1: the logged database has no eventlog_capture_update');
  const triggersQuery = `SELECT string_agg(pg_get_triggerdef(oid), E'\\n' ORDER BY tgname) AS list
    FROM pg_trigger WHERE tgrelid = '"Certificate"'::regclass AND NOT tgisinternal`;
  const { rows: triggerRows } = await logged.sql.query<{ list: string }>(triggersQuery);
  const triggersBefore = triggerRows[0]?.list;
  const restore = async () => {
    await logged.sql.query(`BEGIN;
      DROP TRIGGER IF EXISTS eventlog_t1_row ON "Certificate";
      DROP FUNCTION IF EXISTS eventlog_t1_row_certificate();
      DROP TRIGGER IF EXISTS eventlog_capture_update ON "Certificate";
      ${original.trigger};
      ${original.fn};
      COMMIT;`);
    const { rows: check } = await logged.sql.query<{ ok: boolean }>(
      `SELECT pg_get_functiondef('eventlog_capture_certificate'::regproc) = $1
          AND (${triggersQuery}) = $2
          AND to_regproc('eventlog_t1_row_certificate') IS NULL AS ok`,
      [original.fn, triggersBefore],
    );
    if (!check[0]?.ok) throw new Error('T1: the real capture function or trigger is not back');
  };
  const install = async (variant: Variant) => {
    if (!variant.install) return;
    await logged.sql.query(`BEGIN; ${variant.install} COMMIT;`);
  };

  const bench = async (
    variant: Variant,
    args: string[],
    sync: 'on' | 'off',
  ): Promise<{ latency: number; transactions: number }> => {
    const db = variant.database === 'logged' ? logged : unlogged;
    const { stdout } = await run(
      pgbench,
      ['-n', '-M', 'prepared', '-c', '1', ...args, '-f', scripts[variant.script], db.url],
      { env: { ...process.env, PGOPTIONS: `-c synchronous_commit=${sync}` } },
    );
    const latency = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]);
    const transactions = Number(/actually processed: (\d+)/.exec(stdout)?.[1]);
    const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
    if (!Number.isFinite(latency) || !(transactions > 0) || failed > 0) {
      throw new Error(`T1: pgbench on ${variant.key} failed:\n${stdout}`);
    }
    return { latency, transactions };
  };

  const load = [os.loadavg()];
  type Sync = 'on' | 'off';
  const latencies: Record<Sync, Record<string, number[]>> = { on: {}, off: {} };
  for (const variant of variants) {
    latencies.on[variant.key] = [];
    latencies.off[variant.key] = [];
  }
  // A warm-up of both databases and scripts (plans, caches, the partition of this month).
  for (const variant of [variants[0], variants[1]] as Variant[]) {
    await bench(variant, ['-T', '1'], 'on');
  }
  for (let round = 0; round < rounds; round++) {
    // Rotate the order, so that a busy moment or a warm cache favours none.
    const shift = round % variants.length;
    const order = [...variants.slice(shift), ...variants.slice(0, shift)];
    const syncs: Sync[] = round % 2 ? ['off', 'on'] : ['on', 'off'];
    const line: string[] = [];
    for (const variant of order) {
      await install(variant);
      try {
        for (const sync of syncs) {
          const { latency } = await bench(variant, ['-T', String(seconds)], sync);
          latencies[sync][variant.key]?.push(latency);
        }
      } finally {
        if (variant.install) await restore();
      }
      line.push(
        `${variant.key} ${latencies.on[variant.key]?.at(-1)}/${latencies.off[variant.key]?.at(-1)}`,
      );
    }
    progress(`T1 round ${round + 1}/${rounds} (ms, sync on/off): ${line.join(', ')}`);
  }

  // WAL per transaction: pg_stat_wal (the whole cluster's) around a fixed number of
  // transactions, sync on. Other clients' WAL can only add, so the smallest of the runs counts.
  const walStats = async () =>
    (
      await logged.sql.query<{ records: string; bytes: string }>(
        'SELECT wal_records::text AS records, wal_bytes::text AS bytes FROM pg_stat_wal',
      )
    ).rows[0] as { records: string; bytes: string };
  const wal: Record<string, { bytes: number; records: number }> = {};
  for (const variant of variants) {
    await install(variant);
    try {
      let best: { bytes: number; records: number } | undefined;
      for (let i = 0; i < walRuns; i++) {
        const before = await walStats();
        const { transactions } = await bench(variant, ['-t', String(walTransactions)], 'on');
        // The backend reports its WAL statistics as it exits, just after pgbench returns.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const after = await walStats();
        const bytes = (Number(after.bytes) - Number(before.bytes)) / transactions;
        const records = (Number(after.records) - Number(before.records)) / transactions;
        if (!best || bytes < best.bytes) best = { bytes, records };
      }
      wal[variant.key] = best as { bytes: number; records: number };
    } finally {
      if (variant.install) await restore();
    }
    progress(
      `T1 WAL ${variant.key}: ${wal[variant.key]?.bytes.toFixed(0)} bytes, ${wal[variant.key]?.records.toFixed(1)} records per transaction`,
    );
  }

  // The real capture is back: one attributed entry per update, and none on the unlogged side.
  const beforeCheck = await entries(logged);
  const unloggedEntries = (await entries(unlogged)) - unloggedAtStart;
  const checkRun = await bench(variants[1] as Variant, ['-t', '100'], 'on');
  const added = (await entries(logged)) - beforeCheck;
  const { rows: last } = await logged.sql.query<{ actor: string; message: string; object: string }>(
    `SELECT "actorName" AS actor, message, "objectId" AS object FROM event_log ORDER BY id DESC LIMIT 1`,
  );
  const lastEntry = last[0];
  if (
    added !== checkRun.transactions ||
    lastEntry?.actor !== 'Ada Admin' ||
    lastEntry.message !== `Certificate B${lastEntry.object} was updated by Ada Admin.`
  ) {
    throw new Error(
      `T1: the restored capture wrote ${added} entries for ${checkRun.transactions} updates (last: ${JSON.stringify(lastEntry)})`,
    );
  }
  if (unloggedEntries !== 0)
    throw new Error(`T1: the unlogged database gained ${unloggedEntries} entries`);
  load.push(os.loadavg());

  const { rows: version } = await logged.sql.query('SHOW server_version');
  const { stdout: commit } = await run('git', ['rev-parse', '--short', 'HEAD']).catch(() => ({
    stdout: '?',
  }));
  const { stdout: pgbenchVersion } = await run(pgbench, ['--version']);
  const perRound = (sync: Sync, key: string, of: (value: number, base: number) => number) => {
    const base = latencies[sync].unlogged as number[];
    return median(
      (latencies[sync][key] as number[]).map((value, i) => of(value, base[i] as number)),
    );
  };
  const cells = (sync: Sync, key: string) => [
    `${ms3(median(latencies[sync][key] as number[]))} (${ms3(Math.min(...(latencies[sync][key] as number[])))}–${ms3(Math.max(...(latencies[sync][key] as number[])))})`,
    key === 'unlogged' ? '' : `+${ms3(perRound(sync, key, (v, b) => v - b))}`,
    ratio(perRound(sync, key, (v, b) => v / b)),
  ];
  const resultRows = variants.map((variant) => [
    `${variant.label}${variant.reduced ? ' ¹' : ''}`,
    ...cells('on', variant.key),
    ...cells('off', variant.key),
  ]);
  const walRows = variants.map((variant) => [
    variant.label,
    count(wal[variant.key]?.bytes ?? Number.NaN),
    (wal[variant.key]?.records ?? Number.NaN).toFixed(1),
  ]);
  const loadText = load.map((l) => l[0]?.toFixed(1)).join(' → ');
  console.log(`### T1: the floor of a capture trigger

One autocommit UPDATE of one row per transaction, \`pgbench -n -M prepared -c 1 -T ${seconds}\` (${pgbenchVersion.trim()}), on PostgreSQL ${version[0]?.server_version}, ${os.cpus().length} cores shared with the bench process and other work, commit ${commit.trim()}; load average ${loadText}. The statement is the UPDATE the W1 logged server sends (recorded through yoga and the census, its ${commentBytes}-byte eventlog comment included), each transaction a random one of ${rows} certificates with new \`name\` and \`notes\`. ${rounds} interleaved rounds, the variants' order rotating; in each, every variant is installed in place of \`eventlog_capture_certificate\` (and its trigger) on the logged database, run with \`synchronous_commit\` on and off, and the real function and trigger put back and checked. Latency average per run: the median over rounds (in brackets the smallest and largest); + ms and × are the medians of the per-round difference to and ratio of the unlogged run. With \`synchronous_commit = off\` a transaction takes a tenth of a millisecond or less, and where the kernel puts pgbench and its backend (one core or two, shared with other work) moves a run by several hundredths of a millisecond: the ratios of that column magnify this, its + ms say more.

${table(
  [
    'variant',
    'sync on ms (range)',
    '+ ms',
    '× unlogged',
    'sync off ms (range)',
    '+ ms',
    '× unlogged',
  ],
  resultRows,
)}

${variants.map((variant) => `- **${variant.label}**: ${variant.note}`).join('\n')}

¹ The reduced variants write an entry much like the real one's for this update (actor, tool, message, \`values\`, \`changes\`, \`context\`; not compared field by field), but lack: ${missing.join('; ')}. The single INSERT … SELECT also has no masking of secret keys, no configured exclusions (only \`updatedAt\`) and no NOTIFY for the live feed. So they are a floor for a PL/pgSQL capture of this update, not an alternative.

WAL per transaction, sync on (\`pg_stat_wal\` of the cluster around \`-t ${walTransactions}\`; the smallest of ${walRuns} runs, as other clients' WAL only adds):

${table(['variant', 'WAL bytes', 'WAL records'], walRows)}

After the variants the real capture wrote ${added} entries for ${checkRun.transactions} updates (the last: "${lastEntry.message}", actor ${lastEntry.actor}); the unlogged database gained ${unloggedEntries} during the run. Total time ${((performance.now() - started) / 60_000).toFixed(1)} min.`);
} finally {
  await cleanup();
}

function ms3(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : ms(value);
}
