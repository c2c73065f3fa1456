import { createHash } from 'node:crypto';
import type { AppContext } from '../../../platform/context.ts';
import { isAppError } from '../../../platform/errors.ts';
import type { GeocodeQuery, GeocodeResult, Geocoder } from '../acquisition.types.ts';
import { normalizeAddress } from '../address.ts';
import { CensusGeocoder } from './census.ts';
import { GoogleGeocoder } from './google.ts';
import { MapboxGeocoder } from './mapbox.ts';
import { DEFAULT_HTTP_OPTIONS, type HttpGeocoderOptions } from './provider.ts';
import { ZipCentroidGeocoder } from './zip-centroid.ts';

export { CensusGeocoder } from './census.ts';
export { GoogleGeocoder } from './google.ts';
export { MapboxGeocoder } from './mapbox.ts';
export { ZipCentroidGeocoder, zipCentroid, cityCentroid, zipCity } from './zip-centroid.ts';

/** seed 002 §3.1.2 "Cache: 24-hour TTL in Redis". */
export const GEOCODE_CACHE_TTL_SECONDS = 24 * 60 * 60;

type Log = Pick<AppContext['log'], 'warn' | 'error'>;
type Cache = Pick<AppContext['redis'], 'get' | 'set'>;

/** The Redis key of one address: normalized street + city + state + ZIP5, hashed to keep keys short. */
export function geocodeCacheKey(prefix: string, q: GeocodeQuery): string {
  const parts = [normalizeAddress(q.street), q.city.trim().toUpperCase(), q.state.trim().toUpperCase(), (q.zip ?? '').trim().slice(0, 5)];
  return `${prefix}:geocode:${createHash('sha1').update(parts.join('|')).digest('hex')}`;
}

/**
 * Tries each provider in order; a provider's null ("no match") or failure (after its own retries) moves on to the
 * next, and a failure is logged. A result is cached for 24 h — but not when a better provider failed on the
 * way, so a short outage does not pin a ZIP centroid onto the address for a day.
 */
export class GeocoderChain implements Geocoder {
  readonly name: string;

  constructor(
    readonly providers: Geocoder[],
    private readonly deps: { log: Log; cache?: Cache | null; cachePrefix?: string },
  ) {
    this.name = `chain(${providers.map((p) => p.name).join(',')})`;
  }

  async geocode(q: GeocodeQuery, opts: { signal?: AbortSignal } = {}): Promise<GeocodeResult | null> {
    const key = this.deps.cache ? geocodeCacheKey(this.deps.cachePrefix ?? 'tradelead', q) : null;
    const cached = key ? await this.readCache(key) : undefined;
    if (cached !== undefined) return cached;

    let failed = false;
    for (const provider of this.providers) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      try {
        const result = await provider.geocode(q, opts);
        if (!result) continue;
        if (key && !failed) await this.writeCache(key, result);
        return result;
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        failed = true;
        const level = isAppError(err) && err.code === 'GEOCODER_DENIED' ? 'error' : 'warn';
        this.deps.log[level]({ provider: provider.name, err: (err as Error).message }, 'geocoder failed; trying the next one');
      }
    }
    return null;
  }

  private async readCache(key: string): Promise<GeocodeResult | undefined> {
    try {
      const raw = await this.deps.cache!.get(key);
      return raw ? (JSON.parse(raw) as GeocodeResult) : undefined;
    } catch {
      return undefined; // a cache that is down only costs a provider call
    }
  }

  private async writeCache(key: string, result: GeocodeResult): Promise<void> {
    try {
      await this.deps.cache!.set(key, JSON.stringify(result), 'EX', GEOCODE_CACHE_TTL_SECONDS);
    } catch {
      /* as above */
    }
  }
}

/** The configured providers, best first: Google and Mapbox when keyed, Census when its URL is set, ZIP centroid. */
export function configuredProviders(ctx: Pick<AppContext, 'config' | 'db'>, http: HttpGeocoderOptions = {}): Geocoder[] {
  const c = ctx.config;
  const o: HttpGeocoderOptions = { ...DEFAULT_HTTP_OPTIONS, usageDb: ctx.db.prisma, ...http };
  const providers: Geocoder[] = [];
  if (c.GOOGLE_MAPS_API_KEY) providers.push(new GoogleGeocoder(c.GOOGLE_GEOCODING_URL, c.GOOGLE_MAPS_API_KEY, o));
  if (c.MAPBOX_ACCESS_TOKEN) providers.push(new MapboxGeocoder(c.MAPBOX_GEOCODING_URL, c.MAPBOX_ACCESS_TOKEN, o));
  if (c.CENSUS_GEOCODER_URL) providers.push(new CensusGeocoder(c.CENSUS_GEOCODER_URL, o));
  providers.push(new ZipCentroidGeocoder());
  return providers;
}

/** The geocoder every service uses: the configured chain with the Redis cache under QUEUE_PREFIX. */
export function createGeocoder(ctx: Pick<AppContext, 'config' | 'db' | 'redis' | 'log'>, http: HttpGeocoderOptions = {}): GeocoderChain {
  return new GeocoderChain(configuredProviders(ctx, http), { log: ctx.log, cache: ctx.redis, cachePrefix: ctx.config.QUEUE_PREFIX });
}
