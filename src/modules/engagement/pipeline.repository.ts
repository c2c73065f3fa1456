import type pg from 'pg';
import type { Db } from '../../platform/db.ts';
import type { PipelineInputs } from './pipeline-health.scorer.ts';

/** A sale's follow-up data (lead_assignments), what the lead adds, and the metrics stored last time. */
export interface PipelineRow extends Omit<PipelineInputs, 'timeZone'> {
  id: string;
  leadId: string;
  contractorId: string;
  city: string;
  state: string;
  healthScore: number | null;
  velocityScore: number | null;
  aiPriority: number | null;
  conversionProbability: number | null;
  churnRisk: string | null;
  followUpStatus: string | null;
  overdueDays: number;
  recommendation: Record<string, unknown> | null;
  scoresLastUpdated: Date | null;
  /** updated_at as text (full precision): the write is conditional on it, see writePipelineMetrics. */
  updatedAtKey: string;
}

const PIPELINE_COLUMNS = `
  a.id::text AS "id", a.base_lead_id::text AS "leadId", a.contractor_id::text AS "contractorId", b.city, b.state,
  a.assigned_at AS "assignedAt", a.viewed, a.viewed_at AS "viewedAt", a.contacted, a.contacted_at AS "contactedAt",
  a.appointment_scheduled AS "appointmentScheduled", a.appointment_date AS "appointmentDate",
  a.quote_provided AS "quoteProvided", a.quote_date AS "quoteDate", a.quote_amount::float8 AS "quoteAmount",
  a.converted, a.converted_at AS "convertedAt", a.next_follow_up_at AS "nextFollowUpAt",
  a.lead_quality_rating AS "leadQualityRating", b.quality_score AS "qualityScore", b.last_interaction_at AS "lastInteractionAt",
  a.health_score AS "healthScore", a.velocity_score AS "velocityScore", a.ai_priority AS "aiPriority",
  a.conversion_probability::float8 AS "conversionProbability", a.churn_risk AS "churnRisk", a.follow_up_status AS "followUpStatus",
  a.overdue_days AS "overdueDays", a.recommendation, a.scores_last_updated AS "scoresLastUpdated", a.updated_at::text AS "updatedAtKey"`;

/**
 * The sales the 30-minute rescore covers: live (not refunded), and either still open or converted since their
 * metrics were last written (so a won sale gets its final metrics once and is then left alone).
 */
const RESCORE_SCOPE = `a.refunded_at IS NULL AND a.status = 'active'
  AND (NOT a.converted OR a.scores_last_updated IS NULL OR a.scores_last_updated < a.converted_at)`;

/**
 * The daily snapshot covers live open sales plus those converted in the 24 h before `asOf`, so each series
 * ends with its won day.
 */
const SNAPSHOT_SCOPE = `a.refunded_at IS NULL AND a.status = 'active' AND (NOT a.converted OR a.converted_at >= $3::timestamptz - interval '24 hours')`;

// Raw SQL on the pool for the batch reads: keyset chunks of thousands of rows joined to their lead.
export async function listRescoreChunk(pool: pg.Pool, opts: { afterId: string | null; limit: number }): Promise<PipelineRow[]> {
  const r = await pool.query(
    `SELECT ${PIPELINE_COLUMNS}
       FROM lead_assignments a JOIN base_leads b ON b.id = a.base_lead_id
      WHERE ${RESCORE_SCOPE} AND ($1::uuid IS NULL OR a.id > $1::uuid)
      ORDER BY a.id
      LIMIT $2`,
    [opts.afterId, opts.limit],
  );
  return r.rows;
}

export async function countRescoreScope(pool: pg.Pool): Promise<number> {
  const r = await pool.query(`SELECT count(*)::int AS n FROM lead_assignments a WHERE ${RESCORE_SCOPE}`);
  return r.rows[0].n;
}

export async function listSnapshotChunk(pool: pg.Pool, opts: { afterId: string | null; limit: number; asOf: Date }): Promise<PipelineRow[]> {
  const r = await pool.query(
    `SELECT ${PIPELINE_COLUMNS}
       FROM lead_assignments a JOIN base_leads b ON b.id = a.base_lead_id
      WHERE ${SNAPSHOT_SCOPE} AND ($1::uuid IS NULL OR a.id > $1::uuid)
      ORDER BY a.id
      LIMIT $2`,
    [opts.afterId, opts.limit, opts.asOf],
  );
  return r.rows;
}

/** The live sale of one lead (at most one: partial unique index lead_assignments_one_active_sale). */
export async function findLivePipelineRow(pool: pg.Pool, leadId: string): Promise<PipelineRow | null> {
  const r = await pool.query(
    `SELECT ${PIPELINE_COLUMNS}
       FROM lead_assignments a JOIN base_leads b ON b.id = a.base_lead_id
      WHERE a.base_lead_id = $1::uuid AND a.refunded_at IS NULL`,
    [leadId],
  );
  return r.rows[0] ?? null;
}

