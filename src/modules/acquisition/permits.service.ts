import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import { AppError, isAppError } from '../../platform/errors.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import { classifyPermit } from '../scoring/permit-intent.scorer.ts';
import { ZPermitSourceConfig, type NormalizedPermit, type PermitSource, type PermitWindow, type TPermitSourceConfig } from './acquisition.types.ts';
import { normalizeAddress } from './address.ts';
import { createPermitSource } from './permit-sources/index.ts';
import { boundedSourceKey, clip, dayInZone } from './permit-sources/values.ts';
import * as repo from './permits.repository.ts';
import { indexCities, type CityIndex } from './permit-view.ts';

/**
 * Permit scraping (seed 002 §3.1.1; issue 4 §2): one city's configured source over a date window, normalized
 * to BLDS meanings, classified into the trade taxonomy, and upserted page by page — each page in one
 * transaction with its `permit.scraped` outbox event, so a failure mid-run keeps the pages already stored and
 * a re-run of the same window inserts nothing twice. Every run is one scraping_jobs row (seed 002 §4.6.1).
 */

export interface ScrapeProgress {
  received: number;
  inserted: number;
  updated: number;
}

export interface ScrapeSummary {
  scrapingJobId: string;
  city: string;
  state: string;
  /** permits.source of the rows, e.g. socrata:3syk-w9eu. */
  source: string;
  status: 'completed' | 'partial';
  window: { since: string; until: string };
  received: number;
  inserted: number;
  updated: number;
  /** Already stored exactly as received: rewritten neither row nor timestamps. */
  unchanged: number;
  skipped: number;
  /** Why records were skipped (first 100 messages). */
  errors: string[];
  durationMs: number;
}

export interface ScrapeCityOptions {
  city: string;
  state: string;
  /** Lookback in days (seed 002 §3.1.1: 30–90); the window ends with today in the city's time zone. */
  days: number;
  /** Exclusive end of the window (a day boundary); default tomorrow 00:00 in the city's calendar. */
  until?: Date;
  triggeredBy: string;
  signal?: AbortSignal;
  /** scraping_jobs.parent_job_id (the all-cities run). */
  parentJobId?: string | null;
}

const MAX_ERRORS = 100;
const DAY_MS = 86_400_000;

/** [since, until) on UTC day boundaries: the sources turn them into the portal's calendar days. */
export function permitWindow(days: number, timeZone: string, until?: Date, now: Date = new Date()): PermitWindow {
  let end: Date;
  if (until) {
    end = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate()));
  } else {
    const today = dayInZone(now, timeZone);
    end = new Date(Date.parse(`${today}T00:00:00.000Z`) + DAY_MS);
  }
  return { since: new Date(end.getTime() - days * DAY_MS), until: end };
}

/** The city row and its validated source config, or the AppError that says what is wrong with it. */
export async function loadCitySource(ctx: AppContext, cityName: string, stateCode: string) {
  const state = stateCode.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(state)) throw new AppError('VALIDATION_FAILED', { message: `state must be a 2-letter code, got "${stateCode}"` });
  const city = await repo.findCity(ctx.db.prisma, cityName.trim(), state);
  if (!city) throw new AppError('CITY_NOT_FOUND', { message: `no target city ${cityName}, ${state}` });
  const label = `${city.city}, ${city.state}`;
  if (city.permitSource === null || city.permitSource === undefined) {
    throw new AppError('CITY_NOT_CONFIGURED', { message: `${label} has no permit_source configured`, details: { cityId: city.id } });
  }
  const parsed = ZPermitSourceConfig.safeParse(city.permitSource);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `permit_source${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`);
    throw new AppError('CITY_SOURCE_INVALID', { message: `${label}: ${problems.join('; ')}`, details: { cityId: city.id, problems } });
  }
  return { city, config: parsed.data, label };
}

