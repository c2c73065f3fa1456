import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';
import { writeOutbox } from '../../src/platform/outbox.ts';
import { outboxJobId, relayOnce } from '../../src/modules/orchestration/outbox-relay.ts';
import { startWorkers, type WorkerHandle } from '../../src/modules/orchestration/worker.ts';
import { runOnce } from '../../src/modules/orchestration/run-once.ts';

/** The orchestration module's own jobs, driven the real way: outbox event → relay → worker → rows. */
let h: TestHarness;
let workers: WorkerHandle;
const ids = {} as Record<'holder' | 'local' | 'paused' | 'dallas', string>;


/** Writes the event, relays it, and waits until its job finished; returns the job's return value. */
async function deliver(topic: string, payload: Record<string, unknown>, jobName: string) {
  await writeOutbox(h.ctx.db.prisma, { topic, payload });
  const ev = await h.ctx.db.prisma.outbox.findFirstOrThrow({ orderBy: { id: 'desc' } });
  expect((await relayOnce(h.ctx)).relayed).toBe(1);
  const queue = h.ctx.queues.get('leadgen');
  const id = outboxJobId(ev, jobName);
  // State first, then the job: a job read before it finished would carry no return value yet.
  await waitFor(async () => (await queue.getJobState(id)) === 'completed');
  return (await queue.getJob(id))!.returnvalue as Record<string, unknown>;
}

const lead = (data: { zip: string; city?: string; address: string; status?: 'available' | 'reserved' | 'sold'; reservedUntil?: Date; soldToContractorId?: string }) =>
  h.ctx.db.prisma.baseLead.create({
    data: { trade: 'roof', address: data.address, city: data.city ?? 'Austin', state: 'TX', zip: data.zip, status: data.status ?? 'available', reservedUntil: data.reservedUntil, soldToContractorId: data.soldToContractorId },
  });

const notificationsFor = (leadId: string) =>
  h.ctx.db.prisma.notification.findMany({ where: { leadId }, orderBy: { contractorId: 'asc' } });

beforeAll(async () => {
  h = await createHarness();
  const mk = (companyName: string, city: string, status = 'active') =>
    h.ctx.db.prisma.contractor.create({ data: { companyName, city, state: 'TX', status } });
  ids.holder = (await mk('Holder Roofing', 'Austin')).id;
  ids.local = (await mk('Local Roofing', 'austin')).id;
  ids.paused = (await mk('Paused Roofing', 'Austin', 'paused')).id;
  ids.dallas = (await mk('Dallas Roofing', 'Dallas')).id;
  await h.ctx.db.prisma.territory.create({ data: { contractorId: ids.holder, zip: '78701', trade: 'roof' } });
  // Lapsed but not yet flipped to expired: it must not count as a holder.
  await h.ctx.db.prisma.territory.create({ data: { contractorId: ids.dallas, zip: '78703', trade: 'roof', expiresAt: new Date(Date.now() - 60_000) } });
  workers = await startWorkers(h.ctx, { queues: ['maintenance', 'leadgen'], cron: false, relay: false });
});
afterAll(async () => {
  await workers?.close();
  await h?.close();
});

describe('leads.notify-contractors (lead.published)', () => {
  it('notifies the territory holder only, and re-delivery adds nothing', async () => {
    const l = await lead({ zip: '78701', address: '1 Holder St' });
    expect(await deliver('lead.published', { leadId: l.id }, 'leads.notify-contractors')).toEqual({ notified: 1, matchedBy: 'territory' });
    const rows = await notificationsFor(l.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ contractorId: ids.holder, kind: 'lead_available', channel: 'in_app', status: 'pending' });
    expect(rows[0]!.payload).toMatchObject({ leadId: l.id, zip: '78701', trade: 'roof', city: 'Austin' });

    expect(await deliver('lead.published', { leadId: l.id }, 'leads.notify-contractors')).toEqual({ notified: 0, matchedBy: 'territory' });
    expect(await notificationsFor(l.id)).toHaveLength(1);
  });

  it('falls back to active contractors in the lead\'s city when no live territory covers it', async () => {
    for (const [zip, address] of [['78702', '2 Open St'], ['78703', '3 Lapsed St']] as const) {
      const l = await lead({ zip, address });
      expect(await deliver('lead.published', { leadId: l.id }, 'leads.notify-contractors')).toEqual({ notified: 2, matchedBy: 'city' });
      const who = (await notificationsFor(l.id)).map((n) => n.contractorId).sort();
      expect(who).toEqual([ids.holder, ids.local].sort()); // not the paused one, not Dallas
    }
  });

  it('tolerates a lead that no longer exists', async () => {
    expect(await deliver('lead.published', { leadId: '00000000-0000-4000-8000-000000000000' }, 'leads.notify-contractors')).toEqual({ notified: 0, matchedBy: 'none' });
  });
});

