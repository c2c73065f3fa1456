import { z } from 'zod';
import { ZPageQuery } from '../../platform/pagination.ts';
import { TRADE_SLUGS } from '../../../prisma/seed/taxonomy.ts';

export const ZTrade = z.enum(TRADE_SLUGS, { error: `trade must be one of: ${TRADE_SLUGS.join(', ')}` });
export const ZTerritoryZip = z.string().regex(/^\d{5}$/, 'zip must be 5 digits');
export const ZTerritoryStatus = z.enum(['active', 'revoked', 'expired']);

export const ZTerritoryKind = z.enum(['zip', 'city']);

export const ZAssignTerritoryBody = z.object({
  kind: ZTerritoryKind.default('zip').describe('zip: one ZIP; city: the whole city, exclusive (enterprise tier only)'),
  zip: ZTerritoryZip.optional().describe('required for kind zip'),
  city: z.string().trim().min(1).max(100).optional().describe('required for kind city'),
  state: z.string().regex(/^[A-Za-z]{2}$/, 'state must be a 2-letter code').transform((s) => s.toUpperCase()).optional().describe('required for kind city'),
  trade: ZTrade,
  exclusive: z.boolean().default(true),
  force: z.boolean().default(false).describe('admin only: an exclusive claim ends other contractors\' shared claims on the (zip, trade) instead of answering 409'),
  expiresAt: z.iso.datetime({ offset: true }).optional().describe('claim lapses at this instant; open-ended if absent'),
})
  .refine((b) => b.kind !== 'zip' || b.zip !== undefined, { message: 'a zip claim needs zip', path: ['zip'] })
  .refine((b) => b.kind !== 'city' || (b.city !== undefined && b.state !== undefined), { message: 'a city claim needs city and state', path: ['city'] })
  .refine((b) => b.kind !== 'city' || b.zip === undefined, { message: 'a city claim takes no zip', path: ['zip'] })
  .refine((b) => b.kind !== 'city' || b.exclusive, { message: 'a city claim is always exclusive', path: ['exclusive'] });

export const ZTerritoryParams = z.object({ id: z.uuid(), territoryId: z.uuid() });

export const ZListTerritoriesQuery = ZPageQuery.extend({ status: ZTerritoryStatus.optional() });

export const ZAvailableQuery = z.object({
  trade: ZTrade,
  zips: z
    .string()
    .max(1200)
    .transform((s) => [...new Set(s.split(',').map((z) => z.trim()).filter(Boolean))])
    .pipe(z.array(ZTerritoryZip).min(1, 'zips: at least one ZIP').max(100, 'zips: at most 100 ZIPs'))
    .describe('comma-separated 5-digit ZIP codes, at most 100'),
});

export const ZTerritory = z.object({
  id: z.uuid(),
  contractorId: z.uuid(),
  kind: ZTerritoryKind,
  zip: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  trade: z.string(),
  exclusive: z.boolean(),
  status: ZTerritoryStatus.describe('an active claim past expiresAt reads as expired'),
  startsAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

export const ZAvailability = z.object({
  trade: z.string(),
  available: z.array(z.string()).describe('ZIPs with no active exclusive claim for the trade'),
  taken: z.array(z.string()),
});

export type TTerritory = z.infer<typeof ZTerritory>;
export type TAssignTerritoryBody = z.infer<typeof ZAssignTerritoryBody>;
