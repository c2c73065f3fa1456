import { z } from 'zod';
import { ZGrade, ZLeadStatus, ZLeadTrade } from '../leads/leads.schemas.ts';

/** The batch engine's job (scoring.jobs.ts); here so the service and the job share it without an import cycle. */
export const RESCORE_BATCH_JOB = 'scoring.rescore-batch' as const;

export const ZRoofCondition = z.enum(['excellent', 'good', 'fair', 'poor', 'critical']);
export const ZTriggerKind = z.enum(['hail', 'wind', 'neighbor_permits', 'insurance_claim']);
export const ZContactState = z.enum(['verified', 'unverified', 'none']);

/**
 * POST /api/v1/score/property: facts about a property; every field optional (an unknown input scores 0).
 * `trade` picks the scorer (issue 8 §2): roof → seed 002 §3.5.1, which reads roofAgeYears, roofCondition and
 * triggers; any other trade → the trade quality score, which reads intentScore and sameTradePermits30d. Triggers
 * that do not apply to the trade (TRIGGER_TRADES) are ignored and listed in `ignoredTriggers`.
 */
export const ZScorePropertyBody = z
  .object({
    trade: ZLeadTrade.describe('default roof'),
    intentScore: z.number().int().min(0).max(100).describe('seed 001 permit-intent score (non-roof trades): halved into 0–50'),
    sameTradePermits30d: z.number().int().min(0).max(100_000).describe('permits of the same trade within 0.25 mi in 30 days (non-roof trades): 5+ → +10'),
    propertyValue: z.number().min(0).max(1_000_000_000).describe('dollars'),
    roofAgeYears: z.number().min(0).max(200),
    roofCondition: ZRoofCondition,
    triggers: z.array(ZTriggerKind).max(10).describe('recent trigger events; duplicates count once'),
    contact: z.object({ email: ZContactState.optional(), phone: ZContactState.optional() }).strict(),
    missingFields: z.number().int().min(0).max(100).describe('how many of the lead\'s data fields are missing'),
    exclusiveTerritory: z.boolean().describe('the (zip, trade) has an exclusive contractor: ×1.1'),
    interestedContractors24h: z.number().int().min(0).max(10_000).describe('distinct contractors who viewed it in 24 h: ≥ 2 → ×1.15'),
  })
  .partial()
  .strict();

export const ZFactor = z.object({
  name: z.enum([
    'property_value', 'roof_age', 'trigger_events', 'roof_condition', 'contact_quality', 'data_completeness', 'intent', 'same_trade_activity',
  ]),
  points: z.number().int(),
  max: z.number().int(),
  reason: z.string(),
});

export const ZPriceAdjustment = z.object({ name: z.enum(['urgency', 'exclusivity', 'demand']), multiplier: z.number() });

export const ZScorePropertyResult = z.object({
  trade: ZLeadTrade,
  scorer: z.enum(['property-quality', 'trade-quality']),
  score: z.number().int().min(0).max(100),
  grade: ZGrade.nullable().describe('A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60; null below 60 (not for sale)'),
  factors: z.array(ZFactor),
  missingInputs: z.array(z.string()).describe('inputs that were not given and scored 0'),
  ignoredTriggers: z.array(ZTriggerKind).describe('triggers given that do not apply to this trade'),
  priceCents: z.number().int().nullable().describe('null when not for sale (score below 60)'),
  basePriceCents: z.number().int().nullable(),
  priceAdjustments: z.array(ZPriceAdjustment),
  scorerVersion: z.string(),
});

const rescoreFilterShape = (state: z.ZodType<string>) =>
  z
    .object({
      statuses: z.array(ZLeadStatus).min(1).max(11).describe('default: processing, scored, available, unqualified, needs_review'),
      city: z.string().trim().min(1).max(100).describe('case-insensitive'),
      state,
      trade: ZLeadTrade,
      ids: z.array(z.uuid()).min(1).max(10_000),
      updatedSince: z.iso.datetime({ offset: true }),
    })
    .partial()
    .strict();

