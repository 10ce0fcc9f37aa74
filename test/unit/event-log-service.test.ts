import { describe, expect, it } from 'vitest';
import { withEventLogContext } from '../../src/capture/context.js';
import {
  EventLogError,
  EventLogLimitError,
  EventLogValidationError,
  TemplateError,
} from '../../src/errors.js';
import {
  createDiffSchema,
  EventLogAction,
  type EventLogClient,
  type EventLogCreateData,
  EventLogService,
  type LogEntry,
  objectRef,
} from '../../src/service/index.js';

function fakeClient(options: { createMany?: boolean } = {}) {
  const created: EventLogCreateData[] = [];
  const batches: EventLogCreateData[][] = [];
  const client: EventLogClient = {
    eventLog: {
      async create({ data }) {
        created.push(data);
        return { id: BigInt(created.length), ...data };
      },
      ...(options.createMany === false
        ? {}
        : {
            async createMany({ data }: { data: EventLogCreateData[] }) {
              batches.push(data);
              return { count: data.length };
            },
          }),
    },
  };
  return { client, created, batches };
}

const certificate = { id: 7, name: 'Cert A', owner: { fullName: 'Ann Lee' } };

function entry(overrides: Partial<LogEntry> = {}): LogEntry {
  return {
    templateMessage: 'Certificate {cert__name} was updated by {user}.',
    values: { cert: objectRef('Certificate', certificate), user: 'Ann' },
    object: objectRef('Certificate', certificate),
    actor: { id: 42, name: 'Ann Lee' },
    tool: 'certificates',
    action: EventLogAction.UPDATE,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<EventLogError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EventLogError);
    return error as EventLogError;
  }
  throw new Error('expected a rejection');
}

