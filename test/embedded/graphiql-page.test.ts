// GraphiQL's page, in process and without a browser: everything it needs is in the page.
// test/browser/graphiql.test.ts runs it in Chromium.
import { describe, expect, it } from 'vitest';
import { createServer } from '../../example/server.js';

// The page is answered before yoga builds a context: no database is needed.
const yoga = createServer({ prisma: undefined as never, logging: false });

describe('GraphiQL page of the example server', () => {
  it('inlines its scripts and styles: nothing from a CDN', async () => {
    const response = await yoga.fetch('http://yoga/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('YogaGraphiQL.renderYogaGraphiQL(');
    expect(html).not.toMatch(/<(script|link)\b[^>]*\b(src|href)=["']?(https?:)?\/\//);
  });
});
