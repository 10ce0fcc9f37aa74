// Bad input, over HTTP (yoga.fetch) and to the service: every case is answered with a clear
// error carrying a code, never a crash or a 500; nothing is written; no stack, file path or
// SQL reaches the client (NODE_ENV=production); and the server serves the next request.
// More refusals are tested where their feature is: test/embedded/graphql.test.ts (paging
// arguments), test/embedded/mutations.test.ts (mutation input), test/embedded/server.test.ts
// (x-user-id), test/unit/event-log-service.test.ts and test/unit/template.test.ts (entries).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import { seed } from '../../example/seed.js';
import { createServer, requestLimits, type Server } from '../../example/server.js';
import {
  createDiffSchema,
  EventLogError,
  EventLogLimitError,
  EventLogService,
  EventLogValidationError,
  type LogEntry,
  TemplateError,
} from '../../src/index.js';
import { createEmbeddedDatabase } from '../support/database.js';
import {
  type GraphQLResponse,
  graphql,
  type RawRequestOptions,
  rawRequest,
} from '../support/http.js';

let database: Database;
let yoga: Server;
let eventLogCursor: string;
let certificatesCursor: string;
const nodeEnv = process.env.NODE_ENV;

const globalId = (type: string, id: number | string) =>
  Buffer.from(`${type}:${id}`).toString('base64');
const cursor = (text: string) => Buffer.from(text).toString('base64url');
const send = (query: string, variables?: Record<string, unknown>, userId: number | null = 1) =>
  rawRequest(yoga, {
    body: JSON.stringify({ query, variables }),
    ...(userId === null ? {} : { userId }),
  });
const raw = (options: RawRequestOptions) => rawRequest(yoga, { userId: 1, ...options });

