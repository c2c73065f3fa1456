import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { isStaff, requireRole, type Principal } from '../../platform/auth.ts';
import { isLeadOwner } from '../leads/leads.service.ts';
import { scoreEngagement, type EngagementInputs, type EngagementScore } from './engagement.scorer.ts';
import * as repo from './engagement.repository.ts';
import type { InteractionKind, TEngagement, TRecordEventBody, TRecordEventResult } from './engagement.schemas.ts';

type Counters = Pick<repo.EngagementRow, 'qrScanCount' | 'catalogViews' | 'messagesCount' | 'voiceMessagesCount'>;

/**
 * Which counters an interaction bumps (seed 004 "Auto-Tracking"). A voice message is also a message, as in
 * the seed's bot ("db_lead.messages_count += 1" plus the voice bonus). Email opens and clicks, replies and
 * answered calls add no seed 004 engagement points: they only count in total_interactions and refresh
 * last_interaction_at (recency).
 */
export const KIND_COUNTERS: Readonly<Record<InteractionKind, readonly (keyof Counters)[]>> = {
  qr_scan: ['qrScanCount'],
  catalog_view: ['catalogViews'],
  message: ['messagesCount'],
  voice_message: ['voiceMessagesCount', 'messagesCount'],
  email_open: [],
  email_click: [],
  reply: [],
  call_answered: [],
};

/** An event may carry a client clock a little ahead of ours, not more. */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;
const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

const leadNotFound = (id: string) => new AppError('LEAD_NOT_FOUND', { message: `lead ${id} not found` });

/** Staff (users or API keys of role admin/ops) and the contractor holding the sale; others see 404. */
function assertEngagementAccess(p: Principal, row: repo.EngagementRow | null, leadId: string): asserts row is repo.EngagementRow {
  if (!row || row.deletedAt || !(isStaff(p) || isLeadOwner(p, row))) throw leadNotFound(leadId);
}

export function engagementInputs(row: repo.EngagementRow): EngagementInputs {
  return {
    qrScans: row.qrScanCount,
    catalogViews: row.catalogViews,
    messages: row.messagesCount,
    voiceMessages: row.voiceMessagesCount,
    hasPhone: row.hasPhone,
    hasBudget: row.hasBudget,
    hasTransactionType: row.hasTransactionType,
    hasPropertyType: row.hasPropertyType,
    hasLocation: row.hasLocation,
    hasPaymentMethod: row.hasPaymentMethod,
    lastInteractionAt: row.lastInteractionAt,
  };
}

function toEngagement(row: repo.EngagementRow, s: EngagementScore): TEngagement {
  return {
    leadId: row.id,
    score: s.score,
    temperature: s.temperature,
    engagement: s.engagement,
    qualification: s.qualification,
    recency: s.recency,
    counters: {
      qrScans: row.qrScanCount,
      catalogViews: row.catalogViews,
      messages: row.messagesCount,
      voiceMessages: row.voiceMessagesCount,
      totalInteractions: row.totalInteractions,
      lastInteractionAt: row.lastInteractionAt ? row.lastInteractionAt.toISOString() : null,
    },
    parts: s.parts,
    scorerVersion: s.scorerVersion,
  };
}

/**
 * POST /leads/:id/events: records the interaction, bumps the lead's counters and rescores it (seed 004), in
 * one transaction holding the lead's row lock, so twenty concurrent events leave the counters at exactly +20.
 * last_interaction_at only moves forward: a back-dated event counts but does not make the lead look stale.
 */
export async function recordLeadEvent(ctx: AppContext, principal: Principal | undefined, leadId: string, body: TRecordEventBody): Promise<TRecordEventResult> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  const now = new Date();
  const occurredAt = body.occurredAt ? new Date(body.occurredAt) : now;
  if (occurredAt.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'occurredAt is in the future',
      details: { errors: [{ path: 'body.occurredAt', message: 'must not be more than 5 minutes in the future' }] },
    });
  }
  return ctx.db.prisma.$transaction(async (tx) => {
    const row = await repo.lockEngagementRow(tx, leadId);
    assertEngagementAccess(p, row, leadId);
    const next: repo.EngagementRow = { ...row, totalInteractions: row.totalInteractions + 1 };
    for (const c of KIND_COUNTERS[body.kind]) next[c] += 1;
    if (!next.lastInteractionAt || occurredAt > next.lastInteractionAt) next.lastInteractionAt = occurredAt;
    const s = scoreEngagement(engagementInputs(next), now);
    const interaction = await repo.insertInteraction(tx, { leadId, kind: body.kind, occurredAt, metadata: body.metadata });
    await repo.updateEngagement(tx, leadId, {
      qrScanCount: next.qrScanCount,
      catalogViews: next.catalogViews,
      messagesCount: next.messagesCount,
      voiceMessagesCount: next.voiceMessagesCount,
      totalInteractions: next.totalInteractions,
      lastInteractionAt: next.lastInteractionAt,
      engagementScore: s.score,
      temperature: s.temperature,
    });
    return {
      ...toEngagement(next, s),
      interaction: { id: interaction.id, kind: body.kind, occurredAt: interaction.occurredAt.toISOString() },
    };
  }, TX_OPTIONS);
}

