import { createRequire } from 'node:module';
import type { GeocodeQuery, GeocodeResult, Geocoder } from '../acquisition.types.ts';

/** The part of the `zipcodes` package (US ZIP → centroid table, shipped with the package) this file uses. */
interface ZipEntry {
  zip: string;
  latitude: number;
  longitude: number;
  city: string;
  state: string;
}
interface ZipcodesModule {
  lookup(zip: string | number): ZipEntry | undefined;
  lookupByName(city: string, state: string): ZipEntry[];
}

// The package is CommonJS without type declarations; require keeps the import typed by the interface above.
const zipcodes = createRequire(import.meta.url)('zipcodes') as ZipcodesModule;

/** Centroid of a 5-digit ZIP, or undefined when the table does not know it. */
export function zipCentroid(zip: string): { lat: number; lng: number } | undefined {
  const zip5 = zip.trim().slice(0, 5);
  if (!/^\d{5}$/.test(zip5)) return undefined;
  const e = zipcodes.lookup(zip5);
  return e ? { lat: e.latitude, lng: e.longitude } : undefined;
}

/** The city and state a 5-digit ZIP belongs to in the same table, or undefined when it does not know the ZIP. */
export function zipCity(zip: string): { city: string; state: string } | undefined {
  const zip5 = zip.trim().slice(0, 5);
  if (!/^\d{5}$/.test(zip5)) return undefined;
  const e = zipcodes.lookup(zip5);
  return e ? { city: e.city, state: e.state } : undefined;
}

const cityCache = new Map<string, { lat: number; lng: number; zips: number } | null>();

/** Mean of a city's ZIP centroids (the city's rough middle), or undefined when the city is unknown. */
export function cityCentroid(city: string, state: string): { lat: number; lng: number; zips: number } | undefined {
  const key = `${city.trim().toUpperCase()}|${state.trim().toUpperCase()}`;
  if (!cityCache.has(key)) {
    const entries = zipcodes.lookupByName(city.trim(), state.trim().toUpperCase());
    cityCache.set(
      key,
      entries.length === 0
        ? null
        : {
            lat: entries.reduce((s, e) => s + e.latitude, 0) / entries.length,
            lng: entries.reduce((s, e) => s + e.longitude, 0) / entries.length,
            zips: entries.length,
          },
    );
  }
  return cityCache.get(key) ?? undefined;
}

/**
 * Offline last resort (issue 4 §4): the ZIP's centroid, else the city's. Low precision ('zip_centroid') —
 * good for market-level clustering and counting, not for imagery of one roof.
 */
export class ZipCentroidGeocoder implements Geocoder {
  readonly name = 'zip_centroid';

  async geocode(q: GeocodeQuery): Promise<GeocodeResult | null> {
    const byZip = q.zip ? zipCentroid(q.zip) : undefined;
    if (byZip) return { ...byZip, precision: 'zip_centroid', source: 'zip_centroid', zip: q.zip!.trim().slice(0, 5) };
    const byCity = q.city && q.state ? cityCentroid(q.city, q.state) : undefined;
    if (byCity) return { lat: byCity.lat, lng: byCity.lng, precision: 'zip_centroid', source: 'zip_centroid', zip: null };
    return null;
  }
}
