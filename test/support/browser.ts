// Headless Chromium for the browser tests, as a user without internet sees a page: Debian's
// chromium (.ci/run installs it) or CHROMIUM_PATH, and every request to another host aborted
// and recorded, so that a test can fail when one is even attempted.
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Waits for what a loaded 2-core machine may take seconds to do. */
export const uiTimeout = 60_000;

/** Launches Chromium; fails (never skips) with the fix when it is not installed. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}; the browser tests need it: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: uiTimeout,
  });
}

/**
 * Aborts every request of `context` to a host other than `origin` (data: and blob: URLs are
 * the page's own) and records each one, attempted or routed, in `foreign`.
 */
export async function keepOffline(context: BrowserContext, origin: string, foreign: string[]) {
  const isForeign = (url: string) =>
    !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin;
  context.on('request', (request) => {
    if (isForeign(request.url())) foreign.push(request.url());
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (!isForeign(url)) return route.continue();
    if (!foreign.includes(url)) foreign.push(url);
    return route.abort('internetdisconnected');
  });
}
