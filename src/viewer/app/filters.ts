/** The filters of the `eventLogs` query the viewer offers, in the order of the form. */
export const FILTER_KEYS = [
  'tool',
  'action',
  'actorId',
  'objectType',
  'objectId',
  'since',
  'until',
] as const;

export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

/** The most entries one page may ask for (the API's own limit). */
export const MAX_PAGE_SIZE = 100;

export interface ViewState {
  filters: Filters;
  /** Entries a page, from `?first=`; the configured size otherwise. */
  pageSize: number;
}

/** The view a URL query describes; unknown and empty parameters are ignored. */
export function viewFromSearch(search: string, defaultPageSize: number): ViewState {
  const params = new URLSearchParams(search);
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  const first = Number(params.get('first'));
  const pageSize =
    Number.isInteger(first) && first >= 1 && first <= MAX_PAGE_SIZE ? first : defaultPageSize;
  return { filters, pageSize };
}

/** The URL query of a view, `?tool=certificate&objectType=Certificate`, or '' for none. */
export function searchFromView(view: ViewState, defaultPageSize: number): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = view.filters[key];
    if (value) params.set(key, value);
  }
  if (view.pageSize !== defaultPageSize) params.set('first', String(view.pageSize));
  const query = params.toString();
  return query ? `?${query}` : '';
}

export const hasFilters = (filters: Filters) => FILTER_KEYS.some((key) => filters[key]);

/** An ISO time as the value of a `datetime-local` input (local time, seconds kept). */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}

/** A `datetime-local` value (local time) as an ISO time at UTC, or undefined. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
