import { randomUUID } from 'node:crypto';
import type { Job, JobType } from 'bullmq';
import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { requireRole, type Principal } from '../../platform/auth.ts';
import { recordSystemEvent } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { QUEUES, QUEUE_NAMES, type JobDefinition, type QueueName } from '../../platform/queues.ts';
import { addJob } from './enqueue.ts';
import { JOBS, findJob, jobNames } from './job-catalog.ts';
import * as repo from './orchestration.repository.ts';
import { JOB_STATES, type TEnqueueJobBody, type TJob, type TJobState, type TListJobsQuery, type TSchedule } from './orchestration.schemas.ts';
import { nextRunOf } from './scheduler.ts';
import { findSchedule, isImplemented, listScheduleDefinitions, manualJobId, type ScheduleDefinition } from './schedules.ts';

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);

function toJob(job: Job, queue: string, state: string): TJob {
  return {
    id: String(job.id),
    queue,
    name: job.name,
    state,
    progress: (job.progress ?? 0) as TJob['progress'],
    attempts: job.attemptsMade,
    data: job.data ?? null,
    returnValue: job.returnvalue ?? null,
    failedReason: job.failedReason || null,
    createdAt: new Date(job.timestamp).toISOString(),
    processedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
  };
}

/** Redis unreachable while enqueueing: 503, not a generic 500. */
function queueUnavailable(err: unknown): AppError {
  return new AppError('SERVICE_UNAVAILABLE', { message: 'the queue store (Redis) is unreachable; try again shortly', cause: err });
}

