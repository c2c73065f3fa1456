import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { detectTriggers, expireTriggers } from './triggers.service.ts';

const ZAsOf = z.iso.datetime({ offset: true }).optional().describe('Detect as of this instant (ISO 8601); default now');

export const ZDetectTriggersPayload = z.object({
  asOf: ZAsOf,
  cityIds: z.array(z.uuid()).max(1000).optional().describe('Only leads and properties of these target cities'),
  leadIds: z.array(z.uuid()).max(100_000).optional().describe('Only these leads (and their properties)'),
  full: z.boolean().optional().describe('A whole run re-derives every lead, not only what changed since the previous whole run'),
});

export const detectTriggersJob = defineJob({
  name: 'scoring.detect-triggers',
  queue: 'scoring',
  description:
    'Trigger detection (seed 002 §3.5.3, issue 4 §5): neighbor roofing permits within 0.25 mi (30/60/90-day counts on properties), storms within 5 mi in 90 days, roof age, sale, insurance claims → lead_triggers; then expiry.',
  payload: ZDetectTriggersPayload,
  // A retry is cheap: rows already written are identical and skipped.
  async handler(p, run) {
    const r = await detectTriggers(
      run.ctx,
      { asOf: p.asOf ? new Date(p.asOf) : undefined, cityIds: p.cityIds, leadIds: p.leadIds, full: p.full, signal: run.signal },
      ({ phase, pct, ...info }) => run.progress(Math.min(99, pct), { phase, ...info }),
    );
    await run.progress(100, { mode: r.mode, changed: r.changed, byType: r.byType, inserted: r.inserted, updated: r.updated, expired: r.expired });
    return { ...r };
  },
});

export const expireTriggersJob = defineJob({
  name: 'scoring.expire-triggers',
  queue: 'scoring',
  description: 'Trigger expiry (seed 002 §3.5.3): deactivate lead_triggers whose expires_at has passed (weather 180 days, neighbor permits 90, sale and insurance 365).',
  payload: z.object({ asOf: ZAsOf }),
  async handler(p, run) {
    const r = await expireTriggers(run.ctx, p.asOf ? new Date(p.asOf) : undefined);
    await run.progress(100, r);
    return r;
  },
});

export const triggersJobs: JobDefinition[] = [detectTriggersJob, expireTriggersJob];
