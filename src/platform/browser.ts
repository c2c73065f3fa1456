import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { TConfig } from '../config.ts';
import { AppError } from './errors.ts';
import { OutboundError } from './http.ts';

/**
 * Headless Chromium for HTML permit portals and assessor sites (issue 4 §2, §4): playwright-core driving the
 * system Chromium (DESIGN.md "offline machines": no browser download). Each session gets its own temporary
 * profile directory, which also tags its processes, so close() can prove none are left behind.
 */

/** DESIGN.md: no GPU, no sandbox (containers), no background traffic to Google. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

const PROFILE_PREFIX = 'tradelead-chromium-';
const CLOSE_TIMEOUT_MS = 10_000;
/** Resource types a scraper never needs: skipping them saves the portal's bandwidth and our time. */
const SKIPPED_RESOURCES = new Set(['image', 'media', 'font']);
/** Requests that hit the portal's own pages and data: each is checked against robots.txt and rate limited. */
const GUARDED_RESOURCES = new Set(['document', 'xhr', 'fetch']);

const pExecFile = promisify(execFile);

export type BrowserConfig = Pick<TConfig, 'CHROMIUM_PATH' | 'SCRAPER_USER_AGENT'>;

/** Runs before every page, XHR or fetch request a page makes; throwing blocks the request. */
export type RequestGuard = (url: string) => Promise<void>;

export interface BrowserSession {
  /** The temporary profile directory; it appears on every process of this browser's command line. */
  readonly userDataDir: string;
  /** A new tab whose requests pass through `guard` (robots.txt, per-host rate limit). */
  openPage(opts?: { guard?: RequestGuard; timeoutMs?: number }): Promise<GuardedPage>;
  /** Closes the browser, kills any process still tagged with this profile, removes the profile. Idempotent. */
  close(): Promise<void>;
}

export interface GuardedPage {
  readonly page: Page;
  /**
   * Navigates; a request the guard refused surfaces as the guard's own error (e.g. ROBOTS_DISALLOWED), an HTTP
   * error status as OutboundError('status') like the static fetches.
   */
  goto(url: string): Promise<void>;
  /**
   * Runs a Playwright action (click, wait). If the guard refuses a request while it runs — a click that
   * navigates somewhere disallowed — the action stops at once with the guard's error instead of timing out.
   */
  act<T>(fn: (page: Page) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Throws BROWSER_UNAVAILABLE, naming CHROMIUM_PATH, when the configured executable cannot be run. */
export function assertChromiumExecutable(chromiumPath: string): void {
  try {
    accessSync(chromiumPath, fsConstants.X_OK);
  } catch (err) {
    throw new AppError('BROWSER_UNAVAILABLE', {
      message: `Chromium is not available: CHROMIUM_PATH=${chromiumPath} is not an executable file (install Debian's chromium or set CHROMIUM_PATH)`,
      details: { CHROMIUM_PATH: chromiumPath },
      cause: err,
    });
  }
}

/** Launches headless Chromium with a fresh profile and the scraper's user agent. */
export async function launchBrowser(config: BrowserConfig): Promise<BrowserSession> {
  assertChromiumExecutable(config.CHROMIUM_PATH);
  const userDataDir = await mkdtemp(path.join(tmpdir(), PROFILE_PREFIX));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: config.CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      userAgent: config.SCRAPER_USER_AGENT,
      // The portals are public pages; a stale certificate on a county site should not stop a read-only scrape.
      ignoreHTTPSErrors: true,
      timeout: 30_000,
    });
  } catch (err) {
    await killProfileProcesses(userDataDir);
    await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    throw new AppError('BROWSER_UNAVAILABLE', {
      message: `Chromium at CHROMIUM_PATH=${config.CHROMIUM_PATH} failed to start: ${(err as Error).message.split('\n')[0]}`,
      details: { CHROMIUM_PATH: config.CHROMIUM_PATH },
      cause: err,
    });
  }
  return createSession(context, userDataDir);
}

