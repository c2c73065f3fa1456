import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { isStaff, requireRole, type Principal } from '../../platform/auth.ts';
import type { Db, Tx } from '../../platform/db.ts';
import { sha256 } from '../../platform/crypto.ts';
import { recordSystemEvent, writeOutbox } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { lockContractorForPurchase, recordLeadPurchase } from '../contractors/contractors.service.ts';
import { startOfUtcMonth } from '../contractors/contractors.tiers.ts';
import { repriceLead } from '../scoring/scoring.service.ts';
import { findLeadClusterHolder } from '../clustering/clustering.service.ts';
import { DEMAND_MIN_CONTRACTORS, DEMAND_WINDOW_HOURS } from '../scoring/pricing.ts';
import { findLeadExclusiveHolder } from '../territories/territories.service.ts';
import { getBuyerPreview, getFullLead, getFullLeads, getLeadState, isLeadOwner, transitionLead } from '../leads/leads.service.ts';
import type { TLeadFull, TLeadView } from '../leads/leads.schemas.ts';
import * as repo from './marketplace.repository.ts';
import type { TAssignBody, TConvertBody, TFeedbackBody, TMyLeadsQuery, TPurchaseBody, TRefundBody } from './marketplace.schemas.ts';

const SERVICE = 'marketplace';

const leadNotFound = (id: string) => new AppError('LEAD_NOT_FOUND', { message: `lead ${id} not found` });

