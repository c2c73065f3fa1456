import type { Db } from '../../platform/db.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { TierName } from './contractors.tiers.ts';

export const findLiveContractor = (db: Db, id: string) => db.contractor.findFirst({ where: { id, deletedAt: null } });

export const insertContractor = (db: Db, data: Prisma.ContractorUncheckedCreateInput) => db.contractor.create({ data });

/** Keyset page ordered by (company_name, id): both exact, so no row is skipped or repeated between pages. */
export function listLiveContractors(
  db: Db,
  opts: { onlyId?: string; city?: string; state?: string; status?: string; tier?: TierName; after?: [string, string]; limit: number },
) {
  const where: Prisma.ContractorWhereInput = {
    deletedAt: null,
    ...(opts.onlyId ? { id: opts.onlyId } : {}),
    ...(opts.city ? { city: { equals: opts.city, mode: 'insensitive' } } : {}),
    ...(opts.state ? { state: opts.state } : {}),
    ...(opts.status ? { status: opts.status } : {}),
    ...(opts.tier ? { subscriptionTier: opts.tier } : {}),
  };
  if (opts.after) {
    const [name, id] = opts.after;
    where.OR = [{ companyName: { gt: name } }, { companyName: name, id: { gt: id } }];
  }
  return db.contractor.findMany({ where, orderBy: [{ companyName: 'asc' }, { id: 'asc' }], take: opts.limit });
}

/** Conditional on not deleted, so a concurrent delete and update cannot resurrect a row. */
export const updateLiveContractor = (db: Db, id: string, data: Prisma.ContractorUncheckedUpdateManyInput) =>
  db.contractor.updateMany({ where: { id, deletedAt: null }, data });

export interface LockedContractor {
  id: string;
  status: string;
  subscriptionTier: TierName;
  leadsPerMonth: number | null;
  companyName: string;
}

// Raw SQL: Prisma cannot say FOR UPDATE.
export async function lockLiveContractor(db: Db, id: string): Promise<LockedContractor | null> {
  const rows = await db.$queryRaw<LockedContractor[]>`
    SELECT id::text AS "id", status, subscription_tier::text AS "subscriptionTier",
           leads_per_month AS "leadsPerMonth", company_name AS "companyName"
      FROM contractors
     WHERE id = ${id}::uuid AND deleted_at IS NULL
       FOR UPDATE`;
  return rows[0] ?? null;
}

/**
 * Leads each contractor bought this quota month and still holds (refunds do not count): the same count the
 * purchase quota checks (marketplace countAssignmentsSince).
 */
export async function countLeadsSince(db: Db, contractorIds: string[], since: Date): Promise<Map<string, number>> {
  if (!contractorIds.length) return new Map();
  const rows = await db.leadAssignment.groupBy({
    by: ['contractorId'],
    where: { contractorId: { in: contractorIds }, assignedAt: { gte: since }, refundedAt: null },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.contractorId, r._count._all]));
}

/**
 * Which of these contractors' cities are target cities (their location factor: in the market itself), as
 * `lower(city)|state` keys — one query for a whole page.
 */
export async function targetCityKeys(db: Db, places: { city: string | null; state: string | null }[]): Promise<Set<string>> {
  const wanted = places.filter((p) => p.city && p.state);
  if (!wanted.length) return new Set();
  const rows = await db.targetCity.findMany({
    where: { OR: wanted.map((p) => ({ city: { equals: p.city!, mode: 'insensitive' as const }, state: p.state! })) },
    select: { city: true, state: true },
  });
  return new Set(rows.map((r) => `${r.city.toLowerCase()}|${r.state}`));
}

export const cityKey = (p: { city: string | null; state: string | null }) => `${(p.city ?? '').toLowerCase()}|${p.state ?? ''}`;

/** Stores the seed 002 §3.6.3 scores on the contractor. */
export const writeContractorScores = (db: Db, id: string, s: { fitScore: number; conversionLikelihood: number; ltvCents: number; priority: number }) =>
  db.contractor.update({
    where: { id },
    data: { fitScore: s.fitScore, conversionLikelihood: s.conversionLikelihood, ltvEstimate: s.ltvCents / 100, priorityScore: s.priority },
  });
