import type { z } from 'zod';
import type { AppContext } from '../../../platform/context.ts';
import { AppError, isAppError } from '../../../platform/errors.ts';
import { OutboundError } from '../../../platform/http.ts';
import { abortable, launchBrowser, type BrowserSession, type GuardedPage } from '../../../platform/browser.ts';
import {
  PERMIT_FIELDS,
  type FetchOptions,
  type NormalizedPermit,
  type PermitSource,
  type PermitWindow,
  type ZHtmlSource,
} from '../acquisition.types.ts';
import { fetchHtml, fillTemplate, fillUrlTemplate, scrapeGuard } from '../html-fetch.ts';
import {
  assertFieldSpecs,
  assertKnownFields,
  assertSelector,
  countMatches,
  extractRows,
  findLink,
  mapPermitRow,
  permitWindowDay,
  type ExtractedRow,
} from '../html-parse.ts';

/**
 * Permits from an HTML search portal (issue 4 §2). Playwright mode fills the portal's date form in the system
 * Chromium, submits, and pages with its Next button; static mode fetches server-rendered result pages.
 * Both read rows with the same cheerio selectors (Playwright hands over the rendered DOM), so a city can
 * switch modes without touching its field map. Every page request passes robots.txt and the host rate limit.
 */
export type THtmlSource = z.infer<typeof ZHtmlSource>;

export interface HtmlSourceOptions {
  /** A browser to share (a worker scraping many cities); the source opens and closes only its own tab. */
  browser?: BrowserSession;
}

const PROVIDER = 'html-portal';

/** The window as the portal's form expects it: first day and last day, both inclusive, YYYY-MM-DD (UTC). */
export function windowDays(window: PermitWindow): { since: string; until: string } {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  // PermitWindow.until is exclusive; search forms take the last day to include.
  return { since: day(window.since), until: day(new Date(window.until.getTime() - 1)) };
}

export function htmlSourceKey(url: string): string {
  const u = new URL(url);
  return `html:${u.host}${decodeURI(u.pathname)}`;
}

/** Throws VALIDATION_FAILED naming the bad field before any request: unknown permit fields, bad selectors. */
function validateConfig(config: THtmlSource): void {
  assertKnownFields(config.fields, PERMIT_FIELDS);
  assertFieldSpecs(config.fields);
  assertSelector(config.rowSelector, 'rowSelector');
  if (config.nextSelector) assertSelector(config.nextSelector, 'nextSelector');
  if (config.noResultsSelector) assertSelector(config.noResultsSelector, 'noResultsSelector');
}

export function createHtmlPermitSource(config: THtmlSource, ctx: AppContext, opts: HtmlSourceOptions = {}): PermitSource {
  validateConfig(config);
  const sourceKey = htmlSourceKey(config.url);
  const run = config.mode === 'static' ? fetchStatic : config.staticFallback ? fetchWithStaticFallback : fetchWithBrowser;
  return {
    kind: 'html',
    sourceKey,
    fetchPermits: (window, fetchOpts = {}) => run({ config, ctx, window, fetchOpts, sourceKey, browser: opts.browser }),
  };
}

interface RunArgs {
  config: THtmlSource;
  ctx: AppContext;
  window: PermitWindow;
  fetchOpts: FetchOptions;
  sourceKey: string;
  browser?: BrowserSession;
}

/** Keeps one page's rows that are permits inside the window and not already seen on an earlier page. */
function collectPage(rows: ExtractedRow[], args: RunArgs, pageUrl: string, seen: Set<string>): NormalizedPermit[] {
  const { since, until } = windowDays(args.window);
  const out: NormalizedPermit[] = [];
  for (const row of rows) {
    const p = mapPermitRow(row, { defaultCity: args.config.defaultCity, defaultState: args.config.defaultState, sourceUrl: pageUrl });
    if (!p || seen.has(p.permitNumber)) continue;
    // The portal filters by its own date; this also trims static pages that ignore the window.
    const day = permitWindowDay(p);
    if (day !== null && (day < since || day > until)) continue;
    seen.add(p.permitNumber);
    out.push(p);
  }
  return out;
}