/**
 * GET /leads/:id/engagement: scored as of now from the stored counters. Recency decays with time, so this can
 * be fresher than the stored engagement_score until scoring.refresh-engagement next runs.
 */
export async function getLeadEngagement(ctx: AppContext, principal: Principal | undefined, leadId: string): Promise<TEngagement> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  const row = await repo.findEngagementRow(ctx.db.prisma, leadId);
  assertEngagementAccess(p, row, leadId);
  return toEngagement(row, scoreEngagement(engagementInputs(row), new Date()));
}

/**
 * Rescores one lead's seed 004 engagement now, in its own transaction holding the row lock (so an event landing
 * at the same time applies before or after, never half). Called in the request of any edit of the fields the
 * score reads — PATCH /leads/:id, POST /leads — so the stored score and temperature never wait for a job.
 */
export async function refreshLeadEngagement(ctx: AppContext, leadId: string, now = new Date()): Promise<void> {
  await ctx.db.prisma.$transaction(async (tx) => {
    const row = await repo.lockEngagementRow(tx, leadId);
    if (!row || row.deletedAt) return;
    const s = scoreEngagement(engagementInputs(row), now);
    await repo.updateEngagement(tx, leadId, { engagementScore: s.score, temperature: s.temperature });
  }, TX_OPTIONS);
}

/** seed 004 recency bands end at 72 h; one hour of slack covers a missed 30-minute tick. */
export const ENGAGEMENT_REFRESH_WINDOW_HOURS = 73;

export interface RefreshEngagementOptions {
  now?: Date;
  /** Leads with an interaction within this many hours are rescored (default 73). Widen it after an outage. */
  sinceHours?: number;
  /**
   * Every live lead instead: a backfill after an import, or after qualification fields (phone, budget, …)
   * changed outside an event — the stored score of a lead that never had an event is otherwise left at 0.
   */
  all?: boolean;
  chunkSize?: number;
  onChunk?: (done: { scanned: number; written: number }) => Promise<void> | void;
  signal?: AbortSignal;
}

/**
 * Re-scores the leads whose temperature can still drop as time passes (the recency part of seed 004), in
 * keyset chunks: read, score in JS, write the changed ones with one UPDATE … FROM unnest per chunk.
 */
export async function refreshEngagementScores(ctx: AppContext, opts: RefreshEngagementOptions = {}) {
  const now = opts.now ?? new Date();
  const since = opts.all ? null : new Date(now.getTime() - (opts.sinceHours ?? ENGAGEMENT_REFRESH_WINDOW_HOURS) * 3600_000);
  const limit = opts.chunkSize ?? 5000;
  let afterId: string | null = null;
  let scanned = 0;
  let changed = 0;
  let written = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const rows = await repo.listRecentlyActiveLeads(ctx.db.pool, { since, afterId, limit });
    if (!rows.length) break;
    scanned += rows.length;
    const updates = [];
    for (const r of rows) {
      const s = scoreEngagement(engagementInputs(r), now);
      if (s.score !== r.engagementScore || s.temperature !== r.temperature || r.stale) {
        updates.push({ id: r.id, score: s.score, temperature: s.temperature, totalInteractions: r.totalInteractions });
      }
    }
    changed += updates.length;
    written += await repo.writeEngagementScores(ctx.db.pool, updates);
    afterId = rows[rows.length - 1]!.id;
    await opts.onChunk?.({ scanned, written });
    if (rows.length < limit) break;
  }
  return { scanned, changed, written, since: since ? since.toISOString() : null };
}
