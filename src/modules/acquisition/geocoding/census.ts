import { z } from 'zod';
import { sendRequest } from '../../../platform/http.ts';
import type { GeocodeQuery, GeocodeResult, Geocoder } from '../acquisition.types.ts';
import { DEFAULT_HTTP_OPTIONS, parseProviderAnswer, usageParams, type HttpGeocoderOptions } from './provider.ts';

/**
 * US Census Bureau geocoder (https://geocoding.geo.census.gov/geocoder/, "Geocoding Services API"):
 * GET {base}/locations/address?street=&city=&state=&zip=&benchmark=Public_AR_Current&format=json.
 * Free and keyless; it interpolates the house number along TIGER/Line address ranges, so every match is
 * 'interpolated' precision.
 */
const ZCensusAnswer = z.object({
  result: z.object({
    addressMatches: z.array(
      z.object({
        matchedAddress: z.string().optional(),
        /** x = longitude, y = latitude (WGS84). */
        coordinates: z.object({ x: z.number(), y: z.number() }),
        addressComponents: z.object({ zip: z.string().optional() }).partial().optional(),
      }),
    ),
  }),
});

export const CENSUS_BENCHMARK = 'Public_AR_Current';

export class CensusGeocoder implements Geocoder {
  readonly name = 'census';
  private readonly base: string;

  constructor(baseUrl: string, private readonly o: HttpGeocoderOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** The documented query URL for one address. */
  buildUrl(q: GeocodeQuery): string {
    const url = new URL(`${this.base}/locations/address`);
    url.searchParams.set('street', q.street);
    url.searchParams.set('city', q.city);
    url.searchParams.set('state', q.state);
    if (q.zip) url.searchParams.set('zip', q.zip);
    url.searchParams.set('benchmark', CENSUS_BENCHMARK);
    url.searchParams.set('format', 'json');
    return url.toString();
  }

  async geocode(q: GeocodeQuery, opts: { signal?: AbortSignal } = {}): Promise<GeocodeResult | null> {
    const res = await sendRequest({
      provider: 'census_geocoder',
      url: this.buildUrl(q),
      timeoutMs: this.o.timeoutMs ?? DEFAULT_HTTP_OPTIONS.timeoutMs,
      retries: this.o.retries ?? DEFAULT_HTTP_OPTIONS.retries,
      backoffMs: this.o.backoffMs ?? DEFAULT_HTTP_OPTIONS.backoffMs,
      signal: opts.signal,
      usage: this.o.usageDb
        ? {
            db: this.o.usageDb,
            service: 'geocoding',
            requestParams: { ...usageParams(q), benchmark: CENSUS_BENCHMARK },
            cost: 0, // a public service without charge
            describe: (text) => ({ matches: countMatches(text) }),
          }
        : null,
    });
    return parseCensusAnswer(res.text);
  }
}

function countMatches(text: string): number | null {
  try {
    return (JSON.parse(text) as { result?: { addressMatches?: unknown[] } }).result?.addressMatches?.length ?? null;
  } catch {
    return null;
  }
}

/** The first match of a Census answer, or null when it matched nothing. */
export function parseCensusAnswer(text: string): GeocodeResult | null {
  const data = parseProviderAnswer('census', text, ZCensusAnswer);
  const match = data.result.addressMatches[0];
  if (!match) return null;
  return {
    lat: match.coordinates.y,
    lng: match.coordinates.x,
    precision: 'interpolated',
    source: 'census',
    matchedAddress: match.matchedAddress,
    zip: match.addressComponents?.zip ?? null,
  };
}