export interface IdempotentResult<T> {
  statusCode: number;
  body: T;
  /** True when the body is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}


/** What identifies "the same request" for an Idempotency-Key: method, path and body. */
export const idempotencyRequestHash = (method: string, path: string, body: unknown): string =>
  sha256(`${method.toUpperCase()}\n${path}\n${JSON.stringify(body ?? {})}`);

/**
 * Runs `work` at most once per (scope, key), inside the caller's transaction.
 *
 * The key row is inserted with ON CONFLICT DO NOTHING; a concurrent request with the same key blocks on the
 * unique index until the first one commits and then replays its stored answer. Only successes are stored:
 * an AppError (4xx) thrown by `work` rolls the whole transaction back, key row included, so the client may
 * retry the same key once the cause is fixed (for example after its quota resets).
 *
 * The stored answer is encrypted (it holds the homeowner's email and phone, which are encrypted at rest).
 */
async function runIdempotent<T>(
  ctx: AppContext,
  tx: Tx,
  claim: { scope: string; key: string; requestHash: string },
  work: () => Promise<{ statusCode: number; body: T }>,
): Promise<IdempotentResult<T>> {
  if (!(await repo.claimIdempotencyKey(tx, claim))) {
    const prior = await repo.findIdempotencyKey(tx, claim.scope, claim.key);
    if (prior && prior.requestHash !== claim.requestHash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', { message: 'this Idempotency-Key was used for a different request' });
    }
    const stored = prior?.response as { enc?: string } | null | undefined;
    if (!prior || prior.statusCode === null || !stored?.enc) {
      throw new AppError('IDEMPOTENCY_IN_PROGRESS', { message: 'a request with this Idempotency-Key is still running; retry shortly' });
    }
    return { statusCode: prior.statusCode, body: JSON.parse(ctx.cipher.decrypt(stored.enc)) as T, replayed: true };
  }
  const out = await work();
  await repo.storeIdempotentResponse(tx, claim.scope, claim.key, out.statusCode, { enc: ctx.cipher.encrypt(JSON.stringify(out.body)) });
  return { ...out, replayed: false };
}

interface SaleOptions {
  leadId: string;
  contractorId: string;
  /** Purchases obey the starter priority window and the monthly quota; staff assignments do not. */
  enforceBuyerRules: boolean;
  price?: number;
  by: string;
  via: 'purchase' | 'assign';
  idempotencyKey: string | null;
}

/**
 * One sale, inside the caller's transaction. The contractor row is locked first, so one contractor's
 * purchases run one at a time and its quota count is exact; then the conditional UPDATE
 * (status 'available' → 'sold') decides between concurrent buyers of the same lead: the row lock makes the
 * losers wait, re-check the WHERE and match nothing, so exactly one sale commits.
 */
async function sellLead(ctx: AppContext, tx: Tx, o: SaleOptions): Promise<TLeadFull> {
  const contractor = await lockContractorForPurchase(tx, o.contractorId);
  if (!contractor) throw new AppError('CONTRACTOR_NOT_FOUND', { message: `contractor ${o.contractorId} not found` });
  if (contractor.status !== 'active') {
    throw new AppError('CONTRACTOR_INACTIVE', { message: `contractor is ${contractor.status}; only active contractors can buy leads` });
  }
  const lead = await getLeadState(tx, o.leadId);
  if (!lead) throw leadNotFound(o.leadId);

  // seed 002 §3.5.4: a live exclusive cluster sells its leads to its holder only.
  const clusterHolder = await findLeadClusterHolder(tx, o.leadId);
  if (clusterHolder && clusterHolder !== o.contractorId) {
    throw new AppError('NOT_CLUSTER_HOLDER', { message: 'this lead belongs to a cluster held exclusively by another contractor' });
  }
  // seed 000 "Exclusivity Enforcement: one contractor per ZIP per trade", and seed 002 §3.6.6 city-wide claims.
  const holder = await findLeadExclusiveHolder(tx, lead);
  if (holder && holder !== o.contractorId) {
    throw new AppError('NOT_TERRITORY_HOLDER', { message: `${lead.trade} leads in ${lead.zip ?? `${lead.city}, ${lead.state}`} are exclusive to another contractor` });
  }

  const now = new Date();
  if (o.enforceBuyerRules) {
    // seed 002 §3.7.2 "Tier Access: premium contractors get first access".
    if (contractor.subscriptionTier === 'starter') {
      const opensAt = new Date((lead.publishedAt ?? lead.createdAt).getTime() + ctx.config.PRIORITY_ACCESS_HOURS * 3600_000);
      if (opensAt > now) {
        throw new AppError('PRIORITY_WINDOW', {
          message: `this lead opens to starter contractors at ${opensAt.toISOString()}`,
          details: { availableAt: opensAt.toISOString() },
        });
      }
    }
    const used = await repo.countAssignmentsSince(tx, o.contractorId, startOfUtcMonth(now));
    if (used >= contractor.leadsPerMonth) {
      throw new AppError('QUOTA_EXCEEDED', {
        message: `monthly quota of ${contractor.leadsPerMonth} leads used`,
        details: { leadsPerMonth: contractor.leadsPerMonth, used },
      });
    }
  }

  const price = o.price ?? (lead.price === null ? null : Number(lead.price));
  await transitionLead(tx, {
    leadId: o.leadId,
    to: 'sold',
    from: ['available'],
    data: { soldToContractorId: o.contractorId, soldTo: contractor.companyName, soldAt: now, soldPrice: price },
    by: o.by,
    details: { contractorId: o.contractorId, price, via: o.via },
  });
  const assignment = await repo.insertAssignment(tx, {
    baseLeadId: o.leadId,
    contractorId: o.contractorId,
    pricePaid: price,
    idempotencyKey: o.idempotencyKey,
    assignedAt: now,
  });
  await recordLeadPurchase(tx, o.contractorId);
  await writeOutbox(tx, {
    topic: 'lead.sold',
    payload: { leadId: o.leadId, contractorId: o.contractorId, assignmentId: assignment.id, price },
    dedupeKey: `lead.sold:${assignment.id}`,
  });
  return getFullLead(ctx, tx, o.leadId);
}

/** The contractor a sale is for: a contractor buys for itself; staff name one in the body. */
function buyerOf(p: Principal, requested: string | undefined): string {
  if (isStaff(p)) {
    if (!requested) {
      throw new AppError('VALIDATION_FAILED', {
        message: 'staff must name the contractor to buy for',
        details: { errors: [{ path: 'body.contractorId', message: 'required for staff' }] },
      });
    }
    return requested;
  }
  if (!p.contractorId) throw new AppError('FORBIDDEN', { message: 'principal is not bound to a contractor' });
  if (requested && requested !== p.contractorId) throw new AppError('FORBIDDEN', { message: 'a contractor buys only for itself' });
  return p.contractorId;
}

/**
 * POST /leads/:id/purchase (seed 002 §6.4 steps 4–7). Requires an Idempotency-Key: a retry with the same
 * key and request replays the first success exactly; the same key with another request is 422.
 */
export async function purchaseLead(
  ctx: AppContext,
  principal: Principal | undefined,
  opts: { leadId: string; idempotencyKey: string | undefined; body: TPurchaseBody; method: string; path: string },
): Promise<IdempotentResult<TLeadFull>> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  if (!opts.idempotencyKey) throw new AppError('IDEMPOTENCY_KEY_REQUIRED', { message: 'send an Idempotency-Key header with every purchase' });
  const contractorId = buyerOf(p, opts.body?.contractorId);
  const claim = {
    scope: `contractor:${contractorId}`,
    key: opts.idempotencyKey,
    requestHash: idempotencyRequestHash(opts.method, opts.path, opts.body),
  };
  return ctx.db.prisma.$transaction(
    (tx) =>
      runIdempotent(ctx, tx, claim, async () => ({
        statusCode: 200,
        body: await sellLead(ctx, tx, {
          leadId: opts.leadId, contractorId, enforceBuyerRules: true, by: p.id, via: 'purchase', idempotencyKey: opts.idempotencyKey ?? null,
        }),
      })),
  );
}

