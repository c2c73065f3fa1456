import { z } from 'zod';
import { ZPageQuery } from '../../platform/pagination.ts';
import { TRADE_SLUGS } from '../../../prisma/seed/taxonomy.ts';
import { LEAD_STATUSES } from './leads.lifecycle.ts';

export const ZLeadStatus = z.enum(LEAD_STATUSES);
export const ZLeadTrade = z.enum(TRADE_SLUGS, { error: `trade must be one of: ${TRADE_SLUGS.join(', ')}` });
export const ZGrade = z.enum(['A', 'B', 'C', 'D']);
export const ZLeadParams = z.object({ id: z.uuid() });

const ZState = z.string().regex(/^[A-Za-z]{2}$/, 'state must be a 2-letter code').transform((s) => s.toUpperCase());
const ZZip = z.string().regex(/^\d{5}(-\d{4})?$/, 'zip must be 5 digits (or ZIP+4)');
const ZMoney = z.number().min(0).max(100_000_000).multipleOf(0.01);
const iso = z.iso.datetime();

/** What a contractor sees before buying (seed 002 §6.4 step 3): no owner, no house number, no coordinates. */
export const ZLeadPreview = z.object({
  view: z.literal('preview'),
  id: z.uuid(),
  status: ZLeadStatus,
  trade: z.string(),
  street: z.string().nullable().describe('street name without the house number or unit'),
  city: z.string(),
  state: z.string(),
  zip: z.string().nullable(),
  propertyValueRange: z.object({ min: z.number(), max: z.number() }).nullable().describe('bucketed by $100k'),
  qualityScore: z.number().int().nullable(),
  grade: ZGrade.nullable(),
  price: z.number().nullable(),
  roofSummary: z.object({ overallCondition: z.string() }).nullable().describe('from the latest roof analysis'),
  triggerTypes: z.array(z.string()),
  publishedAt: iso.nullable(),
  createdAt: iso,
});

export const ZLeadTrigger = z.object({
  type: z.string(),
  date: iso.nullable(),
  strength: z.number().int().nullable(),
  details: z.unknown().nullable(),
  active: z.boolean(),
});

export const ZRoofAnalysis = z.object({
  id: z.uuid(),
  overallCondition: z.string().nullable(),
  confidenceScore: z.number().nullable(),
  damageDetected: z.boolean().nullable(),
  damageTypes: z.array(z.string()),
  roofType: z.string().nullable(),
  roofSqft: z.number().int().nullable(),
  roofPitch: z.string().nullable(),
  estimatedAge: z.number().int().nullable(),
  estimatedRemainingLife: z.number().int().nullable(),
  repairCost: z.object({ low: z.number().nullable(), high: z.number().nullable() }),
  replacementCost: z.object({ low: z.number().nullable(), high: z.number().nullable() }),
  validationStatus: z.string().nullable(),
  analyzedAt: iso,
});

/** The buyer's side of a sale, including the outcome it reported (seed 002 §3.7.3). */
export const ZLeadAssignment = z.object({
  id: z.uuid(),
  contractorId: z.uuid(),
  status: z.enum(['active', 'refunded']),
  assignedAt: iso,
  pricePaid: z.number().nullable(),
  contacted: z.boolean(),
  contactedAt: iso.nullable(),
  contactMethod: z.string().nullable(),
  appointmentScheduled: z.boolean(),
  appointmentDate: iso.nullable(),
  quoteProvided: z.boolean(),
  quoteAmount: z.number().nullable(),
  jobWon: z.boolean(),
  jobValue: z.number().nullable(),
  closeDate: z.iso.date().nullable(),
  leadQualityRating: z.number().int().nullable(),
  feedback: z.string().nullable(),
  refundedAt: iso.nullable(),
  refundReason: z.string().nullable(),
});

