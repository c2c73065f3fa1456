import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { signAccessToken } from '../../src/platform/auth.ts';

let h: TestHarness;
let seq = 0;

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);

async function createContractor(tier: 'starter' | 'professional' | 'enterprise' = 'professional'): Promise<string> {
  const n = ++seq;
  const res = await h.app.inject({
    method: 'POST', url: '/api/v1/contractors', headers: h.adminAuth,
    payload: { companyName: `Lead Co ${n}`, email: `c${n}@leads.test`, city: 'Austin', state: 'TX', zip: '78701', subscriptionTier: tier },
  });
  if (res.statusCode !== 201) throw new Error(`create contractor: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** A contractor's bearer token (JWTs are stateless, so no user row or password hashing is needed here). */
async function contractorAuth(contractorId: string) {
  const token = await signAccessToken(h.config.JWT_SECRET, { sub: randomUUID(), role: 'contractor', cid: contractorId, email: `${contractorId}@leads.test` }, 900);
  return { authorization: `Bearer ${token}` };
}

const postLead = (payload: Record<string, unknown>, headers: Record<string, string> = h.adminAuth) =>
  h.app.inject({ method: 'POST', url: '/api/v1/leads', headers, payload });

async function createLead(over: Record<string, unknown> = {}): Promise<string> {
  const n = ++seq;
  const res = await postLead({ address: `${100 + n} Elm St`, city: 'Austin', state: 'TX', zip: '78701', trade: 'roof', ...over });
  if (res.statusCode !== 201) throw new Error(`create lead: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

const list = (query: string, headers: Record<string, string>) => h.app.inject({ method: 'GET', url: `/api/v1/leads?${query}`, headers });

/** Walks every page of a listing and returns all items. */
async function listAll(query: string, headers: Record<string, string>) {
  const items: { id: string; qualityScore: number | null; createdAt: string }[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const res = await list(`${query}${cursor ? `&cursor=${cursor}` : ''}`, headers);
    expect(res.statusCode).toBe(200);
    items.push(...res.json().items);
    cursor = res.json().nextCursor;
    if (!cursor) return items;
  }
  throw new Error('pagination did not end');
}

const events = (leadId: string) =>
  h.ctx.db.prisma.systemEvent.findMany({ where: { entityId: leadId }, orderBy: { createdAt: 'asc' } });

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('POST /api/v1/leads', () => {
  it('creates a lead, derives the grade, and encrypts owner email and phone at rest', async () => {
    const res = await postLead({
      address: '4821 Bluebonnet Ln', city: 'Austin', state: 'tx', zip: '78745', lat: 30.21, lng: -97.8, trade: 'roof',
      qualityScore: 84, price: 150, propertyValue: 352000, yearBuilt: 1998,
      ownerName: 'Maria Gonzalez', ownerEmail: 'Maria.Gonzalez@example.com', ownerPhone: '(512) 555-0199',
    });
    expect(res.statusCode).toBe(201);
    const lead = res.json();
    expect(lead).toMatchObject({
      view: 'full', id: UUID, status: 'processing', trade: 'roof', tradeGroup: 'home_exterior',
      address: '4821 Bluebonnet Ln', city: 'Austin', state: 'TX', zip: '78745', lat: 30.21, lng: -97.8,
      owner: { name: 'Maria Gonzalez', email: 'Maria.Gonzalez@example.com', phone: '(512) 555-0199' },
      property: { value: 352000, yearBuilt: 1998 },
      qualityScore: 84, grade: 'B', price: 150, triggers: [], roofAnalysis: null, assignment: null,
      publishedAt: null, createdAt: ISO, updatedAt: ISO,
    });

    // The raw row holds ciphertext and blind indexes only.
    const { rows } = await h.ctx.db.pool.query('SELECT * FROM base_leads WHERE id = $1', [lead.id]);
    const raw = JSON.stringify(rows[0]);
    expect(raw).not.toContain('Maria.Gonzalez@example.com');
    expect(raw.toLowerCase()).not.toContain('maria.gonzalez@example.com');
    expect(raw).not.toContain('555-0199');
    expect(raw).not.toContain('5125550199');
    expect(rows[0].owner_email_enc).toMatch(/^v1\./);
    expect(rows[0].owner_email_hash).toBe(h.ctx.cipher.blindIndex('email', 'maria.gonzalez@example.com'));
    expect(rows[0].owner_phone_hash).toBe(h.ctx.cipher.blindIndex('phone', '512-555-0199'));

    // The full view decrypts it.
    const got = await h.app.inject({ method: 'GET', url: `/api/v1/leads/${lead.id}`, headers: h.adminAuth });
    expect(got.statusCode).toBe(200);
    expect(got.json().owner).toMatchObject({ email: 'Maria.Gonzalez@example.com', phone: '(512) 555-0199' });

    expect((await events(lead.id)).map((e) => e.eventName)).toEqual(['lead.created']);
  });

  it('answers 409 LEAD_EXISTS for the same address, city, state and trade; another trade is another lead', async () => {
    const body = { address: '77 Duplicate Rd', city: 'Austin', state: 'TX', zip: '78701', trade: 'roof' };
    expect((await postLead(body)).statusCode).toBe(201);
    const res = await postLead(body);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'LEAD_EXISTS', status: 409 });
    // issue 8 §1: a lead is a (property, trade) pair — the same house is also an HVAC lead.
    const hvac = await postLead({ ...body, trade: 'hvac' });
    expect(hvac.statusCode).toBe(201);
    expect(hvac.json()).toMatchObject({ trade: 'hvac', address: '77 Duplicate Rd' });
    expect((await h.ctx.db.prisma.baseLead.findMany({ where: { address: '77 Duplicate Rd' }, select: { trade: true }, orderBy: { trade: 'asc' } })).map((l) => l.trade)).toEqual(['hvac', 'roof']);
  });

  it('creates an available lead only with a score of at least 60 and a price, and publishes it', async () => {
    const noPrice = await postLead({ address: '1 Nope St', city: 'Austin', state: 'TX', zip: '78701', trade: 'roof', qualityScore: 80, status: 'available' });
    expect(noPrice.statusCode).toBe(400);
    expect(noPrice.json().code).toBe('VALIDATION_FAILED');
    const lowScore = await postLead({ address: '2 Nope St', city: 'Austin', state: 'TX', zip: '78701', trade: 'roof', qualityScore: 59, price: 100, status: 'available' });
    expect(lowScore.statusCode).toBe(400);

    const ok = await postLead({ address: '3 Yes St', city: 'Austin', state: 'TX', zip: '78701', trade: 'roof', qualityScore: 60, price: 125, status: 'available' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ status: 'available', grade: 'D', publishedAt: ISO });
    const outbox = await h.ctx.db.prisma.outbox.findMany({ where: { topic: 'lead.published' } });
    expect(outbox.map((o) => o.payload)).toContainEqual({ leadId: ok.json().id });
  });

  it('is for staff: a contractor gets 403, no credentials 401', async () => {
    const c = await createContractor();
    const body = { address: '9 Staff Only Rd', city: 'Austin', state: 'TX', zip: '78701', trade: 'roof' };
    expect((await postLead(body, await contractorAuth(c))).statusCode).toBe(403);
    expect((await postLead(body, {})).statusCode).toBe(401);
  });
});

