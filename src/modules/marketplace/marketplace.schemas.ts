import { z } from 'zod';
import { ZPage, ZPageQuery } from '../../platform/pagination.ts';
import { ZLeadFull } from '../leads/leads.schemas.ts';

const ZMoney = z.number().min(0).max(100_000_000).multipleOf(0.01);

/** Money-moving POSTs: the header is optional in the schema so a missing key answers IDEMPOTENCY_KEY_REQUIRED. */
export const ZIdempotencyHeaders = z.looseObject({
  'idempotency-key': z.string().min(1).max(255).optional().describe('required on purchase; a retry with the same key replays the first answer'),
});

export const ZPurchaseBody = z
  .object({ contractorId: z.uuid().optional().describe('staff only: buy on this contractor\'s behalf') })
  .optional();

export const ZAssignBody = z.object({
  contractorId: z.uuid(),
  price: ZMoney.optional().describe('defaults to the lead price'),
});

export const ZConvertBody = z.object({ jobValue: ZMoney.optional() }).optional();

export const ZRefundBody = z.object({ reason: z.string().trim().min(1).max(2000) });

/** seed 002 §3.7.3 "Contractor Reports Back". */
export const ZFeedbackBody = z
  .object({
    contacted: z.boolean(),
    contactedAt: z.iso.datetime({ offset: true }),
    contactMethod: z.enum(['phone', 'email', 'sms', 'in_person', 'other']),
    appointmentScheduled: z.boolean(),
    appointmentDate: z.iso.datetime({ offset: true }),
    quoteProvided: z.boolean(),
    quoteAmount: ZMoney,
    jobWon: z.boolean(),
    jobValue: ZMoney,
    closeDate: z.iso.date(),
    leadQualityRating: z.number().int().min(1).max(5),
    feedback: z.string().trim().max(5000),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'report at least one outcome' });

export const ZMyLeadsQuery = ZPageQuery.extend({
  contractorId: z.uuid().optional().describe('staff only: whose purchased leads'),
  sort: z
    .enum(['newest', 'ai_priority', 'engagement'])
    .default('newest')
    .describe('newest purchase first; ai_priority = seed 003 pipeline priority (unscored last); engagement = seed 004 homeowner engagement score'),
});

export const ZMyLeadsPage = ZPage(ZLeadFull);

export type TPurchaseBody = z.infer<typeof ZPurchaseBody>;
export type TAssignBody = z.infer<typeof ZAssignBody>;
export type TConvertBody = z.infer<typeof ZConvertBody>;
export type TRefundBody = z.infer<typeof ZRefundBody>;
export type TFeedbackBody = z.infer<typeof ZFeedbackBody>;
export type TMyLeadsQuery = z.infer<typeof ZMyLeadsQuery>;
