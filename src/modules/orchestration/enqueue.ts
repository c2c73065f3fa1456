import type { Job, JobsOptions } from 'bullmq';
import type { AppContext } from '../../platform/context.ts';
import type { JobDefinition } from '../../platform/queues.ts';

export const ENQUEUE_TIMEOUT_MS = 5000;

/**
 * ctx.queues.add with a deadline. The producer fails fast while a known Redis is down, but a Queue that
 * never reached Redis waits for it indefinitely; callers (relay, cron ticks, API) must not hang with it.
 */
export async function addJob(ctx: AppContext, def: JobDefinition, payload: unknown, opts: JobsOptions = {}, timeoutMs = ENQUEUE_TIMEOUT_MS): Promise<Job> {
  let timer: NodeJS.Timeout | undefined;
  const add = ctx.queues.add(def, payload, opts);
  add.catch(() => {}); // if the deadline wins, a late rejection must not go unhandled
  try {
    return await Promise.race([
      add,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`enqueue timed out after ${timeoutMs} ms (Redis unreachable?)`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