/**
 * POST /leads/:id/assign: staff hand a lead to a contractor without the payment flow (seed 000 "assign").
 * Same atomic sale and territory rule as a purchase; no priority window, no quota. Idempotency-Key optional.
 */
export async function assignLead(
  ctx: AppContext,
  principal: Principal | undefined,
  opts: { leadId: string; body: TAssignBody; idempotencyKey: string | undefined; method: string; path: string },
): Promise<IdempotentResult<TLeadFull>> {
  const p = requireRole(principal, 'admin', 'ops');
  const sale = (tx: Tx) =>
    sellLead(ctx, tx, {
      leadId: opts.leadId, contractorId: opts.body.contractorId, price: opts.body.price, enforceBuyerRules: false,
      by: p.id, via: 'assign', idempotencyKey: opts.idempotencyKey ?? null,
    });
  return ctx.db.prisma.$transaction(async (tx) => {
    if (!opts.idempotencyKey) return { statusCode: 200, body: await sale(tx), replayed: false };
    const claim = {
      scope: `contractor:${opts.body.contractorId}`,
      key: opts.idempotencyKey,
      requestHash: idempotencyRequestHash(opts.method, opts.path, opts.body),
    };
    return runIdempotent(ctx, tx, claim, async () => ({ statusCode: 200, body: await sale(tx) }));
  });
}

/** Staff, or the contractor that holds the sale; anyone else gets 404 as if the lead did not exist. */
async function ownedLeadState(db: Db, p: Principal, leadId: string) {
  const lead = await getLeadState(db, leadId);
  if (!lead || (!isStaff(p) && !isLeadOwner(p, lead))) throw leadNotFound(leadId);
  return lead;
}

/**
 * seed 002 §3.5.2 "multiple contractors interested" (×1.15): a contractor's preview is recorded, and when it makes
 * the second distinct viewer in 24 hours the lead is repriced in this request, so the preview shows — and a
 * purchase charges — the price with the premium (a later new viewer reprices again, to the same price). The
 * 30-minute rescore drops the premium once the window has passed. True when the lead was repriced.
 */
async function recordPreview(ctx: AppContext, leadId: string, contractorId: string): Promise<boolean> {
  const v = await ctx.db.prisma.$transaction((tx) => repo.recordLeadView(tx, leadId, contractorId, DEMAND_WINDOW_HOURS));
  if (!v.newViewer || v.viewers < DEMAND_MIN_CONTRACTORS) return false;
  await repriceLead(ctx, leadId, `preview:${contractorId}`);
  return true;
}

/**
 * GET /leads/:id: the full lead for staff and for its buyer; a preview (seed 002 §6.4 step 3) for any other
 * contractor while the lead is on the market; 404 otherwise (another contractor's lead is not visible).
 */