/** Which leads a batch rescores. */
export const ZRescoreFilter = rescoreFilterShape(
  z.string().regex(/^[A-Za-z]{2}$/, 'state must be a 2-letter code').transform((s) => s.toUpperCase()),
);
/** The same filter as echoed in responses (no input transforms: responses are serialized, not parsed). */
const ZRescoreFilterOut = rescoreFilterShape(z.string());

/** Payload of the scoring.rescore-batch job. */
export const ZRescoreBatchPayload = z.object({
  filter: ZRescoreFilter.optional(),
  force: z.boolean().default(false).describe('rescore every matching lead, not only those whose inputs changed'),
  chunkSize: z.number().int().min(100).max(50_000).optional(),
  maxLeads: z.number().int().min(1).optional(),
  by: z.string().max(100).optional().describe('who asked (recorded in status events)'),
});

/** POST /api/v1/score/batch: ids (shorthand for filter.ids) or a filter. */
export const ZScoreBatchBody = z
  .object({
    ids: z.array(z.uuid()).min(1).max(10_000).optional(),
    filter: ZRescoreFilter.optional(),
    force: z.boolean().default(false),
    chunkSize: z.number().int().min(100).max(50_000).optional(),
  })
  .strict()
  .refine((b) => !(b.ids && b.filter?.ids), { message: 'give ids or filter.ids, not both', path: ['ids'] });

export const ZScoreBatchAccepted = z.object({
  jobId: z.string(),
  job: z.literal(RESCORE_BATCH_JOB),
  queue: z.string(),
  payload: ZRescoreBatchPayload.extend({ filter: ZRescoreFilterOut.optional() }),
});

const iso = z.iso.datetime();

export const ZStoredExplanation = z.object({
  scorer: z.string(),
  scorerVersion: z.string(),
  current: z.boolean().describe('scored by the engine version now running'),
  score: z.number().int().nullable(),
  grade: ZGrade.nullable(),
  priceCents: z.number().int().nullable(),
  inputsHash: z.string().nullable(),
  scoredAt: iso,
  factors: z.array(ZFactor),
  missingInputs: z.array(z.string()),
  missingFields: z.array(z.string()).describe('data fields missing on the lead (factor 6)'),
  inputs: z.object({
    trade: z.string(),
    intentScore: z.number().int().nullable(),
    sameTradePermits30d: z.number().int(),
    propertyValue: z.number().nullable(),
    roofAgeYears: z.number().nullable(),
    roofCondition: ZRoofCondition.nullable(),
    triggers: z.array(ZTriggerKind),
    contact: z.object({ email: ZContactState, phone: ZContactState }),
    missingFields: z.number().int(),
    exclusiveTerritory: z.boolean(),
    interestedContractors24h: z.number().int(),
  }),
  priceAdjustments: z.array(ZPriceAdjustment),
});

/** GET /api/v1/leads/:id/score */
export const ZLeadScore = z.object({
  leadId: z.uuid(),
  status: ZLeadStatus,
  qualityScore: z.number().int().nullable(),
  grade: ZGrade.nullable(),
  price: z.number().nullable().describe('dollars, as listed'),
  scoredAt: iso.nullable().describe('when the stored score was set'),
  scorerVersion: z.string().nullable(),
  inputsHash: z.string().nullable(),
  inputsChangedAt: iso.nullable(),
  pending: z.boolean().describe('inputs changed since scoring, or never scored: the next signal-based run rescores it'),
  explanation: ZStoredExplanation.nullable().describe('the latest evaluation by the batch engine'),
});

export type TScorePropertyBody = z.infer<typeof ZScorePropertyBody>;
export type TScorePropertyResult = z.infer<typeof ZScorePropertyResult>;
export type TRescoreFilter = z.infer<typeof ZRescoreFilter>;
export type TRescoreBatchPayload = z.infer<typeof ZRescoreBatchPayload>;
export type TScoreBatchBody = z.infer<typeof ZScoreBatchBody>;
export type TLeadScore = z.infer<typeof ZLeadScore>;
export type TStoredExplanation = z.infer<typeof ZStoredExplanation>;
