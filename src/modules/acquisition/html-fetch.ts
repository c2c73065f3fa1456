import type { AppContext } from '../../platform/context.ts';
import type { RequestGuard } from '../../platform/browser.ts';
import { sendRequest } from '../../platform/http.ts';
import { assertAllowedByRobots, robotsCrawlDelay } from '../../platform/robots.ts';
import { waitForHostSlot } from '../../platform/host-limiter.ts';

/**
 * Politeness for every scraped request (seed 002 §11.2 "Respect robots.txt", "Rate limiting"): robots.txt
 * first (so a disallowed page is never requested), then a slot of the per-host rate limit.
 */
export function scrapeGuard(config: AppContext['config'], signal?: AbortSignal): RequestGuard {
  return async (url) => {
    await assertAllowedByRobots(url, { userAgent: config.SCRAPER_USER_AGENT, respect: config.SCRAPER_RESPECT_ROBOTS, signal });
    await waitForHostSlot(url, await hostRate(config, url, signal), signal);
  };
}

/** SCRAPER_HOST_RATE_PER_SECOND, slowed further by the site's robots.txt Crawl-delay (never sped up). */
async function hostRate(config: AppContext['config'], url: string, signal?: AbortSignal): Promise<number> {
  const perSecond = config.SCRAPER_HOST_RATE_PER_SECOND;
  if (!config.SCRAPER_RESPECT_ROBOTS) return perSecond;
  const delay = await robotsCrawlDelay(url, { userAgent: config.SCRAPER_USER_AGENT, signal });
  return delay && delay > 0 ? Math.min(perSecond, 1 / delay) : perSecond;
}

export interface FetchHtmlOptions {
  /** api_usage_logs.api_provider, e.g. html-portal / html-assessor. */
  provider: string;
  signal?: AbortSignal;
  /** What to keep of the request in api_usage_logs (never an owner's data). */
  requestParams?: Record<string, unknown>;
  timeoutMs?: number;
}

/**
 * GET one HTML page with the scraper's user agent: robots.txt checked before anything is sent, every attempt
 * (retries included) spaced by the host rate, a 429/503 Retry-After honoured, one api_usage_logs row per attempt.
 */
export async function fetchHtml(ctx: Pick<AppContext, 'config' | 'db'>, url: string, opts: FetchHtmlOptions): Promise<string> {
  const res = await sendRequest({
    provider: opts.provider,
    url,
    headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5' },
    userAgent: ctx.config.SCRAPER_USER_AGENT,
    robots: ctx.config.SCRAPER_RESPECT_ROBOTS,
    hostRatePerSecond: await hostRate(ctx.config, url, opts.signal),
    timeoutMs: opts.timeoutMs ?? 30_000,
    retries: 2,
    signal: opts.signal,
    usage: { db: ctx.db.prisma, service: 'acquisition', requestParams: opts.requestParams },
  });
  return res.text;
}

/** `url` with each {name} replaced by its URL-encoded value; names not given are left as they are. */
export function fillUrlTemplate(url: string, values: Record<string, string | number>): string {
  return url.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? encodeURIComponent(String(values[name])) : whole));
}

/** `text` with each {name} replaced verbatim (form values typed into inputs). */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
