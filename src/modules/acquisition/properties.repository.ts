import type { Db } from '../../platform/db.ts';
import type { PropertyRecord } from './acquisition.types.ts';
import { unnestInsert, type UnnestColumn } from '../../platform/unnest.ts';
import { openScrapingJob } from './scraping-jobs.repository.ts';

/**
 * SQL of property records (issue 4 §4): the merging batch upsert keyed by (normalized_address, city, state), the
 * geocode write, and the scraping_jobs bookkeeping of an import. Raw SQL where Prisma cannot say it: a bulk
 * INSERT … SELECT FROM unnest … ON CONFLICT with per-column COALESCE merges.
 */

/** Precision stored in properties.geocode_precision: a geocoder's, or 'source' for coordinates the record carried. */
export type StoredPrecision = 'rooftop' | 'interpolated' | 'street' | 'zip_centroid' | 'source';

/** A property record as stored: the source's fields plus its key, geocode provenance and source name. */
export interface PropertyRow extends Omit<PropertyRecord, 'raw'> {
  normalizedAddress: string;
  geocodePrecision: StoredPrecision | null;
  geocodeSource: string | null;
  source: string | null;
  raw: Record<string, unknown> | null;
}

export interface UpsertedProperty {
  id: string;
  inserted: boolean;
}

type Column = UnnestColumn<PropertyRow>;

const KEY: Column[] = [
  ['normalized_address', 'text', (r) => r.normalizedAddress],
  ['city', 'text', (r) => r.city],
  ['state', 'text', (r) => r.state],
];
/** Facts merged column by column: a new non-null value wins, a null never blanks what another source filled. */
const MERGED: Column[] = [
  ['address', 'text', (r) => r.address],
  ['zip', 'text', (r) => r.zip],
  ['parcel_id', 'text', (r) => r.parcelId],
  ['owner_name', 'text', (r) => r.ownerName],
  ['owner_mailing_address', 'text', (r) => r.ownerMailingAddress],
  ['is_absentee', 'boolean', (r) => r.isAbsentee],
  ['assessed_value', 'numeric', (r) => r.assessedValue],
  ['market_value', 'numeric', (r) => r.marketValue],
  ['year_built', 'int4', (r) => r.yearBuilt],
  ['sqft', 'int4', (r) => r.sqft],
  ['lot_size', 'numeric', (r) => r.lotSize],
  ['beds', 'int4', (r) => r.beds],
  ['baths', 'numeric', (r) => r.baths],
  ['property_type', 'text', (r) => r.propertyType],
  ['last_sale_date', 'date', (r) => r.lastSaleDate],
  ['last_sale_price', 'numeric', (r) => r.lastSalePrice],
  ['tax_amount', 'numeric', (r) => r.taxAmount],
  ['source', 'text', (r) => r.source],
];
/** The raw record: JSON objects of successive sources are merged (later keys win). */
const RAW: Column = ['raw', 'jsonb', (r) => (r.raw ? JSON.stringify(r.raw) : null)];
/** Coordinates move together with their precision and source, and only towards equal or better precision. */
const POINT: Column[] = [
  ['lat', 'float8', (r) => r.lat],
  ['lng', 'float8', (r) => r.lng],
  ['geocode_precision', 'text', (r) => r.geocodePrecision],
  ['geocode_source', 'text', (r) => r.geocodeSource],
];
const COLUMNS: Column[] = [...KEY, ...MERGED, RAW, ...POINT];

/** Better precision ranks higher; record coordinates ('source') count as rooftop. */
export const PRECISION_RANK_SQL = (col: string) =>
  `(CASE ${col} WHEN 'source' THEN 4 WHEN 'rooftop' THEN 4 WHEN 'interpolated' THEN 3 WHEN 'street' THEN 2 WHEN 'zip_centroid' THEN 1 ELSE 0 END)`;

const POINT_WINS = `(EXCLUDED.lat IS NOT NULL AND EXCLUDED.lng IS NOT NULL AND (properties.lat IS NULL OR
  ${PRECISION_RANK_SQL('EXCLUDED.geocode_precision')} >= ${PRECISION_RANK_SQL('properties.geocode_precision')}))`;

/**
 * One statement per batch. Rows must be unique on (normalizedAddress, city, state) within the batch (the service
 * merges duplicates first). Only rows that inserted or changed come back; `xmax = 0` marks an insert.
 */
export async function upsertProperties(db: Db, rows: PropertyRow[]): Promise<UpsertedProperty[]> {
  if (!rows.length) return [];
  const ins = unnestInsert(COLUMNS, rows);
  // Each updated column and the value it takes: the SET list, and the changed-row test compares the same pairs.
  const updates: [column: string, value: string][] = [
    ...MERGED.map(([c]): [string, string] => [c, `COALESCE(EXCLUDED."${c}", properties."${c}")`]),
    ['raw', `CASE WHEN EXCLUDED.raw IS NULL THEN properties.raw ELSE COALESCE(properties.raw, '{}'::jsonb) || EXCLUDED.raw END`],
    ...POINT.map(([c]): [string, string] => [c, `CASE WHEN ${POINT_WINS} THEN EXCLUDED."${c}" ELSE properties."${c}" END`]),
  ];
  const sql = `
    INSERT INTO properties (${ins.columns})
    ${ins.select}
    ON CONFLICT (normalized_address, city, state) DO UPDATE SET ${updates.map(([c, v]) => `"${c}" = ${v}`).join(', ')}, updated_at = now()
    WHERE (${updates.map(([c]) => `properties."${c}"`).join(', ')}) IS DISTINCT FROM (${updates.map(([, v]) => v).join(', ')})
    RETURNING id::text AS id, (xmax = 0) AS inserted`;
  return db.$queryRawUnsafe<UpsertedProperty[]>(sql, ...ins.params);
}