/** Target cities' IANA zones, for reading follow-up dates on the lead's local calendar. */
export const listCityTimeZones = (db: Db) => db.targetCity.findMany({ select: { city: true, state: true, timeZone: true } });

export interface PipelineWrite {
  id: string;
  healthScore: number;
  velocityScore: number;
  aiPriority: number;
  conversionProbability: number;
  churnRisk: string;
  followUpStatus: string;
  overdueDays: number;
  recommendation: string;
  updatedAtKey: string;
}

/**
 * Writes many sales' metrics in one statement and stamps scores_last_updated. Raw SQL because Prisma cannot
 * bulk-update different values per row. Guarded twice: only rows whose values differ (the caller already
 * filtered; IS DISTINCT FROM keeps the write honest), and only while updated_at is the one read — feedback
 * that landed meanwhile (Prisma bumps updated_at) wins, and the next run scores it. These columns carry no
 * index, so the update can stay HOT; updated_at is left alone so the guard keeps meaning "follow-up data".
 */
export async function writePipelineMetrics(pool: pg.Pool, rows: PipelineWrite[], now: Date): Promise<number> {
  if (!rows.length) return 0;
  const col = <K extends keyof PipelineWrite>(k: K) => rows.map((r) => r[k]);
  const r = await pool.query(
    `UPDATE lead_assignments a
        SET health_score = u.health, velocity_score = u.velocity, ai_priority = u.ai, conversion_probability = u.conversion,
            churn_risk = u.churn, follow_up_status = u.follow_up, overdue_days = u.overdue, recommendation = u.recommendation::jsonb,
            scores_last_updated = $11
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::numeric[], $6::text[], $7::text[], $8::int[], $9::text[], $10::timestamptz[])
            AS u(id, health, velocity, ai, conversion, churn, follow_up, overdue, recommendation, updated_at)
      WHERE a.id = u.id AND a.updated_at = u.updated_at
        AND (a.health_score, a.velocity_score, a.ai_priority, a.conversion_probability, a.churn_risk, a.follow_up_status, a.overdue_days, a.recommendation)
            IS DISTINCT FROM (u.health, u.velocity, u.ai, u.conversion, u.churn, u.follow_up, u.overdue, u.recommendation::jsonb)`,
    [
      col('id'), col('healthScore'), col('velocityScore'), col('aiPriority'), col('conversionProbability'), col('churnRisk'),
      col('followUpStatus'), col('overdueDays'), col('recommendation'), col('updatedAtKey'), now,
    ],
  );
  return r.rowCount ?? 0;
}

/**
 * seed 003 "Scores update every 30 minutes" / "ScoresLastUpdated: recent timestamp": every run stamps the sales it
 * scored, changed or not, so the column says when the metrics were last computed. Raw SQL for the id array; the
 * column carries no index, so these are HOT updates, and updated_at (the feedback guard) is left alone.
 */
export async function stampScoresComputed(pool: pg.Pool, ids: string[], now: Date): Promise<number> {
  if (!ids.length) return 0;
  const r = await pool.query(
    `UPDATE lead_assignments SET scores_last_updated = $2 WHERE id = ANY($1::uuid[]) AND scores_last_updated IS DISTINCT FROM $2`,
    [ids, now],
  );
  return r.rowCount ?? 0;
}

export interface SnapshotWrite {
  assignmentId: string;
  leadId: string;
  healthScore: number;
  velocityScore: number;
  stage: string;
  daysInStage: number;
}

/** One row per sale per day; UNIQUE (assignment_id, snapshot_date) makes a re-run insert nothing. Raw: bulk insert from unnest with ON CONFLICT. */
export async function insertVelocitySnapshots(pool: pg.Pool, rows: SnapshotWrite[], snapshotDate: string): Promise<number> {
  if (!rows.length) return 0;
  const col = <K extends keyof SnapshotWrite>(k: K) => rows.map((r) => r[k]);
  const r = await pool.query(
    `INSERT INTO lead_velocity_snapshots (assignment_id, lead_id, snapshot_date, health_score, velocity_score, stage, days_in_stage)
     SELECT u.assignment_id, u.lead_id, $7::date, u.health, u.velocity, u.stage, u.days
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::text[], $6::int[]) AS u(assignment_id, lead_id, health, velocity, stage, days)
     ON CONFLICT (assignment_id, snapshot_date) DO NOTHING`,
    [col('assignmentId'), col('leadId'), col('healthScore'), col('velocityScore'), col('stage'), col('daysInStage'), snapshotDate],
  );
  return r.rowCount ?? 0;
}
