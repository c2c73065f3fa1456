import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { OutboundError } from '../../src/platform/http.ts';
import { AppError } from '../../src/platform/errors.ts';
import { CensusGeocoder } from '../../src/modules/acquisition/geocoding/census.ts';
import { MapboxGeocoder, mapboxPrecision } from '../../src/modules/acquisition/geocoding/mapbox.ts';
import { GoogleGeocoder, googlePrecision } from '../../src/modules/acquisition/geocoding/google.ts';
import { ZipCentroidGeocoder, cityCentroid } from '../../src/modules/acquisition/geocoding/zip-centroid.ts';
import { createGeocoder, geocodeCacheKey, GEOCODE_CACHE_TTL_SECONDS } from '../../src/modules/acquisition/geocoding/index.ts';
import type { GeocodeQuery } from '../../src/modules/acquisition/acquisition.types.ts';

/**
 * Each HTTP geocoder against a local server speaking the provider's documented JSON (payloads in
 * test/fixtures/geocoding/), the fallback chain and the Redis cache, on a real database and Redis.
 */
const FIXTURES = path.resolve('test/fixtures/geocoding');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

type Reply = { status?: number; body?: string; hang?: boolean };
interface Provider {
  url: string;
  requests: URL[];
  /** Replies for the next requests, in order; the last one repeats. */
  replies: Reply[];
  close(): Promise<void>;
}

