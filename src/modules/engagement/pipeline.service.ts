import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { isStaff, requireRole, type Principal } from '../../platform/auth.ts';
import { getLeadState, isLeadOwner } from '../leads/leads.service.ts';
import { scorePipeline, type PipelineInputs, type PipelineMetrics } from './pipeline-health.scorer.ts';
import * as repo from './pipeline.repository.ts';
import type { TPipeline } from './engagement.schemas.ts';

const DEFAULT_CHUNK = 5000;

export function pipelineInputs(r: repo.PipelineRow, timeZone: string | null): PipelineInputs {
  return {
    assignedAt: r.assignedAt,
    viewed: r.viewed,
    viewedAt: r.viewedAt,
    contacted: r.contacted,
    contactedAt: r.contactedAt,
    appointmentScheduled: r.appointmentScheduled,
    appointmentDate: r.appointmentDate,
    quoteProvided: r.quoteProvided,
    quoteDate: r.quoteDate,
    quoteAmount: r.quoteAmount,
    converted: r.converted,
    convertedAt: r.convertedAt,
    nextFollowUpAt: r.nextFollowUpAt,
    leadQualityRating: r.leadQualityRating,
    qualityScore: r.qualityScore,
    lastInteractionAt: r.lastInteractionAt,
    timeZone,
  };
}

/**
 * Follow-up dates are read on the calendar of the lead's city (target_cities.time_zone, matched on city
 * case-insensitively and state); a lead outside the target cities uses UTC. Contractors carry no zone of
 * their own, and the follow-up happens in the lead's market.
 */
async function cityZones(ctx: AppContext): Promise<(city: string, state: string) => string | null> {
  const map = new Map<string, string>();
  for (const c of await repo.listCityTimeZones(ctx.db.prisma)) map.set(`${c.state}|${c.city.toLowerCase()}`, c.timeZone);
  return (city, state) => map.get(`${state}|${city.toLowerCase()}`) ?? null;
}

/** The stored columns, as the writer would store them. */
function toWrite(r: repo.PipelineRow, m: PipelineMetrics): repo.PipelineWrite {
  return {
    id: r.id,
    healthScore: m.healthScore,
    velocityScore: m.velocityScore,
    aiPriority: m.aiPriority,
    conversionProbability: m.conversionProbability,
    churnRisk: m.churnRisk,
    followUpStatus: m.followUpStatus,
    overdueDays: m.overdueDays,
    recommendation: JSON.stringify(m.recommendation),
    updatedAtKey: r.updatedAtKey,
  };
}

export function pipelineChanged(r: repo.PipelineRow, m: PipelineMetrics): boolean {
  const rec = r.recommendation as Partial<PipelineMetrics['recommendation']> | null;
  return (
    r.healthScore !== m.healthScore ||
    r.velocityScore !== m.velocityScore ||
    r.aiPriority !== m.aiPriority ||
    r.conversionProbability !== m.conversionProbability ||
    r.churnRisk !== m.churnRisk ||
    r.followUpStatus !== m.followUpStatus ||
    r.overdueDays !== m.overdueDays ||
    !rec ||
    rec.priority !== m.recommendation.priority ||
    rec.action !== m.recommendation.action ||
    rec.message !== m.recommendation.message ||
    rec.reasoning !== m.recommendation.reasoning
  );
}

export interface RescorePipelineOptions {
  now?: Date;
  chunkSize?: number;
  onChunk?: (p: { total: number; scanned: number; written: number }) => Promise<void> | void;
  signal?: AbortSignal;
}

/**
 * Recomputes the seed 003 metrics of every live sale (scope in pipeline.repository RESCORE_SCOPE) in keyset
 * chunks over lead_assignments.id: read a chunk, score it in JS, write only the rows whose metrics changed
 * with one UPDATE … FROM unnest, then stamp scores_last_updated on every row of the chunk (changed or not:
 * seed 003's "recent timestamp" says the scores are current). Memory stays at one chunk however many sales there are.
 */
