import type { Db } from './db.ts';
import { assertAllowedByRobots } from './robots.ts';
import { deferHost, waitForHostSlot } from './host-limiter.ts';
import { sleep } from './sleep.ts';

/**
 * Outbound HTTP for provider clients (DESIGN.md "External services"): a timeout per attempt, retries with
 * exponential backoff on failures worth retrying, and one api_usage_logs row per attempt (cost, latency,
 * status) when the caller passes a database. Providers build their own request and parse their own answer.
 */
export interface UsageLog {
  db: Db;
  service?: string;
  entityType?: string;
  entityId?: string | null;
  /** What to keep of the request (never secrets or personal data). */
  requestParams?: Record<string, unknown>;
  /** Cost of one successful call in dollars; failed attempts are logged at 0. */
  cost?: number;
  /** What to keep of a successful answer (token counts, ids); the body itself is not stored. */
  describe?: (text: string) => Record<string, unknown> | undefined;
}

export interface OutboundRequest {
  provider: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as application/json. */
  json?: unknown;
  headers?: Record<string, string>;
  /** Per attempt, covering the whole answer (headers and body). */
  timeoutMs: number;
  /** Further attempts after the first, for network errors, timeouts, 408, 429 and 5xx. */
  retries?: number;
  /** First backoff; doubles each retry. */
  backoffMs?: number;
  usage?: UsageLog | null;
  signal?: AbortSignal;
  /** Sent as User-Agent (scrapers: SCRAPER_USER_AGENT); also the agent robots.txt rules are matched for. */
  userAgent?: string;
  /** Space requests to the URL's host, at most this many per second in this process (host-limiter.ts). */
  hostRatePerSecond?: number;
  /**
   * true → refuse the URL (AppError ROBOTS_DISALLOWED, nothing sent) when the site's robots.txt disallows it for
   * `userAgent`. Scrapers pass SCRAPER_RESPECT_ROBOTS; provider APIs with contracts leave it off.
   */
  robots?: boolean;
  /** Longest wait a Retry-After header (429/503) may impose before the next attempt; default 60 s. */
  maxRetryAfterMs?: number;
}

export interface OutboundResponse {
  status: number;
  text: string;
  latencyMs: number;
  attempts: number;
}

export type OutboundFailure = 'timeout' | 'network' | 'status' | 'aborted';

export class OutboundError extends Error {
  constructor(
    readonly kind: OutboundFailure,
    message: string,
    readonly attempts: number,
    readonly status?: number,
    /** Start of the error answer's body (provider error messages), when there was one. */
    readonly body?: string,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const DEFAULT_USER_AGENT = 'TradeLead/1.0';

/**
 * Retry-After (RFC 9110 §10.2.3) as milliseconds from `now`: delay-seconds or an HTTP-date. undefined when absent
 * or unparseable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}


async function logUsage(req: OutboundRequest, row: { status: number | null; latencyMs: number; success: boolean; error?: string; text?: string }) {
  const u = req.usage;
  if (!u) return;
  let path = req.url;
  try {
    path = new URL(req.url).pathname;
  } catch {
    /* keep the raw string */
  }
  const described = row.success && row.text !== undefined && u.describe ? u.describe(row.text) : undefined;
  // Cost accounting must not turn a call that worked into a failure: a failed log insert is dropped.
  await u.db.apiUsageLog
    .create({
      data: {
        apiProvider: req.provider,
        apiEndpoint: path.slice(0, 255),
        requestMethod: req.method ?? (req.json === undefined ? 'GET' : 'POST'),
        requestParams: (u.requestParams ?? undefined) as object | undefined,
        responseStatus: row.status,
        responseTimeMs: Math.round(row.latencyMs),
        responseBody: (described ?? undefined) as object | undefined,
        cost: row.success ? (u.cost ?? 0) : 0,
        service: u.service ?? null,
        entityType: u.entityType ?? null,
        entityId: u.entityId ?? null,
        success: row.success,
        errorMessage: row.error?.slice(0, 2000) ?? null,
      },
    })
    .catch(() => {});
}

/**
 * Sends the request, retrying what may succeed on a second try. Resolves with any 2xx; throws OutboundError
 * for a non-retryable status at once, and for retryable failures after the last attempt.
 */
export async function sendRequest(req: OutboundRequest): Promise<OutboundResponse> {
  const retries = req.retries ?? 2;
  const backoffMs = req.backoffMs ?? 500;
  const method = req.method ?? (req.json === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (req.userAgent) headers['user-agent'] = req.userAgent;
  if (req.json !== undefined) headers['content-type'] = 'application/json';
  const body = req.json === undefined ? undefined : JSON.stringify(req.json);
  if (req.robots) {
    await assertAllowedByRobots(req.url, { userAgent: req.userAgent ?? DEFAULT_USER_AGENT, respect: true, signal: req.signal });
  }

  let last: OutboundError | undefined;
  let retryAfterMs: number | undefined;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await sleep(Math.max(backoffMs * 2 ** (attempt - 2), retryAfterMs ?? 0), req.signal);
    retryAfterMs = undefined;
    if (req.hostRatePerSecond) await waitForHostSlot(req.url, req.hostRatePerSecond, req.signal);
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const started = performance.now();
    try {
      const res = await fetch(req.url, { method, headers, body, signal });
      const text = await res.text();
      const latencyMs = performance.now() - started;
      if (res.ok) {
        await logUsage(req, { status: res.status, latencyMs, success: true, text });
        return { status: res.status, text, latencyMs, attempts: attempt };
      }
      const error = `${req.provider} answered HTTP ${res.status}`;
      await logUsage(req, { status: res.status, latencyMs, success: false, error: `${error}: ${text.slice(0, 500)}` });
      last = new OutboundError('status', error, attempt, res.status, text.slice(0, 2000));
      if (!RETRYABLE_STATUS.has(res.status)) throw last;
      if (res.status === 429 || res.status === 503) {
        const asked = parseRetryAfter(res.headers.get('retry-after'));
        if (asked !== undefined) {
          // The server said when to come back; honour it (capped so one header cannot park a job for hours).
          retryAfterMs = Math.min(asked, req.maxRetryAfterMs ?? 60_000);
          if (req.hostRatePerSecond) deferHost(req.url, retryAfterMs);
        }
      }
    } catch (err) {
      if (err instanceof OutboundError) throw err;
      const latencyMs = performance.now() - started;
      if (req.signal?.aborted) throw new OutboundError('aborted', `${req.provider} request aborted`, attempt);
      const timedOut = timeout.aborted;
      const message = timedOut
        ? `${req.provider} did not answer within ${req.timeoutMs} ms`
        : `${req.provider} unreachable: ${(err as Error).cause ? String(((err as Error).cause as Error).message ?? (err as Error).cause) : (err as Error).message}`;
      await logUsage(req, { status: null, latencyMs, success: false, error: message });
      last = new OutboundError(timedOut ? 'timeout' : 'network', message, attempt);
    }
  }
  const n = retries + 1;
  throw new OutboundError(last!.kind, `${last!.message} (after ${n} attempt${n === 1 ? '' : 's'})`, n, last!.status, last!.body);
}
