// A schema author's mistakes, each refused when the schema is built (PothosSchemaError naming
// the field and the fix), never at request time nor blamed on the client. The mistakes the
// compiler catches are in test/types/plugin-options.ts.
import SchemaBuilder, { PothosSchemaError } from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { graphql, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../example/capture.js';
import type { Database } from '../../example/database.js';
import type PrismaTypes from '../../example/generated/pothos-types.js';
import { getDatamodel } from '../../example/generated/pothos-types.js';
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import EventLogPlugin from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';

type Types = { Context: { prisma: PrismaClient }; PrismaTypes: PrismaTypes };
type Datamodel = ReturnType<typeof getDatamodel>;

function makeBuilder(
  options: {
    eventLog?: Record<string, unknown>;
    plugins?: ConstructorParameters<typeof SchemaBuilder<Types>>[0]['plugins'];
    dmmf?: Datamodel | undefined;
  } = {},
) {
  const builder = new SchemaBuilder<Types>({
    plugins: options.plugins ?? [EventLogPlugin, RelayPlugin, PrismaPlugin],
    prisma: {
      client: (ctx: Types['Context']) => ctx.prisma,
      dmmf: 'dmmf' in options ? options.dmmf : getDatamodel(),
    } as never,
    eventLog: {
      client: (ctx: Types['Context']) => ctx.prisma,
      actor: () => null,
      authorize: () => true,
      capture,
      ...options.eventLog,
    } as never,
  });
  builder.queryType({});
  builder.queryField('ping', (t) => t.string({ resolve: () => 'pong' }));
  return builder;
}

/** The PothosSchemaError building the schema throws. */
function buildError(builder: ReturnType<typeof makeBuilder>): PothosSchemaError {
  try {
    builder.toSchema();
  } catch (error) {
    expect(error).toBeInstanceOf(PothosSchemaError);
    return error as PothosSchemaError;
  }
  throw new Error('the schema was built');
}

function withoutModel(name: string): Datamodel {
  const { datamodel } = getDatamodel();
  const models = Object.fromEntries(
    Object.entries(datamodel.models).filter(([model]) => model !== name),
  );
  return { datamodel: { ...datamodel, models } } as Datamodel;
}

describe('the EventLog model', () => {
  it('is required in the Prisma schema, not found missing at request time', () => {
    const error = buildError(makeBuilder({ dmmf: withoutModel('EventLog') }));
    expect(error.message).toMatch(/^pothos-eventlog: /);
    expect(error.message).toMatch(/Prisma schema has no EventLog model/);
    expect(error.message).toMatch(/prisma\/schema\/eventlog\.prisma/);
  });

  it('must have the fields the plugin reads', () => {
    const { datamodel } = getDatamodel();
    const eventLog = datamodel.models.EventLog as (typeof datamodel.models)[string];
    const dmmf = {
      datamodel: {
        ...datamodel,
        models: {
          ...datamodel.models,
          EventLog: {
            ...eventLog,
            fields: eventLog.fields.filter((field) => field.name !== 'objectType'),
          },
        },
      },
    } as Datamodel;
    expect(buildError(makeBuilder({ dmmf })).message).toMatch(
      /EventLog model lacks objectType: .*eventlog\.prisma/,
    );
  });

  it("is looked up in plugin-prisma's datamodel, which t.eventLog() needs", () => {
    const builder = makeBuilder({ dmmf: undefined });
    builder.objectRef<{ id: number }>('Widget').implement({
      fields: (t) => ({ eventLog: t.eventLog({ model: 'User' }) }),
    });
    builder.queryField('widget', (t) =>
      t.field({ type: 'Widget' as never, resolve: () => ({ id: 1 }) as never }),
    );
    expect(buildError(builder).message).toMatch(
      /t\.eventLog\(\) of Widget\.eventLog: .*needs plugin-prisma's datamodel.*prisma: \{ dmmf: getDatamodel\(\) \}/,
    );
  });
});

describe('the Relay plugin', () => {
  it('must be listed in the plugins, not merely imported', () => {
    // RelayPlugin is imported by this file, so its builder methods exist on every builder.
    const error = buildError(makeBuilder({ plugins: [EventLogPlugin, PrismaPlugin] }));
    expect(error.message).toMatch(
      /needs @pothos\/plugin-relay.*add RelayPlugin to the builder's plugins/,
    );
  });
});

describe('mutation message templates', () => {
  it.each([
    ['{object__nmae}', 'name'],
    ['{certificate__stauts}', 'status'],
  ])('refuse a typo in %s with a suggestion', (placeholder, field) => {
    const builder = makeBuilder();
    builder.mutationType({});
    builder.mutationField('rename', (t) =>
      t.boolean({
        eventLog: { model: 'Certificate', message: `Renamed to ${placeholder}.` },
        resolve: () => true,
      }),
    );
    expect(buildError(builder).message).toContain(
      `the placeholder ${placeholder} in eventLog.message of Mutation.rename names no field of Certificate (did you mean "${field}"?)`,
    );
  });
});

describe('the model of an audited mutation', () => {
  it('names the field and the closest model', () => {
    const builder = makeBuilder();
    builder.mutationType({});
    builder.mutationField('touch', (t) =>
      t.boolean({
        // @ts-expect-error 'Certifcate' is no model of the builder's PrismaTypes
        eventLog: { model: 'Certifcate' },
        resolve: () => true,
      }),
    );
    expect(buildError(builder).message).toContain(
      'eventLog.model "Certifcate" of Mutation.touch is not a Prisma model with a single id field (did you mean "Certificate"?).',
    );
  });
});

describe('t.eventLog()', () => {
  it('on a type that is not a Prisma model names the field and asks for model and id', () => {
    const builder = makeBuilder();
    builder.objectRef<{ name: string }>('Widget').implement({
      fields: (t) => ({
        name: t.exposeString('name'),
        // @ts-expect-error the parent has no id: pass { model, id }
        eventLog: t.eventLog(),
      }),
    });
    builder.queryField('widget', (t) =>
      t.field({ type: 'Widget' as never, resolve: () => ({ name: 'w' }) as never }),
    );
    const error = buildError(builder);
    expect(error.message).toMatch(/t\.eventLog\(\) of Widget\.eventLog/);
    expect(error.message).toMatch(/pass \{ model, id \}/);
  });

  it('refuses a model name that is not a Prisma model, with a suggestion', () => {
    const builder = makeBuilder();
    builder.prismaObject('User', {
      // @ts-expect-error 'Usr' is no model of the builder's PrismaTypes
      fields: (t) => ({ eventLog: t.eventLog({ model: 'Usr' }) }),
    });
    const error = buildError(builder);
    expect(error.message).toMatch(
      /t\.eventLog\(\) of User\.eventLog: model "Usr" is not a Prisma model \(did you mean "User"\?\)/,
    );
  });

  it('refuses a model without a single id field unless { id } is given', () => {
    const { datamodel } = getDatamodel();
    const user = datamodel.models.User as (typeof datamodel.models)[string];
    const dmmf = {
      datamodel: {
        ...datamodel,
        models: {
          ...datamodel.models,
          User: {
            ...user,
            primaryKey: { name: null, fields: ['id', 'email'] },
            fields: user.fields.map((field) => ({ ...field, isId: false })),
          },
        },
      },
    } as Datamodel;
    const builder = makeBuilder({ dmmf });
    builder.prismaObject('User', { fields: (t) => ({ eventLog: t.eventLog() }) });
    expect(buildError(builder).message).toMatch(
      /t\.eventLog\(\) of User\.eventLog: User has no single id field.*pass \{ id: \(parent\) => … \}/,
    );
  });
});

describe('t.eventLog() at request time', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createEmbeddedDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it("reads a prismaObject's id even when the type's select leaves it out", async () => {
    const builder = makeBuilder();
    builder.prismaObject('User', {
      select: { fullName: true },
      fields: (t) => ({ fullName: t.exposeString('fullName'), eventLog: t.eventLog() }),
    });
    builder.queryField('users', (t) =>
      t.prismaField({
        type: ['User'],
        resolve: (query, _root, _args, ctx) => ctx.prisma.user.findMany(query),
      }),
    );
    const schema = builder.toSchema();
    const { id } = await database.prisma.user.create({
      data: { fullName: 'Ada', email: 'ada@example.com' },
    });
    const totalCount = await database.prisma.eventLog.count({
      where: { objectType: 'User', objectId: String(id) },
    });
    const result = await graphql({
      schema,
      source: '{ users { fullName eventLog { totalCount } } }',
      contextValue: { prisma: database.prisma },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.users).toEqual([{ fullName: 'Ada', eventLog: { totalCount } }]);
  });

  it('answers an id the schema failed to give as a server error, never BAD_USER_INPUT', async () => {
    const builder = makeBuilder();
    builder.objectRef<{ key: string }>('Widget').implement({
      fields: (t) => ({ eventLog: t.eventLog({ model: 'User', id: () => undefined }) }),
    });
    builder.queryField('widget', (t) =>
      t.field({ type: 'Widget' as never, resolve: () => ({ key: 'k' }) as never }),
    );
    const result = await graphql({
      schema: builder.toSchema(),
      source: '{ widget { eventLog { totalCount } } }',
      contextValue: { prisma: database.prisma },
    });
    expect(result.errors?.[0]?.message).toMatch(/Widget\.eventLog.*its id function/);
    expect(result.errors?.[0]?.extensions?.code).not.toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.originalError?.name).toBe('EventLogSetupError');
  });
});

