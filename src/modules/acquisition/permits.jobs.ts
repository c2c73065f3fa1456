import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { scrapeActiveCities, scrapeCityPermits } from './permits.service.ts';

/**
 * Permit scraping jobs (seed 002 §3.1.1). Progress: a single city has no known total (portals rarely say how
 * many rows match), so its percentage approaches 95 as pages arrive and the info carries the real counts; the
 * all-cities job advances by finished cities.
 */

/** Pages seen → a percentage that keeps moving but never claims to be done. */
const openEndedPct = (pages: number) => Math.min(95, Math.round(95 * (1 - 1 / (1 + pages / 4))));

export const scrapePermitsJob = defineJob({
  name: 'acquisition.scrape-permits',
  queue: 'acquisition',
  description: "One city's permits over the last `days` days from its permit_source — seed 002 §3.1.1",
  payload: z.object({
    city: z.string().min(1),
    state: z.string().length(2),
    days: z.number().int().min(1).max(365).default(30),
  }),
  async handler(p, run) {
    let pages = 0;
    const by = `acquisition.scrape-permits ${run.jobId}`;
    const summary = await scrapeCityPermits(run.ctx, { city: p.city, state: p.state, days: p.days, triggeredBy: by, signal: run.signal }, (c) => {
      pages++;
      void run.progress(openEndedPct(pages), { ...c }).catch(() => {});
    });
    await run.progress(100, { received: summary.received, inserted: summary.inserted, updated: summary.updated });
    return { ...summary };
  },
});

export const scrapeAllPermitsJob = defineJob({
  name: 'acquisition.scrape-permits-all',
  queue: 'acquisition',
  description: 'Every active city with a permit source, one after another — seed 002 §3.1.1 daily scrape',
  payload: z.object({
    days: z.number().int().min(1).max(365).default(30),
    timeZone: z.string().min(1).optional().describe('only active cities in this IANA time zone (the per-zone 02:00 schedules)'),
  }),
  async handler(p, run) {
    const summary = await scrapeActiveCities(run.ctx, { days: p.days, timeZone: p.timeZone, triggeredBy: `acquisition.scrape-permits-all ${run.jobId}`, signal: run.signal }, (c) => {
      const pct = c.cities ? Math.round((100 * c.cityIndex) / c.cities) : 100;
      void run.progress(Math.min(99, pct), { city: c.city, state: c.state, received: c.received, inserted: c.inserted }).catch(() => {});
    });
    if (summary.cities.length > 0 && summary.succeeded === 0) {
      throw new Error(`every city failed: ${summary.cities.map((c) => `${c.city}, ${c.state}: ${c.error}`).join(' | ')}`);
    }
    await run.progress(100, { succeeded: summary.succeeded, failed: summary.failed, inserted: summary.inserted });
    return { ...summary };
  },
});

export const permitsJobs: JobDefinition[] = [scrapePermitsJob, scrapeAllPermitsJob];
