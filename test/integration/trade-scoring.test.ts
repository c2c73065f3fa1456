import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { scoreLeadsExport } from '../../src/modules/exports/exports.service.ts';
import { rulesReasoner } from '../../src/modules/scoring/permit-intent.reasoner.ts';
import { rescoreBatchJob } from '../../src/modules/scoring/scoring.jobs.ts';
import { ZRescoreBatchPayload } from '../../src/modules/scoring/scoring.schemas.ts';
import { detectTriggers } from '../../src/modules/triggers/triggers.service.ts';
import { ENGINE_VERSIONS, rescoreLeads } from '../../src/modules/scoring/batch-engine.ts';
import { attachPropertiesToLeads } from '../../src/modules/leads/leads.service.ts';
import { signAccessToken } from '../../src/platform/auth.ts';
import { randomUUID } from 'node:crypto';

/**
 * Issue 8 §1–2 on a real database: one lead per property and trade, each trade scored by its own rules,
 * triggers applied by trade, and the seed 001 workflow (score-leads --save-to-db → the 30-minute rescore →
 * mark-sold) for a tier-B pool lead. Every expected score is computed by hand in the comments.
 */
let h: TestHarness;
let tmp: string;
const NOW = new Date('2026-11-22T12:00:00.000Z');
const daysAgo = (n: number) => new Date(Date.UTC(2026, 10, 22 - n));
const LAT = 33.0198;
const LNG = -96.6989;
const ids = {} as Record<'property' | 'poolPermit' | 'roofPermit' | 'pool' | 'roof', string>;

/** The 30-minute schedule's job (scoring.rescore-every-30-minutes → scoring.rescore-batch, signal-based). */
const rescoreEvery30Minutes = () =>
  rescoreBatchJob.handler(ZRescoreBatchPayload.parse({}), {
    ctx: h.ctx, jobId: 'scoring.rescore-batch@test', attempt: 1, signal: new AbortController().signal,
    progress: async () => {}, log: async () => {},
  });

const lead = (id: string) => h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } });

