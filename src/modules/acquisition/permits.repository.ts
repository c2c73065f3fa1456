import type { Db, Prisma } from '../../platform/db.ts';
import type { NormalizedPermit } from './acquisition.types.ts';
import { unnestInsert, type UnnestColumn } from '../../platform/unnest.ts';
import { openScrapingJob, type ScrapingJobStart } from './scraping-jobs.repository.ts';

/**
 * SQL of the permit scraper: the batch upsert into permits (idempotent on (source, permit_number)), the
 * scraping_jobs row of a run, and the target_cities counters. The service owns transactions.
 */

/** A normalized permit as stored: the source's record plus its key, city, normalized address and trade. */
export interface PermitRow extends NormalizedPermit {
  source: string;
  targetCityId: string;
  normalizedAddress: string | null;
  trade: string | null;
  tradeGroup: string | null;
}

export interface UpsertedPermit {
  id: string;
  inserted: boolean;
}

const COLUMNS: ReadonlyArray<UnnestColumn<PermitRow>> = [
  ['source', 'text', (r) => r.source],
  ['permit_number', 'text', (r) => r.permitNumber],
  ['target_city_id', 'uuid', (r) => r.targetCityId],
  ['address', 'text', (r) => r.address],
  ['normalized_address', 'text', (r) => r.normalizedAddress],
  ['city', 'text', (r) => r.city],
  ['state', 'text', (r) => r.state],
  ['zip', 'text', (r) => r.zip],
  ['lat', 'float8', (r) => r.lat],
  ['lng', 'float8', (r) => r.lng],
  ['permit_type', 'text', (r) => r.permitType],
  ['permit_class', 'text', (r) => r.permitClass],
  ['work_description', 'text', (r) => r.workDescription],
  ['estimated_value', 'numeric', (r) => r.estimatedValue],
  ['trade', 'text', (r) => r.trade],
  ['trade_group', 'text', (r) => r.tradeGroup],
  ['contractor_name', 'text', (r) => r.contractorName],
  ['contractor_license', 'text', (r) => r.contractorLicense],
  ['applied_date', 'date', (r) => r.appliedDate],
  ['issue_date', 'date', (r) => r.issueDate],
  ['completion_date', 'date', (r) => r.completionDate],
  ['permit_status', 'text', (r) => r.permitStatus],
  ['source_url', 'text', (r) => r.sourceUrl],
  ['raw', 'jsonb', (r) => JSON.stringify(r.raw)],
];

/** Columns an upsert rewrites: everything but the key. property_id and created_at are never touched. */
const UPDATED = COLUMNS.map(([c]) => c).filter((c) => c !== 'source' && c !== 'permit_number');

/**
 * One statement per page: INSERT … SELECT FROM unnest(arrays) ON CONFLICT (source, permit_number) DO UPDATE,
 * only when something changed, so re-running a window rewrites nothing and returns only inserted or changed
 * rows. `xmax = 0` is true for a row this statement inserted (PostgreSQL's insert-vs-update tell).
 * Rows must be unique on permitNumber within the page (the service dedupes).
 */
export async function upsertPermits(db: Db, rows: PermitRow[]): Promise<UpsertedPermit[]> {
  if (!rows.length) return [];
  const ins = unnestInsert(COLUMNS, rows);
  const sets = UPDATED.map((c) => `"${c}" = EXCLUDED."${c}"`).join(', ');
  const changed = `(${UPDATED.map((c) => `permits."${c}"`).join(', ')}) IS DISTINCT FROM (${UPDATED.map((c) => `EXCLUDED."${c}"`).join(', ')})`;
  const sql = `
    INSERT INTO permits (${ins.columns})
    ${ins.select}
    ON CONFLICT (source, permit_number) DO UPDATE SET ${sets}, scraped_at = now(), updated_at = now()
    WHERE ${changed}
    RETURNING id::text AS id, (xmax = 0) AS inserted`;
  return db.$queryRawUnsafe<UpsertedPermit[]>(sql, ...ins.params);
}


/** Opens the run's scraping_jobs row (shared with the other acquisition runs). */
export const createScrapingJob = (db: Db, j: ScrapingJobStart): Promise<string> => openScrapingJob(db, j);

export interface ScrapingJobProgress {
  received: number;
  stored: number;
  skipped: number;
  retries: number;
}

export async function updateScrapingJobProgress(db: Db, id: string, p: ScrapingJobProgress): Promise<void> {
  await db.scrapingJob.update({
    where: { id },
    data: { totalItems: p.received, processedItems: p.received, succeededItems: p.stored, failedItems: p.skipped, retryCount: p.retries },
  });
}

export interface ScrapingJobFinish extends ScrapingJobProgress {
  status: 'completed' | 'partial' | 'failed' | 'cancelled';
  startedAt: Date;
  results: Record<string, unknown>;
  errors: string[];
  errorMessage?: string | null;
  errorStack?: string | null;
}

