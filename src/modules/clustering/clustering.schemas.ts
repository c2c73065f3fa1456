import { z } from 'zod';
import { ZPageQuery } from '../../platform/pagination.ts';
import { CLUSTER_STATUSES, parseMarket } from './clustering.rules.ts';

export const ZClusterStatus = z.enum(CLUSTER_STATUSES);

export const ZMarket = z
  .string()
  .max(110)
  .refine((s) => parseMarket(s) !== null, 'market must be "<city>, <state>", e.g. "Austin, TX"')
  .describe('a city within a state: "Austin, TX" (case-insensitive)');

export const ZClusterParams = z.object({ id: z.uuid() });

export const ZListClustersQuery = ZPageQuery.extend({
  city: z.string().min(1).max(100).optional(),
  state: z.string().regex(/^[A-Za-z]{2}$/, 'state must be a 2-letter code').optional(),
  market: ZMarket.optional(),
  status: ZClusterStatus.optional().describe('staff only; contractors always see active clusters'),
  minLeads: z.coerce.number().int().min(0).max(100_000).optional(),
});

export const ZCluster = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  market: z.string().nullable().describe('"City, ST"'),
  city: z.string().nullable(),
  state: z.string().nullable(),
  status: ZClusterStatus,
  center: z.object({ lat: z.number(), lng: z.number() }).nullable(),
  radiusMiles: z.number().nullable().describe('farthest lead from the centre, rounded up to 0.01 mile'),
  leadCount: z.number().int(),
  avgQualityScore: z.number().nullable(),
  totalValue: z.number().describe('sum of the leads\' prices, dollars'),
  leadsAvailable: z.number().int(),
  leadsSold: z.number().int().describe('sold, delivered or converted'),
  exclusive: z.object({
    held: z.boolean().describe('a contractor holds the cluster now (assigned and not expired)'),
    contractorId: z.uuid().nullable().describe('the holder; shown to staff, and to a contractor only when it is the holder'),
    assignedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
  }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const ZClusterDetail = ZCluster.extend({
  leadIds: z.array(z.uuid()).nullable().describe('the clustered leads (staff only; null for contractors)'),
});

export const ZAssignClusterBody = z.object({
  clusterId: z.uuid(),
  contractorId: z.uuid(),
  expiresAt: z.iso.datetime({ offset: true }).describe('exclusivity lapses at this instant; must be in the future'),
});

export const ZOptimizeClustersBody = z.object({
  market: ZMarket.optional().describe('only this market; every market when absent'),
});

export const ZJobAccepted = z.object({ jobId: z.string() });

export type TCluster = z.infer<typeof ZCluster>;
export type TClusterDetail = z.infer<typeof ZClusterDetail>;
export type TListClustersQuery = z.infer<typeof ZListClustersQuery>;
export type TAssignClusterBody = z.infer<typeof ZAssignClusterBody>;
export type TOptimizeClustersBody = z.infer<typeof ZOptimizeClustersBody>;