describe('marketplace.lead-sold (lead.sold)', () => {
  it('notifies the buyer once', async () => {
    const l = await lead({ zip: '78704', address: '4 Sold St', status: 'sold', soldToContractorId: ids.local });
    expect(await deliver('lead.sold', { leadId: l.id, contractorId: ids.local }, 'marketplace.lead-sold')).toEqual({ notified: 1 });
    expect(await deliver('lead.sold', { leadId: l.id }, 'marketplace.lead-sold')).toEqual({ notified: 0 });
    const rows = await notificationsFor(l.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ contractorId: ids.local, kind: 'lead_purchased' });
  });
});

describe('maintenance jobs', () => {
  const runNow = async (name: string) => {
    const job = await h.ctx.queues.add({ name, queue: 'maintenance' }, {}, { jobId: `${name}-${Date.now()}` });
    const queue = h.ctx.queues.get('maintenance');
    await waitFor(async () => (await queue.getJobState(job.id!)) === 'completed');
    return (await queue.getJob(job.id!))!.returnvalue as Record<string, number>;
  };

  it('puts lapsed reservations back on sale, leaving live ones alone', async () => {
    const lapsed = await lead({ zip: '78705', address: '5 Lapsed Hold', status: 'reserved', reservedUntil: new Date(Date.now() - 1000) });
    const live = await lead({ zip: '78705', address: '6 Live Hold', status: 'reserved', reservedUntil: new Date(Date.now() + 600_000) });
    expect(await runNow('maintenance.expire-reservations')).toEqual({ released: 1 });
    const [a, b] = await Promise.all([lapsed, live].map((l) => h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: l.id } })));
    expect(a).toMatchObject({ status: 'available', reservedUntil: null, version: lapsed.version + 1 });
    expect(b).toMatchObject({ status: 'reserved', version: live.version });
    const summary = await h.ctx.db.prisma.systemEvent.findFirst({ where: { eventName: 'reservations_expired' } });
    expect(summary?.eventData).toMatchObject({ released: 1 });
    expect(await runNow('maintenance.expire-reservations')).toEqual({ released: 0 });
  });

  it('expires active territories past their end', async () => {
    expect(await runNow('maintenance.expire-territories')).toEqual({ expired: 1 });
    const t = await h.ctx.db.prisma.territory.findMany({ orderBy: { zip: 'asc' } });
    expect(t.map((x) => [x.zip, x.status])).toEqual([['78701', 'active'], ['78703', 'expired']]);
  });
});

describe('worker', () => {
  it('re-validates payloads: an invalid one fails at once, without retries, naming the field', async () => {
    const job = await h.ctx.queues.add({ name: 'leads.notify-contractors', queue: 'leadgen', attempts: 3 }, { leadId: 'not-a-uuid' });
    const queue = h.ctx.queues.get('leadgen');
    await waitFor(async () => (await queue.getJobState(job.id!)) === 'failed');
    const failed = (await queue.getJob(job.id!))!;
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^invalid payload: payload\.leadId: /);
    const outcomes = (await workers.metrics.jobOutcomes.get()).values;
    expect(outcomes.find((v) => v.labels.job === 'leads.notify-contractors' && v.labels.outcome === 'failed')?.value).toBe(1);
  });
});

describe('runOnce', () => {
  it('runs a key once, lets a failed run be retried, and records the outcome', async () => {
    let calls = 0;
    const first = await runOnce(h.ctx, 'test.job', 'test.job@k1', async () => ({ rows: ++calls }));
    expect(first).toEqual({ skipped: false, runKey: 'test.job@k1', result: { rows: 1 } });
    expect(await runOnce(h.ctx, 'test.job', 'test.job@k1', async () => ({ rows: ++calls }))).toEqual({ skipped: true, runKey: 'test.job@k1' });
    expect(calls).toBe(1);
    expect(await h.ctx.db.prisma.jobRun.findUnique({ where: { runKey: 'test.job@k1' } })).toMatchObject({ status: 'completed', counts: { rows: 1 }, progress: 100 });

    await expect(runOnce(h.ctx, 'test.job', 'test.job@k2', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await h.ctx.db.prisma.jobRun.findUnique({ where: { runKey: 'test.job@k2' } })).toMatchObject({ status: 'failed', error: 'boom' });
    const retried = await runOnce(h.ctx, 'test.job', 'test.job@k2', async () => ({ rows: 7 }));
    expect(retried.skipped).toBe(false);
    expect(await h.ctx.db.prisma.jobRun.findUnique({ where: { runKey: 'test.job@k2' } })).toMatchObject({ status: 'completed', error: null });
  });
});
