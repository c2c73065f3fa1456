import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { signAccessToken } from '../../src/platform/auth.ts';
import { createApiKey } from '../../src/modules/auth/auth.service.ts';
import { refreshEngagementScores } from '../../src/modules/engagement/engagement.service.ts';
import { writeEngagementScores } from '../../src/modules/engagement/engagement.repository.ts';
import { findJob } from '../../src/modules/orchestration/job-catalog.ts';
import type { JobRunContext } from '../../src/platform/queues.ts';

let h: TestHarness;
let seq = 0;
type Headers = Record<string, string>;
const HOUR = 3600_000;

async function contractor(): Promise<{ id: string; auth: Headers }> {
  const c = await h.ctx.db.prisma.contractor.create({ data: { companyName: `Engage Co ${++seq}`, city: 'Austin', state: 'TX' } });
  const token = await signAccessToken(h.config.JWT_SECRET, { sub: randomUUID(), role: 'contractor', cid: c.id, email: `${c.id}@e.test` }, 900);
  return { id: c.id, auth: { authorization: `Bearer ${token}` } };
}

/**
 * A lead with phone, budget, property type and location (qualification 10 + 10 + 5 + 5 = 30), no transaction
 * type or payment method, optionally sold to a contractor.
 */
async function lead(over: Record<string, unknown> = {}, soldTo?: string): Promise<string> {
  const n = ++seq;
  const l = await h.ctx.db.prisma.baseLead.create({
    data: {
      trade: 'roof', address: `${n} Engagement Way`, city: 'Austin', state: 'TX', zip: '78701', status: soldTo ? 'sold' : 'available',
      soldToContractorId: soldTo ?? null, ownerPhoneEnc: h.ctx.cipher.encrypt('512-555-0100'), hasBudget: true, propertyType: 'single_family',
      // as if scored when written (a plain insert is stale until a writer or the 30-minute job scores it)
      engagementStale: false,
      ...over,
    },
  });
  return l.id;
}

