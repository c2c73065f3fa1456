import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { requireRole, type Principal } from '../../platform/auth.ts';
import { recordSystemEvent, writeOutbox } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { ZPermitSourceConfig } from './acquisition.types.ts';
import * as repo from './cities.repository.ts';
import type { CityCounts, CityRow } from './cities.repository.ts';
import type {
  ActivationStep, StepStatus, TActivateBody, TCityDetail, TCityProgress, TCitySummary, TListCitiesQuery, TProgressStep,
} from './cities.schemas.ts';

const SERVICE = 'acquisition';
/** Outbox topic the lead engineer routes to the activation job (acquisition.activate-city). */
export const CITY_ACTIVATED_TOPIC = 'city.activated';

// ---------------------------------------------------------------------------------------------------------
// Names in URLs
// ---------------------------------------------------------------------------------------------------------

/** Comparable form of a city name: lower case, every run of non-alphanumerics one space ("St. Louis" = "st-louis"). */
export function cityKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/** URL segment of a city name: "Fort Worth" → "fort-worth", "St. Petersburg" → "st-petersburg". */
export const citySlug = (name: string) => cityKey(name).replaceAll(' ', '-');

const cityPath = (c: { city: string; state: string }) => `/api/v1/cities/${c.state}/${citySlug(c.city)}`;

/** The target city a URL names, or CITY_NOT_FOUND. */
export async function findCityOrThrow(ctx: AppContext, state: string, city: string): Promise<CityRow> {
  const key = cityKey(city);
  const found = (await repo.findCitiesOfState(ctx.db.prisma, state)).find((c) => cityKey(c.city) === key);
  if (!found) throw new AppError('CITY_NOT_FOUND', { message: `no target city "${city}" in ${state}`, details: { city, state } });
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const kindOf = (v: unknown) => (typeof asObject(v)?.kind === 'string' ? (asObject(v)!.kind as string) : null);
const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export function toCitySummary(c: CityRow): TCitySummary {
  const reason = asObject(c.permitConfig)?.unconfigured;
  return {
    id: c.id,
    city: c.city,
    state: c.state,
    slug: citySlug(c.city),
    url: cityPath(c),
    tier: c.tier,
    priority: c.priority,
    population: c.population,
    timeZone: c.timeZone,
    active: c.active,
    permitSourceKind: kindOf(c.permitSource),
    unconfiguredReason: c.permitSource === null ? (typeof reason === 'string' ? reason : 'no permit source configured') : null,
    assessorSourceKind: kindOf(c.assessorSource),
    firstScrapedAt: iso(c.firstScrapedAt),
    lastScrapedAt: iso(c.lastScrapedAt),
    totalPermitsFound: c.totalPermitsFound,
    totalPropertiesProcessed: c.totalPropertiesProcessed,
  };
}

const SECRET_PARAM = /token|key|secret|password|passwd|signature|sig|auth/i;

/**
 * Source configs hold no credentials by contract (app tokens come from the environment), but a CSV or HTML URL
 * may carry one in its query string; such parameters are masked before a config leaves the API.
 */
export function maskSecrets(v: unknown): unknown {
  if (typeof v === 'string') return maskUrl(v);
  if (Array.isArray(v)) return v.map(maskSecrets);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskSecrets(x)]));
  return v;
}

