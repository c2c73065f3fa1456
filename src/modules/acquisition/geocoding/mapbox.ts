import { z } from 'zod';
import { OutboundError, sendRequest } from '../../../platform/http.ts';
import { AppError } from '../../../platform/errors.ts';
import type { GeocodePrecision, GeocodeQuery, GeocodeResult, Geocoder } from '../acquisition.types.ts';
import { DEFAULT_HTTP_OPTIONS, parseProviderAnswer, oneLine, usageParams, type HttpGeocoderOptions } from './provider.ts';

/**
 * Mapbox Geocoding API v6, forward search (https://docs.mapbox.com/api/search/geocoding/):
 * GET {base}/search/geocode/v6/forward?q=&country=us&limit=1&types=address&access_token=.
 * The token travels only in the URL; usage logs keep the path and the address, never the query string.
 */
const ZMapboxAnswer = z.object({
  type: z.literal('FeatureCollection').optional(),
  features: z.array(
    z.object({
      geometry: z.object({ coordinates: z.tuple([z.number(), z.number()]) }),
      properties: z
        .object({
          full_address: z.string().optional(),
          coordinates: z
            .object({ longitude: z.number().optional(), latitude: z.number().optional(), accuracy: z.string().optional() })
            .optional(),
          context: z.object({ postcode: z.object({ name: z.string() }).optional() }).partial().optional(),
        })
        .partial(),
    }),
  ),
});

/** Mapbox list price per temporary geocode beyond the free tier (dollars); recorded as each call's cost. */
export const MAPBOX_COST_PER_REQUEST = 0.00075;

/** v6 `properties.coordinates.accuracy` → our precision: rooftop-like points, interpolation, or street level. */
export function mapboxPrecision(accuracy: string | undefined): GeocodePrecision {
  switch (accuracy) {
    case 'rooftop':
    case 'parcel':
    case 'point':
      return 'rooftop';
    case 'interpolated':
      return 'interpolated';
    default:
      // 'street', 'approximate', 'intersection' or absent: the street, not the house.
      return 'street';
  }
}

export class MapboxGeocoder implements Geocoder {
  readonly name = 'mapbox';
  private readonly base: string;

  constructor(baseUrl: string, private readonly token: string, private readonly o: HttpGeocoderOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  buildUrl(q: GeocodeQuery): string {
    const url = new URL(`${this.base}/search/geocode/v6/forward`);
    url.searchParams.set('q', oneLine(q));
    url.searchParams.set('country', 'us');
    url.searchParams.set('limit', '1');
    url.searchParams.set('types', 'address');
    url.searchParams.set('access_token', this.token);
    return url.toString();
  }

  async geocode(q: GeocodeQuery, opts: { signal?: AbortSignal } = {}): Promise<GeocodeResult | null> {
    try {
      const res = await sendRequest({
        provider: 'mapbox_geocoding',
        url: this.buildUrl(q),
        timeoutMs: this.o.timeoutMs ?? DEFAULT_HTTP_OPTIONS.timeoutMs,
        retries: this.o.retries ?? DEFAULT_HTTP_OPTIONS.retries,
        backoffMs: this.o.backoffMs ?? DEFAULT_HTTP_OPTIONS.backoffMs,
        signal: opts.signal,
        usage: this.o.usageDb
          ? { db: this.o.usageDb, service: 'geocoding', requestParams: usageParams(q), cost: MAPBOX_COST_PER_REQUEST }
          : null,
      });
      return parseMapboxAnswer(res.text);
    } catch (err) {
      if (err instanceof OutboundError && (err.status === 401 || err.status === 403)) {
        throw new AppError('GEOCODER_DENIED', {
          message: `Mapbox refused MAPBOX_ACCESS_TOKEN (HTTP ${err.status}): check the token and its geocoding scope`,
          cause: err,
        });
      }
      throw err;
    }
  }
}

/** The first feature of a v6 answer, or null when it found none. */
export function parseMapboxAnswer(text: string): GeocodeResult | null {
  const data = parseProviderAnswer('mapbox', text, ZMapboxAnswer);
  const feature = data.features[0];
  if (!feature) return null;
  const p = feature.properties;
  // properties.coordinates is the accuracy-bearing point; geometry is the same point for address features.
  const lng = p.coordinates?.longitude ?? feature.geometry.coordinates[0];
  const lat = p.coordinates?.latitude ?? feature.geometry.coordinates[1];
  return {
    lat,
    lng,
    precision: mapboxPrecision(p.coordinates?.accuracy),
    source: 'mapbox',
    matchedAddress: p.full_address,
    zip: p.context?.postcode?.name ?? null,
  };
}
