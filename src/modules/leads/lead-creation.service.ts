import type { AppContext } from '../../platform/context.ts';
import { isAppError } from '../../platform/errors.ts';
import { isUuid, type Db, type Prisma } from '../../platform/db.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import { findStoredPermitsPage, loadCityIndex } from '../acquisition/permits.service.ts';
import { viewPermit, type PermitView } from '../acquisition/permit-view.ts';
import type { StoredPermit } from '../acquisition/permits.repository.ts';
import { MIN_SELLABLE_SCORE } from '../scoring/grade.ts';
import { classifyPermit, type PermitIntent } from '../scoring/permit-intent.scorer.ts';
import { canTransition, type LeadStatus } from './leads.lifecycle.ts';
import { transitionLead } from './leads.service.ts';
import * as repo from './lead-creation.repository.ts';

/**
 * Leads from permits (seed 002 §3.8.5 "on permit.scraped: create_base_lead(permit)"; seed 001 "--save-to-db"):
 * one lead per (address, city, state, trade) — issue 8 §1 — created as `processing` when a permit is scraped, and
 * given its seed 001 intent columns when the export scores the permit. Both key the lead through acquisition's
 * viewPermit, so they always find the same lead.
 */

/** Error messages kept in a summary; the count is exact. */
const MAX_ERRORS = 20;

/** Vertical ids by trade slug, for new leads' vertical_id. */
export async function loadVerticalIds(db: Db): Promise<Map<string, string>> {
  return new Map((await repo.findVerticalIds(db)).map((v) => [v.slug, v.id]));
}

/** One permit as the seed 001 export scored it. */
export interface ScoredPermit {
  permit: StoredPermit;
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

function intentColumns(s: ScoredPermit): Prisma.BaseLeadUncheckedUpdateManyInput {
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
export async function saveScoredPermits(ctx: AppContext, items: ScoredPermit[], verticalIds: Map<string, string>, actor: string, savedKeys: Set<string>, into: DbCounts) {
  const c = { inserted: 0, updated: 0, skipped: 0, failed: 0, errors: [] as string[] };
  const todo: Array<ScoredPermit & { key: repo.LeadKey }> = [];
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
  const ids = [...new Set(permitIds)].filter((id) => isUuid(id));
  if (!ids.length) return out;
  const cities = await loadCityIndex(db);
  const verticalIds = await loadVerticalIds(db);
  const permits = await findStoredPermitsPage(db, { ids }, ids.length);
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
