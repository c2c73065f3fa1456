import type { TConfig } from '../config.ts';
import type { Database } from './db.ts';
import type { Redis } from './redis.ts';
import type { Logger } from './logger.ts';
import type { FieldCipher } from './crypto.ts';
import type { QueueRegistry } from './queues.ts';

/**
 * What every service needs, built once per process (API or worker) and passed down explicitly:
 * no module reaches for globals, so tests build the same thing against their own database.
 */
export interface AppContext {
  config: TConfig;
  db: Database;
  redis: Redis;
  queues: QueueRegistry;
  cipher: FieldCipher;
  log: Logger;
}