/** A provider on 127.0.0.1:<random port>: records every request URL and answers from its reply list. */
async function startProvider(): Promise<Provider> {
  const p = { requests: [] as URL[], replies: [] as Reply[] } as Provider;
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    p.requests.push(new URL(req.url ?? '/', 'http://localhost'));
    const reply = p.replies.length > 1 ? p.replies.shift()! : (p.replies[0] ?? { status: 404, body: '{}' });
    if (reply.hang) {
      hanging.add(res);
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(reply.body ?? '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  p.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return p;
}

const CONGRESS: GeocodeQuery = { street: '1100 Congress Avenue', city: 'Austin', state: 'TX', zip: '78701' };
const FAST = { retries: 2, backoffMs: 10, timeoutMs: 2000 };
const MAPBOX_TOKEN = 'pk.eyJ1IjoidHJhZGVsZWFkLXRlc3QiLCJhIjoic2VjcmV0LXRva2VuLTEyMyJ9.c2VjcmV0';
const GOOGLE_KEY = 'AIzaSyD-secret-google-key-0123456789abcd';

let h: TestHarness;
let census: Provider;
let mapbox: Provider;
let google: Provider;

beforeAll(async () => {
  h = await createHarness();
  [census, mapbox, google] = await Promise.all([startProvider(), startProvider(), startProvider()]);
});
afterAll(async () => {
  await Promise.all([census?.close(), mapbox?.close(), google?.close()]);
  await h?.close();
});
beforeEach(async () => {
  for (const p of [census, mapbox, google]) {
    p.requests.length = 0;
    p.replies.length = 0;
  }
});

const usageRows = (provider: string) =>
  h.ctx.db.prisma.apiUsageLog.findMany({ where: { apiProvider: provider }, orderBy: { createdAt: 'asc' } });

describe('Census geocoder (documented /locations/address API)', () => {
  it('sends the documented query and maps x → lng, y → lat as interpolated', async () => {
    census.replies.push({ body: fixture('census-match.json') });
    const g = new CensusGeocoder(`${census.url}/geocoder`, { ...FAST, usageDb: h.ctx.db.prisma });
    const r = await g.geocode(CONGRESS);
    expect(r).toEqual({
      lat: 30.27467017868797,
      lng: -97.74035019993341,
      precision: 'interpolated',
      source: 'census',
      matchedAddress: '1100 CONGRESS AVE, AUSTIN, TX, 78701',
      zip: '78701',
    });
    const q = census.requests[0]!;
    expect(q.pathname).toBe('/geocoder/locations/address');
    expect(Object.fromEntries(q.searchParams)).toEqual({
      street: '1100 Congress Avenue', city: 'Austin', state: 'TX', zip: '78701', benchmark: 'Public_AR_Current', format: 'json',
    });
    const [log] = await usageRows('census_geocoder');
    expect(log).toMatchObject({ apiEndpoint: '/geocoder/locations/address', success: true, responseStatus: 200, service: 'geocoding' });
    expect(log!.responseBody).toEqual({ matches: 1 });
  });

  it('answers null when the Census found no match', async () => {
    census.replies.push({ body: fixture('census-nomatch.json') });
    expect(await new CensusGeocoder(census.url, FAST).geocode({ street: '99999 Nowhere Rd', city: 'Austin', state: 'TX' })).toBeNull();
    expect(census.requests[0]!.searchParams.has('zip')).toBe(false);
  });

  it('retries a 503 and succeeds on the next attempt; both attempts are logged', async () => {
    await h.ctx.db.prisma.apiUsageLog.deleteMany({});
    census.replies.push({ status: 503, body: '{"errors":["Service Unavailable"]}' }, { body: fixture('census-match.json') });
    const r = await new CensusGeocoder(census.url, { ...FAST, usageDb: h.ctx.db.prisma }).geocode(CONGRESS);
    expect(r?.lat).toBeCloseTo(30.27467, 5);
    expect(census.requests).toHaveLength(2);
    const logs = await usageRows('census_geocoder');
    expect(logs.map((l) => [l.responseStatus, l.success])).toEqual([[503, false], [200, true]]);
  });

  it('fails with a timeout error when the service does not answer', async () => {
    census.replies.push({ hang: true });
    const g = new CensusGeocoder(census.url, { retries: 1, backoffMs: 10, timeoutMs: 250 });
    const err = await g.geocode(CONGRESS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundError);
    expect((err as OutboundError).kind).toBe('timeout');
    expect((err as Error).message).toMatch(/did not answer within 250 ms \(after 2 attempts\)/);
    expect(census.requests).toHaveLength(2);
  });

  it('rejects an answer that is not the documented shape, naming the field', async () => {
    census.replies.push({ body: '{"result":{"addressMatches":[{"coordinates":{"x":"-97.7"}}]}}' });
    await expect(new CensusGeocoder(census.url, FAST).geocode(CONGRESS)).rejects.toThrow(/census geocoder answered an unexpected body: .*addressMatches\.0\.coordinates\.x/);
  });
});

describe('Mapbox geocoder (v6 forward)', () => {
  it('sends q, country=us, limit=1, types=address and the token; reads accuracy and postcode', async () => {
    mapbox.replies.push({ body: fixture('mapbox-v6-forward.json') });
    const g = new MapboxGeocoder(mapbox.url, MAPBOX_TOKEN, { ...FAST, usageDb: h.ctx.db.prisma });
    const r = await g.geocode(CONGRESS);
    expect(r).toEqual({
      lat: 30.274681, lng: -97.740312, precision: 'rooftop', source: 'mapbox',
      matchedAddress: '1100 Congress Avenue, Austin, Texas 78701, United States', zip: '78701',
    });
    const q = mapbox.requests[0]!;
    expect(q.pathname).toBe('/search/geocode/v6/forward');
    expect(Object.fromEntries(q.searchParams)).toEqual({
      q: '1100 Congress Avenue, Austin, TX 78701', country: 'us', limit: '1', types: 'address', access_token: MAPBOX_TOKEN,
    });
  });

  it('answers null for an empty FeatureCollection', async () => {
    mapbox.replies.push({ body: fixture('mapbox-v6-empty.json') });
    expect(await new MapboxGeocoder(mapbox.url, MAPBOX_TOKEN, FAST).geocode(CONGRESS)).toBeNull();
  });

  it('turns 401 into GEOCODER_DENIED without retrying', async () => {
    mapbox.replies.push({ status: 401, body: fixture('mapbox-401.json') });
    const err = await new MapboxGeocoder(mapbox.url, MAPBOX_TOKEN, FAST).geocode(CONGRESS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'GEOCODER_DENIED' });
    expect((err as Error).message).toMatch(/MAPBOX_ACCESS_TOKEN \(HTTP 401\)/);
    expect(mapbox.requests).toHaveLength(1);
  });

  it('maps v6 accuracy values to precision', () => {
    expect(['rooftop', 'parcel', 'point', 'interpolated', 'street', 'approximate', undefined].map(mapboxPrecision)).toEqual([
      'rooftop', 'rooftop', 'rooftop', 'interpolated', 'street', 'street', 'street',
    ]);
  });
});

describe('Google geocoder', () => {
  it('sends address, components=country:US and key; reads ROOFTOP and the postal code', async () => {
    google.replies.push({ body: fixture('google-ok.json') });
    const r = await new GoogleGeocoder(google.url, GOOGLE_KEY, { ...FAST, usageDb: h.ctx.db.prisma }).geocode(CONGRESS);
    expect(r).toEqual({
      lat: 30.2746652, lng: -97.7403505, precision: 'rooftop', source: 'google',
      matchedAddress: '1100 Congress Ave, Austin, TX 78701, USA', zip: '78701',
    });
    const q = google.requests[0]!;
    expect(q.pathname).toBe('/maps/api/geocode/json');
    expect(Object.fromEntries(q.searchParams)).toEqual({ address: '1100 Congress Avenue, Austin, TX 78701', components: 'country:US', key: GOOGLE_KEY });
    const logs = await usageRows('google_geocoding');
    expect(logs.at(-1)).toMatchObject({ success: true, responseBody: { status: 'OK' } });
    expect(Number(logs.at(-1)!.cost)).toBeCloseTo(0.005, 6);
  });

  it('reads RANGE_INTERPOLATED as interpolated', async () => {
    google.replies.push({ body: fixture('google-interpolated.json') });
    const r = await new GoogleGeocoder(google.url, GOOGLE_KEY, FAST).geocode({ street: '4712 Avenue F', city: 'Austin', state: 'TX' });
    expect(r).toMatchObject({ lat: 30.3133947, lng: -97.7236941, precision: 'interpolated', zip: '78751' });
  });

  it('ZERO_RESULTS is no match', async () => {
    google.replies.push({ body: fixture('google-zero-results.json') });
    expect(await new GoogleGeocoder(google.url, GOOGLE_KEY, FAST).geocode(CONGRESS)).toBeNull();
  });

  it('REQUEST_DENIED is a configuration error naming the key and Google’s message, not retried', async () => {
    google.replies.push({ body: fixture('google-request-denied.json') });
    const err = await new GoogleGeocoder(google.url, GOOGLE_KEY, FAST).geocode(CONGRESS).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'GEOCODER_DENIED', status: 502 });
    expect((err as Error).message).toContain('GOOGLE_MAPS_API_KEY');
    expect((err as Error).message).toContain('This API project is not authorized to use this API.');
    expect(google.requests).toHaveLength(1);
  });

  it('OVER_QUERY_LIMIT is retried with backoff until OK', async () => {
    google.replies.push({ body: fixture('google-over-query-limit.json') }, { body: fixture('google-over-query-limit.json') }, { body: fixture('google-ok.json') });
    const r = await new GoogleGeocoder(google.url, GOOGLE_KEY, FAST).geocode(CONGRESS);
    expect(r?.precision).toBe('rooftop');
    expect(google.requests).toHaveLength(3);
  });

  it('OVER_QUERY_LIMIT on every attempt fails naming the status and the attempts', async () => {
    google.replies.push({ body: fixture('google-over-query-limit.json') });
    await expect(new GoogleGeocoder(google.url, GOOGLE_KEY, { ...FAST, retries: 1 }).geocode(CONGRESS)).rejects.toThrow(/OVER_QUERY_LIMIT after 2 attempts/);
    expect(google.requests).toHaveLength(2);
  });

  it('maps location_type to precision', () => {
    expect(['ROOFTOP', 'RANGE_INTERPOLATED', 'GEOMETRIC_CENTER', 'APPROXIMATE'].map(googlePrecision)).toEqual(['rooftop', 'interpolated', 'street', 'zip_centroid']);
  });
});

