import { defineConfig } from 'prisma/config';

// Prisma's CLI refuses to run `generate`, `validate` and `format` unless the native
// schema engine binary exists, although those commands never execute it. Where the
// binary cannot be downloaded, pointing the check at any existing file lets them run.
// Only for those commands: migrate/db would try to execute it (see scripts/migrate.ts).
const offlineSafe = ['generate', 'validate', 'format'];
if (process.argv.some((arg) => offlineSafe.includes(arg))) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
}

export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
});
