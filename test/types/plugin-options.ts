// Type tests of the plugin's public options, checked by `npm run typecheck` (tsconfig.json
// includes test/): each `@ts-expect-error` marks a mistake that must not compile, and fails
// the typecheck if it ever does. Never run; the build-time checks are in
// test/embedded/schema-checks.test.ts.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { readReplicas } from '@prisma/extension-read-replicas';
import { expectTypeOf } from 'vitest';
import { capture } from '../../example/capture.js';
import type PrismaTypes from '../../example/generated/pothos-types.js';
import { getDatamodel } from '../../example/generated/pothos-types.js';
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import EventLogPlugin, {
  type EventLogActor,
  type EventLogPluginOptions,
  type EventLogPrismaClient,
} from '../../src/index.js';

interface Context {
  prisma: PrismaClient;
  userId: number | null;
}
type Types = PothosSchemaTypes.ExtendDefaultTypes<{ Context: Context; PrismaTypes: PrismaTypes }>;

const policy = {
  actor: () => null,
  authorize: () => true,
} satisfies Partial<EventLogPluginOptions<Types>>;

// client: a Prisma client with the EventLog model, from the context.
expectTypeOf<PrismaClient>().toExtend<EventLogPrismaClient>();
({ ...policy, client: (ctx) => ctx.prisma }) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  client: (ctx) => ctx.prisma.$extends({ query: {} }),
}) satisfies EventLogPluginOptions<Types>;
// @ts-expect-error the context is not a client
({ ...policy, client: (ctx) => ctx }) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  // @ts-expect-error a client without the EventLog model
  client: (ctx) => ({ user: ctx.prisma.user }),
}) satisfies EventLogPluginOptions<Types>;
// @ts-expect-error a client, not a promise of one
({ ...policy, client: async (ctx) => ctx.prisma }) satisfies EventLogPluginOptions<Types>;

// actor: typed from the context.
({
  ...policy,
  client: (ctx) => ctx.prisma,
  actor: (ctx) => (ctx.userId === null ? null : { id: ctx.userId, name: 'x' }),
}) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  // @ts-expect-error the actor is { id, name }, not a bare id
  actor: (ctx) => ctx.userId,
}) satisfies EventLogPluginOptions<Types>;

// maxExactCount: a number, or false for exact counts; not a string, not true.
({
  ...policy,
  client: (ctx) => ctx.prisma,
  maxExactCount: 5,
}) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  maxExactCount: false,
}) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  // @ts-expect-error a number, not a string
  maxExactCount: '10000',
}) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  // @ts-expect-error false turns the bound off; true means nothing
  maxExactCount: true,
}) satisfies EventLogPluginOptions<Types>;

// readClient: like client, a function of the context returning a client with the EventLog
// model; with @prisma/extension-read-replicas, the extended client (whose $primary() the
// plugin uses) as client and its $replica() as readClient.
const replicated = (prisma: PrismaClient) => prisma.$extends(readReplicas({ replicas: [prisma] }));
interface ReplicatedContext {
  prisma: ReturnType<typeof replicated>;
}
type ReplicatedTypes = PothosSchemaTypes.ExtendDefaultTypes<{
  Context: ReplicatedContext;
  PrismaTypes: PrismaTypes;
}>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  readClient: (ctx) => ctx.prisma.$replica(),
}) satisfies EventLogPluginOptions<ReplicatedTypes>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  readClient: (ctx) => ctx.prisma,
}) satisfies EventLogPluginOptions<ReplicatedTypes>;
declare const replica: PrismaClient;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  readClient: () => replica,
}) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  // @ts-expect-error a function of the context, not the client itself
  readClient: replica,
}) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  // @ts-expect-error a client, not a promise of one
  readClient: async () => replica,
}) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  // @ts-expect-error a client without the EventLog model
  readClient: (ctx) => ({ user: ctx.prisma.user }),
}) satisfies EventLogPluginOptions<Types>;
({
  ...policy,
  client: (ctx) => ctx.prisma,
  // @ts-expect-error typed from the context: it has no `replica`
  readClient: (ctx) => ctx.replica,
}) satisfies EventLogPluginOptions<Types>;

