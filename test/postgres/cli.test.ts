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
