import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connections for BullMQ must have maxRetriesPerRequest: null (BullMQ's production guide) so blocking
 * commands wait across reconnects instead of failing.
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...opts });
  redis.on('error', () => {}); // reconnects on its own; readiness is reported by /ready
  return redis;
}

export type { Redis };
