import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { AppContext } from '../../../platform/context.ts';
import { AppError } from '../../../platform/errors.ts';
import { abortable, launchBrowser, pollContent, type BrowserSession, type GuardedPage } from '../../../platform/browser.ts';
import { PROPERTY_FIELDS, type PropertyRecord, type ZAssessorHtmlSource } from '../acquisition.types.ts';
import { normalizeAddress } from '../address.ts';
import { fetchHtml, fillUrlTemplate, scrapeGuard } from '../html-fetch.ts';
import {
  assertFieldSpecs,
  assertKnownFields,
  assertSelector,
  countMatches,
  extractFields,
  findLink,
  mapPropertyFields,
} from '../html-parse.ts';

/**
 * Address search on a county assessor site (seed 002 §3.1.2 "address-based search on county websites";
 * issue 4 §4): type the address, submit, follow the first result to the parcel page, read owner, mailing
 * address, values and building facts with the configured selectors. One browser serves every lookup until
 * close(). Answers, including "no such parcel", are cached in Redis for 24 hours (seed 002 §3.1.2 "Cache").
 */
export type TAssessorHtmlSource = z.infer<typeof ZAssessorHtmlSource>;

export interface AssessorAddress {
  address: string;
  city: string;
  state: string;
  zip?: string | null;
}

export interface AssessorLookup {
  lookup(addr: AssessorAddress, opts?: { signal?: AbortSignal }): Promise<PropertyRecord | null>;
}

export interface HtmlAssessorOptions {
  /** A browser to share; the source then opens only its own tabs and close() leaves the browser running. */
  browser?: BrowserSession;
  /** Redis cache lifetime; 0 turns the cache off. Default 24 h (seed 002 §3.1.2). */
  cacheTtlSeconds?: number;
}

const PROVIDER = 'html-assessor';
const DEFAULT_CACHE_TTL_SECONDS = 24 * 3600;
/** Field whose value proves the parcel page is showing, in order of preference. */
const ANCHOR_FIELDS = ['parcelId', 'ownerName', 'address', 'assessedValue', 'marketValue'];

type Page = { kind: 'detail' } | { kind: 'list'; href: string | null } | { kind: 'none' };

function validateConfig(config: TAssessorHtmlSource): void {
  assertKnownFields(config.fields, PROPERTY_FIELDS);
  if (Object.keys(config.fields).length === 0) {
    throw new AppError('VALIDATION_FAILED', { message: 'fields: map at least one property field to a selector', details: { field: 'fields' } });
  }
  assertFieldSpecs(config.fields);
  if (config.resultLinkSelector) assertSelector(config.resultLinkSelector, 'resultLinkSelector');
  if (config.noResultsSelector) assertSelector(config.noResultsSelector, 'noResultsSelector');
  if (config.mode === 'static' && !config.url.includes('{address}')) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'url: static mode needs an {address} placeholder (e.g. https://assessor.example/search?q={address})',
      details: { field: 'url' },
    });
  }
}

/** Classifies a page: the parcel itself, a result list (with the first link), or "no match". */
function classify(html: string, config: TAssessorHtmlSource, anchor: Record<string, string>): Page | undefined {
  if (Object.values(extractFields(html, anchor))[0]) return { kind: 'detail' };
  if (config.resultLinkSelector) {
    const link = findLink(html, config.resultLinkSelector);
    if (link.present) return { kind: 'list', href: link.href };
  }
  if (config.noResultsSelector && countMatches(html, config.noResultsSelector) > 0) return { kind: 'none' };
  return undefined;
}

function anchorField(config: TAssessorHtmlSource): Record<string, string> {
  const name = ANCHOR_FIELDS.find((f) => config.fields[f]) ?? Object.keys(config.fields)[0]!;
  return { [name]: config.fields[name]! };
}

function layoutChanged(config: TAssessorHtmlSource, url: string, what: string): AppError {
  return new AppError('HTML_SELECTOR_NOT_FOUND', {
    message: `assessor ${new URL(config.url).host}: ${what} on ${url} — the site's layout may have changed${config.noResultsSelector ? '' : ' (set noResultsSelector if this page means "no match")'}`,
    details: { url, fields: config.fields, resultLinkSelector: config.resultLinkSelector ?? null, noResultsSelector: config.noResultsSelector ?? null },
  });
}

function toRecord(html: string, url: string, config: TAssessorHtmlSource, addr: AssessorAddress): PropertyRecord | null {
  const extracted = extractFields(html, config.fields);
  if (Object.values(extracted).every((v) => v === null)) return null;
  const record = mapPropertyFields(extracted, addr);
  record.raw = { ...record.raw, sourceUrl: url };
  return record;
}

