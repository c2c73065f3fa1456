import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export { Prisma } from '../generated/prisma/client.ts';
export type { PrismaClient };
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
/** Either the client or an interactive transaction: repositories accept both. */
export type Db = PrismaClient | Tx;

// numeric → string stays as-is (money must not pass through float); int8 → number where safe.
pg.types.setTypeParser(20, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

export interface Database {
  prisma: PrismaClient;
  /** The same pool Prisma uses: raw SQL for what Prisma cannot say (PostGIS, bulk UPDATE … FROM unnest). */
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(url: string, opts: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'tradelead',
    idleTimeoutMillis: 30_000,
  });
  // An idle client erroring (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Interactive transactions wait for a pooled connection and for row locks under contention (concurrent
  // territory claims, 50 buyers of one lead); Prisma's defaults (2 s / 5 s) turn a busy pool into 500s.
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
  let closed = false;
  return {
    prisma,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

/** PostgreSQL unique_violation, from Prisma (P2002) or raw pg (23505); optionally for one constraint. */
/** A numeric column (Prisma Decimal, or a number) as a JS number; null and undefined stay null. */
/** A uuid in its text form (any version): what an id from a file or a request must look like before it reaches SQL. */
export const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export const decimalToNumber = (d: { toString(): string } | number | null | undefined): number | null =>
  d === null || d === undefined ? null : Number(d);

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; meta?: Record<string, unknown>; cause?: unknown; message?: string };
  if (!e) return false;
  if (e.code === '23505') return !constraint || e.constraint === constraint;
  if (e.code === 'P2002') {
    if (!constraint) return true;
    return JSON.stringify(e.meta ?? {}).includes(constraint) || String(e.message).includes(constraint);
  }
  return false;
}
