import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { ensureUser } from '../../src/modules/auth/auth.service.ts';
import { signAccessToken } from '../../src/platform/auth.ts';

let h: TestHarness;
let seq = 0;

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
type Tier = 'starter' | 'professional' | 'enterprise';
type Headers = Record<string, string>;

async function createContractor(tier: Tier = 'professional', extra: Record<string, unknown> = {}): Promise<string> {
  const n = ++seq;
  const res = await h.app.inject({
    method: 'POST', url: '/api/v1/contractors', headers: h.adminAuth,
    payload: { companyName: `Market Co ${n}`, email: `m${n}@market.test`, city: 'Austin', state: 'TX', zip: '78701', subscriptionTier: tier, ...extra },
  });
  if (res.statusCode !== 201) throw new Error(`create contractor: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** Bearer token for a contractor principal (JWTs are stateless; one test below signs in for real). */
async function contractorAuth(contractorId: string): Promise<Headers> {
  const token = await signAccessToken(h.config.JWT_SECRET, { sub: randomUUID(), role: 'contractor', cid: contractorId, email: `${contractorId}@market.test` }, 900);
  return { authorization: `Bearer ${token}` };
}

async function buyer(tier: Tier = 'professional', extra: Record<string, unknown> = {}) {
  const id = await createContractor(tier, extra);
  return { id, auth: await contractorAuth(id) };
}

/** An available lead published a day ago (outside every priority window) unless `fresh`. */
async function createLead(over: Record<string, unknown> = {}, opts: { fresh?: boolean } = {}): Promise<string> {
  const n = ++seq;
  const res = await h.app.inject({
    method: 'POST', url: '/api/v1/leads', headers: h.adminAuth,
    payload: {
      address: `${1000 + n} Oak Hollow Dr`, city: 'Austin', state: 'TX', zip: '78745', trade: 'roof', status: 'available',
      qualityScore: 82, price: 150, propertyValue: 425_000, yearBuilt: 1995,
      ownerName: 'Pat Owner', ownerEmail: `owner${n}@home.test`, ownerPhone: `512-555-${String(1000 + n).slice(-4)}`,
      ...over,
    },
  });
  if (res.statusCode !== 201) throw new Error(`create lead: ${res.statusCode} ${res.body}`);
  const id = res.json().id as string;
  if (!opts.fresh) await h.ctx.db.prisma.baseLead.update({ where: { id }, data: { publishedAt: new Date(Date.now() - 86_400_000) } });
  return id;
}

const purchase = (leadId: string, headers: Headers, key: string | null = randomUUID(), payload: Record<string, unknown> = {}) =>
  h.app.inject({
    method: 'POST', url: `/api/v1/leads/${leadId}/purchase`,
    headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload,
  });

const post = (url: string, headers: Headers, payload: Record<string, unknown> = {}) => h.app.inject({ method: 'POST', url, headers, payload });
const get = (url: string, headers: Headers) => h.app.inject({ method: 'GET', url, headers });

const assignments = (leadId: string) => h.ctx.db.prisma.leadAssignment.findMany({ where: { baseLeadId: leadId } });
const transitions = async (leadId: string) =>
  (await h.ctx.db.prisma.systemEvent.findMany({ where: { entityId: leadId, eventType: 'lead.transition' }, orderBy: { createdAt: 'asc' } }))
    .map((e) => `${(e.eventData as { from: string }).from}→${(e.eventData as { to: string }).to}`);

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('GET /api/v1/leads/:id', () => {
  it('shows another contractor a preview without owner, house number or coordinates; staff the full lead', async () => {
    const id = await createLead({ address: '4821 Bluebonnet Ln Apt 3', lat: 30.21, lng: -97.8, propertyValue: 352_500, qualityScore: 91, price: 200 });
    await h.ctx.db.prisma.roofAnalysis.createMany({
      data: [
        { baseLeadId: id, overallCondition: 'fair', analyzedAt: new Date(Date.now() - 86_400_000) },
        { baseLeadId: id, overallCondition: 'poor', damageDetected: true, analyzedAt: new Date() },
      ],
    });
    await h.ctx.db.prisma.leadTrigger.createMany({
      data: [
        { baseLeadId: id, triggerType: 'hail_event', triggerStrength: 80 },
        { baseLeadId: id, triggerType: 'neighbor_permits', triggerStrength: 40 },
        { baseLeadId: id, triggerType: 'old_permit', active: false },
      ],
    });
    const c = await buyer();
    const res = await get(`/api/v1/leads/${id}`, c.auth);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      view: 'preview', id, status: 'available', trade: 'roof', street: 'Bluebonnet Ln', city: 'Austin', state: 'TX', zip: '78745',
      propertyValueRange: { min: 300_000, max: 400_000 }, qualityScore: 91, grade: 'A', price: 200,
      roofSummary: { overallCondition: 'poor' }, triggerTypes: ['hail_event', 'neighbor_permits'], publishedAt: ISO, createdAt: ISO,
    });
    expect(res.body).not.toMatch(/4821|Pat Owner|home\.test|555-|30\.21|-97\.8/);

    const staff = await get(`/api/v1/leads/${id}`, h.adminAuth);
    expect(staff.statusCode).toBe(200);
    expect(staff.json()).toMatchObject({
      view: 'full', address: '4821 Bluebonnet Ln Apt 3', lat: 30.21, lng: -97.8,
      owner: { name: 'Pat Owner', email: expect.stringMatching(/@home\.test$/), phone: expect.stringMatching(/^512-555-/) },
      property: { value: 352_500, yearBuilt: 1995 },
      roofAnalysis: { overallCondition: 'poor', damageDetected: true },
      assignment: null,
    });
    expect(staff.json().triggers.map((t: { type: string }) => t.type).sort()).toEqual(['hail_event', 'neighbor_permits', 'old_permit']);
  });

  it('answers 404 to a contractor for a lead that is not on the market, and for unknown ids', async () => {
    const c = await buyer();
    const scored = await createLead({ status: 'scored' });
    expect((await get(`/api/v1/leads/${scored}`, c.auth)).json()).toMatchObject({ status: 404, code: 'LEAD_NOT_FOUND' });
    expect((await get(`/api/v1/leads/${randomUUID()}`, c.auth)).statusCode).toBe(404);
    expect((await get(`/api/v1/leads/${scored}`, {})).statusCode).toBe(401);
  });
});

describe('POST /api/v1/leads/:id/purchase', () => {
  it('requires an Idempotency-Key (400 IDEMPOTENCY_KEY_REQUIRED)', async () => {
    const c = await buyer();
    const id = await createLead();
    const res = await purchase(id, c.auth, null);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect(await assignments(id)).toHaveLength(0);
  });

  it('sells the lead, reveals it, and records sale, audit and outbox in one transaction', async () => {
    // This buyer signs in for real, so the whole path from login to purchase is covered once.
    const contractorId = await createContractor();
    await ensureUser(h.ctx, { email: 'buyer@market.test', password: 'password123', role: 'contractor', contractorId });
    const auth = await h.login('buyer@market.test');
    const id = await createLead({ price: 175 });

    const res = await purchase(id, auth);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      view: 'full', id, status: 'sold', soldToContractorId: contractorId, soldPrice: 175, soldAt: ISO,
      owner: { name: 'Pat Owner', email: expect.stringMatching(/@home\.test$/) },
      assignment: { contractorId, status: 'active', pricePaid: 175, jobWon: false },
    });

    const lead = await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } });
    expect(lead).toMatchObject({ status: 'sold', soldToContractorId: contractorId });
    expect(Number(lead.soldPrice)).toBe(175);
    const rows = await assignments(id);
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.pricePaid)).toBe(175);
    expect(await transitions(id)).toEqual(['available→sold']);
    const outbox = await h.ctx.db.prisma.outbox.findMany({ where: { topic: 'lead.sold' } });
    expect(outbox.map((o) => o.payload)).toContainEqual({ leadId: id, contractorId, assignmentId: rows[0]!.id, price: 175 });

    // Now the buyer sees the full lead, and it is in its purchases.
    expect((await get(`/api/v1/leads/${id}`, auth)).json()).toMatchObject({ view: 'full', owner: { name: 'Pat Owner' } });
    const mine = await get('/api/v1/leads/my-leads', auth);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().items.map((l: { id: string }) => l.id)).toEqual([id]);
  });

  it('replays a retried request exactly and sells only once', async () => {
    const c = await buyer();
    const id = await createLead();
    const key = randomUUID();
    const first = await purchase(id, c.auth, key);
    expect(first.statusCode).toBe(200);
    const again = await purchase(id, c.auth, key);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await assignments(id)).toHaveLength(1);
    // The stored answer is encrypted: the owner's email is not in the idempotency table.
    const { rows } = await h.ctx.db.pool.query('SELECT response FROM idempotency_keys WHERE key = $1', [key]);
    expect(JSON.stringify(rows)).not.toContain('@home.test');
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with a different request', async () => {
    const c = await buyer();
    const a = await createLead();
    const b = await createLead();
    const key = randomUUID();
    expect((await purchase(a, c.auth, key)).statusCode).toBe(200);
    const reused = await purchase(b, c.auth, key);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await assignments(b)).toHaveLength(0);
    expect((await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: b } })).status).toBe('available');
  });

  it('does not store errors under the key: a failed request can be retried with the same key', async () => {
    const c = await buyer('professional', { leadsPerMonth: 0 });
    const id = await createLead();
    const key = randomUUID();
    expect((await purchase(id, c.auth, key)).json().code).toBe('QUOTA_EXCEEDED');
    expect(await h.ctx.db.prisma.idempotencyKey.count({ where: { key } })).toBe(0);
    await h.ctx.db.prisma.contractor.update({ where: { id: c.id }, data: { leadsPerMonth: 5 } });
    expect((await purchase(id, c.auth, key)).statusCode).toBe(200);
  });

  it('50 contractors buying one lead at once: exactly one 200 and 49 × 409 LEAD_ALREADY_SOLD', async () => {
    const id = await createLead();
    const rows = Array.from({ length: 50 }, (_, i) => ({
      companyName: `Race ${i}`, email: `race${i}@market.test`, subscriptionTier: 'professional' as const, status: 'active', leadsPerMonth: 50,
    }));
    const created = await h.ctx.db.prisma.contractor.createManyAndReturn({ data: rows, select: { id: true } });
    const auths = await Promise.all(created.map((c) => contractorAuth(c.id)));

    const results = await Promise.all(auths.map((auth) => purchase(id, auth)));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((s) => s === 200)).toHaveLength(1);
    expect(codes.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe('LEAD_ALREADY_SOLD');

    const sale = await assignments(id);
    expect(sale).toHaveLength(1);
    const winner = results.find((r) => r.statusCode === 200)!.json();
    expect(sale[0]!.contractorId).toBe(winner.soldToContractorId);
    expect((await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } })).soldToContractorId).toBe(winner.soldToContractorId);
    expect(await transitions(id)).toEqual(['available→sold']);
    // Only the winner's purchase counter moved.
    const counts = await h.ctx.db.prisma.contractor.findMany({ where: { id: { in: created.map((c) => c.id) } }, select: { id: true, totalLeadsPurchased: true } });
    expect(counts.filter((c) => c.totalLeadsPurchased === 1).map((c) => c.id)).toEqual([winner.soldToContractorId]);
    expect(counts.filter((c) => c.totalLeadsPurchased === 0)).toHaveLength(49);
  });

  it('buys with no request body at all, as `curl -X POST` sends it', async () => {
    const c = await buyer();
    const id = await createLead();
    const r = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/purchase`, headers: { ...c.auth, 'idempotency-key': randomUUID() } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ view: 'full', id, status: 'sold' });
  });

  it('answers 404 LEAD_NOT_FOUND for an unknown lead and 409 LEAD_NOT_AVAILABLE for one not on the market', async () => {
    const c = await buyer();
    expect((await purchase(randomUUID(), c.auth)).json()).toMatchObject({ status: 404, code: 'LEAD_NOT_FOUND' });
    const scored = await createLead({ status: 'scored' });
    expect((await purchase(scored, c.auth)).json()).toMatchObject({ status: 409, code: 'LEAD_NOT_AVAILABLE', leadStatus: 'scored' });
  });

  it('sells an exclusive-territory lead only to the holder (403 NOT_TERRITORY_HOLDER)', async () => {
    const holder = await buyer();
    const other = await buyer();
    const id = await createLead({ zip: '78750' });
    await h.ctx.db.prisma.territory.create({ data: { contractorId: holder.id, zip: '78750', trade: 'roof', exclusive: true } });
    const denied = await purchase(id, other.auth);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('NOT_TERRITORY_HOLDER');
    expect((await purchase(id, holder.auth)).statusCode).toBe(200);
  });

  it('gives professional contractors the priority window: a starter gets 403 PRIORITY_WINDOW until it passes', async () => {
    const starter = await buyer('starter');
    const pro = await buyer('professional');
    const fresh = await createLead({}, { fresh: true });
    const denied = await purchase(fresh, starter.auth);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'PRIORITY_WINDOW', availableAt: ISO });
    expect((await purchase(fresh, pro.auth)).statusCode).toBe(200);

    const older = await createLead({}, { fresh: true });
    await h.ctx.db.prisma.baseLead.update({ where: { id: older }, data: { publishedAt: new Date(Date.now() - (h.config.PRIORITY_ACCESS_HOURS * 3600_000 + 60_000)) } });
    expect((await purchase(older, starter.auth)).statusCode).toBe(200);
  });

  it('enforces the monthly quota over this UTC month’s unrefunded purchases (403 QUOTA_EXCEEDED)', async () => {
    const c = await buyer('professional', { leadsPerMonth: 1 });
    // A purchase last month does not count.
    const old = await createLead();
    await h.ctx.db.prisma.leadAssignment.create({
      data: { baseLeadId: old, contractorId: c.id, assignedAt: new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1) - 1000), status: 'refunded', refundedAt: new Date() },
    });
    const first = await createLead();
    const second = await createLead();
    expect((await purchase(first, c.auth)).statusCode).toBe(200);
    const over = await purchase(second, c.auth);
    expect(over.statusCode).toBe(403);
    expect(over.json()).toMatchObject({ code: 'QUOTA_EXCEEDED', leadsPerMonth: 1, used: 1 });
    // The contractor's record counts the same: leadsThisMonth is computed from the sales.
    const leadsThisMonth = async () =>
      (await h.app.inject({ method: 'GET', url: `/api/v1/contractors/${c.id}`, headers: h.adminAuth })).json().leadsThisMonth;
    expect(await leadsThisMonth()).toBe(1);

    // A refund gives the lead back to the quota.
    expect((await post(`/api/v1/leads/${first}/refund`, h.adminAuth, { reason: 'wrong number' })).statusCode).toBe(200);
    expect(await leadsThisMonth()).toBe(0);
    expect((await purchase(second, c.auth)).statusCode).toBe(200);
    expect(await leadsThisMonth()).toBe(1);
  });

  it('refuses contractors that are not active (403 CONTRACTOR_INACTIVE)', async () => {
    const c = await buyer();
    await h.ctx.db.prisma.contractor.update({ where: { id: c.id }, data: { status: 'paused' } });
    const id = await createLead();
    const res = await purchase(id, c.auth);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CONTRACTOR_INACTIVE');
  });

  it('lets staff buy on a contractor’s behalf, naming it in the body', async () => {
    const c = await buyer();
    const id = await createLead();
    expect((await purchase(id, h.adminAuth)).statusCode).toBe(400);
    const res = await purchase(id, h.adminAuth, randomUUID(), { contractorId: c.id });
    expect(res.statusCode).toBe(200);
    expect(res.json().soldToContractorId).toBe(c.id);
    // A contractor cannot buy for someone else.
    const other = await buyer();
    const id2 = await createLead();
    expect((await purchase(id2, other.auth, randomUUID(), { contractorId: c.id })).statusCode).toBe(403);
  });
});