export function createHtmlAssessorSource(
  config: TAssessorHtmlSource,
  ctx: AppContext,
  opts: HtmlAssessorOptions = {},
): AssessorLookup & { close(): Promise<void> } {
  validateConfig(config);
  const anchor = anchorField(config);
  const ttl = opts.cacheTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS;
  // The key covers the configuration, so fixing a selector does not serve yesterday's wrong answers.
  const configHash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12);
  const cacheKey = (a: AssessorAddress) =>
    `${ctx.config.QUEUE_PREFIX}:assessor:${configHash}:${createHash('sha256').update(`${normalizeAddress(a.address)}|${a.city.toUpperCase()}|${a.state.toUpperCase()}|${a.zip ?? ''}`).digest('hex').slice(0, 32)}`;

  let browser: Promise<BrowserSession> | undefined;
  let closed = false;
  const getBrowser = () => {
    if (opts.browser) return Promise.resolve(opts.browser);
    // A failed launch is not remembered: the next lookup tries again (CHROMIUM_PATH fixed, memory freed).
    browser ??= launchBrowser(ctx.config).catch((err) => {
      browser = undefined;
      throw err;
    });
    return browser;
  };

  const lookupLive = async (addr: AssessorAddress, signal?: AbortSignal): Promise<PropertyRecord | null> => {
    if (config.mode === 'static') return lookupStatic(ctx, config, anchor, addr, signal);
    const page = await (await getBrowser()).openPage({ guard: scrapeGuard(ctx.config, signal), timeoutMs: config.timeoutMs });
    try {
      return await abortable(page, signal, () => lookupWithPage(page, config, anchor, addr));
    } finally {
      await page.close();
    }
  };

  return {
    async lookup(addr, lookupOpts = {}) {
      if (closed) throw new AppError('BROWSER_UNAVAILABLE', { message: 'this assessor source is closed' });
      if (!addr.address?.trim()) throw new AppError('VALIDATION_FAILED', { message: 'address: a street address is required', details: { field: 'address' } });
      const key = cacheKey(addr);
      const cached = ttl > 0 ? await ctx.redis.get(key).catch(() => null) : null;
      if (cached !== null) return JSON.parse(cached) as PropertyRecord | null;
      const record = await lookupLive(addr, lookupOpts.signal);
      // The cache is an optimisation: Redis being down must not fail a lookup that worked.
      if (ttl > 0) await ctx.redis.set(key, JSON.stringify(record), 'EX', ttl).catch(() => {});
      return record;
    },
    async close() {
      closed = true;
      if (opts.browser || !browser) return;
      const b = await browser.catch(() => undefined);
      await b?.close();
    },
  };
}

async function lookupStatic(
  ctx: AppContext,
  config: TAssessorHtmlSource,
  anchor: Record<string, string>,
  addr: AssessorAddress,
  signal?: AbortSignal,
): Promise<PropertyRecord | null> {
  let url = fillUrlTemplate(config.url, { address: addr.address, zip: addr.zip ?? '' });
  // Two hops at most: search results, then the parcel page.
  for (let hop = 0; hop < 2; hop++) {
    const html = await fetchHtml(ctx, url, { provider: PROVIDER, signal, requestParams: { host: new URL(url).host, hop } });
    const page = classify(html, config, anchor);
    if (!page) throw layoutChanged(config, url, 'neither the parcel fields, resultLinkSelector nor noResultsSelector matched');
    if (page.kind === 'none') return null;
    if (page.kind === 'detail') return toRecord(html, url, config, addr);
    if (!page.href) throw layoutChanged(config, url, `resultLinkSelector "${config.resultLinkSelector}" has no href`);
    url = new URL(page.href, url).toString();
  }
  throw layoutChanged(config, url, 'the result link did not lead to a parcel page');
}

async function lookupWithPage(
  page: GuardedPage,
  config: TAssessorHtmlSource,
  anchor: Record<string, string>,
  addr: AssessorAddress,
): Promise<PropertyRecord | null> {
  await page.goto(fillUrlTemplate(config.url, { address: addr.address, zip: addr.zip ?? '' }));
  if (config.addressSelector) {
    const input = page.page.locator(config.addressSelector).first();
    await page.act(() => input.fill(addr.address));
    if (config.submitSelector) await page.act((p) => p.locator(config.submitSelector!).first().click());
    else await page.act(() => input.press('Enter'));
  }
  for (let hop = 0; hop < 2; hop++) {
    const found = await pollContent(page, (html) => classify(html, config, anchor), config.timeoutMs);
    if (!found) throw layoutChanged(config, page.page.url(), `neither the parcel fields, resultLinkSelector nor noResultsSelector appeared within ${config.timeoutMs} ms`);
    if (found.kind === 'none') return null;
    if (found.kind === 'detail') return toRecord(await page.act((p) => p.content()), page.page.url(), config, addr);
    // Follow the link by its href (a plain navigation); links that only have a click handler get clicked.
    if (found.href) await page.goto(new URL(found.href, page.page.url()).toString());
    else await page.act((p) => p.locator(config.resultLinkSelector!).first().click());
  }
  throw layoutChanged(config, page.page.url(), 'the result link did not lead to a parcel page');
}
