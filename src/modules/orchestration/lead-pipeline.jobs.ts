import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { createLeadsForPermits, runStage, stageJobName, STAGES, sweepPipeline, EVENT_BATCH } from './lead-pipeline.service.ts';

/** Jobs of the lead pipeline (lead-pipeline.service.ts): the entry on permit.scraped, one job per stage, the sweep. */

const ZLeadBatch = z.object({ leadIds: z.array(z.uuid()).min(1).max(EVENT_BATCH * 2) }).loose();

export const createLeadsJob = defineJob({
  name: 'pipeline.create-leads',
  queue: 'leadgen',
  description: 'On permit.scraped: one processing lead per new permit address, then lead.created — seed 002 §3.8.5',
  payload: z.object({ permitIds: z.array(z.uuid()).max(50_000), cityId: z.uuid().optional() }).loose(),
  async handler(p, run) {
    const r = await createLeadsForPermits(run.ctx, p.permitIds, `pipeline.create-leads ${run.jobId}`);
    await run.progress(100, r);
    return r;
  },
});

export const stageJobs: JobDefinition[] = STAGES.map((s) =>
  defineJob({
    name: stageJobName(s),
    queue: s.queue,
    description: `On ${s.on}: ${s.description}`,
    payload: ZLeadBatch,
    async handler(p, run) {
      const r = await runStage(run.ctx, s, p.leadIds, run);
      await run.progress(100);
      return r;
    },
  }),
);

export const processNewPermitsJob = defineJob({
  name: 'acquisition.process-new-permits',
  queue: 'acquisition',
  description: 'Daily 04:00: leads for the last day\'s permits without one, and re-queue leads stalled in the pipeline — seed 002 §3.8.1',
  payload: z.object({
    sinceHours: z.number().int().min(1).max(24 * 90).default(24),
    limit: z.number().int().min(1).max(500_000).optional(),
    timeZone: z.string().min(1).optional().describe('only cities in this IANA time zone (the per-zone 04:00 schedules)'),
  }),
  async handler(p, run) {
    return sweepPipeline(run.ctx, p, (pct, info) => run.progress(pct, info));
  },
});

export const leadPipelineJobs: JobDefinition[] = [createLeadsJob, ...stageJobs, processNewPermitsJob];

/** Outbox topic → stage jobs, merged into EVENT_ROUTES. */
export const LEAD_PIPELINE_ROUTES: Readonly<Record<string, readonly string[]>> = (() => {
  const routes: Record<string, string[]> = { 'permit.scraped': [createLeadsJob.name] };
  for (const s of STAGES) (routes[s.on] ??= []).push(stageJobName(s));
  return routes;
})();
