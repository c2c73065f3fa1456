import type { AppContext } from '../../platform/context.ts';
import type { JobRunContext, QueueName } from '../../platform/queues.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import { cityAssessorLookup, resolveProperty } from '../acquisition/properties.service.ts';
import { attachPropertiesToLeads, findLeadAddresses, findLeadStageFacts } from '../leads/leads.service.ts';
import { publishScoredLeads } from '../leads/lead-generation.service.ts';
import { scoreLeadsExport } from '../exports/exports.service.ts';
import { createLeadsFromPermits } from '../leads/lead-creation.service.ts';
import { createIntentReasoner } from '../scoring/permit-intent.reasoner.ts';
import { rescoreLeads } from '../scoring/batch-engine.ts';
import { detectTriggers } from '../triggers/triggers.service.ts';
import { assignLeadsToClusters } from '../clustering/clustering.service.ts';
import * as repo from './lead-pipeline.repository.ts';

/**
 * The lead pipeline of DESIGN.md "Pipeline" and seed 002 §6.1 / §3.8.5, as a table of stages. Each stage is a
 * job that takes `{ leadIds }` from the event named in `on`, runs on the leads that have not finished it (so a
 * re-delivered event does nothing twice), records one pipeline_stage_runs row per lead, and — in the same
 * transaction — writes the event the next stage listens to, naming the leads that finished. The three stages on
 * lead.created run in parallel; the last of them to finish a lead emits lead.gathered for it (the join).
 *
 *   permit.scraped → lead.created → ┬ property  ┐
 *                                   ├ images    ├→ lead.gathered → inference → lead.inferred → validation
 *                                   └ enrichment┘   → lead.validated → triggers → lead.triggered → score
 *                                                   → lead.scored → cluster → lead.clustered → price
 *                                                   → lead.priced → publish → lead.published (per lead)
 *
 * Stages owned by later issues (images, enrichment, inference, validation) are registered and record
 * `skipped` with the reason; they never invent results.
 */

export type StageOutcome = { status: repo.StageStatus; reason?: string; details?: Record<string, unknown> };

export interface StageDefinition {
  stage: string;
  /** Bump when the stage's meaning changes: leads run it again. */
  version: string;
  queue: QueueName;
  on: string;
  /** Event written for the leads that finished; null for the last stage. */
  emits: string | null;
  description: string;
  run(ctx: AppContext, leadIds: string[], job: Pick<JobRunContext, 'jobId' | 'signal' | 'progress'>): Promise<Map<string, StageOutcome>>;
}

/** A stage failed this many times for a lead: it is recorded as skipped with the error and the lead goes on. */
export const MAX_STAGE_ATTEMPTS = 3;
/** Leads per event; larger id lists are split. */
export const EVENT_BATCH = 500;

const same = (ids: string[], o: StageOutcome) => new Map(ids.map((id) => [id, o]));

const NOT_BUILT = (what: string, issue: string): StageOutcome => ({ status: 'skipped', reason: `${what} is not built yet (${issue}); nothing is invented` });

// ---------------------------------------------------------------------------------------------------------
// Stage bodies

/** seed 002 §6.1 step 3 "SCRAPE PROPERTY DATA": assessor record (imported or looked up), geocode, copy facts. */
async function propertyStage(ctx: AppContext, leadIds: string[], job: Pick<JobRunContext, 'signal'>): Promise<Map<string, StageOutcome>> {
  const out = new Map<string, StageOutcome>();
  const leads = await findLeadAddresses(ctx.db.prisma, leadIds);
  const lookups = new Map<string, Awaited<ReturnType<typeof cityAssessorLookup>>>();
  const pairs: { leadId: string; propertyId: string }[] = [];
  try {
    for (const l of leads) {
      job.signal.throwIfAborted();
      const key = `${l.city.toLowerCase()}|${l.state}`;
      if (!lookups.has(key)) lookups.set(key, await cityAssessorLookup(ctx, l.city, l.state));
      try {
        const r = await resolveProperty(ctx, { address: l.address, city: l.city, state: l.state, zip: l.zip, lat: l.lat, lng: l.lng }, { assessor: lookups.get(key) ?? undefined });
        pairs.push({ leadId: l.id, propertyId: r.propertyId });
        out.set(l.id, { status: 'done', details: { propertyId: r.propertyId, created: r.created, geocode: r.geocoded ? { source: r.geocoded.source, precision: r.geocoded.precision } : null } });
      } catch (err) {
        out.set(l.id, { status: 'failed', reason: (err as Error).message });
      }
    }
    await attachPropertiesToLeads(ctx.db.prisma, pairs);
  } finally {
    for (const l of lookups.values()) await l?.close().catch(() => {});
  }
  return out;
}


