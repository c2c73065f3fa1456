import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { ZLeadTrade } from './leads.schemas.ts';
import { generateLeadBatch } from './lead-generation.service.ts';

export const generateLeadBatchJob = defineJob({
  name: 'leads.generate-batch',
  queue: 'leadgen',
  description: 'Hourly lead generation (seed 002 §3.8.2): per trade with scored leads, publish the best `limit` (one per property) and cluster them.',
  payload: z.object({
    limit: z.number().int().min(1).max(1000).default(100).describe('leads per trade (seed 002 §3.8.2 batch size 100)'),
    minScore: z.number().int().min(0).max(100).default(60),
    trades: z.array(ZLeadTrade).max(100).optional().describe('only these trades; default every trade with scored leads'),
  }),
  async handler(p, run) {
    const r = await generateLeadBatch(run.ctx, { limit: p.limit, minScore: p.minScore, trades: p.trades, by: 'leads.generate-batch' }, (done, total, t) =>
      run.progress((done * 100) / total, { trade: t.trade, published: t.published }),
    );
    await run.progress(100);
    return r;
  },
});

export const leadsJobs: JobDefinition[] = [generateLeadBatchJob];
