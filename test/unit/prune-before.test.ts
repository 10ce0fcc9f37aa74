// The dates prune accepts as --before / before: a day (UTC midnight) or an ISO timestamp
// with an offset; anything else is refused before a database is touched.
import { describe, expect, it } from 'vitest';
import { parsePruneBefore } from '../../src/partitions/prune.js';

describe('parsePruneBefore', () => {
  it.each([
    ['2025-01-01', '2025-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2025-01-01T00:00:00Z', '2025-01-01T00:00:00.000Z'],
    ['2025-01-01T00:00Z', '2025-01-01T00:00:00.000Z'],
    ['2025-01-01T01:00:00+01:00', '2025-01-01T00:00:00.000Z'],
    ['2024-12-31T19:00:00.5-05:00', '2025-01-01T00:00:00.500Z'],
    ['2025-06-30T23:59:59.999Z', '2025-06-30T23:59:59.999Z'],
  ])('%s is %s', (value, iso) => {
    expect(parsePruneBefore(value).toISOString()).toBe(iso);
  });

  it.each([
    'yesterday',
    '',
    '2025-1-1',
    '2025-02-30',
    '2025-02-29',
    '2025-13-01',
    '2025-01-01T00:00',
    '2025-01-01 00:00:00Z',
    '2025-01-01T24:00:00Z',
    '2025-01-01T00:60:00Z',
    '2025-01-01T00:00:00+25:00',
    '2025-01-01T00:00:00.1234Z',
    '1735689600000',
  ])('refuses %j, naming before', (value) => {
    expect(() => parsePruneBefore(value)).toThrow(
      expect.objectContaining({
        path: 'before',
        message: `pothos-eventlog: before must be a day (2025-01-01, UTC midnight) or an ISO timestamp with an offset (2025-01-01T00:00:00Z, 2025-01-01T00:00:00+01:00); got ${JSON.stringify(value)}.`,
      }),
    );
  });

  it('takes a valid Date as it is, and refuses an invalid one', () => {
    const date = new Date('2025-01-01T00:00:00Z');
    expect(parsePruneBefore(date)).toBe(date);
    expect(() => parsePruneBefore(new Date(Number.NaN))).toThrow(/before is an invalid Date/);
  });
});
