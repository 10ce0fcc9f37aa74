// totalCount under `maxExactCount` (issue 15): exact up to the bound, the bound marked as not
// exact past it, for eventLogs, one object's eventLog and a list of objects' (batched), with
// the bound in the SQL sent (a LIMIT of bound + 1), no more statements than before, and the
// bound in the schema's descriptions. Bad bounds are refused when the schema is built.
import SchemaBuilder, { PothosSchemaError } from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { printSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import type PrismaTypes from '../../example/generated/pothos-types.js';
import { getDatamodel } from '../../example/generated/pothos-types.js';
import { PrismaClient } from '../../example/generated/prisma/client.js';
import EventLogPlugin from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';

type Context = { prisma: PrismaClient };

/** Entries per object: above, at and below the bound of 5, and none. */
const entries = { above: 7, at: 5, below: 2, none: 0 } as const;
const bound = 5;

function buildSchema(maxExactCount: unknown) {
  const builder = new SchemaBuilder<{ Context: Context; PrismaTypes: PrismaTypes }>({
    plugins: [EventLogPlugin, RelayPlugin, PrismaPlugin],
    prisma: { client: (ctx) => ctx.prisma, dmmf: getDatamodel() },
    eventLog: {
      client: (ctx) => ctx.prisma,
      actor: () => null,
      authorize: () => true,
      ...(maxExactCount === undefined ? {} : { maxExactCount: maxExactCount as number }),
    },
  });
  const thing = builder.objectRef<{ key: string }>('Thing').implement({
    fields: (t) => ({
      key: t.exposeString('key'),
      eventLog: t.eventLog({ model: 'Certificate', id: (parent) => parent.key }),
    }),
  });
  builder.queryType({
    fields: (t) => ({
      things: t.field({
        type: [thing],
        resolve: () => Object.keys(entries).map((key) => ({ key })),
      }),
      thing: t.field({
        type: thing,
        args: { key: t.arg.string({ required: true }) },
        resolve: (_root, { key }) => ({ key }),
      }),
    }),
  });
  return builder.toSchema();
}

let database: Database;
/** Prisma's operations (`model.operation`), and the SQL it sends with its parameters. */
const operations: string[] = [];
const statements: { sql: string; params: string }[] = [];
let logged: PrismaClient;

function server(maxExactCount: unknown) {
  const prisma = logged.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        operations.push(model ? `${model}.${operation}` : operation);
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  const yoga = createYoga<object, Context>({
    schema: buildSchema(maxExactCount),
    logging: false,
    maskedErrors: false,
    context: () => ({ prisma }),
  });
  return async (query: string, variables: Record<string, unknown> = {}) => {
    operations.length = 0;
    statements.length = 0;
    const response = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    return body.data;
  };
}

const eventLogStatements = () =>
  statements.filter(({ sql }) => sql.includes('event_log') && !/^(BEGIN|COMMIT)/.test(sql));

beforeAll(async () => {
  database = await createEmbeddedDatabase();
  const client = new PrismaClient({
    adapter: database.adapterFactory,
    log: [{ emit: 'event', level: 'query' }],
  });
  client.$on('query', (event) => statements.push({ sql: event.query, params: event.params }));
  logged = client as unknown as PrismaClient;
  await logged.eventLog.createMany({
    data: Object.entries(entries).flatMap(([key, n]) =>
      Array.from({ length: n }, (_, i) => ({
        tool: 'bounded',
        action: i === 0 ? 'create' : 'update',
        objectType: 'Certificate',
        objectId: key,
        template: 't',
        message: `${key} ${i}`,
      })),
    ),
  });
});

afterAll(async () => {
  await logged?.$disconnect();
  await database?.close();
});

describe('with maxExactCount: 5', () => {
  let send: ReturnType<typeof server>;
  beforeAll(() => {
    send = server(bound);
  });

  it.each([
    ['tool: "bounded"', { totalCount: 5, totalCountIsExact: false }],
    ['objectId: "above"', { totalCount: 5, totalCountIsExact: false }],
    ['objectId: "at"', { totalCount: 5, totalCountIsExact: true }],
    ['objectId: "below"', { totalCount: 2, totalCountIsExact: true }],
    ['objectId: "above", action: "create"', { totalCount: 1, totalCountIsExact: true }],
    ['tool: "none"', { totalCount: 0, totalCountIsExact: true }],
  ])('eventLogs(%s) counts in one bounded statement', async (filter, expected) => {
    const data = await send(`{ eventLogs(${filter}) { totalCount totalCountIsExact } }`);
    expect(data.eventLogs).toEqual(expected);
    expect(operations).toEqual(['EventLog.count']);
    const [count, ...others] = eventLogStatements();
    expect(others).toEqual([]);
    // In the pages' order, which the filter's index serves without a sort.
    expect(count?.sql).toMatch(
      /^SELECT COUNT\(\*\).* FROM \(SELECT .* ORDER BY "public"."event_log"."timestamp" DESC, "public"."event_log"."id" DESC LIMIT \$\d+ OFFSET \$\d+\) AS/,
    );
    expect(JSON.parse(count?.params ?? '[]').map(String)).toContain(String(bound + 1));
  });

  it('counts one object’s entries up to the bound, with the page in one more statement', async () => {
    const read = (key: string) =>
      send(
        'query($key: String!) { thing(key: $key) { eventLog(first: 2) { totalCount totalCountIsExact edges { node { message } } } } }',
        { key },
      );
    const above = await read('above');
    expect(above.thing.eventLog).toMatchObject({ totalCount: 5, totalCountIsExact: false });
    expect(above.thing.eventLog.edges).toHaveLength(2);
    expect(operations).toEqual(['$queryRawUnsafe', '$queryRawUnsafe']);
    const at = await read('at');
    expect(at.thing.eventLog).toMatchObject({ totalCount: 5, totalCountIsExact: true });
  });

  it('counts the entries of every object of a list in one statement, each up to the bound', async () => {
    const data = await send(
      '{ things { key eventLog { totalCount totalCountIsExact } } filtered: things { key eventLog(action: "update") { totalCount totalCountIsExact } } }',
    );
    expect(data.things).toEqual([
      { key: 'above', eventLog: { totalCount: 5, totalCountIsExact: false } },
      { key: 'at', eventLog: { totalCount: 5, totalCountIsExact: true } },
      { key: 'below', eventLog: { totalCount: 2, totalCountIsExact: true } },
      { key: 'none', eventLog: { totalCount: 0, totalCountIsExact: true } },
    ]);
    expect(data.filtered).toEqual([
      { key: 'above', eventLog: { totalCount: 5, totalCountIsExact: false } },
      { key: 'at', eventLog: { totalCount: 4, totalCountIsExact: true } },
      { key: 'below', eventLog: { totalCount: 1, totalCountIsExact: true } },
      { key: 'none', eventLog: { totalCount: 0, totalCountIsExact: true } },
    ]);
    // One statement per filter, whatever the number of objects, each with the LIMIT.
    expect(operations).toEqual(['$queryRawUnsafe', '$queryRawUnsafe']);
    const counts = eventLogStatements();
    expect(counts).toHaveLength(2);
    for (const { sql, params } of counts) {
      expect(sql).toMatch(/LIMIT \$\d+::int\) e\) AS count/);
      expect(JSON.parse(params).map(String)).toContain(String(bound + 1));
    }
  });

  it('states the bound in the schema', () => {
    const printed = printSchema(buildSchema(bound));
    expect(printed).toContain('counted up to 5: when more match, 5');
    expect(printed).toContain('false when more than 5 match');
    expect(printSchema(buildSchema(undefined))).toContain('counted up to 10000');
  });
});

