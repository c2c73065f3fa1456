import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { createIntentReasoner } from '../scoring/permit-intent.reasoner.ts';
import { ZRetryFailedPayload } from './exports.schemas.ts';
import { retryFailedLeads } from './exports.service.ts';

/** seed 001 "Retry Failed Leads": the daily 06:00 cron, as a job (schedules.ts `scoring.daily-retry`). */
export const retryFailedJob = defineJob({
  name: 'exports.retry-failed',
  queue: 'exports',
  description: 'Re-score leads left in the RETRY tier (base_leads and pending_retry/retry_queue.csv) with the configured reasoner; saves leads and updates the export tree.',
  payload: ZRetryFailedPayload,
  // An LLM on a CPU takes seconds per permit: 1,000 of them need hours, not the exports queue's 30 minutes.
  timeoutMs: 4 * 3600_000,
  async handler(p, run) {
    let last = -1;
    const result = await retryFailedLeads(run.ctx, {
      outDir: p.outDir ?? run.ctx.config.EXPORTS_DIR,
      limit: p.limit,
      reasoner: createIntentReasoner(run.ctx.config, 'configured'),
      signal: run.signal,
      onProgress: (done, total) => {
        const pct = total ? Math.floor((done * 100) / total) : 100;
        // Whole percents only: an LLM run reports a few hundred times, not once per permit.
        if (pct !== last) {
          last = pct;
          void run.progress(pct, { done, total }).catch(() => {});
        }
      },
    });
    await run.progress(100, { done: result.candidates, total: result.candidates });
    return result;
  },
});

export const exportsJobs: JobDefinition[] = [retryFailedJob];
