import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';
import { signAccessToken } from '../../src/platform/auth.ts';
import { writeOutbox } from '../../src/platform/outbox.ts';
import { outboxJobId, relayOnce } from '../../src/modules/orchestration/outbox-relay.ts';
import { startWorkers, type WorkerHandle } from '../../src/modules/orchestration/worker.ts';
import {
  assignLeadToCluster,
  clusterLeads,
  refreshClusterStats,
} from '../../src/modules/clustering/clustering.service.ts';

/**
 * Clustering on real PostGIS with point sets whose answer is known: in Austin three dense groups of 12, 40 and
 * 150 leads (8 km apart), a ring of 40 leads 2.2 miles around a point with 3 leads at that point (DBSCAN noise
 * that the merge step puts in the ring's cluster), 5 isolated leads (noise that stays unclustered), and leads
 * in statuses that are never clustered; in Dallas one group of 20.
 */
let h: TestHarness;
const AUSTIN = { lat: 30.2672, lng: -97.7431 };
const DALLAS = { lat: 32.7767, lng: -96.797 };
const M_PER_DEG = 111_320;
const MILE = 1609.344;

type P = { lat: number; lng: number };
const at = (o: P, dx: number, dy: number): P => ({ lat: o.lat + dy / M_PER_DEG, lng: o.lng + dx / (M_PER_DEG * Math.cos((o.lat * Math.PI) / 180)) });
const ring = (o: P, r: number, n: number, phase = 0): P[] =>
  Array.from({ length: n }, (_, i) => at(o, r * Math.cos(phase + (2 * Math.PI * i) / n), r * Math.sin(phase + (2 * Math.PI * i) / n)));
/** Great-circle distance in metres (haversine); plenty for "within metres" checks at these scales. */
function metres(a: P, b: P): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  const s = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lng - a.lng) * rad) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(s));
}

const A = AUSTIN;
const B = at(AUSTIN, 8000, 0);
const C = at(AUSTIN, 0, 8000);
const D = at(AUSTIN, -10_000, -10_000);

type Status = 'scored' | 'available' | 'reserved' | 'sold' | 'processing' | 'unqualified' | 'expired';
interface Seed { point: P; status: Status; score: number; priceCents: number; city?: string; state?: string; deleted?: boolean }

let seq = 0;
const groups: Record<'g12' | 'g40' | 'g150' | 'ring' | 'noise' | 'dallas' | 'ineligible', string[]> = {
  g12: [], g40: [], g150: [], ring: [], noise: [], dallas: [], ineligible: [],
};
const seeds = new Map<string, Seed>();

async function insert(group: keyof typeof groups, list: Seed[]): Promise<string[]> {
  const data = list.map((s) => {
    const n = ++seq;
    return {
      id: randomUUID(),
      trade: 'roof', address: `${1000 + n} Cluster Rd`, city: s.city ?? 'Austin', state: s.state ?? 'TX', zip: s.city === 'Dallas' ? '75201' : n % 3 ? '78704' : '78701',
      lat: s.point.lat, lng: s.point.lng, status: s.status, qualityScore: s.score, price: (s.priceCents / 100).toFixed(2),
      soldToContractorId: null, deletedAt: s.deleted ? new Date() : null,
    };
  });
  await h.ctx.db.prisma.baseLead.createMany({ data });
  data.forEach((d, i) => seeds.set(d.id, list[i]!));
  groups[group].push(...data.map((d) => d.id));
  return data.map((d) => d.id);
}

const score = (i: number) => 60 + ((i * 7) % 41);
const cents = (i: number) => 5000 + ((i * 1337) % 20_000) + 5;

/** Expected statistics of a set of leads, computed from what was inserted. */
function statsOf(ids: string[]) {
  const ss = ids.map((id) => seeds.get(id)!);
  const sum = ss.reduce((a, s) => a + s.score, 0);
  return {
    leadCount: ss.length,
    avgQualityScore: Math.round((sum * 100) / ss.length) / 100,
    totalValue: ss.reduce((a, s) => a + s.priceCents, 0) / 100,
    leadsAvailable: ss.filter((s) => s.status === 'available').length,
    leadsSold: ss.filter((s) => s.status === 'sold').length,
  };
}

const clusterOf = async (leadId: string) => (await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: leadId } })).clusterId;
const clusterIdsOf = async (ids: string[]) =>
  new Set((await h.ctx.db.prisma.baseLead.findMany({ where: { id: { in: ids } }, select: { clusterId: true } })).map((r) => r.clusterId));
