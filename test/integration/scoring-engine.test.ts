import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { addJob } from '../../src/modules/orchestration/enqueue.ts';
import { startWorkers, type WorkerHandle } from '../../src/modules/orchestration/worker.ts';
import { ENGINE_SCORER_VERSION, ENGINE_SCORERS, ENGINE_VERSION_PREFIXES, ENGINE_VERSIONS, normalizeFilter, rescoreLeads, scoreChunk, type RescoreOptions } from '../../src/modules/scoring/batch-engine.ts';
import { decodeExplanation } from '../../src/modules/scoring/score-inputs.ts';
import * as repo from '../../src/modules/scoring/scoring.repository.ts';
import { rescoreBatchJob } from '../../src/modules/scoring/scoring.jobs.ts';

/**
 * The batch engine on real PostgreSQL: hand-computed scores for five leads with roofing rows, roof analyses,
 * triggers, contacts and an exclusive territory; signal-based skipping; force; base_leads rewritten only
 * where something changed; status moves with their audit rows; the job with progress and job_runs counts.
 */
let h: TestHarness;
let workers: WorkerHandle | undefined;
const id = {} as Record<'a' | 'b' | 'c' | 'd' | 'e' | 'holder', string>;
const YEAR = new Date().getUTCFullYear();
const DAY = 86400_000;

const run = (o: RescoreOptions = {}) => rescoreLeads(h.ctx, { by: 'test', ...o });
const lead = (leadId: string) => h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: leadId } });
const rawRows = async () =>
  (await h.ctx.db.pool.query<{ id: string; xmin: string; updated_at: Date }>('SELECT id::text, xmin::text, updated_at FROM base_leads ORDER BY id')).rows;

