import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { signAccessToken } from '../../src/platform/auth.ts';
import { rescorePipeline, snapshotVelocity } from '../../src/modules/engagement/pipeline.service.ts';
import { listRescoreChunk, writePipelineMetrics } from '../../src/modules/engagement/pipeline.repository.ts';
import { findJob } from '../../src/modules/orchestration/job-catalog.ts';
import type { JobRunContext } from '../../src/platform/queues.ts';

let h: TestHarness;
let seq = 0;
type Headers = Record<string, string>;
const HOUR = 3600_000;
const DAY = 86_400_000;

/** The batch runs at a fixed instant so every metric below is exact (worked out in test/unit/pipeline-health.test.ts). */
const N = new Date('2030-01-15T12:00:00Z');
const before = (ms: number, from = N) => new Date(from.getTime() - ms);

let owner: { id: string; auth: Headers };
let other: { id: string; auth: Headers };
const ids = {} as Record<'fresh' | 'late' | 'quoted' | 'won' | 'refunded' | 'chicago' | 'utc', { lead: string; assignment: string }>;

async function contractor(): Promise<{ id: string; auth: Headers }> {
  const c = await h.ctx.db.prisma.contractor.create({ data: { companyName: `Pipeline Co ${++seq}`, city: 'Austin', state: 'TX' } });
  const token = await signAccessToken(h.config.JWT_SECRET, { sub: randomUUID(), role: 'contractor', cid: c.id, email: `${c.id}@p.test` }, 900);
  return { id: c.id, auth: { authorization: `Bearer ${token}` } };
}

/** A lead sold to `owner` with its lead_assignments row carrying the given follow-up data. */
async function sale(a: Record<string, unknown>, lead: Record<string, unknown> = {}) {
  const l = await h.ctx.db.prisma.baseLead.create({
    data: { trade: 'roof', address: `${++seq} Pipeline Rd`, city: 'Austin', state: 'TX', zip: '78701', status: 'sold', soldToContractorId: owner.id, qualityScore: 80, ...lead },
  });
  const row = await h.ctx.db.prisma.leadAssignment.create({ data: { baseLeadId: l.id, contractorId: owner.id, ...a } as never });
  return { lead: l.id, assignment: row.id };
}

const metrics = async (assignmentId: string) => {
  const a = await h.ctx.db.prisma.leadAssignment.findUniqueOrThrow({ where: { id: assignmentId } });
  return {
    health: a.healthScore, velocity: a.velocityScore, ai: a.aiPriority, conversion: a.conversionProbability === null ? null : Number(a.conversionProbability),
    churn: a.churnRisk, followUp: a.followUpStatus, overdue: a.overdueDays,
  };
};

beforeAll(async () => {
  h = await createHarness();
  owner = await contractor();
  other = await contractor();
  await h.ctx.db.prisma.targetCity.upsert({
    where: { city_state: { city: 'Plano', state: 'TX' } }, update: { timeZone: 'America/Chicago' }, create: { city: 'Plano', state: 'TX', timeZone: 'America/Chicago' },
  });
  ids.fresh = await sale({ assignedAt: before(2 * HOUR) });
  ids.late = await sale(
    { assignedAt: before(12 * DAY), viewed: true, viewedAt: before(11 * DAY), contacted: true, contactedAt: before(10 * DAY) },
    { qualityScore: 70 },
  );
  ids.quoted = await sale({
    assignedAt: before(10 * DAY), viewed: true, viewedAt: before(10 * DAY), contacted: true, contactedAt: before(9 * DAY),
    quoteProvided: true, quoteDate: before(4 * DAY), quoteAmount: 12_500, leadQualityRating: 4,
  });
  ids.won = await sale({
    assignedAt: before(40 * DAY), contacted: true, contactedAt: before(39.5 * DAY), quoteProvided: true, quoteDate: before(33 * DAY),
    converted: true, convertedAt: before(20 * HOUR),
  }, { status: 'converted' });
  ids.refunded = await sale({ assignedAt: before(3 * DAY), status: 'refunded', refundedAt: before(DAY) }, { status: 'refunded' });
  // Same data, two cities: first contact due 2030-01-15 03:00Z = 21:00 on the 14th in Plano (UTC−6).
  ids.chicago = await sale({ assignedAt: new Date('2030-01-14T03:00:00Z') }, { city: 'plano' });
  ids.utc = await sale({ assignedAt: new Date('2030-01-14T03:00:00Z') }, { city: 'Nowhere' });
});
afterAll(async () => {
  await h?.close();
});