describe('the default message', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createEmbeddedDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it.each([
    ['create', 'Certificate {object__id} was created.'],
    ['update', 'Certificate {object__id} was updated.'],
    ['delete', 'Certificate {object__id} was deleted.'],
    ['access', 'Certificate {object__id} was accessed.'],
    // A custom action is not conjugated ("was set-statused."): it follows the object.
    ['set-status', 'Certificate {object__id}: set-status.'],
    ['archive', 'Certificate {object__id}: archive.'],
    // Braces in an action are text, not placeholders.
    ['{x}', 'Certificate {object__id}: {{x}}.'],
  ])('of the action %s is %s', async (action, template) => {
    const [row] = await database.prisma.$queryRawUnsafe<{ message: { template: string } }[]>(
      "SELECT eventlog_default_message('Certificate', 'id', $1) AS message",
      action,
    );
    expect(row?.message.template).toBe(template);
  });
});

describe('page size descriptions', () => {
  it('state the configured maximum', () => {
    const builder = makeBuilder({ eventLog: { maxPageSize: 50, defaultPageSize: 10 } });
    builder.prismaObject('User', { fields: (t) => ({ eventLog: t.eventLog() }) });
    const printed = printSchema(builder.toSchema());
    expect(printed).not.toMatch(/at most 100\b/);
    expect(printed).toContain('`first`/`last` default to 10, at most 50.');
  });
});
