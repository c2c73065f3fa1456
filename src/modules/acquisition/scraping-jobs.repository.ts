import type { Db } from '../../platform/db.ts';

/**
 * The `scraping_jobs` row every acquisition run opens (seed 002 §4.6.1): permits, permits-all, properties and
 * storms runs each start one as `running` and close it with their own counts.
 */
export interface ScrapingJobStart {
  jobType: string;
  source: string;
  city?: string | null;
  state?: string | null;
  config: Record<string, unknown>;
  triggeredBy?: string | null;
  parentJobId?: string | null;
}

export async function openScrapingJob(db: Db, j: ScrapingJobStart): Promise<string> {
  const row = await db.scrapingJob.create({
    data: {
      jobType: j.jobType,
      source: j.source.slice(0, 50),
      city: j.city ?? null,
      state: j.state ?? null,
      config: j.config as object,
      status: 'running',
      startedAt: new Date(),
      triggeredBy: j.triggeredBy?.slice(0, 100) ?? null,
      parentJobId: j.parentJobId ?? null,
    },
    select: { id: true },
  });
  return row.id;
}