const builder = new SchemaBuilder<{ Context: Context; PrismaTypes: PrismaTypes }>({
  plugins: [EventLogPlugin, RelayPlugin, PrismaPlugin],
  prisma: { client: (ctx) => ctx.prisma, dmmf: getDatamodel() },
  eventLog: { ...policy, client: (ctx) => ctx.prisma, capture },
});
builder.queryType({});
builder.mutationType({});

// t.eventLog(): model names come from the builder's PrismaTypes.
builder.prismaObject('User', {
  fields: (t) => ({
    eventLog: t.eventLog(),
    asCertificate: t.eventLog({ model: 'Certificate' }),
    // @ts-expect-error 'Usr' is no Prisma model
    typo: t.eventLog({ model: 'Usr' }),
    byEmail: t.eventLog({
      id: (user) => {
        expectTypeOf(user.email).toEqualTypeOf<string>();
        return user.email;
      },
    }),
    // @ts-expect-error the id is a string, number or bigint as stored, not a Date
    badId: t.eventLog({ id: () => new Date() }),
  }),
});

// On a type that is not a Prisma model: model is required, and id unless the parent has one.
builder.objectRef<{ id: number; label: string }>('WithId').implement({
  fields: (t) => ({
    eventLog: t.eventLog({ model: 'User' }),
    // @ts-expect-error the model of the entries is unknown
    noModel: t.eventLog(),
  }),
});
builder.objectRef<{ key: string }>('WithoutId').implement({
  fields: (t) => ({
    eventLog: t.eventLog({ model: 'User', id: (parent) => parent.key }),
    // @ts-expect-error the parent has no id: pass one
    noId: t.eventLog({ model: 'User' }),
    // @ts-expect-error the parent has no field `nmae`
    typo: t.eventLog({ model: 'User', id: (parent) => parent.nmae }),
  }),
});

// Audited mutations: model names, and what `values` is given.
builder.mutationField('rename', (t) =>
  t.boolean({
    args: { id: t.arg.int({ required: true }), name: t.arg.string({ required: true }) },
    eventLog: {
      model: 'Certificate',
      message: 'Renamed to {certificate__name} by {editor__name}.',
      values: ({ args, context, actor }) => {
        expectTypeOf(args).toEqualTypeOf<{ id: number; name: string }>();
        expectTypeOf(context).toEqualTypeOf<Context>();
        expectTypeOf(actor).toEqualTypeOf<EventLogActor | null>();
        return { editor: { name: args.name } };
      },
    },
    resolve: () => true,
  }),
);
builder.mutationField('typoModel', (t) =>
  t.boolean({
    // @ts-expect-error 'Certifcate' is no Prisma model
    eventLog: { model: 'Certifcate' },
    resolve: () => true,
  }),
);
builder.mutationField('typoArg', (t) =>
  t.boolean({
    args: { name: t.arg.string({ required: true }) },
    eventLog: {
      model: 'Certificate',
      // @ts-expect-error the args have no `nmae`
      values: ({ args }) => ({ name: args.nmae }),
    },
    resolve: () => true,
  }),
);
builder.mutationField('valuesBefore', (t) =>
  t.boolean({
    eventLog: {
      model: 'Certificate',
      // @ts-expect-error values run before the write and get no row: read the row's fields
      // with {object__field} placeholders, which the database renders from the changed row.
      values: ({ before }) => ({ name: before?.nmae }),
    },
    resolve: () => true,
  }),
);
builder.mutationField('valuesNotObject', (t) =>
  t.boolean({
    eventLog: {
      model: 'Certificate',
      // @ts-expect-error values returns the placeholders' values by name
      values: () => 'x',
    },
    resolve: () => true,
  }),
);
