import type pg from 'pg';
import { Prisma, type Db } from '../../platform/db.ts';
import type { LeadStatus } from '../leads/leads.lifecycle.ts';

/** Everything seed 004 scores, plus what the access check needs. */
export interface EngagementRow {
  id: string;
  status: LeadStatus;
  soldToContractorId: string | null;
  deletedAt: Date | null;
  qrScanCount: number;
  catalogViews: number;
  messagesCount: number;
  voiceMessagesCount: number;
  totalInteractions: number;
  lastInteractionAt: Date | null;
  hasPhone: boolean;
  hasBudget: boolean;
  hasTransactionType: boolean;
  hasPropertyType: boolean;
  hasLocation: boolean;
  hasPaymentMethod: boolean;
}

// Qualification inputs (seed 004): phone = an owner phone is on file; location = city and ZIP both present.
export const ENGAGEMENT_COLUMNS = `
  b.id::text AS "id", b.status::text AS "status", b.sold_to_contractor_id::text AS "soldToContractorId", b.deleted_at AS "deletedAt",
  b.qr_scan_count AS "qrScanCount", b.catalog_views AS "catalogViews", b.messages_count AS "messagesCount",
  b.voice_messages_count AS "voiceMessagesCount", b.total_interactions AS "totalInteractions", b.last_interaction_at AS "lastInteractionAt",
  (b.owner_phone_enc IS NOT NULL) AS "hasPhone", b.has_budget AS "hasBudget",
  (b.transaction_type IS NOT NULL) AS "hasTransactionType", (b.property_type IS NOT NULL) AS "hasPropertyType",
  (b.zip IS NOT NULL AND b.city <> '') AS "hasLocation", (b.payment_method IS NOT NULL) AS "hasPaymentMethod"`;

/**
 * Reads a lead's engagement inputs and locks its row until the transaction ends, so concurrent events on one
 * lead apply one after the other and no increment is lost. Raw SQL: Prisma cannot say SELECT … FOR UPDATE.
 */
export async function lockEngagementRow(tx: Db, leadId: string): Promise<EngagementRow | null> {
  const rows = await tx.$queryRaw<EngagementRow[]>`SELECT ${Prisma.raw(ENGAGEMENT_COLUMNS)} FROM base_leads b WHERE b.id = ${leadId}::uuid FOR UPDATE`;
  return rows[0] ?? null;
}

export async function findEngagementRow(db: Db, leadId: string): Promise<EngagementRow | null> {
  // Raw for the same computed qualification flags as the locked read.
  const rows = await db.$queryRaw<EngagementRow[]>`SELECT ${Prisma.raw(ENGAGEMENT_COLUMNS)} FROM base_leads b WHERE b.id = ${leadId}::uuid`;
  return rows[0] ?? null;
}

export const insertInteraction = (tx: Db, row: { leadId: string; kind: string; occurredAt: Date; metadata?: Record<string, unknown> }) =>
  tx.leadInteraction.create({
    data: { leadId: row.leadId, kind: row.kind, occurredAt: row.occurredAt, metadata: (row.metadata ?? undefined) as Prisma.InputJsonValue | undefined },
    select: { id: true, kind: true, occurredAt: true },
  });

/** Writes the score (and any counters) and marks it fresh: engagement_scored_at tells the stale marker a writer computed it. */
export const updateEngagement = (
  tx: Db,
  leadId: string,
  data: Pick<Prisma.BaseLeadUncheckedUpdateInput, 'qrScanCount' | 'catalogViews' | 'messagesCount' | 'voiceMessagesCount' | 'totalInteractions' | 'lastInteractionAt' | 'engagementScore' | 'temperature'>,
) => tx.baseLead.update({ where: { id: leadId }, data: { ...data, engagementStale: false, engagementScoredAt: new Date() }, select: { id: true } });

/**
 * One keyset chunk of leads whose score may be off: an interaction since `since` (the recency band may still
 * drop), or marked stale (an input changed without a rescore); null `since`: every live lead, for a backfill.
 * Raw SQL on the pool: the batch reads thousands of rows and needs the computed qualification flags.
 */
export async function listRecentlyActiveLeads(pool: pg.Pool, opts: { since: Date | null; afterId: string | null; limit: number }): Promise<(EngagementRow & { engagementScore: number; temperature: string; stale: boolean })[]> {
  const r = await pool.query(
    `SELECT ${ENGAGEMENT_COLUMNS}, b.engagement_score AS "engagementScore", b.temperature, b.engagement_stale AS "stale"
       FROM base_leads b
      WHERE ($1::timestamptz IS NULL OR b.last_interaction_at >= $1 OR b.engagement_stale) AND b.deleted_at IS NULL AND ($2::uuid IS NULL OR b.id > $2::uuid)
      ORDER BY b.id
      LIMIT $3`,
    [opts.since, opts.afterId, opts.limit],
  );
  return r.rows;
}

/**
 * Writes new scores for many leads in one statement. Raw SQL because Prisma cannot bulk-update different
 * values per row. A row is only written while its total_interactions is the one the score was computed from:
 * an event that landed meanwhile already rescored the lead with fresher counters. A stale row is written even when
 * its score did not move, to clear the mark.
 */
export async function writeEngagementScores(pool: pg.Pool, rows: { id: string; score: number; temperature: string; totalInteractions: number }[]): Promise<number> {
  if (!rows.length) return 0;
  const r = await pool.query(
    `UPDATE base_leads b SET engagement_score = u.score, temperature = u.temperature, engagement_stale = false, engagement_scored_at = clock_timestamp()
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[]) AS u(id, score, temperature, total)
      WHERE b.id = u.id AND b.total_interactions = u.total
        AND ((b.engagement_score, b.temperature) IS DISTINCT FROM (u.score, u.temperature) OR b.engagement_stale)`,
    [rows.map((x) => x.id), rows.map((x) => x.score), rows.map((x) => x.temperature), rows.map((x) => x.totalInteractions)],
  );
  return r.rowCount ?? 0;
}
