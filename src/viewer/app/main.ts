import './style.css';
import { CONFIG_ELEMENT_ID, type ViewerConfig } from '../config.js';
import { fetchPage, type PageResult, parseHeaderLines } from './api.js';
import { byId, h } from './dom.js';
import { EntryList } from './entries.js';
import {
  FILTER_KEYS,
  type FilterKey,
  fromLocalInput,
  hasFilters,
  MAX_PAGE_SIZE,
  searchFromView,
  toLocalInput,
  type ViewState,
  viewFromSearch,
} from './filters.js';
import { describeCount } from './format.js';
import { LiveFeed, type LiveState } from './live.js';

const HEADERS_STORAGE_KEY = 'pothos-eventlog:headers';

const FILTER_LABELS: Record<FilterKey, string> = {
  tool: 'Tool',
  action: 'Action',
  actorId: 'Actor id',
  objectType: 'Object type',
  objectId: 'Object id',
  since: 'Since',
  until: 'Until',
};
const isTime = (key: FilterKey) => key === 'since' || key === 'until';

const config = JSON.parse(byId(CONFIG_ELEMENT_ID).textContent ?? '{}') as ViewerConfig;
let view: ViewState = viewFromSearch(location.search, config.pageSize);
let cursor: string | null = null;
let controller: AbortController | undefined;

const status = h('p', { id: 'status', class: 'status', role: 'status' });
const notice = h('div', { id: 'notice', class: 'notice', hidden: true });
const newer = h('button', { type: 'button', id: 'show-newer', hidden: true }, 'Show newer entries');
const liveText = h('span', { id: 'live-text' });
const live = h(
  'p',
  { id: 'live', class: 'live', role: 'status', hidden: true },
  h('span', { class: 'dot', 'aria-hidden': 'true' }),
  liveText,
);
/** Entries matching the filters, as last counted by the server plus those added since. */
let total = 0;
let totalExact = true;
const more = h(
  'button',
  { type: 'button', id: 'load-older', class: 'primary', hidden: true },
  'Load older entries',
);
const list = new EntryList({
  pickObject: (objectType, objectId) => navigate({ ...view.filters, objectType, objectId }, true),
  pickActor: (actorId) => navigate({ ...view.filters, actorId }, true),
});

const feed = new LiveFeed({
  endpoint: config.endpoint,
  headers: () => parseHeaderLines(savedLines),
  onEntries(entries) {
    const added = list.prepend(entries);
    if (added === 0) return;
    total += added;
    notice.hidden = true;
    status.textContent = `${added} new ${added === 1 ? 'entry' : 'entries'} arrived. ${describeView(total)}`;
  },
  onState: showLive,
});

function showLive(state: LiveState): void {
  live.hidden = false;
  live.dataset.state = state.kind;
  liveText.textContent =
    state.kind === 'live'
      ? 'Live'
      : state.kind === 'connecting'
        ? 'Connecting to live updates…'
        : state.kind === 'reconnecting'
          ? 'Reconnecting…'
          : `Live updates stopped: ${state.reason}`;
  live.title = state.kind === 'reconnecting' ? `Reconnecting: ${state.reason}` : '';
  // While the feed is down (a server without it retries forever), the reader asks instead.
  newer.hidden = state.kind === 'live' || state.kind === 'connecting';
}

const inputs = Object.fromEntries(
  FILTER_KEYS.map((key) => [
    key,
    h('input', {
      id: `filter-${key}`,
      name: key,
      type: isTime(key) ? 'datetime-local' : 'text',
      step: isTime(key) ? '1' : undefined,
      autocomplete: 'off',
      spellcheck: 'false',
    }),
  ]),
) as Record<FilterKey, HTMLInputElement>;

const form = h(
  'form',
  { id: 'filters', class: 'filters', role: 'search', 'aria-label': 'Filter entries' },
  ...FILTER_KEYS.map((key) =>
    h(
      'div',
      { class: isTime(key) ? 'field time' : 'field' },
      h('label', { for: `filter-${key}` }, FILTER_LABELS[key]),
      inputs[key],
    ),
  ),
  h(
    'div',
    { class: 'buttons' },
    h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
    h('button', { type: 'button', id: 'clear-filters' }, 'Clear'),
  ),
);

