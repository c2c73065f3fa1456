import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { assertContractorAccess, isStaff, requireRole, type Principal } from '../../platform/auth.ts';
import { decimalToNumber, type Db } from '../../platform/db.ts';
import { recordSystemEvent } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { revokeContractorTerritories } from '../territories/territories.service.ts';
import * as repo from './contractors.repository.ts';
import { startOfUtcMonth, TIERS } from './contractors.tiers.ts';
import { contractorFactsOf, explainContractor } from './contractor.scorer.ts';
import {
  CONTRACTOR_EDITABLE_FIELDS,
  type TContractor,
  type TCreateContractorBody,
  type TListContractorsQuery,
  type TUpdateContractorBody,
} from './contractors.schemas.ts';

export { TIERS, TIER_NAMES, type TierName, type TierTerms } from './contractors.tiers.ts';

type ContractorRow = NonNullable<Awaited<ReturnType<typeof repo.findLiveContractor>>>;

const SERVICE = 'contractors';

const num = decimalToNumber;

/** The seed 002 §3.6.3 scores of a stored contractor, explained factor by factor. */
function scoresOf(c: ContractorRow, inTargetCity: boolean, now = new Date()) {
  const facts = contractorFactsOf(
    { ...c, googleRating: num(c.googleRating) },
    { inTargetCity, now },
  );
  return explainContractor(facts);
}

/**
 * Computes and stores a contractor's seed 002 §3.6.3 scores (fit, conversion likelihood, LTV, priority) inside the
 * caller's transaction: on create and update, and on POST /contractors/:id/score.
 */
async function storeScores(db: Db, c: ContractorRow): Promise<ContractorRow> {
  const s = scoresOf(c, (await repo.targetCityKeys(db, [c])).has(repo.cityKey(c)));
  return repo.writeContractorScores(db, c.id, s);
}

/**
 * leadsThisMonth is computed from the sales, never read from a counter column that nothing maintains. The scores
 * are the stored ones; their explanation is rebuilt from the record by the same versioned scorer.
 */