async function audit(ctx: AppContext, principal: Principal, eventName: string, data: Record<string, unknown>) {
  await recordSystemEvent(ctx.db.prisma, {
    eventType: 'admin_action',
    eventName,
    service: 'api',
    data: { by: `${principal.kind}:${principal.id}`, ...data },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Enqueueing (API, CLI)
// ---------------------------------------------------------------------------------------------------------

/** Validates a payload against the job's schema; the error names every bad field (`payload.leadId: …`). */
export function validateJobPayload(def: JobDefinition, payload: unknown): unknown {
  const r = def.payload.safeParse(payload);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: ['payload', ...i.path.map(String)].join('.'), message: i.message }));
  throw new AppError('VALIDATION_FAILED', {
    message: `invalid payload for ${def.name}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    details: { errors },
  });
}

export function resolveCatalogJob(nameOrAlias: string): JobDefinition {
  const def = findJob(nameOrAlias);
  if (!def) {
    throw new AppError('VALIDATION_FAILED', {
      message: `unknown job "${nameOrAlias}"; known jobs: ${jobNames().join(', ')}`,
      details: { errors: [{ path: 'name', message: 'not in the job catalog' }] },
    });
  }
  return def;
}

/** Enqueues a catalog job after validating its payload. Ids are random unless given (ticks, outbox). */
export async function enqueueJob(ctx: AppContext, opts: { name: string; payload: unknown; delayMs?: number; jobId?: string }) {
  const def = resolveCatalogJob(opts.name);
  const payload = validateJobPayload(def, opts.payload);
  let job: Job;
  try {
    // Random ids keep every id unique across queues, so GET /jobs/:id can search all queues unambiguously.
    job = await addJob(ctx, def, payload, { jobId: opts.jobId ?? randomUUID(), ...(opts.delayMs ? { delay: opts.delayMs } : {}) });
  } catch (err) {
    throw queueUnavailable(err);
  }
  return { def, job, state: opts.delayMs ? 'delayed' : 'waiting' };
}

export async function enqueueCatalogJob(ctx: AppContext, principal: Principal | undefined, body: TEnqueueJobBody): Promise<TJob> {
  const p = requireRole(principal, 'admin', 'ops');
  const { def, job, state } = await enqueueJob(ctx, { name: body.name, payload: body.payload, delayMs: body.delayMs });
  await audit(ctx, p, 'job_enqueued', { job: def.name, jobId: job.id });
  return toJob(job, def.queue, state);
}

export function listCatalog(principal: Principal | undefined) {
  requireRole(principal, 'admin', 'ops');
  return [...JOBS.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => ({
      name: d.name,
      queue: d.queue,
      description: d.description,
      attempts: d.attempts ?? QUEUES[d.queue].attempts,
      timeoutMs: d.timeoutMs ?? QUEUES[d.queue].timeoutMs,
    }));
}

// ---------------------------------------------------------------------------------------------------------
// Jobs in BullMQ
// ---------------------------------------------------------------------------------------------------------

const SCAN_CHUNK = 100;
const MAX_SCAN = 2000;

/**
 * Pages over (queue, state) lists in a fixed order — the cursor is [list index, offset in that list],
 * newest first within a list. BullMQ lists are ranges, not keysets: a job changing state between two
 * pages can be skipped or repeated, which is fine for an operator's view. A name filter is applied while
 * scanning, bounded by MAX_SCAN per request (the page may then be short, with a cursor to continue).
 */
export async function listJobs(ctx: AppContext, principal: Principal | undefined, q: TListJobsQuery) {
  requireRole(principal, 'admin', 'ops');
  const queues: QueueName[] = q.queue ? [q.queue as QueueName] : QUEUE_NAMES;
  const states: readonly TJobState[] = q.state ? [q.state] : JOB_STATES;
  const lists = queues.flatMap((queue) => states.map((state) => ({ queue, state })));
  const [startList, startOffset] = (decodeCursor(q.cursor, 2) as [number, number] | undefined) ?? [0, 0];
  if (!Number.isInteger(startList) || !Number.isInteger(startOffset) || startList < 0 || startOffset < 0) {
    throw new AppError('VALIDATION_FAILED', { message: 'cursor is malformed; pass back nextCursor exactly as returned' });
  }

  const items: TJob[] = [];
  let li = startList;
  let offset = startOffset;
  let scanned = 0;
  while (li < lists.length && items.length < q.limit && scanned < MAX_SCAN) {
    const { queue, state } = lists[li]!;
    const want = q.name ? SCAN_CHUNK : q.limit - items.length;
    const jobs = await ctx.queues.get(queue).getJobs([state as JobType], offset, offset + want - 1, false);
    scanned += jobs.length;
    let full = false;
    for (const job of jobs) {
      offset++;
      if (q.name && job.name !== q.name) continue;
      items.push(toJob(job, queue, state));
      if (items.length === q.limit) {
        full = true;
        break;
      }
    }
    if (!full && jobs.length < want) {
      li++;
      offset = 0;
    }
  }
  return { items, nextCursor: li < lists.length ? encodeCursor([li, offset]) : null };
}

/** Ids are unique across queues (random or deterministic by name), so the first queue holding it wins. */
async function findJobAnywhere(ctx: AppContext, id: string): Promise<{ job: Job; queue: QueueName; state: string }> {
  const found = await Promise.all(QUEUE_NAMES.map(async (queue) => ({ queue, job: await ctx.queues.get(queue).getJob(id) })));
  const hit = found.find((f) => f.job);
  if (!hit?.job) throw new AppError('JOB_NOT_FOUND', { message: `no job with id ${id} in any queue` });
  const state = await hit.job.getState();
  // Read before it finished but finished since: re-read so the result matches the state.
  if ((state === 'completed' || state === 'failed') && !hit.job.finishedOn) {
    const fresh = await ctx.queues.get(hit.queue).getJob(id);
    if (fresh) return { job: fresh, queue: hit.queue, state };
  }
  return { job: hit.job, queue: hit.queue, state };
}

export async function getJob(ctx: AppContext, principal: Principal | undefined, id: string): Promise<TJob> {
  requireRole(principal, 'admin', 'ops');
  const { job, queue, state } = await findJobAnywhere(ctx, id);
  return toJob(job, queue, state);
}

export async function retryJob(ctx: AppContext, principal: Principal | undefined, id: string): Promise<TJob> {
  const p = requireRole(principal, 'admin', 'ops');
  const { job, queue, state } = await findJobAnywhere(ctx, id);
  if (state !== 'failed') throw new AppError('JOB_NOT_RETRYABLE', { message: `job ${id} is ${state}; only failed jobs can be retried` });
  await job.retry('failed');
  await audit(ctx, p, 'job_retried', { jobId: id, job: job.name });
  const fresh = await findJobAnywhere(ctx, id);
  return toJob(fresh.job, queue, fresh.state);
}

const CANCELLABLE = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

export async function cancelJob(ctx: AppContext, principal: Principal | undefined, id: string): Promise<void> {
  const p = requireRole(principal, 'admin', 'ops');
  const { job, state } = await findJobAnywhere(ctx, id);
  if (!CANCELLABLE.has(state)) {
    throw new AppError('JOB_NOT_CANCELLABLE', { message: `job ${id} is ${state}; only waiting or delayed jobs can be cancelled` });
  }
  try {
    await job.remove();
  } catch (err) {
    // A worker took it between our state read and the remove (BullMQ refuses to remove a locked job).
    throw new AppError('JOB_NOT_CANCELLABLE', { message: `job ${id} started running; it can no longer be cancelled`, cause: err });
  }
  await audit(ctx, p, 'job_cancelled', { jobId: id, job: job.name });
}

// ---------------------------------------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------------------------------------

function toSchedule(s: ScheduleDefinition, state: { paused: boolean; lastTickAt: Date | null } | undefined | null): TSchedule {
  return {
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    job: s.job,
    payload: s.payload,
    description: s.description,
    paused: state?.paused ?? false,
    implemented: isImplemented(s),
    lastTickAt: state?.lastTickAt?.toISOString() ?? null,
    nextRunAt: nextRunOf(s)?.toISOString() ?? null,
  };
}

function requireSchedule(name: string): ScheduleDefinition {
  const s = findSchedule(name);
  if (!s) throw new AppError('SCHEDULE_NOT_FOUND', { message: `no schedule named ${name}` });
  return s;
}

export async function listSchedules(ctx: AppContext, principal: Principal | undefined): Promise<TSchedule[]> {
  requireRole(principal, 'admin', 'ops');
  const states = new Map((await repo.listScheduleStates(ctx.db.prisma)).map((r) => [r.name, r]));
  return listScheduleDefinitions().map((s) => toSchedule(s, states.get(s.name)));
}

/** Runs the schedule's job now, paused or not (an operator asked), under its own id `<name>@manual-<ms>`. */
export async function triggerSchedule(ctx: AppContext, principal: Principal | undefined, name: string): Promise<TJob> {
  const p = requireRole(principal, 'admin', 'ops');
  const s = requireSchedule(name);
  if (!isImplemented(s)) throw new AppError('SCHEDULE_NOT_IMPLEMENTED', { message: `schedule ${name} runs ${s.job}, which is not implemented yet` });
  const { def, job, state } = await enqueueJob(ctx, { name: s.job, payload: s.payload, jobId: manualJobId(s.name) });
  await audit(ctx, p, 'schedule_triggered', { schedule: name, jobId: job.id });
  return toJob(job, def.queue, state);
}

export async function setSchedulePaused(ctx: AppContext, principal: Principal | undefined, name: string, paused: boolean): Promise<TSchedule> {
  const p = requireRole(principal, 'admin', 'ops');
  const s = requireSchedule(name);
  const row = await repo.setSchedulePaused(ctx.db.prisma, name, paused);
  await audit(ctx, p, paused ? 'schedule_paused' : 'schedule_resumed', { schedule: name });
  return toSchedule(s, row);
}
