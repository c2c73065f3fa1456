import type { Db, Prisma } from '../../platform/db.ts';

export interface PermitFilter {
  /** Target city names (case-insensitive), matched through target_city_id or the permit's own city. */
  cities?: string[];
  ids?: string[];
}

function permitWhere(f: PermitFilter): Prisma.PermitWhereInput {
  const where: Prisma.PermitWhereInput = {};
  if (f.ids) where.id = { in: f.ids };
  if (f.cities?.length) {
    where.OR = f.cities.flatMap((c) => [
      { targetCity: { city: { equals: c, mode: 'insensitive' as const } } },
      { city: { equals: c, mode: 'insensitive' as const } },
    ]);
  }
  return where;
}

const PERMIT_SELECT = {
  id: true,
  permitNumber: true,
  address: true,
  city: true,
  state: true,
  zip: true,
  lat: true,
  lng: true,
  permitType: true,
  permitClass: true,
  workDescription: true,
  estimatedValue: true,
  appliedDate: true,
  issueDate: true,
  scrapedAt: true,
  propertyId: true,
  property: { select: { address: true, city: true, state: true, zip: true, ownerName: true, marketValue: true, isAbsentee: true, yearBuilt: true, sqft: true, propertyType: true } },
  targetCity: { select: { city: true, state: true } },
} as const satisfies Prisma.PermitSelect;

export type PermitRow = Prisma.PermitGetPayload<{ select: typeof PERMIT_SELECT }>;

export const countPermits = (db: Db, f: PermitFilter) => db.permit.count({ where: permitWhere(f) });

/** Newest scraped first, keyset-paged on (scraped_at, id) so a long run reads in bounded chunks. */
export const findPermitsPage = (db: Db, f: PermitFilter, take: number, afterId?: string) =>
  db.permit.findMany({
    where: permitWhere(f),
    select: PERMIT_SELECT,
    orderBy: [{ scrapedAt: 'desc' }, { id: 'desc' }],
    take,
    ...(afterId ? { cursor: { id: afterId }, skip: 1 } : {}),
  });

export const findTargetCities = (db: Db) => db.targetCity.findMany({ select: { city: true, state: true } });

export const findVerticalIds = (db: Db) => db.vertical.findMany({ select: { id: true, slug: true } });

/** The base_leads natural key (issue 8 §1): one lead per property and trade. */
export interface LeadKey {
  address: string;
  city: string;
  state: string;
  trade: string;
}

/** Leads at these (address, city, state, trade) keys. */
export const findLeadsByKeys = (db: Db, keys: LeadKey[]) =>
  db.baseLead.findMany({
    where: { OR: keys.map((k) => ({ address: k.address, city: k.city, state: k.state, trade: k.trade })) },
    select: { id: true, status: true, deletedAt: true, address: true, city: true, state: true, trade: true, qualityScore: true },
  });

/** ON CONFLICT DO NOTHING: a lead another writer inserted meanwhile is found by the caller's next read. */
export const insertLeadsIfAbsent = (db: Db, data: Prisma.BaseLeadCreateManyInput[]) => db.baseLead.createMany({ data, skipDuplicates: true });

/** Scoring columns only; status moves through leads.service transitionLead. */
export const updateLeadColumns = (db: Db, id: string, data: Prisma.BaseLeadUncheckedUpdateManyInput) =>
  db.baseLead.updateMany({ where: { id, deletedAt: null }, data });

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
