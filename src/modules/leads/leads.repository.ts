import { Prisma, type Db } from '../../platform/db.ts';
import type { LeadStatus } from './leads.lifecycle.ts';
import { propertyValueSql } from '../scoring/property-value.ts';

/** Everything the revealed view shows: active triggers, the latest roof analysis, the latest sale. */
export const FULL_LEAD_INCLUDE = {
  triggers: { orderBy: [{ triggerDate: 'desc' }, { createdAt: 'desc' }] },
  roofAnalyses: { orderBy: { analyzedAt: 'desc' }, take: 1 },
  assignments: { orderBy: { assignedAt: 'desc' }, take: 1 },
} as const satisfies Prisma.BaseLeadInclude;

export type FullLeadRow = Prisma.BaseLeadGetPayload<{ include: typeof FULL_LEAD_INCLUDE }>;

export const findLeadState = (db: Db, id: string) =>
  db.baseLead.findUnique({
    where: { id },
    select: {
      id: true, status: true, deletedAt: true, soldToContractorId: true, qualityScore: true, price: true,
      zip: true, city: true, state: true, trade: true, publishedAt: true, createdAt: true,
    },
  });

export type LeadState = NonNullable<Awaited<ReturnType<typeof findLeadState>>>;

export const findFullLead = (db: Db, id: string) => db.baseLead.findFirst({ where: { id, deletedAt: null }, include: FULL_LEAD_INCLUDE });

export const findFullLeads = (db: Db, ids: string[]) => db.baseLead.findMany({ where: { id: { in: ids } }, include: FULL_LEAD_INCLUDE });

export const insertLead = (db: Db, data: Prisma.BaseLeadUncheckedCreateInput) => db.baseLead.create({ data, select: { id: true } });

/** The conditional UPDATE behind every transition: it matches only while the lead is in one of `from`. */
export const updateLeadIfStatus = (db: Db, id: string, from: readonly LeadStatus[], data: Prisma.BaseLeadUncheckedUpdateManyInput) =>
  db.baseLead.updateMany({ where: { id, deletedAt: null, status: { in: [...from] } }, data: { ...data, version: { increment: 1 } } });

export const updateLiveLead = (db: Db, id: string, data: Prisma.BaseLeadUncheckedUpdateManyInput) =>
  db.baseLead.updateMany({ where: { id, deletedAt: null }, data });

export const softDeleteLead = (db: Db, id: string, unlessStatus: readonly LeadStatus[]) =>
  db.baseLead.updateMany({ where: { id, deletedAt: null, status: { notIn: [...unlessStatus] } }, data: { deletedAt: new Date() } });

/** The conditional UPDATE behind a batch of transitions; returns the leads it moved. */
export const updateLeadsIfStatus = (db: Db, ids: string[], from: readonly LeadStatus[], data: Prisma.BaseLeadUncheckedUpdateManyInput) =>
  db.baseLead.updateManyAndReturn({
    where: { id: { in: ids }, deletedAt: null, status: { in: [...from] } },
    data: { ...data, version: { increment: 1 } },
    select: { id: true },
  });

/** Audit rows of a batch of transitions, in one INSERT. */
export const insertSystemEvents = (db: Db, rows: Prisma.SystemEventCreateManyInput[]) =>
  rows.length ? db.systemEvent.createMany({ data: rows }) : Promise.resolve({ count: 0 });

export interface ListedLeadRow {
  id: string;
  status: LeadStatus;
  trade: string;
  address: string;
  city: string;
  state: string;
  zip: string | null;
  propertyValue: number | null;
  qualityScore: number | null;
  grade: string | null;
  price: number | null;
  publishedAt: Date | null;
  createdAt: Date;
  /** created_at as text: full microsecond precision for the cursor (a JS Date would round to ms). */
  createdAtKey: string;
  triggerTypes: string[];
  roofCondition: string | null;
}

