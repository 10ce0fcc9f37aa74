// The plugin on small schemas of its own: build-time checks and zero cost when unused.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { capture } from '../../example/capture.js';
import type PrismaTypes from '../../example/generated/pothos-types.js';
import { getDatamodel } from '../../example/generated/pothos-types.js';
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import EventLogPlugin from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';

type Types = { Context: { prisma: PrismaClient }; PrismaTypes: PrismaTypes };

function makeBuilder(eventLog: Record<string, unknown> = {}) {
  const builder = new SchemaBuilder<Types>({
    plugins: [EventLogPlugin, RelayPlugin, PrismaPlugin],
    prisma: { client: (ctx: Types['Context']) => ctx.prisma, dmmf: getDatamodel() },
    eventLog: {
      client: (ctx: Types['Context']) => ctx.prisma,
      actor: () => null,
      authorize: () => true,
      capture,
      ...eventLog,
    } as never,
  });
  builder.queryType({});
  return builder;
}

describe('the eventLog plugin', () => {
  it('leaves resolvers of fields without the option untouched', () => {
    const builder = makeBuilder();
    const resolve = () => 'pong';
    builder.queryField('ping', (t) => t.string({ resolve }));
    const schema = builder.toSchema();
    expect(schema.getQueryType()?.getFields().ping?.resolve).toBe(resolve);
  });

  it('refuses to build without a reading policy', () => {
    const builder = makeBuilder({ authorize: undefined });
    builder.queryField('ping', (t) => t.string({ resolve: () => 'pong' }));
    expect(() => builder.toSchema()).toThrow(/eventLog\.authorize` is required/);
  });

  it('names the field and the model when the model is not a Prisma model', () => {
    const builder = makeBuilder();
    builder.mutationType({});
    builder.mutationField('touch', (t) =>
      t.boolean({
        args: { id: t.arg.int({ required: true }) },
        eventLog: { tool: 'x', model: 'Certifcate' as 'Certificate' },
        resolve: () => true,
      }),
    );
    expect(() => builder.toSchema()).toThrow(
      /"Certifcate" of Mutation\.touch is not a Prisma model/,
    );
  });

  it('can leave out the eventLogs query, and keeps one connection type for every eventLog field', () => {
    const builder = makeBuilder({ queryField: false });
    builder.prismaNode('User', {
      id: { field: 'id' },
      fields: (t) => ({ eventLog: t.eventLog() }),
    });
    builder.prismaNode('Certificate', {
      id: { field: 'id' },
      fields: (t) => ({ eventLog: t.eventLog() }),
    });
    const schema = builder.toSchema();
    expect(schema.getQueryType()?.getFields().eventLogs).toBeUndefined();
    const user = schema.getType('User') as import('graphql').GraphQLObjectType;
    const certificate = schema.getType('Certificate') as import('graphql').GraphQLObjectType;
    expect(String(user.getFields().eventLog?.type)).toBe('EventLogConnection');
    expect(String(certificate.getFields().eventLog?.type)).toBe('EventLogConnection');
  });

  it('refuses a page size policy that cannot work', () => {
    const builder = makeBuilder({ maxPageSize: 0 });
    builder.queryField('ping', (t) => t.string({ resolve: () => 'pong' }));
    expect(() => builder.toSchema()).toThrow(/maxPageSize/);
  });

  it.each([
    [
      'a placeholder naming no field of the model, with a suggestion',
      { model: 'Certificate', message: 'Renamed to {certificate__nmae}.' },
      /\{certificate__nmae\} in eventLog\.message of Mutation\.touch names no field of Certificate \(did you mean "name"\?\)/,
    ],
    [
      'a placeholder that needs values when none are given',
      { model: 'Certificate', message: 'By {user__fullName}.' },
      /\{user__fullName\} .* give its value with eventLog\.values/,
    ],
    [
      'an actor field that does not exist',
      { model: 'Certificate', message: 'By {actor__email}.' },
      /the actor has only \{actor__id\} and \{actor__name\}/,
    ],
    [
      'a broken template',
      { model: 'Certificate', message: 'Oops {certificate__name' },
      /eventLog\.message of Mutation\.touch: Unbalanced "\{"/,
    ],
    [
      'a model the capture declaration does not audit',
      { model: 'CertificateItem' },
      /"CertificateItem" of Mutation\.touch is not audited by the capture declaration: add CertificateItem/,
    ],
  ])('refuses at build time %s', (_name, eventLog, error) => {
    const builder = makeBuilder();
    builder.mutationType({});
    builder.mutationField('touch', (t) =>
      t.boolean({ eventLog: eventLog as never, resolve: () => true }),
    );
    expect(() => builder.toSchema()).toThrow(error);
  });

  it('refuses audited mutations without a capture declaration', () => {
    const builder = makeBuilder({ capture: undefined });
    builder.mutationType({});
    builder.mutationField('touch', (t) =>
      t.boolean({ eventLog: { model: 'Certificate' }, resolve: () => true }),
    );
    expect(() => builder.toSchema()).toThrow(/no `capture` declaration/);
  });

  it('refuses a template value that cannot be rendered before any SQL, and keeps nothing', async () => {
    const database = await createEmbeddedDatabase();
    try {
      const builder = makeBuilder();
      builder.mutationType({});
      const statements: string[] = [];
      builder.mutationField('rename', (t) =>
        t.boolean({
          args: { id: t.arg.int({ required: true }), name: t.arg.string({ required: true }) },
          eventLog: {
            model: 'Certificate',
            message: 'Renamed by {editor__fullName}.',
            values: () => ({ editor: null }),
          },
          resolve: async (_root, args, ctx) => {
            statements.push('resolver');
            await ctx.prisma.certificate.update({
              where: { id: args.id },
              data: { name: args.name },
            });
            return true;
          },
        }),
      );
      builder.queryField('ping', (t) => t.string({ resolve: () => 'pong' }));
      const schema = builder.toSchema();
      const { id } = await database.prisma.certificate.create({ data: { name: 'short' } });
      const before = await database.prisma.eventLog.count();
      const result = await graphql({
        schema,
        source: 'mutation($id: Int!, $name: String!) { rename(id: $id, name: $name) }',
        variableValues: { id, name: 'long' },
        contextValue: { prisma: database.prisma },
      });
      expect(result.errors?.[0]?.extensions?.code).toBe('TEMPLATE_ERROR');
      expect(result.errors?.[0]?.message).toMatch(/^The change was not saved: .*editor__fullName/);
      expect(statements).toEqual([]);
      const row = await database.prisma.certificate.findUniqueOrThrow({ where: { id } });
      expect(row.name).toBe('short');
      expect(await database.prisma.eventLog.count()).toBe(before);
    } finally {
      await database.close();
    }
  });

  it('writes the default message without a template, and names a custom action as it is', async () => {
    const database = await createEmbeddedDatabase();
    try {
      const builder = makeBuilder({ actor: () => ({ id: 9, name: 'Ops' }) });
      builder.mutationType({});
      for (const [name, action] of [
        ['rename', undefined],
        ['setStatus', 'set-status'],
      ] as const) {
        builder.mutationField(name, (t) =>
          t.boolean({
            args: { id: t.arg.int({ required: true }) },
            eventLog: { model: 'Certificate', ...(action ? { action } : {}) },
            resolve: async (_root, args, ctx) => {
              await ctx.prisma.certificate.update({
                where: { id: args.id },
                data: { status: `${name} done` },
              });
              return true;
            },
          }),
        );
      }
      builder.queryField('ping', (t) => t.string({ resolve: () => 'pong' }));
      const schema = builder.toSchema();
      const { id } = await database.prisma.certificate.create({ data: { name: 'Default' } });
      for (const field of ['rename', 'setStatus']) {
        const result = await graphql({
          schema,
          source: `mutation($id: Int!) { ${field}(id: $id) }`,
          variableValues: { id },
          contextValue: { prisma: database.prisma },
        });
        expect(result.errors).toBeUndefined();
      }
      const entries = await database.prisma.eventLog.findMany({
        where: { objectType: 'Certificate', objectId: String(id), actorId: '9' },
        orderBy: { id: 'asc' },
        select: { action: true, message: true, template: true, actorName: true },
      });
      expect(entries).toEqual([
        {
          action: 'update',
          message: `Certificate ${id} was updated.`,
          template: 'Certificate {object__id} was updated.',
          actorName: 'Ops',
        },
        {
          action: 'set-status',
          message: `Certificate ${id}: set-status.`,
          template: 'Certificate {object__id}: set-status.',
          actorName: 'Ops',
        },
      ]);
    } finally {
      await database.close();
    }
  });
});
