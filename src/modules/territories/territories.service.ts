import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { assertContractorAccess, requireRole, type Principal } from '../../platform/auth.ts';
import { isUniqueViolation, type Db } from '../../platform/db.ts';
import { recordSystemEvent } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { zipCity } from '../acquisition/geocoding/index.ts';
import * as repo from './territories.repository.ts';
import type { TAssignTerritoryBody, TTerritory } from './territories.schemas.ts';

type TerritoryRow = Awaited<ReturnType<typeof repo.insertTerritory>>;

const SERVICE = 'territories';

export function toTerritory(t: TerritoryRow, now = new Date()): TTerritory {
  const lapsed = t.status === 'active' && t.expiresAt !== null && t.expiresAt <= now;
  return {
    id: t.id,
    contractorId: t.contractorId,
    kind: t.kind === 'city' ? 'city' : 'zip',
    zip: t.zip,
    city: t.city,
    state: t.state,
    trade: t.trade,
    exclusive: t.exclusive,
    status: lapsed ? 'expired' : t.status,
    startsAt: t.startsAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

function territoryEvent(db: Db, name: 'territory.assigned' | 'territory.revoked' | 'territory.expired', t: TerritoryRow, data: Record<string, unknown> = {}) {
  return recordSystemEvent(db, {
    eventType: 'territory',
    eventName: name,
    service: SERVICE,
    entityType: 'territory',
    entityId: t.id,
    data: { contractorId: t.contractorId, kind: t.kind, zip: t.zip, city: t.city, state: t.state, trade: t.trade, exclusive: t.exclusive, ...data },
  });
}

/** Contractor id holding an active, unexpired exclusive claim on (zip, trade), else null. */
export async function findExclusiveHolder(db: Db, zip: string, trade: string): Promise<string | null> {
  return (await repo.findExclusiveHolder(db, zip, trade))?.contractorId ?? null;
}


/**
 * The contractor a lead is exclusive to, if any: the holder of a live exclusive claim on its (zip, trade), else of
 * a live city-wide claim on its (city, state, trade) — the purchase rule of seed 000 and seed 002 §3.6.6.
 */
export async function findLeadExclusiveHolder(db: Db, lead: { zip: string | null; city: string; state: string; trade: string }): Promise<string | null> {
  if (lead.zip) {
    const z = await findExclusiveHolder(db, lead.zip, lead.trade);
    if (z) return z;
  }
  return (await repo.findCityHolder(db, lead.city, lead.state, lead.trade))?.contractorId ?? null;
}

/**
 * Claims (zip, trade) for a contractor. Exclusivity is the database's job (seed 000: "enforced at database
 * level"): the partial unique index territories_one_active_exclusive lets only one of N concurrent exclusive
 * claims commit; the others get a unique violation, answered as TERRITORY_TAKEN. Claims on one (zip, trade) are
 * also serialized by an advisory lock, so a shared and an exclusive claim cannot both commit side by side.
 * Tier rules (seed 002 §3.6.6): a starter contractor holds shared claims only (403 TIER_NOT_ALLOWED for an
 * exclusive one). An exclusive claim where other contractors hold shared claims is 409 TERRITORY_SHARED, unless an
 * admin passes `force`, which ends those shared claims in the same transaction. A ZIP claim is refused while
 * another contractor holds the ZIP's city city-wide; `kind: 'city'` claims go through claimCity.
 */
export async function assignTerritory(ctx: AppContext, principal: Principal | undefined, opts: TAssignTerritoryBody & { contractorId: string }) {
  const p = requireRole(principal, 'admin', 'ops');
  const expiresAt = opts.expiresAt ? new Date(opts.expiresAt) : null;
  if (expiresAt && expiresAt <= new Date()) {
    throw new AppError('VALIDATION_FAILED', { message: 'expiresAt must be in the future', details: { errors: [{ path: 'body.expiresAt', message: 'must be in the future' }] } });
  }
  if (opts.force && p.role !== 'admin') throw new AppError('FORBIDDEN', { message: 'only an admin may force an exclusive claim' });
  const kind = opts.kind ?? 'zip';
  try {
    return await ctx.db.prisma.$transaction(async (tx) => {
      const contractor = await repo.shareLockLiveContractor(tx, opts.contractorId);
      if (!contractor) throw new AppError('CONTRACTOR_NOT_FOUND', { message: `contractor ${opts.contractorId} not found` });
      if (opts.exclusive && contractor.tier === 'starter') {
        throw new AppError('TIER_NOT_ALLOWED', { message: 'starter contractors cannot hold exclusive territories; claim it shared, or upgrade to professional' });
      }
      if (kind === 'city') return await claimCity(tx, p, { ...opts, city: opts.city!, state: opts.state!, expiresAt, tier: contractor.tier });
      const zip = opts.zip!;
      // The ZIP's city is locked first (as a city claim locks it), then the ZIP itself.
      const home = zipCity(zip);
      if (home) await repo.lockCityTrade(tx, home.city, home.state, opts.trade);
      await repo.lockZipTrade(tx, zip, opts.trade);
      // A lapsed claim must not block: retire it first, in this transaction, so the index no longer counts it.
      for (const old of await repo.expireLapsed(tx, zip, opts.trade)) await territoryEvent(tx, 'territory.expired', old);
      if (home) {
        // Another contractor's city-wide claim covers this ZIP, shared or exclusive.
        const city = await repo.findCityHolder(tx, home.city, home.state, opts.trade);
        if (city && city.contractorId !== opts.contractorId) throw cityTakenError(home.city, home.state, opts.trade);
      }
      if (!opts.exclusive) {
        // A shared claim may sit beside other shared claims, never beside someone's exclusive one.
        const holder = await findExclusiveHolder(tx, zip, opts.trade);
        if (holder && holder !== opts.contractorId) throw takenError(zip, opts.trade);
      } else {
        await endSharedClaims(tx, p, opts, (await repo.findOthersSharedClaims(tx, zip, opts.trade, opts.contractorId)).map((t) => t.id), `${opts.trade} in ${zip}`);
      }
      const t = await repo.insertTerritory(tx, { contractorId: opts.contractorId, kind: 'zip', zip, city: null, state: null, trade: opts.trade, exclusive: opts.exclusive, expiresAt });
      await territoryEvent(tx, 'territory.assigned', t, { by: p.id, expiresAt: expiresAt?.toISOString() ?? null });
      return toTerritory(t);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'territories_one_active_exclusive')) throw takenError(opts.zip ?? '', opts.trade);
    if (isUniqueViolation(err, 'territories_one_active_city')) throw cityTakenError(opts.city ?? '', opts.state ?? '', opts.trade);
    throw err;
  }
}

/** An exclusive claim over other contractors' shared claims: 409 unless forced, which ends them in this transaction. */
async function endSharedClaims(db: Db, p: Principal, opts: { force?: boolean }, ids: string[], what: string): Promise<void> {
  if (!ids.length) return;
  if (!opts.force) {
    throw new AppError('TERRITORY_SHARED', {
      message: `${what} has ${ids.length} shared claim(s) of other contractors; an admin may pass force to end them`,
      details: { sharedClaims: ids.length },
    });
  }
  for (const t of await repo.revokeClaims(db, ids)) await territoryEvent(db, 'territory.revoked', t, { by: p.id, reason: 'superseded_by_exclusive' });
}

/**
 * A city-wide exclusive claim (seed 002 §3.6.6: enterprise "city-wide exclusivity per trade"): at most one active per
 * (city, state, trade) — territories_one_active_city — and refused while another contractor holds an exclusive ZIP
 * claim of that trade in the city (the reverse is refused by the ZIP claim). Other contractors' shared ZIP claims in
 * the city are 409 unless forced, like a ZIP exclusive over shared claims.
 */
async function claimCity(
  db: Db,
  p: Principal,
  o: { contractorId: string; city: string; state: string; trade: string; force?: boolean; expiresAt: Date | null; tier: string },
) {
  if (o.tier !== 'enterprise') {
    throw new AppError('TIER_NOT_ALLOWED', { message: 'city-wide exclusivity is for enterprise contractors; professional ones hold ZIP exclusivity' });
  }
  await repo.lockCityTrade(db, o.city, o.state, o.trade);
  for (const old of await repo.expireLapsedCity(db, o.city, o.state, o.trade)) await territoryEvent(db, 'territory.expired', old);
  const inCity = (await repo.findLiveZipClaims(db, o.trade)).filter((t) => {
    const c = t.zip ? zipCity(t.zip) : undefined;
    return c !== undefined && c.state === o.state && c.city.toLowerCase() === o.city.toLowerCase() && t.contractorId !== o.contractorId;
  });
  const exclusive = inCity.find((t) => t.exclusive);
  if (exclusive) {
    throw new AppError('TERRITORY_TAKEN', {
      message: `${o.trade} in ZIP ${exclusive.zip} of ${o.city}, ${o.state} is held exclusively by another contractor`,
      details: { zip: exclusive.zip, trade: o.trade },
    });
  }
  await endSharedClaims(db, p, o, inCity.map((t) => t.id), `${o.trade} in ${o.city}, ${o.state}`);
  const t = await repo.insertTerritory(db, { contractorId: o.contractorId, kind: 'city', zip: null, city: o.city, state: o.state, trade: o.trade, exclusive: true, expiresAt: o.expiresAt });
  await territoryEvent(db, 'territory.assigned', t, { by: p.id, expiresAt: o.expiresAt?.toISOString() ?? null });
  return toTerritory(t);
}

const cityTakenError = (city: string, state: string, trade: string) =>
  new AppError('TERRITORY_TAKEN', { message: `${trade} in ${city}, ${state} already has an active city-wide claim`, details: { city, state, trade } });

const takenError = (zip: string, trade: string) =>
  new AppError('TERRITORY_TAKEN', { message: `${trade} in ${zip} already has an active exclusive claim`, details: { zip, trade } });

export async function listContractorTerritories(
  ctx: AppContext,
  principal: Principal | undefined,
  opts: { contractorId: string; status?: 'active' | 'revoked' | 'expired'; limit: number; cursor?: string },
) {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  assertContractorAccess(p, opts.contractorId);
  if (!(await repo.contractorIsLive(ctx.db.prisma, opts.contractorId))) {
    throw new AppError('CONTRACTOR_NOT_FOUND', { message: `contractor ${opts.contractorId} not found` });
  }
  const after = decodeCursor(opts.cursor, 2) as [string, string] | undefined;
  const rows = await repo.listTerritories(ctx.db.prisma, { contractorId: opts.contractorId, status: opts.status, after, limit: opts.limit + 1 });
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { items: page.map((t) => toTerritory(t)), nextCursor: rows.length > opts.limit && last ? encodeCursor([last.zip, last.id]) : null };
}

/** Revokes one claim. Revoking a claim that is no longer active is a no-op (idempotent DELETE). */
export async function revokeTerritory(ctx: AppContext, principal: Principal | undefined, opts: { contractorId: string; territoryId: string }) {
  const p = requireRole(principal, 'admin', 'ops');
  await ctx.db.prisma.$transaction(async (tx) => {
    const found = await repo.findTerritoryOf(tx, opts.contractorId, opts.territoryId);
    if (!found) throw new AppError('TERRITORY_NOT_FOUND', { message: `contractor ${opts.contractorId} has no territory ${opts.territoryId}` });
    for (const t of await repo.revokeActive(tx, { id: opts.territoryId, contractorId: opts.contractorId })) {
      await territoryEvent(tx, 'territory.revoked', t, { by: p.id, reason: 'revoked' });
    }
  });
}

/**
 * Revokes every active claim of a contractor inside the caller's transaction (contractor soft delete).
 * Returns how many were revoked.
 */
export async function revokeContractorTerritories(db: Db, opts: { contractorId: string; by: string; reason: string }): Promise<number> {
  const revoked = await repo.revokeActive(db, { contractorId: opts.contractorId });
  for (const t of revoked) await territoryEvent(db, 'territory.revoked', t, { by: opts.by, reason: opts.reason });
  return revoked.length;
}

/** Which of `zips` have no active exclusive claim for `trade`. Any signed-in principal may ask. */
export async function findAvailableZips(ctx: AppContext, principal: Principal | undefined, opts: { trade: string; zips: string[] }) {
  requireRole(principal, 'admin', 'ops', 'contractor');
  const taken = new Set(await repo.findTakenZips(ctx.db.prisma, opts.trade, opts.zips));
  return { trade: opts.trade, available: opts.zips.filter((z) => !taken.has(z)), taken: opts.zips.filter((z) => taken.has(z)) };
}