describe('scoring.rescore-pipeline', () => {
  it('writes the exact metrics of every live sale and skips refunded ones', async () => {
    const r = await rescorePipeline(h.ctx, { now: N, chunkSize: 2 });
    expect(r).toEqual({ total: 6, scanned: 6, changed: 6, written: 6, stamped: 0, chunks: 3 }); // written rows carry the stamp

    expect(await metrics(ids.fresh.assignment)).toEqual({ health: 58, velocity: 100, ai: 28, conversion: 17.25, churn: 'low', followUp: 'this_week', overdue: 0 });
    expect(await metrics(ids.late.assignment)).toEqual({ health: 32, velocity: 64, ai: 69, conversion: 27.06, churn: 'high', followUp: 'overdue', overdue: 3 });
    expect(await metrics(ids.quoted.assignment)).toEqual({ health: 80, velocity: 100, ai: 31, conversion: 67.5, churn: 'low', followUp: 'scheduled', overdue: 0 });
    expect(await metrics(ids.won.assignment)).toEqual({ health: 100, velocity: 99, ai: 0, conversion: 100, churn: 'low', followUp: 'none', overdue: 0 });
    expect(await metrics(ids.refunded.assignment)).toEqual({ health: null, velocity: null, ai: null, conversion: null, churn: null, followUp: null, overdue: 0 });
    // Plano's calendar: the due time was yesterday evening → 1 day overdue; in UTC it is due today.
    // velocity 100 × (3 − 1.375)/2 = 81.25 → 81; health (0 + 243 + 150 + 80)/10 = 47 (−5 in Plano)
    expect(await metrics(ids.chicago.assignment)).toEqual({ health: 42, velocity: 81, ai: 57, conversion: 15.61, churn: 'medium', followUp: 'overdue', overdue: 1 });
    expect(await metrics(ids.utc.assignment)).toEqual({ health: 47, velocity: 81, ai: 49, conversion: 15.61, churn: 'medium', followUp: 'today', overdue: 0 });

    const late = await h.ctx.db.prisma.leadAssignment.findUniqueOrThrow({ where: { id: ids.late.assignment } });
    expect(late.recommendation).toEqual({
      priority: 'urgent', action: 'call_now',
      message: 'URGENT: Call immediately! Lead health critical (32) and 3 days overdue.',
      reasoning: 'High churn risk - immediate action required',
    });
    expect(late.scoresLastUpdated?.toISOString()).toBe(N.toISOString());
  });

  it('writes only what changed: a second run writes nothing; new feedback rewrites that one sale', async () => {
    // The won sale's final metrics are stored: it leaves the scope.
    expect(await rescorePipeline(h.ctx, { now: N })).toEqual({ total: 5, scanned: 5, changed: 0, written: 0, stamped: 0, chunks: 1 });

    await h.ctx.db.prisma.leadAssignment.update({ where: { id: ids.fresh.assignment }, data: { contacted: true, contactedAt: before(HOUR) } });
    const later = new Date(N.getTime() + 60_000);
    // seed 003: every run stamps scores_last_updated, changed or not (4 unchanged sales stamped, 1 written).
    expect(await rescorePipeline(h.ctx, { now: later })).toMatchObject({ scanned: 5, changed: 1, written: 1, stamped: 4 });
    // contacted: stage 40, milestones 100/100; recency 100 → (160 + 300 + 200 + 80)/10 = 74; conversion 30 × 200 × 230 / 400 = 34.5
    expect(await metrics(ids.fresh.assignment)).toMatchObject({ health: 74, velocity: 100, conversion: 34.5, churn: 'low' });
    const stamps = await h.ctx.db.prisma.leadAssignment.findMany({ where: { refundedAt: null }, select: { id: true, scoresLastUpdated: true } });
    // The won sale left the scope after its final metrics: its stamp stays.
    for (const s of stamps) expect(s.scoresLastUpdated?.toISOString()).toBe(s.id === ids.won.assignment ? N.toISOString() : later.toISOString());
  });

  it('a day later only the sales whose numbers moved are written', async () => {
    const nextDay = new Date(N.getTime() + DAY);
    const r = await rescorePipeline(h.ctx, { now: nextDay });
    expect(r.scanned).toBe(5);
    // late: overdue 3 → 4 (and health); quoted: recency and days in the message; chicago/utc: overdue grows; fresh: recency 100 → 75
    expect(r.written).toBe(5);
    expect(await metrics(ids.late.assignment)).toMatchObject({ overdue: 4, followUp: 'overdue' });
  });

  it('does not overwrite follow-up data that landed between the read and the write (updated_at guard)', async () => {
    const [row] = (await listRescoreChunk(h.ctx.db.pool, { afterId: null, limit: 1000 })).filter((x) => x.id === ids.quoted.assignment);
    await h.ctx.db.prisma.leadAssignment.update({ where: { id: ids.quoted.assignment }, data: { leadQualityRating: 1 } });
    const n = await writePipelineMetrics(h.ctx.db.pool, [{
      id: row!.id, healthScore: 1, velocityScore: 1, aiPriority: 1, conversionProbability: 1, churnRisk: 'critical', followUpStatus: 'overdue',
      overdueDays: 9, recommendation: '{}', updatedAtKey: row!.updatedAtKey,
    }], N);
    expect(n).toBe(0);
    expect((await metrics(ids.quoted.assignment)).health).not.toBe(1);
  });
});

