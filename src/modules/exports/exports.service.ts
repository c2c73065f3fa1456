import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { isUuid } from '../../platform/db.ts';
import { requireRole, type Principal } from '../../platform/auth.ts';
import { TRADE_GROUP_SLUGS } from '../../../prisma/seed/taxonomy.ts';
import { countStoredPermits, findStoredPermitsPage, loadCityIndex } from '../acquisition/permits.service.ts';
import type { StoredPermit } from '../acquisition/permits.repository.ts';
import { viewPermit, type PermitView } from '../acquisition/permit-view.ts';
import { getLeadState, transitionLead } from '../leads/leads.service.ts';
import { loadVerticalIds, saveScoredPermits, type DbCounts, type ScoredPermit } from '../leads/lead-creation.service.ts';
import { SOLD_STATUSES, type LeadStatus } from '../leads/leads.lifecycle.ts';
import { classifyPermit, finalizeIntent, type PermitIntent } from '../scoring/permit-intent.scorer.ts';
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
// The run

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

async function* permitPages(ctx: AppContext, o: ScoreLeadsOptions, max: number): AsyncGenerator<StoredPermit[]> {
  const db = ctx.db.prisma;
  // A slow (LLM) reasoner saves every few permits instead of every 200.
  const size = o.pageSize ?? (o.reasoner.kind === 'rules' ? PAGE : 10);
  let left = max;
  if (o.permitIds) {
    for (let i = 0; i < o.permitIds.length && left > 0; i += size) {
      const ids = o.permitIds.slice(i, i + size);
      const rows = await findStoredPermitsPage(db, { ids, cities: o.cities }, size);
      yield rows.slice(0, left);
      left -= rows.length;
    }
    return;
  }
  let after: string | undefined;
  while (left > 0) {
    const rows = await findStoredPermitsPage(db, { cities: o.cities }, Math.min(size, left), after);
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
    const cities = await loadCityIndex(db);
    const verticalIds = o.saveToDb ? await loadVerticalIds(db) : new Map<string, string>();
    const requested = o.permitIds ? [...new Set(o.permitIds)] : undefined;
    const valid = requested?.filter((id) => isUuid(id));
    const opts = { ...o, permitIds: valid };
    const count = valid ? valid.length : await countStoredPermits(db, { cities: o.cities });
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

    const pending: ScoredPermit[] = [];
    const savedKeys = new Set<string>();
    const flush = async () => {
      const batch = pending.splice(0);
      if (summary.db && batch.length) await saveScoredPermits(ctx, batch, verticalIds, o.actor ?? 'score-leads', savedKeys, summary.db);
    };
    const scoreOne = async (p: StoredPermit) => {
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
    if (requested) summary.missing = requested.filter((id) => (cut ? !isUuid(id) : !seen.has(id)));

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
