import type { Db } from '../../platform/db.ts';

/** Active and not past expires_at: the rows that actually hold a (zip, trade). */
const live = () => ({ status: 'active' as const, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] });

// Raw SQL: Prisma cannot say FOR SHARE. The share lock makes a concurrent soft delete of the contractor
// (whose UPDATE needs the row) wait for this claim to commit, so its revocation sees the new territory.
export async function shareLockLiveContractor(db: Db, contractorId: string): Promise<{ tier: 'starter' | 'professional' | 'enterprise' } | null> {
  const rows = await db.$queryRaw<{ tier: 'starter' | 'professional' | 'enterprise' }[]>`
    SELECT subscription_tier::text AS tier FROM contractors WHERE id = ${contractorId}::uuid AND deleted_at IS NULL FOR SHARE`;
  return rows[0] ?? null;
}

// Advisory lock namespace (two-int form): claims on one (zip, trade) are decided one at a time, so a shared claim
// and an exclusive one arriving together cannot both commit beside each other.
const CLAIM_LOCK_NS = 7_307_041;

export async function lockZipTrade(db: Db, zip: string, trade: string): Promise<void> {
  await db.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_NS}::int, hashtext(${`${zip}|${trade}`}))`;
}

/** Other contractors' live shared claims on (zip, trade). */
export const findOthersSharedClaims = (db: Db, zip: string, trade: string, contractorId: string) =>
  db.territory.findMany({ where: { zip, trade, exclusive: false, contractorId: { not: contractorId }, ...live() } });

/** Ends these claims (an admin's forced exclusive claim supersedes them); conditional on still active. */
export const revokeClaims = (db: Db, ids: string[]) =>
  db.territory.updateManyAndReturn({ where: { id: { in: ids }, status: 'active' }, data: { status: 'revoked', revokedAt: new Date() } });

export const contractorIsLive = async (db: Db, contractorId: string) =>
  (await db.contractor.count({ where: { id: contractorId, deletedAt: null } })) > 0;

/** Flips lapsed active claims on (zip, trade) to expired so the partial unique index stops counting them. */
export const expireLapsed = (db: Db, zip: string, trade: string) =>
  db.territory.updateManyAndReturn({
    where: { zip, trade, status: 'active', expiresAt: { lte: new Date() } },
    data: { status: 'expired' },
  });

export const insertTerritory = (
  db: Db,
  data: { contractorId: string; kind: 'zip' | 'city'; zip: string | null; city: string | null; state: string | null; trade: string; exclusive: boolean; expiresAt: Date | null },
) => db.territory.create({ data });

/** Flips lapsed active city claims on (city, state, trade) to expired so territories_one_active_city stops counting them. */
export const expireLapsedCity = (db: Db, city: string, state: string, trade: string) =>
  db.territory.updateManyAndReturn({
    where: { kind: 'city', city: { equals: city, mode: 'insensitive' }, state, trade, status: 'active', expiresAt: { lte: new Date() } },
    data: { status: 'expired' },
  });

/** The live city-wide claim on (city, state, trade), if any. */
export const findCityHolder = (db: Db, city: string, state: string, trade: string) =>
  db.territory.findFirst({ where: { kind: 'city', city: { equals: city, mode: 'insensitive' }, state, trade, ...live() }, select: { contractorId: true } });

/** Every live ZIP claim of `trade` (the caller keeps those in one city: ZIP → city is reference data, not a column). */
export const findLiveZipClaims = (db: Db, trade: string, opts: { exclusive?: boolean } = {}) =>
  db.territory.findMany({ where: { kind: 'zip', trade, ...(opts.exclusive !== undefined ? { exclusive: opts.exclusive } : {}), ...live() }, select: { id: true, contractorId: true, zip: true, exclusive: true } });

/** Serializes claims touching one city and trade (ZIP claims of the city and the city claim). */
export async function lockCityTrade(db: Db, city: string, state: string, trade: string): Promise<void> {
  await db.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_NS}::int, hashtext(${`city|${city.toLowerCase()}|${state}|${trade}`}))`;
}

export const findExclusiveHolder = (db: Db, zip: string, trade: string) =>
  db.territory.findFirst({ where: { kind: 'zip', zip, trade, exclusive: true, ...live() }, select: { contractorId: true } });

export const findTakenZips = async (db: Db, trade: string, zips: string[]) =>
  (await db.territory.findMany({ where: { trade, zip: { in: zips }, exclusive: true, ...live() }, select: { zip: true }, distinct: ['zip'] })).map((r) => r.zip);

/** Keyset page ordered by (zip, id). `expired` also matches active rows past their expiry. */
export function listTerritories(db: Db, opts: { contractorId: string; status?: 'active' | 'revoked' | 'expired'; after?: [string, string]; limit: number }) {
  const now = new Date();
  const byStatus =
    opts.status === 'active' ? live()
    : opts.status === 'expired' ? { OR: [{ status: 'expired' as const }, { status: 'active' as const, expiresAt: { lte: now } }] }
    : opts.status === 'revoked' ? { status: 'revoked' as const }
    : {};
  const after = opts.after ? { OR: [{ zip: { gt: opts.after[0] } }, { zip: opts.after[0], id: { gt: opts.after[1] } }] } : {};
  return db.territory.findMany({
    where: { contractorId: opts.contractorId, AND: [byStatus, after] },
    orderBy: [{ zip: 'asc' }, { id: 'asc' }],
    take: opts.limit,
  });
}

export const findTerritoryOf = (db: Db, contractorId: string, id: string) => db.territory.findFirst({ where: { id, contractorId } });

/** Conditional on still active, so two revocations cannot both report success. */
export const revokeActive = (db: Db, where: { id?: string; contractorId: string }) =>
  db.territory.updateManyAndReturn({ where: { ...where, status: 'active' }, data: { status: 'revoked', revokedAt: new Date() } });
