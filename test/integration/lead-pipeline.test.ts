import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';
import { writeOutbox } from '../../src/platform/outbox.ts';
import { startWorkers, type WorkerHandle } from '../../src/modules/orchestration/worker.ts';
import { seedReferenceData } from '../../prisma/seed/index.ts';
import { GATHER, STAGES, sweepPipeline } from '../../src/modules/orchestration/lead-pipeline.service.ts';

/**
 * The whole outbox chain of DESIGN.md "Pipeline" on real PostgreSQL+PostGIS and Redis, driven the real way:
 * a permit.scraped event → relay → BullMQ workers → stage jobs → … → lead.published → notifications.
 */
let h: TestHarness;
let workers: WorkerHandle;
let exportsDir: string;
const DAY = 86_400_000;


const day = (offsetDays: number) => new Date(Date.now() - offsetDays * DAY);

/** Three Austin permits near each other: two roof jobs, one HVAC; and one permit with no address. */
async function insertPermits() {
  const city = await h.ctx.db.prisma.targetCity.findFirstOrThrow({ where: { city: 'Austin', state: 'TX' } });
  const base = { source: 'test:permits', targetCityId: city.id, city: 'Austin', state: 'TX', zip: '78704', permitStatus: 'Issued' };
  const rows = [
    { permitNumber: 'P-1', address: '1201 S Lamar Blvd', lat: 30.2555, lng: -97.7642, permitType: 'Residential Reroof', workDescription: 'Tear off and replace shingles, hail damage, insurance claim #HC-20931', estimatedValue: 18_500, issueDate: day(5), appliedDate: day(8) },
    { permitNumber: 'P-2', address: '1207 S Lamar Blvd', lat: 30.2551, lng: -97.7645, permitType: 'Residential Reroof', workDescription: 'Reroof with architectural shingles', estimatedValue: 16_000, issueDate: day(6), appliedDate: day(9) },
    { permitNumber: 'P-3', address: '1300 Bluebonnet Ln', lat: 30.2540, lng: -97.7700, permitType: 'Mechanical', workDescription: 'HVAC change out 4 ton heat pump', estimatedValue: 9_800, issueDate: day(3), appliedDate: day(4) },
    { permitNumber: 'P-4', address: null, lat: null, lng: null, permitType: 'Residential Reroof', workDescription: 'Reroof', estimatedValue: 10_000, issueDate: day(3), appliedDate: day(4) },
  ];
  const created = [];
  for (const r of rows) created.push(await h.ctx.db.prisma.permit.create({ data: { ...base, ...r } }));
  // Assessor data for the first two houses, written the way a county export writes them.
  await h.ctx.db.prisma.property.createMany({
    data: [
      { normalizedAddress: '1201 S LAMAR BLVD', address: '1201 SOUTH LAMAR BOULEVARD', city: 'Austin', state: 'TX', zip: '78704', lat: 30.2555, lng: -97.7642, ownerName: 'Pat Example', yearBuilt: 1994, sqft: 2100, assessedValue: 540_000, marketValue: 560_000, propertyType: 'single_family', isAbsentee: false, source: 'test' },
      { normalizedAddress: '1207 S LAMAR BLVD', address: '1207 S LAMAR BLVD', city: 'Austin', state: 'TX', zip: '78704', lat: 30.2551, lng: -97.7645, ownerName: 'Sam Example', yearBuilt: 2015, sqft: 1800, assessedValue: 420_000, marketValue: 430_000, propertyType: 'single_family', isAbsentee: true, ownerMailingAddress: '9 Elm St, Dallas, TX 75201', source: 'test' },
    ],
  });
  // A 1.75" hail report 1.5 miles away, 20 days ago.
  await h.ctx.db.prisma.weatherEvent.create({
    data: { eventId: 990001n, eventType: 'hail', eventDate: day(20), beginAt: day(20), state: 'TX', lat: 30.2700, lng: -97.7500, hailSizeInches: 1.75, radiusMiles: 5, source: 'test' },
  });
  return created;
}

beforeAll(async () => {
  exportsDir = await mkdtemp(path.join(tmpdir(), 'tl-pipeline-exports-'));
  h = await createHarness({ EXPORTS_DIR: exportsDir, OUTBOX_POLL_MS: '100' });
  await seedReferenceData(h.ctx.db.pool);
  // The territory holder of 78704/roof is who a published roof lead there notifies.
  const c = await h.ctx.db.prisma.contractor.create({ data: { companyName: 'Lamar Roofing', city: 'Austin', state: 'TX', status: 'active' } });
  await h.ctx.db.prisma.territory.create({ data: { contractorId: c.id, zip: '78704', trade: 'roof' } });
  workers = await startWorkers(h.ctx, { cron: false });
}, 60_000);

afterAll(async () => {
  await workers?.close();
  await h?.close();
  await rm(exportsDir, { recursive: true, force: true });
});

