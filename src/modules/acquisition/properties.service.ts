import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import {
  ZAssessorHtmlSource,
  ZAssessorSourceConfig,
  type GeocodeResult,
  type Geocoder,
  type PropertyRecord,
  type TAssessorSourceConfig,
} from './acquisition.types.ts';
import { normalizeAddress, toStateCode } from './address.ts';
import { createGeocoder } from './geocoding/index.ts';
import { AssessorFileSource, type RowError, type TAssessorFileSource } from './property-records/file-source.ts';
import * as repo from './properties.repository.ts';
import { createHtmlAssessorSource } from './property-records/html-assessor.ts';

/**
 * Property records (issue 4 §4; seed 002 §3.1.2, §3.2.3): bulk assessor imports merged into `properties`, and the
 * pipeline's per-address resolution. One house is one row, keyed by (normalized_address, city, state); every
 * source adds what it knows and none blanks what another filled. Rows without coordinates are geocoded through the
 * configured chain (ending in the offline ZIP centroid).
 */

export interface ImportPropertyRecordsOptions {
  city: string;
  state: string;
  /** Default: the city's target_cities.assessor_source. */
  source?: TAssessorSourceConfig;
  /** Geocode stored rows that have no coordinates (default true). */
  geocodeMissing?: boolean;
  triggeredBy?: string;
  parentJobId?: string | null;
  signal?: AbortSignal;
  /** Overrides the configured geocoder chain (tests, benchmarks). */
  geocoder?: Geocoder;
  batchSize?: number;
}

export interface ImportProgress {
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows of a batch that were the same house as another row of it (merged into one upsert). */
  merged: number;
  failed: number;
  geocoded: number;
  /** Share of the input read, 0–1 (by bytes). */
  fraction: number;
}

export interface ImportSummary extends ImportProgress {
  scrapingJobId: string;
  source: string;
  status: 'completed' | 'partial';
  /** Rows that could not be read (first 100): file, row number, field, message. */
  errors: RowError[];
  durationMs: number;
}

const MAX_REPORTED_ERRORS = 100;
const GEOCODE_CONCURRENCY = 4;

const clip = (s: string | null, n: number) => (s === null ? null : s.slice(0, n));

