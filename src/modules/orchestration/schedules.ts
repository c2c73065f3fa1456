import { JOBS } from './job-catalog.ts';
import { TARGET_CITIES } from '../../../prisma/seed/cities.ts';

export interface ScheduleDefinition {
  /** Stable id; also the prefix of every tick's job id, so it must not contain ':' (BullMQ forbids it). */
  name: string;
  /** node-cron syntax: five fields, or six with seconds first. */
  cron: string;
  timezone: string;
  job: string;
  payload: Record<string, unknown>;
  description: string;
  /** Only registered when the worker runs with SCHEDULES_INCLUDE_TEST=1. */
  testOnly?: boolean;
}

const UTC = 'UTC';

/** Time zones of the target cities (prisma/seed/cities.ts), each city's local clock for its nightly jobs. */
export const CITY_TIME_ZONES: readonly string[] = [...new Set(TARGET_CITIES.map((c) => c.timeZone))].sort();

/** 'America/Indiana/Indianapolis' → 'america-indiana-indianapolis' (schedule names cannot contain ':' or '/'). */
export const zoneSlug = (tz: string) => tz.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * seed 002 §3.8.1 "2:00 AM permit scraping" and "4:00 AM property processing" are night-time jobs of each city,
 * so they tick at 02:00 and 04:00 in every time zone that has target cities, each run covering the active
 * cities of its zone (the job's `timeZone` filter). A city's portal is then scraped in its own quiet hours, and
 * DST is handled by node-cron's time zone support.
 */
const perCityZone = (): ScheduleDefinition[] =>
  CITY_TIME_ZONES.flatMap((tz) => [
    { name: `permits.daily-scrape.${zoneSlug(tz)}`, cron: '0 2 * * *', timezone: tz, job: 'acquisition.scrape-permits-all', payload: { days: 30, timeZone: tz },
      description: `Scrape permits of the active cities in ${tz} (last 30 days) — seed 002 §3.8.1 2:00 AM local` },
    { name: `permits.daily-process.${zoneSlug(tz)}`, cron: '0 4 * * *', timezone: tz, job: 'acquisition.process-new-permits', payload: { sinceHours: 24, timeZone: tz },
      description: `Leads for the last 24 h of permits of cities in ${tz}, and re-queue stalled leads — seed 002 §3.8.1 4:00 AM local` },
  ]);

/**
 * Every recurring job, in one place (DESIGN.md "Pipeline"). The per-city nightly jobs run in each city's time
 * zone (above); jobs that cover the whole country at once (NOAA storms, lead generation, rescoring) run on UTC,
 * where no single city's clock would be "right". Schedules whose job belongs to a later issue stay here and
 * are skipped at worker start-up ("not implemented yet").
 */
export const SCHEDULES: readonly ScheduleDefinition[] = [
  // seed 002 §9.4 / §3.8.1 daily jobs
  ...perCityZone(),
  { name: 'storms.daily-ingest', cron: '0 3 * * *', timezone: UTC, job: 'acquisition.ingest-storms', payload: { lookbackDays: 7 },
    description: 'Ingest NOAA storm events of the last 7 days and match them to properties — seed 002 §3.8.1 3:00 AM (national file: UTC)' },
  // seed 002 §3.8.2 hourly jobs, staggered so each hour's batch flows enrichment → inference → lead generation.
  { name: 'enrichment.hourly', cron: '0 * * * *', timezone: UTC, job: 'enrichment.enrich-batch', payload: { limit: 100 },
    description: 'Find and verify owner contacts for up to 100 unenriched properties — seed 002 §3.8.2' },
  { name: 'inference.hourly', cron: '20 * * * *', timezone: UTC, job: 'inference.analyze-batch', payload: { limit: 50 },
    description: 'Run roof analysis on up to 50 properties with unanalysed images — seed 002 §3.8.2' },
  { name: 'leadgen.hourly', cron: '40 * * * *', timezone: UTC, job: 'leads.generate-batch', payload: { limit: 100 },
    description: 'Publish the best 100 scored leads of each trade (one per property) and cluster them — seed 002 §3.8.2' },
  { name: 'outreach.every-5-minutes', cron: '*/5 * * * *', timezone: UTC, job: 'outreach.execute-due', payload: {},
    description: 'Send the outreach touchpoints that are due — seed 002 §3.8.2' },
  // seed 002 §3.8.3 weekly jobs
  { name: 'cities.weekly-expansion', cron: '0 1 * * 0', timezone: UTC, job: 'acquisition.expand-cities', payload: {},
    description: 'Activate the next priority city when the expansion criteria hold — seed 002 §3.8.3 Sunday 1:00 AM' },
  { name: 'contractors.weekly-discovery', cron: '0 2 * * 0', timezone: UTC, job: 'outreach.discover-contractors', payload: { maxPerCity: 200 },
    description: 'Discover up to 200 contractors in recently activated cities — seed 002 §3.8.3 Sunday 2:00 AM' },
  // seed 002 §3.5.4 "Cluster Optimization: Run weekly" — Sunday after the weekly jobs and the daily 2–4 AM runs.
  { name: 'clustering.weekly-optimize', cron: '0 5 * * 0', timezone: UTC, job: 'clustering.optimize', payload: {},
    description: 'Merge small clusters, split large ones, rebalance; release lapsed exclusivity — seed 002 §3.5.4 (weekly)' },
  // seed 001 "Retry Failed Leads": daily at 6 AM
  { name: 'scoring.daily-retry', cron: '0 6 * * *', timezone: UTC, job: 'exports.retry-failed', payload: {},
    description: 'Re-score leads left in the RETRY tier and update the export tree — seed 001 retry cron (0 6 * * *)' },
  // seed 003: background pipeline re-scoring every 30 minutes
  { name: 'scoring.pipeline-every-30-minutes', cron: '*/30 * * * *', timezone: UTC, job: 'scoring.rescore-pipeline', payload: {},
    description: 'Recompute the pipeline metrics of sold leads — seed 003 (every 30 minutes)' },
  // seed 003 "every 30 minutes" + seed 000 signal-based rescoring: only leads whose inputs changed. At :15/:45
  // so it does not queue behind the pipeline metrics on the scoring queue.
  { name: 'scoring.rescore-every-30-minutes', cron: '15,45 * * * *', timezone: UTC, job: 'scoring.rescore-batch', payload: {},
    description: 'Rescore leads whose scoring inputs changed since they were scored (batch engine, signal-based) — seed 003 (every 30 minutes)' },
  { name: 'scoring.engagement-every-30-minutes', cron: '*/30 * * * *', timezone: UTC, job: 'scoring.refresh-engagement', payload: {},
    description: 'Re-score seed 004 engagement of recently active leads as recency decays (every 30 minutes, alongside seed 003)' },
  // seed 002 §3.5.3 "Trigger Expiration": daily, on its own — not only after a storm ingest runs detection.
  { name: 'scoring.expire-triggers-daily', cron: '30 4 * * *', timezone: UTC, job: 'scoring.expire-triggers', payload: {},
    description: 'Deactivate triggers past their expiry (weather 180 days, neighbour permits 90 days, …) — seed 002 §3.5.3 (daily 04:30 UTC)' },
  { name: 'scoring.velocity-snapshot-daily', cron: '15 0 * * *', timezone: UTC, job: 'scoring.velocity-snapshot', payload: {},
    description: 'One lead_velocity_snapshots row per live sale for the UTC day — seed 003 (daily 00:15 UTC)' },
  // maintenance
  { name: 'maintenance.heartbeat', cron: '* * * * *', timezone: UTC, job: 'maintenance.heartbeat', payload: {},
    description: 'Liveness tick: one system_events row per minute while a worker consumes the maintenance queue' },
  { name: 'maintenance.expire-reservations', cron: '*/5 * * * *', timezone: UTC, job: 'maintenance.expire-reservations', payload: {},
    description: 'Put leads whose reservation lapsed back on sale' },
  { name: 'maintenance.expire-territories', cron: '*/5 * * * *', timezone: UTC, job: 'maintenance.expire-territories', payload: {},
    description: 'Expire territories past their end date' },
  // test only
  { name: 'test.every-second', cron: '* * * * * *', timezone: UTC, job: 'maintenance.heartbeat', payload: { note: 'test.every-second' },
    description: 'Test-only heartbeat every second (SCHEDULES_INCLUDE_TEST=1)', testOnly: true },
];

export function listScheduleDefinitions(opts: { includeTest?: boolean } = {}): ScheduleDefinition[] {
  return SCHEDULES.filter((s) => opts.includeTest || !s.testOnly);
}

export function findSchedule(name: string, opts: { includeTest?: boolean } = {}): ScheduleDefinition | undefined {
  return listScheduleDefinitions(opts).find((s) => s.name === name);
}

export const isImplemented = (s: ScheduleDefinition): boolean => JOBS.has(s.job);

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Deterministic job id of one tick, identical in every worker replica so BullMQ keeps one job per tick.
 * DESIGN.md writes it `<schedule>:<tick time>`, but BullMQ rejects ':' in custom job ids, hence '@'.
 * Minute resolution (YYYYMMDDTHHmmZ) for five-field crons; second resolution for six-field ones, which
 * would otherwise collide within a minute.
 */
export function tickJobId(s: Pick<ScheduleDefinition, 'name' | 'cron'>, tick: Date): string {
  const withSeconds = s.cron.trim().split(/\s+/).length === 6;
  const d = tick;
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${withSeconds ? pad(d.getUTCSeconds()) : ''}Z`;
  return `${s.name}@${stamp}`;
}

/** Job id of a manual trigger from the API: never collides with a tick. */
export const manualJobId = (name: string, at: Date = new Date()): string => `${name}@manual-${at.getTime()}`;

/** Scheduled runs (ticks and manual triggers) carry '@' in their id; nothing else does. */
export const isScheduledJobId = (id: string | undefined): boolean => !!id && id.includes('@');