const allClusters = () => h.ctx.db.prisma.leadCluster.findMany({ orderBy: { id: 'asc' } });

async function contractor(name: string, city = 'Austin', status = 'active') {
  return (await h.ctx.db.prisma.contractor.create({ data: { companyName: name, city, state: 'TX', status } })).id;
}
async function contractorAuth(contractorId: string) {
  const token = await signAccessToken(h.config.JWT_SECRET, { sub: randomUUID(), role: 'contractor', cid: contractorId, email: `${contractorId}@c.test` }, 900);
  return { authorization: `Bearer ${token}` };
}
const assign = (clusterId: string, contractorId: string, expiresAt = new Date(Date.now() + 30 * 86400_000).toISOString(), headers = h.adminAuth) =>
  h.app.inject({ method: 'POST', url: '/api/v1/clusters/assign', headers, payload: { clusterId, contractorId, expiresAt } });

beforeAll(async () => {
  h = await createHarness();
  await insert('g12', ring(A, 300, 12).map((point, i) => ({ point, status: 'scored', score: score(i), priceCents: cents(i) })));
  const g40Status = (i: number): Status => (i < 10 ? 'available' : i < 15 ? 'sold' : i < 20 ? 'reserved' : 'scored');
  await insert('g40', [...ring(B, 200, 20), ...ring(B, 380, 20, 0.1)].map((point, i) => ({ point, status: g40Status(i), score: score(i + 12), priceCents: cents(i + 12) })));
  // 30 × 5 grid, 30 m apart: elongated east-west, so k = 2 cuts it into the west and east halves.
  const grid: P[] = [];
  for (let x = 0; x < 30; x++) for (let y = 0; y < 5; y++) grid.push(at(C, (x - 14.5) * 30, (y - 2) * 30));
  await insert('g150', grid.map((point, i) => ({ point, status: 'available', score: score(i + 52), priceCents: cents(i + 52) })));
  await insert('ring', [...ring(D, 3540, 40), at(D, 10, 0), at(D, -10, 5), at(D, 0, -10)].map((point, i) => ({ point, status: 'available', score: score(i + 202), priceCents: cents(i + 202) })));
  await insert('noise', [[20_000, 20_000], [-20_000, 20_000], [20_000, -20_000], [25_000, 5000], [5000, -25_000]].map(([dx, dy], i) => ({
    point: at(AUSTIN, dx!, dy!), status: 'available', score: score(i), priceCents: cents(i),
  })));
  await insert('dallas', ring(DALLAS, 250, 20).map((point, i) => ({ point, status: 'available', score: score(i + 300), priceCents: cents(i + 300), city: 'Dallas' })));
  // Never clustered, even in the middle of a group.
  await insert('ineligible', (['processing', 'processing', 'unqualified', 'expired'] as Status[]).map((status, i) => ({ point: at(B, i, i), status, score: 50, priceCents: 100 })));
  await insert('ineligible', [{ point: at(B, 5, 5), status: 'available', score: 90, priceCents: 100, deleted: true }]);
});
afterAll(async () => {
  await h?.close();
});