/** The revealed lead: for its buyer and for staff (seed 002 §6.4 step 6). */
export const ZLeadFull = z.object({
  view: z.literal('full'),
  id: z.uuid(),
  status: ZLeadStatus,
  trade: z.string(),
  tradeGroup: z.string().nullable(),
  address: z.string(),
  city: z.string(),
  state: z.string(),
  zip: z.string().nullable(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  owner: z.object({
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    emailVerified: z.boolean(),
    phoneVerified: z.boolean(),
    occupied: z.boolean().nullable(),
    mailingAddress: z.string().nullable(),
    isAbsentee: z.boolean().nullable(),
  }),
  property: z.object({
    value: z.number().nullable().describe('market value; estimated from the assessed value with the state ratio when only that is known'),
    valueEstimated: z.boolean().describe('value was estimated from the assessed value'),
    marketValue: z.number().nullable(),
    assessedValue: z.number().nullable(),
    yearBuilt: z.number().int().nullable(),
    sqft: z.number().int().nullable(),
    lotSize: z.number().nullable(),
    beds: z.number().int().nullable(),
    baths: z.number().nullable(),
    propertyType: z.string().nullable(),
    projectDescription: z.string().nullable(),
  }),
  qualification: z.object({
    hasBudget: z.boolean(),
    projectType: z.string().nullable(),
    paymentMethod: z.string().nullable(),
  }).describe('seed 004 qualification fields (set with PATCH by staff)'),
  qualityScore: z.number().int().nullable(),
  grade: ZGrade.nullable(),
  price: z.number().nullable(),
  triggers: z.array(ZLeadTrigger),
  roofAnalysis: ZRoofAnalysis.nullable(),
  assignment: ZLeadAssignment.nullable().describe('the latest sale of this lead, if any'),
  soldToContractorId: z.uuid().nullable(),
  soldPrice: z.number().nullable(),
  publishedAt: iso.nullable(),
  soldAt: iso.nullable(),
  deliveredAt: iso.nullable(),
  convertedAt: iso.nullable(),
  refundedAt: iso.nullable(),
  createdAt: iso,
  updatedAt: iso,
});

/** GET /leads/:id answers one or the other, by who asks. */
export const ZLeadView = z.discriminatedUnion('view', [ZLeadFull, ZLeadPreview]);

export const ZListLeadsQuery = ZPageQuery.extend({
  trade: ZLeadTrade.optional(),
  zip: ZZip.optional(),
  city: z.string().min(1).max(100).optional(),
  state: ZState.optional(),
  minScore: z.coerce.number().int().min(0).max(100).optional(),
  grade: ZGrade.optional(),
  maxPrice: z.coerce.number().min(0).optional(),
  status: ZLeadStatus.optional().describe('staff only'),
});

export const PAYMENT_METHODS = ['cash', 'financing', 'insurance', 'other'] as const;

const ZLeadFields = {
  address: z.string().trim().min(1).max(500),
  city: z.string().trim().min(1).max(100),
  state: ZState,
  zip: ZZip,
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  trade: ZLeadTrade,
  qualityScore: z.number().int().min(0).max(100),
  price: ZMoney,
  propertyValue: ZMoney,
  yearBuilt: z.number().int().min(1600).max(2100),
  ownerName: z.string().trim().min(1).max(255),
  ownerEmail: z.email().max(255),
  ownerPhone: z.string().regex(/^[+()\d\s.-]{7,30}$/, 'phone must be 7–30 digits and separators'),
  // seed 004 qualification: budget shared (10), project type (5), payment / financing (5)
  hasBudget: z.boolean().describe('the owner shared a budget (seed 004 qualification, 10 points)'),
  projectType: z.string().trim().min(1).max(50).describe('what the owner wants done, e.g. "full replacement" (5 points)'),
  paymentMethod: z.enum(PAYMENT_METHODS).describe('how the owner pays (5 points)'),
};

/** Statuses a lead may be created in; the rest are reached through the lifecycle. */
export const CREATE_STATUSES = ['processing', 'scored', 'available', 'needs_review', 'unqualified'] as const;
/** Statuses PATCH may move a lead to; selling, delivering, converting and refunding have their own routes. */
export const PATCH_STATUSES = ['processing', 'scored', 'available', 'needs_review', 'unqualified', 'expired'] as const;

export const ZCreateLeadBody = z
  .object({
    address: ZLeadFields.address,
    city: ZLeadFields.city,
    state: ZLeadFields.state,
    zip: ZLeadFields.zip,
    lat: ZLeadFields.lat.optional(),
    lng: ZLeadFields.lng.optional(),
    trade: ZLeadFields.trade,
    qualityScore: ZLeadFields.qualityScore.optional(),
    price: ZLeadFields.price.optional(),
    propertyValue: ZLeadFields.propertyValue.optional(),
    yearBuilt: ZLeadFields.yearBuilt.optional(),
    ownerName: ZLeadFields.ownerName.optional(),
    ownerEmail: ZLeadFields.ownerEmail.optional(),
    ownerPhone: ZLeadFields.ownerPhone.optional(),
    status: z.enum(CREATE_STATUSES).default('processing'),
  })
  .refine((b) => (b.lat === undefined) === (b.lng === undefined), { message: 'lat and lng go together', path: ['lng'] })
  .refine((b) => b.status !== 'available' || (b.qualityScore !== undefined && b.qualityScore >= 60 && b.price !== undefined), {
    message: 'an available lead needs qualityScore ≥ 60 and a price',
    path: ['status'],
  })
  .refine((b) => b.status !== 'scored' || b.qualityScore !== undefined, { message: 'a scored lead needs a qualityScore', path: ['qualityScore'] });

export const ZUpdateLeadBody = z
  .object({
    address: ZLeadFields.address,
    city: ZLeadFields.city,
    state: ZLeadFields.state,
    zip: ZLeadFields.zip,
    lat: ZLeadFields.lat.nullable(),
    lng: ZLeadFields.lng.nullable(),
    trade: ZLeadFields.trade,
    qualityScore: ZLeadFields.qualityScore.nullable(),
    price: ZLeadFields.price.nullable(),
    propertyValue: ZLeadFields.propertyValue.nullable(),
    yearBuilt: ZLeadFields.yearBuilt.nullable(),
    ownerName: ZLeadFields.ownerName.nullable(),
    ownerEmail: ZLeadFields.ownerEmail.nullable(),
    ownerPhone: ZLeadFields.ownerPhone.nullable(),
    hasBudget: ZLeadFields.hasBudget,
    projectType: ZLeadFields.projectType.nullable(),
    paymentMethod: ZLeadFields.paymentMethod.nullable(),
    status: z.enum(PATCH_STATUSES),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' });

export const ZGenerateLeadsBody = z.object({
  trade: ZLeadTrade,
  minScore: z.number().int().min(0).max(100).default(60),
  maxLeads: z.number().int().min(1).max(1000).default(100),
  zips: z.array(ZZip).min(1).max(1000).optional(),
});

export const ZGenerateLeadsResult = z.object({
  generated: z.number().int().describe('leads selected: available to buy after this call'),
  published: z.number().int().describe('of those, how many were scored and are now published'),
  leadIds: z.array(z.uuid()),
});

export type TLeadPreview = z.infer<typeof ZLeadPreview>;
export type TLeadFull = z.infer<typeof ZLeadFull>;
export type TLeadView = z.infer<typeof ZLeadView>;
export type TListLeadsQuery = z.infer<typeof ZListLeadsQuery>;
export type TCreateLeadBody = z.infer<typeof ZCreateLeadBody>;
export type TUpdateLeadBody = z.infer<typeof ZUpdateLeadBody>;
export type TGenerateLeadsBody = z.infer<typeof ZGenerateLeadsBody>;
