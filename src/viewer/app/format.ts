const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const exact = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'full',
  timeStyle: 'long',
});

/** "3 minutes ago", "yesterday", "now". */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      const value = Math.round(seconds / size);
      return unit === 'second' && Math.abs(value) < 10
        ? relative.format(0, 'second')
        : relative.format(value, unit);
    }
  }
  return iso;
}

/** The full local date and time with its zone, for a `title`. */
export const exactTime = (iso: string) => exact.format(new Date(iso));

/** A changed value as text: strings as they are, anything else as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * The status line of a list: `total` is a lower bound when not `exact` (more entries match
 * than the server counts, `maxExactCount`).
 */
export function describeCount(shown: number, total: number, exact: boolean, filtered: boolean) {
  const noun = total === 1 && exact ? 'entry' : 'entries';
  const scope = filtered ? ' matching the filters' : '';
  if (!exact) return `Showing the newest ${shown} of more than ${total} ${noun}${scope}.`;
  return shown < total
    ? `Showing the newest ${shown} of ${total} ${noun}${scope}.`
    : `Showing all ${total} ${noun}${scope}.`;
}
