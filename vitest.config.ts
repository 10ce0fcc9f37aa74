import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Vite and Node could each load their own copy of graphql ("Cannot use GraphQLScalarType
// from another module or realm"): pin it to the one file Node resolves. A regex, so that
// deep imports (graphql/language/...) are left alone.
const graphqlEntry = fileURLToPath(import.meta.resolve('graphql'));

const postgres = Boolean(process.env.DATABASE_URL);

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      {
        extends: true as const,
        test: {
          name: 'embedded',
          include: ['test/unit/**/*.test.ts', 'test/embedded/**/*.test.ts'],
        },
      },
      {
        extends: true as const,
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'] },
      },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: { name: 'postgres', include: ['test/postgres/**/*.test.ts'] },
            },
          ]
        : []),
    ],
  },
});