describe('ZIP centroid (offline)', () => {
  it('uses the ZIP5 centroid of the zipcodes table', async () => {
    const r = await new ZipCentroidGeocoder().geocode({ street: '1 Any St', city: 'Austin', state: 'TX', zip: '78701-1234' });
    expect(r).toEqual({ lat: 30.2713, lng: -97.7426, precision: 'zip_centroid', source: 'zip_centroid', zip: '78701' });
  });
  it('without a ZIP uses the mean of the city’s ZIP centroids', async () => {
    const c = cityCentroid('Round Rock', 'TX')!;
    expect(c.zips).toBeGreaterThan(1);
    const r = await new ZipCentroidGeocoder().geocode({ street: '1 Any St', city: 'round rock', state: 'tx' });
    expect(r).toMatchObject({ lat: c.lat, lng: c.lng, precision: 'zip_centroid', zip: null });
    // The mean lies inside the city's box, near Round Rock (30.51 N, 97.68 W).
    expect(Math.abs(r!.lat - 30.51)).toBeLessThan(0.15);
    expect(Math.abs(r!.lng + 97.68)).toBeLessThan(0.15);
  });
  it('answers null for an unknown ZIP and city', async () => {
    expect(await new ZipCentroidGeocoder().geocode({ street: '1 Any St', city: 'Atlantis', state: 'TX', zip: '00000' })).toBeNull();
  });
});

