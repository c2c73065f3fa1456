import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { importPropertyRecords } from './properties.service.ts';

export const ZImportPropertiesPayload = z.object({
  city: z.string().min(1).max(100),
  state: z.string().min(2).max(20),
  /** Geocode stored rows without coordinates (default true; the chain ends offline at the ZIP centroid). */
  geocodeMissing: z.boolean().optional(),
});

/**
 * Issue 4 §4 / seed 002 §3.1.2: import one city's bulk assessor export (its target_cities.assessor_source, kind
 * csv or json) into properties. Progress is the share of the export read; counts ride along.
 */
export const importPropertiesJob = defineJob({
  name: 'acquisition.import-properties',
  queue: 'acquisition',
  description: "Import a city's assessor export (CSV/JSON file, folder or URL from target_cities.assessor_source) into properties, merging by normalized address and geocoding rows without coordinates",
  payload: ZImportPropertiesPayload,
  async handler(p, run) {
    const summary = await importPropertyRecords(
      run.ctx,
      { city: p.city, state: p.state, geocodeMissing: p.geocodeMissing, signal: run.signal, triggeredBy: `acquisition.import-properties ${run.jobId}` },
      async ({ fraction, ...counts }) => run.progress(Math.min(99, Math.round(fraction * 100)), counts),
    );
    // Row errors stay in scraping_jobs.errors; the job result keeps the counts and the first few.
    return { ...summary, errors: summary.errors.slice(0, 10) };
  },
});

export const propertiesJobs: JobDefinition[] = [importPropertiesJob];
