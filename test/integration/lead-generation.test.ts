import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { clusterLeads } from '../../src/modules/clustering/clustering.service.ts';
import { generateLeadBatchJob } from '../../src/modules/leads/leads.jobs.ts';
import type { JobRunContext } from '../../src/platform/queues.ts';

/** seed 000 generate_leads on real PostgreSQL: selection, dedupe, exclusions, publishing, clustering. */
let h: TestHarness;
let seq = 0;
let contractorId: string;

type Status = 'scored' | 'available' | 'reserved' | 'sold' | 'processing' | 'refunded';
interface LeadSpec {
  zip: string;
  score: number;
  status?: Status;
  price?: number | null;
  trade?: string;
  address?: string;
  city?: string;
  propertyId?: string;
  lat?: number;
  lng?: number;
}

async function lead(s: LeadSpec): Promise<string> {
  const n = ++seq;
  const r = await h.ctx.db.prisma.baseLead.create({
    data: {
      trade: s.trade ?? 'hvac', address: s.address ?? `${500 + n} Generation Way`, city: s.city ?? 'Austin', state: 'TX', zip: s.zip,
      status: s.status ?? 'scored', qualityScore: s.score, price: s.price === undefined ? 150 : s.price, propertyId: s.propertyId ?? null,
      lat: s.lat ?? null, lng: s.lng ?? null,
      soldToContractorId: s.status === 'sold' ? contractorId : null,
    },
  });
  return r.id;
}

const property = async (address: string) =>
  (await h.ctx.db.prisma.property.create({ data: { normalizedAddress: address.toUpperCase(), address, city: 'Austin', state: 'TX' } })).id;

const generate = (payload: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: '/api/v1/leads/generate', headers: h.adminAuth, payload: { trade: 'hvac', ...payload } });

const statusOf = async (id: string) => (await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } })).status;

beforeAll(async () => {
  h = await createHarness();
  contractorId = (await h.ctx.db.prisma.contractor.create({ data: { companyName: 'Buyer', city: 'Austin', state: 'TX' } })).id;
});
afterAll(async () => {
  await h?.close();
});

describe('lead_address_key', () => {
  it('gives two spellings of one address the same key, and different units different keys', async () => {
    const key = async (a: string, city = 'Austin', state = 'TX') =>
      (await h.ctx.db.prisma.$queryRaw<{ k: string }[]>`SELECT lead_address_key(${a}, ${city}, ${state}) AS k`)[0]!.k;
    expect(await key('123 N. Oak Street, Apt 4')).toBe('123 n oak st apt 4|austin|TX');
    expect(await key('123 north OAK st #4', ' austin ', 'tx')).toBe('123 n oak st apt 4|austin|TX');
    expect(await key('123 North Oak Street Suite 4')).toBe('123 n oak st apt 4|austin|TX');
    expect(await key('123 N Oak St Apt 5')).not.toBe(await key('123 N Oak St Apt 4'));
    expect(await key('9 Sunset Boulevard')).toBe(await key('9 sunset blvd'));
    expect(await key('9 Sunset Blvd', 'Dallas')).not.toBe(await key('9 Sunset Blvd'));
  });
});

