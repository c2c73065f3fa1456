import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { signAccessToken } from '../../src/platform/auth.ts';
import { rescoreLeads, ENGINE_SCORER_VERSION } from '../../src/modules/scoring/batch-engine.ts';

/** POST /score/property, POST /score/batch, GET /leads/:id/score, POST /leads/:id/publish over HTTP. */
let h: TestHarness;
const id = {} as Record<'buyer' | 'other' | 'scored' | 'sold' | 'low', string>;

async function contractorAuth(contractorId: string) {
  const token = await signAccessToken(h.config.JWT_SECRET, { sub: randomUUID(), role: 'contractor', cid: contractorId, email: `${contractorId}@scoring.test` }, 900);
  return { authorization: `Bearer ${token}` };
}

const post = (url: string, payload: unknown, headers: Record<string, string> = h.adminAuth) => h.app.inject({ method: 'POST', url, headers, payload: payload as object });
const get = (url: string, headers: Record<string, string> = h.adminAuth) => h.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  h = await createHarness();
  const db = h.ctx.db.prisma;
  id.buyer = (await db.contractor.create({ data: { companyName: 'Buyer Roofing', city: 'Austin', state: 'TX' } })).id;
  id.other = (await db.contractor.create({ data: { companyName: 'Other Roofing', city: 'Austin', state: 'TX' } })).id;
  const base = { trade: 'roof', city: 'Austin', state: 'TX', zip: '78705', lat: 30.28, lng: -97.74, sqft: 1800, propertyType: 'single_family', ownerName: 'Owner' };
  // 15 ($400k) + 15 (24 y) + 15 (hail) + 15 (poor) + 7 (verified email) + 5 = 72, C; $150 × 1.2 = $180.00
  // Roof age 24: a roof permit (another than the lead's own) 24 years ago.
  const s = await db.baseLead.create({ data: { ...base, address: '10 Score St', propertyValue: 400_000, yearBuilt: 1990, status: 'processing',
    lastRoofPermitDate: new Date(Date.UTC(new Date().getUTCFullYear() - 24, 5, 1)),
    ownerEmailEnc: h.ctx.cipher.encrypt('o@example.com'), ownerEmailVerified: true } });
  await db.roofAnalysis.create({ data: { baseLeadId: s.id, overallCondition: 'poor' } });
  await db.leadTrigger.create({ data: { baseLeadId: s.id, triggerType: 'hail', sourceKey: 'noaa:9' } });
  id.scored = s.id;
  id.sold = (await db.baseLead.create({ data: { ...base, address: '11 Sold St', propertyValue: 400_000, status: 'processing', soldToContractorId: null } })).id;
  await rescoreLeads(h.ctx, { by: 'test' });
  // Sold to the buyer after scoring (the marketplace's job; set directly here).
  await db.baseLead.update({ where: { id: id.sold }, data: { status: 'sold', soldToContractorId: id.buyer } });
  // A manually scored lead below the floor: scored status, but not publishable.
  id.low = (await db.baseLead.create({ data: { ...base, address: '12 Low St', status: 'scored', qualityScore: 55, scoredAt: new Date() } })).id;
});
afterAll(async () => {
  await h?.close();
});

