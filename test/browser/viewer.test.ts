// The log viewer of the example server (`npm start`, /eventlog) in headless Chromium, with
// every request to another host aborted (the test fails if one is even attempted). Needs
// Chromium at /usr/bin/chromium (.ci/run installs it) or CHROMIUM_PATH. Screenshots go to
// test-artifacts/viewer-*.png, and the full page at 1400 px to test-artifacts/viewer.png.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/schema-engine.js';
import { keepOffline, launchChromium, uiTimeout } from '../support/browser.js';
import { type ExampleProcess, freePort, startExample } from '../support/example-process.js';

const artifacts = join(projectRoot, 'test-artifacts');

/** Above the waits of a test, so that a wait's own error is what a failure reports. */
const testTimeout = 3 * uiTimeout;

/** The example's demo history: 3 users and 4 certificates seeded, then 3 changes. */
const demoEntryCount = 10;
const renameMessage = 'Certificate Annual fire safety inspection 2026 was updated by John Doe.';

interface Opened {
  page: Page;
  /** Uncaught errors and console errors (a CSP violation is one) of the page. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Every visible text below 4.5:1 against its background (the first opaque background of
 * it or an ancestor; the page's own colors have no transparency but the entries' rows).
 */
function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const [lr, lg, lb] = [r, g, b].map((value) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (lr ?? 0) + 0.7152 * (lg ?? 0) + 0.0722 * (lb ?? 0);
    };
    const background = (element: Element | null): number[] => {
      for (let node = element; node; node = node.parentElement) {
        const color = rgb(getComputedStyle(node).backgroundColor);
        if (color.length === 3 || color[3] === 1) return color.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const failures: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      const text = node.textContent?.trim();
      if (!element || !text || element.closest('[hidden], script, style')) continue;
      if (element.getClientRects().length === 0) continue;
      const style = getComputedStyle(element);
      const [a, b] = [luminance(rgb(style.color)), luminance(background(element))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) failures.push(`${ratio.toFixed(2)}:1 "${text.slice(0, 40)}"`);
    }
    return failures;
  });
}

