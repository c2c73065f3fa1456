import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { RESCORE_BATCH_JOB, ZRescoreBatchPayload } from './scoring.schemas.ts';
import { rescoreLeads } from './batch-engine.ts';

export const rescoreBatchJob = defineJob({
  name: RESCORE_BATCH_JOB,
  queue: 'scoring',
  description:
    'Batch engine (issue 3 §2): rescore leads whose scoring inputs changed (or all with force) in keyset chunks; progress per chunk, counts in the result and job_runs.',
  payload: ZRescoreBatchPayload,
  // A retry resumes cheaply: chunks already written are no longer pending, so a signal-based rerun skips them.
  async handler(p, run) {
    const r = await rescoreLeads(run.ctx, {
      filter: p.filter,
      force: p.force,
      chunkSize: p.chunkSize,
      maxLeads: p.maxLeads,
      by: p.by ?? `job:${run.jobId}`,
      signal: run.signal,
      onChunk: (c) => run.progress(Math.min(99, c.pct), { chunks: c.chunks, scanned: c.scanned, changed: c.changed, statusMoves: c.statusMoves, rowsPerSecond: c.rowsPerSecond }),
    });
    await run.progress(100, { chunks: r.chunks, scanned: r.scanned, changed: r.changed, statusMoves: r.statusMoves, rowsPerSecond: r.rowsPerSecond });
    return { ...r, skipped: r.skipped === true };
  },
});

export const scoringJobs: JobDefinition[] = [rescoreBatchJob];
