import { Queue, type JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { Redis } from './redis.ts';
import type { AppContext } from './context.ts';

/** Per-queue settings in one place (STYLE.md): concurrency and defaults for every job on the queue. */
export const QUEUES = {
  acquisition: { concurrency: 2, attempts: 3, backoffMs: 30_000, timeoutMs: 2 * 3600_000 },
  images: { concurrency: 4, attempts: 3, backoffMs: 10_000, timeoutMs: 120_000 },
  enrichment: { concurrency: 4, attempts: 3, backoffMs: 10_000, timeoutMs: 120_000 },
  inference: { concurrency: 1, attempts: 2, backoffMs: 10_000, timeoutMs: 300_000 },
  scoring: { concurrency: 1, attempts: 3, backoffMs: 5_000, timeoutMs: 3600_000 },
  leadgen: { concurrency: 2, attempts: 3, backoffMs: 5_000, timeoutMs: 600_000 },
  outreach: { concurrency: 2, attempts: 3, backoffMs: 60_000, timeoutMs: 120_000 },
  exports: { concurrency: 1, attempts: 2, backoffMs: 30_000, timeoutMs: 1800_000 },
  maintenance: { concurrency: 2, attempts: 3, backoffMs: 5_000, timeoutMs: 600_000 },
} as const satisfies Record<string, { concurrency: number; attempts: number; backoffMs: number; timeoutMs: number }>;

export type QueueName = keyof typeof QUEUES;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

export interface JobRunContext {
  ctx: AppContext;
  jobId: string;
  attempt: number;
  /** Reports 0–100 progress to BullMQ (and so to `npm run job` and the jobs API). */
  progress(pct: number, info?: Record<string, unknown>): Promise<void>;
  log(message: string): Promise<void>;
  signal: AbortSignal;
}

/** A typed job: enqueueing is type-checked and the worker re-validates the payload (STYLE.md). */
export interface JobDefinition<P extends z.ZodType = z.ZodType> {
  name: string;
  queue: QueueName;
  description: string;
  payload: P;
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
  handler(payload: z.infer<P>, run: JobRunContext): Promise<Record<string, unknown> | void>;
}

export const defineJob = <P extends z.ZodType>(def: JobDefinition<P>): JobDefinition<P> => def;

/** Finished jobs are kept for a day (so deterministic ids still dedupe a tick) and then removed. */
export const KEEP = { removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600 } } as const;

/**
 * Producer side of every queue. Uses its own connection with the offline queue disabled, so an add fails
 * fast while Redis is down instead of hanging (the outbox keeps the event and retries).
 */
export class QueueRegistry {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly connection: Redis, readonly prefix: string) {}

  get(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      q.on('error', () => {});
      this.queues.set(name, q);
    }
    return q;
  }

  all(): Queue[] {
    return QUEUE_NAMES.map((n) => this.get(n));
  }

  async add(def: Pick<JobDefinition, 'name' | 'queue' | 'attempts' | 'backoffMs'>, payload: unknown, opts: JobsOptions = {}) {
    const q = QUEUES[def.queue];
    return this.get(def.queue).add(def.name, payload, {
      attempts: def.attempts ?? q.attempts,
      backoff: { type: 'exponential', delay: def.backoffMs ?? q.backoffMs },
      ...KEEP,
      ...opts,
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.queues.clear();
  }
}
