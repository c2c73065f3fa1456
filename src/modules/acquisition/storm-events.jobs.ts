import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { ingestStormEvents } from './storm-events.service.ts';

export const ZIngestStormsPayload = z
  .object({
    /** Events that began in the last N days. Default 7 (seed 002 §3.1.4 daily run) unless a file or url is given, which is then ingested whole. */
    lookbackDays: z.number().int().min(1).max(3650).optional(),
    /** One details file (.csv / .csv.gz) on the worker's disk. */
    file: z.string().min(1).optional(),
    /** NOAA's directory listing, or one details file's URL; default NOAA_STORM_EVENTS_URL (or NOAA_STORM_EVENTS_DIR when set). */
    url: z.url().optional(),
  })
  .refine((p) => !(p.file && p.url), { message: 'give file or url, not both', path: ['file'] });

/** seed 002 §3.1.4 / §3.8.1: the 03:00 storm ingestion (schedules.ts `storms.daily-ingest`), or a one-off backfill. */
export const ingestStormsJob = defineJob({
  name: 'acquisition.ingest-storms',
  queue: 'acquisition',
  description: 'Ingest NOAA Storm Events details files (folder, URL or NOAA listing) into weather_events for the last N days, then emit storms.ingested for trigger detection',
  payload: ZIngestStormsPayload,
  async handler(p, run) {
    const lookbackDays = p.lookbackDays ?? (p.file || p.url ? undefined : 7);
    const result = await ingestStormEvents(
      run.ctx,
      { lookbackDays, files: p.file ? [p.file] : undefined, url: p.url, signal: run.signal, triggeredBy: `acquisition.ingest-storms ${run.jobId}` },
      (pct, info) => run.progress(pct, info),
    );
    // The job's return value is kept in Redis: per-file issue lists stay in scraping_jobs, not here.
    return { ...result, files: result.files.map(({ rowErrors: _e, warnings: _w, ...f }) => f) };
  },
});

export const stormEventsJobs: JobDefinition[] = [ingestStormsJob];