describe('clusterLeads', () => {
  it('clusters each market with DBSCAN, splits the 150 group, merges the ring centre and leaves isolated leads out', async () => {
    const r = await clusterLeads(h.ctx);
    expect(r).toMatchObject({
      market: null, markets: 2, leads: 12 + 40 + 150 + 43 + 5 + 20, clustered: 12 + 40 + 150 + 43 + 20, unclustered: 5, merged: 3, splits: 1,
      clusters: 6, created: 6, continued: 0, deleted: 0, archived: 0, linked: 265, unlinked: 0,
    });
    const clusters = await allClusters();
    expect(clusters).toHaveLength(6);

    for (const g of ['g12', 'g40', 'ring', 'dallas'] as const) expect((await clusterIdsOf(groups[g])).size, g).toBe(1);
    for (const id of [...groups.noise, ...groups.ineligible]) expect(await clusterOf(id)).toBeNull();

    // The 150 group: two clusters of 75, the west half and the east half of the grid.
    const halves = await clusterIdsOf(groups.g150);
    expect(halves.size).toBe(2);
    const west = groups.g150.filter((_, i) => Math.floor(i / 5) < 15);
    const east = groups.g150.filter((_, i) => Math.floor(i / 5) >= 15);
    expect((await clusterIdsOf(west)).size).toBe(1);
    expect((await clusterIdsOf(east)).size).toBe(1);
    expect([...(await clusterIdsOf(west))][0]).not.toBe([...(await clusterIdsOf(east))][0]);

    const byId = new Map(clusters.map((c) => [c.id, c]));
    const of = async (ids: string[]) => byId.get([...(await clusterIdsOf(ids))][0]!)!;
    const expectCluster = async (ids: string[], centre: P, radius: number | [number, number], market: string) => {
      const c = await of(ids);
      expect({ ...c, avgQualityScore: Number(c.avgQualityScore), totalValue: Number(c.totalValue) }).toMatchObject({
        ...statsOf(ids), status: 'active', market, city: market.split(',')[0], state: market.slice(-2),
      });
      expect(metres({ lat: c.centerLat!, lng: c.centerLng! }, centre)).toBeLessThan(3);
      if (Array.isArray(radius)) {
        expect(Number(c.radiusMiles)).toBeGreaterThanOrEqual(radius[0]);
        expect(Number(c.radiusMiles)).toBeLessThanOrEqual(radius[1]);
      } else expect(Number(c.radiusMiles)).toBe(radius);
      return c;
    };
    // 300 m = 0.186 mi → 0.19; 380 m = 0.236 mi → 0.24 (radii are rounded up to 0.01 mile).
    const g12 = await expectCluster(groups.g12, A, 0.19, 'Austin, TX');
    await expectCluster(groups.g40, B, 0.24, 'Austin, TX');
    await expectCluster(groups.ring, D, [2.18, 2.22], 'Austin, TX');
    await expectCluster(groups.dallas, DALLAS, 0.16, 'Dallas, TX');
    // Each half: 15 × 5 points, 420 m × 120 m, centred 225 m west/east of the grid's centre.
    const w = await expectCluster(west, at(C, -225, 0), [0.13, 0.14], 'Austin, TX');
    await expectCluster(east, at(C, 225, 0), [0.13, 0.14], 'Austin, TX');
    expect(w.leadCount).toBe(75);
    expect(g12.clusterName).toMatch(/^Austin, TX 787\d\d( #\d)?$/);
    expect(new Set(clusters.map((c) => c.clusterName)).size).toBe(6);
  });

  it('is idempotent: a re-run keeps every cluster, link and statistic and writes nothing', async () => {
    const before = await allClusters();
    const links = await h.ctx.db.prisma.baseLead.findMany({ select: { id: true, clusterId: true }, orderBy: { id: 'asc' } });
    const r = await clusterLeads(h.ctx);
    expect(r).toMatchObject({ clusters: 6, created: 0, continued: 6, deleted: 0, archived: 0, linked: 0, unlinked: 0 });
    expect(await allClusters()).toEqual(before);
    expect(await h.ctx.db.prisma.baseLead.findMany({ select: { id: true, clusterId: true }, orderBy: { id: 'asc' } })).toEqual(links);
  });
});

describe('assignLeadToCluster and refreshClusterStats', () => {
  it('puts a new lead in the nearest cluster within 2 miles of its centre and refreshes that cluster', async () => {
    const g40 = (await clusterOf(groups.g40[0]!))!;
    // 1.5 miles east of the 40 group's centre, far from the others.
    const [near] = await insert('g40', [{ point: at(B, 1.5 * MILE, 0), status: 'available', score: 99, priceCents: 12_345 }]);
    expect(await assignLeadToCluster(h.ctx.db.prisma, near!)).toBe(g40);
    const c = await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: g40 } });
    expect({ leadCount: c.leadCount, leadsAvailable: c.leadsAvailable, totalValue: Number(c.totalValue), avg: Number(c.avgQualityScore) }).toEqual({
      leadCount: 41, leadsAvailable: 11, totalValue: statsOf(groups.g40).totalValue, avg: statsOf(groups.g40).avgQualityScore,
    });
    expect(Number(c.radiusMiles)).toBeGreaterThanOrEqual(1.49);
    // Already clustered: stays where it is.
    expect(await assignLeadToCluster(h.ctx.db.prisma, near!)).toBe(g40);
  });

  it('leaves a lead with no cluster within 2 miles, or of another market, unclustered', async () => {
    // 2.5 miles west of the 40 group's centre: over 2 miles from the centre and from every lead of the group.
    const [far] = await insert('noise', [{ point: at(B, -2.5 * MILE, 0), status: 'available', score: 80, priceCents: 100 }]);
    expect(await assignLeadToCluster(h.ctx.db.prisma, far!)).toBeNull();
    // Next to the Austin 12 group, but filed under another city: markets never mix.
    const [elsewhere] = await insert('noise', [{ point: at(A, 10, 10), status: 'available', score: 80, priceCents: 100, city: 'Round Rock' }]);
    expect(await assignLeadToCluster(h.ctx.db.prisma, elsewhere!)).toBeNull();
    const [unpublished] = await insert('ineligible', [{ point: at(A, 10, 10), status: 'processing', score: 80, priceCents: 100 }]);
    expect(await assignLeadToCluster(h.ctx.db.prisma, unpublished!)).toBeNull();
  });

  it('recomputes leads_available and leads_sold after a sale', async () => {
    const id = groups.g40[0]!; // available
    const cid = (await clusterOf(id))!;
    await h.ctx.db.prisma.baseLead.update({ where: { id }, data: { status: 'sold' } });
    seeds.get(id)!.status = 'sold';
    expect(await refreshClusterStats(h.ctx.db.prisma, [cid])).toBe(1);
    const c = await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: cid } });
    expect([c.leadsAvailable, c.leadsSold]).toEqual([statsOf(groups.g40).leadsAvailable, statsOf(groups.g40).leadsSold]);
    expect([c.leadsAvailable, c.leadsSold]).toEqual([10, 6]);
    // Nothing changed since: nothing written.
    expect(await refreshClusterStats(h.ctx.db.prisma)).toBe(0);
  });
});

