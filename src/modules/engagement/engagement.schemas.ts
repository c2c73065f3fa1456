import { z } from 'zod';

/** lead_interactions.kind (CHECK constraint in the init migration). */
export const INTERACTION_KINDS = ['qr_scan', 'catalog_view', 'message', 'voice_message', 'email_open', 'email_click', 'reply', 'call_answered'] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

const iso = z.iso.datetime();

export const ZRecordEventBody = z.object({
  kind: z.enum(INTERACTION_KINDS).describe(
    'qr_scan, catalog_view, message, voice_message (also counts as a message) add seed 004 engagement points; ' +
      'email_open, email_click, reply, call_answered count as interactions and refresh recency only',
  ),
  occurredAt: z.iso.datetime({ offset: true }).optional().describe('when it happened (default now); at most 5 minutes in the future'),
  metadata: z
    .record(z.string(), z.unknown())
    .optional()
    .refine((m) => m === undefined || JSON.stringify(m).length <= 4096, { message: 'metadata must be at most 4 KB of JSON' }),
});

export const ZEngagementPart = z.object({ name: z.string(), points: z.number().int(), max: z.number().int() });

/** A lead's seed 004 engagement: score, band, the counters behind it and every part's points. */
export const ZEngagement = z.object({
  leadId: z.uuid(),
  score: z.number().int().min(0).max(100),
  temperature: z.enum(['burning', 'hot', 'warm', 'cold']),
  engagement: z.number().int().describe('0–40: QR scans, catalog views, messages, voice bonus'),
  qualification: z.number().int().describe('0–40: phone, budget, transaction type, property type, location, payment method'),
  recency: z.number().int().describe('0–20: time since the last interaction'),
  counters: z.object({
    qrScans: z.number().int(),
    catalogViews: z.number().int(),
    messages: z.number().int(),
    voiceMessages: z.number().int(),
    totalInteractions: z.number().int(),
    lastInteractionAt: iso.nullable(),
  }),
  parts: z.array(ZEngagementPart),
  scorerVersion: z.string(),
});

export const ZRecordEventResult = ZEngagement.extend({
  interaction: z.object({ id: z.uuid(), kind: z.enum(INTERACTION_KINDS), occurredAt: iso }),
});

export const ZRecommendation = z.object({
  priority: z.enum(['urgent', 'high', 'medium', 'low']),
  action: z.enum(['call_now', 'schedule_follow_up', 'send_quote', 'nurture', 'close_out']),
  message: z.string(),
  reasoning: z.string(),
});

/** Seed 003's nine metrics for the live sale of a lead (definitions: docs/pipeline-metrics.md). */
export const ZPipeline = z.object({
  leadId: z.uuid(),
  assignmentId: z.uuid(),
  contractorId: z.uuid(),
  healthScore: z.number().int().min(0).max(100),
  velocityScore: z.number().int().min(0).max(100),
  aiPriority: z.number().int().min(0).max(100),
  conversionProbability: z.number().min(0).max(100).describe('percent, 2 decimals'),
  churnRisk: z.enum(['low', 'medium', 'high', 'critical']),
  followUpStatus: z.enum(['none', 'overdue', 'today', 'this_week', 'scheduled']),
  overdueDays: z.number().int().min(0),
  recommendation: ZRecommendation,
  scoresLastUpdated: iso.nullable().describe('when the 30-minute run (or a change) last computed the stored metrics'),
  stage: z.enum(['assigned', 'viewed', 'contacted', 'appointment', 'quoted', 'won']),
  daysInStage: z.number().int().min(0),
  nextFollowUpAt: iso.nullable(),
  explanation: z.object({
    stagePoints: z.number().int(),
    stageEnteredAt: iso,
    milestones: z.array(z.object({
      name: z.enum(['first_contact', 'quote', 'close']),
      expectedDays: z.number(),
      days: z.number(),
      status: z.enum(['done', 'pending']),
      score: z.number().int(),
    })),
    lastActivityAt: iso,
    daysSinceActivity: z.number(),
    recencyPoints: z.number().int(),
    qualityPoints: z.number().int(),
    qualitySource: z.enum(['rating', 'quality_score', 'default']),
    followUpDueAt: iso.nullable(),
    followUpSource: z.enum(['scheduled', 'timeline']).nullable(),
    timeZone: z.string(),
    overduePenalty: z.number().int(),
  }),
  scorerVersion: z.string(),
});

export type TRecordEventBody = z.infer<typeof ZRecordEventBody>;
export type TEngagement = z.infer<typeof ZEngagement>;
export type TRecordEventResult = z.infer<typeof ZRecordEventResult>;
export type TPipeline = z.infer<typeof ZPipeline>;