function buildSource(ctx: AppContext, config: TPermitSourceConfig, timeZone: string, label: string): PermitSource {
  try {
    return createPermitSource(config, ctx, { timeZone });
  } catch (err) {
    // A config the schema accepted but the client cannot use (unsafe column name, bad selector) is still the city's.
    if (isAppError(err) && (err.code === 'VALIDATION_FAILED' || err.code === 'CITY_SOURCE_INVALID')) {
      throw new AppError('CITY_SOURCE_INVALID', { message: `${label}: ${err.message}`, details: err.details, cause: err });
    }
    throw err;
  }
}

interface PreparedPage {
  rows: repo.PermitRow[];
  skipped: number;
  errors: string[];
}

/** Source permits → rows: skip what has no usable permit number, keep the last of in-page duplicates, classify. */
export function preparePage(permits: NormalizedPermit[], source: string, targetCityId: string): PreparedPage {
  const byNumber = new Map<string, repo.PermitRow>();
  const errors: string[] = [];
  let skipped = 0;
  for (const p of permits) {
    const number = p.permitNumber.trim();
    if (!number) {
      skipped++;
      errors.push(`record without a permit number skipped (address: ${p.address ?? 'none'})`);
      continue;
    }
    if (number.length > 100) {
      skipped++;
      errors.push(`permit number longer than 100 characters skipped: ${number.slice(0, 40)}…`);
      continue;
    }
    if (byNumber.has(number)) {
      skipped++;
      errors.push(`permit ${number} appears twice in one page; the later record was kept`);
    }
    byNumber.set(number, toRow(p, number, source, targetCityId));
  }
  return { rows: [...byNumber.values()], skipped, errors };
}

function toRow(p: NormalizedPermit, permitNumber: string, source: string, targetCityId: string): repo.PermitRow {
  // The trade comes from the scoring module's classifier, so permits and leads use one taxonomy.
  const c = classifyPermit({ permitType: p.permitType, permitClass: p.permitClass, description: p.workDescription });
  const normalized = p.address ? normalizeAddress(p.address) : '';
  return {
    source,
    permitNumber,
    targetCityId,
    address: p.address,
    normalizedAddress: normalized || null,
    city: clip(p.city, 100),
    state: p.state && /^[A-Z]{2}$/.test(p.state) ? p.state : null,
    zip: clip(p.zip, 10),
    lat: p.lat,
    lng: p.lng,
    permitType: clip(p.permitType, 100),
    permitClass: clip(p.permitClass, 50),
    workDescription: p.workDescription,
    estimatedValue: p.estimatedValue,
    trade: c.category,
    tradeGroup: c.tradeGroup,
    contractorName: clip(p.contractorName, 255),
    contractorLicense: clip(p.contractorLicense, 100),
    appliedDate: p.appliedDate,
    issueDate: p.issueDate,
    completionDate: p.completionDate,
    permitStatus: clip(p.permitStatus, 50),
    sourceUrl: p.sourceUrl,
    raw: p.raw,
  };
}

/** Upserts one page and writes its permit.scraped event (new permits only) in the same transaction. */
async function storePage(ctx: AppContext, cityId: string, rows: repo.PermitRow[]) {
  return ctx.db.prisma.$transaction(async (tx) => {
    const result = await repo.upsertPermits(tx, rows);
    const newIds = result.filter((r) => r.inserted).map((r) => r.id);
    if (newIds.length) await writeOutbox(tx, { topic: 'permit.scraped', payload: { cityId, permitIds: newIds } });
    return { inserted: newIds.length, updated: result.length - newIds.length };
  });
}

/** permits.source is varchar(100); a source key of another helper's client may be longer. */
function storableKey(key: string): string {
  if (key.length <= 100) return key;
  const i = key.indexOf(':');
  return boundedSourceKey(key.slice(0, i), key.slice(i + 1));
}