/** A pool lead scoring 85 (B, $175): intent 90 → 45, $800,000 → 20, both contacts verified → 15, complete → 5; on sale. */
async function publishedPoolLead(address: string, zip: string): Promise<string> {
  const c = h.ctx.cipher;
  const id = (await h.ctx.db.prisma.baseLead.create({
    data: {
      trade: 'pool', tradeGroup: 'luxury_outdoor', category: 'pool', address, city: 'Plano', state: 'TX', zip, lat: 33.08, lng: -96.75,
      propertyValue: 800_000, yearBuilt: 2005, sqft: 2_800, propertyType: 'single_family', ownerName: 'Pat Pool',
      ownerEmailEnc: c.encrypt(`${zip}@example.com`), ownerEmailVerified: true, ownerPhoneEnc: c.encrypt('972-555-0199'), ownerPhoneVerified: true,
      intentScore: 90, status: 'processing',
    },
  })).id;
  await rescoreLeads(h.ctx, { filter: { ids: [id] } });
  expect((await h.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/publish`, headers: h.adminAuth })).statusCode).toBe(200);
  return id;
}

/** A contractor created over the API in Plano, and its bearer token. */
async function contractorWithToken(companyName: string, email: string, zip: string, tier = 'professional') {
  const res = await h.app.inject({
    method: 'POST', url: '/api/v1/contractors', headers: h.adminAuth,
    payload: { companyName, email, city: 'Plano', state: 'TX', zip, subscriptionTier: tier },
  });
  const cid: string = res.json().id;
  return { cid, auth: { authorization: `Bearer ${await signAccessToken(h.config.JWT_SECRET, { sub: randomUUID(), role: 'contractor', cid, email }, 900)}` } };
}

beforeAll(async () => {
  h = await createHarness();
  tmp = await mkdtemp(path.join(tmpdir(), 'tl-trade-'));
  const db = h.ctx.db.prisma;
  const plano = await db.targetCity.create({ data: { city: 'Plano', state: 'TX' } });
  ids.property = (await db.property.create({
    data: {
      normalizedAddress: '100 POOL LN', address: '100 Pool Ln', city: 'Plano', state: 'TX', zip: '75024', lat: LAT, lng: LNG,
      ownerName: 'Ann Pool', marketValue: 800_000, yearBuilt: 1998, sqft: 3_200, propertyType: 'single_family', isAbsentee: false,
    },
  })).id;
  const permit = (n: string, type: string, desc: string, value: number, applied: Date, minutesAgo: number) =>
    db.permit.create({
      data: {
        source: 'test', permitNumber: n, targetCityId: plano.id, propertyId: ids.property, address: '100 Pool Ln', city: 'Plano', state: 'TX',
        zip: '75024', lat: LAT, lng: LNG, permitType: type, workDescription: desc, estimatedValue: value, appliedDate: applied, issueDate: applied,
        scrapedAt: new Date(NOW.getTime() - 60_000 * minutesAgo),
      },
    });
  // Pool: $95,000 ≥ 1.5 × $60,000 → 40; 20 days → 15; $800,000 → 20; no description signal → 75, tier B.
  ids.poolPermit = (await permit('TP-1', 'Residential Pool', 'Gunite pool and spa', 95_000, daysAgo(20), 1)).id;
  // Roof at the same house: $15,000 = typical → 32; 40 days → 10; $800,000 → 20; "reroof" +5 → 67, tier B.
  ids.roofPermit = (await permit('TP-2', 'Roofing', 'Reroof with architectural shingles', 15_000, daysAgo(40), 2)).id;
});

afterAll(async () => {
  await h?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('seed 001 workflow for a tier-B pool lead (issue 8 §2)', () => {
  it('score-leads --save-to-db makes one lead per trade at the house', async () => {
    const s = await scoreLeadsExport(h.ctx, { outDir: tmp, saveToDb: true, reasoner: rulesReasoner, now: () => NOW });
    expect(s.db).toMatchObject({ inserted: 2, failed: 0 });
    const leads = await h.ctx.db.prisma.baseLead.findMany({ where: { address: '100 Pool Ln' }, orderBy: { trade: 'asc' } });
    expect(leads.map((l) => [l.trade, l.intentScore, l.tier, l.status, l.yearBuilt, l.sqft, l.propertyType])).toEqual([
      ['pool', 75, 'B', 'scored', 1998, 3_200, 'single_family'],
      ['roof', 67, 'B', 'scored', 1998, 3_200, 'single_family'],
    ]);
    [ids.pool, ids.roof] = [leads[0]!.id, leads[1]!.id];
  });

  it('the 30-minute rescore scores the pool lead by the trade rules and keeps it sellable', async () => {
    const r = await rescoreEvery30Minutes();
    expect(r).toMatchObject({ scanned: 2, skipped: false });
    // pool: intent 75 → 38; $800,000 → 20; no contact → 0; 1 field missing (owner contact) → 3; no pool permits
    // nearby → 0. 61, D, $125.
    const pool = await lead(ids.pool);
    expect([pool.qualityScore, pool.grade, Number(pool.price), pool.status, pool.scorerVersion]).toEqual([61, 'D', 125, 'scored', ENGINE_VERSIONS[1]]);
    // roof keeps seed 002 §3.5.1: $800,000 → 20; roof 28 years (built 1998, its own permit is not a replacement
    // before it) → 20; no triggers → 0; no analysis → 0; no contact → 0; 1 missing → 3. 43: unqualified.
    const roof = await lead(ids.roof);
    expect([roof.qualityScore, roof.status, roof.scorerVersion]).toEqual([43, 'unqualified', ENGINE_VERSIONS[0]]);
  });

  it('GET /leads/:id/score explains the pool score factor by factor', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/leads/${ids.pool}/score`, headers: h.adminAuth });
    expect(res.statusCode).toBe(200);
    const e = res.json().explanation;
    expect(e).toMatchObject({ scorer: 'trade-quality', scorerVersion: ENGINE_VERSIONS[1], current: true, score: 61 });
    expect(e.factors.map((f: { name: string; points: number }) => [f.name, f.points])).toEqual([
      ['intent', 38], ['property_value', 20], ['contact_quality', 0], ['data_completeness', 3], ['same_trade_activity', 0],
    ]);
    expect(e.inputs).toMatchObject({ trade: 'pool', intentScore: 75, sameTradePermits30d: 0, roofAgeYears: null });
  });

  it('a re-export does not lift the unqualified roof lead: only its quality score (≥ 60) could (issue 8 §4)', async () => {
    const s = await scoreLeadsExport(h.ctx, { outDir: tmp, saveToDb: true, reasoner: rulesReasoner, now: () => NOW });
    expect(s.db).toMatchObject({ inserted: 0, updated: 2, failed: 0 });
    expect([(await lead(ids.roof)).status, (await lead(ids.pool)).status]).toEqual(['unqualified', 'scored']);
  });

  it('POST /leads/:id/mark-sold succeeds for the pool lead (before: INVALID_TRANSITION after the rescore)', async () => {
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${ids.pool}/mark-sold`, headers: h.adminAuth, payload: { soldTo: 'ABC Pool Company', soldPrice: 25 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'sold', soldTo: 'ABC Pool Company', tier: 'B', category: 'pool' });
  });
});

describe('triggers by trade (issue 8 §2)', () => {
  let hvac: string;
  beforeAll(async () => {
    const db = h.ctx.db.prisma;
    // Five pool permits and five roof permits within 0.25 mi (67–333 m north), issued in the last 30 days, at other houses.
    for (let k = 0; k < 5; k++) {
      for (const [trade, type] of [['pool', 'Residential Pool'], ['roof', 'Roofing']] as const) {
        await db.permit.create({
          data: {
            source: 'test', permitNumber: `NB-${trade}-${k}`, address: `${200 + k} Near St`, city: 'Plano', state: 'TX', trade,
            lat: LAT + 0.0006 * (k + 1), lng: LNG, permitType: type, workDescription: type, issueDate: daysAgo(3 + k), appliedDate: daysAgo(3 + k),
          },
        });
      }
    }
    // An HVAC lead next door: no storm, roof-age or roof-permit trigger may reach it.
    hvac = (await db.baseLead.create({
      data: { trade: 'hvac', tradeGroup: 'home_systems', category: 'hvac', address: '102 Pool Ln', city: 'Plano', state: 'TX', zip: '75024',
        lat: LAT + 0.0002, lng: LNG, yearBuilt: 1970, status: 'processing', intentScore: 70 },
    })).id;
    await h.ctx.db.pool.query(
      `INSERT INTO weather_events (event_type, begin_at, event_date, city, state, lat, lng, hail_size_inches, source)
       VALUES ('hail', $1::timestamptz, ($1::timestamptz)::date, 'Plano', 'TX', $2, $3, 1.75, 'test')`,
      [daysAgo(5).toISOString(), LAT + 0.01, LNG],
    );
  });

  it('each lead gets only the triggers its trade takes, and neighbour permits count its own trade', async () => {
    await detectTriggers(h.ctx, { asOf: NOW });
    const rows = await h.ctx.db.prisma.leadTrigger.findMany({ where: { active: true }, select: { baseLeadId: true, triggerType: true, sourceKey: true, triggerDetails: true } });
    const of = (id: string) => rows.filter((r) => r.baseLeadId === id).map((r) => `${r.triggerType}:${(r.triggerDetails as { trade?: string; count?: number }).trade ?? ''}:${(r.triggerDetails as { count?: number }).count ?? ''}`).sort();
    expect(of(ids.roof)).toEqual(['neighbor_permits:roof:5', 'roof_age::', 'weather_event::']);
    expect(of(ids.pool)).toEqual(['neighbor_permits:pool:5']);
    expect(of(hvac)).toEqual([]);
  });

  it('the rescore adds the same-trade activity points and the storm premium only where they apply', async () => {
    await rescoreEvery30Minutes();
    // hvac: intent 70 → 35; value unknown → 0; contact 0; 5 missing (value, sqft, type, owner, contact) → 0; 0 hvac permits → 0. 35.
    expect((await lead(hvac)).qualityScore).toBe(35);
    // roof: 20 + 20 (28 years) + 25 (hail 15 + neighbours 10) + 0 + 0 + 3 = 68, D, $125 × 1.2 (hail) = $150.
    const roof = await lead(ids.roof);
    expect([roof.qualityScore, roof.grade, Number(roof.price), roof.status]).toEqual([68, 'D', 150, 'scored']);
    // The sold pool lead keeps the price it was sold at: sold leads are not rescored.
    expect((await lead(ids.pool)).qualityScore).toBe(61);
  });
});

describe('POST /api/v1/score/property by trade (docs/scoring.md worked examples)', () => {
  const post = (payload: object) => h.app.inject({ method: 'POST', url: '/api/v1/score/property', headers: h.adminAuth, payload });

  it('pool: 38 + 20 + 10 + 3 + 10 = 81, B, $175 (hail ignored: a storm does not make a pool lead urgent)', async () => {
    const res = await post({
      trade: 'pool', intentScore: 75, propertyValue: 650_000, contact: { email: 'verified', phone: 'none' }, missingFields: 1,
      sameTradePermits30d: 6, triggers: ['hail'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      trade: 'pool', scorer: 'trade-quality', score: 81, grade: 'B', priceCents: 175_00, ignoredTriggers: ['hail'], priceAdjustments: [],
      scorerVersion: 'trade-quality@1', missingInputs: [],
    });
  });
  it('HVAC: 32 + 10 + 6 + 5 + 0 = 53, not for sale', async () => {
    const res = await post({ trade: 'hvac', intentScore: 64, propertyValue: 240_000, contact: { email: 'unverified' }, missingFields: 0, sameTradePermits30d: 2 });
    expect(res.json()).toMatchObject({ score: 53, grade: null, priceCents: null });
  });
  it('siding: 44 + 15 + 15 + 0 + 10 = 84, B, $175 × 1.2 = $210', async () => {
    const res = await post({
      trade: 'siding', intentScore: 88, propertyValue: 410_000, contact: { email: 'verified', phone: 'verified' }, missingFields: 3,
      sameTradePermits30d: 5, triggers: ['hail'],
    });
    expect(res.json()).toMatchObject({ score: 84, grade: 'B', priceCents: 210_00, ignoredTriggers: [], priceAdjustments: [{ name: 'urgency', multiplier: 1.2 }] });
  });
  it('answers every worked example of docs/scoring.md as the page states it', async () => {
    const doc = (await readFile(new URL('../../docs/scoring.md', import.meta.url), 'utf8')).replace(/\n/g, ' ');
    const examples = [...doc.matchAll(/\*\*(\w+) — (\w+)\.\*\* `(\{.*?\})`(.*?)\*\*(\d+)(?:, ([A-D]))?[,:.*]/g)];
    expect(examples.map((m) => m[2])).toEqual(['pool', 'siding', 'HVAC', 'remodel', 'commercial_hvac']);
    for (const [, , , body, , score, grade] of examples) {
      const res = await post(JSON.parse(body!));
      expect(res.statusCode).toBe(200);
      expect([res.json().score, res.json().grade]).toEqual([Number(score), grade ?? null]);
    }
  });
  it('defaults to roof and rejects an unknown trade or an out-of-range intent score', async () => {
    expect((await post({ propertyValue: 550_000 })).json()).toMatchObject({ trade: 'roof', scorer: 'property-quality', score: 20 });
    const bad = await post({ trade: 'spaceship', intentScore: 101 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });
});

describe('Denver: the market value, not the assessed value (issue 8 §3)', () => {
  const lv = {} as Record<'both' | 'assessedOnly', string>;
  beforeAll(async () => {
    const db = h.ctx.db.prisma;
    // Denver's assessor publishes ACTUAL_VALUE (market) and ASSESSED_VALUE (6.7 % of it for homes).
    const prop = (address: string, marketValue: number | null) =>
      db.property.create({ data: { normalizedAddress: address.toUpperCase(), address, city: 'Denver', state: 'CO', zip: '80207', lat: 39.7518, lng: -104.9291,
        marketValue, assessedValue: 35_711, yearBuilt: 1928, sqft: 1_930, propertyType: 'single_family', ownerName: 'Fennimore Tumbleweed' } });
    const both = await prop('2624 Glencoe St', 533_000);
    const assessedOnly = await prop('2626 Glencoe St', null);
    const mk = (address: string) => db.baseLead.create({ data: { trade: 'roof', address, city: 'Denver', state: 'CO', status: 'processing' } });
    lv.both = (await mk('2624 Glencoe St')).id;
    lv.assessedOnly = (await mk('2626 Glencoe St')).id;
    await attachPropertiesToLeads(db, [{ leadId: lv.both, propertyId: both.id }, { leadId: lv.assessedOnly, propertyId: assessedOnly.id }]);
  });

  it('the property stage copies the market value as the value and keeps the assessed value apart', async () => {
    const [a, b] = [await lead(lv.both), await lead(lv.assessedOnly)];
    expect([Number(a.propertyValue), Number(a.marketValue), Number(a.assessedValue)]).toEqual([533_000, 533_000, 35_711]);
    expect([a.propertyValue, b.marketValue, Number(b.assessedValue)]).toEqual([a.propertyValue, null, 35_711]);
    expect(b.propertyValue).toBeNull();
  });

  it('scores $533,000 for both; the assessed-only one says it was estimated', async () => {
    await rescoreLeads(h.ctx, { filter: { ids: [lv.both, lv.assessedOnly] } });
    for (const id of [lv.both, lv.assessedOnly]) {
      const res = await h.app.inject({ method: 'GET', url: `/api/v1/leads/${id}/score`, headers: h.adminAuth });
      const f = res.json().explanation.factors[0];
      expect([f.name, f.points]).toEqual(['property_value', 20]);
      expect(f.reason).toBe(id === lv.both
        ? 'property value $533,000'
        : 'property value $533,000, estimated from assessed value $35,711 (CO residential assessment ratio 6.7 %)');
    }
  });

  it('previews both as $500k–600k, not $0–100k', async () => {
    const db = h.ctx.db.prisma;
    await db.baseLead.updateMany({ where: { id: { in: [lv.both, lv.assessedOnly] } }, data: { status: 'available', price: 125, qualityScore: 63 } });
    const created = await h.app.inject({
      method: 'POST', url: '/api/v1/contractors', headers: h.adminAuth,
      payload: { companyName: 'Front Range Roofing', email: 'frr@denver.test', city: 'Denver', state: 'CO', zip: '80207', subscriptionTier: 'professional' },
    });
    const cid = created.json().id;
    const token = await signAccessToken(h.config.JWT_SECRET, { sub: randomUUID(), role: 'contractor', cid, email: 'frr@denver.test' }, 900);
    const auth = { authorization: `Bearer ${token}` };
    for (const id of [lv.both, lv.assessedOnly]) {
      const one = await h.app.inject({ method: 'GET', url: `/api/v1/leads/${id}`, headers: auth });
      expect(one.json()).toMatchObject({ view: 'preview', propertyValueRange: { min: 500_000, max: 600_000 } });
    }
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/leads?city=Denver&state=CO', headers: auth });
    expect(list.json().items.map((l: { propertyValueRange: unknown }) => l.propertyValueRange)).toEqual([{ min: 500_000, max: 600_000 }, { min: 500_000, max: 600_000 }]);
    const full = await h.app.inject({ method: 'GET', url: `/api/v1/leads/${lv.assessedOnly}`, headers: h.adminAuth });
    expect(full.json().property).toMatchObject({ value: 533_000, valueEstimated: true, marketValue: null, assessedValue: 35_711 });
  });
});

describe('demand premium: two contractors previewing in 24 h (seed 002 §3.5.2, issue 8 §3)', () => {
  it('the second viewer sees the ×1.15 price and the purchase charges it', async () => {
    const db = h.ctx.db.prisma;
    // pool: intent 90 → 45; $800,000 → 20; both verified → 15; complete → 5; no pool permits → 0. 85, B, $175.
    const id = await publishedPoolLead('9 Demand Dr', '75024');
    const contractor = (n: number) => contractorWithToken(`Pool Co ${n}`, `pool${n}@demand.test`, '75024');
    const [a, b] = [await contractor(1), await contractor(2)];
    const view = async (who: { auth: Record<string, string> }) => (await h.app.inject({ method: 'GET', url: `/api/v1/leads/${id}`, headers: who.auth })).json().price;

    expect(await view(a)).toBe(175);
    expect(await view(a)).toBe(175); // the same contractor again is still one viewer
    expect(await view(b)).toBe(201.25); // $175 × 1.15
    expect(await db.leadView.count({ where: { leadId: id } })).toBe(2);
    const score = await h.app.inject({ method: 'GET', url: `/api/v1/leads/${id}/score`, headers: h.adminAuth });
    expect(score.json().explanation.priceAdjustments).toEqual([{ name: 'demand', multiplier: 1.15 }]);

    // 24 hours later (the views age out) the 30-minute rescore drops the premium; a new second viewer restores it.
    await db.leadView.updateMany({ where: { leadId: id }, data: { lastViewedAt: new Date(Date.now() - 25 * 3600_000) } });
    await rescoreEvery30Minutes();
    expect(Number((await lead(id)).price)).toBe(175);
    expect(await view(a)).toBe(175);
    expect(await view(b)).toBe(201.25);

    const bought = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/purchase`, headers: { ...b.auth, 'idempotency-key': randomUUID() }, payload: {} });
    expect(bought.statusCode).toBe(200);
    const sale = await db.leadAssignment.findFirstOrThrow({ where: { baseLeadId: id } });
    expect([sale.contractorId, Number(sale.pricePaid)]).toEqual([b.cid, 201.25]);
  });
});