export interface PropertyToGeocode {
  id: string;
  address: string | null;
  normalizedAddress: string;
  city: string;
  state: string;
  zip: string | null;
}

/** Properties of these keys that still have no coordinates. */
export async function findUnlocated(db: Db, keys: Array<{ normalizedAddress: string; city: string; state: string }>): Promise<PropertyToGeocode[]> {
  if (!keys.length) return [];
  return db.$queryRawUnsafe<PropertyToGeocode[]>(
    `SELECT p.id::text AS id, p.address, p.normalized_address AS "normalizedAddress", p.city, p.state, p.zip
       FROM properties p
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(a, c, s) ON p.normalized_address = k.a AND p.city = k.c AND p.state = k.s
      WHERE p.lat IS NULL`,
    keys.map((k) => k.normalizedAddress),
    keys.map((k) => k.city),
    keys.map((k) => k.state),
  );
}

/** Writes a geocode unless the row meanwhile got coordinates of better precision; fills a missing ZIP. */
export async function setGeocode(
  db: Db,
  id: string,
  g: { lat: number; lng: number; precision: StoredPrecision; source: string; zip?: string | null },
): Promise<boolean> {
  const n = await db.$executeRawUnsafe(
    `UPDATE properties
        SET lat = $2, lng = $3, geocode_precision = $4, geocode_source = $5, zip = COALESCE(zip, $6), updated_at = now()
      WHERE id = $1::uuid AND (lat IS NULL OR ${PRECISION_RANK_SQL('$4::text')} >= ${PRECISION_RANK_SQL('geocode_precision')})`,
    id, g.lat, g.lng, g.precision, g.source.slice(0, 30), g.zip ?? null,
  );
  return n > 0;
}

export interface FoundProperty {
  id: string;
  lat: number | null;
  lng: number | null;
  source: string | null;
  city: string;
}

/** A property by key; the city matches case-insensitively so "AUSTIN" from a county export finds "Austin". */
export async function findByKey(db: Db, normalizedAddress: string, city: string, state: string): Promise<FoundProperty | null> {
  const rows = await db.$queryRawUnsafe<FoundProperty[]>(
    `SELECT id::text AS id, lat, lng, source, city FROM properties
      WHERE normalized_address = $1 AND state = $3 AND lower(city) = lower($2)
      ORDER BY (city = $2) DESC, created_at LIMIT 1`,
    normalizedAddress, city, state,
  );
  return rows[0] ?? null;
}

export async function findCity(db: Db, city: string, state: string) {
  return db.targetCity.findFirst({
    where: { state, city: { equals: city, mode: 'insensitive' } },
    select: { id: true, city: true, state: true, assessorSource: true },
  });
}

export const createImportJob = (
  db: Db,
  j: { source: string; city: string; state: string; config: Record<string, unknown>; triggeredBy: string; parentJobId?: string | null },
): Promise<string> => openScrapingJob(db, { ...j, jobType: 'properties' });

export interface ImportCounts {
  received: number;
  stored: number;
  failed: number;
}

export async function updateImportProgress(db: Db, id: string, c: ImportCounts): Promise<void> {
  await db.scrapingJob.update({
    where: { id },
    data: { totalItems: c.received, processedItems: c.received, succeededItems: c.stored, failedItems: c.failed },
  });
}

export async function finishImportJob(
  db: Db,
  id: string,
  f: ImportCounts & { status: 'completed' | 'partial' | 'failed'; results: Record<string, unknown>; errors: unknown[]; errorMessage?: string; errorStack?: string },
): Promise<void> {
  const job = await db.scrapingJob.findUnique({ where: { id }, select: { startedAt: true } });
  const completedAt = new Date();
  await db.scrapingJob.update({
    where: { id },
    data: {
      status: f.status,
      completedAt,
      durationSeconds: job?.startedAt ? Math.round((completedAt.getTime() - job.startedAt.getTime()) / 1000) : null,
      totalItems: f.received,
      processedItems: f.received,
      succeededItems: f.stored,
      failedItems: f.failed,
      results: f.results as object,
      errors: f.errors as object,
      errorMessage: f.errorMessage ?? null,
      errorStack: f.errorStack ?? null,
    },
  });
}

export async function addPropertiesProcessed(db: Db, cityId: string, n: number): Promise<void> {
  if (n <= 0) return;
  await db.targetCity.update({ where: { id: cityId }, data: { totalPropertiesProcessed: { increment: n } } });
}