export async function scrapeCityPermits(ctx: AppContext, opts: ScrapeCityOptions, onProgress?: (p: ScrapeProgress) => void): Promise<ScrapeSummary> {
  if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 365) {
    throw new AppError('VALIDATION_FAILED', { message: `days must be an integer from 1 to 365, got ${opts.days}` });
  }
  const { city, config, label } = await loadCitySource(ctx, opts.city, opts.state);
  const source = buildSource(ctx, config, city.timeZone, label);
  const sourceKey = storableKey(source.sourceKey);
  const window = permitWindow(opts.days, city.timeZone, opts.until);
  const windowDays = { since: window.since.toISOString().slice(0, 10), until: window.until.toISOString().slice(0, 10) };
  const startedAt = new Date();
  const jobId = await repo.createScrapingJob(ctx.db.prisma, {
    jobType: 'permits', source: sourceKey, city: city.city, state: city.state, triggeredBy: opts.triggeredBy,
    config: { source: config, days: opts.days, window: windowDays }, parentJobId: opts.parentJobId,
  });

  const t = { received: 0, inserted: 0, updated: 0, unchanged: 0, skipped: 0, retries: 0, pages: 0 };
  const errors: string[] = [];
  const note = (msgs: string[]) => {
    for (const m of msgs) if (errors.length < MAX_ERRORS) errors.push(m);
  };
  const progress = () => ({ received: t.received, stored: t.inserted + t.updated + t.unchanged, skipped: t.skipped, retries: t.retries });

  try {
    const pages = source.fetchPermits(window, {
      signal: opts.signal,
      onProgress: (_n, info) => {
        if (typeof info?.retries === 'number') t.retries = info.retries;
      },
    });
    for await (const permits of pages) {
      t.pages++;
      t.received += permits.length;
      const page = preparePage(permits, sourceKey, city.id);
      t.skipped += page.skipped;
      note(page.errors);
      const stored = await storePage(ctx, city.id, page.rows);
      t.inserted += stored.inserted;
      t.updated += stored.updated;
      t.unchanged += page.rows.length - stored.inserted - stored.updated;
      await repo.updateScrapingJobProgress(ctx.db.prisma, jobId, progress());
      onProgress?.({ received: t.received, inserted: t.inserted, updated: t.updated });
    }
  } catch (err) {
    const aborted = opts.signal?.aborted === true;
    const message = aborted ? `aborted: ${String(opts.signal!.reason ?? 'signal')}` : (err as Error).message;
    await repo.finishScrapingJob(ctx.db.prisma, jobId, {
      ...progress(), status: aborted ? 'cancelled' : 'failed', startedAt, errors: [...errors, message].slice(0, MAX_ERRORS + 1),
      errorMessage: message, errorStack: (err as Error).stack ?? null,
      results: { ...t, window: windowDays, source: sourceKey },
    });
    await repo.touchCityAfterScrape(ctx.db.prisma, city.id, false);
    if (aborted) throw err;
    const kept = t.inserted + t.updated + t.unchanged;
    throw new AppError(isAppError(err) ? err.code : 'SOURCE_FAILED', {
      message: `permit scrape of ${label} failed after ${t.pages} page(s), ${kept} permit(s) kept: ${message}`,
      details: { scrapingJobId: jobId, pages: t.pages, received: t.received, inserted: t.inserted, updated: t.updated },
      cause: err,
    });
  }

  const status = t.skipped > 0 ? 'partial' : 'completed';
  const durationMs = Date.now() - startedAt.getTime();
  await repo.finishScrapingJob(ctx.db.prisma, jobId, {
    ...progress(), status, startedAt, errors, results: { ...t, window: windowDays, source: sourceKey, durationMs },
  });
  await repo.touchCityAfterScrape(ctx.db.prisma, city.id, true);
  ctx.log.info({ city: label, source: sourceKey, ...t, durationMs }, 'permit scrape finished');
  return {
    scrapingJobId: jobId, city: city.city, state: city.state, source: sourceKey, status, window: windowDays,
    received: t.received, inserted: t.inserted, updated: t.updated, unchanged: t.unchanged, skipped: t.skipped, errors, durationMs,
  };
}

export interface CityScrapeOutcome {
  city: string;
  state: string;
  ok: boolean;
  summary?: ScrapeSummary;
  error?: string;
  code?: string;
}

export interface ScrapeAllSummary {
  scrapingJobId: string;
  cities: CityScrapeOutcome[];
  succeeded: number;
  failed: number;
  inserted: number;
  durationMs: number;
}