describe('lead pipeline (permit.scraped → … → lead.published)', () => {
  it('runs every stage, skips the unbuilt ones with a reason, and publishes sellable leads', async () => {
    const permits = await insertPermits();
    await writeOutbox(h.ctx.db.prisma, { topic: 'permit.scraped', payload: { permitIds: permits.map((p) => p.id) } });

    // One lead per addressed, classified permit: the reroofs and the HVAC job; the address-less one makes none.
    const leads = await waitFor(async () => {
      const rows = await h.ctx.db.prisma.baseLead.findMany({ where: { source: 'permit' }, orderBy: { address: 'asc' } });
      return rows.length === 3 && rows;
    });
    expect(leads.map((l) => [l.address, l.trade])).toEqual([
      ['1201 S Lamar Blvd', 'roof'],
      ['1207 S Lamar Blvd', 'roof'],
      ['1300 Bluebonnet Ln', 'hvac'],
    ]);

    // Every lead reaches the end of the chain: a publish run, done or skipped with the reason.
    await waitFor(async () => (await h.ctx.db.prisma.pipelineStageRun.count({ where: { stage: 'publish' } })) === 3, 90_000);
    const runs = await h.ctx.db.prisma.pipelineStageRun.findMany({ where: { baseLeadId: leads[0]!.id } });
    const byStage = Object.fromEntries(runs.map((r) => [r.stage, r]));
    expect(Object.keys(byStage).sort()).toEqual([...STAGES.map((s) => s.stage), GATHER.stage].sort());
    for (const s of ['images', 'enrichment', 'inference', 'validation']) {
      expect(byStage[s]!.status).toBe('skipped');
      expect(byStage[s]!.reason).toMatch(/not built yet|no roof analysis/);
    }
    for (const s of ['property', 'triggers', 'score']) expect([s, byStage[s]!.status, byStage[s]!.reason]).toEqual([s, 'done', null]);
    expect(byStage.score!.details).toMatchObject({ qualityScore: 68, grade: 'D' });

    // Property facts reached the lead; the hail report became a weather trigger; the lead was scored and is on sale.
    const lead = await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: leads[0]!.id }, include: { triggers: true } });
    expect(lead.propertyId).not.toBeNull();
    expect(lead.ownerName).toBe('Pat Example');
    expect(lead.yearBuilt).toBe(1994);
    expect(lead.triggers.some((t) => t.active && /hail|weather/.test(t.triggerType))).toBe(true);
    // seed 002 §3.5.1 without enrichment and roof inference: value >$500K 20 + roof 32 years 20 + hail 15 and
    // insurance claim 15 (capped at 25) + condition 0 + contact 0 + completeness (owner contact missing) 3 = 68 → D.
    expect(lead.qualityScore).toBe(68);
    expect(lead.grade).toBe('D');
    expect(lead.tier).toMatch(/^(A|B|C)$/);
    expect(lead.status).toBe('available');
    expect(lead.price).not.toBeNull();
    for (const s of ['cluster', 'price', 'publish']) expect(byStage[s]!.status).toBe('done');
    const note = await waitFor(() => h.ctx.db.prisma.notification.findFirst({ where: { leadId: lead.id } }), 30_000);
    expect(note.kind).toBe('lead_available');

    // The second house has a newer roof and no claim: below 60, it stops before the marketplace, with the reason.
    const second = await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: leads[1]!.id } });
    expect(second.status).toBe('unqualified');
    const publish2 = await h.ctx.db.prisma.pipelineStageRun.findFirstOrThrow({ where: { baseLeadId: second.id, stage: 'publish' } });
    expect(publish2).toMatchObject({ status: 'skipped', reason: 'status is unqualified' });

    // The join fired once per lead: one lead.gathered event naming each lead.
    const gathered = await h.ctx.db.prisma.outbox.findMany({ where: { topic: 'lead.gathered' } });
    const named = gathered.flatMap((e) => (e.payload as { leadIds: string[] }).leadIds);
    expect(named.sort()).toEqual(leads.map((l) => l.id).sort());
  }, 120_000);

  it('a re-delivered event runs nothing twice', async () => {
    const leads = await h.ctx.db.prisma.baseLead.findMany({ where: { source: 'permit' }, select: { id: true } });
    const before = await h.ctx.db.prisma.pipelineStageRun.findMany({ orderBy: [{ baseLeadId: 'asc' }, { stage: 'asc' }] });
    const outboxBefore = await h.ctx.db.prisma.outbox.count();
    await writeOutbox(h.ctx.db.prisma, { topic: 'lead.created', payload: { leadIds: leads.map((l) => l.id) } });
    await waitFor(async () => (await h.ctx.db.prisma.outbox.count({ where: { relayedAt: null } })) === 0);
    // Let the three stage jobs run (they find nothing to do).
    await new Promise((r) => setTimeout(r, 1500));
    const after = await h.ctx.db.prisma.pipelineStageRun.findMany({ orderBy: [{ baseLeadId: 'asc' }, { stage: 'asc' }] });
    expect(after.map((r) => [r.baseLeadId, r.stage, r.attempts, r.status])).toEqual(before.map((r) => [r.baseLeadId, r.stage, r.attempts, r.status]));
    expect(await h.ctx.db.prisma.outbox.count()).toBe(outboxBefore + 1);
  }, 60_000);

  it('the 04:00 sweep makes leads of permits that have none and re-queues stalled leads', async () => {
    const city = await h.ctx.db.prisma.targetCity.findFirstOrThrow({ where: { city: 'Austin', state: 'TX' } });
    // A permit whose permit.scraped event was lost, and a lead whose chain stopped after the property stage.
    await h.ctx.db.prisma.permit.create({
      data: { source: 'test:permits', permitNumber: 'P-9', targetCityId: city.id, address: '77 Oltorf St', city: 'Austin', state: 'TX', zip: '78704', lat: 30.246, lng: -97.76, permitType: 'Residential Reroof', workDescription: 'Reroof', issueDate: day(1) },
    });
    const r = await sweepPipeline(h.ctx, { sinceHours: 24 });
    expect(r.created).toBe(1);
    const lead = await waitFor(() => h.ctx.db.prisma.baseLead.findFirst({ where: { address: '77 Oltorf St' } }));
    await waitFor(async () => !!(await h.ctx.db.prisma.pipelineStageRun.findFirst({ where: { baseLeadId: lead.id, stage: 'publish' } })), 90_000);
    // Nothing stalled now: a second sweep re-queues nothing.
    const again = await sweepPipeline(h.ctx, { sinceHours: 24 });
    expect(again.created).toBe(0);
    expect(again.requeued).toEqual({});
  }, 120_000);
});
