import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { isStaff, requireRole, type Principal } from '../../platform/auth.ts';
import { recordSystemEvent, writeOutbox } from '../../platform/outbox.ts';
import { getFullLead, getLeadState, isLeadOwner, transitionLead } from '../leads/leads.service.ts';
import type { LeadStatus } from '../leads/leads.lifecycle.ts';
import type { TLeadFull } from '../leads/leads.schemas.ts';
import { addJob } from '../orchestration/enqueue.ts';
import { MIN_SELLABLE_SCORE, type Grade } from './grade.ts';
import { priceLead } from './pricing.ts';
import { scorePropertyQuality, type TriggerKind } from './property-quality.scorer.ts';
import { scoreTradeQuality } from './trade-quality.scorer.ts';
import { ENGINE_VERSIONS, engineVersionFor, rescoreLeadNow, rescoreLeads, type RescoreOptions, type RescoreResult } from './batch-engine.ts';
import { decodeExplanation, isUrgent, missingFieldNames, triggerKindAppliesTo, type LeadScoringInputs } from './score-inputs.ts';
import { ROOFING_TRADE } from '../triggers/triggers.rules.ts';
import * as repo from './scoring.repository.ts';
import { rescoreBatchJob } from './scoring.jobs.ts';
import { RESCORE_BATCH_JOB, ZRescoreBatchPayload, type TLeadScore, type TRescoreBatchPayload, type TScoreBatchBody, type TScorePropertyBody, type TScorePropertyResult, type TStoredExplanation } from './scoring.schemas.ts';

const SERVICE = 'scoring';

const leadNotFound = (id: string) => new AppError('LEAD_NOT_FOUND', { message: `lead ${id} not found` });

/** The trigger kinds that apply to a trade (triggers.rules TRIGGER_TRADES), and the ones that do not. */
function splitTriggers(kinds: readonly TriggerKind[], trade: string): { applied: TriggerKind[]; ignored: TriggerKind[] } {
  const unique = [...new Set(kinds)];
  return {
    applied: unique.filter((k) => triggerKindAppliesTo(k, trade)),
    ignored: unique.filter((k) => !triggerKindAppliesTo(k, trade)),
  };
}

/**
 * Scores facts without storing anything (POST /api/v1/score/property): the quality score and grade of the
 * trade's scorer — seed 002 §3.5.1 for roof, the trade quality score for every other trade (issue 8 §2) — and
 * the §3.5.2 price. Urgency is storm damage — a hail or wind trigger that applies to the trade.
 */
export function scoreProperty(principal: Principal | undefined, body: TScorePropertyBody): TScorePropertyResult {
  requireRole(principal, 'admin', 'ops', 'contractor');
  const trade = body.trade ?? ROOFING_TRADE;
  const { applied, ignored } = splitTriggers(body.triggers ?? [], trade);
  const q =
    trade === ROOFING_TRADE
      ? scorePropertyQuality({
          propertyValue: body.propertyValue,
          roofAgeYears: body.roofAgeYears,
          roofCondition: body.roofCondition,
          triggers: body.triggers === undefined ? undefined : applied,
          contact: body.contact,
          missingFields: body.missingFields,
        })
      : scoreTradeQuality(
          {
            intentScore: body.intentScore,
            propertyValue: body.propertyValue,
            contact: body.contact,
            missingFields: body.missingFields,
            sameTradePermits30d: body.sameTradePermits30d,
          },
          { trade },
        );
  const price = priceLead({
    score: q.score,
    urgentTrigger: isUrgent(applied),
    exclusiveTerritory: body.exclusiveTerritory ?? false,
    interestedContractors24h: body.interestedContractors24h ?? 0,
  });
  return {
    trade,
    scorer: trade === ROOFING_TRADE ? 'property-quality' : 'trade-quality',
    score: q.score,
    grade: q.grade,
    factors: q.factors,
    missingInputs: q.missingInputs,
    ignoredTriggers: ignored,
    priceCents: price.priceCents,
    basePriceCents: price.baseCents,
    priceAdjustments: price.adjustments,
    scorerVersion: q.scorerVersion,
  };
}

/** One lead rescored and repriced in the caller's request (marketplace: the demand premium's second viewer). */
export const repriceLead = (ctx: AppContext, leadId: string, by: string) => rescoreLeadNow(ctx, leadId, by);

/** The batch engine, for jobs and scripts. */
export function rescoreBatch(ctx: AppContext, opts: RescoreOptions): Promise<RescoreResult> {
  return rescoreLeads(ctx, opts);
}

/**
 * POST /api/v1/score/batch: enqueues scoring.rescore-batch. The job id carries '@' so the worker records the
 * run in job_runs (status, counts) like a scheduled one.
 */
export async function enqueueRescoreBatch(ctx: AppContext, principal: Principal | undefined, body: TScoreBatchBody) {
  const p = requireRole(principal, 'admin', 'ops');
  const filter = body.ids ? { ...body.filter, ids: body.ids } : body.filter;
  const payload: TRescoreBatchPayload = ZRescoreBatchPayload.parse({
    ...(filter ? { filter } : {}),
    force: body.force,
    ...(body.chunkSize ? { chunkSize: body.chunkSize } : {}),
    by: `${p.kind}:${p.id}`,
  });
  const def = rescoreBatchJob;
  const job = await addJob(ctx, def, payload, { jobId: `${RESCORE_BATCH_JOB}@api-${randomUUID()}` }).catch((err: unknown) => {
    throw new AppError('SERVICE_UNAVAILABLE', { message: 'the queue store (Redis) is unreachable; try again shortly', cause: err });
  });
  await recordSystemEvent(ctx.db.prisma, {
    eventType: 'admin_action', eventName: 'rescore_enqueued', service: SERVICE,
    data: { by: payload.by, jobId: job.id, force: body.force, filter: filter ?? null },
  });
  return { jobId: String(job.id), job: RESCORE_BATCH_JOB, queue: def.queue, payload };
}

