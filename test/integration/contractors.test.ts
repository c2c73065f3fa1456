import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { ensureUser } from '../../src/modules/auth/auth.service.ts';

let h: TestHarness;

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);

async function createContractor(body: Record<string, unknown> = {}) {
  const res = await h.app.inject({
    method: 'POST', url: '/api/v1/contractors', headers: h.adminAuth,
    payload: { companyName: 'Acme Roofing', email: 'ops@acme.test', city: 'Austin', state: 'TX', zip: '78701', subscriptionTier: 'starter', ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create contractor: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; [k: string]: unknown };
}

async function contractorLogin(contractorId: string, email: string) {
  await ensureUser(h.ctx, { email, password: 'password123', role: 'contractor', contractorId });
  return h.login(email);
}

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('POST /api/v1/contractors', () => {
  it('creates a starter contractor with the tier fee and quota (seed 002 §3.6.6)', async () => {
    const res = await h.app.inject({
      method: 'POST', url: '/api/v1/contractors', headers: h.adminAuth,
      payload: { companyName: 'Hill Country Roofing', email: 'Owner@HillCountry.test', city: 'Austin', state: 'TX', zip: '78701', subscriptionTier: 'starter', phone: '+1 512 555 0100', ownerName: 'Dana Hill', website: 'https://hillcountry.test' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: UUID,
      companyName: 'Hill Country Roofing',
      ownerName: 'Dana Hill',
      email: 'owner@hillcountry.test',
      phone: '+1 512 555 0100',
      website: 'https://hillcountry.test',
      city: 'Austin',
      state: 'TX',
      zip: '78701',
      status: 'active',
      acquisitionStatus: 'active',
      subscriptionTier: 'starter',
      monthlyFee: 500,
      leadsPerMonth: 15,
      leadsThisMonth: 0,
      exclusivity: 'city_shared',
      priorityDelivery: false,
      // seed 002 §3.6.3 on what sign-up knows: website 5 → fit 5; website 30 + email 20 → likelihood 50;
      // LTV $500 × 12 = $6,000 (no employee count); priority (5 + 50) / 2 = 27.5
      scores: {
        fitScore: 5, conversionLikelihood: 50, ltvEstimate: 6000, priorityScore: 27.5, scorerVersion: 'contractor@1',
        factors: expect.arrayContaining([
          { name: 'online_presence', points: 5, max: 20, reason: 'website yes, Google ?★ (0 reviews), BBB no' },
          { name: 'location', points: 0, max: 15, reason: 'not in a target city (distance unknown)' },
        ]),
      },
      signedUpAt: ISO,
      createdAt: ISO,
      updatedAt: ISO,
    });
    const row = await h.ctx.db.prisma.contractor.findUniqueOrThrow({ where: { id: res.json().id } });
    expect([row.fitScore, row.conversionLikelihood, Number(row.ltvEstimate), Number(row.priorityScore)]).toEqual([5, 50, 6000, 27.5]);
    expect(String(row.monthlyFee)).toBe('500');
    expect(row.leadsPerMonth).toBe(15);
  });

  it('takes professional and enterprise terms from the tier; staff may override the quota', async () => {
    const pro = await createContractor({ subscriptionTier: 'professional' });
    expect(pro).toMatchObject({ subscriptionTier: 'professional', monthlyFee: 2000, leadsPerMonth: 50, exclusivity: 'zip', priorityDelivery: true });
    const ent = await createContractor({ subscriptionTier: 'enterprise' });
    expect(ent).toMatchObject({ subscriptionTier: 'enterprise', monthlyFee: 5000, leadsPerMonth: 150, exclusivity: 'city', priorityDelivery: true });
    const custom = await createContractor({ subscriptionTier: 'enterprise', leadsPerMonth: 300 });
    expect(custom).toMatchObject({ monthlyFee: 5000, leadsPerMonth: 300 });
  });

  it.each([
    ['companyName', { companyName: undefined }],
    ['email', { email: 'not-an-email' }],
    ['state', { state: 'Texas' }],
    ['zip', { zip: '787' }],
    ['subscriptionTier', { subscriptionTier: 'platinum' }],
    ['leadsPerMonth', { leadsPerMonth: -1 }],
  ])('rejects a bad %s with 400 VALIDATION_FAILED naming the field', async (field, patch) => {
    const res = await h.app.inject({
      method: 'POST', url: '/api/v1/contractors', headers: h.adminAuth,
      payload: { companyName: 'X', email: 'x@x.test', city: 'Austin', state: 'TX', zip: '78701', subscriptionTier: 'starter', ...patch },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors.map((e: { path: string }) => e.path)).toContain(`body.${field}`);
  });

  it('is for staff only: 401 without credentials, 403 for a contractor', async () => {
    const c = await createContractor();
    const auth = await contractorLogin(c.id, 'create-denied@c.test');
    const payload = { companyName: 'Y', email: 'y@y.test', city: 'Austin', state: 'TX', zip: '78701', subscriptionTier: 'starter' };
    const anon = await h.app.inject({ method: 'POST', url: '/api/v1/contractors', payload });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().code).toBe('UNAUTHENTICATED');
    const asContractor = await h.app.inject({ method: 'POST', url: '/api/v1/contractors', headers: auth, payload });
    expect(asContractor.statusCode).toBe(403);
    expect(asContractor.json().code).toBe('FORBIDDEN');
  });
});

describe('GET /api/v1/contractors/:id', () => {
  it('returns the contractor to staff', async () => {
    const c = await createContractor({ companyName: 'Getter Co' });
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(c);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const missing = await h.app.inject({ method: 'GET', url: '/api/v1/contractors/6f1c1d2e-0000-4000-8000-000000000000', headers: h.adminAuth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('CONTRACTOR_NOT_FOUND');
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/contractors/nope', headers: h.adminAuth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /api/v1/contractors (filters, cursor pagination)', () => {
  it('pages through 5 contractors with limit 2, each exactly once, in name order', async () => {
    const names = ['Page E', 'Page A', 'Page C', 'Page B', 'Page D'];
    const ids = [];
    for (const n of names) ids.push((await createContractor({ companyName: n, city: 'Pagetown', state: 'OK', subscriptionTier: 'professional' })).id);
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.app.inject({
        method: 'GET', url: '/api/v1/contractors', headers: h.adminAuth,
        query: { city: 'Pagetown', limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: string; companyName: string }[]; nextCursor: string | null };
      pages.push(body.items.length);
      seen.push(...body.items.map((i) => i.companyName));
      cursor = body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual(['Page A', 'Page B', 'Page C', 'Page D', 'Page E']);
  });

  it('filters by state, tier, status and city', async () => {
    const a = await createContractor({ companyName: 'Filter A', city: 'Filterville', state: 'NM', subscriptionTier: 'enterprise' });
    const b = await createContractor({ companyName: 'Filter B', city: 'Filterville', state: 'NM', subscriptionTier: 'starter' });
    await createContractor({ companyName: 'Filter C', city: 'Elsewhere', state: 'NM', subscriptionTier: 'enterprise' });
    const paused = await h.app.inject({ method: 'PATCH', url: `/api/v1/contractors/${b.id}`, headers: h.adminAuth, payload: { status: 'paused' } });
    expect(paused.statusCode).toBe(200);

    const list = async (query: Record<string, string>) => {
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/contractors', headers: h.adminAuth, query });
      expect(res.statusCode).toBe(200);
      return (res.json().items as { companyName: string }[]).map((i) => i.companyName);
    };
    expect(await list({ state: 'NM' })).toEqual(['Filter A', 'Filter B', 'Filter C']);
    expect(await list({ state: 'NM', tier: 'enterprise' })).toEqual(['Filter A', 'Filter C']);
    expect(await list({ state: 'NM', status: 'paused' })).toEqual(['Filter B']);
    expect(await list({ city: 'filterville' })).toEqual(['Filter A', 'Filter B']);
    expect(await list({ city: 'Filterville', tier: 'enterprise', status: 'active' })).toEqual(['Filter A']);
    void a;

    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/contractors', headers: h.adminAuth, query: { tier: 'gold' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    const badCursor = await h.app.inject({ method: 'GET', url: '/api/v1/contractors', headers: h.adminAuth, query: { cursor: 'garbage' } });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().code).toBe('VALIDATION_FAILED');
  });
});

describe('PATCH /api/v1/contractors/:id (staff)', () => {
  it('changing the tier resets fee and quota to the tier; an explicit quota wins', async () => {
    const c = await createContractor({ subscriptionTier: 'starter' });
    const up = await h.app.inject({ method: 'PATCH', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth, payload: { subscriptionTier: 'professional' } });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ id: c.id, subscriptionTier: 'professional', monthlyFee: 2000, leadsPerMonth: 50, exclusivity: 'zip' });
    const quota = await h.app.inject({ method: 'PATCH', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth, payload: { subscriptionTier: 'enterprise', leadsPerMonth: 120, companyName: 'Renamed Co' } });
    expect(quota.statusCode).toBe(200);
    expect(quota.json()).toMatchObject({ subscriptionTier: 'enterprise', monthlyFee: 5000, leadsPerMonth: 120, companyName: 'Renamed Co' });
    const events = await h.ctx.db.prisma.systemEvent.count({ where: { entityId: c.id, eventName: 'contractor.updated' } });
    expect(events).toBe(2);
  });

  it('rejects unknown fields and cancelling through PATCH', async () => {
    const c = await createContractor();
    const unknown = await h.app.inject({ method: 'PATCH', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth, payload: { monthlyFee: 1 } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('VALIDATION_FAILED');
    const cancel = await h.app.inject({ method: 'PATCH', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth, payload: { status: 'cancelled' } });
    expect(cancel.statusCode).toBe(400);
    expect(cancel.json().code).toBe('VALIDATION_FAILED');
  });
});

describe('contractor principals see and change only themselves', () => {
  let a: { id: string }, b: { id: string }, authA: { authorization: string };
  beforeAll(async () => {
    a = await createContractor({ companyName: 'Self A', city: 'Selfton' });
    b = await createContractor({ companyName: 'Self B', city: 'Selfton' });
    authA = await contractorLogin(a.id, 'self-a@c.test');
  });

  it('GET /contractors lists only its own row, even with filters that match others', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/contractors', headers: authA, query: { city: 'Selfton' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { id: string }) => i.id)).toEqual([a.id]);
    expect(res.json().nextCursor).toBeNull();
  });

  it('GET its own record works; another contractor is 404', async () => {
    const own = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${a.id}`, headers: authA });
    expect(own.statusCode).toBe(200);
    expect(own.json().id).toBe(a.id);
    const other = await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${b.id}`, headers: authA });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('NOT_FOUND');
  });

  it('PATCH another contractor is 404 and changes nothing', async () => {
    const res = await h.app.inject({ method: 'PATCH', url: `/api/v1/contractors/${b.id}`, headers: authA, payload: { phone: '555-0000' } });
    expect(res.statusCode).toBe(404);
    expect((await h.ctx.db.prisma.contractor.findUniqueOrThrow({ where: { id: b.id } })).phone).toBeNull();
  });

  it('PATCH its own phone, website and owner name', async () => {
    const res = await h.app.inject({
      method: 'PATCH', url: `/api/v1/contractors/${a.id}`, headers: authA,
      payload: { phone: '512-555-0199', website: 'https://self-a.test', ownerName: 'Alex Self' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: a.id, phone: '512-555-0199', website: 'https://self-a.test', ownerName: 'Alex Self', subscriptionTier: 'starter' });
  });

  it.each([
    [{ subscriptionTier: 'enterprise' }, 'subscriptionTier'],
    [{ status: 'paused' }, 'status'],
    [{ leadsPerMonth: 999 }, 'leadsPerMonth'],
    [{ phone: '1234567', companyName: 'Mine Now' }, 'companyName'],
  ])('PATCH %o on itself is 403 FORBIDDEN', async (payload, field) => {
    const res = await h.app.inject({ method: 'PATCH', url: `/api/v1/contractors/${a.id}`, headers: authA, payload });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
    expect(res.json().fields).toContain(field);
    const row = await h.ctx.db.prisma.contractor.findUniqueOrThrow({ where: { id: a.id } });
    expect(row).toMatchObject({ subscriptionTier: 'starter', status: 'active', leadsPerMonth: 15, companyName: 'Self A' });
  });

  it('cannot DELETE, not even itself', async () => {
    const res = await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${a.id}`, headers: authA });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });
});

describe('DELETE /api/v1/contractors/:id', () => {
  it('soft-deletes: 204, the row stays cancelled with deleted_at, and it disappears from the API', async () => {
    const c = await createContractor({ companyName: 'Gone Co', city: 'Goneville' });
    const res = await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const row = await h.ctx.db.prisma.contractor.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.status).toBe('cancelled');
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth })).statusCode).toBe(404);
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/contractors', headers: h.adminAuth, query: { city: 'Goneville' } });
    expect(list.json().items).toEqual([]);
    const again = await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth });
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('CONTRACTOR_NOT_FOUND');
    const patch = await h.app.inject({ method: 'PATCH', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth, payload: { phone: '5125550100' } });
    expect(patch.statusCode).toBe(404);
  });
});

describe('lockContractorForPurchase', () => {
  it('returns the live contractor inside a transaction, null once deleted', async () => {
    const { lockContractorForPurchase } = await import('../../src/modules/contractors/contractors.service.ts');
    const c = await createContractor({ companyName: 'Lock Co', subscriptionTier: 'professional' });
    const locked = await h.ctx.db.prisma.$transaction((tx) => lockContractorForPurchase(tx, c.id));
    expect(locked).toEqual({ id: c.id, status: 'active', subscriptionTier: 'professional', leadsPerMonth: 50, companyName: 'Lock Co' });
    await h.app.inject({ method: 'DELETE', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth });
    expect(await h.ctx.db.prisma.$transaction((tx) => lockContractorForPurchase(tx, c.id))).toBeNull();
  });
});

describe('POST /api/v1/contractors/:id/score (seed 002 §3.6.3, issue 8 §6)', () => {
  it('recomputes and stores fit, likelihood, LTV and priority from the record, explained per factor', async () => {
    const db = h.ctx.db.prisma;
    await db.targetCity.upsert({ where: { city_state: { city: 'Round Rock', state: 'TX' } }, update: {}, create: { city: 'Round Rock', state: 'TX' } });
    const c = await db.contractor.create({
      data: {
        companyName: 'Scored Roofing', city: 'Round Rock', state: 'TX', email: 'x@scored.test', website: 'https://scored.test',
        googleRating: 4.7, googleReviewCount: 80, bbbAccredited: true, employeeCountRange: '10-50', yearsInBusiness: 12,
        servicesOffered: ['Residential roofing', 'Insurance restoration'], roofTypes: ['asphalt', 'metal'], certifications: ['GAF Master Elite'],
        licenseStatus: 'active', socialMedia: { facebook: 'https://facebook.com/scored' },
      },
    });
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/contractors/${c.id}/score`, headers: h.adminAuth });
    expect(res.statusCode).toBe(200);
    // fit 20 + 20 + 15 + 15 + 15 + 15 = 100; likelihood 30 + 20 + 15 (social) + 0 (no recent review known) + 20 (10 employees) = 85;
    // LTV $5,000 × 1.3 (4.7★) × 12 = $78,000; priority (100 + 85) / 2 = 92.5
    expect(res.json().scores).toMatchObject({ fitScore: 100, conversionLikelihood: 85, ltvEstimate: 78_000, priorityScore: 92.5 });
    expect(res.json().scores.factors.map((f: { name: string; points: number }) => [f.name, f.points])).toEqual([
      ['online_presence', 20], ['business_size', 20], ['experience', 15], ['location', 15], ['specialization', 15], ['licensing', 15],
    ]);
    const row = await db.contractor.findUniqueOrThrow({ where: { id: c.id } });
    expect([row.fitScore, row.conversionLikelihood, Number(row.ltvEstimate), Number(row.priorityScore)]).toEqual([100, 85, 78_000, 92.5]);
    const denied = await h.app.inject({ method: 'POST', url: '/api/v1/contractors/00000000-0000-4000-8000-000000000000/score', headers: h.adminAuth });
    expect([denied.statusCode, denied.json().code]).toEqual([404, 'CONTRACTOR_NOT_FOUND']);
  });
});