export async function viewLead(ctx: AppContext, principal: Principal | undefined, leadId: string): Promise<TLeadView> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  const lead = await getLeadState(ctx.db.prisma, leadId);
  if (!lead) throw leadNotFound(leadId);
  if (isStaff(p) || isLeadOwner(p, lead)) {
    if (!isStaff(p)) await repo.updateActiveAssignment(ctx.db.prisma, leadId, { viewed: true, viewedAt: new Date() });
    return getFullLead(ctx, ctx.db.prisma, leadId);
  }
  if (lead.status !== 'available' || !p.contractorId) throw leadNotFound(leadId);
  // Only what the listing would show this contractor is readable, and only that counts as a view.
  const seen = await getBuyerPreview(ctx, ctx.db.prisma, leadId, p.contractorId);
  if (!seen) throw leadNotFound(leadId);
  if (!(await recordPreview(ctx, leadId, p.contractorId))) return seen;
  const repriced = await getBuyerPreview(ctx, ctx.db.prisma, leadId, p.contractorId);
  if (!repriced) throw leadNotFound(leadId);
  return repriced;
}

/** POST /leads/:id/deliver: sold → delivered (seed 000). */
export async function deliverLead(ctx: AppContext, principal: Principal | undefined, leadId: string): Promise<TLeadFull> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  return ctx.db.prisma.$transaction(async (tx) => {
    const lead = await ownedLeadState(tx, p, leadId);
    await transitionLead(tx, { leadId, to: 'delivered', from: [lead.status], data: { deliveredAt: new Date() }, by: p.id });
    return getFullLead(ctx, tx, leadId);
  });
}

/** POST /leads/:id/convert: the buyer won the job (sold|delivered → converted). */
export async function convertLead(ctx: AppContext, principal: Principal | undefined, leadId: string, body: TConvertBody): Promise<TLeadFull> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  return ctx.db.prisma.$transaction(async (tx) => {
    const lead = await ownedLeadState(tx, p, leadId);
    await markConverted(tx, { leadId, from: lead.status, jobValue: body?.jobValue, by: p.id });
    return getFullLead(ctx, tx, leadId);
  });
}

async function markConverted(tx: Tx, o: { leadId: string; from: TLeadFull['status']; jobValue: number | undefined; by: string }) {
  const now = new Date();
  await transitionLead(tx, { leadId: o.leadId, to: 'converted', from: [o.from], data: { convertedAt: now }, by: o.by, details: { jobValue: o.jobValue ?? null } });
  await repo.updateActiveAssignment(tx, o.leadId, { converted: true, convertedAt: now, ...(o.jobValue !== undefined ? { jobValue: o.jobValue } : {}) });
}

/**
 * POST /leads/:id/refund (staff; seed 002 §3.7.3 "Refunds for truly bad leads"): sold|delivered → refunded and
 * the sale marked refunded, which frees the contractor's monthly quota.
 */
export async function refundLead(ctx: AppContext, principal: Principal | undefined, leadId: string, body: TRefundBody): Promise<TLeadFull> {
  const p = requireRole(principal, 'admin', 'ops');
  return ctx.db.prisma.$transaction(async (tx) => {
    const lead = await getLeadState(tx, leadId);
    if (!lead) throw leadNotFound(leadId);
    const now = new Date();
    await transitionLead(tx, { leadId, to: 'refunded', from: [lead.status], data: { refundedAt: now }, by: p.id, details: { reason: body.reason } });
    const sale = await repo.findActiveAssignment(tx, leadId);
    if (sale) {
      await repo.updateActiveAssignment(tx, leadId, { status: 'refunded', refundedAt: now, refundReason: body.reason });
      await writeOutbox(tx, {
        topic: 'lead.refunded',
        payload: { leadId, contractorId: sale.contractorId, assignmentId: sale.id, amount: sale.pricePaid === null ? null : Number(sale.pricePaid) },
        dedupeKey: `lead.refunded:${sale.id}`,
      });
    }
    return getFullLead(ctx, tx, leadId);
  });
}

/**
 * POST /leads/:id/feedback: the buyer reports outcomes (seed 002 §3.7.3). jobWon true also converts the lead.
 * Only the contractor holding the sale may report; staff and others get 404.
 */