const post = (id: string, headers: Headers, payload: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/events`, headers, payload });
const get = (id: string, headers: Headers) => h.app.inject({ method: 'GET', url: `/api/v1/leads/${id}/engagement`, headers });
const row = (id: string) => h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id } });

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('POST /api/v1/leads/:id/events', () => {
  it('records the interaction, bumps the counter and rescores at once (seed 004)', async () => {
    const id = await lead();
    const res = await post(id, h.adminAuth, { kind: 'qr_scan', metadata: { booth: 'expo-12' } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    // engagement 3 (one scan) + qualification 30 + recency 20 (just now) = 53 → hot
    expect(body).toMatchObject({
      leadId: id, score: 53, temperature: 'hot', engagement: 3, qualification: 30, recency: 20,
      counters: { qrScans: 1, catalogViews: 0, messages: 0, voiceMessages: 0, totalInteractions: 1 },
      interaction: { kind: 'qr_scan' }, scorerVersion: 'engagement@1',
    });
    expect(body.parts).toEqual([
      { name: 'qr_scans', points: 3, max: 15 }, { name: 'catalog_views', points: 0, max: 10 }, { name: 'messages', points: 0, max: 10 },
      { name: 'voice_bonus', points: 0, max: 5 }, { name: 'phone', points: 10, max: 10 }, { name: 'budget', points: 10, max: 10 },
      { name: 'transaction_type', points: 0, max: 5 }, { name: 'property_type', points: 5, max: 5 }, { name: 'location', points: 5, max: 5 },
      { name: 'payment_method', points: 0, max: 5 }, { name: 'recency', points: 20, max: 20 },
    ]);
    const r = await row(id);
    expect([r.qrScanCount, r.totalInteractions, r.engagementScore, r.temperature]).toEqual([1, 1, 53, 'hot']);
    expect(r.lastInteractionAt?.toISOString()).toBe(body.interaction.occurredAt);
    const ints = await h.ctx.db.prisma.leadInteraction.findMany({ where: { leadId: id } });
    expect(ints).toHaveLength(1);
    expect(ints[0]).toMatchObject({ id: body.interaction.id, kind: 'qr_scan', metadata: { booth: 'expo-12' } });
  });

  it('a voice message is also a message (+1 and the +5 bonus); email/reply/call events add only to the total', async () => {
    const id = await lead({ transactionType: 'replacement', paymentMethod: 'insurance' }); // qualification 40
    expect((await post(id, h.adminAuth, { kind: 'voice_message' })).json()).toMatchObject({
      score: 66, engagement: 6, counters: { messages: 1, voiceMessages: 1, totalInteractions: 1 }, // 1 + 5 + 40 + 20
    });
    for (const kind of ['email_open', 'email_click', 'reply', 'call_answered']) {
      expect((await post(id, h.adminAuth, { kind })).json().score).toBe(66);
    }
    const last = (await post(id, h.adminAuth, { kind: 'catalog_view' })).json();
    expect(last).toMatchObject({
      score: 68, temperature: 'hot', counters: { qrScans: 0, catalogViews: 1, messages: 1, voiceMessages: 1, totalInteractions: 6 },
    });
    const r = await row(id);
    expect([r.catalogViews, r.messagesCount, r.voiceMessagesCount, r.totalInteractions, r.engagementScore]).toEqual([1, 1, 1, 6, 68]);
    expect(await h.ctx.db.prisma.leadInteraction.count({ where: { leadId: id } })).toBe(6);
  });

  it('a back-dated event counts but never moves last_interaction_at backwards; the future is refused', async () => {
    const id = await lead();
    const tenDaysAgo = new Date(Date.now() - 240 * HOUR).toISOString();
    const old = (await post(id, h.adminAuth, { kind: 'message', occurredAt: tenDaysAgo })).json();
    expect(old).toMatchObject({ score: 31, recency: 0, counters: { messages: 1, lastInteractionAt: tenDaysAgo } }); // 1 + 30 + 0
    const fresh = (await post(id, h.adminAuth, { kind: 'message' })).json();
    expect(fresh).toMatchObject({ score: 52, recency: 20 }); // 2 + 30 + 20
    const older = (await post(id, h.adminAuth, { kind: 'message', occurredAt: new Date(Date.now() - 480 * HOUR).toISOString() })).json();
    expect(older.counters.lastInteractionAt).toBe(fresh.counters.lastInteractionAt);
    expect(older).toMatchObject({ score: 53, recency: 20, counters: { messages: 3 } });

    const future = await post(id, h.adminAuth, { kind: 'message', occurredAt: new Date(Date.now() + HOUR).toISOString() });
    expect(future.statusCode).toBe(400);
    expect(future.json().code).toBe('VALIDATION_FAILED');
    expect((await post(id, h.adminAuth, { kind: 'smoke_signal' })).statusCode).toBe(400);
    expect((await row(id)).messagesCount).toBe(3);
  });

  it('20 concurrent events lose no increment: the row lock serialises them', async () => {
    const id = await lead();
    const results = await Promise.all(Array.from({ length: 20 }, () => post(id, h.adminAuth, { kind: 'message' })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    // Each answer saw a distinct total: 1 … 20 in some order.
    expect(results.map((r) => r.json().counters.totalInteractions).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const r = await row(id);
    expect([r.messagesCount, r.totalInteractions, r.engagementScore, r.temperature]).toEqual([20, 20, 60, 'hot']); // 10 (cap) + 30 + 20
    expect(await h.ctx.db.prisma.leadInteraction.count({ where: { leadId: id } })).toBe(20);
  });

  it('staff, ops API keys and the lead\'s buyer may record; other contractors and unsold leads are 404', async () => {
    const owner = await contractor();
    const other = await contractor();
    const sold = await lead({}, owner.id);
    const onSale = await lead();

    expect((await post(sold, owner.auth, { kind: 'message' })).statusCode).toBe(201);
    expect((await get(sold, owner.auth)).statusCode).toBe(200);
    for (const res of [await post(sold, other.auth, { kind: 'message' }), await get(sold, other.auth), await post(onSale, owner.auth, { kind: 'message' })]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('LEAD_NOT_FOUND');
    }

    const admin = { kind: 'api_key' as const, id: randomUUID(), role: 'admin' as const, contractorId: null };
    const { key: opsKey } = await createApiKey(h.ctx, admin, { name: 'crm sync', role: 'ops' });
    expect((await post(onSale, { 'x-api-key': opsKey }, { kind: 'email_open' })).statusCode).toBe(201);
    const { key: otherKey } = await createApiKey(h.ctx, admin, { name: 'other crm', role: 'contractor', contractorId: other.id });
    expect((await post(sold, { 'x-api-key': otherKey }, { kind: 'message' })).statusCode).toBe(404);

    expect((await post(sold, {}, { kind: 'message' })).statusCode).toBe(401);
    expect((await post(randomUUID(), h.adminAuth, { kind: 'message' })).statusCode).toBe(404);
    const deleted = await lead({ deletedAt: new Date() });
    expect((await post(deleted, h.adminAuth, { kind: 'message' })).statusCode).toBe(404);

    // One message by the owner, one email_open by the ops key on the other lead; nothing else got through.
    expect((await row(sold)).totalInteractions).toBe(1);
    expect((await row(onSale)).totalInteractions).toBe(1);
    expect((await row(deleted)).totalInteractions).toBe(0);
  });
});

describe('GET /api/v1/leads/:id/engagement', () => {
  it('scores as of now: recency decays from the stored value', async () => {
    const id = await lead({ qrScanCount: 2, totalInteractions: 2, lastInteractionAt: new Date(Date.now() - 2 * HOUR), engagementScore: 56, temperature: 'hot' });
    const res = await get(id, h.adminAuth);
    expect(res.statusCode).toBe(200);
    // 6 (two scans) + 30 + 15 (2 h ago) = 51
    expect(res.json()).toMatchObject({ leadId: id, score: 51, temperature: 'hot', recency: 15, counters: { qrScans: 2, totalInteractions: 2 } });
    expect((await row(id)).engagementScore).toBe(56); // a GET does not write
  });
});

describe('scoring.refresh-engagement', () => {
  it('rescores leads active in the last 73 h whose band moved, with one bulk write; leaves the rest alone', async () => {
    await h.ctx.db.prisma.baseLead.updateMany({ data: { lastInteractionAt: null } }); // earlier tests' leads out of the window
    await refreshEngagementScores(h.ctx); // that edit marked them stale: repaired first
    const now = new Date();
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
    // stored scores were right when written; recency has since moved for b, c, d
    const a = await lead({ messagesCount: 1, totalInteractions: 1, lastInteractionAt: at(0.5), engagementScore: 51, temperature: 'hot' }); // 1+30+20 = 51 still
    const b = await lead({ messagesCount: 1, totalInteractions: 1, lastInteractionAt: at(2), engagementScore: 51, temperature: 'hot' }); // now 1+30+15 = 46 warm
    const c = await lead({ messagesCount: 1, totalInteractions: 1, lastInteractionAt: at(72.5), engagementScore: 36, temperature: 'warm' }); // now 31 (recency 0)
    const d = await lead({ messagesCount: 1, totalInteractions: 1, hasBudget: false, lastInteractionAt: at(30), engagementScore: 31, temperature: 'warm' }); // now 1+20+5 = 26
    const e = await lead({ messagesCount: 1, totalInteractions: 1, lastInteractionAt: at(100), engagementScore: 36, temperature: 'warm' }); // outside the window

    const r = await refreshEngagementScores(h.ctx, { now, chunkSize: 2 });
    expect(r).toMatchObject({ scanned: 4, changed: 3, written: 3 });
    const got = await Promise.all([a, b, c, d, e].map(async (id) => {
      const x = await row(id);
      return [x.engagementScore, x.temperature];
    }));
    expect(got).toEqual([[51, 'hot'], [46, 'warm'], [31, 'warm'], [26, 'warm'], [36, 'warm']]);

    expect(await refreshEngagementScores(h.ctx, { now })).toMatchObject({ scanned: 4, changed: 0, written: 0 });
    // A wider window after an outage reaches e too.
    expect(await refreshEngagementScores(h.ctx, { now, sinceHours: 200 })).toMatchObject({ scanned: 5, changed: 1, written: 1 });
    expect((await row(e)).engagementScore).toBe(31);

    // A lead inserted without a score (a bulk import: stale by default) is scored by the next run, event or not.
    const quiet = await lead({ engagementStale: true });
    expect((await row(quiet)).engagementScore).toBe(0);
    expect((await refreshEngagementScores(h.ctx, { now })).written).toBe(1);
    expect([(await row(quiet)).engagementScore, (await row(quiet)).temperature]).toEqual([30, 'warm']);
    const all = await refreshEngagementScores(h.ctx, { now, all: true });
    expect(all.since).toBeNull();
  });

  it('does not overwrite a score an event refreshed meanwhile (guard on total_interactions)', async () => {
    const id = await lead({ messagesCount: 1, totalInteractions: 1, lastInteractionAt: new Date(Date.now() - 2 * HOUR), engagementScore: 51, temperature: 'hot' });
    await post(id, h.adminAuth, { kind: 'message' }); // total 2, score 52
    expect(await writeEngagementScores(h.ctx.db.pool, [{ id, score: 46, temperature: 'warm', totalInteractions: 1 }])).toBe(0);
    expect((await row(id)).engagementScore).toBe(52);
  });

  it('runs from the job catalog and reports its counts', async () => {
    const job = findJob('scoring.refresh-engagement')!;
    const progress: unknown[] = [];
    const run: JobRunContext = {
      ctx: h.ctx, jobId: 'test-refresh', attempt: 1, signal: new AbortController().signal,
      progress: async (pct, info) => void progress.push([pct, info]), log: async () => {},
    };
    const r = await job.handler(job.payload.parse({}), run) as Record<string, number>;
    expect(r.scanned).toBeGreaterThan(0);
    expect(r.written).toBe(0);
    expect(progress.at(-1)).toEqual([100, { scanned: r.scanned, written: 0 }]);
  });
});

describe('engagement is never stale (issue 8 §3)', () => {
  it('PATCH /leads/:id sets budget, project type and payment method, and the stored score moves in the same request', async () => {
    // no phone, no budget, location only: 5, cold
    const id = await lead({ ownerPhoneEnc: null, hasBudget: false, propertyType: null, status: 'processing' });
    const patch = (payload: Record<string, unknown>) => h.app.inject({ method: 'PATCH', url: `/api/v1/leads/${id}`, headers: h.adminAuth, payload });
    const res = await patch({ ownerPhone: '512-555-0142', hasBudget: true, projectType: 'full replacement', paymentMethod: 'financing' });
    expect(res.statusCode).toBe(200);
    expect(res.json().qualification).toEqual({ hasBudget: true, projectType: 'full replacement', paymentMethod: 'financing' });
    // phone 10 + budget 10 + project (transaction) type 5 + location 5 + payment 5 = 35, warm
    expect(await row(id)).toMatchObject({ engagementScore: 35, temperature: 'warm', engagementStale: false });
    expect((await get(id, h.adminAuth)).json()).toMatchObject({ score: 35, temperature: 'warm' });
    const bad = await patch({ paymentMethod: 'barter' });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await patch({ paymentMethod: null, projectType: null })).toMatchObject({ statusCode: 200 });
    expect(await row(id)).toMatchObject({ engagementScore: 25, temperature: 'warm' });
  });

  it('an input changed by any other writer marks the row, and the 30-minute job repairs it', async () => {
    const id = await lead(); // phone 10 + budget 10 + property type 5 + location 5 = 30 once scored
    await h.ctx.db.pool.query(`UPDATE base_leads SET engagement_stale = false, engagement_score = 0 WHERE id = $1`, [id]);
    await h.ctx.db.pool.query(`UPDATE base_leads SET payment_method = 'cash' WHERE id = $1`, [id]); // e.g. a bulk import
    expect(await row(id)).toMatchObject({ engagementStale: true, engagementScore: 0 });
    const r = await refreshEngagementScores(h.ctx);
    expect(r.written).toBeGreaterThanOrEqual(1);
    expect(await row(id)).toMatchObject({ engagementStale: false, engagementScore: 35, temperature: 'warm' });
    // A writer that sets the score itself leaves no mark.
    const again = await refreshEngagementScores(h.ctx);
    expect(again.written).toBe(0);
  });

  it('the marker watches exactly the columns the score reads', async () => {
    const { readFileSync } = await import('node:fs');
    const { ENGAGEMENT_COLUMNS } = await import('../../src/modules/engagement/engagement.repository.ts');
    const sql = readFileSync(new URL('../../prisma/migrations/20261203050000_engagement_fresh/migration.sql', import.meta.url), 'utf8');
    const watched = [...sql.matchAll(/OLD\.(\w+) IS DISTINCT FROM NEW\.\w+/g)].map((m) => m[1]).sort();
    const read = [...new Set([...ENGAGEMENT_COLUMNS.matchAll(/\bb\.(\w+)/g)].map((m) => m[1]!))]
      .filter((c) => !['id', 'status', 'sold_to_contractor_id', 'deleted_at', 'total_interactions'].includes(c)).sort();
    expect(watched).toEqual(read);
  });
});
