import type { AppContext } from '../../platform/context.ts';
import { requireRole, type Principal } from '../../platform/auth.ts';
import { MIN_SELLABLE_SCORE } from '../scoring/grade.ts';
import { assignLeadsToClusters } from '../clustering/clustering.service.ts';
import { transitionLeads } from './leads.service.ts';
import * as repo from './lead-generation.repository.ts';
import type { TGenerateLeadsBody } from './leads.schemas.ts';

export interface RunLeadGenerationOptions {
  trade: string;
  minScore: number;
  maxLeads: number;
  zips?: string[];
  /** Who asked: a user or api key id, or a job name; goes into the audit rows. */
  by: string;
  /** Select only leads still to publish (the hourly batch), instead of the best leads whether on sale or not. */
  unpublishedOnly?: boolean;
}

export interface LeadGenerationResult {
  trade: string;
  /** Leads selected: available to buy after this run (already available, or just published). */
  generated: number;
  /** Of those, the scored ones this run published. */
  published: number;
  leadIds: string[];
  publishedIds: string[];
  /** Selected leads this run put into a geographic cluster. */
  clustered: number;
}

/**
 * seed 000 `generate_leads(trade, min_score, max_leads, zips)`, then seed 002 §3.8.2 "assign_to_cluster …
 * mark_as_available … notify_contractors": picks the best sellable, unassigned leads of a trade, one per
 * property (lead-generation.repository selectGeneratableLeads says exactly which), publishes the scored ones
 * (scored → available with one conditional UPDATE, an audit row and a lead.published outbox event each, in
 * one transaction), then assigns the selected leads to their nearest clusters. The score floor is never
 * below 60 (seed 002 §3.5.1: under 60 is not for sale).
 *
 * Clustering runs after the publish commits: a failure there must not unpublish anything, and each
 * lead.published event also assigns its lead (clustering.assign-lead), so a missed assignment heals itself.
 */
export async function runLeadGeneration(ctx: AppContext, opts: RunLeadGenerationOptions): Promise<LeadGenerationResult> {
  const minScore = Math.max(opts.minScore, MIN_SELLABLE_SCORE);
  const { leadIds, publishedIds } = await ctx.db.prisma.$transaction(
    async (tx) => {
      await repo.disableJit(tx);
      await repo.lockTrade(tx, opts.trade);
      const picked = await repo.selectGeneratableLeads(tx, {
        trade: opts.trade, minScore, zips: opts.zips, limit: opts.maxLeads, unpublishedOnly: opts.unpublishedOnly,
      });
      const now = new Date();
      const moved = await transitionLeads(tx, {
        leadIds: picked.filter((l) => l.status === 'scored').map((l) => l.id),
        from: ['scored'],
        to: 'available',
        data: { publishedAt: now, availableFrom: now },
        by: opts.by,
        details: { via: 'generate' },
      });
      await repo.insertPublishedEvents(tx, moved);
      // A lead another writer moved between the pick and the publish is no longer ours to report.
      const movedSet = new Set(moved);
      return { leadIds: picked.filter((l) => l.status === 'available' || movedSet.has(l.id)).map((l) => l.id), publishedIds: moved };
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
  let clustered = 0;
  try {
    clustered = (await assignLeadsToClusters(ctx.db.prisma, leadIds)).linked;
  } catch (err) {
    ctx.log.warn({ err, trade: opts.trade, leads: leadIds.length }, 'cluster assignment after lead generation failed; lead.published events will retry it');
  }
  return { trade: opts.trade, generated: leadIds.length, published: publishedIds.length, leadIds, publishedIds, clustered };
}

/** POST /api/v1/leads/generate (admin/ops). */
export async function generateLeads(ctx: AppContext, principal: Principal | undefined, body: TGenerateLeadsBody) {
  const p = requireRole(principal, 'admin', 'ops');
  const r = await runLeadGeneration(ctx, { trade: body.trade, minScore: body.minScore, maxLeads: body.maxLeads, zips: body.zips, by: p.id });
  return { generated: r.generated, published: r.published, leadIds: r.leadIds };
}

/**
 * The hourly batch (seed 002 §3.8.2 "Lead Generation", batch size 100): every trade with publishable scored
 * leads, up to `limit` new leads each — leads already on sale do not count against the batch, so each hour
 * adds supply. `onTrade` reports progress after each trade.
 */
export async function generateLeadBatch(
  ctx: AppContext,
  opts: { limit: number; minScore: number; trades?: string[]; by: string },
  onTrade?: (done: number, total: number, r: LeadGenerationResult) => Promise<void>,
) {
  const trades = opts.trades?.length ? [...new Set(opts.trades)].sort() : await repo.listTradesWithScoredLeads(ctx.db.prisma, Math.max(opts.minScore, MIN_SELLABLE_SCORE));
  const totals = { trades: trades.length, generated: 0, published: 0, clustered: 0 };
  const perTrade: Record<string, { generated: number; published: number; clustered: number }> = {};
  for (const [i, trade] of trades.entries()) {
    const r = await runLeadGeneration(ctx, { trade, minScore: opts.minScore, maxLeads: opts.limit, by: opts.by, unpublishedOnly: true });
    totals.generated += r.generated;
    totals.published += r.published;
    totals.clustered += r.clustered;
    perTrade[trade] = { generated: r.generated, published: r.published, clustered: r.clustered };
    await onTrade?.(i + 1, trades.length, r);
  }
  return { ...totals, perTrade };
}

/**
 * The pipeline's last stage (seed 002 §6.1 step 11 "PUBLISH LEAD: set status available, notify matching
 * contractors"): scored leads with a sellable score and a price go on sale — one conditional UPDATE for the
 * batch (scored → available), an audit row and a lead.published event each, in one transaction. Leads in any
 * other status, or without a price, are returned as not published with the reason.
 */
export async function publishScoredLeads(ctx: AppContext, leadIds: string[], by: string): Promise<{ published: string[]; notPublished: Map<string, string> }> {
  const notPublished = new Map<string, string>();
  if (!leadIds.length) return { published: [], notPublished };
  const published = await ctx.db.prisma.$transaction(async (tx) => {
    const rows = await repo.findPublishCandidates(tx, leadIds);
    const ok: string[] = [];
    for (const r of rows) {
      if (r.status !== 'scored') notPublished.set(r.id, `status is ${r.status}`);
      else if (r.qualityScore === null || r.qualityScore < MIN_SELLABLE_SCORE) notPublished.set(r.id, `score ${r.qualityScore ?? 'none'} is below ${MIN_SELLABLE_SCORE}`);
      else if (r.price === null) notPublished.set(r.id, 'no price');
      else ok.push(r.id);
    }
    const now = new Date();
    const moved = await transitionLeads(tx, { leadIds: ok, from: ['scored'], to: 'available', data: { publishedAt: now, availableFrom: now }, by, details: { via: 'pipeline' } });
    await repo.insertPublishedEvents(tx, moved);
    for (const id of ok) if (!moved.includes(id)) notPublished.set(id, 'moved by another writer');
    return moved;
  });
  for (const id of leadIds) if (!published.includes(id) && !notPublished.has(id)) notPublished.set(id, 'lead not found');
  return { published, notPublished };
}