describe('EventLogService.log', () => {
  it('writes the rendered entry with the columns of the EventLog model', async () => {
    const { client, created } = fakeClient();
    const changes = createDiffSchema({ name: 'Old' }, { name: 'Cert A' });
    const result = await new EventLogService({ client }).log(
      entry({ changes, context: { requestId: 'r1' } }),
    );
    expect(created).toEqual([
      {
        actorId: '42',
        actorName: 'Ann Lee',
        tool: 'certificates',
        action: 'update',
        objectType: 'Certificate',
        objectId: '7',
        template: 'Certificate {cert__name} was updated by {user}.',
        message: 'Certificate Cert A was updated by Ann.',
        values: {
          cert__name: { model: 'Certificate', id: '7', path: ['name'], snapshot: 'Cert A' },
          user: { value: 'Ann' },
        },
        changes: { old_value: { name: 'Old' }, new_value: { name: 'Cert A' } },
        context: { requestId: 'r1' },
      },
    ]);
    expect(result).toMatchObject({ id: 1n, message: 'Certificate Cert A was updated by Ann.' });
  });

  it('leaves changes and context out when there are none, and accepts a null actor', async () => {
    const { client, created } = fakeClient();
    await new EventLogService({ client }).log(
      entry({ actor: null, changes: null, object: { model: 'System' } }),
    );
    const [data] = created;
    expect(data).toMatchObject({
      actorId: null,
      actorName: null,
      objectType: 'System',
      objectId: null,
    });
    expect(data && 'changes' in data).toBe(false);
    expect(data && 'context' in data).toBe(false);
  });

  it('accepts a plain { model, id } object', async () => {
    const { client, created } = fakeClient();
    await new EventLogService({ client }).log(entry({ object: { model: 'Invoice', id: 10n } }));
    expect(created[0]).toMatchObject({ objectType: 'Invoice', objectId: '10' });
  });

  it('prefers the client passed to log() (a transaction client) to the service client', async () => {
    const service = fakeClient();
    const transaction = fakeClient();
    await new EventLogService({ client: service.client }).log(entry(), {
      client: transaction.client,
    });
    expect(service.created).toHaveLength(0);
    expect(transaction.created).toHaveLength(1);
  });

  it('never stores masked values, in values, changes or context', async () => {
    const { client, created } = fakeClient();
    const user = { id: 1, name: 'Ann', password: 'pw-raw-secret' };
    await new EventLogService({ client, maskedKeys: ['ssn'] }).log(
      entry({
        templateMessage: '{user__name} changed {user__password} {ssn}',
        values: { user, ssn: 'ssn-raw-secret' },
        changes: createDiffSchema(
          { password: 'old-raw-secret', tokens: [{ id: 1, api_key: 'key-raw-secret' }] },
          { password: 'new-raw-secret', tokens: [] },
        ),
        context: { headers: { Authorization: 'Bearer auth-raw-secret' }, SSN: 'ctx-raw-secret' },
      }),
    );
    const serialized = JSON.stringify(created[0], (_key, value) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
    expect(serialized).not.toContain('raw-secret');
    expect(created[0]?.message).toBe('Ann changed [redacted] [redacted]');
    expect(created[0]?.changes).toEqual({
      old_value: { password: '[redacted]', tokens: { '1': { api_key: '[redacted]' } } },
      new_value: { password: '[redacted]', tokens: { '1': null } },
    });
    expect(created[0]?.context).toEqual({
      headers: { Authorization: '[redacted]' },
      SSN: '[redacted]',
    });
  });

  it('converts changes and context to JSON-safe values', async () => {
    const { client, created } = fakeClient();
    await new EventLogService({ client }).log(
      entry({
        context: { at: new Date(0), n: 5n },
        changes: { old_value: {}, new_value: { b: Buffer.from('x') } },
      }),
    );
    expect(created[0]?.context).toEqual({ at: '1970-01-01T00:00:00.000Z', n: '5' });
    expect(created[0]?.changes).toEqual({ old_value: {}, new_value: { b: 'eA==' } });
  });

  it('refuses oversized changes, naming the size and the limit, and writes nothing', async () => {
    const { client, created } = fakeClient();
    const service = new EventLogService({ client, maxChangesBytes: 100 });
    const changes = createDiffSchema({}, { text: 'x'.repeat(200) });
    const error = await rejection(service.log(entry({ changes })));
    expect(error).toBeInstanceOf(EventLogLimitError);
    expect(error).toBeInstanceOf(EventLogValidationError);
    expect(error.code).toBe('EVENT_LOG_TOO_LARGE');
    const size = Buffer.byteLength(JSON.stringify(changes));
    expect(error.message).toBe(
      `changes is ${size} bytes as JSON; the limit is 100 bytes (the maxChangesBytes option).`,
    );
    expect((error as EventLogLimitError).size).toBe(size);
    expect(created).toHaveLength(0);
  });

  it('uses 256 KiB as the default changes limit', async () => {
    const { client, created } = fakeClient();
    const service = new EventLogService({ client });
    expect(service.limits.maxChangesBytes).toBe(256 * 1024);
    await service.log(entry({ changes: createDiffSchema({}, { text: 'x'.repeat(200_000) }) }));
    expect(created).toHaveLength(1);
    const error = await rejection(
      service.log(entry({ changes: createDiffSchema({}, { text: 'x'.repeat(300_000) }) })),
    );
    expect(error).toBeInstanceOf(EventLogLimitError);
    expect(created).toHaveLength(1);
  });

  it('refuses oversized context and values', async () => {
    const { client, created } = fakeClient();
    const service = new EventLogService({ client, maxContextBytes: 50, maxValuesBytes: 60 });
    const small = { templateMessage: '{a}', values: { a: 'y' } };
    expect(
      (await rejection(service.log(entry({ ...small, context: { a: 'x'.repeat(60) } })))).message,
    ).toContain('context is 68 bytes as JSON; the limit is 50 bytes (the maxContextBytes option)');
    expect(
      (
        await rejection(
          service.log(entry({ templateMessage: '{a}', values: { a: 'y'.repeat(60) } })),
        )
      ).message,
    ).toContain('values is 78 bytes as JSON; the limit is 60 bytes (the maxValuesBytes option)');
    await service.log(entry({ ...small, context: { a: 'x' } }));
    expect(created).toHaveLength(1);
    created.length = 0;
    expect(created).toHaveLength(0);
  });

  it('refuses a cycle in changes, naming its path', async () => {
    const { client, created } = fakeClient();
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    const error = await rejection(
      new EventLogService({ client }).log(
        entry({ changes: { old_value: {}, new_value: { loop } } }),
      ),
    );
    expect(error).toBeInstanceOf(EventLogValidationError);
    expect(error.code).toBe('EVENT_LOG_INVALID');
    expect(error.message).toContain('changes.new_value.loop.self is a circular reference');
    expect(created).toHaveLength(0);
  });

  it('refuses a function in changes, naming its path', async () => {
    const { client, created } = fakeClient();
    const error = await rejection(
      new EventLogService({ client }).log(
        entry({ changes: { old_value: {}, new_value: { items: [1, 2, { cb: () => 1 }] } } }),
      ),
    );
    expect(error).toBeInstanceOf(EventLogValidationError);
    expect(error.message).toContain('changes.new_value.items.2.cb is a function');
    expect(created).toHaveLength(0);
  });

  it('refuses changes that are not { old_value, new_value }', async () => {
    const { client } = fakeClient();
    const error = await rejection(
      new EventLogService({ client }).log(entry({ changes: { name: 'x' } as never })),
    );
    expect(error.message).toContain('changes must be { old_value, new_value }');
  });

  it('validates tool, action, object and actor, naming the field and the limit', async () => {
    const { client, created } = fakeClient();
    const service = new EventLogService({ client });
    const cases: [Partial<LogEntry>, string][] = [
      [{ tool: '' }, 'tool must be a non-empty string; got an empty string.'],
      [{ tool: undefined as never }, 'tool must be a non-empty string; got undefined.'],
      [
        { action: 'a'.repeat(101) },
        'action is 101 characters long; the limit is 100 (the column, VARCHAR(100)).',
      ],
      [{ object: { model: '' } }, 'object.model must be a non-empty string'],
      [
        { object: { model: 'M'.repeat(101) } },
        'object.model is 101 characters long; the limit is 100',
      ],
      [
        { object: { model: 'M', id: 'i'.repeat(256) } },
        'object.id is 256 characters long; the limit is 255',
      ],
      [{ object: undefined as never }, 'object must be objectRef(model, row) or { model, id }'],
      [{ actor: undefined as never }, 'actor is missing'],
      [{ actor: { id: '' } }, 'actor.id must be a non-empty string, a number or a bigint'],
      [
        { actor: { id: 1, name: 'n'.repeat(256) } },
        'actor.name is 256 characters long; the limit is 255',
      ],
      [{ templateMessage: '' }, 'templateMessage must be a non-empty string'],
    ];
    for (const [overrides, message] of cases) {
      const error = await rejection(service.log(entry(overrides)));
      expect(error).toBeInstanceOf(EventLogValidationError);
      expect(error.message).toContain(message);
    }
    expect(created).toHaveLength(0);
  });

  it('counts characters, not UTF-16 units, against column lengths', async () => {
    const { client, created } = fakeClient();
    await new EventLogService({ client }).log(entry({ tool: '😀'.repeat(100) }));
    expect(created).toHaveLength(1);
  });

  it('refuses an entry that is not an object', async () => {
    const error = await rejection(
      new EventLogService({ client: fakeClient().client }).log(null as never),
    );
    expect(error).toBeInstanceOf(EventLogValidationError);
    expect(error.message).toContain('An event log entry must be an object');
  });

  it('propagates template errors and writes nothing', async () => {
    const { client, created } = fakeClient();
    const error = await rejection(
      new EventLogService({ client }).log(entry({ templateMessage: 'Hello {nobody}' })),
    );
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toContain('{nobody}');
    expect(created).toHaveLength(0);
  });

  it('refuses a message over maxMessageLength', async () => {
    const { client } = fakeClient();
    const service = new EventLogService({ client, maxMessageLength: 20 });
    const error = await rejection(
      service.log(entry({ templateMessage: 'Hi {x}', values: { x: 'z'.repeat(30) } })),
    );
    expect(error.message).toBe(
      'message is 33 characters long; the limit is 20 (the maxMessageLength option).',
    );
  });

  it('needs a client', async () => {
    const error = await rejection(new EventLogService().log(entry()));
    expect(error).toBeInstanceOf(EventLogValidationError);
    expect(error.message).toMatch(/^No Prisma client: /);
    const notPrisma = await rejection(
      new EventLogService({ client: {} as EventLogClient }).log(entry()),
    );
    expect(notPrisma.message).toContain('has no eventLog model');
  });

  it('checks its options', () => {
    expect(() => new EventLogService({ maxChangesBytes: 0 })).toThrow(
      'The maxChangesBytes option must be a positive integer; got 0.',
    );
    expect(() => new EventLogService({ maskedKeys: [''] })).toThrow(EventLogValidationError);
  });
});

describe('EventLogService.prepare', () => {
  it('returns the data without writing', () => {
    const data = new EventLogService().prepare(entry());
    expect(data.message).toBe('Certificate Cert A was updated by Ann.');
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });
});

describe('EventLogService.log (static)', () => {
  it('writes with the client given', async () => {
    const { client, created } = fakeClient();
    await EventLogService.log(entry(), { client });
    expect(created).toHaveLength(1);
  });

  it('refuses to run without a client', async () => {
    const error = await rejection(EventLogService.log(entry(), undefined as never));
    expect(error).toBeInstanceOf(EventLogValidationError);
    expect(error.message).toContain('No Prisma client');
    await expect(EventLogService.log(entry(), {})).rejects.toThrow('No Prisma client');
  });
});

describe('EventLogService.logMany', () => {
  it('writes every entry with one createMany', async () => {
    const { client, created, batches } = fakeClient();
    const count = await new EventLogService({ client }).logMany([
      entry(),
      entry({ action: EventLogAction.DELETE }),
    ]);
    expect(count).toBe(2);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((data) => data.action)).toEqual(['update', 'delete']);
    expect(created).toHaveLength(0);
  });

  it('validates every entry before writing any', async () => {
    const { client, created, batches } = fakeClient();
    const error = await rejection(
      new EventLogService({ client }).logMany([entry(), entry({ tool: '' }), entry()]),
    );
    expect(error.message).toBe('entries[1]: tool must be a non-empty string; got an empty string.');
    expect(batches).toHaveLength(0);
    expect(created).toHaveLength(0);
  });

  it('writes nothing for no entries', async () => {
    const { client, batches } = fakeClient();
    expect(await new EventLogService({ client }).logMany([])).toBe(0);
    expect(batches).toHaveLength(0);
  });

  it('falls back to create when the client has no createMany', async () => {
    const { client, created } = fakeClient({ createMany: false });
    expect(await new EventLogService({ client }).logMany([entry(), entry()])).toBe(2);
    expect(created).toHaveLength(2);
  });
});

