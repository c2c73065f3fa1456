import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { AppContext } from '../../platform/context.ts';
import { AppError, isAppError } from '../../platform/errors.ts';
import { requireRole, type Principal } from '../../platform/auth.ts';
import type { Prisma } from '../../platform/db.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import { TRADE_GROUP_SLUGS } from '../../../prisma/seed/taxonomy.ts';
import { getLeadState, transitionLead } from '../leads/leads.service.ts';
import { canTransition, SOLD_STATUSES, type LeadStatus } from '../leads/leads.lifecycle.ts';
import { MIN_SELLABLE_SCORE } from '../scoring/grade.ts';
import { classifyPermit, finalizeIntent, type PermitFacts, type PermitIntent } from '../scoring/permit-intent.scorer.ts';
import type { IntentReasoner } from '../scoring/permit-intent.reasoner.ts';
import {
  archiveTree,
  lockTree,
  mergeIntoTree,
  readExportFile,
  removeFromFile,
  RETRY_FILE,
  treePathFor,
  type MergeResult,
  type PlacedRow,
} from './export-tree.ts';
import type { ExportRow, TMarkSoldBody, TMarkSoldResult } from './exports.schemas.ts';
import { neutralizeFormula } from './csv.ts';
import * as repo from './exports.repository.ts';

const PAGE = 200;
/** Error messages kept in the summary; the count is exact. */
const MAX_ERRORS = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;

export interface ScoreLeadsOptions {
  outDir: string;
  limit?: number;
  cities?: string[];
  /** Only these permits (--retry-only, the retry job). */
  permitIds?: string[];
  /** The retry_queue.csv given to --retry-only; permits that now score leave it. */
  retryFile?: string;
  /** Without it the run reads only: no lead, status or usage-log row changes. */
  saveToDb: boolean;
  reasoner: IntentReasoner;
  /** Who the lead transitions name in system_events. */
  actor?: string;
  now?: () => Date;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Permits read per query (default 200). */
  pageSize?: number;
}

export type TierCounts = { A: number; B: number; C: number };

export interface ScoreLeadsSummary {
  reasoner: string;
  permits: number;
  byGroupTier: Record<string, TierCounts>;
  flagged: number;
  retry: number;
  /** Requested permit ids that are not (or no longer) in the permits table. */
  missing: string[];
  db: DbCounts | null;
  files: MergeResult;
  /** Rows removed from the --retry-only file when it lies outside the tree. */
  retryFileRemoved: number;
  elapsedMs: number;
}

// ---------------------------------------------------------------------------------------------------------
// Permit → facts → row

type CityIndex = Map<string, string>;

/** Target city names by "city|state" and by city alone (when unambiguous): the city-name join of the spec. */
function indexCities(rows: { city: string; state: string }[]): CityIndex {
  const idx: CityIndex = new Map();
  const byName = new Map<string, string[]>();
  for (const r of rows) {
    idx.set(`${r.city.toLowerCase()}|${r.state.toUpperCase()}`, r.city);
    byName.set(r.city.toLowerCase(), [...(byName.get(r.city.toLowerCase()) ?? []), r.city]);
  }
  for (const [k, v] of byName) if (v.length === 1) idx.set(k, v[0]!);
  return idx;
}

const utcDay = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

/** Whole days from filing (applied, else issued, else first seen) to `now`, in UTC calendar days. */
export function daysOld(p: Pick<repo.PermitRow, 'appliedDate' | 'issueDate' | 'scrapedAt'>, now: Date): number {
  const filed = p.appliedDate ?? p.issueDate ?? p.scrapedAt;
  return Math.max(0, Math.floor((utcDay(now) - utcDay(filed)) / DAY_MS));
}

export interface PermitView {
  facts: PermitFacts;
  zip: string | null;
  marketValueText: string;
}

