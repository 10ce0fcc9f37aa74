// Says which suites run, and refuses to let CI skip the PostgreSQL suite.
import { redactUrl } from '../../example/database.js';

// Vitest calls it for the root config and again for each project that extends it: say
// it once per run.
const printed = Symbol.for('pothos-eventlog.suites-printed');

export default function setup(): void {
  const state = globalThis as { [printed]?: boolean };
  if (state[printed]) return;
  state[printed] = true;
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    console.log(`suites: embedded (PGlite) + postgres (${redactUrl(databaseUrl)})`);
    return;
  }
  const ci = process.env.CI ?? '';
  if (ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') {
    throw new Error(
      'DATABASE_URL is not set: on CI the postgres suite must run. Set DATABASE_URL (see .ci/run).',
    );
  }
  console.log('suites: embedded (PGlite) only — postgres skipped: DATABASE_URL is not set');
}
