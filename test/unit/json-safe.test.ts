import { Decimal } from '@prisma/client/runtime/client';
import { describe, expect, it } from 'vitest';
import { EventLogValidationError } from '../../src/errors.js';
import {
  createKeyMatcher,
  DEFAULT_MASKED_KEYS,
  decimalToString,
  isDecimalLike,
  jsonByteLength,
  toJsonSafe,
} from '../../src/service/index.js';

function validationError(run: () => unknown): EventLogValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EventLogValidationError);
    return error as EventLogValidationError;
  }
  throw new Error('expected an EventLogValidationError');
}

describe('toJsonSafe', () => {
  it('converts Date, Decimal, BigInt and bytes', () => {
    expect(
      toJsonSafe({
        at: new Date('2024-05-06T07:08:09.010Z'),
        price: new Decimal('10.50'),
        big: 2n ** 70n,
        buffer: Buffer.from('hello'),
        bytes: new Uint8Array([0, 255]),
        invalid: new Date(Number.NaN),
      }),
    ).toEqual({
      at: '2024-05-06T07:08:09.010Z',
      price: '10.5',
      big: '1180591620717411303424',
      buffer: 'aGVsbG8=',
      bytes: 'AP8=',
      invalid: null,
    });
  });

  it('converts a Uint8Array view over part of a buffer', () => {
    const whole = new Uint8Array([1, 2, 3, 4]);
    expect(toJsonSafe(whole.subarray(1, 3))).toBe(Buffer.from([2, 3]).toString('base64'));
  });

  it('behaves like JSON for undefined: dropped in objects, null in arrays', () => {
    expect(toJsonSafe({ a: undefined, b: [undefined, 1] })).toEqual({ b: [null, 1] });
    expect(Object.keys(toJsonSafe({ a: undefined }) as object)).toEqual([]);
  });

  it('keeps non-finite numbers readable', () => {
    expect(toJsonSafe([Number.NaN, Number.POSITIVE_INFINITY, -0])).toEqual(['NaN', 'Infinity', 0]);
  });

  it('converts Sets, Maps and objects with toJSON', () => {
    expect(
      toJsonSafe({
        set: new Set([1, 2]),
        map: new Map([['a', 1]]),
        custom: { toJSON: () => ({ x: 1n }) },
      }),
    ).toEqual({ set: [1, 2], map: { a: 1 }, custom: { x: '1' } });
  });

  it('names the path of a function, a symbol or a cycle', () => {
    expect(
      validationError(() => toJsonSafe({ items: [1, 2, { cb: () => 1 }] }, 'changes.new_value'))
        .message,
    ).toBe('changes.new_value.items.2.cb is a function, which cannot be stored as JSON.');
    const symbolError = validationError(() => toJsonSafe({ s: Symbol('x') }, 'context'));
    expect(symbolError.message).toContain('context.s is a symbol');
    expect(symbolError.path).toBe('context.s');
    const cyclic: Record<string, unknown> = { a: { b: {} } };
    (cyclic.a as { b: Record<string, unknown> }).b.back = cyclic;
    expect(validationError(() => toJsonSafe(cyclic, 'changes')).message).toContain(
      'changes.a.b.back is a circular reference',
    );
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(toJsonSafe({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('keeps a __proto__ key as data', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}}');
    const output = toJsonSafe(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.keys(output)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('Decimal detection', () => {
  it('recognises Prisma Decimal and duck types, not other objects', () => {
    expect(isDecimalLike(new Decimal(1))).toBe(true);
    expect(isDecimalLike({ toFixed: () => '1', d: [1], s: 1, e: 0 })).toBe(true);
    class Decimal2 {
      static isDecimal(value: unknown) {
        return value instanceof Decimal2;
      }
      toFixed() {
        return '1';
      }
    }
    expect(isDecimalLike(new Decimal2())).toBe(true);
    expect(isDecimalLike({ toFixed: () => '1' })).toBe(false);
    expect(isDecimalLike(1.5)).toBe(false);
  });

  it('drops trailing fractional zeros', () => {
    const text = (value: string) =>
      decimalToString({ toFixed: () => value, toString: () => value });
    expect(text('1.50')).toBe('1.5');
    expect(text('10.00')).toBe('10');
    expect(text('100')).toBe('100');
    expect(text('-0.0')).toBe('0');
    expect(text('1e+21')).toBe('1e+21');
  });
});

describe('jsonByteLength', () => {
  it('counts UTF-8 bytes', () => {
    expect(jsonByteLength({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
    expect(jsonByteLength({ a: 'é' })).toBe(10);
  });
});

// Issue 11, defect 10: a Map with a non-primitive key becomes an array of [key, value] pairs,
// which maskSensitive cannot tell from data, so toJsonSafe masks Map entries itself.
describe('toJsonSafe with isMasked: masked Map entries', () => {
  const isMasked = createKeyMatcher([...DEFAULT_MASKED_KEYS, 'pin']);
  const objectKey = { kind: 'object key' };

  it('redacts the entry of a masked key in a Map with an object key (pairs)', () => {
    const map = new Map<unknown, unknown>([
      [objectKey, 'kept'],
      ['password', 'hunter2'],
      ['Api_Key', { nested: 'sk-live-1' }],
      [new String('pin'), 1234],
      [{ toJSON: () => 'secret' }, 'shh-1'],
    ]);
    expect(toJsonSafe({ map }, 'value', { isMasked })).toEqual({
      map: [
        [{ kind: 'object key' }, 'kept'],
        ['password', '[redacted]'],
        ['Api_Key', '[redacted]'],
        ['pin', '[redacted]'],
        ['secret', '[redacted]'],
      ],
    });
  });

  it('redacts masked entries of Maps at every depth: in objects, arrays, Sets and Maps', () => {
    const inner = new Map<unknown, unknown>([
      [1n, 'bigint key'],
      [
        objectKey,
        new Map<unknown, unknown>([
          [[1], 'x'],
          ['token', 'tok-deep'],
        ]),
      ],
      ['password', 'hunter2'],
    ]);
    const value = {
      list: [{ settings: inner }],
      set: new Set([
        new Map<unknown, unknown>([
          [objectKey, 1],
          ['secret', 'shh-2'],
        ]),
      ]),
      byName: new Map([
        ['PIN', '0000'],
        ['label', 'fine'],
      ]),
    };
    const safe = toJsonSafe(value, 'value', { isMasked });
    expect(safe).toEqual({
      list: [
        {
          settings: [
            ['1', 'bigint key'],
            [
              { kind: 'object key' },
              [
                [[1], 'x'],
                ['token', '[redacted]'],
              ],
            ],
            ['password', '[redacted]'],
          ],
        },
      ],
      set: [
        [
          [{ kind: 'object key' }, 1],
          ['secret', '[redacted]'],
        ],
      ],
      byName: { PIN: '[redacted]', label: 'fine' },
    });
    const text = JSON.stringify(safe);
    for (const secret of ['hunter2', 'tok-deep', 'shh-2', '0000'])
      expect(text).not.toContain(secret);
  });

  it('masks nothing without isMasked, as before', () => {
    expect(
      toJsonSafe(
        new Map<unknown, unknown>([
          [objectKey, 1],
          ['password', 'p'],
        ]),
      ),
    ).toEqual([
      [{ kind: 'object key' }, 1],
      ['password', 'p'],
    ]);
  });
});