describe('POST /api/v1/clusters/assign', () => {
  it('gives a cluster to exactly one of ten contractors claiming it at once', async () => {
    const cid = (await clusterOf(groups.dallas[0]!))!;
    const contractors = await Promise.all(Array.from({ length: 10 }, (_, i) => contractor(`Racer ${i}`, 'Dallas')));
    const results = await Promise.all(contractors.map((k) => assign(cid, k)));
    const ok = results.filter((r) => r.statusCode === 200);
    expect(ok).toHaveLength(1);
    const losers = results.filter((r) => r.statusCode === 409);
    expect(losers).toHaveLength(9);
    for (const r of losers) expect(r.json().code).toBe('CLUSTER_TAKEN');
    const winner = ok[0]!.json().exclusive.contractorId;
    expect(contractors).toContain(winner);
    const row = await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: cid } });
    expect(row.exclusiveContractorId).toBe(winner);
    expect(await h.ctx.db.prisma.systemEvent.count({ where: { eventName: 'cluster.assigned', entityId: cid } })).toBe(1);
  });

  it('extends for the holder, frees on expiry, and validates', async () => {
    const cid = (await clusterOf(groups.g12[0]!))!;
    const holder = await contractor('Holder');
    const other = await contractor('Other');
    const first = await assign(cid, holder);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id: cid, exclusive: { held: true, contractorId: holder } });
    const later = new Date(Date.now() + 90 * 86400_000).toISOString();
    const extended = await assign(cid, holder, later);
    expect(extended.statusCode).toBe(200);
    expect(extended.json().exclusive).toEqual({ held: true, contractorId: holder, assignedAt: first.json().exclusive.assignedAt, expiresAt: later });
    expect((await assign(cid, other)).json()).toMatchObject({ status: 409, code: 'CLUSTER_TAKEN', heldUntil: later });

    await h.ctx.db.prisma.leadCluster.update({ where: { id: cid }, data: { exclusivityExpiresAt: new Date(Date.now() - 1000) } });
    const taken = await assign(cid, other);
    expect(taken.statusCode).toBe(200);
    expect(taken.json().exclusive.contractorId).toBe(other);

    expect((await assign(cid, holder, new Date(Date.now() - 60_000).toISOString())).statusCode).toBe(400);
    expect((await assign(randomUUID(), holder)).json().code).toBe('CLUSTER_NOT_FOUND');
    expect((await assign(cid, randomUUID())).json().code).toBe('CONTRACTOR_NOT_FOUND');
    expect((await assign(cid, await contractor('Paused', 'Austin', 'paused'))).json().code).toBe('CONTRACTOR_INACTIVE');
    expect((await assign(cid, other, undefined, await contractorAuth(other))).statusCode).toBe(403);
    // Hand it back to the holder for the archive test below.
    await h.ctx.db.prisma.leadCluster.update({ where: { id: cid }, data: { exclusiveContractorId: holder, exclusivityExpiresAt: new Date(Date.now() + 86400_000) } });
  });
});

