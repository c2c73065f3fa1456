import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { createMetrics, type Metrics } from '../../platform/metrics.ts';
import { createRedis } from '../../platform/redis.ts';
import { QUEUES, QUEUE_NAMES, type JobRunContext, type QueueName } from '../../platform/queues.ts';
import { JOBS } from './job-catalog.ts';
import { startOutboxRelay } from './outbox-relay.ts';
import { runOnce } from './run-once.ts';
import { startScheduler } from './scheduler.ts';
import { isScheduledJobId } from './schedules.ts';

export class UnknownQueueError extends Error {
  constructor(readonly unknown: string[]) {
    super(`WORKER_QUEUES names unknown queue(s): ${unknown.join(', ')}; known queues: ${QUEUE_NAMES.join(', ')}`);
    this.name = 'UnknownQueueError';
  }
}

/** WORKER_QUEUES (or every queue) → queue names, rejecting unknown ones by name. */
export function resolveWorkerQueues(names?: readonly string[]): QueueName[] {
  if (!names || names.length === 0) return [...QUEUE_NAMES];
  const unknown = names.filter((n) => !(QUEUE_NAMES as string[]).includes(n));
  if (unknown.length) throw new UnknownQueueError(unknown);
  return [...new Set(names)] as QueueName[];
}

/** "payload.leadId: Invalid UUID; payload.x: …" — names each bad field. */
export function describeIssues(error: z.ZodError, root = 'payload'): string {
  return error.issues.map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
}

class JobTimeoutError extends Error {
  constructor(ms: number) {
    super(`job timed out after ${ms} ms`);
    this.name = 'JobTimeoutError';
  }
}

/**
 * Runs one job: re-validates the payload with the job's schema (invalid → UnrecoverableError, no retries),
 * enforces the per-job timeout through an AbortSignal, and guards scheduled runs with runOnce.
 */
export async function processJob(ctx: AppContext, queue: QueueName, job: Job, metrics: Metrics, bullSignal?: AbortSignal): Promise<unknown> {
  const def = JOBS.get(job.name);
  let outcome: 'completed' | 'failed' | 'skipped' = 'failed';
  try {
    if (!def || def.queue !== queue) throw new UnrecoverableError(`no job named ${job.name} on queue ${queue}`);
    const parsed = def.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid payload: ${describeIssues(parsed.error)}`);

    const timeoutMs = def.timeoutMs ?? QUEUES[queue].timeoutMs;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new JobTimeoutError(timeoutMs)), timeoutMs);
    const signal = bullSignal ? AbortSignal.any([timeout.signal, bullSignal]) : timeout.signal;
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'))), { once: true });
    });
    aborted.catch(() => {});

    const jobId = job.id ?? '';
    const run: JobRunContext = {
      ctx,
      jobId,
      attempt: job.attemptsMade + 1,
      signal,
      progress: (pct, info) => {
        const p = Math.max(0, Math.min(100, Math.round(pct)));
        return job.updateProgress(info ? { pct: p, ...info } : p);
      },
      log: async (message) => {
        await job.log(message);
      },
    };
    const execute = async () => (await def.handler(parsed.data, run)) ?? {};
    try {
      // A scheduled run (tick or manual trigger) may also arrive twice; its job id is its run key.
      const work = isScheduledJobId(jobId)
        ? runOnce(ctx, def.name, jobId, execute, { bullmqJobId: jobId, staleAfterMs: timeoutMs }).then((r) => (r.skipped ? r : r.result))
        : execute();
      const result = await Promise.race([work, aborted]);
      outcome = (result as { skipped?: unknown }).skipped === true ? 'skipped' : 'completed';
      return result;
    } finally {
      clearTimeout(timer);
    }
  } finally {
    metrics.jobOutcomes.inc({ queue, job: job.name, outcome });
  }
}

export interface StartWorkersOptions {
  /** Queues to consume; default WORKER_QUEUES, else every queue. */
  queues?: readonly string[];
  /** Run the cron schedules; default CRON_ENABLED. */
  cron?: boolean;
  /** Run the outbox relay; default true. */
  relay?: boolean;
  /** Also register test-only schedules (test.every-second). */
  includeTestSchedules?: boolean;
  metrics?: Metrics;
}

export interface WorkerHandle {
  queues: QueueName[];
  workers: Worker[];
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * The worker process's work (DESIGN.md "Runtime shape"): one BullMQ Worker per queue with that queue's
 * concurrency, the outbox relay, and the cron schedules. workers/main.ts calls this; tests call it in-process.
 */
export async function startWorkers(ctx: AppContext, opts: StartWorkersOptions = {}): Promise<WorkerHandle> {
  const log = ctx.log.child({ component: 'worker' });
  const requested = resolveWorkerQueues(opts.queues ?? ctx.config.WORKER_QUEUES);
  const metrics = opts.metrics ?? createMetrics(ctx.queues);
  // BullMQ's production guide: maxRetriesPerRequest null (createRedis sets it) so blocking calls survive reconnects.
  const connection = createRedis(ctx.config.REDIS_URL);

  const queues = requested.filter((q) => [...JOBS.values()].some((d) => d.queue === q));
  const idle = requested.filter((q) => !queues.includes(q));
  if (idle.length) log.info({ queues: idle }, `no jobs defined yet on queue(s) ${idle.join(', ')}; not consuming them`);

  const workers = queues.map((q) => {
    const w = new Worker(q, (job, _token, signal) => processJob(ctx, q, job, metrics, signal), {
      connection,
      prefix: ctx.queues.prefix,
      concurrency: QUEUES[q].concurrency,
    });
    w.on('error', (err) => log.error({ err, queue: q }, 'worker error'));
    w.on('failed', (job, err) => log.warn({ queue: q, job: job?.name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'job failed'));
    return w;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));

  const relay = opts.relay === false ? null : startOutboxRelay(ctx, { metrics });
  const scheduler = (opts.cron ?? ctx.config.CRON_ENABLED) ? startScheduler(ctx, { includeTest: opts.includeTestSchedules }) : null;
  log.info({ queues, cron: !!scheduler, relay: !!relay }, 'workers started');

  let closing: Promise<void> | undefined;
  return {
    queues,
    workers,
    metrics,
    close() {
      closing ??= (async () => {
        await scheduler?.stop();
        await relay?.stop();
        // Waits for active jobs to finish (BullMQ graceful close).
        await Promise.all(workers.map((w) => w.close().catch((err) => log.error({ err }, 'worker close failed'))));
        connection.disconnect();
        log.info('workers stopped');
      })();
      return closing;
    },
  };
}