export function viewPermit(p: repo.PermitRow, cities: CityIndex, now: Date): PermitView {
  const state = (p.state ?? p.targetCity?.state ?? p.property?.state ?? '').trim().toUpperCase() || null;
  const rawCity = p.city ?? p.property?.city ?? null;
  const city =
    p.targetCity?.city ??
    (rawCity ? cities.get(`${rawCity.toLowerCase()}|${state ?? ''}`) ?? cities.get(rawCity.toLowerCase()) ?? rawCity.trim() : null);
  const mv = p.property?.marketValue ?? null;
  return {
    facts: {
      permitType: p.permitType,
      permitClass: p.permitClass,
      description: p.workDescription,
      value: p.estimatedValue === null ? null : Number(p.estimatedValue),
      marketValue: mv === null ? null : Number(mv),
      daysOld: daysOld(p, now),
      isAbsentee: p.property?.isAbsentee ?? null,
      ownerName: p.property?.ownerName ?? null,
      address: (p.address ?? p.property?.address ?? '').trim() || null,
      city,
      state,
    },
    zip: p.zip ?? p.property?.zip ?? null,
    marketValueText: mv === null ? '' : mv.toString(),
  };
}

/** The 17 seed 001 columns of one scored permit. */
export function toExportRow(permitId: string, v: PermitView, intent: PermitIntent, scoredAt: Date): ExportRow {
  const f = v.facts;
  const full = f.address ? [f.address, f.city, [f.state, v.zip].filter(Boolean).join(' ')].filter(Boolean).join(', ') : '';
  const text = (v: string | null | undefined) => neutralizeFormula(v ?? '');
  return {
    permit_id: permitId,
    city: text(f.city),
    property_address: text(full),
    owner_name: text(f.ownerName),
    project_description: text(f.description),
    market_value: v.marketValueText,
    days_old: f.daysOld == null ? '' : String(f.daysOld),
    is_absentee: f.isAbsentee == null ? '' : String(f.isAbsentee),
    score: String(intent.score),
    tier: intent.tier,
    trade_group: intent.tradeGroup,
    category: intent.category,
    reasoning: text(intent.reasoning),
    ideal_contractor: text(intent.idealContractor),
    contact_priority: intent.contactPriority ?? '',
    flags: intent.flags.join('|'),
    scored_at: scoredAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Database

interface Scored {
  permit: repo.PermitRow;
  view: PermitView;
  intent: PermitIntent;
  scoredAt: Date;
}

export interface DbCounts {
  inserted: number;
  updated: number;
  /** No full address, a deleted lead, or an older permit of an address already saved in this run. */
  skipped: number;
  failed: number;
  errors: string[];
}

const keyOf = (k: repo.LeadKey) => `${k.address}\u0000${k.city}\u0000${k.state}\u0000${k.trade}`;

function intentColumns(s: Scored): Prisma.BaseLeadUncheckedUpdateManyInput {
  const { intent, view: v } = s;
  const f = v.facts;
  const pr = s.permit.property;
  return {
    intentScore: intent.score,
    tier: intent.tier,
    tradeGroup: intent.tradeGroup,
    category: intent.category,
    reasoning: intent.reasoning,
    idealContractor: intent.idealContractor || null,
    contactPriority: intent.contactPriority,
    flags: intent.flags,
    intentScoredAt: s.scoredAt,
    intentScorerVersion: intent.version,
    permitId: s.permit.id,
    propertyId: s.permit.propertyId,
    projectDescription: f.description ?? null,
    isAbsentee: f.isAbsentee ?? null,
    ...(f.ownerName ? { ownerName: f.ownerName } : {}),
    ...(v.marketValueText ? { marketValue: v.marketValueText } : {}),
    // The assessor's facts of the permit's property, so the lead is as complete as what is known (seed 002
    // §3.5.1 factor 6); a value already on the lead is not erased by an unknown one.
    ...(pr?.yearBuilt != null ? { yearBuilt: pr.yearBuilt } : {}),
    ...(pr?.sqft != null ? { sqft: pr.sqft } : {}),
    ...(pr?.propertyType ? { propertyType: pr.propertyType } : {}),
  };
}

/**
 * Upserts the leads of a page of scored permits (by address, city, state and trade — issue 8 §1: one lead per
 * property and trade, so a pool permit at a house with a roof lead makes a pool lead) in one transaction: one read of
 * the existing leads, one INSERT … ON CONFLICT DO NOTHING of the new ones (as 'processing'), then each lead's
 * intent columns. A lead whose status should change moves with transitionLead like every other lead (new
 * leads: processing → scored / needs_review); one past that (available, sold…) keeps its status. RETRY
 * leaves the status alone. One lead per address and trade: the newest permit of the run wins (pages are newest first).
 */
async function saveScoredPage(ctx: AppContext, items: Scored[], verticalIds: Map<string, string>, actor: string, savedKeys: Set<string>, into: DbCounts) {
  const c = { inserted: 0, updated: 0, skipped: 0, failed: 0, errors: [] as string[] };
  const todo: Array<Scored & { key: repo.LeadKey }> = [];
  for (const s of items) {
    const f = s.view.facts;
    const key = f.address && f.city && f.state && /^[A-Z]{2}$/.test(f.state) ? { address: f.address, city: f.city, state: f.state, trade: s.intent.category } : null;
    if (!key || savedKeys.has(keyOf(key))) {
      c.skipped++;
      continue;
    }
    savedKeys.add(keyOf(key));
    todo.push({ ...s, key });
  }
  const skippedBefore = c.skipped;
  if (todo.length) {
    try {
      await ctx.db.prisma.$transaction(
        async (tx) => {
          const leads = new Map((await repo.findLeadsByKeys(tx, todo.map((t) => t.key))).map((l) => [keyOf(l), l]));
          const missing = todo.filter((t) => !leads.has(keyOf(t.key)));
          if (missing.length) {
            const r = await repo.insertLeadsIfAbsent(
              tx,
              missing.map((t) => ({
                ...t.key, status: 'processing', trade: t.intent.category, verticalId: verticalIds.get(t.intent.category) ?? null,
                source: 'permit', zip: t.view.zip, lat: t.permit.lat, lng: t.permit.lng,
              })),
            );
            c.inserted = r.count;
            for (const l of await repo.findLeadsByKeys(tx, missing.map((t) => t.key))) leads.set(keyOf(l), l);
          }
          for (const t of todo) {
            const lead = leads.get(keyOf(t.key));
            if (!lead || lead.deletedAt) {
              c.skipped++;
              continue;
            }
            const data = intentColumns(t);
            let target: LeadStatus | null = t.intent.tier === 'RETRY' ? null : t.intent.needsReview ? 'needs_review' : 'scored';
            // Issue 8 §4: an intent score never lifts an unqualified lead — only its trade's quality score (≥ 60)
            // does. The new intent marks the lead for the batch engine, which moves it if the score now qualifies.
            if (lead.status === 'unqualified' && (lead.qualityScore === null || lead.qualityScore < MIN_SELLABLE_SCORE)) target = null;
            if (target && lead.status !== target && canTransition(lead.status, target)) {
              try {
                await transitionLead(tx, {
                  leadId: lead.id, to: target, from: [lead.status], data, by: actor,
                  details: { via: 'score-leads', tier: t.intent.tier, intentScore: t.intent.score, flags: t.intent.flags },
                });
              } catch (err) {
                // Another writer moved the lead since the read: its conditional UPDATE matched nothing and
                // raised no SQL error, so the transaction goes on without this lead.
                if (!isAppError(err)) throw err;
                c.failed++;
                if (c.errors.length < MAX_ERRORS) c.errors.push(`${t.permit.id}: ${err.message}`);
                continue;
              }
            } else {
              await repo.updateLeadColumns(tx, lead.id, data);
            }
          }
          c.updated = todo.length - c.inserted - (c.skipped - skippedBefore) - c.failed;
        },
        { timeout: 120_000 },
      );
    } catch (err) {
      for (const t of todo) savedKeys.delete(keyOf(t.key));
      // The page rolled back as a whole: none of it is saved, and the next run tries again.
      Object.assign(c, { inserted: 0, updated: 0, skipped: skippedBefore, failed: todo.length, errors: [`${todo.length} permits from ${todo[0]!.permit.id} on: ${(err as Error).message}`] });
    }
  }
  into.inserted += c.inserted;
  into.updated += c.updated;
  into.skipped += c.skipped;
  into.failed += c.failed;
  for (const e of c.errors) if (into.errors.length < MAX_ERRORS) into.errors.push(e);
}

export interface CreatedLeads {
  /** Leads this call inserted (status processing), in permit order. */
  created: string[];
  /** Permits whose address already has a lead of the permit's trade: that lead is kept as it is. */
  existing: number;
  /** Permits without a full address (street, city, 2-letter state) or classified `other`: no lead. */
  skipped: number;
}

/**
 * The first pipeline stage (seed 002 §3.8.5 "on permit.scraped: create_base_lead(permit); emit lead.created"):
 * one processing lead per new (address, trade), keyed exactly like the export's upsert (viewPermit: the target
 * city's name, the permit's street address, its trade), so the later intent scoring of the same permit finds
 * this lead, and a pool permit at a house that is already a roof lead makes a pool lead (issue 8 §1). The
 * trade is the seed 001 classification of the permit; a permit classified `other` names no trade and makes
 * no lead. The lead.created event (one per call, listing the new leads) is written in the same transaction.
 */
export async function createLeadsFromPermits(ctx: AppContext, permitIds: string[], by: string): Promise<CreatedLeads> {
  const db = ctx.db.prisma;
  const out: CreatedLeads = { created: [], existing: 0, skipped: 0 };
  const ids = [...new Set(permitIds)].filter((id) => UUID.test(id));
  if (!ids.length) return out;
  const cities = indexCities(await repo.findTargetCities(db));
  const verticalIds = new Map((await repo.findVerticalIds(db)).map((v) => [v.slug, v.id]));
  const permits = await repo.findPermitsPage(db, { ids }, ids.length);
  const now = new Date();
  const seeds = new Map<string, Prisma.BaseLeadCreateManyInput>();
  for (const p of permits) {
    const v = viewPermit(p, cities, now);
    const f = v.facts;
    const c = classifyPermit(f);
    if (!f.address || !f.city || !f.state || !/^[A-Z]{2}$/.test(f.state) || c.category === 'other') {
      out.skipped++;
      continue;
    }
    const key = keyOf({ address: f.address, city: f.city, state: f.state, trade: c.category });
    if (seeds.has(key)) {
      out.existing++;
      continue;
    }
    seeds.set(key, {
      address: f.address, city: f.city, state: f.state, zip: v.zip, lat: p.lat, lng: p.lng, status: 'processing',
      trade: c.category, tradeGroup: c.tradeGroup, category: c.category, verticalId: verticalIds.get(c.category) ?? null,
      source: 'permit', permitId: p.id, propertyId: p.propertyId, projectDescription: f.description ?? null,
    });
  }
  out.skipped += ids.length - permits.length;
  if (!seeds.size) return out;
  await db.$transaction(async (tx) => {
    const keyOfSeed = (s: Prisma.BaseLeadCreateManyInput): repo.LeadKey => ({ address: s.address, city: s.city, state: s.state, trade: s.trade });
    const before = new Set((await repo.findLeadsByKeys(tx, [...seeds.values()].map(keyOfSeed))).map((l) => keyOf(l)));
    const fresh = [...seeds.entries()].filter(([k]) => !before.has(k)).map(([, s]) => s);
    out.existing += seeds.size - fresh.length;
    if (!fresh.length) return;
    await repo.insertLeadsIfAbsent(tx, fresh);
    const created = await repo.findLeadsByKeys(tx, fresh.map(keyOfSeed));
    const order = new Map(fresh.map((s, i) => [keyOf(keyOfSeed(s)), i]));
    out.created = created.sort((a, b) => order.get(keyOf(a))! - order.get(keyOf(b))!).map((l) => l.id);
    out.existing += fresh.length - out.created.length;
    if (out.created.length) await writeOutbox(tx, { topic: 'lead.created', payload: { leadIds: out.created, by } });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The run

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

async function* permitPages(ctx: AppContext, o: ScoreLeadsOptions, max: number): AsyncGenerator<repo.PermitRow[]> {
  const db = ctx.db.prisma;
  // A slow (LLM) reasoner saves every few permits instead of every 200.
  const size = o.pageSize ?? (o.reasoner.kind === 'rules' ? PAGE : 10);
  let left = max;
  if (o.permitIds) {
    for (let i = 0; i < o.permitIds.length && left > 0; i += size) {
      const ids = o.permitIds.slice(i, i + size);
      const rows = await repo.findPermitsPage(db, { ids, cities: o.cities }, size);
      yield rows.slice(0, left);
      left -= rows.length;
    }
    return;
  }
  let after: string | undefined;
  while (left > 0) {
    const rows = await repo.findPermitsPage(db, { cities: o.cities }, Math.min(size, left), after);
    if (!rows.length) return;
    yield rows;
    left -= rows.length;
    after = rows.at(-1)!.id;
  }
}

/**
 * seed 001 "Running the Export": score permits, write the export tree, and with saveToDb upsert the leads.
 * The tree is locked for the run; files are merged by permit_id, so re-running never duplicates a row.
 */
export async function scoreLeadsExport(ctx: AppContext, o: ScoreLeadsOptions): Promise<ScoreLeadsSummary> {
  const started = performance.now();
  const now = o.now ?? (() => new Date());
  const runStart = now();
  const release = await lockTree(o.outDir);
  try {
    const db = ctx.db.prisma;
    const cities = indexCities(await repo.findTargetCities(db));
    const verticalIds = o.saveToDb ? new Map((await repo.findVerticalIds(db)).map((v) => [v.slug, v.id])) : new Map<string, string>();
    const requested = o.permitIds ? [...new Set(o.permitIds)] : undefined;
    const valid = requested?.filter((id) => UUID.test(id));
    const opts = { ...o, permitIds: valid };
    const count = valid ? valid.length : await repo.countPermits(db, { cities: o.cities });
    const total = Math.min(count, o.limit ?? Infinity);

    const summary: ScoreLeadsSummary = {
      reasoner: o.reasoner.version,
      permits: 0,
      byGroupTier: Object.fromEntries(TRADE_GROUP_SLUGS.map((g) => [g, { A: 0, B: 0, C: 0 }])),
      flagged: 0,
      retry: 0,
      missing: [],
      db: o.saveToDb ? { inserted: 0, updated: 0, skipped: 0, failed: 0, errors: [] } : null,
      files: { added: 0, replaced: 0, moved: 0, written: [], removed: [] },
      retryFileRemoved: 0,
      elapsedMs: 0,
    };
    const placed: PlacedRow[] = [];
    const seen = new Set<string>();
    const succeeded = new Set<string>();
    o.onProgress?.(0, total);

    const pending: Scored[] = [];
    const savedKeys = new Set<string>();
    const flush = async () => {
      const batch = pending.splice(0);
      if (summary.db && batch.length) await saveScoredPage(ctx, batch, verticalIds, o.actor ?? 'score-leads', savedKeys, summary.db);
    };
    const scoreOne = async (p: repo.PermitRow) => {
      o.signal?.throwIfAborted();
      seen.add(p.id);
      const v = viewPermit(p, cities, runStart);
      const c = classifyPermit(v.facts);
      const outcome = await o.reasoner.assess(v.facts, c, { usageDb: o.saveToDb ? db : null, entityId: p.id, signal: o.signal });
      // A call cut short by the abort is no reasoner failure: file nothing for this permit.
      o.signal?.throwIfAborted();
      const intent = finalizeIntent(v.facts, c, outcome, o.reasoner.version);
      const scoredAt = now();
      placed.push({ path: treePathFor(intent), row: toExportRow(p.id, v, intent, scoredAt) });
      pending.push({ permit: p, view: v, intent, scoredAt });
      summary.permits++;
      if (intent.tier === 'RETRY') summary.retry++;
      else {
        succeeded.add(p.id);
        if (intent.needsReview) summary.flagged++;
        else summary.byGroupTier[intent.tradeGroup]![intent.tier]++;
      }
      o.onProgress?.(summary.permits, total);
    };

    // An aborted run (job timeout, Ctrl-C) still saves and files what it scored; the next run does the rest.
    let aborted: unknown;
    try {
      for await (const page of permitPages(ctx, opts, total)) {
        await mapLimit(page, o.reasoner.concurrency, scoreOne);
        await flush();
      }
    } catch (err) {
      if (!o.signal?.aborted) throw err;
      aborted = err;
      await flush();
    }
    // Ids a --limit left unread are unknown, not missing; malformed ids are missing either way.
    const cut = !!valid && o.limit !== undefined && valid.length > o.limit;
    if (requested) summary.missing = requested.filter((id) => (cut ? !UUID.test(id) : !seen.has(id)));

    summary.files = await mergeIntoTree(o.outDir, placed);
    if (aborted) throw aborted;
    if (o.retryFile && path.resolve(o.retryFile) !== path.resolve(o.outDir, RETRY_FILE) && succeeded.size) {
      summary.retryFileRemoved = await removeFromFile(o.retryFile, succeeded);
    }
    summary.elapsedMs = Math.round(performance.now() - started);
    return summary;
  } finally {
    await release();
  }
}

/** Permit ids listed in a retry_queue.csv (or any export file). */
export async function readPermitIds(file: string): Promise<string[]> {
  return (await readExportFile(file)).map((r) => r.permit_id);
}

/** Local calendar day: the operator archiving in the evening files under today, not UTC's tomorrow. */
export const localDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** seed 001 workflow step 5: move delivered files to `_delivered/YYYY-MM-DD/`. */
export async function archiveExports(outDir: string, now = new Date()): Promise<{ day: string; moved: string[] }> {
  const release = await lockTree(outDir);
  try {
    const day = localDay(now);
    return { day, moved: await archiveTree(outDir, day) };
  } finally {
    await release();
  }
}

// ---------------------------------------------------------------------------------------------------------
// 06:00 retry (seed 001 "Retry Failed Leads")

export interface RetryFailedResult extends Record<string, unknown> {
  candidates: number;
  fromDatabase: number;
  fromFile: number;
  succeeded: number;
  stillFailing: number;
  missing: number;
  dbErrors: number;
}

const fileExists = (p: string) => stat(p).then((s) => s.isFile(), () => false);

/** Re-scores the permits of RETRY leads and of the tree's retry_queue.csv, saving leads and updating files. */
export async function retryFailedLeads(
  ctx: AppContext,
  o: { outDir: string; limit: number; reasoner: IntentReasoner; now?: () => Date; onProgress?: (done: number, total: number) => void; signal?: AbortSignal },
): Promise<RetryFailedResult> {
  const fromDb = await repo.findRetryPermitIds(ctx.db.prisma, o.limit);
  const queue = path.join(o.outDir, RETRY_FILE);
  const fromFile = (await fileExists(queue)) ? await readPermitIds(queue) : [];
  const ids = [...new Set([...fromDb, ...fromFile])];
  const empty = { candidates: 0, fromDatabase: 0, fromFile: 0, succeeded: 0, stillFailing: 0, missing: 0, dbErrors: 0 };
  if (!ids.length) return empty;
  const s = await scoreLeadsExport(ctx, {
    outDir: o.outDir, permitIds: ids, saveToDb: true, reasoner: o.reasoner, actor: 'exports.retry-failed',
    now: o.now, onProgress: o.onProgress, signal: o.signal,
  });
  return {
    candidates: ids.length,
    fromDatabase: fromDb.length,
    fromFile: fromFile.length,
    succeeded: s.permits - s.retry,
    stillFailing: s.retry,
    missing: s.missing.length,
    dbErrors: s.db?.failed ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Mark as sold (seed 001 "Workflow for Selling Leads")

/**
 * Records a sale made outside the marketplace — a CSV delivered to a buyer who is not a TradeLead contractor
 * (seed 001: `sold_to = 'ABC Pool Company'`). Marketplace purchases record sold_to/sold_at/sold_price
 * themselves. A scored lead passes through available on its way (the lifecycle reaches sold only from
 * there), both moves by transitionLead in one transaction.
 */
export async function markLeadSold(ctx: AppContext, principal: Principal | undefined, leadId: string, body: TMarkSoldBody): Promise<TMarkSoldResult> {
  const p = requireRole(principal, 'admin', 'ops');
  const soldAt = new Date();
  await ctx.db.prisma.$transaction(async (tx) => {
    const cur = await getLeadState(tx, leadId);
    if (!cur) throw new AppError('LEAD_NOT_FOUND', { message: `lead ${leadId} not found` });
    if ((SOLD_STATUSES as readonly LeadStatus[]).includes(cur.status)) {
      throw new AppError('LEAD_ALREADY_SOLD', { message: `lead ${leadId} is already sold` });
    }
    const details = { via: 'mark-sold', soldTo: body.soldTo, price: body.soldPrice };
    let from: LeadStatus[] = [cur.status];
    if (cur.status === 'scored') {
      await transitionLead(tx, { leadId, to: 'available', from: ['scored'], by: p.id, details });
      from = ['available'];
    }
    await transitionLead(tx, {
      leadId, to: 'sold', from, by: p.id, details,
      data: { soldTo: body.soldTo, soldPrice: body.soldPrice.toFixed(2), soldAt, soldToContractorId: null },
    });
  });
  const r = await repo.findSoldLead(ctx.db.prisma, leadId);
  return {
    id: r.id,
    status: 'sold',
    soldTo: r.soldTo ?? body.soldTo,
    soldPrice: Number(r.soldPrice),
    soldAt: (r.soldAt ?? soldAt).toISOString(),
    tier: r.tier,
    category: r.category,
  };
}