describe('the log viewer of the example server, offline', () => {
  let dir: string | undefined;
  let example: ExampleProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  /** Every request a page attempted to a host other than the server. */
  const foreign: string[] = [];

  beforeAll(async () => {
    // First: without Chromium the suite fails at once, before a server starts.
    browser = await launchChromium();
    await mkdir(artifacts, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'pel-viewer-'));
    const port = await freePort();
    example = startExample({ PGLITE_DIR: join(dir, 'pglite'), PORT: String(port) });
    const [, url] = await example.waitForOutput(
      /pothos-eventlog example on (http:\/\/localhost:\d+)\/graphql /,
      150_000,
    );
    origin = url as string;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (example) {
      example.signal('SIGTERM');
      await example.closed(20_000).catch(() => example?.kill());
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  /**
   * A fresh browser context (its own localStorage) on `/eventlog<search>`, signed in as
   * `userId` through the page's own Request headers field, or anonymous.
   */
  async function open(
    search = '',
    { userId = 1 as number | null, width = 1400 } = {},
  ): Promise<Opened> {
    if (!browser) throw new Error('Chromium did not start (see beforeAll).');
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    context.setDefaultTimeout(uiTimeout);
    await keepOffline(context, origin, foreign);
    if (userId !== null) {
      await context.addInitScript((line) => {
        if (localStorage.getItem('pothos-eventlog:headers') === null) {
          localStorage.setItem('pothos-eventlog:headers', line);
        }
      }, `x-user-id: ${userId}`);
    }
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const response = await page.goto(`${origin}/eventlog${search}`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    return { page, problems, close: () => context.close() };
  }

  const entries = (page: Page) => page.locator('#entries > li');
  const messages = (page: Page) => page.locator('#entries > li .message').allTextContents();
  /** Waits until the page is done loading and shows `count` entries. */
  const expectEntries = async (page: Page, count: number) => {
    await expect
      .poll(() => page.locator('#entries[aria-busy]').count(), { timeout: uiTimeout })
      .toBe(0);
    await expect.poll(() => entries(page).count(), { timeout: uiTimeout }).toBe(count);
  };
  const screenshot = async (page: Page, name: string, fullPage = false) => {
    const path = join(artifacts, `${name}.png`);
    await rm(path, { force: true });
    await page.screenshot({ path, fullPage });
    return path;
  };
  const diffRow = (page: Page, entry: string, path: string) =>
    page.locator(`#entries > li:has(.message:text-is("${entry}")) tr[data-path="${path}"]`);
  const cellTexts = async (page: Page, entry: string, path: string) => {
    const row = diffRow(page, entry, path);
    return {
      old: await row.locator('td.old').textContent(),
      new: await row.locator('td.new').textContent(),
      mark: await row.locator('.mark').allTextContents(),
    };
  };

  it(
    'loads from the server alone and lists the demo history newest first',
    async () => {
      const { page, problems, close } = await open();
      try {
        // At `load` the page's script and style have been fetched: a CDN's among them.
        expect(foreign).toEqual([]);
        await expectEntries(page, demoEntryCount);
        const listed = await messages(page);
        expect(listed[0]).toBe('Certificate Gas appliance certificate was archived by John Doe.');
        expect(listed.at(-1)).toBe('User 1 was created.');
        await expect
          .poll(() => page.locator('#status').textContent())
          .toBe(`Showing all ${demoEntryCount} entries.`);
        const first = entries(page).first();
        expect(await first.locator('.actor').textContent()).toBe('John Doe');
        expect(await first.getAttribute('data-action')).toBe('archive');
        expect(await first.getAttribute('data-tool')).toBe('certificate');
        // Relative time shown, the exact one on hover.
        const time = first.locator('time');
        expect(await time.textContent()).toMatch(/ago|now/);
        expect(await time.getAttribute('title')).toMatch(/\d{4}/);
        expect(Date.parse((await time.getAttribute('datetime')) ?? '')).not.toBeNaN();
        await screenshot(page, 'viewer-offline');
        expect(problems).toEqual([]);
        expect(foreign).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'is usable from the keyboard: entries open with Enter and close with Space, focus shows',
    async () => {
      const { page, problems, close } = await open();
      try {
        await expectEntries(page, demoEntryCount);
        let focused = '';
        for (let presses = 0; presses < 40 && focused !== 'toggle'; presses++) {
          await page.keyboard.press('Tab');
          focused = await page.evaluate(() => document.activeElement?.className ?? '');
        }
        expect(focused, 'Tab never reached an entry').toBe('toggle');
        const toggle = page.locator('#entries > li .toggle').first();
        expect(await toggle.evaluate((element) => element === document.activeElement)).toBe(true);
        expect(await toggle.evaluate((element) => getComputedStyle(element).outlineStyle)).toBe(
          'solid',
        );
        await page.keyboard.press('Enter');
        expect(await toggle.getAttribute('aria-expanded')).toBe('true');
        const diff = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
        await diff.waitFor({ state: 'visible' });
        expect(await diff.locator('tr[data-path="status"] td.new').textContent()).toBe('archived');
        await screenshot(page, 'viewer-keyboard');
        await page.keyboard.press('Space');
        expect(await toggle.getAttribute('aria-expanded')).toBe('false');
        await diff.waitFor({ state: 'hidden' });
        // Every filter has a label.
        for (const input of await page.locator('#filters input').all()) {
          const id = await input.getAttribute('id');
          expect(await page.locator(`label[for="${id}"]`).count(), `label of #${id}`).toBe(1);
        }
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'narrows the list with filters kept in the URL, which a reload and a shared link restore',
    async () => {
      const { page, problems, close } = await open();
      try {
        await expectEntries(page, demoEntryCount);
        await page.getByLabel('Tool').fill('certificate');
        await page.getByLabel('Action', { exact: true }).fill('update');
        await page.getByLabel('Action', { exact: true }).press('Enter');
        await page.waitForURL(/\?tool=certificate&action=update$/);
        await expectEntries(page, 2);
        expect(await messages(page)).toEqual([
          'Certificate Electrical installation check was updated by Jane Roe.',
          renameMessage,
        ]);

        await page.reload();
        await expectEntries(page, 2);
        expect(await page.getByLabel('Tool').inputValue()).toBe('certificate');
        expect(await page.getByLabel('Action', { exact: true }).inputValue()).toBe('update');
        await screenshot(page, 'viewer-filters');

        // An actor, by clicking one.
        await entries(page).nth(1).locator('.actor').click();
        await page.waitForURL(/actorId=1/);
        await expectEntries(page, 1);
        expect(await messages(page)).toEqual([renameMessage]);

        // None left: the empty state says so.
        await page.getByLabel('Tool').fill('no-such-tool');
        await page.getByRole('button', { name: 'Apply filters' }).click();
        await expectEntries(page, 0);
        const notice = page.locator('#notice[data-state="empty"]');
        await notice.waitFor({ state: 'visible' });
        expect(await notice.textContent()).toContain('No entry matches these filters.');
        await notice.getByRole('button', { name: 'Clear filters' }).click();
        await page.waitForURL(/\/eventlog$/);
        await expectEntries(page, demoEntryCount);

        // A time range, as a shared link: since the archiving, until the last seed entry.
        const times = await page
          .locator('#entries > li time')
          .evaluateAll((elements) =>
            elements.map((element) => (element as HTMLTimeElement).dateTime),
          );
        await page.goto(`${origin}/eventlog?since=${encodeURIComponent(times[0] as string)}`);
        await expectEntries(page, 1);
        expect(await page.getByLabel('Since').inputValue()).not.toBe('');
        await page.goto(`${origin}/eventlog?until=${encodeURIComponent(times[3] as string)}`);
        await expectEntries(page, demoEntryCount - 3);
        expect(await messages(page)).not.toContain(renameMessage);
        expect(problems).toEqual([]);
        expect(foreign).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'shows an object’s history when its object is picked',
    async () => {
      const { page, problems, close } = await open();
      try {
        await expectEntries(page, demoEntryCount);
        await page
          .locator(`#entries > li:has(.message:text-is("${renameMessage}")) .object`)
          .click();
        await page.waitForURL(/\?objectType=Certificate&objectId=1$/);
        await expectEntries(page, 2);
        expect(await page.locator('#object-heading').textContent()).toBe(
          'History of Certificate 1',
        );
        // Focus moves to the heading of the object's history.
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('object-heading');
        expect(await messages(page)).toEqual([renameMessage, 'Certificate 1 was created.']);
        await screenshot(page, 'viewer-object');
        await page.getByRole('button', { name: 'Show all objects' }).click();
        await expectEntries(page, demoEntryCount);
        expect(await page.locator('#object-history').isHidden()).toBe(true);
        await page.goBack();
        await page.waitForURL(/objectId=1$/);
        await expectEntries(page, 2);
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'pages by cursor until the oldest entry',
    async () => {
      const { page, problems, close } = await open('?first=3');
      try {
        await expectEntries(page, 3);
        expect(await messages(page)).not.toContain('User 1 was created.');
        const older = page.getByRole('button', { name: 'Load older entries' });
        for (let shown = 3; shown < demoEntryCount; shown = Math.min(shown + 3, demoEntryCount)) {
          await older.click();
          await expectEntries(page, Math.min(shown + 3, demoEntryCount));
        }
        await older.waitFor({ state: 'hidden' });
        const listed = await messages(page);
        expect(listed.at(-1)).toBe('User 1 was created.');
        expect(new Set(listed).size).toBe(demoEntryCount);
        expect(await page.locator('#status').textContent()).toBe(
          `Showing all ${demoEntryCount} entries.`,
        );
        await screenshot(page, 'viewer-paging');
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'shows the diff of an update with item changes: old → new per field, items by id',
    async () => {
      const { page, problems, close } = await open('?objectType=Certificate&objectId=1');
      try {
        await expectEntries(page, 2);
        await page.locator('#entries > li .toggle').first().click();
        await diffRow(page, renameMessage, 'items.2.quantity').waitFor({ state: 'visible' });
        expect(await cellTexts(page, renameMessage, 'items.2.quantity')).toEqual({
          old: '12',
          new: '14',
          mark: [],
        });
        expect(await cellTexts(page, renameMessage, 'name')).toEqual({
          old: 'Annual fire safety inspection',
          new: 'Annual fire safety inspection 2026',
          mark: [],
        });
        expect(await page.locator('#entries > li').first().locator('tbody tr').count()).toBe(2);

        // The creation: every item is new.
        const created = 'Certificate 1 was created.';
        await page.locator(`#entries > li:has(.message:text-is("${created}")) .toggle`).click();
        await diffRow(page, created, 'items.2.quantity').waitFor({ state: 'visible' });
        expect(await cellTexts(page, created, 'items.2.quantity')).toEqual({
          old: '(none)',
          new: '12',
          mark: ['added items.2'],
        });
        await screenshot(page, 'viewer-diff');
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'marks removed items and masked values, and shows the loading and error states (answers the demo data has none of)',
    async () => {
      const { page, problems, close } = await open('?objectType=User&objectId=2');
      try {
        await expectEntries(page, 1);
        const message = 'User 2 was updated.';
        await page.route('**/graphql', (route) =>
          route.fulfill({
            contentType: 'application/json',
            body: JSON.stringify({
              data: {
                eventLogs: {
                  totalCount: 1,
                  pageInfo: { endCursor: 'c1', hasNextPage: false },
                  edges: [
                    {
                      node: {
                        id: 'e1',
                        message,
                        actor: 'Jane Roe',
                        actorId: '2',
                        action: 'update',
                        tool: 'user',
                        timestamp: new Date().toISOString(),
                        objectType: 'User',
                        objectId: '2',
                        changes: {
                          old_value: { password: '[redacted]', keys: { 9: { label: 'old' } } },
                          new_value: { password: '[redacted]', keys: { 9: null } },
                        },
                        fieldChanges: [
                          { path: 'keys.9.label', old: 'old', new: null },
                          { path: 'password', old: '[redacted]', new: '[redacted]' },
                        ],
                      },
                    },
                  ],
                },
              },
            }),
          }),
        );
        await page.reload();
        await expectEntries(page, 1);
        await page.locator('#entries > li .toggle').click();
        await diffRow(page, message, 'password').waitFor({ state: 'visible' });
        expect(await cellTexts(page, message, 'keys.9.label')).toEqual({
          old: 'old',
          new: '(none)',
          mark: ['removed keys.9'],
        });
        const password = diffRow(page, message, 'password');
        expect(await password.locator('.masked').count()).toBe(2);
        expect(await password.locator('td.new').textContent()).toBe('redacted');
        await screenshot(page, 'viewer-masked');

        // A slow server: the loading state, then one that does not answer GraphQL: the
        // error state says what happened.
        await page.unroute('**/graphql');
        let answer = () => {};
        const answered = new Promise<void>((resolve) => {
          answer = resolve;
        });
        await page.route('**/graphql', async (route) => {
          await answered;
          await route.fulfill({
            status: 502,
            contentType: 'text/html',
            body: '<h1>Bad gateway</h1>',
          });
        });
        await page.reload();
        await expect.poll(() => page.locator('#status').textContent()).toBe('Loading entries…');
        expect(await page.locator('#entries').getAttribute('aria-busy')).toBe('true');
        await screenshot(page, 'viewer-loading');
        answer();
        const notice = page.locator('#notice[data-state="error"]');
        await notice.waitFor({ state: 'visible' });
        expect(await notice.textContent()).toContain(
          'answered HTTP 502 without a GraphQL response',
        );
        expect(await notice.getAttribute('role')).toBe('alert');
        await screenshot(page, 'viewer-error');
        // The browser's own report of the 502.
        expect(problems.filter((problem) => !problem.includes('502'))).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'tells an anonymous visitor that the server refused (FORBIDDEN)',
    async () => {
      const { page, problems, close } = await open('', { userId: null });
      try {
        const notice = page.locator('#notice[data-state="forbidden"]');
        await notice.waitFor({ state: 'visible' });
        const text = await notice.textContent();
        expect(text).toContain('Not allowed');
        expect(text).toContain('FORBIDDEN: You are not allowed to read these event logs.');
        expect(await notice.getAttribute('role')).toBe('alert');
        expect(await entries(page).count()).toBe(0);
        await screenshot(page, 'viewer-forbidden');

        // Signing in through the Request headers field shows the entries.
        await page.getByLabel('Headers sent with every request').fill('x-user-id: 2');
        await page.getByRole('button', { name: 'Save and reload' }).click();
        await expectEntries(page, demoEntryCount);
        expect(await notice.isHidden()).toBe(true);
        await page.reload();
        await expectEntries(page, demoEntryCount);
        expect(problems).toEqual([]);
        expect(foreign).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'has text contrast of at least 4.5:1 (WCAG AA) in every state shown',
    async () => {
      const { page, problems, close } = await open('?objectType=Certificate&objectId=1');
      try {
        await expectEntries(page, 2);
        for (const toggle of await page.locator('#entries > li .toggle').all())
          await toggle.click();
        await page.locator('tr.added').first().waitFor({ state: 'visible' });
        const forbidden = await open('', { userId: null });
        try {
          await forbidden.page.locator('#notice[data-state="forbidden"]').waitFor();
          const lowest = [...(await lowContrast(page)), ...(await lowContrast(forbidden.page))];
          await screenshot(page, 'viewer-contrast', true);
          expect(lowest).toEqual([]);
        } finally {
          await forbidden.close();
        }
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'fits 400 px without horizontal scrolling, a diff open',
    async () => {
      const { page, problems, close } = await open('', { width: 400 });
      try {
        await expectEntries(page, demoEntryCount);
        await page
          .locator(`#entries > li:has(.message:text-is("${renameMessage}")) .toggle`)
          .click();
        await diffRow(page, renameMessage, 'name').waitFor({ state: 'visible' });
        expect(
          await page.evaluate(() => document.scrollingElement?.scrollWidth),
        ).toBeLessThanOrEqual(400);
        await screenshot(page, 'viewer-400', true);
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  it(
    'saves the full page at 1400 px to test-artifacts/viewer.png',
    async () => {
      const { page, problems, close } = await open();
      try {
        await expectEntries(page, demoEntryCount);
        await page
          .locator(`#entries > li:has(.message:text-is("${renameMessage}")) .toggle`)
          .click();
        await diffRow(page, renameMessage, 'name').waitFor({ state: 'visible' });
        expect(await page.evaluate(() => document.scrollingElement?.scrollWidth)).toBe(1400);
        const path = await screenshot(page, 'viewer', true);
        // Measured: the page without its stylesheet or entries is far smaller.
        expect((await stat(path)).size).toBeGreaterThan(60_000);
        expect(problems).toEqual([]);
        expect(foreign).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );

  /** Another client's change: an update of certificate `id` by user `userId`. */
  const updateCertificate = async (id: number, userId: number, notes: string) => {
    const objectId = Buffer.from(`Certificate:${id}`).toString('base64');
    const written = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': String(userId) },
      body: JSON.stringify({
        query: `mutation { updateCertificate(id: "${objectId}", input: { notes: ${JSON.stringify(notes)} }) { id } }`,
      }),
    });
    expect(await written.json()).toEqual({ data: { updateCertificate: { id: objectId } } });
  };

  // Last two: they add entries to the demo history that the tests above count.
  it(
    'adds an entry another client wrote on top, keeping the reader’s place (Show newer entries, where the server has no live feed)',
    async () => {
      const { page, problems, close } = await open();
      try {
        // A server without eventLogAdded answers the subscription with a validation error.
        await page.route('**/graphql', (route) =>
          route.request().headers().accept === 'text/event-stream'
            ? route.fulfill({
                contentType: 'text/event-stream',
                body: `:\n\nevent: next\ndata: ${JSON.stringify({
                  errors: [
                    {
                      message: 'Cannot query field "eventLogAdded" on type "Subscription".',
                      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
                    },
                  ],
                })}\n\nevent: complete\ndata:\n\n`,
              })
            : route.continue(),
        );
        await page.reload();
        await expectEntries(page, demoEntryCount);
        await expect
          .poll(() => page.locator('#live').textContent(), { timeout: uiTimeout })
          .toBe(
            'Live updates stopped: Cannot query field "eventLogAdded" on type "Subscription". (GRAPHQL_VALIDATION_FAILED)',
          );
        const oldest = page.locator('#entries > li:has(.message:text-is("User 1 was created."))');
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
        const before = await oldest.evaluate((element) => element.getBoundingClientRect().top);

        await updateCertificate(4, 3, 'Checked by the viewer test.');

        // The bar sticks to the top: the button is reached without scrolling.
        await page.locator('#show-newer').click();
        await expect
          .poll(() => page.locator('#status').textContent())
          .toBe(`1 newer entry added. Showing all ${demoEntryCount + 1} entries.`);
        expect((await messages(page))[0]).toBe(
          'Certificate Lift maintenance record was updated by Alex Poe.',
        );
        const after = await oldest.evaluate((element) => element.getBoundingClientRect().top);
        expect(Math.abs(after - before)).toBeLessThanOrEqual(1);
        await screenshot(page, 'viewer-newer');

        await page.locator('#show-newer').click();
        await expect
          .poll(() => page.locator('#status').textContent())
          .toBe(`No newer entries. Showing all ${demoEntryCount + 1} entries.`);
        expect(await entries(page).count()).toBe(demoEntryCount + 1);
        expect(problems).toEqual([]);
        expect(foreign).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );
  it(
    'shows an entry made by a mutation from another client live, on top, without moving the reader’s place; a filter that excludes it keeps it out',
    async () => {
      const { page, problems, close } = await open();
      const users = await open('?objectType=User');
      try {
        // Both first pages loaded (a count read while one still loads would be 0).
        for (const each of [page, users.page]) {
          await expect.poll(() => each.locator('#entries[aria-busy]').count()).toBe(0);
          await expect.poll(() => entries(each).count()).toBeGreaterThan(0);
        }
        const shown = await entries(page).count();
        expect(shown).toBeGreaterThanOrEqual(demoEntryCount);
        const usersShown = await entries(users.page).count();
        for (const { page: each } of [{ page }, users]) {
          await expect
            .poll(() => each.locator('#live').textContent(), { timeout: uiTimeout })
            .toBe('Live');
          expect(await each.locator('#live').getAttribute('role')).toBe('status');
        }
        expect(await page.locator('#show-newer').isHidden()).toBe(true);

        // Scrolled down a little: the first entry in view is the reader's place.
        await page.evaluate(() => window.scrollTo(0, 100));
        await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(100);
        const firstInView = () =>
          page.evaluate(() => {
            const item = [...document.querySelectorAll<HTMLElement>('#entries > li')].find(
              (element) => element.getBoundingClientRect().bottom > 0,
            );
            return { id: item?.dataset.id, top: item?.getBoundingClientRect().top };
          });
        const before = await firstInView();
        const topOf = (id: string | undefined) =>
          page
            .locator(`#entries > li[data-id="${id}"]`)
            .evaluate((element) => element.getBoundingClientRect().top);
        expect(before.id).toBeDefined();

        const started = Date.now();
        await updateCertificate(4, 2, 'Checked live by the viewer test.');
        const message = 'Certificate Lift maintenance record was updated by Jane Roe.';
        await expect
          .poll(async () => (await messages(page))[0], { timeout: 10_000, interval: 100 })
          .toBe(message);
        const latency = Date.now() - started;
        expect(await entries(page).count()).toBe(shown + 1);
        expect(Math.abs((await topOf(before.id)) - (before.top ?? 0))).toBeLessThanOrEqual(1);
        expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(100);
        expect(await page.locator('#status').textContent()).toBe(
          `1 new entry arrived. Showing all ${shown + 1} entries.`,
        );
        expect(await page.locator('#live').textContent()).toBe('Live');
        console.log(`viewer live: the entry appeared ${latency} ms after the mutation was sent`);
        await screenshot(page, 'viewer-live');
        await page.evaluate(() => window.scrollTo(0, 0));
        await screenshot(page, 'viewer-live-top');

        // The feed that excludes it: the same delivery would have reached it by now.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(await entries(users.page).count()).toBe(usersShown);
        expect(await messages(users.page)).not.toContain(message);
        expect(await users.page.locator('#live').textContent()).toBe('Live');
        await screenshot(users.page, 'viewer-live-filtered');
        expect([...problems, ...users.problems]).toEqual([]);
        expect(foreign).toEqual([]);
      } finally {
        await users.close();
        await close();
      }
    },
    testTimeout,
  );
  it(
    'reconnects after the feed’s connection breaks and delivers what was written meanwhile',
    async () => {
      const { page, problems, close } = await open();
      try {
        let release = () => {};
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let subscriptions = 0;
        // The page's own stream is up first, so that only the reloaded page's are counted.
        await expect
          .poll(() => page.locator('#live').textContent(), { timeout: uiTimeout })
          .toBe('Live');
        // The first stream breaks at once; the second waits until the entry is written.
        await page.route('**/graphql', async (route) => {
          if (route.request().headers().accept !== 'text/event-stream') return route.continue();
          subscriptions += 1;
          if (subscriptions === 1) return route.abort('connectionreset');
          if (subscriptions === 2) await released;
          return route.continue();
        });
        await page.reload();
        await expect.poll(() => page.locator('#entries[aria-busy]').count()).toBe(0);
        const shown = await entries(page).count();
        await expect
          .poll(() => page.locator('#live').textContent(), { timeout: uiTimeout })
          .toBe('Reconnecting…');
        expect(await page.locator('#live').getAttribute('title')).toMatch(
          /^Reconnecting: the connection failed/,
        );
        await screenshot(page, 'viewer-reconnecting');
        await updateCertificate(2, 1, 'Checked while the viewer was away.');
        release();
        const message = 'Certificate Electrical installation check was updated by John Doe.';
        await expect
          .poll(async () => (await messages(page))[0], { timeout: 10_000, interval: 100 })
          .toBe(message);
        expect(await entries(page).count()).toBe(shown + 1);
        await expect
          .poll(() => page.locator('#live').textContent(), { timeout: uiTimeout })
          .toBe('Live');
        expect(subscriptions).toBe(2);
        // The browser's own report of the broken connection.
        expect(problems.filter((problem) => !problem.includes('ERR_CONNECTION_RESET'))).toEqual([]);
      } finally {
        await close();
      }
    },
    testTimeout,
  );
});