/**
 * The stored explanation in its full form. score_explanations keeps each factor's points and the inputs it
 * was computed from (batch-engine encodeExplanation); the reasons are rebuilt by running the same pure
 * scorer on those inputs, so they are exactly what the engine would have written. Stored points win if a
 * later scorer version would score the inputs differently (`current` says whether the version matches).
 */
export function expandExplanation(se: {
  scorer: string; scorerVersion: string; score: number | null; grade: string | null; priceCents: number | null;
  inputsHash: string | null; scoredAt: Date; factors: unknown;
}): TStoredExplanation | null {
  const stored = decodeExplanation(se.factors);
  if (!stored) return null;
  const i: LeadScoringInputs = stored.inputs;
  const q = stored.scorer === 'property-quality' ? scorePropertyQuality(i) : scoreTradeQuality(i, { trade: i.trade });
  const price = priceLead({
    score: se.score ?? q.score,
    urgentTrigger: isUrgent(i.triggers),
    exclusiveTerritory: i.exclusiveTerritory,
    interestedContractors24h: i.interestedContractors24h,
  });
  return {
    scorer: se.scorer,
    scorerVersion: se.scorerVersion,
    current: (ENGINE_VERSIONS as readonly string[]).includes(se.scorerVersion) && se.scorerVersion === engineVersionFor(i.trade),
    score: se.score,
    grade: (se.grade as Grade | null) ?? null,
    priceCents: se.priceCents,
    inputsHash: se.inputsHash,
    scoredAt: se.scoredAt.toISOString(),
    factors: q.factors.map((f, k) => ({ ...f, points: stored.points[k] ?? f.points })),
    missingInputs: q.missingInputs,
    missingFields: missingFieldNames(i.missingMask),
    inputs: {
      trade: i.trade, intentScore: i.intentScore, sameTradePermits30d: i.sameTradePermits30d,
      propertyValue: i.propertyValue, roofAgeYears: i.roofAgeYears, roofCondition: i.roofCondition, triggers: i.triggers,
      contact: i.contact, missingFields: i.missingFields, exclusiveTerritory: i.exclusiveTerritory,
      interestedContractors24h: i.interestedContractors24h,
    },
    priceAdjustments: price.priceCents === null ? [] : price.adjustments,
  };
}

/** GET /api/v1/leads/:id/score: staff, or the contractor who bought the lead; anyone else gets 404. */
export async function getLeadScore(ctx: AppContext, principal: Principal | undefined, leadId: string): Promise<TLeadScore> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  const lead = await repo.findLeadScoreColumns(ctx.db.prisma, leadId);
  if (!lead || (!isStaff(p) && !isLeadOwner(p, lead))) throw leadNotFound(leadId);
  const se = await repo.findScoreExplanation(ctx.db.prisma, leadId);
  const pending = lead.scoredAt === null || (lead.inputsChangedAt !== null && lead.inputsChangedAt > lead.scoredAt);
  return {
    leadId: lead.id,
    status: lead.status,
    qualityScore: lead.qualityScore,
    grade: (lead.grade as Grade | null) ?? null,
    price: lead.price === null ? null : Number(lead.price),
    scoredAt: lead.scoredAt?.toISOString() ?? null,
    scorerVersion: lead.scorerVersion,
    inputsHash: lead.scoreInputsHash,
    inputsChangedAt: lead.inputsChangedAt?.toISOString() ?? null,
    pending,
    explanation: se ? expandExplanation(se) : null,
  };
}

/**
 * POST /api/v1/leads/:id/publish (staff): a scored lead with a sellable score and a price goes on sale —
 * scored → available through transitionLead (one conditional UPDATE + audit row), published_at now, and a
 * lead.published outbox event in the same transaction so contractors are notified.
 */
export async function publishLead(ctx: AppContext, principal: Principal | undefined, leadId: string): Promise<TLeadFull> {
  const p = requireRole(principal, 'admin', 'ops');
  const now = new Date();
  await ctx.db.prisma.$transaction(async (tx) => {
    const cur = await getLeadState(tx, leadId);
    if (!cur) throw leadNotFound(leadId);
    if (cur.status !== 'scored') {
      throw new AppError('INVALID_TRANSITION', {
        message: `only a scored lead can be published; this one is ${cur.status}`,
        details: { from: cur.status, to: 'available' satisfies LeadStatus },
      });
    }
    if (cur.qualityScore === null || cur.qualityScore < MIN_SELLABLE_SCORE || cur.price === null) {
      throw new AppError('LEAD_NOT_PUBLISHABLE', {
        message: `a lead goes on sale with a score of at least ${MIN_SELLABLE_SCORE} and a price`,
        details: { qualityScore: cur.qualityScore, price: cur.price === null ? null : Number(cur.price) },
      });
    }
    await transitionLead(tx, {
      leadId, to: 'available', from: ['scored'], data: { publishedAt: now, availableFrom: now }, by: p.id, details: { via: 'publish' },
    });
    await writeOutbox(tx, { topic: 'lead.published', payload: { leadId }, dedupeKey: `lead.published:${leadId}` });
  });
  return getFullLead(ctx, ctx.db.prisma, leadId);
}
