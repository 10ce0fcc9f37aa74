// The example's eventLog builder options and template values, shared with the benchmarks
// (bench/w1-schema.ts), which build the same server with and without audited mutations.
import { type EventLogPluginOptions, objectRef } from '../../src/index.js';
import { capture } from '../capture.js';
import type { Context } from '../context.js';

type Options = EventLogPluginOptions<PothosSchemaTypes.ExtendDefaultTypes<{ Context: Context }>>;

export const eventLogOptions = {
  client: (ctx) => ctx.prisma,
  actor: (ctx) =>
    ctx.currentUser ? { id: ctx.currentUser.id, name: ctx.currentUser.fullName } : null,
  // Demo policy: any signed-in user may read every entry; anonymous requests may not.
  authorize: (ctx) => ctx.currentUser !== null,
  requestId: (ctx) => ctx.requestId,
  capture,
} satisfies Options;

/** Template values shared by the certificate mutations: the acting user as `user`. */
export const userValue = ({ context }: { context: Context }) => ({
  user: context.currentUser ? objectRef('User', context.currentUser) : { fullName: 'system' },
});