describe('after the sale', () => {
  it('keeps another contractor out: 404 on view, feedback, deliver and convert', async () => {
    const owner = await buyer();
    const other = await buyer();
    const id = await createLead();
    expect((await get(`/api/v1/leads/${id}`, other.auth)).json().view).toBe('preview');
    expect((await purchase(id, owner.auth)).statusCode).toBe(200);

    expect((await get(`/api/v1/leads/${id}`, other.auth)).statusCode).toBe(404);
    expect((await post(`/api/v1/leads/${id}/feedback`, other.auth, { contacted: true })).statusCode).toBe(404);
    expect((await post(`/api/v1/leads/${id}/deliver`, other.auth)).statusCode).toBe(404);
    expect((await post(`/api/v1/leads/${id}/convert`, other.auth, { jobValue: 1 })).statusCode).toBe(404);
    expect((await get('/api/v1/leads/my-leads', other.auth)).json().items).toEqual([]);
    expect((await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } })).status).toBe('sold');
  });

  it('delivers and converts, recording every transition; an illegal one is 409 INVALID_TRANSITION', async () => {
    const owner = await buyer();
    const id = await createLead();
    expect((await purchase(id, owner.auth)).statusCode).toBe(200);
    const delivered = await post(`/api/v1/leads/${id}/deliver`, owner.auth);
    expect(delivered.statusCode).toBe(200);
    expect(delivered.json()).toMatchObject({ status: 'delivered', deliveredAt: ISO });
    const twice = await post(`/api/v1/leads/${id}/deliver`, owner.auth);
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ code: 'INVALID_TRANSITION', from: 'delivered', to: 'delivered' });

    const converted = await post(`/api/v1/leads/${id}/convert`, owner.auth, { jobValue: 18_500 });
    expect(converted.statusCode).toBe(200);
    expect(converted.json()).toMatchObject({ status: 'converted', convertedAt: ISO, assignment: { jobWon: true, jobValue: 18_500 } });
    expect((await post(`/api/v1/leads/${id}/refund`, h.adminAuth, { reason: 'late' })).json().code).toBe('INVALID_TRANSITION');
    expect(await transitions(id)).toEqual(['available→sold', 'sold→delivered', 'delivered→converted']);
  });

  it('takes the buyer’s outcome report (seed 002 §3.7.3); jobWon converts the lead', async () => {
    const owner = await buyer();
    const id = await createLead();
    expect((await purchase(id, owner.auth)).statusCode).toBe(200);
    const first = await post(`/api/v1/leads/${id}/feedback`, owner.auth, {
      contacted: true, contactMethod: 'phone', appointmentScheduled: true, appointmentDate: '2030-05-01T15:00:00Z',
      quoteProvided: true, quoteAmount: 12_400.5, leadQualityRating: 4, feedback: 'Homeowner ready to go',
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'sold',
      assignment: {
        contacted: true, contactedAt: ISO, contactMethod: 'phone', appointmentScheduled: true, appointmentDate: '2030-05-01T15:00:00.000Z',
        quoteProvided: true, quoteAmount: 12_400.5, leadQualityRating: 4, feedback: 'Homeowner ready to go', jobWon: false,
      },
    });
    const won = await post(`/api/v1/leads/${id}/feedback`, owner.auth, { jobWon: true, jobValue: 13_000, closeDate: '2030-05-20' });
    expect(won.statusCode).toBe(200);
    expect(won.json()).toMatchObject({ status: 'converted', assignment: { jobWon: true, jobValue: 13_000, closeDate: '2030-05-20', leadQualityRating: 4 } });
    const row = (await assignments(id))[0]!;
    expect(row).toMatchObject({ converted: true, contacted: true, leadQualityRating: 4 });

    expect((await post(`/api/v1/leads/${id}/feedback`, owner.auth, { leadQualityRating: 6 })).statusCode).toBe(400);
    expect((await post(`/api/v1/leads/${id}/feedback`, h.adminAuth, { contacted: true })).statusCode).toBe(403);
  });

  it('refunds (staff): the lead is refunded, the sale marked, and the buyer loses access', async () => {
    const owner = await buyer();
    const id = await createLead();
    expect((await purchase(id, owner.auth)).statusCode).toBe(200);
    expect((await post(`/api/v1/leads/${id}/refund`, owner.auth, { reason: 'mine' })).statusCode).toBe(403);

    const res = await post(`/api/v1/leads/${id}/refund`, h.adminAuth, { reason: 'disconnected phone' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'refunded', refundedAt: ISO, assignment: { status: 'refunded', refundedAt: ISO, refundReason: 'disconnected phone' } });
    const [sale] = await assignments(id);
    expect(sale).toMatchObject({ status: 'refunded', refundReason: 'disconnected phone' });
    expect(sale!.refundedAt).toBeInstanceOf(Date);

    expect((await get(`/api/v1/leads/${id}`, owner.auth)).statusCode).toBe(404);
    expect((await get('/api/v1/leads/my-leads', owner.auth)).json().items).toEqual([]);
    const again = await post(`/api/v1/leads/${id}/refund`, h.adminAuth, { reason: 'again' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('INVALID_TRANSITION');
    expect(await transitions(id)).toEqual(['available→sold', 'sold→refunded']);
  });
});

