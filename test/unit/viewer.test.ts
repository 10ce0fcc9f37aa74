// The log viewer's handler in process (routes, caching, security headers, options), and
// the pure parts of its browser app: the diff rows, the URL state, the headers field.
import { describe, expect, it } from 'vitest';
import { parseHeaderLines } from '../../src/viewer/app/api.js';
import { diffRows, itemMarks } from '../../src/viewer/app/diff.js';
import { searchFromView, viewFromSearch } from '../../src/viewer/app/filters.js';
import { createEventLogViewerHandler, eventLogViewer } from '../../src/viewer/index.js';

const get = (handler: ReturnType<typeof createEventLogViewerHandler>, path: string, init = {}) =>
  handler(new Request(`http://app.test${path}`, init));

describe('createEventLogViewerHandler', () => {
  const handler = createEventLogViewerHandler();

  it('serves the page, its script and its style at /eventlog, nothing else', async () => {
    const page = await get(handler, '/eventlog');
    expect(page?.status).toBe(200);
    expect(page?.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = (await page?.text()) ?? '';
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets).toEqual([
      'data:,',
      expect.stringMatching(/^\/eventlog\/viewer\.css\?v=[0-9a-f]{12}$/),
      expect.stringMatching(/^\/eventlog\/viewer\.js\?v=[0-9a-f]{12}$/),
    ]);
    expect(html).toContain(
      '{"endpoint":"/graphql","pageSize":20,"headersField":false,"title":"Event log"}',
    );

    const script = await get(handler, '/eventlog/viewer.js');
    expect(script?.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script?.text()).toContain('eventLogs(first: $first, after: $after');
    const style = await get(handler, '/eventlog/viewer.css');
    expect(style?.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await style?.text()).toContain('.entries');

    expect((await get(handler, '/eventlog/'))?.status).toBe(200);
    for (const other of ['/graphql', '/eventlogs', '/eventlog/other.js', '/']) {
      expect(await get(handler, other), other).toBeUndefined();
    }
  });

  it('lets the page load nothing but itself and talk to nothing but the endpoint', async () => {
    const csp = (await get(handler, '/eventlog'))?.headers.get('content-security-policy');
    expect(csp).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    );
    const remote = createEventLogViewerHandler({ endpoint: 'https://api.example.com/graphql' });
    expect((await get(remote, '/eventlog'))?.headers.get('content-security-policy')).toContain(
      "connect-src 'self' https://api.example.com;",
    );
  });

  it('answers 304 to a matching If-None-Match, 405 to a POST, an empty body to HEAD', async () => {
    const first = await get(handler, '/eventlog/viewer.js');
    const etag = first?.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{12}-viewer\.js"$/);
    const again = await get(handler, '/eventlog/viewer.js', { headers: { 'if-none-match': etag } });
    expect(again?.status).toBe(304);
    const css = await get(handler, '/eventlog/viewer.css', { headers: { 'if-none-match': etag } });
    expect(css?.status).toBe(200);
    const post = await get(handler, '/eventlog', { method: 'POST' });
    expect(post?.status).toBe(405);
    expect(post?.headers.get('allow')).toBe('GET, HEAD');
    const head = await get(handler, '/eventlog', { method: 'HEAD' });
    expect(head?.status).toBe(200);
    expect(await head?.text()).toBe('');
  });

  it('takes its path, endpoint, page size and title from the options, escaped', async () => {
    const custom = createEventLogViewerHandler({
      path: '/admin/audit',
      endpoint: '/api/graphql',
      pageSize: 50,
      requestHeaders: true,
      title: 'Audit </script><b>',
    });
    expect(await get(custom, '/eventlog')).toBeUndefined();
    const html = (await (await get(custom, '/admin/audit'))?.text()) ?? '';
    expect(html).toContain('<title>Audit &#60;/script&#62;&#60;b&#62;</title>');
    expect(html).toContain(
      '{"endpoint":"/api/graphql","pageSize":50,"headersField":true,"title":"Audit \\u003c/script>\\u003cb>"}',
    );
    expect(html).toContain('src="/admin/audit/viewer.js?v=');
  });

  it('refuses bad options up front, naming the option', () => {
    expect(() => createEventLogViewerHandler({ path: 'eventlog' })).toThrow(
      'eventLogViewer: path must start with "/" and not end with one, like "/eventlog"; got "eventlog".',
    );
    expect(() => createEventLogViewerHandler({ path: '/eventlog/' })).toThrow(/path must/);
    expect(() => createEventLogViewerHandler({ pageSize: 101 })).toThrow(
      'eventLogViewer: pageSize must be an integer from 1 to 100; got 101.',
    );
    expect(() => createEventLogViewerHandler({ endpoint: 'graphql' })).toThrow(
      'eventLogViewer: endpoint must be a path like "/graphql" or an absolute URL; got "graphql".',
    );
  });

  it('as a yoga plugin, ends the request with the viewer’s response and leaves others', async () => {
    const plugin = eventLogViewer();
    const ended: Response[] = [];
    const onRequest = (path: string) => {
      const request = new Request(`http://app.test${path}`);
      return plugin.onRequest({
        request,
        url: new URL(request.url),
        endResponse: (response) => ended.push(response),
      });
    };
    await onRequest('/graphql');
    expect(ended).toEqual([]);
    await onRequest('/eventlog');
    expect(ended.map((response) => response.status)).toEqual([200]);
  });
});

