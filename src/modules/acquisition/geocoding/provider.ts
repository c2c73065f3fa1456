import type { z } from 'zod';
import type { Db } from '../../../platform/db.ts';
import type { GeocodeQuery } from '../acquisition.types.ts';

/** What every HTTP geocoder needs besides its own URL and key. */
export interface HttpGeocoderOptions {
  /** Where api_usage_logs rows go; null/undefined logs nothing (dry runs, unit tests). */
  usageDb?: Db | null;
  /** Per attempt. */
  timeoutMs?: number;
  /** Further attempts on network errors, timeouts, 429 and 5xx (and Google's OVER_QUERY_LIMIT). */
  retries?: number;
  backoffMs?: number;
}

export const DEFAULT_HTTP_OPTIONS = { timeoutMs: 10_000, retries: 2, backoffMs: 500 } as const;

/** The one-line form providers that take a single query string want: "1234 Oak St, Austin, TX 78701". */
export function oneLine(q: GeocodeQuery): string {
  const stateZip = [q.state, q.zip].filter(Boolean).join(' ');
  return [q.street, q.city, stateZip].filter((p) => p && p.trim()).join(', ');
}

/** The usage-log request parameters of a query: the address only (no keys, no tokens). */
export function usageParams(q: GeocodeQuery): Record<string, unknown> {
  return { street: q.street, city: q.city, state: q.state, zip: q.zip ?? null };
}

/** A provider answered 200 with a body that is not what its documentation promises. */
function badAnswer(provider: string, detail: string): Error {
  return new Error(`${provider} geocoder answered an unexpected body: ${detail}`);
}

/** A provider's JSON answer checked against the shape its documentation promises; anything else is badAnswer. */
export function parseProviderAnswer<S extends z.ZodType>(provider: string, text: string, schema: S): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badAnswer(provider, 'not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badAnswer(provider, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}