export interface ListLeadsFilter {
  trade?: string;
  zip?: string;
  city?: string;
  state?: string;
  minScore?: number;
  grade?: string;
  maxPrice?: number;
  status?: LeadStatus;
  /** Set for a contractor: only what it may buy (available, no other's exclusive territory or cluster, tier window). */
  buyer?: { contractorId: string; priorityHours: number };
  /** One lead: GET /leads/:id for a buyer applies exactly the listing's filters. */
  id?: string;
  /** Keyset after the last row of the previous page: [qualityScore, createdAt text, id]. */
  after?: [number | null, string, string];
  limit: number;
}

/**
 * One query for the marketplace listing. Raw SQL because Prisma cannot say a keyset row comparison or NULLS LAST
 * ordering. The order comes from lead_rank (issue 8 §7: the narrow copy of status, score and creation time that a
 * rescore rewrites instead of base_leads' indexes): the planner walks lead_rank_status_score_idx for
 * `status = 'available'` (lead_rank_score_idx for staff listings of any status), joins each row's lead by primary
 * key, filters, and stops at LIMIT.
 */
/**
 * Exclusivity keys held by contractors other than `contractorId` — `zip|trade`, `city|state|trade` (city lower-cased)
 * and cluster ids — as one row of arrays, a MATERIALIZED CTE the listing reads through scalar subqueries (one
 * InitPlan each, computed once per query, no extra round trip).
 */
const heldByOthersCte = (contractorId: string) => Prisma.sql`held AS MATERIALIZED (
    SELECT coalesce((SELECT array_agg(DISTINCT t.zip || '|' || t.trade) FROM territories t
             WHERE t.kind = 'zip' AND t.exclusive AND t.status = 'active' AND (t.expires_at IS NULL OR t.expires_at > now())
               AND t.contractor_id <> ${contractorId}::uuid), '{}') AS zip_keys,
           coalesce((SELECT array_agg(DISTINCT lower(t.city) || '|' || t.state || '|' || t.trade) FROM territories t
             WHERE t.kind = 'city' AND t.status = 'active' AND (t.expires_at IS NULL OR t.expires_at > now())
               AND t.contractor_id <> ${contractorId}::uuid), '{}') AS city_keys,
           coalesce((SELECT array_agg(lc.id) FROM lead_clusters lc
             WHERE lc.status = 'active' AND lc.exclusive_contractor_id IS NOT NULL AND lc.exclusive_contractor_id <> ${contractorId}::uuid
               AND (lc.exclusivity_expires_at IS NULL OR lc.exclusivity_expires_at > now())), '{}') AS cluster_ids)`;