export interface ScrapeAllProgress extends ScrapeProgress {
  cityIndex: number;
  cities: number;
  city: string;
  state: string;
}

/**
 * The daily scrape (seed 002 §3.1.1 "daily at 2:00 AM for all active cities"): every active city with a permit
 * source, one after another (one host at a time stays polite); a failing city is recorded and the next one runs.
 * A parent scraping_jobs row ties the per-city rows together.
 */
export async function scrapeActiveCities(
  ctx: AppContext,
  opts: { days: number; triggeredBy: string; signal?: AbortSignal; /** Only cities in this IANA zone (the 02:00-local schedules). */ timeZone?: string },
  onProgress?: (p: ScrapeAllProgress) => void,
): Promise<ScrapeAllSummary> {
  const cities = await repo.findActiveCitiesWithSource(ctx.db.prisma, opts.timeZone);
  const startedAt = new Date();
  const parentId = await repo.createScrapingJob(ctx.db.prisma, {
    jobType: 'permits-all', source: 'all', city: '', state: '', triggeredBy: opts.triggeredBy, config: { days: opts.days, cities: cities.length, timeZone: opts.timeZone ?? null },
  });
  const outcomes: CityScrapeOutcome[] = [];
  for (const [i, c] of cities.entries()) {
    if (opts.signal?.aborted) break;
    try {
      const summary = await scrapeCityPermits(
        ctx,
        { city: c.city, state: c.state, days: opts.days, triggeredBy: opts.triggeredBy, signal: opts.signal, parentJobId: parentId },
        (p) => onProgress?.({ ...p, cityIndex: i, cities: cities.length, city: c.city, state: c.state }),
      );
      outcomes.push({ city: c.city, state: c.state, ok: true, summary });
    } catch (err) {
      if (opts.signal?.aborted) break;
      ctx.log.warn({ err, city: c.city, state: c.state }, 'permit scrape of a city failed; continuing with the next');
      outcomes.push({ city: c.city, state: c.state, ok: false, error: (err as Error).message, code: isAppError(err) ? err.code : undefined });
    }
    onProgress?.({ received: 0, inserted: 0, updated: 0, cityIndex: i + 1, cities: cities.length, city: c.city, state: c.state });
  }
  const failed = outcomes.filter((o) => !o.ok);
  const inserted = outcomes.reduce((s, o) => s + (o.summary?.inserted ?? 0), 0);
  const aborted = opts.signal?.aborted === true;
  await repo.finishScrapingJob(ctx.db.prisma, parentId, {
    received: outcomes.reduce((s, o) => s + (o.summary?.received ?? 0), 0), stored: inserted, skipped: failed.length, retries: 0,
    status: aborted ? 'cancelled' : failed.length === 0 ? 'completed' : failed.length === outcomes.length && outcomes.length > 0 ? 'failed' : 'partial',
    startedAt, errors: failed.map((f) => `${f.city}, ${f.state}: ${f.error}`),
    results: { cities: outcomes.map((o) => ({ city: o.city, state: o.state, ok: o.ok, inserted: o.summary?.inserted ?? 0, error: o.error })) },
  });
  if (aborted) throw opts.signal!.reason ?? new Error('aborted');
  return { scrapingJobId: parentId, cities: outcomes, succeeded: outcomes.length - failed.length, failed: failed.length, inserted, durationMs: Date.now() - startedAt.getTime() };
}

// ---------------------------------------------------------------------------------------------------------
// Reading stored permits (for lead creation and the seed 001 export)

/** Stored permits with their property and target city, newest scraped first, keyset-paged on id. */
export const findStoredPermitsPage = (db: Db, f: repo.PermitFilter, take: number, afterId?: string) =>
  repo.findStoredPermitsPage(db, f, take, afterId);

export const countStoredPermits = (db: Db, f: repo.PermitFilter) => repo.countStoredPermits(db, f);

/** The target cities' names as viewPermit reads them (by "city|state", and by city alone when unambiguous). */
export async function loadCityIndex(db: Db): Promise<CityIndex> {
  return indexCities(await repo.findTargetCityNames(db));
}
