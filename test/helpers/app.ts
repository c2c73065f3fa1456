import { randomBytes } from 'node:crypto';
import { parseConfig, type TConfig } from '../../src/config.ts';
import { createContext } from '../../src/platform/bootstrap.ts';
import { buildApp, type App } from '../../src/app.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { ensureUser } from '../../src/modules/auth/auth.service.ts';
import { createTestDatabase } from './db.ts';
import { TEST_REDIS_URL } from './env.ts';

export interface TestHarness {
  ctx: AppContext;
  app: App;
  config: TConfig;
  /** Bearer header for a signed-in user (created on first use). */
  login(email: string, password?: string): Promise<{ authorization: string }>;
  adminAuth: { authorization: string };
  close(): Promise<void>;
}

/**
 * Builds the real app on its own database (cloned template) and its own Redis key prefix, so test files
 * run in parallel without sharing state. Nothing of our own storage is mocked.
 */
export async function createHarness(overrides: Record<string, string> = {}): Promise<TestHarness> {
  const db = await createTestDatabase();
  const config = parseConfig({
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    DATABASE_POOL_MAX: '20',
    ...overrides,
  });
  const ctx = createContext(config, { role: 'test', logLevel: 'silent' });
  const app = await buildApp(ctx, { logLevel: 'silent' });
  await app.ready();

  const login = async (email: string, password = 'password123') => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    if (res.statusCode !== 200) throw new Error(`login ${email} failed: ${res.statusCode} ${res.body}`);
    return { authorization: `Bearer ${res.json().accessToken}` };
  };
  await ensureUser(ctx, { email: 'admin@test.local', password: 'password123', role: 'admin' });
  const adminAuth = await login('admin@test.local');

  return {
    ctx, app, config, login, adminAuth,
    async close() {
      await app.close();
      // Remove this file's queue keys so Redis does not accumulate test data.
      const keys = await ctx.redis.keys(`${config.QUEUE_PREFIX}:*`);
      for (let i = 0; i < keys.length; i += 500) await ctx.redis.del(...keys.slice(i, i + 500));
      await (ctx as AppContext & { close(): Promise<void> }).close();
      await db.drop();
    },
  };
}
