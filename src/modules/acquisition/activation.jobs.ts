import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { ensureCityActive, expandCities, runCityActivation } from './activation.service.ts';

export const activateCityJob = defineJob({
  name: 'acquisition.activate-city',
  queue: 'acquisition',
  description: 'On city.activated: the seed 002 §6.2 workflow — assessor import, initial permit scrape (90 days), storm backfill',
  payload: z.object({
    cityId: z.uuid().optional(),
    /** `npm run job -- activate-city --city Austin --state TX`: the city by name instead of id. */
    city: z.string().min(1).optional(),
    state: z.string().length(2).optional(),
    days: z.number().int().min(1).max(365).default(90),
    storms: z.boolean().default(true),
  }).loose().refine((p) => !!p.cityId || (!!p.city && !!p.state), { message: 'give cityId, or city and state' }),
  async handler(p, run) {
    const cityId = await ensureCityActive(run.ctx, { cityId: p.cityId, city: p.city, state: p.state, by: `acquisition.activate-city ${run.jobId}` });
    const r = await runCityActivation(run.ctx, { cityId, days: p.days, storms: p.storms, triggeredBy: `acquisition.activate-city ${run.jobId}`, signal: run.signal }, (pct, info) => run.progress(pct, info));
    if (Object.values(r.steps).every((s) => !s.ok)) throw new Error(`every activation step failed: ${JSON.stringify(r.steps)}`);
    return r;
  },
});

export const expandCitiesJob = defineJob({
  name: 'acquisition.expand-cities',
  queue: 'acquisition',
  description: 'Weekly: activate the next priority city when the seed 002 §3.8.3 expansion criteria hold',
  payload: z.object({}).loose(),
  async handler(_p, run) {
    return expandCities(run.ctx, `acquisition.expand-cities ${run.jobId}`);
  },
});

export const activationJobs: JobDefinition[] = [activateCityJob, expandCitiesJob];