/** Title case for a city spelled in capitals by a county export ("ROUND ROCK" → "Round Rock"). */
function titleCase(s: string): string {
  return s.toLowerCase().replace(/(^|[\s\-'.])([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase());
}

/** The city as the key stores it: the target city's own spelling when it is that city, else title case. */
export function canonicalCity(city: string, preferred?: string): string {
  const c = city.trim().replace(/\s+/g, ' ');
  if (preferred && c.toLowerCase() === preferred.toLowerCase()) return preferred;
  return c === c.toUpperCase() || c === c.toLowerCase() ? titleCase(c) : c;
}

function requireState(state: string): string {
  const code = toStateCode(state);
  if (!code) throw new AppError('VALIDATION_FAILED', { message: `state: "${state}" is not a US state`, details: { field: 'state' } });
  return code;
}

/** The city row and a validated assessor source, or the AppError saying what is missing or wrong. */
async function loadAssessorSource(ctx: AppContext, cityName: string, stateName: string, given?: TAssessorSourceConfig) {
  const state = requireState(stateName);
  const city = await repo.findCity(ctx.db.prisma, cityName.trim(), state);
  if (!city) throw new AppError('CITY_NOT_FOUND', { message: `no target city ${cityName}, ${state}` });
  const label = `${city.city}, ${city.state}`;
  const candidate = given ?? city.assessorSource;
  if (candidate === null || candidate === undefined) {
    throw new AppError('CITY_NOT_CONFIGURED', { message: `${label} has no assessor_source configured`, details: { cityId: city.id } });
  }
  const parsed = ZAssessorSourceConfig.safeParse(candidate);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const where = first.path.length ? first.path.join('.') : '(root)';
    throw new AppError('CITY_SOURCE_INVALID', {
      message: `assessor_source of ${label} is invalid at ${where}: ${first.message}`,
      details: { cityId: city.id, field: where, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  if (parsed.data.kind === 'html') {
    throw new AppError('SOURCE_NOT_SUPPORTED', {
      message: `assessor_source of ${label} is an HTML site: it answers per-address lookups in the pipeline, not a bulk import (use kind csv or json)`,
    });
  }
  return { city, source: parsed.data as TAssessorFileSource };
}

/** A record as a properties row; null when its address has no key (e.g. only punctuation). */
export function toPropertyRow(r: PropertyRecord, source: string, preferredCity?: string): repo.PropertyRow | null {
  const normalizedAddress = normalizeAddress(r.address);
  if (!normalizedAddress) return null;
  const hasPoint = r.lat !== null && r.lng !== null;
  return {
    normalizedAddress,
    address: r.address,
    city: canonicalCity(r.city, preferredCity).slice(0, 100),
    state: r.state,
    zip: clip(r.zip, 10),
    parcelId: clip(r.parcelId, 100),
    lat: hasPoint ? r.lat : null,
    lng: hasPoint ? r.lng : null,
    geocodePrecision: hasPoint ? 'source' : null,
    geocodeSource: hasPoint ? source.slice(0, 30) : null,
    ownerName: clip(r.ownerName, 255),
    ownerMailingAddress: r.ownerMailingAddress,
    isAbsentee: r.isAbsentee,
    assessedValue: r.assessedValue,
    marketValue: r.marketValue,
    yearBuilt: r.yearBuilt,
    sqft: r.sqft,
    lotSize: r.lotSize,
    beds: r.beds,
    baths: r.baths,
    propertyType: clip(r.propertyType, 50),
    lastSaleDate: r.lastSaleDate,
    lastSalePrice: r.lastSalePrice,
    taxAmount: r.taxAmount,
    source: source.slice(0, 50),
    raw: r.raw,
  };
}

const keyOf = (r: { normalizedAddress: string; city: string; state: string }) => `${r.normalizedAddress}|${r.city}|${r.state}`;

/** Two rows of one house in one batch become one, the later one's non-null values winning (as across batches). */
export function mergeDuplicates(rows: repo.PropertyRow[]): repo.PropertyRow[] {
  const byKey = new Map<string, repo.PropertyRow>();
  for (const row of rows) {
    const prev = byKey.get(keyOf(row));
    if (!prev) {
      byKey.set(keyOf(row), row);
      continue;
    }
    const merged = { ...prev } as Record<string, unknown>;
    for (const [k, v] of Object.entries(row)) if (v !== null && v !== undefined) merged[k] = v;
    merged.raw = { ...(prev.raw ?? {}), ...(row.raw ?? {}) };
    byKey.set(keyOf(row), merged as unknown as repo.PropertyRow);
  }
  return [...byKey.values()];
}

/** Geocodes rows with a few requests in flight; returns how many got coordinates. */
async function geocodeRows(ctx: AppContext, geocoder: Geocoder, rows: repo.PropertyToGeocode[], signal?: AbortSignal): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      if (signal?.aborted) throw signal.reason;
      const g = await geocoder.geocode({ street: row.address ?? row.normalizedAddress, city: row.city, state: row.state, zip: row.zip }, { signal });
      if (g && (await repo.setGeocode(ctx.db.prisma, row.id, g))) done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(GEOCODE_CONCURRENCY, rows.length) }, worker));
  return done;
}

/**
 * Imports one city's assessor export: batches of merging upserts, then geocoding of rows still without
 * coordinates, with a scraping_jobs row (job_type 'properties') carrying the counts and the unreadable rows.
 */
export async function importPropertyRecords(
  ctx: AppContext,
  opts: ImportPropertyRecordsOptions,
  onProgress?: (p: ImportProgress) => void | Promise<void>,
): Promise<ImportSummary> {
  const started = Date.now();
  const { city, source } = await loadAssessorSource(ctx, opts.city, opts.state, opts.source);
  const fileSource = new AssessorFileSource(source, {
    fixturesDir: ctx.config.FIXTURES_DIR,
    defaultCity: city.city,
    defaultState: city.state,
    batchSize: opts.batchSize,
    usageDb: ctx.db.prisma,
    userAgent: ctx.config.SCRAPER_USER_AGENT,
    signal: opts.signal,
  });
  const jobId = await repo.createImportJob(ctx.db.prisma, {
    source: fileSource.sourceKey,
    city: city.city,
    state: city.state,
    config: source as unknown as Record<string, unknown>,
    triggeredBy: opts.triggeredBy ?? 'manual',
    parentJobId: opts.parentJobId,
  });
  const geocoder = opts.geocodeMissing === false ? null : (opts.geocoder ?? createGeocoder(ctx));
  const p: ImportProgress = { received: 0, inserted: 0, updated: 0, unchanged: 0, merged: 0, failed: 0, geocoded: 0, fraction: 0 };
  const noKey: RowError[] = [];

  try {
    for await (const records of fileSource.records()) {
      const rows: repo.PropertyRow[] = [];
      for (const r of records) {
        const row = toPropertyRow(r, fileSource.sourceKey, city.city);
        if (row) rows.push(row);
        else noKey.push({ file: fileSource.sourceKey, row: 0, field: 'address', message: `address: "${r.address}" has no street to key on` });
      }
      const unique = mergeDuplicates(rows);
      const upserted = await repo.upsertProperties(ctx.db.prisma, unique);
      const inserted = upserted.filter((u) => u.inserted).length;
      p.inserted += inserted;
      p.updated += upserted.length - inserted;
      p.unchanged += unique.length - upserted.length;
      p.merged += rows.length - unique.length;
      if (geocoder) p.geocoded += await geocodeRows(ctx, geocoder, await repo.findUnlocated(ctx.db.prisma, unique), opts.signal);
      p.received = fileSource.received;
      p.failed = fileSource.failed + noKey.length;
      p.fraction = fileSource.fractionRead();
      await repo.updateImportProgress(ctx.db.prisma, jobId, { received: p.received, stored: p.inserted + p.updated + p.unchanged, failed: p.failed });
      await onProgress?.({ ...p });
    }
  } catch (err) {
    p.received = fileSource.received;
    p.failed = fileSource.failed + noKey.length;
    await repo.finishImportJob(ctx.db.prisma, jobId, {
      received: p.received, stored: p.inserted + p.updated + p.unchanged, failed: p.failed, status: 'failed',
      results: { ...p }, errors: [...fileSource.errors, ...noKey].slice(0, MAX_REPORTED_ERRORS),
      errorMessage: (err as Error).message, errorStack: (err as Error).stack,
    });
    await repo.addPropertiesProcessed(ctx.db.prisma, city.id, p.inserted + p.updated);
    throw err;
  }

  p.received = fileSource.received;
  p.failed = fileSource.failed + noKey.length;
  p.fraction = 1;
  const errors = [...fileSource.errors, ...noKey].slice(0, MAX_REPORTED_ERRORS);
  const status = p.failed > 0 ? 'partial' : 'completed';
  await repo.finishImportJob(ctx.db.prisma, jobId, {
    received: p.received, stored: p.inserted + p.updated + p.unchanged, failed: p.failed, status, results: { ...p }, errors,
  });
  await repo.addPropertiesProcessed(ctx.db.prisma, city.id, p.inserted + p.updated);
  ctx.log.info({ city: city.city, state: city.state, jobId, ...p }, 'property records imported');
  return { scrapingJobId: jobId, source: fileSource.sourceKey, status, ...p, errors, durationMs: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------------------
// resolveProperty: the pipeline's property stage
// ---------------------------------------------------------------------------------------------------------

export interface ResolveAddress {
  address: string;
  city: string;
  state: string;
  zip?: string | null;
  /** The permit's own coordinates: kept as they are (precision 'source'). */
  lat?: number | null;
  lng?: number | null;
}

export interface AssessorLookupLike {
  lookup(a: { address: string; city: string; state: string; zip?: string | null }, opts?: { signal?: AbortSignal }): Promise<PropertyRecord | null>;
}

export interface ResolveOptions {
  assessor?: AssessorLookupLike;
  geocoder?: Geocoder;
  signal?: AbortSignal;
}

export interface ResolvedProperty {
  propertyId: string;
  created: boolean;
  /** The geocode applied by this call, when a geocoder was asked. */
  geocoded: GeocodeResult | null;
}

/** properties.source of a row created from a permit's address alone (no assessor record yet). */
export const MINIMAL_SOURCE = 'permit';

function validPoint(lat?: number | null, lng?: number | null): lat is number {
  return typeof lat === 'number' && typeof lng === 'number' && Number.isFinite(lat) && Number.isFinite(lng)
    && Math.abs(lat) <= 90 && Math.abs(lng) <= 180 && !(lat === 0 && lng === 0);
}

/**
 * The property of an address: the stored row when the key matches; otherwise (or when the stored row came from a
 * permit alone) the assessor's record when a lookup is given and finds one; otherwise a minimal row. A row without
 * coordinates takes the permit's own point, else a geocode. An assessor failure is logged and leaves a minimal row
 * (marked source 'permit', so a later run asks again) rather than stopping the lead.
 */
export async function resolveProperty(ctx: AppContext, addr: ResolveAddress, opts: ResolveOptions = {}): Promise<ResolvedProperty> {
  const normalizedAddress = normalizeAddress(addr.address ?? '');
  if (!normalizedAddress) throw new AppError('VALIDATION_FAILED', { message: `address: "${addr.address}" has no street to resolve`, details: { field: 'address' } });
  if (!addr.city?.trim()) throw new AppError('VALIDATION_FAILED', { message: 'city: required to resolve a property', details: { field: 'city' } });
  const state = requireState(addr.state);
  const db = ctx.db.prisma;

  let existing = await repo.findByKey(db, normalizedAddress, addr.city.trim(), state);
  let created = false;
  if (!existing || (existing.source === MINIMAL_SOURCE && opts.assessor)) {
    const record = opts.assessor ? await askAssessor(ctx, opts.assessor, { ...addr, state }, opts.signal) : null;
    const city = existing?.city ?? canonicalCity(addr.city);
    const row = record
      ? toPropertyRow({ ...record, address: addr.address, city, state, zip: record.zip ?? addr.zip ?? null }, 'assessor')
      : minimalRow(addr, normalizedAddress, city, state);
    if (!row) throw new AppError('VALIDATION_FAILED', { message: `address: "${addr.address}" has no street to resolve`, details: { field: 'address' } });
    row.normalizedAddress = normalizedAddress; // the permit's key, even if the assessor spells the street differently
    const [upserted] = await repo.upsertProperties(db, [row]);
    created = upserted?.inserted ?? false;
    existing = await repo.findByKey(db, normalizedAddress, city, state);
    if (!existing) throw new Error(`property ${normalizedAddress}, ${city}, ${state} vanished after upsert`);
  }

  let geocoded: GeocodeResult | null = null;
  if (existing.lat === null) {
    if (validPoint(addr.lat, addr.lng)) {
      await repo.setGeocode(db, existing.id, { lat: addr.lat, lng: addr.lng!, precision: 'source', source: MINIMAL_SOURCE, zip: addr.zip ?? null });
    } else {
      const geocoder = opts.geocoder ?? createGeocoder(ctx);
      geocoded = await geocoder.geocode({ street: addr.address, city: addr.city, state, zip: addr.zip ?? null }, { signal: opts.signal });
      if (geocoded) await repo.setGeocode(db, existing.id, geocoded);
    }
  }
  return { propertyId: existing.id, created, geocoded };
}

async function askAssessor(ctx: AppContext, assessor: AssessorLookupLike, a: ResolveAddress, signal?: AbortSignal): Promise<PropertyRecord | null> {
  try {
    return await assessor.lookup({ address: a.address, city: a.city, state: a.state, zip: a.zip ?? null }, { signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    ctx.log.warn({ address: a.address, city: a.city, state: a.state, err: (err as Error).message }, 'assessor lookup failed; keeping a minimal property row');
    return null;
  }
}

function minimalRow(addr: ResolveAddress, normalizedAddress: string, city: string, state: string): repo.PropertyRow {
  return {
    normalizedAddress, address: addr.address.trim(), city: city.slice(0, 100), state, zip: clip(addr.zip?.trim().slice(0, 5) ?? null, 10),
    parcelId: null, lat: null, lng: null, geocodePrecision: null, geocodeSource: null, ownerName: null, ownerMailingAddress: null,
    isAbsentee: null, assessedValue: null, marketValue: null, yearBuilt: null, sqft: null, lotSize: null, beds: null, baths: null,
    propertyType: null, lastSaleDate: null, lastSalePrice: null, taxAmount: null, source: MINIMAL_SOURCE, raw: null,
  };
}

/**
 * The per-address assessor of a city whose assessor_source is an HTML site (Playwright lookup, for the pipeline's
 * property stage), or null: file exports are imported in bulk, and a city without a source has none. The caller
 * closes it (it owns a browser).
 */
export async function cityAssessorLookup(ctx: AppContext, city: string, state: string) {
  const row = await repo.findCity(ctx.db.prisma, city, state);
  const parsed = ZAssessorHtmlSource.safeParse(row?.assessorSource);
  return parsed.success ? createHtmlAssessorSource(parsed.data, ctx) : null;
}
