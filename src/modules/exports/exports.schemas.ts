import { z } from 'zod';

/** seed 001 "CSV Format": exactly these columns, in this order, in every file of the export tree. */
export const EXPORT_COLUMNS = [
  'permit_id',
  'city',
  'property_address',
  'owner_name',
  'project_description',
  'market_value',
  'days_old',
  'is_absentee',
  'score',
  'tier',
  'trade_group',
  'category',
  'reasoning',
  'ideal_contractor',
  'contact_priority',
  'flags',
  'scored_at',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export type ExportRow = Record<ExportColumn, string>;

export const ZMarkSoldParams = z.object({ id: z.uuid() });

export const ZMarkSoldBody = z.object({
  /** The buyer as named on the invoice: a company outside the marketplace (seed 001 "Mark as sold"). */
  soldTo: z.string().trim().min(1).max(255),
  /** Dollars, at most two decimals (numeric(12,2)). */
  soldPrice: z.number().min(0).max(9_999_999_999.99).refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'at most two decimals'),
});
export type TMarkSoldBody = z.infer<typeof ZMarkSoldBody>;

export const ZMarkSoldResult = z.object({
  id: z.uuid(),
  status: z.literal('sold'),
  soldTo: z.string(),
  soldPrice: z.number(),
  soldAt: z.string(),
  tier: z.string().nullable(),
  category: z.string().nullable(),
});
export type TMarkSoldResult = z.infer<typeof ZMarkSoldResult>;

export const ZRetryFailedPayload = z.object({
  /** At most this many RETRY leads (plus those in retry_queue.csv) per run. */
  limit: z.number().int().min(1).max(100_000).default(1000),
  /** Export tree to update; EXPORTS_DIR when absent. */
  outDir: z.string().min(1).optional(),
});
export type TRetryFailedPayload = z.infer<typeof ZRetryFailedPayload>;
