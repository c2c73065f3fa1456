import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { ensureUser } from '../../src/modules/auth/auth.service.ts';
import { findExclusiveHolder } from '../../src/modules/territories/territories.service.ts';

let h: TestHarness;
let seq = 0;

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);

async function createContractor(name = `Terr Co ${++seq}`, subscriptionTier = 'professional'): Promise<string> {
  const res = await h.app.inject({
    method: 'POST', url: '/api/v1/contractors', headers: h.adminAuth,
    payload: { companyName: name, email: `c${seq}@terr.test`, city: 'Austin', state: 'TX', zip: '78701', subscriptionTier },
  });
  if (res.statusCode !== 201) throw new Error(`create contractor: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

const claim = (contractorId: string, payload: Record<string, unknown>, headers = h.adminAuth) =>
  h.app.inject({ method: 'POST', url: `/api/v1/contractors/${contractorId}/territories`, headers, payload });

const activeRows = (zip: string, trade: string) => h.ctx.db.prisma.territory.findMany({ where: { zip, trade, status: 'active' } });

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('POST /api/v1/contractors/:id/territories', () => {
  it('assigns an exclusive territory and records a system event in the same transaction', async () => {
    const c = await createContractor();
    const res = await claim(c, { zip: '78701', trade: 'roof', exclusive: true, expiresAt: '2099-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: UUID, contractorId: c, kind: 'zip', zip: '78701', city: null, state: null, trade: 'roof', exclusive: true, status: 'active',
      startsAt: ISO, expiresAt: '2099-01-01T00:00:00.000Z', revokedAt: null, createdAt: ISO,
    });
    const ev = await h.ctx.db.prisma.systemEvent.findMany({ where: { entityId: res.json().id } });
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ eventName: 'territory.assigned', entityType: 'territory', service: 'territories' });
    expect(ev[0]!.eventData).toMatchObject({ contractorId: c, zip: '78701', trade: 'roof', exclusive: true });
    expect(await findExclusiveHolder(h.ctx.db.prisma, '78701', 'roof')).toBe(c);
    expect(await findExclusiveHolder(h.ctx.db.prisma, '78701', 'pool')).toBeNull();
  });

  it.each([
    ['zip', { zip: '7870', trade: 'roof', exclusive: true }],
    ['zip', { zip: '78701-1234', trade: 'roof', exclusive: true }],
    ['trade', { zip: '78701', trade: 'roofing', exclusive: true }],
    ['trade', { zip: '78701', exclusive: true }],
  ])('rejects a bad %s with 400 VALIDATION_FAILED naming it', async (field, payload) => {
    const c = await createContractor();
    const res = await claim(c, payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(`body.${field}`);
    expect(res.json().detail).toContain(field);
  });

  it('rejects an expiry in the past', async () => {
    const c = await createContractor();
    const res = await claim(c, { zip: '78799', trade: 'roof', exclusive: true, expiresAt: '2001-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(res.json().detail).toContain('expiresAt');
    expect(await activeRows('78799', 'roof')).toHaveLength(0);
  });

  it('answers 404 for an unknown contractor', async () => {
    const res = await claim('6f1c1d2e-0000-4000-8000-000000000000', { zip: '78702', trade: 'roof', exclusive: true });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('CONTRACTOR_NOT_FOUND');
  });

  it('20 concurrent exclusive claims on one (zip, trade): exactly one 201, nineteen 409 TERRITORY_TAKEN', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await createContractor());
    const results = await Promise.all(ids.map((id) => claim(id, { zip: '73301', trade: 'hvac', exclusive: true })));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((s) => s === 201)).toHaveLength(1);
    expect(codes.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((r) => r.statusCode === 409)) expect(r.json().code).toBe('TERRITORY_TAKEN');
    const winner = results.find((r) => r.statusCode === 201)!.json();
    const rows = await activeRows('73301', 'hvac');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(winner.id);
    expect(await h.ctx.db.prisma.territory.count({ where: { zip: '73301', trade: 'hvac' } })).toBe(1);
  });

  it('a second exclusive claim by the same contractor is also taken; other trades and ZIPs are free', async () => {
    const c = await createContractor();
    expect((await claim(c, { zip: '73302', trade: 'roof', exclusive: true })).statusCode).toBe(201);
    const dup = await claim(c, { zip: '73302', trade: 'roof', exclusive: true });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('TERRITORY_TAKEN');
    expect((await claim(c, { zip: '73302', trade: 'pool', exclusive: true })).statusCode).toBe(201);
    expect((await claim(c, { zip: '73303', trade: 'roof', exclusive: true })).statusCode).toBe(201);
  });

  it('shared claims sit side by side, but not beside another contractor’s exclusive claim', async () => {
    const [a, b, x] = [await createContractor(), await createContractor(), await createContractor()];
    expect((await claim(a, { zip: '73310', trade: 'fence', exclusive: false })).statusCode).toBe(201);
    expect((await claim(b, { zip: '73310', trade: 'fence', exclusive: false })).statusCode).toBe(201);
    expect((await claim(x, { zip: '73311', trade: 'fence', exclusive: true })).statusCode).toBe(201);
    const shared = await claim(a, { zip: '73311', trade: 'fence', exclusive: false });
    expect(shared.statusCode).toBe(409);
    expect(shared.json().code).toBe('TERRITORY_TAKEN');
  });

  it('tier rules (seed 002 §3.6.6): a starter contractor holds shared claims only', async () => {
    const starter = await createContractor(`Starter ${++seq}`, 'starter');
    const res = await claim(starter, { zip: '73330', trade: 'roof', exclusive: true });
    expect([res.statusCode, res.json().code]).toEqual([403, 'TIER_NOT_ALLOWED']);
    expect((await claim(starter, { zip: '73330', trade: 'roof', exclusive: false })).statusCode).toBe(201);
  });

  it('an exclusive claim over other contractors’ shared claims is 409 unless an admin forces it, which ends them at once', async () => {
    const [a, b, x] = [await createContractor(), await createContractor(), await createContractor()];
    expect((await claim(a, { zip: '73331', trade: 'siding', exclusive: false })).statusCode).toBe(201);
    expect((await claim(b, { zip: '73331', trade: 'siding', exclusive: false })).statusCode).toBe(201);
    const refused = await claim(x, { zip: '73331', trade: 'siding', exclusive: true });
    expect([refused.statusCode, refused.json().code, refused.json().sharedClaims]).toEqual([409, 'TERRITORY_SHARED', 2]);
    await ensureUser(h.ctx, { email: 'terr-ops@t.test', password: 'password123', role: 'ops' });
    const ops = await claim(x, { zip: '73331', trade: 'siding', exclusive: true, force: true }, await h.login('terr-ops@t.test'));
    expect([ops.statusCode, ops.json().code]).toEqual([403, 'FORBIDDEN']);
    const forced = await claim(x, { zip: '73331', trade: 'siding', exclusive: true, force: true });
    expect(forced.statusCode).toBe(201);
    expect((await activeRows('73331', 'siding')).map((t) => [t.contractorId, t.exclusive])).toEqual([[x, true]]);
    expect(await h.ctx.db.prisma.systemEvent.count({ where: { eventName: 'territory.revoked', eventData: { path: ['reason'], equals: 'superseded_by_exclusive' } } })).toBe(2);
  });

  it('20 concurrent mixed claims on one (zip, trade): one kind wins, never an exclusive beside another claim', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => createContractor()));
    const results = await Promise.all(ids.map((id, i) => claim(id, { zip: '73340', trade: 'windows', exclusive: i % 2 === 0 })));
    const won = results.flatMap((r, i) => (r.statusCode === 201 ? [i] : []));
    const rows = await activeRows('73340', 'windows');
    expect(rows).toHaveLength(won.length);
    const exclusives = rows.filter((t) => t.exclusive);
    if (exclusives.length) {
      // an exclusive claim came first: it is the only winner, everyone else was refused
      expect(won).toHaveLength(1);
      expect(exclusives).toHaveLength(1);
    } else {
      // a shared claim came first: all ten shared claims won, every exclusive one was refused as shared
      expect(won.every((i) => i % 2 === 1)).toBe(true);
      expect(won).toHaveLength(10);
    }
    for (const [i, r] of results.entries()) if (r.statusCode !== 201) expect(r.json().code).toMatch(i % 2 === 0 ? /^TERRITORY_(TAKEN|SHARED)$/ : /^TERRITORY_TAKEN$/);
  });

  it('city-wide exclusivity per trade for enterprise (seed 002 §3.6.6), one per city and trade, refused both ways against ZIP exclusives', async () => {
    const [ent, ent2, pro] = [await createContractor(`Ent ${++seq}`, 'enterprise'), await createContractor(`Ent ${++seq}`, 'enterprise'), await createContractor()];
    const city = { kind: 'city', city: 'Round Rock', state: 'tx', trade: 'hvac' };
    const notEnterprise = await claim(pro, city);
    expect([notEnterprise.statusCode, notEnterprise.json().code]).toEqual([403, 'TIER_NOT_ALLOWED']);
    const bad = await claim(ent, { kind: 'city', trade: 'hvac', zip: '78664' });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    const won = await claim(ent, city);
    expect(won.statusCode).toBe(201);
    expect(won.json()).toMatchObject({ kind: 'city', zip: null, city: 'Round Rock', state: 'TX', trade: 'hvac', exclusive: true });
    const second = await claim(ent2, { ...city, city: 'ROUND ROCK' });
    expect([second.statusCode, second.json().code]).toEqual([409, 'TERRITORY_TAKEN']);
    // A ZIP of Round Rock (78664) cannot be claimed by another contractor, shared or exclusive.
    for (const exclusive of [true, false]) {
      const z = await claim(pro, { zip: '78664', trade: 'hvac', exclusive });
      expect([z.statusCode, z.json().code]).toEqual([409, 'TERRITORY_TAKEN']);
    }
    expect((await claim(pro, { zip: '78664', trade: 'roof', exclusive: true })).statusCode).toBe(201); // another trade
    // The other way: a ZIP exclusive in Georgetown (78626) blocks a city claim on Georgetown.
    expect((await claim(pro, { zip: '78626', trade: 'hvac', exclusive: true })).statusCode).toBe(201);
    const blocked = await claim(ent2, { kind: 'city', city: 'Georgetown', state: 'TX', trade: 'hvac' });
    expect([blocked.statusCode, blocked.json().code]).toEqual([409, 'TERRITORY_TAKEN']);
    // The database refuses a second active city claim even without the service's checks.
    await expect(h.ctx.db.prisma.territory.create({ data: { contractorId: ent2, kind: 'city', city: 'round rock', state: 'TX', trade: 'hvac', exclusive: true } }))
      .rejects.toThrow();
  });

  it('an expired claim does not block: it is marked expired and the new claim wins', async () => {
    const [old, fresh] = [await createContractor(), await createContractor()];
    const stale = await h.ctx.db.prisma.territory.create({
      data: { contractorId: old, zip: '73320', trade: 'roof', exclusive: true, status: 'active', expiresAt: new Date(Date.now() - 60_000) },
    });
    expect(await findExclusiveHolder(h.ctx.db.prisma, '73320', 'roof')).toBeNull();
    const res = await claim(fresh, { zip: '73320', trade: 'roof', exclusive: true });
    expect(res.statusCode).toBe(201);
    expect((await h.ctx.db.prisma.territory.findUniqueOrThrow({ where: { id: stale.id } })).status).toBe('expired');
    expect((await activeRows('73320', 'roof')).map((t) => t.contractorId)).toEqual([fresh]);
    expect(await h.ctx.db.prisma.systemEvent.count({ where: { entityId: stale.id, eventName: 'territory.expired' } })).toBe(1);
  });
});

describe('DELETE /api/v1/contractors/:id/territories/:territoryId', () => {
  it('revokes; another contractor can then claim it', async () => {
    const [a, b] = [await createContractor(), await createContractor()];
    const t = (await claim(a, { zip: '73330', trade: 'plumbing', exclusive: true })).json();
    expect((await claim(b, { zip: '73330', trade: 'plumbing', exclusive: true })).statusCode).toBe(409);

    const del = await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${a}/territories/${t.id}`, headers: h.adminAuth });
    expect(del.statusCode).toBe(204);
    const row = await h.ctx.db.prisma.territory.findUniqueOrThrow({ where: { id: t.id } });
    expect(row.status).toBe('revoked');
    expect(row.revokedAt).toBeInstanceOf(Date);
    expect(await h.ctx.db.prisma.systemEvent.count({ where: { entityId: t.id, eventName: 'territory.revoked' } })).toBe(1);

    const again = await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${a}/territories/${t.id}`, headers: h.adminAuth });
    expect(again.statusCode).toBe(204);
    expect(await h.ctx.db.prisma.systemEvent.count({ where: { entityId: t.id, eventName: 'territory.revoked' } })).toBe(1);

    const reclaim = await claim(b, { zip: '73330', trade: 'plumbing', exclusive: true });
    expect(reclaim.statusCode).toBe(201);
    expect((await activeRows('73330', 'plumbing')).map((r) => r.contractorId)).toEqual([b]);
  });

  it('answers 404 TERRITORY_NOT_FOUND for a territory of another contractor', async () => {
    const [a, b] = [await createContractor(), await createContractor()];
    const t = (await claim(a, { zip: '73331', trade: 'plumbing', exclusive: true })).json();
    const res = await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${b}/territories/${t.id}`, headers: h.adminAuth });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('TERRITORY_NOT_FOUND');
    expect((await h.ctx.db.prisma.territory.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('active');
  });
});

