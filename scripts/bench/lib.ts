import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureServices } from '../lib/services.ts';
import { migrate } from '../../src/platform/migrations.ts';

/** Benchmarks run on their own database (never the dev data): DATABASE_URL's name + `_bench`, or BENCH_DATABASE_URL. */
export function benchDatabaseUrl(): string {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const u = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tradelead');
  u.pathname = `${u.pathname}_bench`;
  return u.toString();
}

/** Drops and recreates the bench database, migrated. */
export async function freshBenchDatabase(url: string, redisUrl: string): Promise<void> {
  await ensureServices({ databaseUrl: url, redisUrl, log: (m) => process.stderr.write(`${m}\n`) });
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  await migrate(url);
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const log = (m: string) => process.stderr.write(`${m}\n`);
export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** Environment for a bench's own context or API process: its database, a private queue prefix, throwaway secrets. */
export function benchEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(24).toString('hex'),
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? randomBytes(32).toString('hex'),
    BLIND_INDEX_KEY: process.env.BLIND_INDEX_KEY ?? randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/**
 * The listing's lead_rank rows for leads bulk-loaded with session_replication_role = replica, which turns off the
 * insert trigger that writes them otherwise.
 */
export async function backfillLeadRank(c: pg.ClientBase): Promise<void> {
  await c.query(`INSERT INTO lead_rank (lead_id, status, quality_score, created_at)
                 SELECT id, status, quality_score, created_at FROM base_leads WHERE deleted_at IS NULL ON CONFLICT DO NOTHING`);
}