describe('NUL characters', () => {
  it.each([
    ['the template', { templateMessage: 'a\u0000b' }, 'template'],
    ['a value', { templateMessage: '{name}', values: { name: 'x\u0000' } }, 'message'],
    [
      'a change',
      { changes: { old_value: {}, new_value: { note: '\u0000' } } },
      'changes.new_value.note',
    ],
  ])('in %s are refused by path, before anything is written', (_name, patch, path) => {
    const service = new EventLogService();
    const entry = {
      templateMessage: 'Something happened.',
      object: { model: 'Certificate', id: 1 },
      actor: null,
      tool: 'certificate',
      action: 'update',
      ...patch,
    };
    expect(() => service.prepare(entry)).toThrow(`${path} contains a NUL character`);
  });
});

describe('inside withEventLogContext()', () => {
  it('takes the actor and the request context from it when the entry has none', async () => {
    const service = new EventLogService();
    const data = await withEventLogContext(
      { actor: { id: 7, name: 'Job runner' }, tool: 'import', requestId: 'job-1' },
      () =>
        service.prepare({
          templateMessage: 'Imported {count} rows.',
          values: { count: 3 },
          object: { model: 'Import', id: 1 },
          tool: 'import',
          action: 'access',
        }),
    );
    expect(data).toMatchObject({
      actorId: '7',
      actorName: 'Job runner',
      message: 'Imported 3 rows.',
    });
    expect(data.context).toEqual({
      requestId: 'job-1',
      operationName: null,
      path: null,
      call: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('still needs an actor outside of one', () => {
    const service = new EventLogService();
    expect(() =>
      service.prepare({
        templateMessage: 'x',
        object: { model: 'Import', id: 1 },
        tool: 'import',
        action: 'access',
      }),
    ).toThrow(/actor is missing/);
  });
});

// Issue 11, defect 10: a Map with an object key became [key, value] pairs, stored unmasked.
describe('masked Map entries in log()', () => {
  const objectKey = { kind: 'object key' };
  const secrets = ['hunter2', 'tok-ctx', 'pin-1234', 'old-secret', 'new-secret'];

  it('stores no masked Map value, in changes (raw or from createDiffSchema) or context', async () => {
    const { client, created } = fakeClient();
    const service = new EventLogService({ client, maskedKeys: ['pin'] });
    const settings = (password: string) =>
      new Map<unknown, unknown>([
        [objectKey, 'kept'],
        ['password', password],
      ]);
    await service.log(
      entry({
        changes: {
          old_value: { settings: settings('old-secret') },
          new_value: {
            list: [
              new Map<unknown, unknown>([
                [[1], 'x'],
                ['pin', 'pin-1234'],
              ]),
            ],
          },
        },
        context: {
          session: new Map<unknown, unknown>([
            [objectKey, 1],
            ['token', 'tok-ctx'],
          ]),
        },
      }),
    );
    await service.log(
      entry({
        changes: createDiffSchema(
          { settings: settings('old-secret') },
          { settings: settings('new-secret') },
        ),
        context: {
          nested: {
            deeper: [
              new Map<unknown, unknown>([
                [1n, 1],
                ['password', 'hunter2'],
              ]),
            ],
          },
        },
      }),
    );
    expect(created).toHaveLength(2);
    const text = JSON.stringify(created);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(created[0]?.changes).toEqual({
      old_value: {
        settings: [
          [{ kind: 'object key' }, 'kept'],
          ['password', '[redacted]'],
        ],
      },
      new_value: {
        list: [
          [
            [[1], 'x'],
            ['pin', '[redacted]'],
          ],
        ],
      },
    });
    expect(created[0]?.context).toEqual({
      session: [
        [{ kind: 'object key' }, 1],
        ['token', '[redacted]'],
      ],
    });
  });
});