describe('POST /api/v1/leads/:id/assign', () => {
  it('lets staff assign without the quota or priority window, at an optional price', async () => {
    const starter = await buyer('starter', { leadsPerMonth: 0 });
    const id = await createLead({ price: 150 }, { fresh: true });
    const res = await post(`/api/v1/leads/${id}/assign`, h.adminAuth, { contractorId: starter.id, price: 99.5 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'sold', soldToContractorId: starter.id, soldPrice: 99.5, assignment: { pricePaid: 99.5 } });
    expect(await assignments(id)).toHaveLength(1);

    const again = await post(`/api/v1/leads/${id}/assign`, h.adminAuth, { contractorId: starter.id });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('LEAD_ALREADY_SOLD');
    expect((await post(`/api/v1/leads/${id}/assign`, starter.auth, { contractorId: starter.id })).statusCode).toBe(403);
  });

  it('still respects exclusive territories', async () => {
    const holder = await buyer();
    const other = await buyer();
    const id = await createLead({ zip: '78760' });
    await h.ctx.db.prisma.territory.create({ data: { contractorId: holder.id, zip: '78760', trade: 'roof', exclusive: true } });
    const res = await post(`/api/v1/leads/${id}/assign`, h.adminAuth, { contractorId: other.id });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('NOT_TERRITORY_HOLDER');
  });
});

describe('GET /api/v1/leads/my-leads', () => {
  it('pages the buyer’s purchases newest first, each exactly once', async () => {
    const c = await buyer();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await createLead();
      expect((await purchase(id, c.auth)).statusCode).toBe(200);
      ids.push(id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/leads/my-leads?limit=2${cursor ? `&cursor=${cursor}` : ''}`, c.auth);
      expect(res.statusCode).toBe(200);
      for (const l of res.json().items) {
        expect(l.view).toBe('full');
        seen.push(l.id);
      }
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    // Staff name the contractor.
    expect((await get('/api/v1/leads/my-leads', h.adminAuth)).statusCode).toBe(400);
    expect((await get(`/api/v1/leads/my-leads?contractorId=${c.id}&limit=10`, h.adminAuth)).json().items).toHaveLength(5);
  });
});