describe('generateLeads (POST /api/v1/leads/generate)', () => {
  it('keeps one lead per property: the best scored one, or the one already on the market', async () => {
    const zip = '78610';
    const p1 = await property('1 Dup Ln');
    const p1a = await lead({ zip, score: 90, propertyId: p1, address: '1 Dup Ln' });
    const p1b = await lead({ zip, score: 95, propertyId: p1, address: '1 Dup Lane Unit A' });
    const p2 = await property('2 Listed Ln');
    const p2Listed = await lead({ zip, score: 70, status: 'available', propertyId: p2, address: '2 Listed Ln' });
    const p2Better = await lead({ zip, score: 99, propertyId: p2, address: '2 Listed Lane' });
    // No property row: the normalized address decides.
    const a1 = await lead({ zip, score: 85, address: '12 N. Oak Street' });
    const a2 = await lead({ zip, score: 88, address: '12 north oak st' });
    const other = await lead({ zip, score: 80, address: '14 North Oak Street' });

    const res = await generate({ zips: [zip], minScore: 60, maxLeads: 100 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ generated: 4, published: 3, leadIds: [p1b, a2, other, p2Listed] });
    expect(await Promise.all([p1a, p1b, p2Listed, p2Better, a1, a2, other].map(statusOf))).toEqual(['scored', 'available', 'available', 'scored', 'scored', 'available', 'available']);
  });

  it('skips properties that are sold, reserved or have an active sale, and leads with a buyer', async () => {
    const zip = '78611';
    const sold = await property('3 Sold Ct');
    await lead({ zip, score: 70, status: 'sold', propertyId: sold, address: '3 Sold Ct' });
    const soldTwin = await lead({ zip, score: 99, propertyId: sold, address: '3 Sold Court Apt 1' });
    const reservedTwinAddr = await lead({ zip, score: 97, address: '5 Reserved Rd' });
    await lead({ zip, score: 65, status: 'reserved', address: '5 reserved road' });
    // Scored but with an active sale row (imported data): not unassigned.
    const assigned = await lead({ zip, score: 96 });
    await h.ctx.db.prisma.leadAssignment.create({ data: { baseLeadId: assigned, contractorId, status: 'active' } });
    // A refunded sale does not count.
    const refundedSale = await lead({ zip, score: 94 });
    await h.ctx.db.prisma.leadAssignment.create({ data: { baseLeadId: refundedSale, contractorId, status: 'refunded', refundedAt: new Date() } });
    // A refunded lead does not take its property off the market.
    const again = await property('7 Again St');
    await lead({ zip, score: 80, status: 'refunded', propertyId: again, address: '7 Again St' });
    const againNew = await lead({ zip, score: 93, propertyId: again, address: '7 Again Street' });

    const res = await generate({ zips: [zip], maxLeads: 100 });
    expect(res.json()).toEqual({ generated: 2, published: 2, leadIds: [refundedSale, againNew] });
    for (const id of [soldTwin, reservedTwinAddr, assigned]) expect(await statusOf(id)).toBe('scored');
  });

  it('applies minScore (never below 60), needs a price, filters by ZIP and trade, and caps at maxLeads, best first', async () => {
    const [z1, z2] = ['78612', '78613'];
    const s59 = await lead({ zip: z1, score: 59 });
    const s60 = await lead({ zip: z1, score: 60 });
    const s79 = await lead({ zip: z1, score: 79 });
    const s80 = await lead({ zip: z1, score: 80 });
    const s91 = await lead({ zip: z2, score: 91 });
    const unpriced = await lead({ zip: z1, score: 99, price: null });
    const roof = await lead({ zip: z1, score: 98, trade: 'roof' });
    const elsewhere = await lead({ zip: '78699', score: 97 });

    expect((await generate({ zips: [z1, z2], minScore: 80, maxLeads: 100 })).json()).toEqual({ generated: 2, published: 2, leadIds: [s91, s80] });
    expect((await generate({ zips: [z1], minScore: 0, maxLeads: 1 })).json()).toEqual({ generated: 1, published: 0, leadIds: [s80] });
    expect((await generate({ zips: [z1], minScore: 0, maxLeads: 3 })).json()).toEqual({ generated: 3, published: 2, leadIds: [s80, s79, s60] });
    for (const id of [s59, unpriced, roof, elsewhere]) expect(await statusOf(id)).toBe('scored');
    expect((await generate({ zips: [z1], maxLeads: 1001 })).statusCode).toBe(400);
  });

  it('publishes with published_at, one audit row and one lead.published outbox event per lead', async () => {
    const zip = '78614';
    const ids = [await lead({ zip, score: 75 }), await lead({ zip, score: 85 })];
    const before = new Date();
    const res = await generate({ zips: [zip], maxLeads: 10 });
    expect(res.json()).toEqual({ generated: 2, published: 2, leadIds: [ids[1], ids[0]] });
    for (const id of ids) {
      const l = await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } });
      expect(l.status).toBe('available');
      expect(l.publishedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 5);
      expect(l.availableFrom).toEqual(l.publishedAt);
      expect(l.version).toBe(1);
      const out = await h.ctx.db.prisma.outbox.findMany({ where: { topic: 'lead.published', dedupeKey: `lead.published:${id}` } });
      expect(out.map((o) => o.payload)).toEqual([{ leadId: id }]);
      const ev = await h.ctx.db.prisma.systemEvent.findMany({ where: { entityId: id, eventName: 'lead.available' } });
      expect(ev).toHaveLength(1);
      expect(ev[0]!.eventData).toMatchObject({ from: 'scored', to: 'available', via: 'generate' });
    }
    // Again: both are on the market already; nothing new is published or emitted.
    expect((await generate({ zips: [zip], maxLeads: 10 })).json()).toEqual({ generated: 2, published: 0, leadIds: [ids[1], ids[0]] });
    expect(await h.ctx.db.prisma.outbox.count({ where: { dedupeKey: { in: ids.map((id) => `lead.published:${id}`) } } })).toBe(2);
  });
});