describe('with maxExactCount: false', () => {
  it('counts every entry exactly, without a LIMIT', async () => {
    const send = server(false);
    const data = await send(
      '{ eventLogs(tool: "bounded") { totalCount totalCountIsExact } things { eventLog { totalCount totalCountIsExact } } }',
    );
    expect(data.eventLogs).toEqual({ totalCount: 14, totalCountIsExact: true });
    expect(data.things.map((thing: { eventLog: unknown }) => thing.eventLog)).toEqual(
      Object.values(entries).map((n) => ({ totalCount: n, totalCountIsExact: true })),
    );
    const counts = eventLogStatements();
    expect(counts).toHaveLength(2);
    for (const { sql } of counts) expect(sql).not.toMatch(/LIMIT/);
    expect(printSchema(buildSchema(false))).toContain(
      '"""Entries matching the filter, on all pages."""',
    );
  });
});

describe('a bad maxExactCount', () => {
  it.each([
    [0, 'got 0'],
    [-1, 'got -1'],
    [2.5, 'got 2.5'],
    [Number.POSITIVE_INFINITY, 'got Infinity'],
    [Number.NaN, 'got NaN'],
    [2 ** 31, 'got 2147483648'],
    ['10000', 'got "10000"'],
    [true, 'got true'],
  ])('%s is refused when the schema is built', (value, got) => {
    expect(() => buildSchema(value)).toThrow(PothosSchemaError);
    expect(() => buildSchema(value)).toThrow(
      `pothos-eventlog: \`eventLog.maxExactCount\` must be a positive integer up to 2147483647 (GraphQL's largest Int), or false to count every entry exactly; ${got}.`,
    );
  });
});