beforeAll(async () => {
  h = await createHarness();
  const db = h.ctx.db.prisma;
  const enc = (s: string) => h.ctx.cipher.encrypt(s);
  id.holder = (await db.contractor.create({ data: { companyName: 'Holder Roofing', city: 'Austin', state: 'TX' } })).id;
  await db.territory.create({ data: { contractorId: id.holder, zip: '78701', trade: 'roof', exclusive: true } });
  const base = { trade: 'roof', city: 'Austin', state: 'TX', lat: 30.27, lng: -97.74, sqft: 2000, propertyType: 'single_family', ownerName: 'Owner' };

  // A: 20 (>$500k) + 20 (27 y) + 25 (hail 15 + claim 15, capped) + 15 (poor, the latest analysis) + 10 (both verified) + 5 (complete) = 95, A.
  //    $200 × 1.2 (hail) × 1.1 (exclusive 78701/roof) = $264.00
  // Roof age 27: the latest other roof permit at the property, 27 years ago (before the 3-year-old analysis estimate).
  const a = await db.baseLead.create({ data: { ...base, address: '1 A St', zip: '78701', propertyValue: 550_000, yearBuilt: 1995,
    lastRoofPermitDate: new Date(Date.UTC(YEAR - 27, 2, 1)),
    ownerEmailEnc: enc('a@example.com'), ownerEmailVerified: true, ownerPhoneEnc: enc('512-555-0101'), ownerPhoneVerified: true, status: 'processing' } });
  await db.roofAnalysis.create({ data: { baseLeadId: a.id, overallCondition: 'excellent', estimatedAge: 3, analyzedAt: new Date(Date.now() - 100 * DAY) } });
  await db.roofAnalysis.create({ data: { baseLeadId: a.id, overallCondition: 'poor', analyzedAt: new Date(Date.now() - DAY) } });
  await db.leadTrigger.createMany({ data: [
    { baseLeadId: a.id, triggerType: 'weather_event', sourceKey: 'noaa:1', triggerDetails: { event_type: 'Hail', hail_size_inches: 1.5 } },
    { baseLeadId: a.id, triggerType: 'insurance_claim', sourceKey: 'claim:1' },
  ] });
  id.a = a.id;

  // B: 10 ($250k) + 5 (analysis says 12 y) + 0 (permits count 3 < 5, roof_age scores nothing, inactive hail, lapsed claim)
  //    + 10 (fair) + 4 (unverified email) + 3 (sqft, property_type missing) = 32 → no grade, no price; available → unqualified.
  const b = await db.baseLead.create({ data: { ...base, address: '2 B St', zip: '78702', propertyValue: 250_000, yearBuilt: 2000, sqft: null, propertyType: null,
    ownerEmailEnc: enc('b@example.com'), status: 'available', qualityScore: 80, grade: 'B', price: 175, publishedAt: new Date() } });
  await db.roofAnalysis.create({ data: { baseLeadId: b.id, overallCondition: 'fair', estimatedAge: 12 } });
  await db.leadTrigger.createMany({ data: [
    { baseLeadId: b.id, triggerType: 'neighbor_permits', sourceKey: 'np', triggerDetails: { count: 3, radius_miles: 0.25 } },
    { baseLeadId: b.id, triggerType: 'roof_age', sourceKey: 'ra' },
    { baseLeadId: b.id, triggerType: 'weather_event', sourceKey: 'old', triggerDetails: { event_type: 'Hail' }, active: false },
    { baseLeadId: b.id, triggerType: 'insurance_claim', sourceKey: 'lapsed', expiresAt: new Date(Date.now() - DAY) },
  ] });
  id.b = b.id;

  // C: 15 ($350k) + 15 (house built 22 years ago, no roof estimate) + 25 (wind flag 10 + claim 15) + 0 (no analysis)
  //    + 7 (verified email, unverified phone) + 3 (owner name missing) = 65, D; $125 × 1.2 (wind) = $150.00; unqualified → scored.
  const c = await db.baseLead.create({ data: { ...base, address: '3 C St', zip: '78703', propertyValue: 350_000, yearBuilt: YEAR - 22, ownerName: null,
    ownerEmailEnc: enc('c@example.com'), ownerEmailVerified: true, ownerPhoneEnc: enc('512-555-0103'), status: 'unqualified' } });
  await db.roofingLead.create({ data: { baseLeadId: c.id, windEvent30d: true } });
  await db.leadTrigger.create({ data: { baseLeadId: c.id, triggerType: 'insurance_claim', sourceKey: 'claim:3' } });
  id.c = c.id;

  // D: sold — outside the default statuses, never rescored by default.
  id.d = (await db.baseLead.create({ data: { ...base, address: '4 D St', zip: '78701', propertyValue: 900_000, status: 'sold',
    soldToContractorId: id.holder, qualityScore: 91, grade: 'A', price: 200 } })).id;

  // E: 5 ($100k) and nothing else: roof age, condition, contact unknown; 6 fields missing → 0. needs_review stays.
  id.e = (await db.baseLead.create({ data: { trade: 'roof', city: 'Austin', state: 'TX', address: '5 E St', zip: '78704', propertyValue: 100_000, status: 'needs_review' } })).id;
});

afterAll(async () => {
  await workers?.close();
  await h?.close();
});