describe('contractor soft delete', () => {
  it('revokes its active territories in the same transaction, freeing them', async () => {
    const [a, b] = [await createContractor(), await createContractor()];
    const t1 = (await claim(a, { zip: '73340', trade: 'roof', exclusive: true })).json();
    const t2 = (await claim(a, { zip: '73341', trade: 'roof', exclusive: false })).json();
    const del = await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${a}`, headers: h.adminAuth });
    expect(del.statusCode).toBe(204);
    const rows = await h.ctx.db.prisma.territory.findMany({ where: { contractorId: a }, orderBy: { zip: 'asc' } });
    expect(rows.map((r) => [r.id, r.status])).toEqual([[t1.id, 'revoked'], [t2.id, 'revoked']]);
    const events = await h.ctx.db.prisma.systemEvent.findMany({ where: { entityId: { in: [t1.id, t2.id] }, eventName: 'territory.revoked' } });
    expect(events).toHaveLength(2);
    for (const e of events) expect(e.eventData).toMatchObject({ reason: 'contractor_deleted' });
    expect((await claim(b, { zip: '73340', trade: 'roof', exclusive: true })).statusCode).toBe(201);
    // A deleted contractor cannot be given new territory.
    const res = await claim(a, { zip: '73342', trade: 'roof', exclusive: true });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('CONTRACTOR_NOT_FOUND');
  });
});

describe('GET /api/v1/contractors/:id/territories', () => {
  it('pages through territories by ZIP and filters by status', async () => {
    const c = await createContractor();
    for (const zip of ['73354', '73350', '73352', '73351', '73353']) expect((await claim(c, { zip, trade: 'siding', exclusive: true })).statusCode).toBe(201);
    const last = await h.ctx.db.prisma.territory.findFirstOrThrow({ where: { contractorId: c, zip: '73354' } });
    await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${c}/territories/${last.id}`, headers: h.adminAuth });

    const zips: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${c}/territories`, headers: h.adminAuth, query: { limit: '2', ...(cursor ? { cursor } : {}) } });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { zip: string }[]; nextCursor: string | null };
      zips.push(...body.items.map((t) => t.zip));
      cursor = body.nextCursor;
    } while (cursor);
    expect(zips).toEqual(['73350', '73351', '73352', '73353', '73354']);

    const active = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${c}/territories`, headers: h.adminAuth, query: { status: 'active' } });
    expect(active.json().items.map((t: { zip: string }) => t.zip)).toEqual(['73350', '73351', '73352', '73353']);
    const revoked = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${c}/territories`, headers: h.adminAuth, query: { status: 'revoked' } });
    expect(revoked.json().items).toEqual([expect.objectContaining({ zip: '73354', status: 'revoked', revokedAt: ISO })]);
  });

  it('shows an active claim past its expiry as expired', async () => {
    const c = await createContractor();
    await h.ctx.db.prisma.territory.create({ data: { contractorId: c, zip: '73360', trade: 'roof', exclusive: true, expiresAt: new Date(Date.now() - 1000) } });
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${c}/territories`, headers: h.adminAuth, query: { status: 'expired' } });
    expect(res.json().items).toEqual([expect.objectContaining({ zip: '73360', status: 'expired' })]);
    const active = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${c}/territories`, headers: h.adminAuth, query: { status: 'active' } });
    expect(active.json().items).toEqual([]);
  });
});

describe('object-level authorization for territory routes', () => {
  let a: string, b: string, authA: { authorization: string };
  beforeAll(async () => {
    [a, b] = [await createContractor(), await createContractor()];
    await ensureUser(h.ctx, { email: 'terr-a@c.test', password: 'password123', role: 'contractor', contractorId: a });
    authA = await h.login('terr-a@c.test');
    expect((await claim(a, { zip: '73370', trade: 'roof', exclusive: true })).statusCode).toBe(201);
    expect((await claim(b, { zip: '73371', trade: 'roof', exclusive: true })).statusCode).toBe(201);
  });

  it('a contractor lists its own territories', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${a}/territories`, headers: authA });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((t: { zip: string; contractorId: string }) => [t.zip, t.contractorId])).toEqual([['73370', a]]);
  });

  it("cannot list another contractor's territories (404)", async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${b}/territories`, headers: authA });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('cannot create territories at all, not even for itself (403)', async () => {
    for (const id of [a, b]) {
      const res = await claim(id, { zip: '73372', trade: 'roof', exclusive: true }, authA);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    expect(await h.ctx.db.prisma.territory.count({ where: { zip: '73372' } })).toBe(0);
  });

  it('cannot revoke territories (403)', async () => {
    const t = await h.ctx.db.prisma.territory.findFirstOrThrow({ where: { contractorId: b } });
    const res = await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${b}/territories/${t.id}`, headers: authA });
    expect(res.statusCode).toBe(403);
    expect((await h.ctx.db.prisma.territory.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('active');
  });

  it('unauthenticated calls are 401', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${a}/territories` });
    expect(res.statusCode).toBe(401);
  });
});

describe('GET /api/v1/territories/available', () => {
  it('lists which ZIPs have no active exclusive claim for the trade; any signed-in principal may ask', async () => {
    const [a, b] = [await createContractor(), await createContractor()];
    await ensureUser(h.ctx, { email: 'avail@c.test', password: 'password123', role: 'contractor', contractorId: b });
    const auth = await h.login('avail@c.test');
    expect((await claim(a, { zip: '73380', trade: 'roof', exclusive: true })).statusCode).toBe(201);
    expect((await claim(a, { zip: '73381', trade: 'roof', exclusive: false })).statusCode).toBe(201);
    expect((await claim(a, { zip: '73382', trade: 'pool', exclusive: true })).statusCode).toBe(201);
    await h.ctx.db.prisma.territory.create({ data: { contractorId: a, zip: '73383', trade: 'roof', exclusive: true, expiresAt: new Date(Date.now() - 1000) } });

    const res = await h.app.inject({ method: 'GET', url: '/api/v1/territories/available?trade=roof&zips=73380,73381,73382,73383,73384', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ trade: 'roof', available: ['73381', '73382', '73383', '73384'], taken: ['73380'] });
  });

  it.each([
    ['zips', 'trade=roof&zips=73380,7338'],
    ['zips', 'trade=roof&zips='],
    ['zips', 'trade=roof'],
    ['trade', 'trade=roofing&zips=73380'],
  ])('rejects a bad %s (%s) with 400 VALIDATION_FAILED', async (field, qs) => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/territories/available?${qs}`, headers: h.adminAuth });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(res.json().detail).toContain(field);
  });

  it('requires authentication', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/territories/available?trade=roof&zips=73380' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });
});