export async function rescorePipeline(ctx: AppContext, opts: RescorePipelineOptions = {}) {
  const now = opts.now ?? new Date();
  const limit = opts.chunkSize ?? DEFAULT_CHUNK;
  const zoneOf = await cityZones(ctx);
  const total = await repo.countRescoreScope(ctx.db.pool);
  let afterId: string | null = null;
  let scanned = 0;
  let changed = 0;
  let written = 0;
  let stamped = 0;
  let chunks = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const rows = await repo.listRescoreChunk(ctx.db.pool, { afterId, limit });
    if (!rows.length) break;
    chunks++;
    scanned += rows.length;
    const writes: repo.PipelineWrite[] = [];
    for (const r of rows) {
      const m = scorePipeline(pipelineInputs(r, zoneOf(r.city, r.state)), now);
      if (pipelineChanged(r, m)) writes.push(toWrite(r, m));
    }
    changed += writes.length;
    written += await repo.writePipelineMetrics(ctx.db.pool, writes, now);
    stamped += await repo.stampScoresComputed(ctx.db.pool, rows.map((r) => r.id), now);
    afterId = rows[rows.length - 1]!.id;
    await opts.onChunk?.({ total, scanned, written });
    if (rows.length < limit) break;
  }
  return { total, scanned, changed, written, stamped, chunks };
}

/**
 * Daily lead_velocity_snapshots: one row per live sale per UTC day with its health, velocity, stage and days
 * in stage as of `asOf`. Re-running the same day inserts nothing (UNIQUE (assignment_id, snapshot_date)).
 */
export async function snapshotVelocity(ctx: AppContext, opts: { asOf?: Date; chunkSize?: number; signal?: AbortSignal } = {}) {
  const asOf = opts.asOf ?? new Date();
  const snapshotDate = asOf.toISOString().slice(0, 10);
  const limit = opts.chunkSize ?? DEFAULT_CHUNK;
  const zoneOf = await cityZones(ctx);
  let afterId: string | null = null;
  let scanned = 0;
  let inserted = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const rows = await repo.listSnapshotChunk(ctx.db.pool, { afterId, limit, asOf });
    if (!rows.length) break;
    scanned += rows.length;
    const snaps = rows.map((r) => {
      const m = scorePipeline(pipelineInputs(r, zoneOf(r.city, r.state)), asOf);
      return { assignmentId: r.id, leadId: r.leadId, healthScore: m.healthScore, velocityScore: m.velocityScore, stage: m.stage, daysInStage: m.daysInStage };
    });
    inserted += await repo.insertVelocitySnapshots(ctx.db.pool, snaps, snapshotDate);
    afterId = rows[rows.length - 1]!.id;
    if (rows.length < limit) break;
  }
  return { snapshotDate, scanned, inserted };
}

/**
 * GET /leads/:id/pipeline (staff, or the contractor holding the sale; anyone else 404): the metrics as of now.
 * When they differ from the stored ones they are written back (same guarded write as the batch), so the API,
 * the stored columns and anything sorting on them agree.
 */
export async function getLeadPipeline(ctx: AppContext, principal: Principal | undefined, leadId: string): Promise<TPipeline> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  const lead = await getLeadState(ctx.db.prisma, leadId);
  if (!lead || !(isStaff(p) || isLeadOwner(p, lead))) throw new AppError('LEAD_NOT_FOUND', { message: `lead ${leadId} not found` });
  const row = await repo.findLivePipelineRow(ctx.db.pool, leadId);
  if (!row) throw new AppError('NOT_FOUND', { message: `lead ${leadId} has no live sale` });
  const now = new Date();
  const zoneOf = await cityZones(ctx);
  const m = scorePipeline(pipelineInputs(row, zoneOf(row.city, row.state)), now);
  let scoresLastUpdated = row.scoresLastUpdated;
  if (pipelineChanged(row, m) && (await repo.writePipelineMetrics(ctx.db.pool, [toWrite(row, m)], now)) === 1) scoresLastUpdated = now;
  return {
    leadId: row.leadId,
    assignmentId: row.id,
    contractorId: row.contractorId,
    healthScore: m.healthScore,
    velocityScore: m.velocityScore,
    aiPriority: m.aiPriority,
    conversionProbability: m.conversionProbability,
    churnRisk: m.churnRisk,
    followUpStatus: m.followUpStatus,
    overdueDays: m.overdueDays,
    recommendation: m.recommendation,
    scoresLastUpdated: scoresLastUpdated ? scoresLastUpdated.toISOString() : null,
    stage: m.stage,
    daysInStage: m.daysInStage,
    nextFollowUpAt: row.nextFollowUpAt ? row.nextFollowUpAt.toISOString() : null,
    explanation: m.explanation,
    scorerVersion: m.scorerVersion,
  };
}