export async function finishScrapingJob(db: Db, id: string, f: ScrapingJobFinish): Promise<void> {
  const completedAt = new Date();
  await db.scrapingJob.update({
    where: { id },
    data: {
      status: f.status,
      completedAt,
      durationSeconds: Math.round((completedAt.getTime() - f.startedAt.getTime()) / 1000),
      totalItems: f.received,
      processedItems: f.received,
      succeededItems: f.stored,
      failedItems: f.skipped,
      retryCount: f.retries,
      results: f.results as object,
      errors: f.errors.slice(0, 200),
      errorMessage: f.errorMessage ?? null,
      errorStack: f.errorStack?.slice(0, 8000) ?? null,
    },
  });
}

/**
 * After a run: first/last scraped times (last only when the run finished) and the city's permit count, counted
 * rather than incremented so a re-run or a failed run can never inflate it.
 */
export async function touchCityAfterScrape(db: Db, cityId: string, finished: boolean): Promise<void> {
  await db.$executeRawUnsafe(
    `UPDATE target_cities SET
       first_scraped_at = CASE WHEN $2 THEN coalesce(first_scraped_at, now()) ELSE first_scraped_at END,
       last_scraped_at = CASE WHEN $2 THEN now() ELSE last_scraped_at END,
       total_permits_found = (SELECT count(*) FROM permits WHERE target_city_id = $1::uuid),
       updated_at = now()
     WHERE id = $1::uuid`,
    cityId,
    finished,
  );
}

export async function findCity(db: Db, city: string, state: string) {
  return db.targetCity.findFirst({
    where: { city: { equals: city, mode: 'insensitive' }, state },
    select: { id: true, city: true, state: true, timeZone: true, permitSource: true, active: true },
  });
}

/** Active cities that have a permit source, highest priority first (seed 002 §3.1.1 daily scrape). */
export async function findActiveCitiesWithSource(db: Db, timeZone?: string): Promise<{ id: string; city: string; state: string }[]> {
  // A JSON null and SQL NULL both mean "no source".
  return db.$queryRaw<{ id: string; city: string; state: string }[]>`
    SELECT id::text AS id, city, state FROM target_cities
    WHERE active AND permit_source IS NOT NULL AND jsonb_typeof(permit_source) <> 'null'
      AND (${timeZone ?? null}::text IS NULL OR time_zone = ${timeZone ?? null})
    ORDER BY priority DESC NULLS LAST, city`;
}

// ---------------------------------------------------------------------------------------------------------
// Stored permits as scoring and lead creation read them: the permit with its property and target city.

export interface PermitFilter {
  /** Target city names (case-insensitive), matched through target_city_id or the permit's own city. */
  cities?: string[];
  ids?: string[];
}

function permitWhere(f: PermitFilter): Prisma.PermitWhereInput {
  const where: Prisma.PermitWhereInput = {};
  if (f.ids) where.id = { in: f.ids };
  if (f.cities?.length) {
    where.OR = f.cities.flatMap((c) => [
      { targetCity: { city: { equals: c, mode: 'insensitive' as const } } },
      { city: { equals: c, mode: 'insensitive' as const } },
    ]);
  }
  return where;
}

const STORED_PERMIT_SELECT = {
  id: true,
  permitNumber: true,
  address: true,
  city: true,
  state: true,
  zip: true,
  lat: true,
  lng: true,
  permitType: true,
  permitClass: true,
  workDescription: true,
  estimatedValue: true,
  appliedDate: true,
  issueDate: true,
  scrapedAt: true,
  propertyId: true,
  property: { select: { address: true, city: true, state: true, zip: true, ownerName: true, marketValue: true, isAbsentee: true, yearBuilt: true, sqft: true, propertyType: true } },
  targetCity: { select: { city: true, state: true } },
} as const satisfies Prisma.PermitSelect;

export type StoredPermit = Prisma.PermitGetPayload<{ select: typeof STORED_PERMIT_SELECT }>;

export const countStoredPermits = (db: Db, f: PermitFilter) => db.permit.count({ where: permitWhere(f) });

/** Newest scraped first, keyset-paged on (scraped_at, id) so a long run reads in bounded chunks. */
export const findStoredPermitsPage = (db: Db, f: PermitFilter, take: number, afterId?: string) =>
  db.permit.findMany({
    where: permitWhere(f),
    select: STORED_PERMIT_SELECT,
    orderBy: [{ scrapedAt: 'desc' }, { id: 'desc' }],
    take,
    ...(afterId ? { cursor: { id: afterId }, skip: 1 } : {}),
  });

export const findTargetCityNames = (db: Db) => db.targetCity.findMany({ select: { city: true, state: true } });
