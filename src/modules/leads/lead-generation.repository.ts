import { Prisma, type Db } from '../../platform/db.ts';
import type { LeadStatus } from './leads.lifecycle.ts';

export interface GenerationFilter {
  trade: string;
  minScore: number;
  zips?: string[];
  limit: number;
  /** Only leads still to publish (scored): the hourly batch wants new supply, not what is on sale already. */
  unpublishedOnly?: boolean;
}

// Advisory lock namespace (two-int form): one generation per trade at a time, so two runs never publish two
// leads of one property between them.
const GENERATION_LOCK_NS = 7_307_002;

/** The selection's address-key function and windows cross jit_above_cost at ~100k leads; JIT only adds time. */
export async function disableJit(db: Db): Promise<void> {
  await db.$executeRaw`SET LOCAL jit = off`;
}

export async function lockTrade(db: Db, trade: string): Promise<void> {
  await db.$executeRaw`SELECT pg_advisory_xact_lock(${GENERATION_LOCK_NS}::int, hashtext(${trade}))`;
}

/**
 * seed 000 `generate_leads(trade, min_score, max_leads, zips)`: the best sellable leads of a trade, one per
 * property, best score first. Raw SQL: window functions over a LEFT JOIN, and the address key function.
 *
 * A property is a lead's property row when it has one, else its normalized address (lead_address_key); a
 * lead is deduplicated against both. Among the trade's live leads (in the ZIPs, when given):
 *  - a property is taken when any of its leads is reserved, sold, delivered or converted, or has an active
 *    sale (lead_assignments) — it yields nothing (seed 000 "filtering of already-assigned properties");
 *  - otherwise its representative is its available lead if it has one (it is already on the market; a second
 *    listing would be a duplicate), else its best eligible scored lead (score, then newest, then id);
 *  - the representative is returned when eligible: scored or available, quality_score ≥ minScore, priced,
 *    no buyer and no active sale (and scored, with `unpublishedOnly`).
 */
export function selectGeneratableLeads(db: Db, f: GenerationFilter) {
  const zipFilter = f.zips?.length ? Prisma.sql`AND b.zip = ANY(${f.zips}::text[])` : Prisma.empty;
  const statusFilter = f.unpublishedOnly ? Prisma.sql`AND status = 'scored'` : Prisma.empty;
  return db.$queryRaw<{ id: string; status: LeadStatus }[]>`
    WITH pool AS (
      SELECT b.id, b.status, b.quality_score, b.created_at,
             COALESCE(b.property_id, b.id) AS prop,
             lead_address_key(b.address, b.city, b.state) AS akey,
             (b.status IN ('reserved', 'sold', 'delivered', 'converted') OR b.sold_to_contractor_id IS NOT NULL OR a.id IS NOT NULL) AS taken,
             (b.status IN ('scored', 'available') AND b.quality_score >= ${f.minScore} AND b.price IS NOT NULL
               AND b.sold_to_contractor_id IS NULL AND a.id IS NULL) AS eligible
        FROM base_leads b
        LEFT JOIN lead_assignments a ON a.base_lead_id = b.id AND a.status = 'active'
       WHERE b.deleted_at IS NULL AND b.trade = ${f.trade}
         AND b.status IN ('scored', 'available', 'reserved', 'sold', 'delivered', 'converted')
         ${zipFilter}
    ), ranked AS (
      SELECT id, status, quality_score, created_at, eligible,
             bool_or(taken) OVER (PARTITION BY akey) OR bool_or(taken) OVER (PARTITION BY prop) AS property_taken,
             row_number() OVER (PARTITION BY akey ORDER BY (status = 'available') DESC, eligible DESC, quality_score DESC, created_at DESC, id) AS addr_rank,
             row_number() OVER (PARTITION BY prop ORDER BY (status = 'available') DESC, eligible DESC, quality_score DESC, created_at DESC, id) AS prop_rank
        FROM pool
    )
    SELECT id::text AS "id", status::text AS "status"
      FROM ranked
     WHERE eligible AND NOT property_taken AND addr_rank = 1 AND prop_rank = 1 ${statusFilter}
     ORDER BY quality_score DESC, created_at DESC, id
     LIMIT ${f.limit}`;
}

/** One lead.published outbox event per published lead, in one INSERT (same transaction as the publish). */
export const insertPublishedEvents = (db: Db, leadIds: string[]) =>
  leadIds.length
    ? db.outbox.createMany({ data: leadIds.map((id) => ({ topic: 'lead.published', payload: { leadId: id }, dedupeKey: `lead.published:${id}` })) })
    : Promise.resolve({ count: 0 });

/** Trades with publishable scored leads: what the hourly batch walks. */
export const listTradesWithScoredLeads = async (db: Db, minScore: number) =>
  (
    await db.baseLead.findMany({
      where: { deletedAt: null, status: 'scored', qualityScore: { gte: minScore }, price: { not: null } },
      distinct: ['trade'],
      select: { trade: true },
      orderBy: { trade: 'asc' },
    })
  ).map((r) => r.trade);

export const findPublishCandidates = (db: Db, ids: string[]) =>
  db.baseLead.findMany({ where: { id: { in: ids }, deletedAt: null }, select: { id: true, status: true, qualityScore: true, price: true } });