export function listLeads(db: Db, f: ListLeadsFilter): Promise<ListedLeadRow[]> {
  const where: Prisma.Sql[] = [Prisma.sql`b.deleted_at IS NULL`];
  const status = f.buyer ? 'available' : f.status;
  if (status) where.push(Prisma.sql`r.status = ${status}::lead_status`);
  if (f.id) where.push(Prisma.sql`b.id = ${f.id}::uuid`);
  if (f.trade) where.push(Prisma.sql`b.trade = ${f.trade}`);
  if (f.zip) where.push(Prisma.sql`b.zip = ${f.zip}`);
  if (f.city) where.push(Prisma.sql`lower(b.city) = lower(${f.city})`);
  if (f.state) where.push(Prisma.sql`b.state = ${f.state}`);
  if (f.minScore !== undefined) where.push(Prisma.sql`r.quality_score >= ${f.minScore}`);
  if (f.grade) where.push(Prisma.sql`b.grade = ${f.grade}`);
  if (f.maxPrice !== undefined) where.push(Prisma.sql`b.price <= ${f.maxPrice}::numeric`);
  if (f.buyer) {
    const { contractorId, priorityHours } = f.buyer;
    // What other contractors hold exclusively — ZIP claims, city-wide claims (seed 002 §3.6.6) and clusters (§3.5.4),
    // live: active and not past their expiry — is a few hundred keys (the `held` CTE). As plain filters they keep the
    // listing on its index order; as NOT EXISTS anti-joins against these small (or empty) tables the planner
    // misjudged them and sorted the whole available set (measured: 300 ms a query at 100k leads).
    where.push(Prisma.sql`(coalesce(b.zip, '') || '|' || b.trade) <> ALL((SELECT zip_keys FROM held)::text[])`);
    where.push(Prisma.sql`(lower(b.city) || '|' || b.state || '|' || b.trade) <> ALL((SELECT city_keys FROM held)::text[])`);
    where.push(Prisma.sql`(b.cluster_id IS NULL OR b.cluster_id <> ALL((SELECT cluster_ids FROM held)::uuid[]))`);
    // Starter tier sees a lead PRIORITY_ACCESS_HOURS after it was published (seed 002 §3.7.2 tier access).
    where.push(Prisma.sql`(COALESCE(b.published_at, b.created_at) <= now() - ${priorityHours}::float8 * interval '1 hour'
      OR NOT EXISTS (SELECT 1 FROM contractors c WHERE c.id = ${contractorId}::uuid AND c.subscription_tier = 'starter'))`);
  }

  // Available leads always have a score, so their page can use the index order (DESC = NULLS FIRST in
  // PostgreSQL) without changing the result; other listings put unscored leads last explicitly.
  const scoresNonNull = status === 'available' || f.minScore !== undefined || f.grade !== undefined;
  let order: Prisma.Sql;
  if (scoresNonNull) {
    where.push(Prisma.sql`r.quality_score IS NOT NULL`);
    order = Prisma.sql`r.quality_score DESC, r.created_at DESC, r.lead_id DESC`;
    if (f.after) {
      const [q, c, id] = f.after;
      // The plain bound lets the index scan start at the cursor; the row comparison breaks ties exactly.
      where.push(Prisma.sql`r.quality_score <= ${q ?? -1}
        AND (r.quality_score, r.created_at, r.lead_id) < (${q ?? -1}::int, ${c}::timestamptz, ${id}::uuid)`);
    }
  } else {
    order = Prisma.sql`r.quality_score DESC NULLS LAST, r.created_at DESC, r.lead_id DESC`;
    if (f.after) {
      const [q, c, id] = f.after;
      where.push(
        q === null
          ? Prisma.sql`r.quality_score IS NULL AND (r.created_at, r.lead_id) < (${c}::timestamptz, ${id}::uuid)`
          : Prisma.sql`(r.quality_score IS NULL OR (r.quality_score, r.created_at, r.lead_id) < (${q}::int, ${c}::timestamptz, ${id}::uuid))`,
      );
    }
  }

  const withHeld = f.buyer ? Prisma.sql`WITH ${heldByOthersCte(f.buyer.contractorId)}` : Prisma.empty;
  return db.$queryRaw<ListedLeadRow[]>`
    ${withHeld}
    SELECT b.id::text AS "id", b.status::text AS "status", b.trade, b.address, b.city, b.state, b.zip,
           (${Prisma.raw(propertyValueSql('b'))})::float8 AS "propertyValue", r.quality_score AS "qualityScore", b.grade,
           b.price::float8 AS "price", b.published_at AS "publishedAt", b.created_at AS "createdAt",
           r.created_at::text AS "createdAtKey",
           ARRAY(SELECT DISTINCT t.trigger_type::text FROM lead_triggers t WHERE t.base_lead_id = b.id AND t.active ORDER BY 1) AS "triggerTypes",
           (SELECT r.overall_condition::text FROM roof_analysis r WHERE r.base_lead_id = b.id ORDER BY r.analyzed_at DESC LIMIT 1) AS "roofCondition"
      FROM lead_rank r
      JOIN base_leads b ON b.id = r.lead_id
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY ${order}
     LIMIT ${f.limit}`;
}

/**
 * Copies a property's assessor facts onto its leads (pipeline property stage, seed 002 §6.1 step 3): the property
 * wins where it knows a value, the lead keeps its own otherwise (a permit's own coordinates stay when the
 * property has none). Also links the lead's permit to the property. Rows whose values would not change are
 * not rewritten (base_leads has many indexes, and the scoring-input trigger would mark them changed).
 */
