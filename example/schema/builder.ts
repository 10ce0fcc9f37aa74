import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import EventLogPlugin from '../../src/index.js';
import { capture } from '../capture.js';
import type { Context } from '../context.js';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
}>({
  plugins: [EventLogPlugin, RelayPlugin, PrismaPlugin],
  defaultFieldNullability: false,
  relay: {},
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
  },
  eventLog: {
    client: (ctx) => ctx.prisma,
    actor: (ctx) =>
      ctx.currentUser ? { id: ctx.currentUser.id, name: ctx.currentUser.fullName } : null,
    // Demo policy: any signed-in user may read every entry; anonymous requests may not.
    authorize: (ctx) => ctx.currentUser !== null,
    requestId: (ctx) => ctx.requestId,
    capture,
  },
});

builder.queryType({});
builder.mutationType({});
