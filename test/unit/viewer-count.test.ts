// The viewer's status line under a bounded totalCount (maxExactCount): past the bound the
// server's count is a lower bound, and the line says so instead of a wrong total.
import { describe, expect, it } from 'vitest';
import { describeCount } from '../../src/viewer/app/format.js';

describe('describeCount', () => {
  it.each([
    [20, 10000, false, false, 'Showing the newest 20 of more than 10000 entries.'],
    [20, 1, false, true, 'Showing the newest 20 of more than 1 entries matching the filters.'],
    [20, 10000, true, false, 'Showing the newest 20 of 10000 entries.'],
    [3, 3, true, true, 'Showing all 3 entries matching the filters.'],
    [1, 1, true, false, 'Showing all 1 entry.'],
  ])('%i shown of %i (exact: %s, filtered: %s): %s', (shown, total, exact, filtered, line) => {
    expect(describeCount(shown, total, exact, filtered)).toBe(line);
  });
});