describe('POST /api/v1/score/property', () => {
  it('answers a hand-computed case exactly', async () => {
    const res = await post('/api/v1/score/property', {
      propertyValue: 550_000, roofAgeYears: 27, roofCondition: 'poor', triggers: ['hail', 'insurance_claim'],
      contact: { email: 'verified', phone: 'verified' }, missingFields: 0, exclusiveTerritory: true, interestedContractors24h: 3,
    });
    expect(res.statusCode).toBe(200);
    // 20 + 20 + 25 (15 + 15 capped) + 15 + 10 + 5 = 95, A; $200 × 1.2 × 1.1 × 1.15 = $303.60
    expect(res.json()).toEqual({
      trade: 'roof',
      scorer: 'property-quality',
      score: 95,
      grade: 'A',
      factors: [
        { name: 'property_value', points: 20, max: 20, reason: 'property value $550,000' },
        { name: 'roof_age', points: 20, max: 20, reason: 'roof about 27 years old' },
        { name: 'trigger_events', points: 25, max: 25, reason: 'hail +15, insurance claim +15 (capped at 25)' },
        { name: 'roof_condition', points: 15, max: 20, reason: 'roof condition poor' },
        { name: 'contact_quality', points: 10, max: 10, reason: 'email verified, phone verified' },
        { name: 'data_completeness', points: 5, max: 5, reason: 'all fields complete' },
      ],
      missingInputs: [],
      ignoredTriggers: [],
      priceCents: 30_360,
      basePriceCents: 20_000,
      priceAdjustments: [{ name: 'urgency', multiplier: 1.2 }, { name: 'exclusivity', multiplier: 1.1 }, { name: 'demand', multiplier: 1.15 }],
      scorerVersion: 'property-quality@1',
    });
  });

  it('scores missing inputs 0 and lists them; below 60 there is no price; a contractor may ask', async () => {
    const c = await contractorAuth(id.other);
    const res = await post('/api/v1/score/property', { propertyValue: 320_000, triggers: ['wind'] }, c);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      score: 25, grade: null, priceCents: null, basePriceCents: null, priceAdjustments: [],
      missingInputs: ['roofAgeYears', 'roofCondition', 'contact', 'missingFields'],
    });
    const empty = await post('/api/v1/score/property', {});
    expect(empty.json()).toMatchObject({ score: 0, grade: null, missingInputs: ['propertyValue', 'roofAgeYears', 'triggers', 'roofCondition', 'contact', 'missingFields'] });
  });

  it('rejects malformed bodies with the field named, and anonymous callers', async () => {
    for (const body of [{ roofCondition: 'bad' }, { triggers: ['flood'] }, { propertyValue: -1 }, { contact: { email: 'maybe' } }, { missingFields: 1.5 }, { roofAge: 3 }]) {
      const res = await post('/api/v1/score/property', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    const anon = await h.app.inject({ method: 'POST', url: '/api/v1/score/property', payload: {} });
    expect(anon.statusCode).toBe(401);
  });
});

describe('POST /api/v1/score/batch', () => {
  it('enqueues scoring.rescore-batch for ids or a filter (admin/ops), 202 with the job id', async () => {
    const res = await post('/api/v1/score/batch', { ids: [id.scored], force: true });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ job: 'scoring.rescore-batch', queue: 'scoring', payload: { filter: { ids: [id.scored] }, force: true } });
    expect(body.jobId).toMatch(/^scoring\.rescore-batch@api-/);
    const job = await h.ctx.queues.get('scoring').getJob(body.jobId);
    expect(job?.name).toBe('scoring.rescore-batch');
    expect(job?.data).toMatchObject({ filter: { ids: [id.scored] }, force: true, by: expect.stringMatching(/^user:/) });

    const byFilter = await post('/api/v1/score/batch', { filter: { city: 'Austin', state: 'tx', statuses: ['scored', 'available'] } });
    expect(byFilter.statusCode).toBe(202);
    expect(byFilter.json().payload).toMatchObject({ filter: { city: 'Austin', state: 'TX', statuses: ['scored', 'available'] }, force: false });
    const audit = await h.ctx.db.prisma.systemEvent.count({ where: { eventName: 'rescore_enqueued' } });
    expect(audit).toBe(2);
  });

  it('validates the body and the role', async () => {
    expect((await post('/api/v1/score/batch', { ids: ['not-a-uuid'] })).statusCode).toBe(400);
    expect((await post('/api/v1/score/batch', { filter: { statuses: ['bogus'] } })).statusCode).toBe(400);
    expect((await post('/api/v1/score/batch', { ids: [id.scored], filter: { ids: [id.scored] } })).statusCode).toBe(400);
    expect((await post('/api/v1/score/batch', { force: true }, await contractorAuth(id.other))).statusCode).toBe(403);
  });
});