describe('scoring.velocity-snapshot', () => {
  it('one row per live sale per UTC day, including a sale won in the last 24 h; a re-run adds nothing', async () => {
    const first = await snapshotVelocity(h.ctx, { asOf: N, chunkSize: 4 });
    expect(first).toEqual({ snapshotDate: '2030-01-15', scanned: 6, inserted: 6 });
    expect(await snapshotVelocity(h.ctx, { asOf: new Date(N.getTime() + HOUR) })).toEqual({ snapshotDate: '2030-01-15', scanned: 6, inserted: 0 });

    const snaps = await h.ctx.db.prisma.leadVelocitySnapshot.findMany({ where: { snapshotDate: new Date('2030-01-15') } });
    expect(snaps).toHaveLength(6);
    expect(snaps.some((s) => s.assignmentId === ids.refunded.assignment)).toBe(false);
    const won = snaps.find((s) => s.assignmentId === ids.won.assignment)!;
    expect([won.leadId, won.healthScore, won.velocityScore, won.stage, won.daysInStage]).toEqual([ids.won.lead, 100, 99, 'won', 0]);
    const late = snaps.find((s) => s.assignmentId === ids.late.assignment)!;
    expect([late.healthScore, late.velocityScore, late.stage, late.daysInStage]).toEqual([32, 64, 'contacted', 10]);

    // Next day: the won sale's series has ended.
    expect(await snapshotVelocity(h.ctx, { asOf: new Date(N.getTime() + DAY) })).toEqual({ snapshotDate: '2030-01-16', scanned: 5, inserted: 5 });
    expect(await h.ctx.db.prisma.leadVelocitySnapshot.count()).toBe(11);
  });
});

