import type { Redis } from './redis.ts';
import { AppError } from './errors.ts';

/**
 * Fixed-window counter in Redis, shared by every API replica. Fails open if Redis is unreachable:
 * losing the queue store must not take login down with it.
 */
export async function hitRateLimit(redis: Redis, prefix: string, key: string, limit: number, windowSeconds: number): Promise<void> {
  const window = Math.floor(Date.now() / 1000 / windowSeconds);
  const k = `${prefix}:ratelimit:${key}:${window}`;
  let count: number;
  try {
    const res = await redis.multi().incr(k).expire(k, windowSeconds + 1).exec();
    count = Number(res?.[0]?.[1] ?? 0);
  } catch {
    return;
  }
  if (count > limit) {
    const retryAfter = windowSeconds - (Math.floor(Date.now() / 1000) % windowSeconds);
    throw new AppError('RATE_LIMITED', { message: 'too many requests', details: { retryAfterSeconds: retryAfter } });
  }
}