/** A stack frame, a source file, the server's directories, Prisma's or PostgreSQL's words. */
const leakPattern =
  /\bat \S+ \(|\.[cm]?[jt]s:\d+|\/work\/|node_modules|invocation|prisma|\b(SELECT|INSERT INTO|UPDATE)\b.+\b(FROM|VALUES|SET)\b|"stack"/i;

const CREATE =
  'mutation($input: CreateCertificateInput!) { createCertificate(input: $input) { id } }';
const UPDATE =
  'mutation($id: ID!, $input: UpdateCertificateInput!) { updateCertificate(id: $id, input: $input) { id } }';
const nested = (depth: number, leaf: string) =>
  `${'a { '.repeat(depth)}${leaf}${' }'.repeat(depth)}`;

interface Case {
  name: string;
  send: () => Promise<GraphQLResponse & { text: string }>;
  code: string;
  /** HTTP status when it is not 200. */
  status?: number;
  message?: RegExp;
}

const cases: Case[] = [
  // Cursors
  {
    name: 'a cursor with characters no cursor has',
    send: () => send('{ eventLogs(after: "!!!") { totalCount } }'),
    code: 'BAD_USER_INPUT',
    message: /after is not a cursor/,
  },
  {
    name: 'a cursor whose timestamp is not a number',
    send: () => send(`{ eventLogs(after: "${cursor('EventLog:abc:1')}") { totalCount } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a cursor of 300 characters',
    send: () => send(`{ eventLogs(before: "${'x'.repeat(300)}") { totalCount } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a cursor whose id is beyond a bigint',
    send: () =>
      send(`{ eventLogs(after: "${cursor('EventLog:1:9999999999999999999')}") { totalCount } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: "a cursor of the certificates connection, given to a certificate's eventLog",
    send: () =>
      send(
        'query($id: ID!, $after: String) { certificate(id: $id) { eventLog(after: $after) { totalCount } } }',
        {
          id: globalId('Certificate', 1),
          after: certificatesCursor,
        },
      ),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an event log cursor, given to the certificates connection',
    send: () =>
      send('query($after: String) { certificates(after: $after) { edges { node { id } } } }', {
        after: eventLogCursor,
      }),
    code: 'BAD_USER_INPUT',
  },
  // Page sizes
  {
    name: 'first: -1',
    send: () => send('{ eventLogs(first: -1) { totalCount } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'first: 1000000',
    send: () => send('{ eventLogs(first: 1000000) { totalCount } }'),
    code: 'BAD_USER_INPUT',
    message: /at most 100/,
  },
  {
    name: "last: 101 on a certificate's history",
    send: () =>
      send('query($id: ID!) { certificate(id: $id) { eventLog(last: 101) { totalCount } } }', {
        id: globalId('Certificate', 1),
      }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'first: -1 on the certificates connection',
    send: () => send('{ certificates(first: -1) { edges { node { id } } } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'first beyond a 32-bit integer',
    send: () => send('{ eventLogs(first: 2147483648) { totalCount } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    name: 'first as a string',
    send: () => send('{ eventLogs(first: "10") { totalCount } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  // Filters
  {
    name: 'a DateTime that is not one',
    send: () => send('{ eventLogs(since: "yesterday") { totalCount } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    name: 'a DateTime variable on the 45th of the 13th month',
    send: () =>
      send('query($until: DateTime) { eventLogs(until: $until) { totalCount } }', {
        until: '2024-13-45T00:00:00Z',
      }),
    code: 'BAD_USER_INPUT',
    status: 400,
  },
  {
    name: 'an unknown filter',
    send: () => send('{ eventLogs(color: "red") { totalCount } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    name: 'a tool filter over its column length',
    send: () => send(`{ eventLogs(tool: "${'x'.repeat(101)}") { totalCount } }`),
    code: 'BAD_USER_INPUT',
    message: /tool is longer than 100/,
  },
  {
    name: 'an objectId filter of 100 000 characters',
    send: () =>
      send('query($id: String) { eventLogs(objectId: $id) { totalCount } }', {
        id: 'x'.repeat(100_000),
      }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a NUL character in a filter',
    send: () =>
      send('query($tool: String) { eventLogs(tool: $tool) { totalCount } }', { tool: 'a\u0000b' }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a number for a String variable',
    send: () =>
      send('query($actor: String) { eventLogs(actorId: $actor) { totalCount } }', { actor: 5 }),
    code: 'BAD_USER_INPUT',
    status: 400,
  },
  // Mutations with invalid input
  {
    name: 'a name of 500 000 characters',
    send: () => send(CREATE, { input: { name: 'x'.repeat(500_000) } }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'notes of 10 001 characters',
    send: () =>
      send(UPDATE, { id: globalId('Certificate', 1), input: { notes: 'x'.repeat(10_001) } }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a status of 51 characters',
    send: () => send(UPDATE, { id: globalId('Certificate', 2), input: { status: 'x'.repeat(51) } }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a NUL character in a name',
    send: () => send(CREATE, { input: { name: 'a\u0000b' } }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a create without its required name',
    send: () => send('mutation { createCertificate(input: { status: "draft" }) { id } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    name: 'a quantity that is not a number',
    send: () => send(CREATE, { input: { name: 'x', items: [{ name: 'bolt', quantity: 'many' }] } }),
    code: 'BAD_USER_INPUT',
    status: 400,
  },
  {
    name: 'a quantity beyond a 32-bit integer',
    send: () =>
      send(
        'mutation { createCertificate(input: { name: "x", items: [{ name: "bolt", quantity: 2147483648 }] }) { id } }',
      ),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    name: '201 items',
    send: () =>
      send(CREATE, {
        input: {
          name: 'x',
          items: Array.from({ length: 201 }, () => ({ name: 'a', quantity: 1 })),
        },
      }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'archiving 101 certificates at once',
    send: () =>
      send('mutation($ids: [ID!]!) { archiveCertificates(ids: $ids) { id } }', {
        ids: Array.from({ length: 101 }, (_, index) => globalId('Certificate', index + 1)),
      }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an actor named in the input',
    send: () => send('mutation { createCertificate(input: { name: "x", actorId: "2" }) { id } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  // Ids
  {
    name: 'a global ID that is not base64',
    send: () => send('{ certificate(id: "%%%") { id } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'the global ID of a user where a certificate is expected',
    send: () => send(`{ certificate(id: "${globalId('User', 1)}") { id } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'deleting a certificate id beyond a PostgreSQL integer',
    send: () =>
      send('mutation($id: ID!) { deleteCertificate(id: $id) { id } }', {
        id: globalId('Certificate', 99_999_999_999),
      }),
    code: 'NOT_FOUND',
  },
  {
    name: 'node() of a type that does not exist',
    send: () => send(`{ node(id: "${globalId('Nope', 1)}") { id } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'node() of an entry that does not exist, anonymous',
    send: () =>
      send(
        `{ node(id: "${globalId('EventLog', '["9223372036854775807","Certificate","1"]')}") { id } }`,
        {},
        null,
      ),
    code: 'FORBIDDEN',
  },
  {
    name: 'updating a certificate id beyond a PostgreSQL integer',
    send: () => send(UPDATE, { id: globalId('Certificate', 2_147_483_648), input: { name: 'x' } }),
    code: 'NOT_FOUND',
  },
  {
    name: 'deleting certificate -1',
    send: () =>
      send('mutation($id: ID!) { deleteCertificate(id: $id) { id } }', {
        id: globalId('Certificate', -1),
      }),
    code: 'NOT_FOUND',
  },
  {
    name: 'archiving an existing and a missing certificate (neither is archived)',
    send: () =>
      send('mutation($ids: [ID!]!) { archiveCertificates(ids: $ids) { id } }', {
        ids: [globalId('Certificate', 3), globalId('Certificate', 999_999)],
      }),
    code: 'NOT_FOUND',
  },
  // Documents
  {
    name: 'malformed GraphQL',
    send: () => send('{ certificates {'),
    code: 'GRAPHQL_PARSE_FAILED',
    status: 400,
  },
  {
    name: 'a field that does not exist',
    send: () => send('{ passwords }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    name: `a query ${requestLimits.maxDepth + 2} fields deep`,
    send: () => send(`{ ${nested(requestLimits.maxDepth + 2, 'b')} }`),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
    message: /depth limit of 10 exceeded/,
  },
  {
    name: 'introspection nested 12 deep (a cycle through types and fields)',
    send: () =>
      send(
        `{ __type(name: "Certificate") { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } }`,
      ),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    name: 'a query nested 600 levels deep (within the token limit)',
    send: () => send(`{ ${nested(600, 'b')} }`),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
    message: /depth limit of 10 exceeded/,
  },
  {
    name: 'a query nested 100 000 levels deep (stopped while parsing)',
    send: () => send(`{ ${nested(100_000, 'b')} }`),
    code: 'GRAPHQL_PARSE_FAILED',
    status: 400,
    message: /Token limit of 2000 exceeded/,
  },
  {
    name: '30 aliases of eventLogs',
    send: () =>
      send(
        `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: eventLogs { totalCount }`).join(' ')} }`,
      ),
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  {
    name: 'an operationName the document does not hold',
    send: () =>
      raw({ body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }) }),
    code: 'OPERATION_RESOLUTION_FAILURE',
    status: 400,
  },
  // Requests
  {
    name: 'a body of 2 MiB (Content-Length)',
    send: () =>
      raw({
        body: JSON.stringify({
          query: `{ eventLogs(tool: "${'x'.repeat(2 << 20)}") { totalCount } }`,
        }),
      }),
    code: 'REQUEST_ENTITY_TOO_LARGE',
    status: 413,
  },
  {
    name: 'a body of 2.5 MiB, chunked (no Content-Length)',
    send: () =>
      raw({
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"query":"'));
            for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(120));
            controller.close();
          },
        }),
      }),
    code: 'REQUEST_ENTITY_TOO_LARGE',
    status: 413,
  },
  {
    name: 'a Content-Length that is not a number',
    send: () => raw({ body: '{}', headers: { 'content-length': 'abc' } }),
    code: 'BAD_REQUEST',
    status: 400,
  },
  {
    name: 'invalid JSON',
    send: () => raw({ body: '{"query": ' }),
    code: 'BAD_REQUEST',
    status: 400,
  },
  {
    name: 'JSON null',
    send: () => raw({ body: 'null' }),
    code: 'BAD_REQUEST',
    status: 400,
  },
  {
    name: 'a JSON array (batching is off)',
    send: () => raw({ body: '[{"query": "{ __typename }"}]' }),
    code: 'BAD_REQUEST',
    status: 400,
  },
  {
    name: 'no query',
    send: () => raw({ body: '{"variables": {}}' }),
    code: 'BAD_REQUEST',
    status: 400,
  },
  {
    name: 'a query that is a number',
    send: () => raw({ body: '{"query": 5}' }),
    code: 'BAD_REQUEST',
    status: 400,
  },
  {
    name: 'variables that are a string',
    send: () => raw({ body: '{"query": "{ __typename }", "variables": "x"}' }),
    code: 'BAD_REQUEST',
    status: 400,
  },
  {
    name: 'a body in XML',
    send: () => raw({ body: '<query/>', headers: { 'content-type': 'application/xml' } }),
    code: 'UNSUPPORTED_MEDIA_TYPE',
    status: 415,
  },
  {
    name: 'a mutation over GET',
    send: () =>
      raw({
        method: 'GET',
        path: `/graphql?query=${encodeURIComponent(`mutation { deleteCertificate(id: "${globalId('Certificate', 1)}") { id } }`)}`,
      }),
    code: 'BAD_REQUEST',
    status: 405,
  },
  {
    name: 'PUT',
    send: () => raw({ method: 'PUT', body: '{"query": "{ __typename }"}' }),
    code: 'BAD_REQUEST',
    status: 405,
  },
];