export async function submitFeedback(ctx: AppContext, principal: Principal | undefined, leadId: string, body: TFeedbackBody): Promise<TLeadFull> {
  const p = requireRole(principal, 'contractor');
  return ctx.db.prisma.$transaction(async (tx) => {
    const lead = await getLeadState(tx, leadId);
    if (!lead || !isLeadOwner(p, lead)) throw leadNotFound(leadId);
    const d = (s: string | undefined) => (s === undefined ? undefined : new Date(s));
    const contactedAt = d(body.contactedAt) ?? (body.contacted ? new Date() : undefined);
    const r = await repo.updateActiveAssignment(tx, leadId, {
      contacted: body.contacted ?? (body.contactedAt ? true : undefined),
      contactedAt,
      contactMethod: body.contactMethod,
      appointmentScheduled: body.appointmentScheduled ?? (body.appointmentDate ? true : undefined),
      appointmentDate: d(body.appointmentDate),
      quoteProvided: body.quoteProvided ?? (body.quoteAmount !== undefined ? true : undefined),
      quoteAmount: body.quoteAmount,
      quoteDate: body.quoteProvided || body.quoteAmount !== undefined ? new Date() : undefined,
      jobValue: body.jobValue,
      closeDate: body.closeDate ? new Date(`${body.closeDate}T00:00:00Z`) : undefined,
      leadQualityRating: body.leadQualityRating,
      contractorFeedback: body.feedback,
    });
    if (r.count === 0) throw leadNotFound(leadId);
    await recordSystemEvent(tx, {
      eventType: 'lead.feedback', eventName: 'lead.feedback', service: SERVICE, entityType: 'lead', entityId: leadId,
      data: { by: p.id, contractorId: p.contractorId, jobWon: body.jobWon ?? null, leadQualityRating: body.leadQualityRating ?? null },
    });
    if (body.jobWon && lead.status !== 'converted') await markConverted(tx, { leadId, from: lead.status, jobValue: body.jobValue, by: p.id });
    return getFullLead(ctx, tx, leadId);
  });
}

/** GET /leads/my-leads: the caller's live purchases (full view), newest first. Staff name a contractor. */
export async function listMyLeads(ctx: AppContext, principal: Principal | undefined, q: TMyLeadsQuery) {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  let contractorId: string;
  if (isStaff(p)) {
    if (!q.contractorId) {
      throw new AppError('VALIDATION_FAILED', { message: 'staff must pass contractorId', details: { errors: [{ path: 'query.contractorId', message: 'required for staff' }] } });
    }
    contractorId = q.contractorId;
  } else {
    if (!p.contractorId) throw new AppError('FORBIDDEN', { message: 'principal is not bound to a contractor' });
    if (q.contractorId && q.contractorId !== p.contractorId) throw new AppError('NOT_FOUND', { message: 'not found' });
    contractorId = p.contractorId;
  }
  if (q.sort !== 'newest') return listMyLeadsByScore(ctx, contractorId, q.sort, q);
  const after = decodeCursor(q.cursor, 2) as [string, string] | undefined;
  if (after && (typeof after[0] !== 'string' || typeof after[1] !== 'string' || !/^[0-9a-f-]{36}$/i.test(after[1]))) {
    throw new AppError('VALIDATION_FAILED', { message: 'cursor is malformed; pass back nextCursor exactly as returned' });
  }
  const rows = await repo.listActiveAssignments(ctx.db.prisma, { contractorId, after, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: await getFullLeads(ctx, ctx.db.prisma, page.map((r) => r.leadId)),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.assignedAtKey, last.id]) : null,
  };
}

/** my-leads best first by the sale's AI priority (seed 003) or the homeowner's engagement (seed 004 "leads sorted by score"). */
async function listMyLeadsByScore(ctx: AppContext, contractorId: string, by: 'ai_priority' | 'engagement', q: TMyLeadsQuery) {
  const after = decodeCursor(q.cursor, 3) as [number, string, string] | undefined;
  if (after && (!Number.isInteger(after[0]) || typeof after[1] !== 'string' || typeof after[2] !== 'string' || !/^[0-9a-f-]{36}$/i.test(after[2]))) {
    throw new AppError('VALIDATION_FAILED', { message: 'cursor is malformed; pass back nextCursor exactly as returned' });
  }
  const rows = await repo.listActiveAssignmentsByScore(ctx.db.prisma, { contractorId, by, after, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: await getFullLeads(ctx, ctx.db.prisma, page.map((r) => r.leadId)),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.scoreKey, last.assignedAtKey, last.id]) : null,
  };
}
