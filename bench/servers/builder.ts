// What the four W1 servers share: the context (with the example's authentication, so
// every variant runs the same user lookup), a builder factory and the Certificate type.
// Each variant builds its own builder; only the plugin variant registers EventLogPlugin.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import type PrismaTypes from '../../example/generated/pothos-types.js';
import { getDatamodel } from '../../example/generated/pothos-types.js';
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import EventLogPlugin from '../../src/index.js';

export interface BenchContext {
  prisma: PrismaClient;
  currentUser: { id: number; fullName: string } | null;
  requestId: string;
}

export type BenchBuilder = ReturnType<typeof createBuilder>;

export function createBuilder(withEventLog: boolean) {
  const builder = new SchemaBuilder<{
    Context: BenchContext;
    PrismaTypes: PrismaTypes;
    DefaultFieldNullability: false;
  }>({
    plugins: withEventLog
      ? [EventLogPlugin, RelayPlugin, PrismaPlugin]
      : [RelayPlugin, PrismaPlugin],
    defaultFieldNullability: false,
    relay: {},
    prisma: { client: (ctx) => ctx.prisma, dmmf: getDatamodel() },
    // Read by the plugin only, when it is registered (the type asks for it either way).
    eventLog: {
      client: (ctx) => ctx.prisma,
      actor: (ctx) =>
        ctx.currentUser ? { id: ctx.currentUser.id, name: ctx.currentUser.fullName } : null,
      authorize: (ctx) => ctx.currentUser !== null,
      requestId: (ctx) => ctx.requestId,
    },
  });
  builder.queryType({});
  builder.mutationType({});
  builder.prismaObject('Certificate', {
    fields: (t) => ({
      id: t.exposeInt('id'),
      name: t.exposeString('name'),
      notes: t.exposeString('notes', { nullable: true }),
    }),
  });
  builder.queryField('certificateName', (t) =>
    t.string({
      nullable: true,
      args: { id: t.arg.int({ required: true }) },
      resolve: async (_root, args, ctx) =>
        (await ctx.prisma.certificate.findUnique({ where: { id: args.id } }))?.name ?? null,
    }),
  );
  return builder;
}

/** The example's `requireUser`: mutations need a signed-in user. */
export function requireUser(ctx: BenchContext) {
  if (!ctx.currentUser) throw new Error('Sign in to change data: send the x-user-id header.');
  return ctx.currentUser;
}
