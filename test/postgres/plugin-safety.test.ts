// Audited mutations on a schema and capture declaration of their own, on PostgreSQL, read back
// from the stored rows: masked values never reach the database (diff, message, template
// values), and a context too large to send is refused before any SQL. The service's own
// masking is in service.test.ts.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { createYoga } from 'graphql-yoga';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type PrismaTypes from '../../example/generated/pothos-types.js';
import { getDatamodel } from '../../example/generated/pothos-types.js';
import type { PrismaClient } from '../../example/generated/prisma/client.js';
import { seed } from '../../example/seed.js';
import { readDatamodel } from '../../scripts/datamodel.js';
import EventLogPlugin, { captureSql, defineEventLogCapture, REDACTED } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

type Context = { prisma: PrismaClient; user: { id: number; name: string } };

const password = 'hunter2-do-not-store';
const notes = 'Safe combination 31-41-59';
const ssn = '078-05-1120';

const capture = defineEventLogCapture({
  models: {
    Certificate: { tool: 'vault', mask: ['notes'], fold: ['items'] },
    User: { tool: 'user' },
  },
  maskedKeys: ['ssn'],
});

function buildSchema() {
  const builder = new SchemaBuilder<{ Context: Context; PrismaTypes: PrismaTypes }>({
    plugins: [EventLogPlugin, RelayPlugin, PrismaPlugin],
    prisma: { client: (ctx) => ctx.prisma, dmmf: getDatamodel() },
    eventLog: {
      client: (ctx) => ctx.prisma,
      actor: (ctx) => ctx.user,
      authorize: () => true,
      capture,
      requestId: () => 'req-1',
    },
  });
  builder.queryType({ fields: (t) => ({ ping: t.string({ resolve: () => 'pong' }) }) });
  builder.mutationType({});
  builder.mutationField('setNotes', (t) =>
    t.string({
      args: {
        id: t.arg.int({ required: true }),
        notes: t.arg.string({ required: true }),
        password: t.arg.string({ required: true }),
        ssn: t.arg.string({ required: true }),
      },
      eventLog: {
        model: 'Certificate',
        message:
          'Notes of {certificate__name} set to {certificate__notes} with {secret__password} and {person__ssn}.',
        values: ({ args }) => ({ secret: { password: args.password }, person: { ssn: args.ssn } }),
      },
      resolve: async (_root, args, ctx) => {
        await ctx.prisma.certificate.update({
          where: { id: args.id },
          data: { notes: args.notes },
        });
        return 'ok';
      },
    }),
  );
  builder.mutationField('setStatus', (t) =>
    t.string({
      args: { id: t.arg.int({ required: true }), status: t.arg.string({ required: true }) },
      eventLog: {
        model: 'Certificate',
        message: 'Status set ({note}).',
        values: ({ args }) => ({ note: args.status }),
      },
      resolve: async (_root, args, ctx) => {
        await ctx.prisma.certificate.update({
          where: { id: args.id },
          data: { status: args.status },
        });
        return 'ok';
      },
    }),
  );
  return builder.toSchema();
}

let database: TestDatabase;
let sql: pg.Client;
let yoga: ReturnType<typeof createYoga<object, Context>>;

async function mutate(query: string, variables: Record<string, unknown>) {
  const response = await yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: unknown; errors?: { message: string }[] };
}

beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  // The triggers of this file's own declaration replace the example's.
  await sql.query(captureSql(await readDatamodel(), capture).sql);
  await seed(database.prisma);
  const schema = buildSchema();
  yoga = createYoga<object, Context>({
    schema,
    logging: false,
    context: () => ({ prisma: database.prisma, user: { id: 1, name: 'John Doe' } }),
  });
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

describe('masked values through an audited mutation, on PostgreSQL', () => {
  it('stores "[redacted]" and never the raw value, in changes, message and values', async () => {
    const result = await mutate(
      'mutation($notes: String!, $password: String!, $ssn: String!) { setNotes(id: 1, notes: $notes, password: $password, ssn: $ssn) }',
      { notes, password, ssn },
    );
    expect(result).toEqual({ data: { setNotes: 'ok' } });
    // The change itself is stored: masking is about the audit trail only.
    const { rows: certificate } = await sql.query('SELECT notes FROM "Certificate" WHERE id = 1');
    expect(certificate[0].notes).toBe(notes);

    const { rows } = await sql.query(
      `SELECT row_to_json(e)::text AS row, message, "values", changes FROM event_log e
       WHERE tool = 'vault' AND context->>'path' = 'setNotes'`,
    );
    expect(rows).toHaveLength(1);
    const [entry] = rows;
    for (const secret of [notes, password, ssn, '31-41-59', 'hunter2', '078-05']) {
      expect(entry.row).not.toContain(secret);
    }
    expect(entry.message).toBe(
      `Notes of Annual fire safety inspection set to ${REDACTED} with ${REDACTED} and ${REDACTED}.`,
    );
    expect(entry.changes).toEqual({
      old_value: { notes: REDACTED },
      new_value: { notes: REDACTED },
    });
    expect(entry.values.secret__password).toMatchObject({ snapshot: REDACTED });
    expect(entry.values.person__ssn).toMatchObject({ snapshot: REDACTED });
    // A masked field of the row is stored without a reference: never rendered live.
    expect(entry.values.certificate__notes).toEqual({ value: REDACTED });
    expect(entry.values.certificate__name).toMatchObject({ model: 'Certificate', id: '1' });
  });
});

describe('a context too large to send', () => {
  it('is refused before any SQL, and nothing changes', async () => {
    const before = await sql.query('SELECT status FROM "Certificate" WHERE id = 2');
    const entries = await sql.query('SELECT count(*)::int AS n FROM event_log');
    const result = await mutate('mutation($s: String!) { setStatus(id: 2, status: $s) }', {
      s: 'x'.repeat(40_000),
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.message).toMatch(/^The change was not saved: .*context/);
    expect(JSON.stringify(result)).not.toContain('xxxxxxxxxx');
    expect((await sql.query('SELECT status FROM "Certificate" WHERE id = 2')).rows).toEqual(
      before.rows,
    );
    expect((await sql.query('SELECT count(*)::int AS n FROM event_log')).rows).toEqual(
      entries.rows,
    );

    const small = await mutate('mutation { setStatus(id: 2, status: "active") }', {});
    expect(small).toEqual({ data: { setStatus: 'ok' } });
    const { rows } = await sql.query(
      `SELECT message FROM event_log WHERE context->>'path' = 'setStatus'`,
    );
    expect(rows).toEqual([{ message: 'Status set (active).' }]);
  });
});