describe('GET /api/v1/leads/:id/pipeline', () => {
  const get = (leadId: string, headers: Headers) => h.app.inject({ method: 'GET', url: `/api/v1/leads/${leadId}/pipeline`, headers });

  it('answers the nine metrics as of now to the buyer and staff, and stores them', async () => {
    // Untouched for exactly 6 days: 5 days overdue whatever the time of day (UTC).
    const s = await sale({ assignedAt: new Date(Date.now() - 6 * DAY) });
    const res = await get(s.lead, owner.auth);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      leadId: s.lead, assignmentId: s.assignment, contractorId: owner.id,
      healthScore: 0, velocityScore: 0, aiPriority: 73, conversionProbability: 8.63, churnRisk: 'critical', followUpStatus: 'overdue', overdueDays: 5,
      recommendation: {
        priority: 'urgent', action: 'call_now',
        message: 'URGENT: Call immediately! Lead health critical (0) and 5 days overdue.',
        reasoning: 'Critical churn risk - immediate action required',
      },
      stage: 'assigned', daysInStage: 6, nextFollowUpAt: null, scorerVersion: 'pipeline@1',
      explanation: { overduePenalty: 25, followUpSource: 'timeline', timeZone: 'UTC' },
    });
    expect(typeof body.scoresLastUpdated).toBe('string');
    expect(await metrics(s.assignment)).toEqual({ health: 0, velocity: 0, ai: 73, conversion: 8.63, churn: 'critical', followUp: 'overdue', overdue: 5 });

    const again = await get(s.lead, h.adminAuth);
    expect(again.statusCode).toBe(200);
    expect(again.json().scoresLastUpdated).toBe(body.scoresLastUpdated); // unchanged values: no write
  });

  it('404 for other contractors and for leads without a live sale; 401 without credentials', async () => {
    const res = await get(ids.late.lead, other.auth);
    expect([res.statusCode, res.json().code]).toEqual([404, 'LEAD_NOT_FOUND']);
    const refunded = await get(ids.refunded.lead, h.adminAuth);
    expect(refunded.statusCode).toBe(404);
    expect((await get(ids.refunded.lead, owner.auth)).statusCode).toBe(404);
    const unsold = await h.ctx.db.prisma.baseLead.create({ data: { trade: 'roof', address: '1 Unsold St', city: 'Austin', state: 'TX', status: 'available' } });
    expect([(await get(unsold.id, h.adminAuth)).statusCode, (await get(unsold.id, h.adminAuth)).json().code]).toEqual([404, 'NOT_FOUND']);
    expect((await get(ids.late.lead, {})).statusCode).toBe(401);
    expect((await get(randomUUID(), h.adminAuth)).statusCode).toBe(404);
  });
});

describe('GET /api/v1/leads/my-leads?sort=', () => {
  it('orders the buyer\'s leads by AI priority (unscored last) or engagement, with keyset pages', async () => {
    const buyer = await contractor();
    const mk = async (ai: number | null, engagement: number, hoursAgo: number) => {
      const l = await h.ctx.db.prisma.baseLead.create({
        data: { trade: 'roof', address: `${++seq} Sorted Ave`, city: 'Austin', state: 'TX', status: 'sold', soldToContractorId: buyer.id, engagementScore: engagement },
      });
      await h.ctx.db.prisma.leadAssignment.create({ data: { baseLeadId: l.id, contractorId: buyer.id, aiPriority: ai, assignedAt: new Date(Date.now() - hoursAgo * HOUR) } });
      return l.id;
    };
    const a = await mk(40, 10, 1);
    const b = await mk(90, 5, 2);
    const c = await mk(null, 70, 3);
    const d = await mk(40, 30, 4);
    const pages = async (sort: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { statusCode: number; json(): { items: { id: string }[]; nextCursor: string | null } } = await h.app.inject({ method: 'GET', url: `/api/v1/leads/my-leads?sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, headers: buyer.auth });
        expect(res.statusCode).toBe(200);
        seen.push(...res.json().items.map((x) => x.id));
        cursor = res.json().nextCursor;
      } while (cursor);
      return seen;
    };
    expect(await pages('ai_priority')).toEqual([b, a, d, c]); // 90, 40 (newer), 40, unscored
    expect(await pages('engagement')).toEqual([c, d, a, b]); // 70, 30, 10, 5
    expect(await pages('newest')).toEqual([a, b, c, d]);
    const bad = await h.app.inject({ method: 'GET', url: `/api/v1/leads/my-leads?sort=ai_priority&cursor=${Buffer.from('["x","y"]').toString('base64url')}`, headers: buyer.auth });
    expect(bad.statusCode).toBe(400);
  });
});

describe('job catalog', () => {
  it('the three jobs are registered and the pipeline job reports progress and counts', async () => {
    for (const name of ['scoring.rescore-pipeline', 'scoring.velocity-snapshot', 'scoring.refresh-engagement']) expect(findJob(name)?.queue).toBe('scoring');
    const job = findJob('scoring.rescore-pipeline')!;
    const progress: unknown[] = [];
    const run: JobRunContext = {
      ctx: h.ctx, jobId: 'test-pipeline', attempt: 1, signal: new AbortController().signal,
      progress: async (pct, info) => void progress.push([pct, info]), log: async () => {},
    };
    const r = await job.handler(job.payload.parse({}), run) as Record<string, number>;
    expect(r.scanned).toBe(r.total);
    expect(progress.at(-1)).toEqual([100, { scanned: r.scanned, written: r.written }]);
  });
});