describe('GET /api/v1/clusters', () => {
  const get = (url: string, headers = h.adminAuth) => h.app.inject({ method: 'GET', url, headers });

  it('filters by market, city, state, status and size, and pages without gaps or repeats', async () => {
    const austin = await get('/api/v1/clusters?market=austin,%20tx&limit=50');
    expect(austin.statusCode).toBe(200);
    expect(austin.json().items).toHaveLength(5);
    expect(austin.json().items.every((c: { market: string }) => c.market === 'Austin, TX')).toBe(true);
    expect((await get('/api/v1/clusters?city=DALLAS')).json().items.map((c: { leadCount: number }) => c.leadCount)).toEqual([20]);
    expect((await get('/api/v1/clusters?state=tx')).json().items).toHaveLength(6);
    expect((await get('/api/v1/clusters?state=CO')).json().items).toHaveLength(0);
    const big = (await get('/api/v1/clusters?minLeads=41')).json().items.map((c: { leadCount: number }) => c.leadCount).sort();
    expect(big).toEqual([41, 43, 75, 75]);
    expect((await get('/api/v1/clusters?status=archived')).json().items).toHaveLength(0);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res = await get(`/api/v1/clusters?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().items.length).toBeLessThanOrEqual(2);
      seen.push(...res.json().items.map((c: { id: string }) => c.id));
      cursor = res.json().nextCursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect((await get('/api/v1/clusters?cursor=bm9wZQ')).statusCode).toBe(400);
    expect((await get('/api/v1/clusters?market=Austin')).statusCode).toBe(400);
  });

  it('shows a contractor the active clusters of its market, never another contractor\'s id', async () => {
    const me = await contractor('Austin Viewer', 'austin');
    const auth = await contractorAuth(me);
    const g40 = (await clusterOf(groups.g40[1]!))!;
    expect((await assign(g40, me)).statusCode).toBe(200);
    const res = await get('/api/v1/clusters?limit=50', auth);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: string; market: string; exclusive: { held: boolean; contractorId: string | null; assignedAt: string | null } }[];
    expect(items).toHaveLength(5);
    expect(items.every((c) => c.market === 'Austin, TX')).toBe(true);
    for (const c of items) {
      if (c.id === g40) expect(c.exclusive).toMatchObject({ held: true, contractorId: me });
      else expect(c.exclusive.contractorId).toBeNull();
    }
    const heldByOther = items.find((c) => c.exclusive.held && c.id !== g40)!;
    expect(heldByOther.exclusive).toMatchObject({ held: true, contractorId: null, assignedAt: null });

    const dallas = (await clusterOf(groups.dallas[0]!))!;
    expect((await get(`/api/v1/clusters/${dallas}`, auth)).statusCode).toBe(404);
    const mine = await get(`/api/v1/clusters/${g40}`, auth);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ id: g40, leadIds: null, exclusive: { contractorId: me } });
    expect((await get('/api/v1/clusters?status=archived', auth)).statusCode).toBe(403);
    expect((await get('/api/v1/clusters')).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/clusters' })).statusCode).toBe(401);
  });

  it('gives staff a cluster\'s statistics and lead ids', async () => {
    const cid = (await clusterOf(groups.dallas[0]!))!;
    const res = await get(`/api/v1/clusters/${cid}`);
    expect(res.statusCode).toBe(200);
    const s = statsOf(groups.dallas);
    expect(res.json()).toMatchObject({ id: cid, name: 'Dallas, TX 75201', market: 'Dallas, TX', status: 'active', ...s, radiusMiles: 0.16 });
    expect(res.json().leadIds).toEqual([...groups.dallas].sort());
    expect((await get(`/api/v1/clusters/${randomUUID()}`)).json().code).toBe('CLUSTER_NOT_FOUND');
  });
});

describe('re-clustering one market', () => {
  it('archives a held cluster that fell under 10 leads, unlinks its leads, and leaves other markets alone', async () => {
    const g12 = (await clusterOf(groups.g12[0]!))!;
    const dallasBefore = await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: (await clusterOf(groups.dallas[0]!))! } });
    await h.ctx.db.prisma.baseLead.updateMany({ where: { id: { in: groups.g12.slice(0, 5) } }, data: { deletedAt: new Date() } });

    const r = await clusterLeads(h.ctx, { market: 'austin, tx' });
    // Unclustered: the 5 isolated leads, the one 2.5 miles west of the 40 group, the 7 left of the 12 group.
    expect(r).toMatchObject({ market: 'austin, TX', markets: 1, clusters: 4, created: 0, continued: 4, archived: 1, deleted: 0, unclustered: 5 + 1 + 7 });
    const c = await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: g12 } });
    expect(c).toMatchObject({ status: 'archived', leadCount: 0, leadsAvailable: 0 });
    expect(c.exclusiveContractorId).not.toBeNull();
    for (const id of groups.g12) expect(await clusterOf(id)).toBeNull();
    expect(await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: dallasBefore.id } })).toEqual(dallasBefore);
    expect((await assign(g12, (await contractor('Late')))).json().code).toBe('CONFLICT');
  });
});

describe('jobs', () => {
  let workers: WorkerHandle;
  beforeAll(async () => {
    workers = await startWorkers(h.ctx, { queues: ['leadgen'], cron: false, relay: false });
  });
  afterAll(async () => {
    await workers?.close();
  });


  async function finished(jobId: string) {
    const queue = h.ctx.queues.get('leadgen');
    await waitFor(async () => ['completed', 'failed'].includes(await queue.getJobState(jobId)));
    const job = (await queue.getJob(jobId))!;
    expect(job.failedReason ?? null).toBeNull();
    return job.returnvalue as Record<string, unknown>;
  }

  it('POST /api/v1/clusters/optimize queues clustering.optimize, which releases lapsed exclusivity and re-clusters', async () => {
    const dallas = (await clusterOf(groups.dallas[0]!))!;
    await h.ctx.db.prisma.leadCluster.update({ where: { id: dallas }, data: { exclusivityExpiresAt: new Date(Date.now() - 1000) } });
    // 12 new leads around an isolated Austin lead turn it into a cluster of 13.
    const lone = groups.noise[0]!;
    await insert('noise', ring(seeds.get(lone)!.point, 150, 12).map((point, i) => ({ point, status: 'available', score: score(i), priceCents: cents(i) })));

    expect((await h.app.inject({ method: 'POST', url: '/api/v1/clusters/optimize', headers: await contractorAuth(await contractor('Nosy')), payload: {} })).statusCode).toBe(403);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/clusters/optimize', headers: h.adminAuth, payload: {} });
    expect(res.statusCode).toBe(202);
    const out = await finished(res.json().jobId);
    // Markets: Austin, Dallas and Round Rock (one lead, unclustered).
    expect(out).toMatchObject({ released: 1, markets: 3, created: 1, continued: 5, archived: 0, deleted: 0 });
    const row = await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: dallas } });
    expect([row.exclusiveContractorId, row.assignedAt, row.exclusivityExpiresAt]).toEqual([null, null, null]);
    const fresh = (await clusterOf(lone))!;
    expect((await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: fresh } })).leadCount).toBe(13);
  });

  it('lead.published assigns the lead to its cluster; lead.sold refreshes the cluster', async () => {
    const g40 = (await clusterOf(groups.g40[2]!))!;
    const [pub] = await insert('g40', [{ point: at(B, 50, 50), status: 'available', score: 70, priceCents: 1000 }]);
    await writeOutbox(h.ctx.db.prisma, { topic: 'lead.published', payload: { leadId: pub } });
    let ev = await h.ctx.db.prisma.outbox.findFirstOrThrow({ orderBy: { id: 'desc' } });
    expect((await relayOnce(h.ctx)).relayed).toBe(1);
    expect(await finished(outboxJobId(ev, 'clustering.assign-lead'))).toEqual({ clustered: 1, clusterId: g40 });

    await h.ctx.db.prisma.baseLead.update({ where: { id: pub! }, data: { status: 'sold' } });
    seeds.get(pub!)!.status = 'sold';
    await writeOutbox(h.ctx.db.prisma, { topic: 'lead.sold', payload: { leadId: pub, contractorId: randomUUID() } });
    ev = await h.ctx.db.prisma.outbox.findFirstOrThrow({ orderBy: { id: 'desc' } });
    expect((await relayOnce(h.ctx)).relayed).toBe(1);
    expect(await finished(outboxJobId(ev, 'clustering.refresh-stats'))).toEqual({ refreshed: 1 });
    const c = await h.ctx.db.prisma.leadCluster.findUniqueOrThrow({ where: { id: g40 } });
    const s = statsOf(groups.g40);
    expect({ leadCount: c.leadCount, leadsSold: c.leadsSold, leadsAvailable: c.leadsAvailable, totalValue: Number(c.totalValue) }).toEqual({
      leadCount: s.leadCount, leadsSold: s.leadsSold, leadsAvailable: s.leadsAvailable, totalValue: s.totalValue,
    });
  });
});
