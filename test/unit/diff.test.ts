import { Decimal } from '@prisma/client/runtime/client';
import { describe, expect, it } from 'vitest';
import { EventLogValidationError } from '../../src/errors.js';
import {
  createDiffSchema,
  DEFAULT_EXCLUDED_KEYS,
  EventLogService,
} from '../../src/service/index.js';

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('createDiffSchema', () => {
  it('returns empty sides when nothing changed', () => {
    expect(createDiffSchema({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).toEqual({
      old_value: {},
      new_value: {},
    });
    expect(createDiffSchema(null, undefined)).toEqual({ old_value: {}, new_value: {} });
  });

  it('keeps only the changed keys', () => {
    expect(createDiffSchema({ a: 1, b: 2, c: 'x' }, { a: 1, b: 3, c: 'x' })).toEqual({
      old_value: { b: 2 },
      new_value: { b: 3 },
    });
  });

  it('puts null on the side where a key is absent', () => {
    expect(createDiffSchema({}, { a: 1 })).toEqual({ old_value: { a: null }, new_value: { a: 1 } });
    expect(createDiffSchema({ a: 1 }, {})).toEqual({ old_value: { a: 1 }, new_value: { a: null } });
    expect(createDiffSchema(null, { a: 1, b: 'x' })).toEqual({
      old_value: { a: null, b: null },
      new_value: { a: 1, b: 'x' },
    });
    expect(createDiffSchema({ a: 1 }, undefined)).toEqual({
      old_value: { a: 1 },
      new_value: { a: null },
    });
  });

  it('treats false, 0 and "" as values distinct from null, absence and each other', () => {
    expect(createDiffSchema({ a: null }, { a: false })).toEqual({
      old_value: { a: null },
      new_value: { a: false },
    });
    expect(createDiffSchema({ a: 0 }, { a: '' })).toEqual({
      old_value: { a: 0 },
      new_value: { a: '' },
    });
    expect(createDiffSchema({ a: false }, { a: 0 })).toEqual({
      old_value: { a: false },
      new_value: { a: 0 },
    });
    expect(createDiffSchema({}, { a: 0, b: false, c: '' })).toEqual({
      old_value: { a: null, b: null, c: null },
      new_value: { a: 0, b: false, c: '' },
    });
    expect(createDiffSchema({ a: '' }, {})).toEqual({
      old_value: { a: '' },
      new_value: { a: null },
    });
  });

  it('recurses into nested objects and leaves unchanged ones out', () => {
    const before = {
      profile: { name: 'Ann', address: { city: 'Oslo', zip: '0150' } },
      same: { x: 1 },
    };
    const after = {
      profile: { name: 'Ann', address: { city: 'Bergen', zip: '0150' } },
      same: { x: 1 },
    };
    expect(createDiffSchema(before, after)).toEqual({
      old_value: { profile: { address: { city: 'Oslo' } } },
      new_value: { profile: { address: { city: 'Bergen' } } },
    });
  });

  it('reports whole values when one side is an object and the other is not', () => {
    expect(createDiffSchema({ meta: null }, { meta: { a: 1, id: 5, b: { c: 2 } } })).toEqual({
      old_value: { meta: null },
      new_value: { meta: { a: 1, b: { c: 2 } } },
    });
    expect(createDiffSchema({ meta: { a: 1, updatedAt: 'x' } }, { meta: 'none' })).toEqual({
      old_value: { meta: { a: 1 } },
      new_value: { meta: 'none' },
    });
    expect(createDiffSchema({}, { meta: { a: 1 } })).toEqual({
      old_value: { meta: null },
      new_value: { meta: { a: 1 } },
    });
  });

  it('compares arrays of primitives as a whole', () => {
    expect(createDiffSchema({ tags: ['a', 'b'] }, { tags: ['a', 'c'] })).toEqual({
      old_value: { tags: ['a', 'b'] },
      new_value: { tags: ['a', 'c'] },
    });
    expect(createDiffSchema({ tags: ['a', 'b'] }, { tags: ['a', 'b'] })).toEqual({
      old_value: {},
      new_value: {},
    });
    expect(createDiffSchema({ tags: [1, 2] }, { tags: [2, 1] }).new_value).toEqual({
      tags: [2, 1],
    });
  });

  it('keys arrays of objects by id (the example of the specification)', () => {
    expect(
      createDiffSchema(
        {
          items: [
            { id: 1, n: 'x' },
            { id: 2, n: 'y' },
          ],
        },
        {
          items: [
            { id: 1, n: 'x' },
            { id: 2, n: 'z' },
          ],
        },
      ),
    ).toEqual({
      old_value: { items: { '2': { n: 'y' } } },
      new_value: { items: { '2': { n: 'z' } } },
    });
  });

  it('reports items on one side only as whole items without excluded keys, null on the other', () => {
    const diff = createDiffSchema(
      { items: [{ id: 1, n: 'x', createdAt: 't' }] },
      { items: [{ id: 2, n: 'y', updated_at: 't' }] },
    );
    expect(diff).toEqual({
      old_value: { items: { '1': { n: 'x' }, '2': null } },
      new_value: { items: { '1': null, '2': { n: 'y' } } },
    });
  });

  it('ignores the order of keyed items', () => {
    expect(
      createDiffSchema(
        {
          items: [
            { id: 1, n: 'x' },
            { id: 2, n: 'y' },
          ],
        },
        {
          items: [
            { id: 2, n: 'y' },
            { id: 1, n: 'x' },
          ],
        },
      ),
    ).toEqual({ old_value: {}, new_value: {} });
  });

  it('falls back to uuid, then document_type', () => {
    expect(
      createDiffSchema({ docs: [{ uuid: 'u1', v: 1 }] }, { docs: [{ uuid: 'u1', v: 2 }] }),
    ).toEqual({ old_value: { docs: { u1: { v: 1 } } }, new_value: { docs: { u1: { v: 2 } } } });
    expect(
      createDiffSchema(
        { docs: [{ document_type: 'passport', number: 'A' }] },
        { docs: [{ document_type: 'passport', number: 'B' }] },
      ),
    ).toEqual({
      old_value: { docs: { passport: { number: 'A' } } },
      new_value: { docs: { passport: { number: 'B' } } },
    });
  });

  it('uses a key only when every item on both sides has it', () => {
    const diff = createDiffSchema(
      { docs: [{ id: 1, uuid: 'a', v: 1 }] },
      { docs: [{ uuid: 'a', v: 2 }] },
    );
    expect(diff).toEqual({
      old_value: { docs: { a: { v: 1 } } },
      new_value: { docs: { a: { v: 2 } } },
    });
  });

  it('keys items without id, uuid or document_type by a deterministic content key', () => {
    const before = { lines: [{ n: 1 }, { n: 2 }] };
    const after = { lines: [{ n: 2 }, { n: 3 }] };
    const diff = createDiffSchema(before, after);
    const oldLines = diff.old_value.lines as Record<string, unknown>;
    const newLines = diff.new_value.lines as Record<string, unknown>;
    expect(Object.keys(oldLines)).toHaveLength(2);
    expect(Object.values(oldLines)).toEqual([{ n: 1 }, null]);
    expect(Object.values(newLines)).toEqual([null, { n: 3 }]);
    expect(Object.keys(newLines)).toEqual(Object.keys(oldLines));
    expect(createDiffSchema(before, after)).toEqual(diff);
    expect(createDiffSchema({ lines: [{ b: 1, a: 2 }] }, { lines: [{ a: 2, b: 1 }] })).toEqual({
      old_value: {},
      new_value: {},
    });
  });

  it('tells identical unkeyed items apart', () => {
    const diff = createDiffSchema({ lines: [{ n: 1 }, { n: 1 }] }, { lines: [{ n: 1 }] });
    expect(Object.values(diff.old_value.lines as object)).toEqual([{ n: 1 }]);
    expect(Object.values(diff.new_value.lines as object)).toEqual([null]);
  });

  it('compares mixed arrays as a whole', () => {
    expect(createDiffSchema({ a: [1, { id: 1, x: 1 }] }, { a: [1, { id: 1, x: 2 }] })).toEqual({
      old_value: { a: [1, { x: 1 }] },
      new_value: { a: [1, { x: 2 }] },
    });
  });

  it('treats an empty array against an array of objects as added or removed items', () => {
    expect(createDiffSchema({ items: [] }, { items: [{ id: 1, n: 'x' }] })).toEqual({
      old_value: { items: { '1': null } },
      new_value: { items: { '1': { n: 'x' } } },
    });
    expect(createDiffSchema({ items: [{ id: 1, n: 'x' }] }, { items: [] })).toEqual({
      old_value: { items: { '1': { n: 'x' } } },
      new_value: { items: { '1': null } },
    });
  });

  it('excludes the default keys at every depth', () => {
    expect(DEFAULT_EXCLUDED_KEYS).toEqual(
      expect.arrayContaining([
        'id',
        'uuid',
        'url',
        'created_at',
        'updated_at',
        'created_by',
        'updated_by',
        'createdAt',
        'updatedAt',
        'createdBy',
        'updatedBy',
      ]),
    );
    const before = {
      id: 1,
      updatedAt: 'a',
      nested: { url: 'u1', created_by: 'x', deep: { uuid: 'a' } },
    };
    const after = {
      id: 2,
      updatedAt: 'b',
      nested: { url: 'u2', created_by: 'y', deep: { uuid: 'b' } },
    };
    expect(createDiffSchema(before, after)).toEqual({ old_value: {}, new_value: {} });
  });

  it('adds custom excludeKeys to the defaults, at every depth', () => {
    const before = { a: 1, version: 1, nested: { version: 1, b: 1 }, id: 1 };
    const after = { a: 1, version: 2, nested: { version: 2, b: 2 }, id: 2 };
    expect(createDiffSchema(before, after, { excludeKeys: ['version'] })).toEqual({
      old_value: { nested: { b: 1 } },
      new_value: { nested: { b: 2 } },
    });
    expect(createDiffSchema(before, after).old_value).toEqual({
      version: 1,
      nested: { version: 1, b: 1 },
    });
  });

  it('still keys items by an excluded id while leaving it out of their bodies', () => {
    const diff = createDiffSchema({ items: [{ id: 9, n: 'a' }] }, { items: [{ id: 9, n: 'b' }] });
    expect(diff.new_value).toEqual({ items: { '9': { n: 'b' } } });
  });

  it('compares Dates by time and stores them as ISO strings', () => {
    expect(
      createDiffSchema(
        { at: new Date('2024-01-01T00:00:00Z') },
        { at: new Date('2024-01-01T00:00:00Z') },
      ),
    ).toEqual({ old_value: {}, new_value: {} });
    expect(
      createDiffSchema(
        { at: new Date('2024-01-01T00:00:00Z') },
        { at: new Date('2024-01-02T00:00:00Z') },
      ),
    ).toEqual({
      old_value: { at: '2024-01-01T00:00:00.000Z' },
      new_value: { at: '2024-01-02T00:00:00.000Z' },
    });
  });

  it('compares Prisma Decimals by value and stores them as decimal strings', () => {
    expect(createDiffSchema({ price: new Decimal('1.50') }, { price: new Decimal('1.5') })).toEqual(
      {
        old_value: {},
        new_value: {},
      },
    );
    expect(
      createDiffSchema({ price: new Decimal('1.50') }, { price: new Decimal('2.25') }),
    ).toEqual({
      old_value: { price: '1.5' },
      new_value: { price: '2.25' },
    });
  });

  it('recognises duck-typed Decimals', () => {
    class Decimal {
      constructor(private readonly text: string) {}
      toFixed() {
        return this.text;
      }
      toString() {
        return this.text;
      }
    }
    expect(createDiffSchema({ p: new Decimal('1.50') }, { p: new Decimal('1.5') })).toEqual({
      old_value: {},
      new_value: {},
    });
    expect(createDiffSchema({ p: new Decimal('1.50') }, { p: new Decimal('3') })).toEqual({
      old_value: { p: '1.5' },
      new_value: { p: '3' },
    });
  });

  it('compares BigInts and bytes by value, as digit strings and base64', () => {
    const before = {
      n: 12345678901234567890n,
      same: 1n,
      bytes: Buffer.from('hi'),
      u8: new Uint8Array([1]),
    };
    const after = {
      n: 12345678901234567891n,
      same: 1n,
      bytes: Buffer.from('ho'),
      u8: new Uint8Array([1]),
    };
    expect(createDiffSchema(before, after)).toEqual({
      old_value: { n: '12345678901234567890', bytes: 'aGk=' },
      new_value: { n: '12345678901234567891', bytes: 'aG8=' },
    });
  });

  it('never mutates its inputs', () => {
    const before = { a: 1, items: [{ id: 1, n: 'x', updatedAt: 'a' }], nested: { b: [1, 2] } };
    const after = { a: 2, items: [{ id: 2, n: 'y' }], nested: { b: [3] } };
    const beforeCopy = structuredClone(before);
    const afterCopy = structuredClone(after);
    createDiffSchema(before, after, { excludeKeys: ['n'] });
    expect(before).toEqual(beforeCopy);
    expect(after).toEqual(afterCopy);
  });

  it('returns JSON that survives a round trip', () => {
    const diff = createDiffSchema(
      {
        at: new Date(0),
        p: new Decimal('1'),
        n: 1n,
        b: Buffer.from('x'),
        items: [{ id: 1, x: 1 }],
      },
      {
        at: new Date(1),
        p: new Decimal('2'),
        n: 2n,
        b: Buffer.from('y'),
        items: [{ id: 1, x: 2 }],
        z: null,
      },
    );
    expect(roundTrip(diff)).toEqual(diff);
    expect(JSON.stringify(diff)).not.toContain('[object Object]');
  });

  it('names the path of a value that cannot be stored', () => {
    const call = () => createDiffSchema({}, { a: { cb: () => 1 } });
    expect(call).toThrow(EventLogValidationError);
    expect(call).toThrow('new_value.a.cb is a function');
    expect(() => createDiffSchema([], {})).toThrow(EventLogValidationError);
  });

  it('is also EventLogService.createDiffSchema', () => {
    expect(EventLogService.createDiffSchema).toBe(createDiffSchema);
  });
});

// Issue 11, defect 10: a Map with an object key is stored as [key, value] pairs; its masked
// entries were stored raw.
describe('createDiffSchema of Maps with masked keys', () => {
  const objectKey = { kind: 'object key' };
  const settings = (password: string, extra: Record<string, unknown> = {}) =>
    new Map<unknown, unknown>([
      [objectKey, 'kept'],
      ['password', password],
      ...Object.entries(extra),
    ]);
  const secrets = ['old-secret', 'new-secret', 'old-pin', 'new-pin', 'old-deep', 'new-deep'];
  const expectNoSecret = (diff: unknown) => {
    const text = JSON.stringify(diff);
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  it('redacts the masked entry of a Map with an object key, on both sides', () => {
    const diff = createDiffSchema(
      { settings: settings('old-secret', { label: 'a' }) },
      { settings: settings('new-secret', { label: 'b' }) },
    );
    expect(diff).toEqual({
      old_value: {
        settings: [
          [{ kind: 'object key' }, 'kept'],
          ['password', '[redacted]'],
          ['label', 'a'],
        ],
      },
      new_value: {
        settings: [
          [{ kind: 'object key' }, 'kept'],
          ['password', '[redacted]'],
          ['label', 'b'],
        ],
      },
    });
    expectNoSecret(diff);
    expect(roundTrip(diff)).toEqual(diff);
  });

  it('still shows a change of the masked entry alone, without its values', () => {
    const diff = createDiffSchema(
      { settings: settings('old-secret') },
      { settings: settings('new-secret') },
    );
    expect(diff.old_value).toEqual({
      settings: [
        [{ kind: 'object key' }, 'kept'],
        ['password', '[redacted]'],
      ],
    });
    expect(diff.new_value).toEqual(diff.old_value);
    expectNoSecret(diff);
    expect(
      createDiffSchema({ settings: settings('same') }, { settings: settings('same') }),
    ).toEqual({ old_value: {}, new_value: {} });
  });

  it('redacts at every depth, with maskedKeys, in keyed and unkeyed items, Sets and Maps', () => {
    const deep = (value: string) =>
      new Map<unknown, unknown>([
        [[1, 2], 'array key'],
        ['token', value],
      ]);
    const version = (side: 'old' | 'new') => ({
      items: [{ id: 1, settings: settings(`${side}-secret`) }],
      loose: [
        {
          config: new Map<unknown, unknown>([
            [objectKey, 1],
            ['pin', `${side}-pin`],
          ]),
        },
      ],
      set: new Set([deep(`${side}-deep`)]),
      nested: { outer: new Map<unknown, unknown>([[objectKey, deep(`${side}-deep`)]]) },
      byName: new Map([['pin', `${side}-pin`]]),
    });
    const diff = createDiffSchema(version('old'), version('new'), { maskedKeys: ['pin'] });
    expectNoSecret(diff);
    expect(diff.old_value).toMatchObject({
      items: {
        '1': {
          settings: [
            [{ kind: 'object key' }, 'kept'],
            ['password', '[redacted]'],
          ],
        },
      },
      set: [
        [
          [[1, 2], 'array key'],
          ['token', '[redacted]'],
        ],
      ],
      nested: {
        outer: [
          [
            { kind: 'object key' },
            [
              [[1, 2], 'array key'],
              ['token', '[redacted]'],
            ],
          ],
        ],
      },
      byName: { pin: '[redacted]' },
    });
    expect(JSON.stringify(diff.new_value.loose)).toContain('["pin","[redacted]"]');
  });
});