/** Runs `fn` with a browser and always closes it, also when `fn` throws. */
export async function withBrowser<T>(config: BrowserConfig, fn: (browser: BrowserSession) => Promise<T>): Promise<T> {
  const browser = await launchBrowser(config);
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

function createSession(context: BrowserContext, userDataDir: string): BrowserSession {
  let closing: Promise<void> | undefined;
  // A persistent context opens with one blank tab; it is closed so pages come only from openPage().
  for (const p of context.pages()) void p.close().catch(() => {});
  return {
    userDataDir,
    async openPage(opts = {}) {
      if (closing) throw new AppError('BROWSER_UNAVAILABLE', { message: 'the browser session is closed' });
      const page = await context.newPage();
      page.setDefaultTimeout(opts.timeoutMs ?? 15_000);
      page.setDefaultNavigationTimeout(opts.timeoutMs ?? 30_000);
      return guardPage(page, opts.guard);
    },
    close() {
      closing ??= closeSession(context, userDataDir);
      return closing;
    },
  };
}

async function closeSession(context: BrowserContext, userDataDir: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_TIMEOUT_MS); });
  await Promise.race([context.close().catch(() => {}), timedOut]);
  clearTimeout(timer);
  // Playwright normally reaps everything; a hung close or a crashed renderer must still not leave orphans.
  await killProfileProcesses(userDataDir);
  await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
}

/** Pids of processes whose command line names this profile directory (the browser and its helpers). */
export async function profileProcesses(userDataDir: string): Promise<number[]> {
  try {
    const { stdout } = await pExecFile('pgrep', ['-f', '--', userDataDir]);
    return stdout.split('\n').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0 && n !== process.pid);
  } catch {
    return []; // pgrep exits 1 when nothing matches (or is missing; then there is nothing we can do)
  }
}

async function killProfileProcesses(userDataDir: string): Promise<void> {
  for (const pid of await profileProcesses(userDataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

function guardPage(page: Page, guard: RequestGuard | undefined): GuardedPage {
  let blocked: Error | undefined;
  let rejectBlocked!: (err: Error) => void;
  const blockedSignal = new Promise<never>((_, reject) => { rejectBlocked = reject; });
  blockedSignal.catch(() => {}); // observed through act(); never an unhandled rejection

  const ready = page.route('**/*', async (route) => {
    const req = route.request();
    const type = req.resourceType();
    try {
      if (SKIPPED_RESOURCES.has(type)) return await route.abort('blockedbyclient');
      if (guard && GUARDED_RESOURCES.has(type) && /^https?:/i.test(req.url())) {
        try {
          await guard(req.url());
        } catch (err) {
          blocked ??= err as Error;
          rejectBlocked(blocked);
          return await route.abort('blockedbyclient');
        }
      }
      await route.continue();
    } catch {
      /* the page closed while the request waited: nothing left to route */
    }
  });

  const act = async <T>(fn: (p: Page) => Promise<T>): Promise<T> => {
    await ready;
    if (blocked) throw blocked;
    try {
      return await Promise.race([fn(page), blockedSignal]);
    } catch (err) {
      throw blocked ?? err;
    }
  };

  return {
    page,
    act,
    async goto(url) {
      const res = await act((p) => p.goto(url, { waitUntil: 'domcontentloaded' }));
      // An error page would otherwise surface later as "rows never appeared"; say what really happened.
      if (res && res.status() >= 400) throw new OutboundError('status', `${url} answered HTTP ${res.status()}`, 1, res.status());
    },
    async close() {
      await page.close().catch(() => {});
    },
  };
}

/**
 * Polls the rendered DOM until `probe` returns a value; undefined at the deadline. Reading page.content()
 * survives navigations (a read during one is retried), where an in-page waitForFunction dies with the old
 * document — and lets callers test the DOM with the same cheerio selectors they extract with.
 */
export async function pollContent<T>(
  page: GuardedPage,
  probe: (html: string) => T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const html = await page.act((p) => p.content()).catch((err) => {
      if (err instanceof AppError) throw err; // the guard refused a request: stop now
      return null; // mid-navigation: try again
    });
    const found = html === null ? undefined : probe(html);
    if (found !== undefined) return found;
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}

/**
 * Runs `fn` so that aborting `signal` stops it promptly: the page is closed (pending Playwright calls fail), the
 * call also races the abort itself — so a Playwright call that does not notice the closed tab cannot hold the
 * caller — and the caller gets the signal's reason rather than a "target closed" error.
 */
export async function abortable<T>(page: GuardedPage, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  if (!signal) return fn();
  signal.throwIfAborted();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(signal.reason);
      void page.close();
    };
  });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const run = fn();
    run.catch(() => {}); // when the abort wins, the call's own failure (the closed tab) comes later and is no news
    return await Promise.race([run, aborted]);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