describe('PATCH /api/v1/leads/:id', () => {
  it('edits fields, regrades, and moves the status through the lifecycle with a system event', async () => {
    const id = await createLead({ qualityScore: 65, price: 120 });
    const scored = await h.app.inject({ method: 'PATCH', url: `/api/v1/leads/${id}`, headers: h.adminAuth, payload: { qualityScore: 91, status: 'scored' } });
    expect(scored.statusCode).toBe(200);
    expect(scored.json()).toMatchObject({ status: 'scored', qualityScore: 91, grade: 'A' });

    const pub = await h.app.inject({ method: 'PATCH', url: `/api/v1/leads/${id}`, headers: h.adminAuth, payload: { status: 'available', ownerEmail: 'new@owner.test' } });
    expect(pub.statusCode).toBe(200);
    expect(pub.json()).toMatchObject({ status: 'available', publishedAt: ISO, owner: { email: 'new@owner.test' } });

    const transitions = (await events(id)).filter((e) => e.eventType === 'lead.transition');
    expect(transitions.map((e) => [e.eventName, (e.eventData as { from: string }).from])).toEqual([
      ['lead.scored', 'processing'],
      ['lead.available', 'scored'],
    ]);
  });

  it('refuses an illegal transition with 409 INVALID_TRANSITION and changes nothing', async () => {
    const id = await createLead({ qualityScore: 80, price: 150 });
    const res = await h.app.inject({ method: 'PATCH', url: `/api/v1/leads/${id}`, headers: h.adminAuth, payload: { status: 'available', price: 175 } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'INVALID_TRANSITION', from: 'processing', to: 'available' });
    const row = await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('processing');
    expect(Number(row.price)).toBe(150);
  });

  it('keeps an available lead sellable: clearing its price is a validation error', async () => {
    const id = await createLead({ qualityScore: 80, price: 150, status: 'available' });
    const res = await h.app.inject({ method: 'PATCH', url: `/api/v1/leads/${id}`, headers: h.adminAuth, payload: { price: null } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it('answers 404 for an unknown lead and 400 for a non-uuid id', async () => {
    expect((await h.app.inject({ method: 'PATCH', url: `/api/v1/leads/${randomUUID()}`, headers: h.adminAuth, payload: { qualityScore: 70 } })).json().code).toBe('LEAD_NOT_FOUND');
    expect((await h.app.inject({ method: 'PATCH', url: '/api/v1/leads/not-a-uuid', headers: h.adminAuth, payload: { qualityScore: 70 } })).statusCode).toBe(400);
  });
});

describe('DELETE /api/v1/leads/:id', () => {
  it('soft-deletes; the lead is then gone from reads', async () => {
    const id = await createLead();
    const del = await h.app.inject({ method: 'DELETE', url: `/api/v1/leads/${id}`, headers: h.adminAuth });
    expect(del.statusCode).toBe(204);
    const row = await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } });
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/leads/${id}`, headers: h.adminAuth })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/leads/${id}`, headers: h.adminAuth })).statusCode).toBe(404);
  });

  it('refuses to delete a sold lead (409 INVALID_TRANSITION)', async () => {
    const c = await createContractor();
    const id = await createLead({ qualityScore: 80, price: 150, status: 'available' });
    const assign = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/assign`, headers: h.adminAuth, payload: { contractorId: c } });
    expect(assign.statusCode).toBe(200);
    const del = await h.app.inject({ method: 'DELETE', url: `/api/v1/leads/${id}`, headers: h.adminAuth });
    expect(del.statusCode).toBe(409);
    expect(del.json()).toMatchObject({ code: 'INVALID_TRANSITION', from: 'sold' });
    expect((await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } })).deletedAt).toBeNull();
  });
});

describe('GET /api/v1/leads', () => {
  it('shows a contractor previews of available leads only, best score first, then newest', async () => {
    const c = await createContractor();
    const auth = await contractorAuth(c);
    const zip = '78801';
    const mk = (score: number, status = 'available') => createLead({ zip, qualityScore: score, price: 100 + score, status, propertyValue: 250_000 + score * 1000 });
    const a = await mk(70);
    const b = await mk(95);
    const c2 = await mk(70);
    await mk(85, 'scored');
    await mk(90, 'processing');

    const res = await list(`zip=${zip}`, auth);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { id: string }) => i.id)).toEqual([b, c2, a]);
    const item = res.json().items[0];
    expect(item).toEqual({
      view: 'preview', id: b, status: 'available', trade: 'roof', street: 'Elm St', city: 'Austin', state: 'TX', zip,
      propertyValueRange: { min: 300_000, max: 400_000 }, qualityScore: 95, grade: 'A', price: 195, roofSummary: null,
      triggerTypes: [], publishedAt: ISO, createdAt: ISO,
    });
    expect(JSON.stringify(res.json())).not.toMatch(/owner|lat|lng|\d+ Elm St/);
  });

  it('lets staff see every status and filter by it; a contractor may not', async () => {
    const zip = '78802';
    const scored = await createLead({ zip, qualityScore: 75, status: 'scored' });
    const avail = await createLead({ zip, qualityScore: 75, price: 150, status: 'available' });
    const proc = await createLead({ zip });
    const all = await list(`zip=${zip}`, h.adminAuth);
    // Equal scores: newest first; unscored leads last.
    expect(all.json().items.map((i: { id: string }) => i.id)).toEqual([avail, scored, proc]);
    const onlyScored = await list(`zip=${zip}&status=scored`, h.adminAuth);
    expect(onlyScored.json().items.map((i: { id: string }) => i.id)).toEqual([scored]);
    const c = await createContractor();
    const forbidden = await list(`zip=${zip}&status=scored`, await contractorAuth(c));
    expect(forbidden.statusCode).toBe(403);
  });

  it('filters by trade, zip, city, state, minScore, grade and maxPrice', async () => {
    const c = await createContractor();
    const auth = await contractorAuth(c);
    const zip = '78803';
    const roof80 = await createLead({ zip, qualityScore: 80, price: 150, status: 'available' });
    const roof65 = await createLead({ zip, qualityScore: 65, price: 100, status: 'available' });
    const hvac92 = await createLead({ zip, trade: 'hvac', qualityScore: 92, price: 250, status: 'available' });
    const dallas = await createLead({ zip, city: 'Dallas', qualityScore: 70, price: 120, status: 'available' });
    const ok = await createLead({ zip, state: 'OK', qualityScore: 71, price: 120, status: 'available' });
    const ids = async (q: string) => (await list(`zip=${zip}&${q}`, auth)).json().items.map((i: { id: string }) => i.id);

    expect(await ids('trade=roof')).toEqual([roof80, ok, dallas, roof65]);
    expect(await ids('trade=hvac')).toEqual([hvac92]);
    expect(await ids('city=dallas')).toEqual([dallas]);
    expect(await ids('state=ok')).toEqual([ok]);
    expect(await ids('minScore=80')).toEqual([hvac92, roof80]);
    expect(await ids('grade=C')).toEqual([ok, dallas]);
    expect(await ids('maxPrice=120')).toEqual([ok, dallas, roof65]);
    expect(await ids('trade=roof&minScore=66&maxPrice=149')).toEqual([ok, dallas]);
    expect((await list('zip=123', auth)).statusCode).toBe(400);
  });

  it('pages with a cursor: every lead exactly once, sorted by score desc', async () => {
    const zip = '78804';
    const c = await createContractor();
    const auth = await contractorAuth(c);
    const created = new Date();
    // Ties on score and on created_at too, so the id tie-breaker is exercised.
    const rows = Array.from({ length: 23 }, (_, i) => ({
      address: `${i + 1} Page Ave`, city: 'Austin', state: 'TX', zip, trade: 'roof', status: 'available' as const,
      qualityScore: 60 + (i % 5) * 10, grade: 'D', price: 100, publishedAt: new Date(Date.now() - 86_400_000), createdAt: i % 3 === 0 ? created : new Date(created.getTime() - i * 1000),
    }));
    await h.ctx.db.prisma.baseLead.createMany({ data: rows });
    const items = await listAll(`zip=${zip}&limit=4`, auth);
    expect(items).toHaveLength(23);
    expect(new Set(items.map((i) => i.id)).size).toBe(23);
    const scores = items.map((i) => i.qualityScore!);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));

    const staff = await listAll(`zip=${zip}&limit=5`, h.adminAuth);
    expect(staff.map((i) => i.id)).toEqual(items.map((i) => i.id));
    expect((await list('cursor=garbage', auth)).statusCode).toBe(400);
  });

  it('hides leads in another contractor’s exclusive territory, but not from the holder', async () => {
    const zip = '78805';
    const holder = await createContractor();
    const other = await createContractor();
    const lead = await createLead({ zip, qualityScore: 80, price: 150, status: 'available' });
    await h.ctx.db.prisma.territory.create({ data: { contractorId: holder, zip, trade: 'roof', exclusive: true } });
    expect((await list(`zip=${zip}`, await contractorAuth(other))).json().items).toEqual([]);
    expect((await list(`zip=${zip}`, await contractorAuth(holder))).json().items.map((i: { id: string }) => i.id)).toEqual([lead]);
    // An expired claim no longer hides anything.
    await h.ctx.db.prisma.territory.updateMany({ where: { zip }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await list(`zip=${zip}`, await contractorAuth(other))).json().items.map((i: { id: string }) => i.id)).toEqual([lead]);
  });

  it('shows a starter contractor new leads only after the priority window', async () => {
    const zip = '78806';
    const starter = await contractorAuth(await createContractor('starter'));
    const pro = await contractorAuth(await createContractor('professional'));
    const fresh = await createLead({ zip, qualityScore: 90, price: 200, status: 'available' });
    const old = await createLead({ zip, qualityScore: 70, price: 120, status: 'available' });
    await h.ctx.db.prisma.baseLead.update({ where: { id: old }, data: { publishedAt: new Date(Date.now() - (h.config.PRIORITY_ACCESS_HOURS + 1) * 3600_000) } });
    expect((await list(`zip=${zip}`, pro)).json().items.map((i: { id: string }) => i.id)).toEqual([fresh, old]);
    expect((await list(`zip=${zip}`, starter)).json().items.map((i: { id: string }) => i.id)).toEqual([old]);
  });

  it('needs credentials', async () => {
    expect((await list('', {})).statusCode).toBe(401);
  });
});

describe('POST /api/v1/leads/generate', () => {
  it('publishes the best scored, priced, unassigned leads of a trade and reports them', async () => {
    const zip = '78901';
    const best = await createLead({ zip, trade: 'hvac', qualityScore: 95, price: 250, status: 'scored' });
    const second = await createLead({ zip, trade: 'hvac', qualityScore: 88, price: 180, status: 'available' });
    const third = await createLead({ zip, trade: 'hvac', qualityScore: 82, price: 160, status: 'scored' });
    await createLead({ zip, trade: 'hvac', qualityScore: 90, status: 'scored' }); // no price: not sellable
    await createLead({ zip, trade: 'hvac', qualityScore: 65, price: 100, status: 'scored' }); // below minScore
    await createLead({ zip, trade: 'roof', qualityScore: 99, price: 300, status: 'scored' }); // other trade
    await createLead({ zip: '78902', trade: 'hvac', qualityScore: 99, price: 300, status: 'scored' }); // other zip

    const res = await h.app.inject({
      method: 'POST', url: '/api/v1/leads/generate', headers: h.adminAuth,
      payload: { trade: 'hvac', minScore: 80, maxLeads: 2, zips: [zip] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ generated: 2, published: 1, leadIds: [best, second] });
    const rows = await h.ctx.db.prisma.baseLead.findMany({ where: { id: { in: [best, second, third] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(best)!.status).toBe('available');
    expect(byId.get(best)!.publishedAt).toBeInstanceOf(Date);
    expect(byId.get(third)!.status).toBe('scored');

    const outbox = await h.ctx.db.prisma.outbox.findMany({ where: { topic: 'lead.published' } });
    expect(outbox.filter((o) => (o.payload as { leadId: string }).leadId === best)).toHaveLength(1);
    const ev = (await events(best)).filter((e) => e.eventName === 'lead.available');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.eventData).toMatchObject({ from: 'scored', to: 'available', via: 'generate' });

    // Run again: nothing new to publish, both already available.
    const again = await h.app.inject({ method: 'POST', url: '/api/v1/leads/generate', headers: h.adminAuth, payload: { trade: 'hvac', minScore: 80, maxLeads: 3, zips: [zip] } });
    expect(again.json()).toEqual({ generated: 3, published: 1, leadIds: [best, second, third] });
  });

  it('is for staff', async () => {
    const c = await createContractor();
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/leads/generate', headers: await contractorAuth(c), payload: { trade: 'roof', minScore: 60, maxLeads: 5 } });
    expect(res.statusCode).toBe(403);
  });
});
