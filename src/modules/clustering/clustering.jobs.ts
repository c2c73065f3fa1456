import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { ZMarket } from './clustering.schemas.ts';
import * as svc from './clustering.service.ts';

/** A full run at 1M leads takes minutes; the leadgen queue's 10-minute default is too short for it. */
const RUN_TIMEOUT_MS = 60 * 60_000;

export const optimizeClustersJob = defineJob({
  name: 'clustering.optimize',
  queue: 'leadgen',
  description: 'Weekly cluster optimization (seed 002 §3.5.4): release lapsed exclusivity, merge small clusters, split large ones, rebalance.',
  payload: z.object({ market: ZMarket.optional() }),
  attempts: 2,
  timeoutMs: RUN_TIMEOUT_MS,
  async handler(p, run) {
    const r = await svc.optimizeClusters(run.ctx, { market: p.market });
    await run.progress(100);
    return r;
  },
});

export const reclusterJob = defineJob({
  name: 'clustering.recluster',
  queue: 'leadgen',
  description: 'Rebuild the geographic clusters of one market ("Austin, TX") or of all: DBSCAN 2 mi / 10 leads, k-means split over 100.',
  payload: z.object({ market: ZMarket.optional() }),
  attempts: 2,
  timeoutMs: RUN_TIMEOUT_MS,
  async handler(p, run) {
    const r = await svc.clusterLeads(run.ctx, { market: p.market, by: 'clustering.recluster' });
    await run.progress(100);
    return r;
  },
});

export const assignPublishedLeadJob = defineJob({
  name: 'clustering.assign-lead',
  queue: 'leadgen',
  description: 'On lead.published: put the lead in the nearest active cluster of its market within 2 miles (seed 002 §3.5.4 Cluster Assignment).',
  payload: z.object({ leadId: z.uuid() }),
  async handler(p, { ctx }) {
    const clusterId = await svc.assignLeadToCluster(ctx.db.prisma, p.leadId);
    return { clustered: clusterId ? 1 : 0, clusterId };
  },
});

export const refreshLeadClusterJob = defineJob({
  name: 'clustering.refresh-stats',
  queue: 'leadgen',
  description: 'On lead.sold: refresh the statistics (leads available/sold, value) of the cluster the lead belongs to.',
  payload: z.object({ leadId: z.uuid() }),
  async handler(p, { ctx }) {
    return { refreshed: (await svc.refreshLeadCluster(ctx.db.prisma, p.leadId)) ? 1 : 0 };
  },
});

export const clusteringJobs: JobDefinition[] = [optimizeClustersJob, reclusterJob, assignPublishedLeadJob, refreshLeadClusterJob];
