// `pothos-eventlog check --database`: the triggers installed in a live PostgreSQL database,
// compared with the declaration by the query the plugin's checkEventLogCapture runs. The CLI
// runs as a subprocess (tsx on src/cli/main.ts; test/embedded/cli.test.ts runs the build).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runProcess, withoutSignal } from '../support/run-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function cli(args: string[]) {
  return runProcess(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
  }).then(withoutSignal);
}

describe('pothos-eventlog check --database', () => {
  let database: TestDatabase;
  let dir: string;
  /** The URL as the CLI prints it. */
  let shown: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'pel-cli-pg-'));
    const url = new URL(database.url);
    if (url.password) url.password = '***';
    shown = url.toString();
  });

  afterAll(async () => {
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes on the migrated database', async () => {
    const run = await cli(['check', '--capture', 'example/capture.ts', '--database', database.url]);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'Loaded the capture declaration capture of example/capture.ts.',
        `Connected to ${shown}.`,
        `The capture triggers of ${shown} are current for Certificate, User.`,
        '',
      ].join('\n'),
    });
  });

  it('names a next month without its partition and entries in the default partition, until partitions fixes both', async () => {
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const month = `${next.getUTCFullYear()}-${String(next.getUTCMonth() + 1).padStart(2, '0')}`;
    await database.prisma.$executeRawUnsafe(`DROP TABLE event_log_p${month.replace('-', '_')}`);
    await database.prisma.$executeRawUnsafe(
      `INSERT INTO event_log ("timestamp", tool, action, "objectType", template, message)
       VALUES ('2040-01-01T00:00:00Z', 'test', 'create', 'Certificate', 'x', 'y')`,
    );
    const check = () =>
      cli(['check', '--capture', 'example/capture.ts', '--database', database.url]);
    const failing = await check();
    expect(failing.code).toBe(1);
    expect(failing.stderr.trim().split('\n')).toEqual([
      `event_log has no partition for ${month}, the next month: its entries would go to the default partition until one is created: npx pothos-eventlog partitions --database <url> (monthly, e.g. from cron).`,
      'The default partition event_log_default holds entries of months without a partition of their own, which prune can only trim row by row: npx pothos-eventlog partitions --database <url> (monthly, e.g. from cron) moves them into their months.',
    ]);
    const fixed = await cli(['partitions', '--database', database.url]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain(`event_log_p${month.replace('-', '_')}`);
    expect(fixed.stdout).toContain('event_log_p2040_01');
    expect((await check()).code).toBe(0);
  });

  it('names a trigger out of date with the declaration', async () => {
    const stale = join(dir, 'stale.mjs');
    await writeFile(
      stale,
      `export default { models: {
  Certificate: { tool: 'certificate', fold: ['items'] },
  User: { tool: 'user', mask: ['email'] },
} };
`,
    );
    const run = await cli(['check', '--capture', stale, '--database', database.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^The trigger of "User" \(eventlog_capture_user\) is out of date: it says "pothos-eventlog v\d+ [0-9a-f]{16}", the declaration needs "pothos-eventlog v\d+ [0-9a-f]{16}"\. /,
    );
    expect(run.stderr).toMatch(
      new RegExp(
        `Generate the capture migration \\(npx pothos-eventlog migrate --capture ${stale}\\) and apply it\\.\\n$`,
      ),
    );
  });

  it('names every missing trigger', async () => {
    await database.prisma.$executeRawUnsafe(
      'DROP TRIGGER eventlog_capture_update ON "Certificate"',
    );
    await database.prisma.$executeRawUnsafe('DROP FUNCTION eventlog_capture_user() CASCADE');
    const run = await cli(['check', '--capture', 'example/capture.ts', '--database', database.url]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'The table "Certificate" has 2 of the 3 enabled triggers of eventlog_capture_certificate: generate the capture migration (npx pothos-eventlog migrate --capture example/capture.ts) and apply it.',
      'The table of User has no event log capture trigger (eventlog_capture_user is missing): generate the capture migration (npx pothos-eventlog migrate --capture example/capture.ts) and apply it.',
    ]);
  });

  it('names a database without the event_log table', async () => {
    await database.prisma.$executeRawUnsafe('DROP TABLE event_log');
    const run = await cli(['check', '--capture', 'example/capture.ts', '--database', database.url]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(
      "The database has no table event_log: apply the migrations (npx prisma migrate deploy, or without Prisma's native engine npx pothos-eventlog deploy --database <url>).",
    );
  });

  it('says when it cannot connect, without the password', async () => {
    const run = await cli([
      'check',
      '--capture',
      'example/capture.ts',
      '--database',
      'postgresql://someone:s3cret@127.0.0.1:1/nothing',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^pothos-eventlog: Could not connect to postgresql:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nothing: /,
    );
    expect(run.stderr + run.stdout).not.toContain('s3cret');
  });
});
