import type { AppContext } from '../../platform/context.ts';

export interface ReadinessCheck {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

async function timed(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<ReadinessCheck> {
  const t0 = performance.now();
  try {
    await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs))]);
    return { ok: true, latencyMs: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - t0), error: (err as Error).message };
  }
}

/** Readiness: the process can serve traffic only if PostgreSQL and Redis both answer. */
export async function checkReadiness(ctx: AppContext) {
  const [database, redis] = await Promise.all([
    timed(() => ctx.db.pool.query('SELECT 1')),
    timed(() => ctx.redis.ping()),
  ]);
  return { ok: database.ok && redis.ok, checks: { database, redis } };
}