export function toContractor(c: ContractorRow, leadsThisMonth: number, inTargetCity = false): TContractor {
  const tier = TIERS[c.subscriptionTier];
  const s = scoresOf(c, inTargetCity);
  return {
    id: c.id,
    companyName: c.companyName,
    ownerName: c.ownerName,
    email: c.email,
    phone: c.phone,
    website: c.website,
    city: c.city,
    state: c.state,
    zip: c.zip,
    status: c.status as TContractor['status'],
    acquisitionStatus: c.acquisitionStatus,
    subscriptionTier: c.subscriptionTier,
    monthlyFee: c.monthlyFee === null ? null : Number(c.monthlyFee),
    leadsPerMonth: c.leadsPerMonth,
    leadsThisMonth,
    exclusivity: tier.exclusivity,
    priorityDelivery: tier.priorityDelivery,
    scores: {
      fitScore: c.fitScore ?? s.fitScore,
      conversionLikelihood: c.conversionLikelihood ?? s.conversionLikelihood,
      ltvEstimate: c.ltvEstimate === null ? s.ltvCents / 100 : Number(c.ltvEstimate),
      priorityScore: c.priorityScore === null ? s.priority : Number(c.priorityScore),
      factors: s.factors,
      scorerVersion: s.scorerVersion,
    },
    signedUpAt: c.signedUpAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** The API views of these rows, with their leads bought this month (one grouped count for the page). */
async function toContractors(db: Db, rows: ContractorRow[], now = new Date()): Promise<TContractor[]> {
  const counts = await repo.countLeadsSince(db, rows.map((r) => r.id), startOfUtcMonth(now));
  const inCity = await repo.targetCityKeys(db, rows);
  return rows.map((r) => toContractor(r, counts.get(r.id) ?? 0, inCity.has(repo.cityKey(r))));
}

const one = async (db: Db, row: ContractorRow): Promise<TContractor> => (await toContractors(db, [row]))[0]!;

const notFound = (id: string) => new AppError('CONTRACTOR_NOT_FOUND', { message: `contractor ${id} not found` });

/**
 * Locks the contractor row inside the caller's transaction, so one contractor's purchases run one at a
 * time and the quota check after it is race-free. Null when the contractor does not exist or was deleted.
 */
export async function lockContractorForPurchase(
  db: Db,
  contractorId: string,
): Promise<{ id: string; status: string; subscriptionTier: 'starter' | 'professional' | 'enterprise'; leadsPerMonth: number; companyName: string } | null> {
  const row = await repo.lockLiveContractor(db, contractorId);
  if (!row) return null;
  return { ...row, leadsPerMonth: row.leadsPerMonth ?? TIERS[row.subscriptionTier].leadsPerMonth };
}

/** Counts a sale on the buyer's record, inside the sale's transaction. */
export async function recordLeadPurchase(db: Db, contractorId: string): Promise<void> {
  await db.contractor.update({ where: { id: contractorId }, data: { totalLeadsPurchased: { increment: 1 } } });
}

/** One contractor, if the principal may see it: staff any, a contractor only itself (others answer 404). */
export async function getContractor(ctx: AppContext, principal: Principal | undefined, id: string): Promise<TContractor> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  assertContractorAccess(p, id);
  const row = await repo.findLiveContractor(ctx.db.prisma, id);
  if (!row) throw notFound(id);
  return one(ctx.db.prisma, row);
}

/** A contractor principal sees only its own row; filters still apply to it. */
export async function listContractors(ctx: AppContext, principal: Principal | undefined, q: TListContractorsQuery) {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  if (!isStaff(p) && !p.contractorId) throw new AppError('FORBIDDEN', { message: 'principal is not bound to a contractor' });
  const onlyId = isStaff(p) ? undefined : (p.contractorId ?? undefined);
  const after = decodeCursor(q.cursor, 2) as [string, string] | undefined;
  const rows = await repo.listLiveContractors(ctx.db.prisma, { onlyId, city: q.city, state: q.state, status: q.status, tier: q.tier, after, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: await toContractors(ctx.db.prisma, page), nextCursor: rows.length > q.limit && last ? encodeCursor([last.companyName, last.id]) : null };
}

/** Signs a contractor up on a tier: fee and quota come from the tier (seed 002 §3.6.6); staff may override the quota. */
export async function createContractor(ctx: AppContext, principal: Principal | undefined, body: TCreateContractorBody): Promise<TContractor> {
  const p = requireRole(principal, 'admin', 'ops');
  const tier = TIERS[body.subscriptionTier];
  const row = await ctx.db.prisma.$transaction(async (tx) => {
    const c = await repo.insertContractor(tx, {
      companyName: body.companyName,
      email: body.email.toLowerCase(),
      city: body.city,
      state: body.state,
      zip: body.zip,
      phone: body.phone ?? null,
      ownerName: body.ownerName ?? null,
      website: body.website ?? null,
      subscriptionTier: body.subscriptionTier,
      monthlyFee: tier.monthlyFee,
      leadsPerMonth: body.leadsPerMonth ?? tier.leadsPerMonth,
      status: 'active',
      acquisitionStatus: 'active',
      signedUpAt: new Date(),
      source: 'admin',
    });
    await recordSystemEvent(tx, {
      eventType: 'contractor', eventName: 'contractor.created', service: SERVICE, entityType: 'contractor', entityId: c.id,
      data: { by: p.id, subscriptionTier: c.subscriptionTier, leadsPerMonth: c.leadsPerMonth },
    });
    return storeScores(tx, c);
  });
  return one(ctx.db.prisma, row);
}

/**
 * Staff may change anything in the body; a contractor only its own phone, website and owner name
 * (tier, status and quota are what it pays for, so asking to change them is FORBIDDEN, not ignored).
 */
export async function updateContractor(ctx: AppContext, principal: Principal | undefined, id: string, body: TUpdateContractorBody): Promise<TContractor> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  assertContractorAccess(p, id);
  if (!isStaff(p)) {
    const denied = Object.keys(body).filter((k) => !(CONTRACTOR_EDITABLE_FIELDS as readonly string[]).includes(k));
    if (denied.length) throw new AppError('FORBIDDEN', { message: `contractors may not change ${denied.join(', ')}`, details: { fields: denied } });
  }
  const { subscriptionTier, leadsPerMonth, email, ...rest } = body;
  const data: Parameters<typeof repo.updateLiveContractor>[2] = { ...rest };
  if (email !== undefined) data.email = email.toLowerCase();
  if (subscriptionTier !== undefined) {
    data.subscriptionTier = subscriptionTier;
    data.monthlyFee = TIERS[subscriptionTier].monthlyFee;
    data.leadsPerMonth = TIERS[subscriptionTier].leadsPerMonth;
  }
  if (leadsPerMonth !== undefined) data.leadsPerMonth = leadsPerMonth;

  const row = await ctx.db.prisma.$transaction(async (tx) => {
    const r = await repo.updateLiveContractor(tx, id, data);
    if (r.count === 0) throw notFound(id);
    if (isStaff(p) && (subscriptionTier !== undefined || leadsPerMonth !== undefined || body.status !== undefined)) {
      await recordSystemEvent(tx, {
        eventType: 'contractor', eventName: 'contractor.updated', service: SERVICE, entityType: 'contractor', entityId: id,
        data: { by: p.id, subscriptionTier, leadsPerMonth: data.leadsPerMonth, status: body.status },
      });
    }
    const updated = await repo.findLiveContractor(tx, id);
    return updated ? storeScores(tx, updated) : null;
  });
  if (!row) throw notFound(id);
  return one(ctx.db.prisma, row);
}

/** POST /contractors/:id/score (staff): recomputes and stores the seed 002 §3.6.3 scores, returned explained. */
export async function scoreContractorNow(ctx: AppContext, principal: Principal | undefined, id: string): Promise<TContractor> {
  requireRole(principal, 'admin', 'ops');
  const row = await ctx.db.prisma.$transaction(async (tx) => {
    const c = await repo.findLiveContractor(tx, id);
    return c ? storeScores(tx, c) : null;
  });
  if (!row) throw notFound(id);
  return one(ctx.db.prisma, row);
}

/** Soft delete: the row stays for history; its active territories are revoked in the same transaction. */
export async function deleteContractor(ctx: AppContext, principal: Principal | undefined, id: string): Promise<{ revokedTerritories: number }> {
  const p = requireRole(principal, 'admin', 'ops');
  return ctx.db.prisma.$transaction(async (tx) => {
    const r = await repo.updateLiveContractor(tx, id, { deletedAt: new Date(), status: 'cancelled', acquisitionStatus: 'churned' });
    if (r.count === 0) throw notFound(id);
    const revokedTerritories = await revokeContractorTerritories(tx, { contractorId: id, by: p.id, reason: 'contractor_deleted' });
    await recordSystemEvent(tx, {
      eventType: 'contractor', eventName: 'contractor.deleted', service: SERVICE, entityType: 'contractor', entityId: id,
      data: { by: p.id, revokedTerritories },
    });
    return { revokedTerritories };
  });
}