describe('first run (signal-based: nothing scored yet)', () => {
  it('scores each lead as computed by hand and moves statuses', async () => {
    const r = await run();
    expect(r).toMatchObject({ mode: 'signal', scanned: 4, rescored: 4, changed: 4, unchanged: 0, leadWrites: 4, statusMoves: 3, raced: 0, chunks: 1, scorerVersions: [...ENGINE_VERSIONS] });

    const [a, b, c, d, e] = await Promise.all([id.a, id.b, id.c, id.d, id.e].map(lead));
    expect(a).toMatchObject({ qualityScore: 95, grade: 'A', status: 'scored', scorerVersion: ENGINE_SCORER_VERSION, version: 1 });
    expect(Number(a!.price)).toBe(264);
    expect(b).toMatchObject({ qualityScore: 32, grade: null, price: null, status: 'unqualified' });
    expect(c).toMatchObject({ qualityScore: 65, grade: 'D', status: 'scored' });
    expect(Number(c!.price)).toBe(150);
    expect(d).toMatchObject({ qualityScore: 91, status: 'sold', scoredAt: null });
    expect(e).toMatchObject({ qualityScore: 5, grade: null, price: null, status: 'needs_review', version: 0 });
    for (const l of [a, b, c, e]) expect(l!.scoredAt).not.toBeNull();
  });

  it('stores each factor\'s points and inputs in score_explanations', async () => {
    const se = await h.ctx.db.prisma.scoreExplanation.findMany({ orderBy: { score: 'desc' } });
    expect(se.map((s) => [s.leadId, s.score, s.grade, s.priceCents, s.scorer, s.scorerVersion])).toEqual([
      [id.a, 95, 'A', 26_400, 'property-quality', ENGINE_SCORER_VERSION],
      [id.c, 65, 'D', 15_000, 'property-quality', ENGINE_SCORER_VERSION],
      [id.b, 32, null, null, 'property-quality', ENGINE_SCORER_VERSION],
      [id.e, 5, null, null, 'property-quality', ENGINE_SCORER_VERSION],
    ]);
    const a = decodeExplanation(se[0]!.factors)!;
    expect(a.points).toEqual([20, 20, 25, 15, 10, 5]);
    expect(a.inputs).toMatchObject({ propertyValue: 550_000, roofAgeYears: 27, roofCondition: 'poor', triggers: ['hail', 'insurance_claim'], exclusiveTerritory: true });
    const c = decodeExplanation(se[1]!.factors)!;
    expect(c.points).toEqual([15, 15, 25, 0, 7, 3]);
    expect(c.inputs).toMatchObject({ roofAgeYears: 22, roofCondition: null, triggers: ['wind', 'insurance_claim'], missingFields: 1, missingMask: 0b1000000 });
    const e = decodeExplanation(se[3]!.factors)!;
    expect(e.inputs.missingMask).toBe(0b11111010); // location, year_built, sqft, property_type, owner_name, owner_contact
    const lead = await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: id.a } });
    expect(lead.scoreInputsHash).toBe(se[0]!.inputsHash);
  });

  it('records each status move in system_events (the bulk transitionLead)', async () => {
    const ev = await h.ctx.db.prisma.systemEvent.findMany({ where: { eventType: 'lead.transition' }, orderBy: { eventName: 'asc' } });
    const got = ev.map((e) => [e.entityId, e.eventName, e.service, e.eventData]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(got).toEqual([
      [id.a, 'lead.scored', 'scoring', { from: 'processing', to: 'scored', by: 'test', via: 'rescore', score: 95 }],
      [id.b, 'lead.unqualified', 'scoring', { from: 'available', to: 'unqualified', by: 'test', via: 'rescore', score: 32 }],
      [id.c, 'lead.scored', 'scoring', { from: 'unqualified', to: 'scored', by: 'test', via: 'rescore', score: 65 }],
    ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
  });
});

describe('signal-based and forced runs', () => {
  it('a signal run with no changed inputs reads nothing', async () => {
    expect(await run()).toMatchObject({ scanned: 0, chunks: 0, leadWrites: 0 });
  });

  it('a forced run rescores every lead but rewrites nothing whose score did not change', async () => {
    const before = await rawRows();
    const seBefore = await h.ctx.db.pool.query(`SELECT lead_id, xmin::text FROM score_explanations ORDER BY lead_id`);
    const r = await run({ force: true });
    expect(r).toMatchObject({ mode: 'force', scanned: 4, rescored: 4, changed: 0, unchanged: 4, leadWrites: 0, statusMoves: 0 });
    expect(await rawRows()).toEqual(before); // same xmin: not one tuple rewritten
    expect((await h.ctx.db.pool.query(`SELECT lead_id, xmin::text FROM score_explanations ORDER BY lead_id`)).rows).toEqual(seBefore.rows);
  });

  it('a new roof analysis is a signal: only that lead is rescored', async () => {
    await h.ctx.db.prisma.roofAnalysis.create({ data: { baseLeadId: id.a, overallCondition: 'critical', analyzedAt: new Date() } });
    const pending = await lead(id.a);
    expect(pending.inputsChangedAt!.getTime()).toBeGreaterThan(pending.scoredAt!.getTime());
    const r = await run();
    expect(r).toMatchObject({ scanned: 1, changed: 1, leadWrites: 1, statusMoves: 0 });
    const a = await lead(id.a);
    expect(a.qualityScore).toBe(100); // condition 15 → 20
    expect(Number(a.price)).toBe(264); // same $200 band
    expect(a.scoredAt!.getTime()).toBeGreaterThan(a.inputsChangedAt!.getTime());
    expect(await run()).toMatchObject({ scanned: 0 });
  });

  it('a change to the lead\'s own columns is a signal (base_leads trigger); an unrelated change is not', async () => {
    await h.ctx.db.prisma.baseLead.update({ where: { id: id.b }, data: { projectDescription: 'not an input' } });
    expect(await run()).toMatchObject({ scanned: 0 });
    await h.ctx.db.prisma.baseLead.update({ where: { id: id.b }, data: { propertyValue: 600_000 } });
    expect(await run()).toMatchObject({ scanned: 1, changed: 1, statusMoves: 0 });
    expect((await lead(id.b)).qualityScore).toBe(42); // value factor 10 → 20; still below 60, stays unqualified
  });

  it('an exclusive territory change is a signal for its (zip, trade): the premium goes away', async () => {
    await h.ctx.db.prisma.territory.updateMany({ where: { zip: '78701' }, data: { status: 'revoked', revokedAt: new Date() } });
    const r = await run();
    expect(r).toMatchObject({ scanned: 1, changed: 1 }); // A only: D (sold, same zip) is outside the default statuses
    expect(Number((await lead(id.a)).price)).toBe(240); // $200 × 1.2
  });

  it('leads scored by an older engine version are rescored; manual scores are not', async () => {
    // What a version bump leaves behind: the lead and its explanation carry the older version (the engine writes both).
    await h.ctx.db.pool.query(`UPDATE base_leads SET scorer_version = 'property-quality@0+engine@0' WHERE id = $1`, [id.e]);
    await h.ctx.db.pool.query(`UPDATE score_explanations SET scorer_version = 'property-quality@0+engine@0' WHERE lead_id = $1`, [id.e]);
    const r = await run();
    expect(r).toMatchObject({ outdatedVersion: true, scanned: 1, changed: 0, leadWrites: 1 });
    expect((await lead(id.e)).scorerVersion).toBe(ENGINE_SCORER_VERSION);
    await h.ctx.db.pool.query(`UPDATE base_leads SET scorer_version = 'manual' WHERE id = $1`, [id.e]);
    expect(await run()).toMatchObject({ outdatedVersion: false, scanned: 0 });
    await run({ force: true, filter: { ids: [id.e] } }); // back to the engine's version for the tests below
  });

  it('filters: ids, city (any case), state, trade, statuses, updatedSince, maxLeads', async () => {
    expect((await run({ force: true, filter: { ids: [id.a, id.d] } })).scanned).toBe(1); // D is sold
    expect((await run({ force: true, filter: { city: 'AUSTIN', state: 'TX' } })).scanned).toBe(4);
    expect((await run({ force: true, filter: { trade: 'hvac' } })).scanned).toBe(0);
    expect((await run({ force: true, filter: { statuses: ['sold'] } })).scanned).toBe(1);
    expect((await run({ force: true, filter: { updatedSince: new Date(Date.now() + DAY).toISOString() } })).scanned).toBe(0);
    expect(await run({ force: true, maxLeads: 3, chunkSize: 2 })).toMatchObject({ scanned: 3, chunks: 2 });
    expect((await lead(id.d)).status).toBe('sold'); // a forced rescore of a sold lead never moves it
  });

  it('one run at a time: a second run while the engine lock is held does nothing', async () => {
    const other = await h.ctx.db.pool.connect();
    try {
      expect(await repo.tryLockEngine(other)).toBe(true);
      expect(await run({ force: true })).toMatchObject({ skipped: true, scanned: 0 });
      await repo.unlockEngine(other);
    } finally {
      other.release();
    }
    expect((await run({ force: true })).skipped).toBeUndefined();
  });
});

describe('compare-and-set on write', () => {
  it('a lead whose inputs change between read and write is not overwritten and stays pending', async () => {
    const c = await h.ctx.db.pool.connect();
    try {
      const chunk = await repo.readScoringChunk(c, {
        after: null, limit: 10, filter: normalizeFilter({ ids: [id.c] }), mode: 'all', roof: ENGINE_VERSIONS[0], trade: ENGINE_VERSIONS[1], prefixes: ENGINE_VERSION_PREFIXES,
      });
      expect(chunk.rows).toHaveLength(1);
      chunk.rows[0]!.pending = true; // make the engine want to write base_leads
      const scored = scoreChunk(chunk.rows, YEAR);
      await h.ctx.db.prisma.baseLead.update({ where: { id: id.c }, data: { sqft: 2500 } }); // concurrent input change
      const before = await lead(id.c);
      const w = await repo.writeScoringChunk(c, { scorers: ENGINE_SCORERS, versions: ENGINE_VERSIONS, scoredAt: chunk.readAt, by: 'test', scored });
      expect(w).toEqual({ explanations: 0, leads: 0, moves: 0 }); // nothing written for a lead that raced
      const after = await lead(id.c);
      expect(after.scoredAt).toEqual(before.scoredAt);
      expect(after.inputsChangedAt!.getTime()).toBeGreaterThan(after.scoredAt!.getTime());
    } finally {
      c.release();
    }
    expect(await run()).toMatchObject({ scanned: 1 }); // the next signal run takes it
  });
});

describe('scoring.rescore-batch job', () => {
  it('runs in the worker with progress by chunk and counts in the return value and job_runs', async () => {
    workers = await startWorkers(h.ctx, { queues: ['scoring'], cron: false, relay: false });
    const jobId = 'scoring.rescore-batch@test-1';
    await addJob(h.ctx, rescoreBatchJob, { force: true, chunkSize: 100, by: 'test-job' }, { jobId });
    const queue = h.ctx.queues.get('scoring');
    const end = Date.now() + 15_000;
    while ((await queue.getJobState(jobId)) !== 'completed') {
      if (Date.now() > end) throw new Error(`job did not complete: ${await queue.getJobState(jobId)} ${(await queue.getJob(jobId))?.failedReason}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const job = (await queue.getJob(jobId))!;
    expect(job.returnvalue).toMatchObject({ mode: 'force', scanned: 4, rescored: 4, changed: 0, chunks: 1, skipped: false });
    expect(job.progress).toMatchObject({ pct: 100, chunks: 1, scanned: 4 });
    const runRow = await h.ctx.db.prisma.jobRun.findUniqueOrThrow({ where: { runKey: jobId } });
    expect(runRow).toMatchObject({ name: 'scoring.rescore-batch', status: 'completed', progress: 100 });
    expect(runRow.counts).toMatchObject({ scanned: 4, rescored: 4, changed: 0, unchanged: 4, statusMoves: 0, chunks: 1 });
  });
});

describe('two readers', () => {
  it('split the id space in halves and read every lead of both exactly once', async () => {
    const db = h.ctx.db.prisma;
    const ids = ['10000000-0000-4000-8000-000000000001', '7fffffff-ffff-4fff-bfff-ffffffffffff', '80000000-0000-4000-8000-000000000000', 'f0000000-0000-4000-8000-000000000002'];
    for (const [i, leadId] of ids.entries()) {
      await db.baseLead.create({ data: { id: leadId, address: `${i} Half St`, city: 'Austin', state: 'TX', trade: 'siding', propertyValue: 400_000, yearBuilt: 1990 } });
    }
    const pcts: number[] = [];
    const two = await run({ force: true, readers: 2, chunkSize: 1, filter: { trade: 'siding' }, onChunk: (p) => void pcts.push(p.pct) });
    expect(two).toMatchObject({ scanned: 4, chunks: 4, leadWrites: 4 });
    expect(await db.baseLead.count({ where: { trade: 'siding', qualityScore: { not: null } } })).toBe(4);
    expect(pcts.every((p) => p >= 0 && p <= 100)).toBe(true);
    // The same run with one reader finds the same leads, now unchanged.
    expect(await run({ force: true, readers: 1, chunkSize: 1, filter: { trade: 'siding' } })).toMatchObject({ scanned: 4, chunks: 4, leadWrites: 0, changed: 0 });
    expect(await run({ force: true, readers: 2, filter: { trade: 'siding' } })).toMatchObject({ scanned: 4, chunks: 2, leadWrites: 0 });
  });
});
