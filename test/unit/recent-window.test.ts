import { describe, expect, it } from 'vitest';
import { type PageRequest, recentWindow } from '../../src/read/pagination.js';

const page = (over: Partial<PageRequest> = {}): PageRequest => ({
  direction: 'forward',
  size: 20,
  after: null,
  before: null,
  ...over,
});
const now = new Date('2027-01-15T10:00:00Z');

describe('recentWindow', () => {
  it('starts at the month before the current one, in UTC, across a year', () => {
    expect(recentWindow(page(), {}, now)).toEqual(new Date('2026-12-01T00:00:00Z'));
    expect(recentWindow(page(), {}, new Date('2027-03-01T00:00:00Z'))).toEqual(
      new Date('2027-02-01T00:00:00Z'),
    );
  });

  it('is anchored at the cursor, else at until when it is earlier than now', () => {
    const after = { timestamp: new Date('2025-06-30T23:59:59.999Z'), id: 5n };
    expect(recentWindow(page({ after }), {}, now)).toEqual(new Date('2025-05-01T00:00:00Z'));
    expect(recentWindow(page(), { until: new Date('2024-02-10T00:00:00Z') }, now)).toEqual(
      new Date('2024-01-01T00:00:00Z'),
    );
    expect(recentWindow(page(), { until: new Date('2030-01-01T00:00:00Z') }, now)).toEqual(
      new Date('2026-12-01T00:00:00Z'),
    );
  });

  it('is none for a backward or empty page, and when since is inside the window', () => {
    expect(recentWindow(page({ direction: 'backward' }), {}, now)).toBeUndefined();
    expect(recentWindow(page({ size: 0 }), {}, now)).toBeUndefined();
    expect(recentWindow(page(), { since: new Date('2026-12-01T00:00:00Z') }, now)).toBeUndefined();
    expect(recentWindow(page(), { since: new Date('2026-11-30T00:00:00Z') }, now)).toEqual(
      new Date('2026-12-01T00:00:00Z'),
    );
  });
});
