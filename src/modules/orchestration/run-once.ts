import type { AppContext } from '../../platform/context.ts';
import * as repo from './orchestration.repository.ts';

export type RunOnceResult<T> = { skipped: true; runKey: string } | { skipped: false; runKey: string; result: T };

/**
 * BullMQ is at-least-once (a stalled job runs again) and deterministic job ids only dedupe while the job is
 * kept, so a job with side effects also guards itself in the database (DESIGN.md "Runtime shape"): a
 * job_runs row with a UNIQUE run_key. The first attempt to insert it runs `fn`; any other attempt skips.
 * A run whose earlier attempt failed, or that has been "running" longer than `staleAfterMs` (its worker
 * died), may be claimed again so BullMQ retries still work.
 */
export async function runOnce<T extends Record<string, unknown> | void>(
  ctx: AppContext,
  name: string,
  runKey: string,
  fn: () => Promise<T>,
  opts: { bullmqJobId?: string; staleAfterMs?: number } = {},
): Promise<RunOnceResult<T>> {
  const id = await repo.claimJobRun(ctx.db.prisma, {
    name,
    runKey,
    bullmqJobId: opts.bullmqJobId ?? null,
    staleAfterMs: opts.staleAfterMs ?? 3600_000,
  });
  if (!id) {
    ctx.log.info({ job: name, runKey }, 'run already claimed; skipping');
    return { skipped: true, runKey };
  }
  try {
    const result = await fn();
    await repo.finishJobRun(ctx.db.prisma, id, { status: 'completed', counts: countsOf(result) });
    return { skipped: false, runKey, result };
  } catch (err) {
    await repo.finishJobRun(ctx.db.prisma, id, { status: 'failed', error: (err as Error).message ?? String(err) }).catch(() => {});
    throw err;
  }
}

/** The numeric fields of a handler's return value are its counts (rows expired, notifications sent, …). */
function countsOf(result: unknown): Record<string, number> {
  if (!result || typeof result !== 'object') return {};
  return Object.fromEntries(Object.entries(result).filter((e): e is [string, number] => typeof e[1] === 'number'));
}