describe('territory claims through a busy connection pool', () => {
  it('requests queued behind a claim blocked on a lock wait for a connection instead of failing (no 500s)', async () => {
    const small = await createHarness({ DATABASE_POOL_MAX: '1' });
    const locker = new pg.Client({ connectionString: small.config.DATABASE_URL });
    try {
      const ids = await Promise.all(
        Array.from({ length: 6 }, async (_, i) =>
          (await small.ctx.db.prisma.contractor.create({ data: { companyName: `Pool ${i}`, subscriptionTier: 'professional' } })).id),
      );
      // Another session holds the first claimant's row for 3 s: its claim takes the only pooled connection and
      // blocks on the lock, so the other five wait longer than Prisma's default 2 s for a connection.
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM contractors WHERE id = $1 FOR UPDATE', [ids[0]]);
      const claimFor = (id: string) =>
        small.app.inject({ method: 'POST', url: `/api/v1/contractors/${id}/territories`, headers: small.adminAuth, payload: { zip: '73344', trade: 'roof', exclusive: true } });
      const first = claimFor(ids[0]!);
      await new Promise((r) => setTimeout(r, 200));
      const rest = ids.slice(1).map(claimFor);
      await new Promise((r) => setTimeout(r, 3000));
      await locker.query('COMMIT');
      const codes = (await Promise.all([first, ...rest])).map((r) => r.statusCode).sort();
      expect(codes).toEqual([201, 409, 409, 409, 409, 409]);
    } finally {
      await locker.end().catch(() => {});
      await small.close();
    }
  });
});