export async function attachPropertiesToLeads(db: Db, pairs: { leadId: string; propertyId: string }[]): Promise<number> {
  if (!pairs.length) return 0;
  const leadIds = pairs.map((p) => p.leadId);
  const propertyIds = pairs.map((p) => p.propertyId);
  const n = await db.$executeRaw`
    WITH src AS (
      SELECT x.lead_id, p.id AS property_id,
             COALESCE(p.lat, b.lat) AS lat, COALESCE(p.lng, b.lng) AS lng, COALESCE(b.zip, p.zip) AS zip,
             COALESCE(p.year_built, b.year_built) AS year_built, COALESCE(p.sqft, b.sqft) AS sqft,
             COALESCE(p.lot_size, b.lot_size) AS lot_size, COALESCE(p.beds, b.beds) AS beds, COALESCE(p.baths, b.baths) AS baths,
             COALESCE(p.property_type, b.property_type) AS property_type,
             -- issue 8 §3: the market value, never the assessed one (the scorers estimate from that when needed)
             COALESCE(p.market_value, b.property_value) AS property_value,
             COALESCE(p.market_value, b.market_value) AS market_value,
             COALESCE(p.assessed_value, b.assessed_value) AS assessed_value,
             COALESCE(p.owner_name, b.owner_name) AS owner_name,
             COALESCE(p.owner_mailing_address, b.owner_mailing_address) AS owner_mailing_address,
             COALESCE(p.is_absentee, b.is_absentee) AS is_absentee
        FROM unnest(${leadIds}::uuid[], ${propertyIds}::uuid[]) AS x(lead_id, property_id)
        JOIN base_leads b ON b.id = x.lead_id
        JOIN properties p ON p.id = x.property_id
    )
    UPDATE base_leads b SET
      property_id = s.property_id, lat = s.lat, lng = s.lng, zip = s.zip, year_built = s.year_built, sqft = s.sqft,
      lot_size = s.lot_size, beds = s.beds, baths = s.baths, property_type = s.property_type,
      property_value = s.property_value, market_value = s.market_value, assessed_value = s.assessed_value, owner_name = s.owner_name,
      owner_mailing_address = s.owner_mailing_address, is_absentee = s.is_absentee,
      owner_occupied = CASE WHEN s.is_absentee IS NULL THEN b.owner_occupied ELSE NOT s.is_absentee END,
      updated_at = now()
    FROM src s
    WHERE b.id = s.lead_id AND b.deleted_at IS NULL
      AND (b.property_id, b.lat, b.lng, b.zip, b.year_built, b.sqft, b.lot_size, b.beds, b.baths, b.property_type,
           b.property_value, b.market_value, b.assessed_value, b.owner_name, b.owner_mailing_address, b.is_absentee)
          IS DISTINCT FROM
          (s.property_id, s.lat, s.lng, s.zip, s.year_built, s.sqft, s.lot_size, s.beds, s.baths, s.property_type,
           s.property_value, s.market_value, s.assessed_value, s.owner_name, s.owner_mailing_address, s.is_absentee)`;
  await db.$executeRaw`
    UPDATE permits pm SET property_id = x.property_id, updated_at = now()
      FROM unnest(${leadIds}::uuid[], ${propertyIds}::uuid[]) AS x(lead_id, property_id)
      JOIN base_leads b ON b.id = x.lead_id
     WHERE pm.id = b.permit_id AND pm.property_id IS DISTINCT FROM x.property_id`;
  return n;
}

/** What the pipeline's property stage needs of each lead. */
export const findLeadAddresses = (db: Db, ids: string[]) =>
  db.baseLead.findMany({
    where: { id: { in: ids }, deletedAt: null },
    select: { id: true, address: true, city: true, state: true, zip: true, lat: true, lng: true, status: true, propertyId: true },
  });

/** What the pipeline's score, cluster and price stages read of their leads. */
export const findLeadStageFacts = (db: Db, ids: string[]) =>
  db.baseLead.findMany({
    where: { id: { in: ids } },
    select: { id: true, status: true, permitId: true, qualityScore: true, grade: true, tier: true, price: true, clusterId: true },
  });
