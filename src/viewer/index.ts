import { EventLogValidationError } from '../errors.js';
import { type LoadedAssets, loadAssets } from './assets.js';
import { ASSET_NAMES } from './build.js';
import type { ViewerConfig } from './config.js';
import { renderPage } from './html.js';

export interface EventLogViewerOptions {
  /**
   * URL path of the page; its script and style are served below it (`/eventlog/viewer.js`).
   * @default '/eventlog'
   */
  path?: string;
  /**
   * The GraphQL endpoint the page queries, with the reader's cookies: a path on the same
   * site, or an absolute URL (which the page's Content-Security-Policy then also allows).
   * @default '/graphql'
   */
  endpoint?: string;
  /**
   * Entries a page, 1 to 100; `?first=` in the page's URL overrides it.
   * @default 20
   */
  pageSize?: number;
  /**
   * Offers a "Request headers" field whose `Name: value` lines are sent with every request,
   * kept in the browser's localStorage: for demos and development, e.g. the example's
   * `x-user-id`. Cookies are sent either way.
   * @default false
   */
  requestHeaders?: boolean;
  /**
   * Title and heading of the page.
   * @default 'Event log'
   */
  title?: string;
}

/** Answers the viewer's requests; `undefined` for any other request. */
export type EventLogViewerHandler = (request: Request) => Promise<Response | undefined>;

/**
 * The shape of a graphql-yoga plugin's `onRequest` hook, declared here so that the viewer
 * needs no import of graphql-yoga.
 */
export interface EventLogViewerPlugin {
  onRequest(payload: {
    request: Request;
    url: URL;
    endResponse(response: Response): void;
  }): Promise<void>;
}

const defaults = {
  path: '/eventlog',
  endpoint: '/graphql',
  pageSize: 20,
  requestHeaders: false,
  title: 'Event log',
} satisfies Required<EventLogViewerOptions>;

function resolveOptions(options: EventLogViewerOptions): Required<EventLogViewerOptions> {
  const resolved = { ...defaults, ...options };
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(resolved.path) || resolved.path.endsWith('/')) {
    throw new EventLogValidationError(
      `eventLogViewer: path must start with "/" and not end with one, like "/eventlog"; got ${JSON.stringify(resolved.path)}.`,
      'path',
    );
  }
  if (!Number.isInteger(resolved.pageSize) || resolved.pageSize < 1 || resolved.pageSize > 100) {
    throw new EventLogValidationError(
      `eventLogViewer: pageSize must be an integer from 1 to 100; got ${String(resolved.pageSize)}.`,
      'pageSize',
    );
  }
  if (!resolved.endpoint.startsWith('/') && !URL.canParse(resolved.endpoint)) {
    throw new EventLogValidationError(
      `eventLogViewer: endpoint must be a path like "/graphql" or an absolute URL; got ${JSON.stringify(resolved.endpoint)}.`,
      'endpoint',
    );
  }
  return resolved;
}

/**
 * A fetch-style handler serving the event log viewer at `path` (default `/eventlog`):
 * the page, its script and its style, all from this server. It answers the requests for
 * those paths and resolves `undefined` for any other, so it can sit in front of any router.
 */
export function createEventLogViewerHandler(
  options: EventLogViewerOptions = {},
): EventLogViewerHandler {
  const resolved = resolveOptions(options);
  const config: ViewerConfig = {
    endpoint: resolved.endpoint,
    pageSize: resolved.pageSize,
    headersField: resolved.requestHeaders,
    title: resolved.title,
  };
  const connectSrc = resolved.endpoint.startsWith('/')
    ? "'self'"
    : `'self' ${new URL(resolved.endpoint).origin}`;
  const securityHeaders = {
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connectSrc}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  };
  const routes: Record<string, (assets: LoadedAssets) => [string, string]> = {
    [resolved.path]: (assets) => [
      'text/html; charset=utf-8',
      renderPage(config, resolved.path, assets.version),
    ],
    [`${resolved.path}/${ASSET_NAMES.js}`]: (assets) => [
      'text/javascript; charset=utf-8',
      assets.js,
    ],
    [`${resolved.path}/${ASSET_NAMES.css}`]: (assets) => ['text/css; charset=utf-8', assets.css],
  };

  return async (request) => {
    const { pathname } = new URL(request.url);
    const route = routes[pathname === `${resolved.path}/` ? resolved.path : pathname];
    if (!route) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', {
        status: 405,
        headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    const assets = await loadAssets();
    const [type, body] = route(assets);
    const etag = `"${assets.version}-${pathname.slice(pathname.lastIndexOf('/') + 1) || 'page'}"`;
    const headers = { ...securityHeaders, 'content-type': type, etag, 'cache-control': 'no-cache' };
    if (request.headers.get('if-none-match') === etag) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(request.method === 'HEAD' ? null : body, { headers });
  };
}

/**
 * A graphql-yoga plugin serving the event log viewer at `/eventlog`, beside the GraphQL
 * endpoint: `createYoga({ schema, plugins: [eventLogViewer()] })`.
 */
export function eventLogViewer(options: EventLogViewerOptions = {}): EventLogViewerPlugin {
  const handler = createEventLogViewerHandler(options);
  return {
    async onRequest({ request, endResponse }) {
      const response = await handler(request);
      if (response) endResponse(response);
    },
  };
}