function layoutChanged(config: THtmlSource, what: string): AppError {
  return new AppError('HTML_SELECTOR_NOT_FOUND', {
    message: `${htmlSourceKey(config.url)}: ${what} — the portal's layout may have changed`,
    details: { url: config.url, rowSelector: config.rowSelector, noResultsSelector: config.noResultsSelector ?? null },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Static mode
// ---------------------------------------------------------------------------------------------------------

/** One static page; null when a page past the first is 404 (numbered URLs often end that way). */
async function fetchPage(args: RunArgs, url: string, n: number): Promise<string | null> {
  try {
    return await fetchHtml(args.ctx, url, { provider: PROVIDER, signal: args.fetchOpts.signal, requestParams: { source: args.sourceKey, page: n } });
  } catch (err) {
    if (n > 1 && err instanceof OutboundError && err.status === 404) return null;
    throw err;
  }
}

async function* fetchStatic(args: RunArgs): AsyncGenerator<NormalizedPermit[]> {
  const { config, fetchOpts } = args;
  const days = windowDays(args.window);
  const paged = config.url.includes('{page}');
  const seen = new Set<string>();
  let url = fillUrlTemplate(config.url, { ...days, page: 1 });
  let received = 0;
  for (let n = 1; n <= config.maxPages; n++) {
    fetchOpts.signal?.throwIfAborted();
    const html = await fetchPage(args, url, n);
    if (html === null) break;
    const rows = extractRows(html, config.rowSelector, config.fields);
    if (rows.length === 0) {
      // Past the last page of a {page} URL is simply empty; an empty first page must say it found nothing.
      if (n === 1 && !(config.noResultsSelector && countMatches(html, config.noResultsSelector) > 0)) {
        throw layoutChanged(config, `no element matched rowSelector "${config.rowSelector}"${config.noResultsSelector ? ` nor noResultsSelector "${config.noResultsSelector}"` : ''} on ${url}`);
      }
      break;
    }
    const permits = collectPage(rows, args, url, seen);
    received += permits.length;
    fetchOpts.onProgress?.(received, { page: n, rows: rows.length, url });
    if (permits.length) yield permits;

    const next = config.nextSelector ? findLink(html, config.nextSelector) : null;
    if (next && (!next.present || next.disabled)) break;
    if (paged) url = fillUrlTemplate(config.url, { ...days, page: n + 1 });
    else if (next?.href) url = new URL(next.href, url).toString();
    else break;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Playwright mode
// ---------------------------------------------------------------------------------------------------------

/**
 * Playwright first; when Chromium cannot be started (BROWSER_UNAVAILABLE, before any page was read), the same
 * window through the configured static pages and cheerio. Any other failure — a portal error, a changed layout —
 * is not hidden behind the fallback.
 */
async function* fetchWithStaticFallback(args: RunArgs): AsyncGenerator<NormalizedPermit[]> {
  let pages = 0;
  try {
    for await (const page of fetchWithBrowser(args)) {
      pages++;
      yield page;
    }
  } catch (err) {
    if (pages > 0 || !isAppError(err) || err.code !== 'BROWSER_UNAVAILABLE') throw err;
    const fb = args.config.staticFallback!;
    args.ctx.log.warn({ source: args.sourceKey, err: err.message }, 'Chromium unavailable; reading the portal\'s static pages instead');
    const config: THtmlSource = {
      ...args.config,
      mode: 'static',
      url: fb.url,
      rowSelector: fb.rowSelector ?? args.config.rowSelector,
      fields: fb.fields ?? args.config.fields,
      nextSelector: fb.nextSelector ?? (fb.url.includes('{page}') ? undefined : args.config.nextSelector),
      noResultsSelector: fb.noResultsSelector ?? args.config.noResultsSelector,
    };
    validateConfig(config);
    yield* fetchStatic({ ...args, config });
  }
}

async function* fetchWithBrowser(args: RunArgs): AsyncGenerator<NormalizedPermit[]> {
  const { config, ctx, fetchOpts } = args;
  const browser = args.browser ?? (await launchBrowser(ctx.config));
  try {
    const signal = fetchOpts.signal;
    signal?.throwIfAborted();
    const page = await browser.openPage({ guard: scrapeGuard(ctx.config, signal), timeoutMs: config.timeoutMs });
    // Each browser step is abortable: aborting closes the tab and ends the step now rather than at its timeout.
    const step = <T>(fn: () => Promise<T>): Promise<T> => abortable(page, signal, fn);
    try {
      await step(() => submitSearch(page, config, windowDays(args.window)));
      const seen = new Set<string>();
      let received = 0;
      for (let n = 1; n <= config.maxPages; n++) {
        if ((await step(() => waitForRows(page, config))) === 'empty') break;
        const html = await step(() => page.act((p) => p.content()));
        const rows = extractRows(html, config.rowSelector, config.fields);
        const permits = collectPage(rows, args, page.page.url(), seen);
        received += permits.length;
        fetchOpts.onProgress?.(received, { page: n, rows: rows.length, url: page.page.url() });
        if (permits.length) yield permits;
        if (n === config.maxPages || !(await step(() => clickNext(page, config)))) break;
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw err;
    } finally {
      // After an abort the tab is already closing; do not wait on it.
      if (signal?.aborted) void page.close();
      else await page.close();
    }
  } finally {
    if (!args.browser) await browser.close();
  }
}

/** Opens the search page, types the window into the form and submits it (Enter when no submit button). */
async function submitSearch(page: GuardedPage, config: THtmlSource, days: { since: string; until: string }): Promise<void> {
  await page.goto(config.url);
  const entries = Object.entries(config.form ?? {});
  for (const [selector, value] of entries) {
    await page.act((p) => p.locator(selector).first().fill(fillTemplate(value, days)));
  }
  if (config.submitSelector) await page.act((p) => p.locator(config.submitSelector!).first().click());
  else if (entries.length) await page.act((p) => p.locator(entries.at(-1)![0]).first().press('Enter'));
}

/** Waits until result rows (or the "no results" marker) are visible. */
async function waitForRows(page: GuardedPage, config: THtmlSource): Promise<'rows' | 'empty'> {
  const rows = page.page.locator(config.rowSelector);
  const either = config.noResultsSelector ? rows.or(page.page.locator(config.noResultsSelector)) : rows;
  // Only visible matches count: portals keep a hidden "no results" box (or hidden rows) in the page.
  const target = either.filter({ visible: true }).first();
  try {
    await page.act(() => target.waitFor({ state: 'visible', timeout: config.timeoutMs }));
  } catch (err) {
    if (err instanceof AppError) throw err; // the request guard's own error (robots.txt)
    throw layoutChanged(config, `no element matched rowSelector "${config.rowSelector}"${config.noResultsSelector ? ` nor noResultsSelector "${config.noResultsSelector}"` : ''} within ${config.timeoutMs} ms on ${page.page.url()}`);
  }
  return (await rows.filter({ visible: true }).count()) > 0 ? 'rows' : 'empty';
}

/** Clicks Next when it is there and enabled, then waits until the rows changed; false at the last page. */
async function clickNext(page: GuardedPage, config: THtmlSource): Promise<boolean> {
  if (!config.nextSelector) return false;
  const next = page.page.locator(config.nextSelector).first();
  if ((await next.count()) === 0 || !(await next.isVisible())) return false;
  const disabled = await next.evaluate(
    (el) => el.hasAttribute('disabled') || el.getAttribute('aria-disabled') === 'true' || el.classList.contains('disabled'),
  );
  if (disabled) return false;
  const before = await firstRowHtml(page, config, 1000);
  await page.act(() => next.click());
  await waitForRowsChange(page, config, before);
  return true;
}

async function firstRowHtml(page: GuardedPage, config: THtmlSource, timeout: number): Promise<string | null> {
  return page.act((p) => p.locator(config.rowSelector).first().innerHTML({ timeout })).catch((err) => {
    if (err instanceof AppError) throw err;
    return null;
  });
}

/**
 * Next may re-render rows in place (JS portals) or load a new document (classic portals); polling the first
 * row through a locator survives both, where waitForFunction would die with the old document.
 */
async function waitForRowsChange(page: GuardedPage, config: THtmlSource, before: string | null): Promise<void> {
  const deadline = Date.now() + config.timeoutMs;
  while (Date.now() < deadline) {
    const now = await firstRowHtml(page, config, Math.max(100, Math.min(1000, deadline - Date.now())));
    if (now !== null && now !== before) return;
    if (config.noResultsSelector && (await page.page.locator(config.noResultsSelector).first().isVisible().catch(() => false))) return;
    await page.act((p) => p.waitForTimeout(100));
  }
  throw layoutChanged(config, `rows did not change within ${config.timeoutMs} ms after clicking nextSelector "${config.nextSelector}"`);
}