describe('GET /api/v1/leads/:id/score', () => {
  it('shows staff the stored score and the full explanation rebuilt from the stored inputs', async () => {
    const res = await get(`/api/v1/leads/${id.scored}/score`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      leadId: id.scored, status: 'scored', qualityScore: 72, grade: 'C', price: 180, scorerVersion: ENGINE_SCORER_VERSION, pending: false,
    });
    expect(body.explanation).toMatchObject({
      scorer: 'property-quality', scorerVersion: ENGINE_SCORER_VERSION, current: true, score: 72, grade: 'C', priceCents: 18_000,
      missingInputs: [], missingFields: [],
      inputs: { propertyValue: 400_000, roofAgeYears: 24, roofCondition: 'poor', triggers: ['hail'], contact: { email: 'verified', phone: 'none' }, missingFields: 0, exclusiveTerritory: false, interestedContractors24h: 0 },
      priceAdjustments: [{ name: 'urgency', multiplier: 1.2 }],
    });
    expect(body.explanation.factors).toEqual([
      { name: 'property_value', points: 15, max: 20, reason: 'property value $400,000' },
      { name: 'roof_age', points: 15, max: 20, reason: 'roof about 24 years old' },
      { name: 'trigger_events', points: 15, max: 25, reason: 'hail +15' },
      { name: 'roof_condition', points: 15, max: 20, reason: 'roof condition poor' },
      { name: 'contact_quality', points: 7, max: 10, reason: 'email verified, phone none' },
      { name: 'data_completeness', points: 5, max: 5, reason: 'all fields complete' },
    ]);
    expect(body.explanation.inputsHash).toBe(body.inputsHash);
  });

  it('shows the buyer its lead; any other contractor gets 404, as for an unknown id', async () => {
    const mine = await get(`/api/v1/leads/${id.sold}/score`, await contractorAuth(id.buyer));
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ leadId: id.sold, status: 'sold' });
    expect(mine.json().explanation.missingFields).toEqual(['year_built', 'owner_contact']);
    const other = await get(`/api/v1/leads/${id.sold}/score`, await contractorAuth(id.other));
    expect(other.statusCode).toBe(404);
    expect((await get(`/api/v1/leads/${id.scored}/score`, await contractorAuth(id.other))).statusCode).toBe(404);
    expect((await get(`/api/v1/leads/${randomUUID()}/score`)).statusCode).toBe(404);
  });

  it('a manually scored lead has no explanation yet', async () => {
    const res = await get(`/api/v1/leads/${id.low}/score`);
    expect(res.json()).toMatchObject({ qualityScore: 55, explanation: null, scorerVersion: null });
  });
});

describe('POST /api/v1/leads/:id/publish', () => {
  it('puts a scored, priced lead on sale with an outbox event, once', async () => {
    const res = await post(`/api/v1/leads/${id.scored}/publish`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: id.scored, status: 'available', price: 180, qualityScore: 72 });
    expect(res.json().publishedAt).not.toBeNull();
    const outbox = await h.ctx.db.prisma.outbox.findMany({ where: { topic: 'lead.published' } });
    expect(outbox.map((o) => o.payload)).toEqual([{ leadId: id.scored }]);
    const ev = await h.ctx.db.prisma.systemEvent.findFirstOrThrow({ where: { entityId: id.scored, eventName: 'lead.available' } });
    expect(ev.eventData).toMatchObject({ from: 'scored', to: 'available', via: 'publish' });

    const again = await post(`/api/v1/leads/${id.scored}/publish`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('INVALID_TRANSITION');
    expect(await h.ctx.db.prisma.outbox.count({ where: { topic: 'lead.published' } })).toBe(1);
  });

  it('refuses a scored lead below 60 or without a price, other statuses, contractors and unknown ids', async () => {
    const low = await post(`/api/v1/leads/${id.low}/publish`, {});
    expect(low.statusCode).toBe(409);
    expect(low.json()).toMatchObject({ code: 'LEAD_NOT_PUBLISHABLE' });
    expect((await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: id.low } })).status).toBe('scored');
    const sold = await post(`/api/v1/leads/${id.sold}/publish`, {});
    expect(sold.json().code).toBe('INVALID_TRANSITION');
    expect((await post(`/api/v1/leads/${id.low}/publish`, {}, await contractorAuth(id.buyer))).statusCode).toBe(403);
    expect((await post(`/api/v1/leads/${randomUUID()}/publish`, {})).statusCode).toBe(404);
  });
});