/** seed 002 §6.1 step 8 "TRIGGER DETECTION" (neighbor permits, weather, roof age, sale, insurance). */
async function triggersStage(ctx: AppContext, leadIds: string[], job: Pick<JobRunContext, 'signal'>): Promise<Map<string, StageOutcome>> {
  const r = await detectTriggers(ctx, { leadIds, signal: job.signal });
  return same(leadIds, { status: 'done', details: { byType: r.byType } });
}

/**
 * seed 002 §6.1 step 9 "LEAD SCORING": the seed 001 intent score and tier of the lead's permit (rules, or
 * Ollama when OLLAMA_URL is set; the export tree is updated with it), then the seed 002 §3.5.1 quality score,
 * grade and §3.5.2 price of the batch engine, forced for these leads. Leads below 60 become unqualified, those
 * with flags for a human go to needs_review, the rest are scored.
 */
async function scoreStage(ctx: AppContext, leadIds: string[], job: Pick<JobRunContext, 'signal' | 'jobId'>): Promise<Map<string, StageOutcome>> {
  const leads = await findLeadStageFacts(ctx.db.prisma, leadIds);
  const permitIds = leads.flatMap((l) => (l.permitId ? [l.permitId] : []));
  if (permitIds.length) {
    await scoreLeadsExport(ctx, {
      outDir: ctx.config.EXPORTS_DIR, permitIds, saveToDb: true, reasoner: createIntentReasoner(ctx.config, 'configured'),
      actor: 'pipeline.score', signal: job.signal,
    });
  }
  const r = await rescoreLeads(ctx, { filter: { ids: leadIds }, force: true, by: `pipeline.score ${job.jobId}`, signal: job.signal });
  // Another engine run held the lock: fail the job so BullMQ retries it after its backoff.
  if (r.skipped) throw new Error('the scoring engine is busy with another run; retrying');
  const scored = await findLeadStageFacts(ctx.db.prisma, leadIds);
  return new Map(scored.map((l) => [l.id, { status: 'done', details: { status: l.status, qualityScore: l.qualityScore, grade: l.grade, tier: l.tier } } as StageOutcome]));
}

/** seed 002 §6.1 step 10 "CLUSTERING": nearest cluster within 2 miles (seed 002 §3.5.4), stats updated. */
async function clusterStage(ctx: AppContext, leadIds: string[]): Promise<Map<string, StageOutcome>> {
  const ids = (await findLeadStageFacts(ctx.db.prisma, leadIds)).filter((l) => l.status === 'scored' || l.status === 'available').map((l) => l.id);
  if (ids.length) await assignLeadsToClusters(ctx.db.prisma, ids);
  const rows = await findLeadStageFacts(ctx.db.prisma, leadIds);
  return new Map(
    rows.map((l) => [
      l.id,
      l.clusterId
        ? ({ status: 'done', details: { clusterId: l.clusterId } } as StageOutcome)
        : ids.includes(l.id)
          ? ({ status: 'done', reason: 'no cluster within 2 miles yet (clustering.optimize forms new ones)', details: { clusterId: null } } as StageOutcome)
          : ({ status: 'skipped', reason: `a ${l.status} lead is not clustered` } as StageOutcome),
    ]),
  );
}

/**
 * seed 002 §6.1 step 9 "Set dynamic price": the batch engine prices every lead it scores (seed 002 §3.5.2 band,
 * urgency, exclusivity, demand); this stage checks that a sellable lead has its price and records it.
 */
async function priceStage(ctx: AppContext, leadIds: string[]): Promise<Map<string, StageOutcome>> {
  const rows = await findLeadStageFacts(ctx.db.prisma, leadIds);
  return new Map(
    rows.map((l) => [
      l.id,
      l.status !== 'scored' && l.status !== 'available'
        ? ({ status: 'skipped', reason: `a ${l.status} lead is not priced for sale` } as StageOutcome)
        : l.price === null
          ? ({ status: 'failed', reason: 'scored lead has no price' } as StageOutcome)
          : ({ status: 'done', details: { price: Number(l.price), qualityScore: l.qualityScore } } as StageOutcome),
    ]),
  );
}

