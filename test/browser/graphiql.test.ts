// GraphiQL of the example server (`npm start`) in headless Chromium, as a user without
// internet sees it: every request to another host is aborted, and the test fails if one is
// even attempted. Needs Chromium at /usr/bin/chromium (.ci/run installs it) or CHROMIUM_PATH.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCertificates } from '../../example/seed.js';
import { projectRoot } from '../../scripts/schema-engine.js';
import { keepOffline, launchChromium, uiTimeout } from '../support/browser.js';
import { type ExampleProcess, freePort, startExample } from '../support/example-process.js';

const screenshotPath = join(projectRoot, 'test-artifacts', 'graphiql.png');

/** Above the waits of a test, so that a wait's own error is what a failure reports. */
const testTimeout = 3 * uiTimeout;

const queryEditor = '.graphiql-query-editor .monaco-editor';
const headersEditor = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor';
const resultPane = '.graphiql-response .monaco-editor';

describe('GraphiQL of the example server, offline', () => {
  let dir: string | undefined;
  let example: ExampleProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let endpoint: string;
  /** Every request the page or its workers attempted to a host other than the server. */
  const foreign: string[] = [];
  const pageErrors: string[] = [];
  /** Set by the first test: the others use its page. */
  let rendered = false;
  const needsGraphiQL = () =>
    expect(rendered, 'GraphiQL did not render (see the first test)').toBe(true);

  beforeAll(async () => {
    // First: without Chromium the suite fails at once, before a server starts.
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'pel-graphiql-'));
    const port = await freePort();
    example = startExample({ PGLITE_DIR: join(dir, 'pglite'), PORT: String(port) });
    const [, url] = await example.waitForOutput(
      /pothos-eventlog example on (http:\/\/localhost:\d+\/graphql) /,
      150_000,
    );
    endpoint = url as string;
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    await keepOffline(context, new URL(endpoint).origin, foreign);
    context.setDefaultTimeout(uiTimeout);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (example) {
      example.signal('SIGTERM');
      await example.closed(20_000).catch(() => example?.kill());
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  /** The text of a Monaco editor, with its non-breaking spaces as spaces. */
  const editorText = async (selector: string) =>
    ((await page.locator(`${selector} .view-lines`).textContent()) ?? '').replaceAll('\u00a0', ' ');

  /** Types into a Monaco editor, replacing its content; drops what autoclosing appended. */
  const typeInto = async (selector: string, text: string) => {
    await page.locator(selector).click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(text);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+ControlOrMeta+End');
    await page.keyboard.press('Delete');
    await expect.poll(() => editorText(selector), { timeout: uiTimeout }).toBe(text);
  };

  it(
    'renders from the server alone and introspects the schema through the armor limits',
    async () => {
      const introspection = page.waitForResponse(
        (response) =>
          response.request().method() === 'POST' &&
          (response.request().postData() ?? '').includes('__schema'),
        { timeout: uiTimeout },
      );
      // Awaited below, unless an assertion fails first.
      introspection.catch(() => {});
      const response = await page.goto(endpoint, { waitUntil: 'load', timeout: uiTimeout });
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toMatch(/^text\/html/);
      // At `load` the page's scripts and styles have been fetched: a CDN's among them.
      expect(foreign).toEqual([]);

      const answer = await introspection;
      expect(answer.status()).toBe(200);
      const body = (await answer.json()) as {
        errors?: unknown[];
        data?: { __schema: { queryType: { name: string } } };
      };
      expect(body.errors).toBeUndefined();
      expect(body.data?.__schema.queryType.name).toBe('Query');

      await page.locator(queryEditor).waitFor({ state: 'visible' });
      await page.locator('.graphiql-execute-button').waitFor({ state: 'visible' });
      expect(await page.title()).toBe('Yoga GraphiQL');
      expect(pageErrors).toEqual([]);
      expect(foreign).toEqual([]);
      rendered = true;
    },
    testTimeout,
  );

  it(
    'runs a public query typed into the editor (run button)',
    async () => {
      needsGraphiQL();
      await typeInto(queryEditor, '{ certificates { edges { node { name } } } }');
      await page.locator('.graphiql-execute-button').click();

      await expect
        .poll(() => editorText(resultPane), { timeout: uiTimeout })
        .toContain(`"name": "${demoCertificates.at(-1)?.name}`);
      const result = await editorText(resultPane);
      // No closing quote: the demo history may have renamed one since ("... 2026").
      for (const certificate of demoCertificates) {
        expect(result).toContain(`"name": "${certificate.name}`);
      }
      expect(result).not.toContain('"errors"');
      expect(foreign).toEqual([]);
    },
    testTimeout,
  );

  it(
    'runs a signed-in query with x-user-id set in the Headers tab (Ctrl-Enter)',
    async () => {
      needsGraphiQL();
      await typeInto(
        queryEditor,
        '{ eventLogs(first: 2, objectType: "Certificate", action: "create", tool: "seed") { totalCount edges { node { message } } } }',
      );
      await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
      await typeInto(headersEditor, '{"x-user-id": "1"}');

      const sent = page.waitForRequest(
        (request) =>
          request.method() === 'POST' && (request.postData() ?? '').includes('eventLogs'),
        { timeout: uiTimeout },
      );
      await page.locator('.graphiql-toolbar button[aria-label^="Prettify query"]').click();
      await expect
        .poll(() => page.locator(`${queryEditor} .view-line`).count(), { timeout: uiTimeout })
        .toBeGreaterThan(1);
      await page.locator(queryEditor).click();
      await page.keyboard.press('ControlOrMeta+Enter');
      expect((await sent).headers()['x-user-id']).toBe('1');

      // The seed created 4 certificates; newest first.
      await expect
        .poll(() => editorText(resultPane), { timeout: uiTimeout })
        .toContain('"totalCount": 4');
      const result = await editorText(resultPane);
      expect(result).toContain('"message": "Certificate 4 was created."');
      expect(result).toContain('"message": "Certificate 3 was created."');
      expect(result).not.toContain('"errors"');
      expect(foreign).toEqual([]);
    },
    testTimeout,
  );

  it(
    'saves a screenshot of the result to test-artifacts/graphiql.png',
    async () => {
      needsGraphiQL();
      await mkdir(join(projectRoot, 'test-artifacts'), { recursive: true });
      await rm(screenshotPath, { force: true });
      await page.screenshot({ path: screenshotPath, timeout: uiTimeout });
      // Measured: a blank page 6 KB, a "Loading..." line 9 KB, GraphiQL with a result 46 KB.
      expect((await stat(screenshotPath)).size).toBeGreaterThan(30_000);
      expect(pageErrors).toEqual([]);
      expect(foreign).toEqual([]);
    },
    testTimeout,
  );
});
