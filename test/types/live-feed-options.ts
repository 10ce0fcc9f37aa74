// Type tests of `eventLog.subscriptions` (the live feed), checked by `npm run typecheck`: each
// `@ts-expect-error` marks a mistake that must not compile. Never run.
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import {
  type EventLogListener,
  type EventLogPluginOptions,
  pgEventLogListener,
  pgliteEventLogListener,
} from '../../src/index.js';

interface Context {
  prisma: PrismaClient;
  listener: EventLogListener;
}
type Types = PothosSchemaTypes.ExtendDefaultTypes<{ Context: Context }>;

const base = {
  client: (ctx) => ctx.prisma,
  actor: () => null,
  authorize: () => true,
} satisfies Partial<EventLogPluginOptions<Types>>;

({
  ...base,
  subscriptions: { listen: (ctx) => ctx.listener },
}) satisfies EventLogPluginOptions<Types>;
({
  ...base,
  subscriptionField: 'auditFeed',
  subscriptions: { listen: (ctx) => ctx.listener, bufferSize: 500, pollMs: 2000 },
}) satisfies EventLogPluginOptions<Types>;
({ ...base, subscriptionField: false }) satisfies EventLogPluginOptions<Types>;
({
  ...base,
  // @ts-expect-error listen returns the listener itself, not a connection string
  subscriptions: { listen: () => 'postgresql://localhost/db' },
}) satisfies EventLogPluginOptions<Types>;
({
  ...base,
  // @ts-expect-error one listener per server, not a promise of one per subscription
  subscriptions: { listen: async (ctx) => ctx.listener },
}) satisfies EventLogPluginOptions<Types>;
({
  ...base,
  // @ts-expect-error bufferSize is a number of entries
  subscriptions: { listen: (ctx) => ctx.listener, bufferSize: '1000' },
}) satisfies EventLogPluginOptions<Types>;

pgEventLogListener('postgresql://postgres@127.0.0.1:5432/postgres') satisfies EventLogListener;
pgEventLogListener({ connectionString: 'postgresql://x', max: 1 }) satisfies EventLogListener;
// @ts-expect-error PGlite's listener takes an instance with listen(), not a URL
pgliteEventLogListener('memory://');
