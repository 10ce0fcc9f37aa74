// The W1 server: the example's plugins, context and authentication (one user lookup per
// request), the Certificate type and `updateCertificate(id, name, notes)`. The two variants
// differ only in the mutation's `eventLog` option; the database decides the rest (capture
// triggers or none, see bench/support/database.ts).
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import type PrismaTypes from '../example/generated/pothos-types.js';
import { getDatamodel } from '../example/generated/pothos-types.js';
import type { PrismaClient } from '../example/generated/prisma/client.js';
import { eventLogOptions, userValue } from '../example/schema/event-log-options.js';
import EventLogPlugin from '../src/index.js';

export interface BenchContext {
  prisma: PrismaClient;
  currentUser: { id: number; fullName: string } | null;
  requestId: string;
}

/** The W1 variants, in the order they run in the first round. */
export const w1Variants = ['unlogged', 'logged'] as const;
export type W1Variant = (typeof w1Variants)[number];

export function createW1Schema(variant: W1Variant) {
  const builder = new SchemaBuilder<{
    Context: BenchContext;
    PrismaTypes: PrismaTypes;
    DefaultFieldNullability: false;
  }>({
    plugins: [EventLogPlugin, RelayPlugin, PrismaPlugin],
    defaultFieldNullability: false,
    relay: {},
    prisma: { client: (ctx) => ctx.prisma, dmmf: getDatamodel() },
    eventLog: eventLogOptions,
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
  builder.mutationField('updateCertificate', (t) =>
    t.prismaField({
      type: 'Certificate',
      args: {
        id: t.arg.int({ required: true }),
        name: t.arg.string({ required: true }),
        notes: t.arg.string({ required: true }),
      },
      // As example/schema/mutations.ts sets it on its updateCertificate.
      eventLog:
        variant === 'logged'
          ? {
              tool: 'certificate',
              model: 'Certificate',
              message: 'Certificate {certificate__name} was updated by {user__fullName}.',
              values: userValue,
            }
          : undefined,
      resolve: (query, _root, args, ctx) => {
        if (!ctx.currentUser) throw new Error('Sign in to change data: send the x-user-id header.');
        return ctx.prisma.certificate.update({
          ...query,
          where: { id: args.id },
          data: { name: args.name, notes: args.notes },
        });
      },
    }),
  );
  return builder.toSchema();
}
