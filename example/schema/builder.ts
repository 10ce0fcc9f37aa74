import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import EventLogPlugin from '../../src/index.js';
import type { Context } from '../context.js';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';
import { eventLogOptions } from './event-log-options.js';

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
    ...eventLogOptions,
    // Log reads of queries from a replica when the server has one; mutations and the live
    // feed read from the primary (`client`).
    readClient: (ctx) => ctx.replica ?? ctx.prisma,
    // The live feed (eventLogAdded): the server's one listening connection.
    subscriptions: {
      listen: (ctx) => {
        if (!ctx.eventLogListener) {
          throw new Error(
            'This server has no EventLogListener: pass eventLogListener to createServer().',
          );
        }
        return ctx.eventLogListener;
      },
    },
  },
});

builder.queryType({});
builder.mutationType({});
