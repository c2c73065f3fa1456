import { Prisma, type Db } from '../../platform/db.ts';

export type CityRow = Awaited<ReturnType<typeof findCityById>> & {};

export const findCityById = (db: Db, id: string) => db.targetCity.findUnique({ where: { id } });

/** Every city of one state (a handful): the caller matches the URL spelling of the name against them. */
export const findCitiesOfState = (db: Db, state: string) => db.targetCity.findMany({ where: { state }, orderBy: { city: 'asc' } });

export interface CityListFilter {
  state?: string;
  tier?: number;
  active?: boolean;
  configured?: boolean;
  /** Keyset after (priority, id) of the previous page's last row; priority may be null (sorted last). */
  after?: [number | null, string];
  limit: number;
}

/** Keyset page ordered by priority (highest first, unset last), then id. */
export function listCities(db: Db, f: CityListFilter) {
  const where: Prisma.TargetCityWhereInput[] = [];
  if (f.state) where.push({ state: f.state });
  if (f.tier !== undefined) where.push({ tier: f.tier });
  if (f.active !== undefined) where.push({ active: f.active });
  if (f.configured !== undefined) where.push({ permitSource: f.configured ? { not: Prisma.DbNull } : { equals: Prisma.DbNull } });
  if (f.after) {
    const [p, id] = f.after;
    where.push(p === null
      ? { priority: null, id: { gt: id } }
      : { OR: [{ priority: { lt: p } }, { priority: null }, { priority: p, id: { gt: id } }] });
  }
  return db.targetCity.findMany({
    where: { AND: where },
    orderBy: [{ priority: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }],
    take: f.limit,
  });
}

/** Flips active only when it differs, so of two concurrent activations exactly one sees count 1. */
export const setActiveIfChanged = async (db: Db, id: string, active: boolean) =>
  (await db.targetCity.updateMany({ where: { id, active: !active }, data: { active } })).count === 1;

/** The newest city.activated / city.deactivated audit rows of a city. */
export const latestCityEvent = (db: Db, cityId: string, eventName: 'city.activated' | 'city.deactivated') =>
  db.systemEvent.findFirst({
    where: { entityType: 'target_city', entityId: cityId, eventName },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true, eventData: true },
  });

/** scraping_jobs rows carry the city by name; names are matched case-insensitively. */
export const latestScrapingJob = (db: Db, q: { jobType: string; city?: string; state?: string; since?: Date }) =>
  db.scrapingJob.findFirst({
    where: {
      jobType: q.jobType,
      ...(q.city ? { city: { equals: q.city, mode: 'insensitive' as const } } : {}),
      // Storm ingestion is national (city/state NULL) or per state; a row for the city's state or for everyone counts.
      ...(q.state && !q.city ? { OR: [{ state: q.state }, { state: null }] } : q.state ? { state: q.state } : {}),
      ...(q.since ? { createdAt: { gte: q.since } } : {}),
    },
    orderBy: { createdAt: 'desc' },
  });

export const latestScrapingError = (db: Db, city: string, state: string) =>
  db.scrapingJob.findFirst({
    where: { city: { equals: city, mode: 'insensitive' }, state, errorMessage: { not: null } },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true, completedAt: true, jobType: true, errorMessage: true },
  });

export interface CityCounts {
  permits: number;
  permitsLast30Days: number;
  byTrade: { trade: string; count: number }[];
  properties: number;
  leadsByStatus: Record<string, number>;
  leadsByGrade: Record<string, number>;
  processingLeads: number;
  contractors: number;
  scoredContractors: number;
  campaigns: number;
  launchedCampaigns: number;
}

/**
 * Everything the progress endpoint counts for one city, in one round trip. Raw SQL: Prisma cannot count several
 * tables with case-insensitive name matches and grouped sub-aggregates in one statement. A permit belongs to the
 * city by target_city_id, or by name when the scraper left that unset.
 */
export async function countCityData(db: Db, c: { id: string; city: string; state: string }): Promise<CityCounts> {
  const rows = await db.$queryRaw<{ j: CityCounts }[]>`
    WITH p AS (
      SELECT trade, COALESCE(issue_date, applied_date) AS day FROM permits
      WHERE target_city_id = ${c.id}::uuid OR (target_city_id IS NULL AND lower(city) = lower(${c.city}) AND state = ${c.state})
    ), l AS (
      SELECT status::text AS status, grade FROM base_leads WHERE lower(city) = lower(${c.city}) AND state = ${c.state}
    ), k AS (
      SELECT fit_score, priority_score FROM contractors WHERE lower(city) = lower(${c.city}) AND state = ${c.state} AND deleted_at IS NULL
    ), o AS (
      SELECT status, started_at FROM outreach_campaigns WHERE lower(target_city) = lower(${c.city}) AND target_state = ${c.state}
    )
    SELECT json_build_object(
      'permits', (SELECT count(*) FROM p),
      'permitsLast30Days', (SELECT count(*) FROM p WHERE day >= current_date - 30),
      'byTrade', COALESCE((SELECT json_agg(json_build_object('trade', t, 'count', n) ORDER BY n DESC, t) FROM (
                   SELECT COALESCE(trade, 'unclassified') AS t, count(*)::int AS n FROM p GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5) x), '[]'::json),
      'properties', (SELECT count(*) FROM properties WHERE lower(city) = lower(${c.city}) AND state = ${c.state}),
      'leadsByStatus', COALESCE((SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM l GROUP BY 1) x), '{}'::json),
      'leadsByGrade', COALESCE((SELECT json_object_agg(g, n) FROM (SELECT COALESCE(grade, 'ungraded') AS g, count(*)::int AS n FROM l GROUP BY 1) x), '{}'::json),
      'processingLeads', (SELECT count(*) FROM l WHERE status = 'processing'),
      'contractors', (SELECT count(*) FROM k),
      'scoredContractors', (SELECT count(*) FROM k WHERE fit_score IS NOT NULL OR priority_score IS NOT NULL),
      'campaigns', (SELECT count(*) FROM o),
      'launchedCampaigns', (SELECT count(*) FROM o WHERE started_at IS NOT NULL)
    ) AS j`;
  return rows[0]!.j;
}