describe('exclusivity, every way it is sold (issue 8 §5)', () => {
  it('a live exclusive cluster hides its leads from other contractors, refuses their purchase and prices the lead ×1.1', async () => {
    const db = h.ctx.db.prisma;
    // pool: 45 + 20 + 15 + 5 + 0 = 85, B, $175 (as in the demand premium case)
    const id = await publishedPoolLead('11 Cluster Ct', '75025');
    const contractor = (n: number, tier = 'professional') => contractorWithToken(`Cluster Co ${n}`, `cl${n}@cluster.test`, '75025', tier);
    const [holder, other, starter] = [await contractor(1), await contractor(2), await contractor(3, 'starter')];
    const view = (who: { auth: Record<string, string> }) => h.app.inject({ method: 'GET', url: `/api/v1/leads/${id}`, headers: who.auth });
    const listed = async (who: { auth: Record<string, string> }) =>
      (await h.app.inject({ method: 'GET', url: '/api/v1/leads?zip=75025', headers: who.auth })).json().items.map((l: { id: string }) => l.id);

    // The starter tier's priority window hides a fresh lead by id as it does in the listing.
    expect([(await view(starter)).statusCode, await listed(starter)]).toEqual([404, []]);

    const cluster = await db.leadCluster.create({ data: { clusterName: 'Plano pools', market: 'Plano, TX', city: 'Plano', state: 'TX', centerLat: 33.08, centerLng: -96.75 } });
    await db.baseLead.update({ where: { id }, data: { clusterId: cluster.id } });
    await db.leadCluster.update({ where: { id: cluster.id }, data: { exclusiveContractorId: holder.cid, assignedAt: new Date(), exclusivityExpiresAt: new Date(Date.now() + 30 * 86400_000) } });
    await rescoreEvery30Minutes();
    expect(Number((await lead(id)).price)).toBe(192.5); // $175 × 1.1

    expect((await view(other)).statusCode).toBe(404);
    expect(await listed(other)).toEqual([]);
    const refused = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/purchase`, headers: { ...other.auth, 'idempotency-key': randomUUID() }, payload: {} });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'NOT_CLUSTER_HOLDER']);

    expect((await view(holder)).json()).toMatchObject({ view: 'preview', price: 192.5 });
    expect(await listed(holder)).toEqual([id]);
    const bought = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/purchase`, headers: { ...holder.auth, 'idempotency-key': randomUUID() }, payload: {} });
    expect(bought.statusCode).toBe(200);
    expect(Number((await db.leadAssignment.findFirstOrThrow({ where: { baseLeadId: id } })).pricePaid)).toBe(192.5);
  });
});