describe('leads.generate-batch', () => {
  it('publishes the best leads of every trade with scored leads and puts them into their clusters', async () => {
    // A cluster of 12 available roofing leads in Round Rock, then scored leads next to it and far from it.
    const centre = { lat: 30.5083, lng: -97.6789 };
    const near = (i: number, r = 100) => ({ lat: centre.lat + (r * Math.sin(i)) / 111_320, lng: centre.lng + (r * Math.cos(i)) / 96_000 });
    for (let i = 0; i < 12; i++) await lead({ zip: '78664', trade: 'roof', status: 'available', score: 70, city: 'Round Rock', ...near(i) });
    const run = await clusterLeads(h.ctx, { market: 'Round Rock, TX' });
    expect(run).toMatchObject({ clusters: 1, created: 1 });
    const cluster = await h.ctx.db.prisma.leadCluster.findFirstOrThrow({ where: { market: 'Round Rock, TX' } });

    const roofNear = await lead({ zip: '78664', trade: 'roof', score: 99, city: 'Round Rock', ...near(0.5, 300) });
    const roofFar = await lead({ zip: '78664', trade: 'roof', score: 98, city: 'Round Rock', lat: centre.lat + 0.2, lng: centre.lng });
    const roofLow = await lead({ zip: '78664', trade: 'roof', score: 61, city: 'Round Rock', ...near(1, 200) });
    const plumbing = await lead({ zip: '78664', trade: 'plumbing', score: 90, city: 'Round Rock', ...near(2, 200) });

    const progress: unknown[] = [];
    const ctxRun: JobRunContext = {
      ctx: h.ctx, jobId: 't1', attempt: 1, signal: new AbortController().signal,
      progress: async (pct, info) => void progress.push(info ? { pct, ...info } : pct),
      log: async () => {},
    };
    const payload = generateLeadBatchJob.payload.parse({ limit: 2 });
    const out = await generateLeadBatchJob.handler(payload, ctxRun);
    // hvac still has scored leads from the tests above (those below 80 that were never published, …).
    expect(out).toMatchObject({ perTrade: { roof: { generated: 2, published: 2, clustered: 1 }, plumbing: { generated: 1, published: 1, clustered: 1 } } });
    expect(Object.keys((out as { perTrade: object }).perTrade)).toEqual(['hvac', 'plumbing', 'roof']);
    expect(progress.at(-1)).toBe(100);

    const rows = await h.ctx.db.prisma.baseLead.findMany({ where: { id: { in: [roofNear, roofFar, roofLow, plumbing] } } });
    const by = new Map(rows.map((r) => [r.id, r]));
    expect([by.get(roofNear)!.status, by.get(roofFar)!.status, by.get(roofLow)!.status, by.get(plumbing)!.status]).toEqual(['available', 'available', 'scored', 'available']);
    expect([by.get(roofNear)!.clusterId, by.get(roofFar)!.clusterId, by.get(roofLow)!.clusterId, by.get(plumbing)!.clusterId]).toEqual([cluster.id, null, null, cluster.id]);
    const c = await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: cluster.id } });
    expect([c.leadCount, c.leadsAvailable]).toEqual([14, 14]);

    // The next hour adds the next best leads: what is on sale already does not fill the batch.
    const next = await generateLeadBatchJob.handler(generateLeadBatchJob.payload.parse({ limit: 2, trades: ['roof'] }), ctxRun);
    expect(next).toMatchObject({ trades: 1, perTrade: { roof: { generated: 2, published: 2, clustered: 1 } } });
    expect(await statusOf(roofLow)).toBe('available');
    expect((await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: roofLow } })).clusterId).toBe(cluster.id);
  });
});