async function state() {
  return {
    entries: await database.prisma.eventLog.count(),
    certificates: await database.prisma.certificate.findMany({
      include: { items: { orderBy: { id: 'asc' } } },
      orderBy: { id: 'asc' },
    }),
  };
}

beforeAll(async () => {
  process.env.NODE_ENV = 'production';
  database = await createEmbeddedDatabase();
  await seed(database.prisma);
  yoga = createServer({ prisma: database.prisma, logging: false });
  const created = await graphql(yoga, CREATE, { input: { name: 'Has an entry' } }, { userId: 1 });
  expect(created.body.errors).toBeUndefined();
  const entries = await graphql(yoga, '{ eventLogs(first: 1) { edges { cursor } } }', undefined, {
    userId: 1,
  });
  eventLogCursor = entries.body.data.eventLogs.edges[0].cursor;
  const certificates = await graphql(yoga, '{ certificates(first: 1) { pageInfo { endCursor } } }');
  certificatesCursor = certificates.body.data.certificates.pageInfo.endCursor;
});

afterAll(async () => {
  process.env.NODE_ENV = nodeEnv;
  await database?.close();
});

describe('bad input over HTTP', () => {
  it(`tries at least 30 kinds (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)('$name: $code, nothing written, still serving', async (badCase) => {
    const before = await state();
    const response = await badCase.send();
    expect(response.status).toBe(badCase.status ?? 200);
    expect(response.body.errors?.[0]?.extensions?.code, response.text.slice(0, 500)).toBe(
      badCase.code,
    );
    if (badCase.message) {
      expect(
        response.body.errors.map((error: { message: string }) => error.message).join('\n'),
      ).toMatch(badCase.message);
    }
    expect(response.text).not.toMatch(leakPattern);

    const next = await graphql(yoga, '{ certificates(first: 1) { edges { node { id } } } }');
    expect(next.status).toBe(200);
    expect(next.body.errors).toBeUndefined();
    expect(await state()).toEqual(before);
  });
});

describe('bad input to the service, on a real database', () => {
  let service: EventLogService;
  const entry: LogEntry = {
    templateMessage: 'Item {item__name} was updated.',
    values: { item: { name: 'Bolt' } },
    object: { model: 'Item', id: 1 },
    actor: { id: 1, name: 'John Doe' },
    tool: 'item',
    action: 'update',
    changes: createDiffSchema({ name: 'a' }, { name: 'b' }),
  };

  beforeAll(() => {
    service = new EventLogService({ client: database.prisma as never, maxChangesBytes: 64 * 1024 });
  });

  const serviceCases: [string, Partial<LogEntry>, new (...args: never[]) => EventLogError][] = [
    [
      'changes of 100 KiB (over maxChangesBytes)',
      { changes: createDiffSchema({ a: '' }, { a: 'x'.repeat(100 << 10) }) },
      EventLogLimitError,
    ],
    [
      'a rendered message over 10 000 characters',
      { values: { item: { name: 'x'.repeat(10_001) } } },
      EventLogLimitError,
    ],
    [
      'a NUL character in a key of changes',
      { changes: { old_value: {}, new_value: { 'a\u0000': 1 } } },
      EventLogValidationError,
    ],
    [
      'a Symbol in changes',
      { changes: { old_value: {}, new_value: { a: Symbol('s') } } },
      EventLogValidationError,
    ],
    [
      'an object id over 255 characters',
      { object: { model: 'Item', id: '9'.repeat(256) } },
      EventLogLimitError,
    ],
    ['a tool of 101 characters', { tool: 't'.repeat(101) }, EventLogLimitError],
    ['an actor id that is an object', { actor: { id: {} as never } }, EventLogValidationError],
    [
      'a template reading Object.prototype ({item__constructor__name})',
      { templateMessage: '{item__constructor__name}' },
      TemplateError,
    ],
    [
      'a template naming a method ({toString})',
      { templateMessage: 'At {toString}' },
      TemplateError,
    ],
    ['a template with a nested brace', { templateMessage: '{item{name}}' }, TemplateError],
    [
      'a template value that is a function',
      { values: { item: { name: () => 'x' } } },
      TemplateError,
    ],
    [
      'a template value that is an invalid Date',
      { values: { item: { name: new Date(Number.NaN) } } },
      TemplateError,
    ],
  ];

  it.each(serviceCases)(
    'refuses %s with a coded error, writing nothing',
    async (_name, change, kind) => {
      const before = await database.prisma.eventLog.count();
      const error = await service.log({ ...entry, ...change }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(kind);
      expect((error as EventLogError).code).toMatch(/^(EVENT_LOG_|TEMPLATE_ERROR)/);
      expect(await database.prisma.eventLog.count()).toBe(before);
    },
  );

  it('writes the valid entry these cases start from (control)', async () => {
    const before = await database.prisma.eventLog.count();
    await service.log(entry);
    expect(await database.prisma.eventLog.count()).toBe(before + 1);
  });
});

// Inputs that once reached PostgreSQL or the stack before being refused: now each is refused
// by name, with a code, before anything runs.
describe('inputs refused before they reach the database', () => {
  const nothingWrittenBy = async (run: () => Promise<unknown>) => {
    const before = await state();
    const outcome = await run().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    expect(await state()).toEqual(before);
    return outcome;
  };

  it('a non-numeric certificate id in a mutation is refused, and nothing is written', async () => {
    const { value } = (await nothingWrittenBy(() =>
      send(UPDATE, { id: globalId('Certificate', 'abc'), input: { name: 'x' } }),
    )) as { value: GraphQLResponse & { text: string } };
    expect(value.status).toBe(200);
    expect(value.body.errors[0].extensions.code).toBeDefined();
    expect(value.text).not.toMatch(leakPattern);
  });

  it('a non-numeric certificate id in a mutation is BAD_USER_INPUT or NOT_FOUND', async () => {
    const response = await send(UPDATE, {
      id: globalId('Certificate', 'abc'),
      input: { name: 'x' },
    });
    expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(response.body.errors[0].extensions.code);
  });

  const loneSurrogate = { changes: createDiffSchema({ name: 'a' }, { name: 'b\ud800' }) };
  const deep = {
    changes: {
      old_value: {},
      new_value: JSON.parse(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`),
    },
  };

  it('a lone UTF-16 surrogate or 5 000 levels of nesting in changes write nothing', async () => {
    const service = new EventLogService({ client: database.prisma as never });
    const base: LogEntry = {
      templateMessage: 'x',
      object: { model: 'Item', id: 1 },
      actor: null,
      tool: 'item',
      action: 'update',
    };
    for (const change of [loneSurrogate, deep]) {
      const { error } = (await nothingWrittenBy(() => service.log({ ...base, ...change }))) as {
        error: unknown;
      };
      expect(error).toBeInstanceOf(Error);
    }
  });

  // PostgreSQL refuses such JSON, and silently stores U+FFFD in text columns.
  it('a lone UTF-16 surrogate in changes is an EventLogValidationError', async () => {
    const service = new EventLogService({ client: database.prisma as never });
    await expect(
      service.log({
        templateMessage: 'x',
        object: { model: 'Item', id: 1 },
        actor: null,
        tool: 'item',
        action: 'update',
        ...loneSurrogate,
      }),
    ).rejects.toBeInstanceOf(EventLogValidationError);
  });

  // Recursion over changes is bounded (MAX_JSON_DEPTH) instead of overflowing the stack.
  it('changes nested 5 000 levels deep are an EventLogError', async () => {
    const service = new EventLogService({ client: database.prisma as never });
    await expect(
      service.log({
        templateMessage: 'x',
        object: { model: 'Item', id: 1 },
        actor: null,
        tool: 'item',
        action: 'update',
        ...deep,
      }),
    ).rejects.toBeInstanceOf(EventLogError);
  });
});
