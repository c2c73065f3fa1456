/**
 * Polite spacing of requests to one host (SCRAPER_HOST_RATE_PER_SECOND). Each caller reserves the next free slot
 * for the URL's host and sleeps until it; slots are 1/perSecond apart, so concurrent callers queue up in order.
 *
 * The schedule lives in this process only: two worker processes scraping the same host each keep their own
 * spacing. Acquisition jobs run one city at a time per worker, which keeps that acceptable.
 */
import { sleep } from './sleep.ts';

/** Host → earliest time (performance.now() ms) the next request may start. */
const nextSlot = new Map<string, number>();

/** Drop every host's schedule (tests). */
export function resetHostSlots(): void {
  nextSlot.clear();
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    throw new Error(`waitForHostSlot: not an absolute URL: ${url}`);
  }
}


/**
 * Resolves when a request to the URL's host may start, at most `perSecond` per second per host (in this process).
 * `perSecond` ≤ 0 or not finite → no limit. Rejects with the signal's reason when aborted while waiting (the slot
 * stays taken: the schedule only ever errs on the slow side).
 */
export async function waitForHostSlot(url: string, perSecond: number, signal?: AbortSignal): Promise<void> {
  const host = hostOf(url);
  if (!Number.isFinite(perSecond) || perSecond <= 0) return;
  const spacing = 1000 / perSecond;
  const now = performance.now();
  const slot = Math.max(now, nextSlot.get(host) ?? 0);
  nextSlot.set(host, slot + spacing);
  if (slot > now) await sleep(slot - now, signal);
  else if (signal?.aborted) throw signal.reason;
}

/** Push the host's next slot out by `ms` (a 429 Retry-After or robots.txt Crawl-delay applies to everyone). */
export function deferHost(url: string, ms: number): void {
  const host = hostOf(url);
  nextSlot.set(host, Math.max(nextSlot.get(host) ?? 0, performance.now() + ms));
}
