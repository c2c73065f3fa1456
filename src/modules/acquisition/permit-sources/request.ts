import type { AppContext } from '../../../platform/context.ts';
import { AppError, isAppError } from '../../../platform/errors.ts';
import { OutboundError, sendRequest } from '../../../platform/http.ts';
import { robotsCrawlDelay } from '../../../platform/robots.ts';

/**
 * One GET of a permit portal as every API source makes it: SCRAPER_USER_AGENT, robots.txt
 * (SCRAPER_RESPECT_ROBOTS), the per-host rate limit (SCRAPER_HOST_RATE_PER_SECOND), retries with backoff that
 * honour Retry-After, and an api_usage_logs row per attempt. Failures become AppError SOURCE_FAILED carrying the
 * provider's own message; ROBOTS_DISALLOWED passes through unchanged.
 */
export interface SourceRequest {
  provider: string;
  url: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Kept in api_usage_logs.request_params (never tokens). */
  params?: Record<string, unknown>;
  accept?: string;
  timeoutMs?: number;
}

export interface SourceResponse {
  text: string;
  /** Attempts beyond the first (retries) this request needed. */
  retries: number;
}

/** Pulls a human message out of an error body: Socrata {message}, ArcGIS {error:{message}}, or the text. */
export function providerMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const j = JSON.parse(body) as { message?: unknown; error?: { message?: unknown; details?: unknown } };
    const msg = j.message ?? j.error?.message;
    if (typeof msg === 'string') return msg;
  } catch {
    /* not JSON */
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 300) || undefined;
}

/**
 * Requests per second for the URL's host: SCRAPER_HOST_RATE_PER_SECOND, slowed further when the site's robots.txt
 * sets a Crawl-delay for us (a non-standard but common directive; RFC 9309 leaves it to the crawler).
 */
async function hostRate(ctx: Pick<AppContext, 'config'>, url: string, signal?: AbortSignal): Promise<number> {
  const rate = ctx.config.SCRAPER_HOST_RATE_PER_SECOND;
  if (!ctx.config.SCRAPER_RESPECT_ROBOTS) return rate;
  const delay = await robotsCrawlDelay(url, { userAgent: ctx.config.SCRAPER_USER_AGENT, signal });
  return delay && delay > 0 ? Math.min(rate, 1 / delay) : rate;
}

export async function sourceGet(ctx: Pick<AppContext, 'config' | 'db'>, req: SourceRequest): Promise<SourceResponse> {
  try {
    const hostRatePerSecond = await hostRate(ctx, req.url, req.signal);
    const res = await sendRequest({
      provider: req.provider,
      url: req.url,
      headers: { accept: req.accept ?? 'application/json', ...req.headers },
      timeoutMs: req.timeoutMs ?? 60_000,
      retries: 3,
      backoffMs: 1000,
      userAgent: ctx.config.SCRAPER_USER_AGENT,
      hostRatePerSecond,
      robots: ctx.config.SCRAPER_RESPECT_ROBOTS,
      signal: req.signal,
      usage: { db: ctx.db.prisma, service: 'acquisition', entityType: 'permit_source', requestParams: req.params },
    });
    return { text: res.text, retries: res.attempts - 1 };
  } catch (err) {
    if (isAppError(err)) throw err;
    if (err instanceof OutboundError) {
      if (err.kind === 'aborted') throw err;
      const said = providerMessage(err.body);
      throw new AppError('SOURCE_FAILED', {
        message: `${err.message}${said ? `: ${said}` : ''} (${redact(req.url)})`,
        details: { provider: req.provider, status: err.status ?? null, attempts: err.attempts },
        cause: err,
      });
    }
    throw err;
  }
}

/** A URL for messages and logs without query-string secrets ($$app_token, token=…). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    for (const k of [...u.searchParams.keys()]) if (/token|key|secret|password/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return url;
  }
}

/** JSON.parse with a SOURCE_FAILED that says which provider sent something that is not JSON. */
export function parseJson(provider: string, text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('SOURCE_FAILED', { message: `${provider} answered something that is not JSON (${redact(url)}): ${text.slice(0, 120)}` });
  }
}
