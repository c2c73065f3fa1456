import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { sendRequest } from '../../../platform/http.ts';
import { AppError } from '../../../platform/errors.ts';
import type { GeocodePrecision, GeocodeQuery, GeocodeResult, Geocoder } from '../acquisition.types.ts';
import { DEFAULT_HTTP_OPTIONS, parseProviderAnswer, oneLine, usageParams, type HttpGeocoderOptions } from './provider.ts';

/**
 * Google Geocoding API (https://developers.google.com/maps/documentation/geocoding/requests-geocoding):
 * GET {base}/maps/api/geocode/json?address=&components=country:US&key=. Errors arrive as HTTP 200 with a
 * `status`: OVER_QUERY_LIMIT and UNKNOWN_ERROR are worth another try, REQUEST_DENIED is a configuration error.
 */
const ZGoogleAnswer = z.object({
  status: z.string(),
  error_message: z.string().optional(),
  results: z
    .array(
      z.object({
        formatted_address: z.string().optional(),
        geometry: z.object({
          location: z.object({ lat: z.number(), lng: z.number() }),
          location_type: z.string().optional(),
        }),
        address_components: z
          .array(z.object({ short_name: z.string(), long_name: z.string().optional(), types: z.array(z.string()) }))
          .optional(),
      }),
    )
    .default([]),
});
type TGoogleAnswer = z.infer<typeof ZGoogleAnswer>;

/** Google list price per Geocoding request (dollars, $5 per 1000). */
export const GOOGLE_COST_PER_REQUEST = 0.005;

const RETRY_STATUSES = new Set(['OVER_QUERY_LIMIT', 'UNKNOWN_ERROR']);

/** `geometry.location_type` → our precision. APPROXIMATE (a town or ZIP) is no better than a ZIP centroid. */
export function googlePrecision(locationType: string | undefined): GeocodePrecision {
  switch (locationType) {
    case 'ROOFTOP':
      return 'rooftop';
    case 'RANGE_INTERPOLATED':
      return 'interpolated';
    case 'GEOMETRIC_CENTER':
      return 'street';
    default:
      return 'zip_centroid';
  }
}

export class GoogleGeocoder implements Geocoder {
  readonly name = 'google';
  private readonly base: string;

  constructor(baseUrl: string, private readonly key: string, private readonly o: HttpGeocoderOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  buildUrl(q: GeocodeQuery): string {
    const url = new URL(`${this.base}/maps/api/geocode/json`);
    url.searchParams.set('address', oneLine(q));
    url.searchParams.set('components', 'country:US');
    url.searchParams.set('key', this.key);
    return url.toString();
  }

  async geocode(q: GeocodeQuery, opts: { signal?: AbortSignal } = {}): Promise<GeocodeResult | null> {
    const retries = this.o.retries ?? DEFAULT_HTTP_OPTIONS.retries;
    const backoffMs = this.o.backoffMs ?? DEFAULT_HTTP_OPTIONS.backoffMs;
    let answer: TGoogleAnswer | undefined;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2), undefined, { signal: opts.signal });
      answer = await this.request(q, opts.signal);
      if (!RETRY_STATUSES.has(answer.status)) break;
    }
    return interpretGoogleAnswer(answer!, retries + 1);
  }

  private async request(q: GeocodeQuery, signal?: AbortSignal): Promise<TGoogleAnswer> {
    const res = await sendRequest({
      provider: 'google_geocoding',
      url: this.buildUrl(q),
      timeoutMs: this.o.timeoutMs ?? DEFAULT_HTTP_OPTIONS.timeoutMs,
      retries: this.o.retries ?? DEFAULT_HTTP_OPTIONS.retries,
      backoffMs: this.o.backoffMs ?? DEFAULT_HTTP_OPTIONS.backoffMs,
      signal,
      usage: this.o.usageDb
        ? {
            db: this.o.usageDb,
            service: 'geocoding',
            requestParams: usageParams(q),
            cost: GOOGLE_COST_PER_REQUEST,
            // HTTP 200 also carries Google's refusals: keep its status so cost reports can tell them apart.
            describe: (text) => ({ status: safeStatus(text) }),
          }
        : null,
    });
    return parseGoogleAnswer(res.text);
  }
}

function safeStatus(text: string): string | null {
  try {
    return String((JSON.parse(text) as { status?: unknown }).status ?? '') || null;
  } catch {
    return null;
  }
}

export const parseGoogleAnswer = (text: string): TGoogleAnswer => parseProviderAnswer('google', text, ZGoogleAnswer);

/** The result for a parsed answer: a match, null for ZERO_RESULTS, or an error naming Google's status. */
export function interpretGoogleAnswer(answer: TGoogleAnswer, attempts = 1): GeocodeResult | null {
  switch (answer.status) {
    case 'OK': {
      const r = answer.results[0];
      if (!r) return null;
      const zip = r.address_components?.find((c) => c.types.includes('postal_code'))?.short_name ?? null;
      return {
        lat: r.geometry.location.lat,
        lng: r.geometry.location.lng,
        precision: googlePrecision(r.geometry.location_type),
        source: 'google',
        matchedAddress: r.formatted_address,
        zip,
      };
    }
    case 'ZERO_RESULTS':
      return null;
    case 'REQUEST_DENIED':
      throw new AppError('GEOCODER_DENIED', {
        message: `Google Geocoding refused GOOGLE_MAPS_API_KEY (REQUEST_DENIED${answer.error_message ? `: ${answer.error_message}` : ''}); enable the Geocoding API for the key or unset it`,
      });
    case 'INVALID_REQUEST':
      throw new Error(`Google Geocoding rejected the query (INVALID_REQUEST${answer.error_message ? `: ${answer.error_message}` : ''})`);
    default:
      throw new Error(`Google Geocoding answered ${answer.status} after ${attempts} attempt${attempts === 1 ? '' : 's'}${answer.error_message ? `: ${answer.error_message}` : ''}`);
  }
}
