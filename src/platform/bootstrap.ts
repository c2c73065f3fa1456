import type { TConfig } from '../config.ts';
import type { AppContext } from './context.ts';
import { createDatabase } from './db.ts';
import { createRedis } from './redis.ts';
import { createLogger } from './logger.ts';
import { FieldCipher } from './crypto.ts';
import { QueueRegistry } from './queues.ts';

/** Builds the process context; `close()` releases every connection it opened. */
export function createContext(config: TConfig, opts: { role?: string; logLevel?: string } = {}): AppContext & { close(): Promise<void> } {
  const log = createLogger(opts.logLevel ?? config.LOG_LEVEL, { role: opts.role ?? 'api' });
  const db = createDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: `tradelead-${opts.role ?? 'api'}` });
  // General-purpose connection (rate limits, readiness, caches): fail fast while Redis is down, so the API
  // degrades (rate limits fail open, /ready says 503) instead of hanging requests. Workers open their own.
  const redis = createRedis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000 });
  // Producers fail fast while Redis is down (offline queue off); the outbox keeps what could not be sent.
  const producer = createRedis(config.REDIS_URL, { enableOfflineQueue: false });
  const queues = new QueueRegistry(producer, config.QUEUE_PREFIX);
  const cipher = new FieldCipher(config.DATA_ENCRYPTION_KEY, config.BLIND_INDEX_KEY);
  return {
    config, db, redis, queues, cipher, log,
    async close() {
      await queues.close();
      producer.disconnect();
      redis.disconnect();
      await db.close();
    },
  };
}