describe('city-wide exclusivity in the marketplace (issue 8 §5, seed 002 §3.6.6)', () => {
  it('an enterprise city claim hides the city’s leads of its trade from others, refuses their purchase and prices them ×1.1', async () => {
    const db = h.ctx.db.prisma;
    // The same pool lead as above (85, B, $175), in Plano 75093.
    const id = await publishedPoolLead('21 Citywide Cir', '75093');
    const holder = await contractorWithToken('Plano Pools Inc', 'ent@citywide.test', '75093', 'enterprise');
    const other = await contractorWithToken('Other Pools', 'other@citywide.test', '75093');
    const claim = await h.app.inject({
      method: 'POST', url: `/api/v1/contractors/${holder.cid}/territories`, headers: h.adminAuth,
      payload: { kind: 'city', city: 'Plano', state: 'TX', trade: 'pool' },
    });
    expect(claim.statusCode).toBe(201);
    await rescoreEvery30Minutes();
    expect(Number((await lead(id)).price)).toBe(192.5); // $175 × 1.1

    expect((await h.app.inject({ method: 'GET', url: `/api/v1/leads/${id}`, headers: other.auth })).statusCode).toBe(404);
    const refused = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/purchase`, headers: { ...other.auth, 'idempotency-key': randomUUID() }, payload: {} });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'NOT_TERRITORY_HOLDER']);
    const bought = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/purchase`, headers: { ...holder.auth, 'idempotency-key': randomUUID() }, payload: {} });
    expect(bought.statusCode).toBe(200);
    expect(Number((await db.leadAssignment.findFirstOrThrow({ where: { baseLeadId: id } })).pricePaid)).toBe(192.5);
  });
});