describe('the diff rows of an entry', () => {
  it('tags the leaves of an added or a removed item, not a field set from null', () => {
    const changes = {
      old_value: { notes: null, address: null, items: { 2: { quantity: 12 }, 5: { name: 'Old' } } },
      new_value: {
        notes: 'x',
        address: { city: 'A' },
        items: { 2: { quantity: 14 }, 7: { name: 'New' } },
      },
    };
    expect(Object.fromEntries(itemMarks(changes))).toEqual({
      'items.5': 'removed',
      'items.7': 'added',
    });
    const rows = diffRows({
      changes,
      fieldChanges: [
        { path: 'address.city', old: null, new: 'A' },
        { path: 'items.2.quantity', old: 12, new: 14 },
        { path: 'items.5.name', old: 'Old', new: null },
        { path: 'items.7.name', old: null, new: 'New' },
        { path: 'notes', old: null, new: 'x' },
      ],
    });
    expect(rows.map((row) => [row.path, row.item?.mark ?? '-'])).toEqual([
      ['address.city', '-'],
      ['items.2.quantity', '-'],
      ['items.5.name', 'removed'],
      ['items.7.name', 'added'],
      ['notes', '-'],
    ]);
  });

  it('marks the items of a creation (old_value {}) as added', () => {
    const marks = itemMarks({
      old_value: {},
      new_value: { name: 'A', items: { 1: { name: 'B' } } },
    });
    expect(Object.fromEntries(marks)).toEqual({ 'items.1': 'added' });
  });
});

describe('the view in the URL', () => {
  it('keeps the filters and a page size other than the default, in a fixed order', () => {
    const view = viewFromSearch('?objectId=1&tool=seed&junk=1&action=&first=5', 20);
    expect(view).toEqual({ filters: { tool: 'seed', objectId: '1' }, pageSize: 5 });
    expect(searchFromView(view, 20)).toBe('?tool=seed&objectId=1&first=5');
    expect(searchFromView({ ...view, pageSize: 20 }, 20)).toBe('?tool=seed&objectId=1');
    expect(searchFromView({ filters: {}, pageSize: 20 }, 20)).toBe('');
  });

  it('ignores a page size out of 1 to 100', () => {
    for (const first of ['0', '101', '2.5', 'x']) {
      expect(viewFromSearch(`?first=${first}`, 20).pageSize, first).toBe(20);
    }
  });
});

describe('the request headers field', () => {
  it('reads "Name: value" lines and skips the rest', () => {
    expect(
      parseHeaderLines('x-user-id: 1\n\nno colon\nbad name: 2\n Authorization : Bearer a:b '),
    ).toEqual([
      ['x-user-id', '1'],
      ['Authorization', 'Bearer a:b'],
    ]);
  });
});