function maskUrl(s: string): string {
  if (!/^https?:\/\//i.test(s)) return s;
  try {
    const u = new URL(s);
    let masked = false;
    for (const k of [...u.searchParams.keys()]) {
      if (SECRET_PARAM.test(k)) {
        u.searchParams.set(k, '***');
        masked = true;
      }
    }
    if (u.password) {
      u.password = '***';
      masked = true;
    }
    return masked ? u.toString() : s;
  } catch {
    return s;
  }
}

/** The first problem of a stored permit source, as "path: message", or null when it satisfies the contract. */
export function permitSourceProblem(source: unknown): string | null {
  if (source === null || source === undefined) return null;
  const r = ZPermitSourceConfig.safeParse(source);
  if (r.success) return null;
  const issue = r.error.issues[0]!;
  return `permitSource${issue.path.length ? '.' + issue.path.map(String).join('.') : ''}: ${issue.message}`;
}

async function toCityDetail(ctx: AppContext, c: CityRow): Promise<TCityDetail> {
  const activated = await repo.latestCityEvent(ctx.db.prisma, c.id, 'city.activated');
  const county = asObject(c.assessorConfig)?.county;
  return {
    ...toCitySummary(c),
    countyName: typeof county === 'string' ? county : null,
    medianHomeValue: c.medianHomeValue === null ? null : Number(c.medianHomeValue),
    stormRiskScore: c.stormRiskScore,
    permitSource: asObject(maskSecrets(c.permitSource)),
    permitSourceError: permitSourceProblem(c.permitSource),
    permitConfig: asObject(maskSecrets(c.permitConfig)),
    assessorSource: asObject(maskSecrets(c.assessorSource)),
    lastActivatedAt: iso(activated?.createdAt),
    progressUrl: `${cityPath(c)}/progress`,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------------------

export async function listCities(ctx: AppContext, principal: Principal | undefined, q: TListCitiesQuery) {
  requireRole(principal, 'admin', 'ops');
  const after = decodeCursor(q.cursor, 2) as [number | null, string] | undefined;
  const rows = await repo.listCities(ctx.db.prisma, { state: q.state, tier: q.tier, active: q.active, configured: q.configured, after, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: page.map(toCitySummary), nextCursor: rows.length > q.limit && last ? encodeCursor([last.priority, last.id]) : null };
}

export async function getCity(ctx: AppContext, principal: Principal | undefined, p: { state: string; city: string }): Promise<TCityDetail> {
  requireRole(principal, 'admin', 'ops');
  return toCityDetail(ctx, await findCityOrThrow(ctx, p.state, p.city));
}

// ---------------------------------------------------------------------------------------------------------
// Activation (seed 002 §6.2 step 1; the rest runs in the worker on the city.activated event)
// ---------------------------------------------------------------------------------------------------------

/** A city can only be activated with a permit source that satisfies the contract. */
function assertActivatable(c: CityRow): void {
  if (c.permitSource === null) {
    const reason = toCitySummary(c).unconfiguredReason;
    throw new AppError('CITY_NOT_CONFIGURED', { message: `${c.city}, ${c.state} has no permit source: ${reason}`, details: { reason } });
  }
  const problem = permitSourceProblem(c.permitSource);
  if (problem) throw new AppError('CITY_SOURCE_INVALID', { message: `${c.city}, ${c.state}: ${problem}`, details: { field: problem.split(':')[0] } });
}

/**
 * Activates a city: active=true, a system_events row and the city.activated outbox event in ONE transaction, so
 * the workflow starts exactly when the flag flips (or not at all). An already active city is left alone unless
 * `force`, which records a new activation and starts the workflow again.
 */
export async function activateCity(
  ctx: AppContext,
  principal: Principal | undefined,
  p: { state: string; city: string } & TActivateBody,
) {
  const who = requireRole(principal, 'admin');
  const city = await findCityOrThrow(ctx, p.state, p.city);
  assertActivatable(city);
  const progressUrl = `${cityPath(city)}/progress`;
  const started = await ctx.db.prisma.$transaction(async (tx) => {
    const flipped = await repo.setActiveIfChanged(tx, city.id, true);
    if (!flipped && !p.force) return false;
    const data = { by: who.id, days: p.days, storms: p.storms, force: p.force, reactivation: !flipped };
    await recordSystemEvent(tx, { eventType: 'city.activated', eventName: 'city.activated', service: SERVICE, entityType: 'target_city', entityId: city.id, data });
    await writeOutbox(tx, { topic: CITY_ACTIVATED_TOPIC, payload: { cityId: city.id, days: p.days, storms: p.storms } });
    return true;
  });
  const fresh = (await repo.findCityById(ctx.db.prisma, city.id))!;
  return { city: toCitySummary(fresh), alreadyActive: !started, days: p.days, storms: p.storms, progressUrl };
}

/** Deactivates a city (scheduled scrapes skip it). Idempotent: an inactive city stays as it is, with no new event. */
export async function deactivateCity(ctx: AppContext, principal: Principal | undefined, p: { state: string; city: string }) {
  const who = requireRole(principal, 'admin');
  const city = await findCityOrThrow(ctx, p.state, p.city);
  const wasActive = await ctx.db.prisma.$transaction(async (tx) => {
    const flipped = await repo.setActiveIfChanged(tx, city.id, false);
    if (flipped) {
      await recordSystemEvent(tx, { eventType: 'city.deactivated', eventName: 'city.deactivated', service: SERVICE, entityType: 'target_city', entityId: city.id, data: { by: who.id } });
    }
    return flipped;
  });
  return { city: toCitySummary((await repo.findCityById(ctx.db.prisma, city.id))!), wasActive };
}

// ---------------------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------------------

type JobRow = NonNullable<Awaited<ReturnType<typeof repo.latestScrapingJob>>>;

const TITLES: Record<ActivationStep, string> = {
  activate: 'Activate city',
  permit_scrape: 'Initial permit scrape',
  process_permits: 'Process permits into leads',
  storm_backfill: 'Storm event backfill',
  contractor_discovery: 'Contractor discovery',
  contractor_enrichment: 'Contractor enrichment',
  outreach_campaign: 'Create outreach campaign',
  launch_outreach: 'Launch outreach',
};

const NOT_BUILT = 'not built yet (outreach issue)';

const step = (s: ActivationStep, status: StepStatus, detail: string, startedAt: Date | null = null, completedAt: Date | null = null): TProgressStep =>
  ({ step: s, title: TITLES[s], status, detail, startedAt: iso(startedAt), completedAt: iso(completedAt) });

/** scraping_jobs.status → step status; `partial` finished with some rows skipped, so it counts as done. */
export function jobStatus(status: string): StepStatus {
  switch (status) {
    case 'completed': case 'partial': case 'succeeded': case 'done': return 'done';
    case 'running': case 'in_progress': return 'running';
    case 'failed': case 'error': case 'cancelled': return 'failed';
    default: return 'pending';
  }
}

function jobStep(s: ActivationStep, job: JobRow | null, whenMissing: { status: StepStatus; detail: string }): TProgressStep {
  if (!job) return step(s, whenMissing.status, whenMissing.detail);
  const status = jobStatus(job.status);
  const counts = `${job.totalItems} received, ${job.succeededItems} stored, ${job.failedItems} skipped`;
  const detail =
    status === 'failed' ? `failed: ${job.errorMessage ?? 'no error message recorded'} (${counts})`
    : job.status === 'partial' ? `finished with errors: ${counts}`
    : status === 'running' ? `running: ${counts} so far`
    : status === 'pending' ? `queued (${job.status})`
    : counts;
  return step(s, status, detail, job.startedAt ?? job.createdAt, job.completedAt);
}

function processStep(n: CityCounts, scrape: TProgressStep): TProgressStep {
  const leads = Object.values(n.leadsByStatus).reduce((a, b) => a + b, 0);
  if (n.permits === 0) {
    return step('process_permits', scrape.status === 'failed' ? 'skipped' : 'pending', scrape.status === 'done' ? 'the scrape stored no permits' : 'waiting for permits');
  }
  const detail = `${n.permits} permits, ${n.properties} properties, ${leads} leads (${n.processingLeads} processing)`;
  if (n.processingLeads > 0 || leads === 0) return step('process_permits', 'running', detail);
  return step('process_permits', 'done', detail);
}

function outreachSteps(n: CityCounts): TProgressStep[] {
  return [
    n.contractors > 0 ? step('contractor_discovery', 'done', `${n.contractors} contractors in the city`) : step('contractor_discovery', 'skipped', NOT_BUILT),
    n.scoredContractors > 0 ? step('contractor_enrichment', 'done', `${n.scoredContractors} contractors scored`) : step('contractor_enrichment', 'skipped', NOT_BUILT),
    n.campaigns > 0 ? step('outreach_campaign', 'done', `${n.campaigns} campaigns`) : step('outreach_campaign', 'skipped', NOT_BUILT),
    n.launchedCampaigns > 0 ? step('launch_outreach', 'done', `${n.launchedCampaigns} campaigns started`) : step('launch_outreach', 'skipped', NOT_BUILT),
  ];
}

/** Where a city stands in the seed 002 §6.2 workflow, read from the rows each stage leaves behind. */
export async function getCityProgress(ctx: AppContext, principal: Principal | undefined, p: { state: string; city: string }): Promise<TCityProgress> {
  requireRole(principal, 'admin', 'ops');
  const db = ctx.db.prisma;
  const c = await findCityOrThrow(ctx, p.state, p.city);
  const [activated, permitJob, counts, lastError] = await Promise.all([
    repo.latestCityEvent(db, c.id, 'city.activated'),
    repo.latestScrapingJob(db, { jobType: 'permits', city: c.city, state: c.state }),
    repo.countCityData(db, c),
    repo.latestScrapingError(db, c.city, c.state),
  ]);
  const requested = asObject(activated?.eventData) ?? {};
  const activatedAt = activated?.createdAt ?? null;
  // Storm files are ingested nationally; only a run since this city's activation is its backfill.
  const stormJob = activatedAt ? await repo.latestScrapingJob(db, { jobType: 'storms', state: c.state, since: activatedAt }) : null;

  const activate = c.active
    ? step('activate', 'done', activatedAt ? `active since the last activation (${requested.days ?? 90} days, storms ${requested.storms === false ? 'off' : 'on'})` : 'active (activated before events were recorded)', activatedAt, activatedAt)
    : step('activate', 'pending', activatedAt ? 'deactivated since its last activation' : 'not active');
  const waiting = { status: 'pending' as const, detail: c.active ? 'waiting for the activation job' : 'starts when the city is activated' };
  const scrape = jobStep('permit_scrape', permitJob, waiting);
  const storms = requested.storms === false && c.active
    ? step('storm_backfill', 'skipped', 'not requested at activation')
    : jobStep('storm_backfill', stormJob, waiting);

  const leads = Object.values(counts.leadsByStatus).reduce((a, b) => a + b, 0);
  return {
    cityId: c.id,
    city: c.city,
    state: c.state,
    active: c.active,
    steps: [activate, scrape, processStep(counts, scrape), storms, ...outreachSteps(counts)],
    totals: {
      permits: counts.permits,
      permitsLast30Days: counts.permitsLast30Days,
      permitsByTrade: counts.byTrade,
      properties: counts.properties,
      leads,
      leadsByStatus: counts.leadsByStatus,
      leadsByGrade: counts.leadsByGrade,
    },
    lastError: lastError?.errorMessage
      ? { at: (lastError.completedAt ?? lastError.createdAt).toISOString(), jobType: lastError.jobType, message: lastError.errorMessage }
      : null,
  };
}
