import robotsParser from 'robots-parser';
import { AppError } from './errors.ts';

/**
 * robots.txt (RFC 9309) for every scraper and portal client. One robots.txt per origin is fetched and cached in
 * this process; a URL its rules disallow for our user agent is refused before any request is sent.
 *
 * RFC 9309 §2.3.1: a robots.txt that is "unavailable" (4xx) means no rules — everything is allowed; one that is
 * "unreachable" (5xx, network error, timeout) means a complete disallow until it can be fetched again. An
 * unreachable answer is cached only briefly so the next run tries again.
 */

type Robot = ReturnType<typeof robotsParser>;

interface CachedRobots {
  expiresAt: number;
  /** null → allow everything (no robots.txt). */
  robot: Robot | null;
  /** Set when robots.txt was unreachable: the whole origin is disallowed. */
  unreachable?: string;
}

/** RFC 9309 §2.4: crawlers should not use a cached robots.txt for more than 24 h; we refresh hourly. */
const FRESH_TTL_MS = 60 * 60 * 1000;
/** Unreachable answers are retried after a minute so one outage does not block an origin for an hour. */
const UNREACHABLE_TTL_MS = 60 * 1000;
const FETCH_TIMEOUT_MS = 10_000;
/** RFC 9309 §2.5: parse at least 500 KiB; anything past that is ignored. */
const MAX_BYTES = 500 * 1024;

const cache = new Map<string, Promise<CachedRobots>>();

/** Forget every cached robots.txt (tests; or after changing SCRAPER_USER_AGENT). */
export function clearRobotsCache(): void {
  cache.clear();
}

/** The product token robots.txt groups match on: "TradeLeadBot/0.1 (+https://…)" → "TradeLeadBot". */
export function robotsProductToken(userAgent: string): string {
  return userAgent.trim().split(/\s+/)[0]!.split('/')[0]!;
}

async function fetchRobots(origin: string, userAgent: string, signal?: AbortSignal): Promise<CachedRobots> {
  const robotsUrl = `${origin}/robots.txt`;
  const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  const now = Date.now();
  try {
    const res = await fetch(robotsUrl, {
      headers: { 'user-agent': userAgent, accept: 'text/plain' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: 'follow',
    });
    const text = await res.text();
    if (res.ok) return { expiresAt: now + FRESH_TTL_MS, robot: robotsParser(robotsUrl, text.slice(0, MAX_BYTES)) };
    if (res.status >= 400 && res.status < 500) return { expiresAt: now + FRESH_TTL_MS, robot: null };
    return { expiresAt: now + UNREACHABLE_TTL_MS, robot: null, unreachable: `${robotsUrl} answered HTTP ${res.status}` };
  } catch (err) {
    // The caller's own abort is not a fact about the site: do not cache it.
    if (signal?.aborted) throw err;
    const why = timeout.aborted ? `did not answer within ${FETCH_TIMEOUT_MS} ms` : `unreachable (${(err as Error).message})`;
    return { expiresAt: now + UNREACHABLE_TTL_MS, robot: null, unreachable: `${robotsUrl} ${why}` };
  }
}

async function robotsFor(origin: string, userAgent: string, signal?: AbortSignal): Promise<CachedRobots> {
  const hit = cache.get(origin);
  if (hit) {
    const cached = await hit.catch(() => null);
    if (cached && cached.expiresAt > Date.now()) return cached;
    // Stale or failed: drop it, unless another caller already replaced it while we waited.
    if (cache.get(origin) !== hit) return robotsFor(origin, userAgent, signal);
    cache.delete(origin);
  }
  // The promise itself is cached so concurrent callers share one fetch of robots.txt.
  const pending = fetchRobots(origin, userAgent, signal);
  cache.set(origin, pending);
  pending.catch(() => {
    if (cache.get(origin) === pending) cache.delete(origin);
  });
  return pending;
}

/**
 * Resolves when `url` may be fetched by `userAgent`; throws AppError ROBOTS_DISALLOWED otherwise (details: url,
 * robotsUrl, reason). With `respect: false` (SCRAPER_RESPECT_ROBOTS=false) nothing is fetched or checked.
 * `/robots.txt` itself is always allowed.
 */
export async function assertAllowedByRobots(url: string, opts: { userAgent: string; respect: boolean; signal?: AbortSignal }): Promise<void> {
  if (!opts.respect) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('BAD_REQUEST', { message: `not an absolute URL: ${url}` });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return;
  if (parsed.pathname === '/robots.txt') return;
  const robotsUrl = `${parsed.origin}/robots.txt`;
  const entry = await robotsFor(parsed.origin, opts.userAgent, opts.signal);
  if (entry.unreachable) {
    throw new AppError('ROBOTS_DISALLOWED', {
      message: `robots.txt is unreachable, so ${parsed.origin} is treated as disallowed (RFC 9309): ${entry.unreachable}`,
      details: { url, robotsUrl, reason: 'unreachable' },
    });
  }
  if (!entry.robot) return;
  const token = robotsProductToken(opts.userAgent);
  // robots-parser answers undefined for a URL of another origin; ours is always the same origin.
  if (entry.robot.isDisallowed(url, token) === true) {
    const line = entry.robot.getMatchingLineNumber(url, token);
    throw new AppError('ROBOTS_DISALLOWED', {
      message: `${robotsUrl} disallows ${parsed.pathname}${parsed.search} for ${token}${line > 0 ? ` (line ${line})` : ''}`,
      details: { url, robotsUrl, reason: 'disallowed', line },
    });
  }
}

/** Crawl-delay for our user agent in seconds, when the cached robots.txt of the URL's origin sets one. */
export async function robotsCrawlDelay(url: string, opts: { userAgent: string; signal?: AbortSignal }): Promise<number | undefined> {
  const origin = new URL(url).origin;
  const entry = await robotsFor(origin, opts.userAgent, opts.signal);
  return entry.robot?.getCrawlDelay(robotsProductToken(opts.userAgent));
}
