import type { AppContext } from '../../platform/context.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { JobDefinition } from '../../platform/queues.ts';
import { EVENT_ROUTES, JOBS } from './job-catalog.ts';
import { addJob } from './enqueue.ts';
import * as repo from './orchestration.repository.ts';

export const RELAY_BATCH = 100;
const MAX_BACKOFF_MS = 60_000;

export interface RelayResult {
  relayed: number;
  failed: number;
  unrouted: number;
}

/**
 * The job id of one routed event: deterministic, so a re-relayed event adds nothing. The event's creation time is
 * part of it because outbox ids restart with a new or restored database while Redis keeps finished jobs for a
 * day: `outbox-5-…` of yesterday's database would otherwise swallow today's event 5 (seen when the demo was run
 * again on a fresh database). BullMQ custom ids cannot contain ':' — hence dashes.
 */
export const outboxJobId = (ev: { id: number | bigint | string; createdAt: Date }, jobName: string): string =>
  `outbox-${ev.id}-${ev.createdAt.getTime()}-${jobName}`;

/** 1 s, 2 s, 4 s … capped at 60 s, by the number of failed attempts so far (including this one). */
export const relayBackoffMs = (attempts: number): number => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1));

function routeJobs(topic: string): JobDefinition[] {
  return (EVENT_ROUTES[topic] ?? []).flatMap((name) => JOBS.get(name) ?? []);
}

/**
 * One relay pass (DESIGN.md "Runtime shape"): takes up to 100 due events with FOR UPDATE SKIP LOCKED (so
 * several workers relay in parallel without taking the same rows), enqueues the jobs routed from each
 * topic with deterministic ids, and marks the event relayed. When an add fails (Redis down) the event is
 * kept with attempts + 1, last_error and a backed-off available_at, and the batch stops there: the rest
 * waits for the next pass rather than failing one by one. `now` lets tests look past available_at.
 */
export async function relayOnce(
  ctx: AppContext,
  opts: { now?: Date; limit?: number; addTimeoutMs?: number; metrics?: Metrics } = {},
): Promise<RelayResult> {
  const result: RelayResult = { relayed: 0, failed: 0, unrouted: 0 };
  const client = await ctx.db.pool.connect();
  try {
    await client.query('BEGIN');
    const events = await repo.lockPendingOutbox(client, { now: opts.now ?? new Date(), limit: opts.limit ?? RELAY_BATCH });
    for (const ev of events) {
      const jobs = routeJobs(ev.topic);
      if (jobs.length === 0) {
        ctx.log.warn({ eventId: ev.id, topic: ev.topic }, 'outbox event has no route; marking it relayed');
        await repo.markOutboxRelayed(client, ev.id, 'no route');
        result.unrouted++;
        continue;
      }
      try {
        for (const def of jobs) {
          await addJob(ctx, def, ev.payload, { jobId: outboxJobId(ev, def.name) }, opts.addTimeoutMs);
        }
        await repo.markOutboxRelayed(client, ev.id);
        result.relayed++;
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        await repo.markOutboxFailed(client, ev.id, message, relayBackoffMs(ev.attempts + 1));
        ctx.log.warn({ eventId: ev.id, topic: ev.topic, attempts: ev.attempts + 1, err: message }, 'outbox relay failed; will retry');
        result.failed++;
        break;
      }
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  if (opts.metrics) opts.metrics.outboxPending.set(await repo.countPendingOutbox(ctx.db.prisma));
  return result;
}

/** Polls every OUTBOX_POLL_MS; a full batch is followed immediately by the next one. */
export function startOutboxRelay(ctx: AppContext, opts: { metrics?: Metrics; pollMs?: number } = {}): { stop(): Promise<void> } {
  const pollMs = opts.pollMs ?? ctx.config.OUTBOX_POLL_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const pass = async () => {
    let full = false;
    try {
      const r = await relayOnce(ctx, { metrics: opts.metrics });
      full = r.failed === 0 && r.relayed + r.unrouted >= RELAY_BATCH;
    } catch (err) {
      ctx.log.error({ err }, 'outbox relay pass failed');
    }
    if (!stopped) timer = setTimeout(tick, full ? 0 : pollMs);
  };
  const tick = () => {
    inFlight = pass();
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