const objectHeading = h('h2', { id: 'object-heading', tabindex: '-1' });
const showAll = h('button', { type: 'button', id: 'show-all' }, 'Show all objects');
const objectBanner = h(
  'section',
  {
    id: 'object-history',
    class: 'object-history',
    'aria-labelledby': 'object-heading',
    hidden: true,
  },
  objectHeading,
  showAll,
);

function headerLines(): string {
  if (!config.headersField) return '';
  try {
    return localStorage.getItem(HEADERS_STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

/** "Request headers: x-user-id", naming the headers sent, not their values. */
function headerSummary(lines: string): string {
  const names = parseHeaderLines(lines).map(([name]) => name);
  return names.length > 0 ? `Request headers: ${names.join(', ')}` : 'Request headers';
}

function connectionPanel(): HTMLDetailsElement | null {
  if (!config.headersField) return null;
  const textarea = h('textarea', {
    id: 'request-headers',
    rows: '2',
    placeholder: 'x-user-id: 1',
    spellcheck: 'false',
    'aria-describedby': 'request-headers-hint',
  });
  textarea.value = headerLines();
  const summary = h('span', {}, headerSummary(textarea.value));
  const save = h(
    'button',
    { type: 'button', id: 'save-headers', class: 'primary' },
    'Save and reload',
  );
  save.addEventListener('click', () => {
    try {
      localStorage.setItem(HEADERS_STORAGE_KEY, textarea.value);
    } catch {
      // Storage disabled: the headers still apply until the page is left.
    }
    savedLines = textarea.value;
    summary.textContent = headerSummary(savedLines);
    void load();
  });
  const panel = h(
    'details',
    { id: 'connection', class: 'connection' },
    h('summary', {}, summary),
    h('label', { for: 'request-headers' }, 'Headers sent with every request'),
    textarea,
    h(
      'p',
      { id: 'request-headers-hint', class: 'hint' },
      `One "Name: value" a line, kept in this browser (localStorage). Requests go to ${config.endpoint} with this site's cookies.`,
    ),
    save,
  );
  return panel;
}

let savedLines = headerLines();
const connection = connectionPanel();

function fillForm(): void {
  for (const key of FILTER_KEYS) {
    const value = view.filters[key] ?? '';
    inputs[key].value = isTime(key) ? toLocalInput(value) : value;
  }
}

function readForm(): ViewState['filters'] {
  const filters: ViewState['filters'] = {};
  for (const key of FILTER_KEYS) {
    const raw = inputs[key].value.trim();
    const value = isTime(key) ? fromLocalInput(raw) : raw;
    if (value) filters[key] = value;
  }
  return filters;
}

function navigate(filters: ViewState['filters'], focusObject = false): void {
  view = { ...view, filters };
  history.pushState(null, '', `${location.pathname}${searchFromView(view, config.pageSize)}`);
  fillForm();
  void load().then(() => {
    if (focusObject && !objectBanner.hidden) objectHeading.focus();
  });
}

function showNotice(kind: 'empty' | 'error' | 'forbidden', title: string, text: string): void {
  notice.hidden = false;
  notice.className = `notice ${kind}`;
  notice.dataset.state = kind;
  notice.setAttribute('role', kind === 'empty' ? 'status' : 'alert');
  const children: Node[] = [h('h2', {}, title), h('p', {}, text)];
  if (kind === 'empty' && hasFilters(view.filters)) {
    const clear = h('button', { type: 'button' }, 'Clear filters');
    clear.addEventListener('click', () => navigate({}));
    children.push(clear);
  } else if (kind !== 'empty') {
    const retry = h('button', { type: 'button' }, 'Try again');
    retry.addEventListener('click', () => void load());
    children.push(retry);
  }
  notice.replaceChildren(...children);
}

function showFailure(result: Exclude<PageResult, { kind: 'ok' }>, title: string): void {
  if (result.kind === 'forbidden') {
    // The headers field is the demo's way to sign in: open it.
    if (connection) connection.open = true;
    showNotice(
      'forbidden',
      'Not allowed',
      `The server refused to show the event log to you (FORBIDDEN: ${result.message}) Sign in with an account that may read it${config.headersField ? ', or set the request headers that identify you (Request headers, above)' : ''}, then try again.`,
    );
  } else {
    showNotice('error', title, `${result.message}${result.code ? ` (${result.code})` : ''}`);
  }
}

function describeView(total: number): string {
  return describeCount(list.size, total, totalExact, hasFilters(view.filters));
}

async function load(after: string | null = null): Promise<void> {
  controller?.abort();
  const current = new AbortController();
  controller = current;
  const older = after !== null;
  if (!older) {
    feed.stop();
    live.hidden = true;
    list.clear();
    cursor = null;
    more.hidden = true;
    newer.hidden = true;
    const { objectType, objectId } = view.filters;
    objectBanner.hidden = !(objectType && objectId);
    objectHeading.textContent = `History of ${objectType} ${objectId}`;
  }
  notice.hidden = true;
  more.disabled = true;
  list.element.setAttribute('aria-busy', 'true');
  status.textContent = older ? 'Loading older entries…' : 'Loading entries…';
  let result: PageResult;
  try {
    result = await fetchPage(
      config,
      parseHeaderLines(savedLines),
      view.filters,
      view.pageSize,
      after,
      current.signal,
    );
  } catch {
    return; // Aborted: a newer load owns the page.
  }
  if (controller !== current) return;
  list.element.removeAttribute('aria-busy');
  more.disabled = false;
  if (result.kind !== 'ok') {
    status.textContent = '';
    more.hidden = !older;
    showFailure(
      result,
      older ? 'Older entries could not be loaded' : 'The event log could not be loaded',
    );
    return;
  }
  const { page } = result;
  list.append(page.entries);
  cursor = page.endCursor;
  total = page.totalCount;
  totalExact = page.totalCountIsExact;
  more.hidden = !page.hasNextPage;
  // The feed starts after the newest entry shown: nothing written since the query is lost.
  if (!older && !(view.filters.until && Date.parse(view.filters.until) < Date.now())) {
    feed.start(view.filters, page.newestCursor);
  }
  status.textContent = page.totalCount === 0 ? '' : describeView(page.totalCount);
  if (list.size === 0) {
    showNotice(
      'empty',
      'No entries',
      hasFilters(view.filters)
        ? 'No entry matches these filters.'
        : 'The event log is empty, or holds nothing you may read.',
    );
  }
}

/**
 * Adds the entries written since the newest one shown on top, keeping the reader's place
 * (`EntryList.prepend`); more than a page of them starts the list over.
 */
async function loadNewer(): Promise<void> {
  const newest = list.newestTimestamp;
  if (newest === undefined) return load();
  const owner = controller;
  const since =
    view.filters.since && Date.parse(view.filters.since) > Date.parse(newest)
      ? view.filters.since
      : newest;
  newer.disabled = true;
  let result: PageResult;
  try {
    result = await fetchPage(
      config,
      parseHeaderLines(savedLines),
      { ...view.filters, since },
      MAX_PAGE_SIZE,
      null,
    );
  } finally {
    newer.disabled = false;
  }
  if (controller !== owner) return; // The filters changed meanwhile.
  if (result.kind !== 'ok') {
    showFailure(result, 'Newer entries could not be loaded');
    return;
  }
  if (result.page.hasNextPage) return load();
  notice.hidden = true;
  const added = list.prepend(result.page.entries);
  total += added;
  status.textContent = `${
    added === 0 ? 'No newer entries.' : `${added} newer ${added === 1 ? 'entry' : 'entries'} added.`
  } ${describeView(total)}`;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  navigate(readForm());
});
byIdIn(form, 'clear-filters').addEventListener('click', () => navigate({}));
showAll.addEventListener('click', () => {
  const { objectType: _type, objectId: _id, ...rest } = view.filters;
  navigate(rest);
});
more.addEventListener('click', () => void load(cursor));
newer.addEventListener('click', () => void loadNewer());
window.addEventListener('popstate', () => {
  view = viewFromSearch(location.search, config.pageSize);
  fillForm();
  void load();
});
setInterval(() => list.refreshTimes(), 30_000);

function byIdIn(root: HTMLElement, id: string): HTMLElement {
  const element = root.querySelector<HTMLElement>(`#${id}`);
  if (!element) throw new Error(`No #${id}.`);
  return element;
}

document.title = config.title;
byId('app').replaceChildren(
  h('header', { class: 'top' }, h('h1', {}, config.title), connection ?? ''),
  form,
  objectBanner,
  h('div', { class: 'bar' }, status, live, newer),
  notice,
  list.element,
  h('div', { class: 'more' }, more),
);
fillForm();
void load();