/** seed 002 §6.1 step 11 "PUBLISH LEAD": available + lead.published (contractors are notified from that event). */
async function publishStage(ctx: AppContext, leadIds: string[], job: Pick<JobRunContext, 'jobId'>): Promise<Map<string, StageOutcome>> {
  const r = await publishScoredLeads(ctx, leadIds, `pipeline.publish ${job.jobId}`);
  const out = new Map<string, StageOutcome>(r.published.map((id) => [id, { status: 'done' }]));
  for (const [id, reason] of r.notPublished) out.set(id, { status: 'skipped', reason });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The table

export const GATHER = { stage: 'gather', version: 'gather@1' } as const;

export const STAGES: readonly StageDefinition[] = [
  { stage: 'property', version: 'property@1', queue: 'acquisition', on: 'lead.created', emits: 'lead.gathered',
    description: 'Assessor record, geocode and property facts for new leads — seed 002 §6.1 step 3',
    run: (ctx, ids, job) => propertyStage(ctx, ids, job) },
  { stage: 'images', version: 'images@0', queue: 'images', on: 'lead.created', emits: 'lead.gathered',
    description: 'Satellite and street-view imagery — seed 002 §6.1 step 3 (imagery issue: skipped until built)',
    run: async (_ctx, ids) => same(ids, NOT_BUILT('imagery acquisition', 'imagery issue')) },
  { stage: 'enrichment', version: 'enrichment@0', queue: 'enrichment', on: 'lead.created', emits: 'lead.gathered',
    description: 'Owner email/phone waterfall — seed 002 §6.1 step 3 (enrichment issue: skipped until built)',
    run: async (_ctx, ids) => same(ids, NOT_BUILT('contact enrichment', 'enrichment issue')) },
  { stage: 'inference', version: 'inference@0', queue: 'inference', on: 'lead.gathered', emits: 'lead.inferred',
    description: 'ONNX roof analysis — seed 002 §6.1 steps 5–6 (inference issue: skipped until built)',
    run: async (_ctx, ids) => same(ids, NOT_BUILT('roof image inference', 'inference issue')) },
  { stage: 'validation', version: 'validation@0', queue: 'inference', on: 'lead.inferred', emits: 'lead.validated',
    description: 'Multi-stage validation of the roof analysis — seed 002 §6.1 step 7 (skipped: no analysis to validate)',
    run: async (_ctx, ids) => same(ids, { status: 'skipped', reason: 'no roof analysis to validate (inference is not built yet)' }) },
  { stage: 'triggers', version: 'triggers@1', queue: 'scoring', on: 'lead.validated', emits: 'lead.triggered',
    description: 'Neighbor permits, weather, roof age, sale, insurance triggers — seed 002 §6.1 step 8, §3.5.3',
    run: (ctx, ids, job) => triggersStage(ctx, ids, job) },
  { stage: 'score', version: 'score@1', queue: 'scoring', on: 'lead.triggered', emits: 'lead.scored',
    description: 'Intent tier (seed 001) and quality score, grade, price (seed 002 §3.5.1–2) — §6.1 step 9',
    run: (ctx, ids, job) => scoreStage(ctx, ids, job) },
  { stage: 'cluster', version: 'cluster@1', queue: 'leadgen', on: 'lead.scored', emits: 'lead.clustered',
    description: 'Nearest geographic cluster within 2 miles — seed 002 §6.1 step 10, §3.5.4',
    run: (ctx, ids) => clusterStage(ctx, ids) },
  { stage: 'price', version: 'price@1', queue: 'leadgen', on: 'lead.clustered', emits: 'lead.priced',
    description: 'Dynamic price present for sellable leads — seed 002 §3.5.2',
    run: (ctx, ids) => priceStage(ctx, ids) },
  { stage: 'publish', version: 'publish@1', queue: 'leadgen', on: 'lead.priced', emits: null,
    description: 'Put scored leads on sale and notify contractors — seed 002 §6.1 step 11',
    run: (ctx, ids, job) => publishStage(ctx, ids, job) },
];

/** The parallel stages joined into lead.gathered. */
export const GATHERED_BY = STAGES.filter((s) => s.emits === 'lead.gathered');

export const stageJobName = (s: Pick<StageDefinition, 'stage'>) => `pipeline.${s.stage}`;

export interface StageResult extends Record<string, unknown> {
  stage: string;
  received: number;
  ran: number;
  done: number;
  skipped: number;
  failed: number;
  emitted: number;
}

async function emit(db: Parameters<typeof writeOutbox>[0], topic: string, leadIds: string[]): Promise<void> {
  for (let i = 0; i < leadIds.length; i += EVENT_BATCH) await writeOutbox(db, { topic, payload: { leadIds: leadIds.slice(i, i + EVENT_BATCH) } });
}

/**
 * Runs one stage on a batch: skips leads that already finished it, records every outcome, and writes the next
 * event for the leads that finished (done or skipped) — for the parallel stages, only those whose last
 * parallel stage this was. A lead that failed MAX_STAGE_ATTEMPTS times is recorded as skipped with the error.
 */
export async function runStage(ctx: AppContext, def: StageDefinition, leadIds: string[], job: Pick<JobRunContext, 'jobId' | 'signal' | 'progress'>): Promise<StageResult> {
  const db = ctx.db.prisma;
  const todo = await repo.findUnfinished(db, def.stage, def.version, [...new Set(leadIds)]);
  const result: StageResult = { stage: def.stage, received: leadIds.length, ran: todo.length, done: 0, skipped: 0, failed: 0, emitted: 0 };
  if (!todo.length) return result;
  const outcomes = await def.run(ctx, todo, job);
  const attempts = await repo.failedAttempts(db, def.stage, def.version, todo);
  const rows: repo.StageRunRow[] = todo.map((id) => {
    let o = outcomes.get(id) ?? { status: 'failed', reason: 'the stage returned no outcome for this lead' };
    if (o.status === 'failed' && (attempts.get(id) ?? 0) + 1 >= MAX_STAGE_ATTEMPTS) {
      o = { status: 'skipped', reason: `gave up after ${MAX_STAGE_ATTEMPTS} attempts: ${o.reason ?? 'failed'}`, details: o.details };
    }
    return { leadId: id, status: o.status, reason: o.reason ?? null, details: o.details ?? null };
  });
  for (const r of rows) result[r.status]++;
  const finished = rows.filter((r) => r.status !== 'failed').map((r) => r.leadId);
  await db.$transaction(async (tx) => {
    const joined = def.emits === 'lead.gathered';
    if (joined) await repo.lockLeads(tx, todo);
    await repo.recordRuns(tx, def.stage, def.version, job.jobId, rows);
    const next = joined ? await repo.completeJoin(tx, GATHER, GATHERED_BY, finished) : finished;
    if (def.emits && next.length) await emit(tx, def.emits, next);
    result.emitted = def.emits ? next.length : 0;
  });
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Entry and sweep

/** permit.scraped → one processing lead per new address, and lead.created for them (exports service). */
export async function createLeadsForPermits(ctx: AppContext, permitIds: string[], by: string) {
  let created = 0, existing = 0, skipped = 0;
  for (let i = 0; i < permitIds.length; i += EVENT_BATCH) {
    const r = await createLeadsFromPermits(ctx, permitIds.slice(i, i + EVENT_BATCH), by);
    created += r.created.length;
    existing += r.existing;
    skipped += r.skipped;
  }
  return { permits: permitIds.length, created, existing, skipped };
}

/**
 * The 04:00 job (seed 002 §3.8.1 "Property Processing", over the permits of the last `sinceHours`, of the cities
 * in `timeZone` when given — the schedule ticks at 04:00 local in each zone): makes leads
 * of permits that have none yet, then re-queues every lead of the last `sinceHours` (at least 7 days) that
 * stalled before a stage — an event lost with a crashed worker, a stage that failed and waits for its retry.
 */
export async function sweepPipeline(ctx: AppContext, opts: { sinceHours: number; limit?: number; timeZone?: string }, onProgress?: (pct: number, info: Record<string, unknown>) => Promise<void>) {
  const db = ctx.db.prisma;
  const limit = opts.limit ?? 50_000;
  const since = new Date(Date.now() - opts.sinceHours * 3600_000);
  const permitIds = await repo.findPermitsWithoutLeads(db, since, limit, opts.timeZone);
  const leads = await createLeadsForPermits(ctx, permitIds, 'acquisition.process-new-permits');
  await onProgress?.(30, { permits: permitIds.length, leadsCreated: leads.created });
  const leadSince = new Date(Math.min(since.getTime(), Date.now() - 7 * 24 * 3600_000));
  const requeued: Record<string, number> = {};
  const statuses = ['processing', 'scored', 'needs_review', 'unqualified'];
  for (const [i, s] of STAGES.entries()) {
    const prev = s.on === 'lead.created' ? null : s.on === 'lead.gathered' ? GATHER : STAGES.find((x) => x.emits === s.on) ?? null;
    const stalled = await repo.findStalled(db, { stage: s.stage, version: s.version, after: prev, statuses, since: leadSince, limit, timeZone: opts.timeZone });
    if (stalled.length) {
      await db.$transaction((tx) => emit(tx, s.on, stalled));
      requeued[s.stage] = stalled.length;
    }
    await onProgress?.(30 + ((i + 1) * 70) / STAGES.length, { stage: s.stage, requeued: stalled.length });
  }
  return { ...leads, requeued };
}
