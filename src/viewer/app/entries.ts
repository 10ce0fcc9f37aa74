import type { EventLogEntry } from './api.js';
import { type DiffRow, diffRows, isMasked } from './diff.js';
import { h } from './dom.js';
import { exactTime, formatValue, relativeTime } from './format.js';

export interface EntryActions {
  /** The reader picked the object of an entry: show its history. */
  pickObject(objectType: string, objectId: string): void;
  /** The reader picked the actor of an entry: show what they did. */
  pickActor(actorId: string): void;
}

/**
 * The list of entries, newest first. `append` adds older pages below; `prepend` adds newer
 * entries on top (for a live feed) and keeps what the reader is looking at where it is.
 */
export class EntryList {
  readonly element: HTMLOListElement;
  private readonly ids = new Set<string>();
  private serial = 0;

  constructor(private readonly actions: EntryActions) {
    this.element = h('ol', {
      id: 'entries',
      class: 'entries',
      'aria-label': 'Entries, newest first',
    });
  }

  get size(): number {
    return this.ids.size;
  }

  clear(): void {
    this.ids.clear();
    this.element.replaceChildren();
  }

  append(entries: readonly EventLogEntry[]): void {
    this.element.append(...this.fresh(entries).map((entry) => this.render(entry)));
  }

  /** The time of the newest entry shown. */
  get newestTimestamp(): string | undefined {
    return this.element.querySelector('time')?.dateTime;
  }

  /** Adds the entries not shown yet on top; returns how many. */
  prepend(entries: readonly EventLogEntry[]): number {
    const items = this.fresh(entries).map((entry) => this.render(entry));
    if (items.length === 0) return 0;
    const scroller = document.scrollingElement ?? document.documentElement;
    const anchor = [...this.element.children].find(
      (child) => child.getBoundingClientRect().bottom > 0,
    );
    const before = anchor?.getBoundingClientRect().top;
    this.element.prepend(...items);
    if (anchor && before !== undefined && scroller.scrollTop > 0) {
      scroller.scrollTop += anchor.getBoundingClientRect().top - before;
    }
    return items.length;
  }

  /** Re-renders the relative times ("3 minutes ago"). */
  refreshTimes(now = Date.now()): void {
    for (const time of this.element.querySelectorAll('time')) {
      time.textContent = relativeTime(time.dateTime, now);
    }
  }

  private fresh(entries: readonly EventLogEntry[]): EventLogEntry[] {
    const fresh = entries.filter((entry) => !this.ids.has(entry.id));
    for (const entry of fresh) this.ids.add(entry.id);
    return fresh;
  }

  private render(entry: EventLogEntry): HTMLLIElement {
    const diffId = `diff-${++this.serial}`;
    const toggle = h(
      'button',
      { type: 'button', class: 'toggle', 'aria-expanded': 'false', 'aria-controls': diffId },
      h('span', { class: 'chevron', 'aria-hidden': 'true' }),
      h('span', { class: 'message' }, entry.message),
    );
    const diff = h('div', { class: 'diff', id: diffId, hidden: true });
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      if (open && !diff.hasChildNodes()) diff.append(renderDiff(diffRows(entry)));
      diff.hidden = !open;
    });

    const actor =
      entry.actorId !== null
        ? h(
            'button',
            {
              type: 'button',
              class: 'link actor',
              title: `Show the entries of actor ${entry.actorId}`,
            },
            entry.actor ?? `Actor ${entry.actorId}`,
          )
        : h('span', { class: 'actor system' }, entry.actor ?? 'System');
    if (entry.actorId !== null) {
      const actorId = entry.actorId;
      actor.addEventListener('click', () => this.actions.pickActor(actorId));
    }

    const objectLabel = `${entry.objectType}${entry.objectId === null ? '' : ` ${entry.objectId}`}`;
    const object =
      entry.objectId !== null
        ? h(
            'button',
            { type: 'button', class: 'link object', title: `Show the history of ${objectLabel}` },
            objectLabel,
          )
        : h('span', { class: 'object' }, objectLabel);
    if (entry.objectId !== null) {
      const objectId = entry.objectId;
      object.addEventListener('click', () => this.actions.pickObject(entry.objectType, objectId));
    }

    return h(
      'li',
      {
        class: 'entry',
        'data-id': entry.id,
        'data-action': entry.action,
        'data-tool': entry.tool,
        'data-object': objectLabel,
      },
      h(
        'div',
        { class: 'entry-head' },
        toggle,
        h(
          'time',
          { datetime: entry.timestamp, title: exactTime(entry.timestamp) },
          relativeTime(entry.timestamp),
        ),
      ),
      h(
        'dl',
        { class: 'meta' },
        metaItem('Actor', actor),
        metaItem('Action', h('span', { class: 'badge' }, entry.action)),
        metaItem('Tool', h('span', { class: 'badge' }, entry.tool)),
        metaItem('Object', object),
      ),
      diff,
    );
  }
}

function metaItem(label: string, value: Node): HTMLDivElement {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function renderValue(value: unknown, side: 'old' | 'new', row: DiffRow): Node {
  if (isMasked(value)) {
    return h('span', { class: 'masked', title: 'Masked: the value is not stored' }, 'redacted');
  }
  if (value === null) {
    const absent = row.item && row.item.mark === (side === 'old' ? 'added' : 'removed');
    return h('span', { class: 'none' }, absent ? '(none)' : 'null');
  }
  return h('span', { class: 'value' }, formatValue(value));
}

export function renderDiff(rows: readonly DiffRow[]): Node {
  if (rows.length === 0) return h('p', { class: 'no-changes' }, 'No field changes recorded.');
  const body = h('tbody');
  for (const row of rows) {
    const mark = row.item?.mark;
    body.append(
      h(
        'tr',
        { 'data-path': row.path, class: mark },
        h(
          'th',
          { scope: 'row' },
          h('code', {}, row.path),
          mark &&
            h(
              'span',
              { class: `mark ${mark}` },
              mark === 'added' ? `added ${row.item?.path}` : `removed ${row.item?.path}`,
            ),
        ),
        h('td', { class: 'old' }, renderValue(row.old, 'old', row)),
        h('td', { class: 'new' }, renderValue(row.new, 'new', row)),
      ),
    );
  }
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden' }, 'Changed fields, old and new values'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Field'),
        h('th', { scope: 'col' }, 'Old'),
        h('th', { scope: 'col' }, 'New'),
      ),
    ),
    body,
  );
}
