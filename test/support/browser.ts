import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (scripts/setup-test-tools.sh installs it); playwright-core never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless with no GPU and no sandbox (the tests run as root in a container); everything the browser
 * would fetch on its own behalf (updates, sync, QUIC probes, first-run pages) is turned off, so that
 * the only traffic is what the page asks for.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const LAUNCH_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 15_000;
const DEFAULT_STEP_TIMEOUT_MS = 30_000;

/** Why a browser test cannot run here, or false. */
export function chromiumSkipReason(): string | false {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found: install Debian's chromium package (scripts/setup-test-tools.sh tries to)`;
  const probe = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0 ? false : `${CHROMIUM} --version failed: ${(probe.stderr ?? '').trim() || String(probe.status)}`;
}

/** One request the page (or anything it opened) made; none but the page's own file is let through. */
export interface PageRequest {
  url: string;
  method: string;
  resourceType: string;
  /** The page's own file, the one request that was served. */
  isPageItself: boolean;
}

export interface PageVisit<T> {
  /** What `inspect` returned; undefined when it threw (see `failure`). */
  result: T | undefined;
  failure: string | undefined;
  /** Every request, in order, the page's own file included. */
  requests: PageRequest[];
  consoleErrors: string[];
  pageErrors: string[];
  browserVersion: string;
}

export interface VisitOptions<T> {
  /** The browser profile lives in a fresh folder under here and is removed afterwards. */
  scratchDir: string;
  viewport?: { width: number; height: number };
  /** Bound on each navigation, wait and screenshot inside `inspect` (Playwright's default timeout). */
  stepTimeoutMs?: number;
  /** Runs once the page has loaded; the page is closed after it, whatever it does. */
  inspect(page: Page): Promise<T>;
}

/**
 * Opens a local HTML file in headless Chromium with no network: every request is recorded, and
 * every one but the file itself is aborted, so a stray CDN reference shows up here instead of being
 * fetched. Console errors and uncaught page errors are recorded too. All of it comes back as data.
 */
export async function visitOfflinePage<T>(file: string, options: VisitOptions<T>): Promise<PageVisit<T>> {
  const pageUrl = pathToFileURL(file).href;
  const profile = await mkdtemp(join(options.scratchDir, 'chromium-profile-'));
  const visit: PageVisit<T> = { result: undefined, failure: undefined, requests: [], consoleErrors: [], pageErrors: [], browserVersion: '' };
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: LAUNCH_TIMEOUT_MS,
      viewport: options.viewport ?? { width: 1280, height: 900 },
      serviceWorkers: 'block',
      acceptDownloads: false,
      // The browser sees no network at all; the route below is what catches and names a request.
      offline: true,
    });
    visit.browserVersion = context.browser()?.version() ?? '';
    context.setDefaultTimeout(options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS);
    context.on('request', (request) => {
      visit.requests.push({ url: request.url(), method: request.method(), resourceType: request.resourceType(), isPageItself: request.url() === pageUrl });
    });
    await context.route('**', (route) => (route.request().url() === pageUrl ? route.continue() : route.abort('blockedbyclient')));
    // WebSockets bypass `route`: they are named and closed here, never connected.
    await context.routeWebSocket('**', (ws) => {
      visit.requests.push({ url: ws.url(), method: 'GET', resourceType: 'websocket', isPageItself: false });
      return ws.close({ code: 1008, reason: 'offline test' });
    });
    context.on('page', (page) => watchPage(page, visit));
    const page = context.pages()[0] ?? (await context.newPage());
    watchPage(page, visit);
    try {
      await page.goto(pageUrl, { waitUntil: 'load' });
      visit.result = await options.inspect(page);
    } catch (error) {
      visit.failure = error instanceof Error ? error.message : String(error);
    }
  } finally {
    if (context !== undefined) await closeWithin(context, CLOSE_TIMEOUT_MS);
    await rm(profile, { recursive: true, force: true, maxRetries: 3 });
  }
  return visit;
}

const watched = new WeakSet<Page>();

function watchPage(page: Page, visit: PageVisit<unknown>): void {
  if (watched.has(page)) return;
  watched.add(page);
  page.on('console', (message) => {
    if (message.type() === 'error') visit.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => visit.pageErrors.push(error.stack ?? error.message));
}

/** A hung browser must not hang the test: past the bound, Playwright's exit hook kills it with the test process. */
async function closeWithin(context: BrowserContext, boundMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    context.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
    }),
  ]);
  clearTimeout(timer);
}
