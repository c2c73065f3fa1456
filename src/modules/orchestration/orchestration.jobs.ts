import { hostname } from 'node:os';
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/queues.ts';
import { recordSystemEvent } from '../../platform/outbox.ts';
import * as repo from './orchestration.repository.ts';

/** Waits `ms`, or rejects as soon as the job is aborted (timeout, cancel, shutdown). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const ZHeartbeatPayload = z.object({
  /** Throw instead of beating: lets tests and operators exercise the failure and retry path. */
  fail: z.boolean().optional(),
  /** Take this long, reporting progress ten times: exercises progress reporting and cancellation. */
  durationMs: z.number().int().min(0).max(60_000).optional(),
  note: z.string().max(200).optional(),
});

export const heartbeatJob = defineJob({
  name: 'maintenance.heartbeat',
  queue: 'maintenance',
  description: 'Writes a heartbeat row to system_events: proves a worker is consuming the maintenance queue.',
  payload: ZHeartbeatPayload,
  // A missed beat is replaced by the next tick; retrying an old one says nothing about liveness.
  attempts: 1,
  async handler(p, run) {
    const steps = 10;
    for (let i = 1; p.durationMs && i <= steps; i++) {
      await sleep(p.durationMs / steps, run.signal);
      await run.progress((i * 100) / steps);
    }
    if (p.fail) throw new Error('heartbeat failed on purpose (payload.fail = true)');
    await recordSystemEvent(run.ctx.db.prisma, {
      eventType: 'maintenance',
      eventName: 'heartbeat',
      service: 'worker',
      data: { jobId: run.jobId, attempt: run.attempt, host: hostname(), pid: process.pid, ...(p.note ? { note: p.note } : {}) },
    });
    await run.progress(100);
    return { jobId: run.jobId, pid: process.pid, beats: 1 };
  },
});

export const expireReservationsJob = defineJob({
  name: 'maintenance.expire-reservations',
  queue: 'maintenance',
  description: 'Puts reserved leads whose reservation lapsed back on sale (reserved → available).',
  payload: z.object({}),
  async handler(_p, { ctx }) {
    const now = new Date();
    const released = await ctx.db.prisma.$transaction(async (tx) => {
      const r = await repo.releaseExpiredReservations(tx, now);
      if (r.count > 0) {
        await recordSystemEvent(tx, { eventType: 'lead', eventName: 'reservations_expired', service: 'worker', data: { released: r.count, at: now.toISOString() } });
      }
      return r.count;
    });
    return { released };
  },
});

export const expireTerritoriesJob = defineJob({
  name: 'maintenance.expire-territories',
  queue: 'maintenance',
  description: 'Marks active territories past their expiry as expired, freeing the (zip, trade) for others.',
  payload: z.object({}),
  async handler(_p, { ctx }) {
    const now = new Date();
    const expired = await ctx.db.prisma.$transaction(async (tx) => {
      const r = await repo.expireLapsedTerritories(tx, now);
      if (r.count > 0) {
        await recordSystemEvent(tx, { eventType: 'territory', eventName: 'territories_expired', service: 'worker', data: { expired: r.count, at: now.toISOString() } });
      }
      return r.count;
    });
    return { expired };
  },
});

export const notifyContractorsJob = defineJob({
  name: 'leads.notify-contractors',
  queue: 'leadgen',
  description: 'On lead.published: in-app lead_available notifications for the territory holder, else the city\'s contractors.',
  payload: z.object({ leadId: z.uuid() }),
  async handler(p, { ctx }) {
    const r = await repo.insertLeadAvailableNotifications(ctx.db.prisma, p.leadId);
    if (!r.found) ctx.log.warn({ leadId: p.leadId }, 'lead.published for a lead that no longer exists; nothing to notify');
    return { notified: r.inserted, matchedBy: r.matchedBy ?? 'none' };
  },
});

export const leadSoldJob = defineJob({
  name: 'marketplace.lead-sold',
  queue: 'leadgen',
  description: 'On lead.sold: an in-app lead_purchased notification for the buyer.',
  payload: z.object({ leadId: z.uuid(), contractorId: z.uuid().optional() }),
  async handler(p, { ctx }) {
    const lead = await repo.findLeadBuyer(ctx.db.prisma, p.leadId);
    const contractorId = p.contractorId ?? lead?.soldToContractorId ?? null;
    if (!lead || !contractorId) {
      ctx.log.warn({ leadId: p.leadId }, 'lead.sold without a lead or buyer; nothing to notify');
      return { notified: 0 };
    }
    const r = await repo.insertLeadPurchasedNotification(ctx.db.prisma, {
      contractorId,
      leadId: lead.id,
      payload: { leadId: lead.id, city: lead.city, state: lead.state, trade: lead.trade, price: lead.soldPrice === null ? null : Number(lead.soldPrice) },
    });
    return { notified: r.count };
  },
});

export const orchestrationJobs: JobDefinition[] = [heartbeatJob, expireReservationsJob, expireTerritoriesJob, notifyContractorsJob, leadSoldJob];
