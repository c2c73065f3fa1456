import { z } from 'zod';
import { ZPageQuery } from '../../platform/pagination.ts';
import { TIER_NAMES } from './contractors.tiers.ts';

export const ZTier = z.enum(TIER_NAMES);
export const ZContractorStatus = z.enum(['active', 'paused', 'cancelled']);

const ZState = z.string().regex(/^[A-Z]{2}$/, 'two-letter state code, upper case');
const ZContractorZip = z.string().regex(/^\d{5}(-\d{4})?$/, 'ZIP code: 5 digits or ZIP+4');
const ZPhone = z.string().min(7).max(50);
const ZWebsite = z.url().max(500);
const ZOwnerName = z.string().min(1).max(255);

export const ZContractorParams = z.object({ id: z.uuid() });

export const ZCreateContractorBody = z.object({
  companyName: z.string().trim().min(1).max(255),
  email: z.email().max(255),
  city: z.string().trim().min(1).max(100),
  state: ZState,
  zip: ZContractorZip,
  subscriptionTier: ZTier,
  phone: ZPhone.optional(),
  ownerName: ZOwnerName.optional(),
  website: ZWebsite.optional(),
  leadsPerMonth: z.number().int().min(0).max(10_000).optional().describe('overrides the tier quota'),
});

/** Fields a contractor may change on its own record; everything else is staff-only. */
export const CONTRACTOR_EDITABLE_FIELDS = ['phone', 'website', 'ownerName'] as const;

export const ZUpdateContractorBody = z.strictObject({
  companyName: z.string().trim().min(1).max(255).optional(),
  email: z.email().max(255).optional(),
  city: z.string().trim().min(1).max(100).optional(),
  state: ZState.optional(),
  zip: ZContractorZip.optional(),
  phone: ZPhone.nullable().optional(),
  ownerName: ZOwnerName.nullable().optional(),
  website: ZWebsite.nullable().optional(),
  subscriptionTier: ZTier.optional().describe('resets monthlyFee and leadsPerMonth to the tier unless leadsPerMonth is also given'),
  // cancelled only through DELETE, which also revokes territories.
  status: z.enum(['active', 'paused']).optional(),
  leadsPerMonth: z.number().int().min(0).max(10_000).optional(),
});

export const ZListContractorsQuery = ZPageQuery.extend({
  city: z.string().min(1).max(100).optional(),
  state: ZState.optional(),
  status: ZContractorStatus.optional(),
  tier: ZTier.optional(),
});

/** seed 002 §3.6.3 contractor scores, stored on the contractor, with the fit score's factors explained. */
export const ZContractorScores = z.object({
  fitScore: z.number().int().describe('0–100: online presence, size, experience, location, specialization, licensing'),
  conversionLikelihood: z.number().int().describe('0–100'),
  ltvEstimate: z.number().describe('12-month lifetime value, dollars'),
  priorityScore: z.number().describe('(fit + likelihood) / 2'),
  factors: z.array(z.object({ name: z.string(), points: z.number().int(), max: z.number().int(), reason: z.string() })),
  scorerVersion: z.string(),
});

export const ZContractor = z.object({
  id: z.uuid(),
  companyName: z.string(),
  ownerName: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  website: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  zip: z.string().nullable(),
  status: ZContractorStatus,
  acquisitionStatus: z.string(),
  subscriptionTier: ZTier,
  monthlyFee: z.number().nullable().describe('dollars per month'),
  leadsPerMonth: z.number().int().nullable(),
  leadsThisMonth: z.number().int(),
  exclusivity: z.enum(['city_shared', 'zip', 'city']).describe('what the tier promises (seed 002 §3.6.6)'),
  priorityDelivery: z.boolean(),
  scores: ZContractorScores,
  signedUpAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export type TContractor = z.infer<typeof ZContractor>;
export type TContractorScores = z.infer<typeof ZContractorScores>;
export type TCreateContractorBody = z.infer<typeof ZCreateContractorBody>;
export type TUpdateContractorBody = z.infer<typeof ZUpdateContractorBody>;
export type TListContractorsQuery = z.infer<typeof ZListContractorsQuery>;