describe('createGeocoder: the configured chain with the Redis cache', () => {
  const configured = (extra: Record<string, unknown>) => ({ ...h.ctx, config: { ...h.ctx.config, ...extra } });

  it('orders Google, Mapbox, Census, ZIP centroid by configuration', () => {
    expect(createGeocoder(configured({})).providers.map((p) => p.name)).toEqual(['zip_centroid']);
    const all = createGeocoder(configured({ GOOGLE_MAPS_API_KEY: GOOGLE_KEY, MAPBOX_ACCESS_TOKEN: MAPBOX_TOKEN, CENSUS_GEOCODER_URL: census.url }));
    expect(all.providers.map((p) => p.name)).toEqual(['google', 'mapbox', 'census', 'zip_centroid']);
  });

  it('falls through denied Google, failing Mapbox and no-match Census to the ZIP centroid, and does not cache it', async () => {
    google.replies.push({ body: fixture('google-request-denied.json') });
    mapbox.replies.push({ status: 500, body: '{"message":"Internal Server Error"}' });
    census.replies.push({ body: fixture('census-nomatch.json') });
    const g = createGeocoder(
      configured({
        GOOGLE_MAPS_API_KEY: GOOGLE_KEY, GOOGLE_GEOCODING_URL: google.url,
        MAPBOX_ACCESS_TOKEN: MAPBOX_TOKEN, MAPBOX_GEOCODING_URL: mapbox.url,
        CENSUS_GEOCODER_URL: census.url,
      }),
      FAST,
    );
    const q = { street: '4800 Fallthrough Ln', city: 'Austin', state: 'TX', zip: '78745' };
    const r = await g.geocode(q);
    expect(r).toMatchObject({ precision: 'zip_centroid', source: 'zip_centroid', zip: '78745' });
    expect([google.requests.length, mapbox.requests.length, census.requests.length]).toEqual([1, 3, 1]);
    expect(await h.ctx.redis.exists(geocodeCacheKey(h.config.QUEUE_PREFIX, q))).toBe(0);
  });

  it('caches a result for 24 h under the normalized address: a second spelling makes no request', async () => {
    census.replies.push({ body: fixture('census-match.json') });
    const g = createGeocoder(configured({ CENSUS_GEOCODER_URL: census.url }), FAST);
    const first = await g.geocode(CONGRESS);
    expect(first?.source).toBe('census');
    const again = await g.geocode({ street: '1100 CONGRESS AVE.', city: 'austin', state: 'tx', zip: '78701' });
    expect(again).toEqual(first);
    expect(census.requests).toHaveLength(1);
    const key = geocodeCacheKey(h.config.QUEUE_PREFIX, CONGRESS);
    expect(key.startsWith(`${h.config.QUEUE_PREFIX}:geocode:`)).toBe(true);
    const ttl = await h.ctx.redis.ttl(key);
    expect(ttl).toBeGreaterThan(GEOCODE_CACHE_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(GEOCODE_CACHE_TTL_SECONDS);
  });

  it('never writes a key or token into api_usage_logs', async () => {
    const rows = await h.ctx.db.prisma.apiUsageLog.findMany({ where: { apiProvider: { in: ['google_geocoding', 'mapbox_geocoding'] } } });
    expect(rows.length).toBeGreaterThan(3);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(GOOGLE_KEY);
    expect(stored).not.toContain(MAPBOX_TOKEN);
    expect(stored).not.toContain('access_token');
  });
});
