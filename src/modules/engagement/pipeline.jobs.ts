import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { rescorePipeline, snapshotVelocity } from './pipeline.service.ts';
import { ENGAGEMENT_REFRESH_WINDOW_HOURS, refreshEngagementScores } from './engagement.service.ts';

const ZChunk = z.number().int().min(100).max(50_000).optional();

/** seed 003: every 30 minutes (schedule scoring.pipeline-every-30-minutes). */
export const rescorePipelineJob = defineJob({
  name: 'scoring.rescore-pipeline',
  queue: 'scoring',
  description: 'Recomputes the seed 003 pipeline metrics of every live sale; writes only rows whose metrics changed.',
  payload: z.object({ chunkSize: ZChunk }),
  async handler(p, run) {
    const r = await rescorePipeline(run.ctx, {
      chunkSize: p.chunkSize,
      signal: run.signal,
      onChunk: ({ total, scanned, written }) => run.progress(total ? (100 * scanned) / total : 100, { scanned, written }),
    });
    await run.progress(100, { scanned: r.scanned, written: r.written });
    return r;
  },
});

/** seed 003 lead_velocity_snapshots: daily at 00:15 UTC (schedule scoring.velocity-snapshot-daily). */
export const velocitySnapshotJob = defineJob({
  name: 'scoring.velocity-snapshot',
  queue: 'scoring',
  description: 'Writes one lead_velocity_snapshots row per live sale for the UTC day; a re-run adds nothing.',
  payload: z.object({
    asOf: z.iso.datetime({ offset: true }).optional().describe('score as of this instant; its UTC date is the snapshot date (default now)'),
    chunkSize: ZChunk,
  }),
  async handler(p, run) {
    const r = await snapshotVelocity(run.ctx, { asOf: p.asOf ? new Date(p.asOf) : undefined, chunkSize: p.chunkSize, signal: run.signal });
    await run.progress(100, { inserted: r.inserted });
    return r;
  },
});

/** seed 004 recency decays with time: every 30 minutes alongside seed 003 (schedule scoring.engagement-every-30-minutes). */
export const refreshEngagementJob = defineJob({
  name: 'scoring.refresh-engagement',
  queue: 'scoring',
  description: `Re-scores seed 004 engagement of leads with an interaction in the last ${ENGAGEMENT_REFRESH_WINDOW_HOURS} h, as recency decays.`,
  payload: z.object({
    sinceHours: z.number().min(1).max(24 * 366).optional().describe(`window in hours (default ${ENGAGEMENT_REFRESH_WINDOW_HOURS}); widen after an outage`),
    all: z.boolean().optional().describe('every live lead (backfill after an import or a change of qualification fields)'),
    chunkSize: ZChunk,
  }),
  async handler(p, run) {
    const r = await refreshEngagementScores(run.ctx, {
      sinceHours: p.sinceHours,
      all: p.all,
      chunkSize: p.chunkSize,
      signal: run.signal,
      onChunk: ({ scanned, written }) => run.progress(50, { scanned, written }),
    });
    await run.progress(100, { scanned: r.scanned, written: r.written });
    return r;
  },
});

export const pipelineJobs: JobDefinition[] = [rescorePipelineJob, velocitySnapshotJob, refreshEngagementJob];
