import type { Db } from '../../platform/db.ts';

/** Permits of live leads whose intent scoring failed, oldest failure first. */
export const findRetryPermitIds = async (db: Db, limit: number): Promise<string[]> => {
  const rows = await db.baseLead.findMany({
    where: { tier: 'RETRY', permitId: { not: null }, deletedAt: null },
    select: { permitId: true },
    orderBy: [{ intentScoredAt: 'asc' }, { id: 'asc' }],
    take: limit,
  });
  return rows.map((r) => r.permitId!);
};

export const findSoldLead = (db: Db, id: string) =>
  db.baseLead.findUniqueOrThrow({ where: { id }, select: { id: true, status: true, soldTo: true, soldPrice: true, soldAt: true, tier: true, category: true } });
