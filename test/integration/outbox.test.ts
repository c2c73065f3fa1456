import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createContext } from '../../src/platform/bootstrap.ts';
import { writeOutbox } from '../../src/platform/outbox.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { outboxJobId, relayOnce } from '../../src/modules/orchestration/outbox-relay.ts';
import { EVENT_ROUTES } from '../../src/modules/orchestration/job-catalog.ts';
import { createTestDatabase } from '../helpers/db.ts';

/** A private redis-server this file can kill and restart without disturbing other test files. */
let port: number;
let redis: ChildProcess | undefined;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: ReturnType<typeof createContext>;

async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const p = (srv.address() as net.AddressInfo).port;
  srv.close();
  await once(srv, 'close');
  return p;
}

const canConnect = (p: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: p });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });

async function waitFor<T>(fn: () => Promise<T>, ms = 10_000): Promise<Exclude<T, undefined | null | false>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v as Exclude<T, undefined | null | false>;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startRedis() {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(() => canConnect(port));
}

async function stopRedis() {
  if (!redis || redis.exitCode !== null) return;
  const exited = once(redis, 'exit');
  redis.kill('SIGKILL');
  await exited;
  redis = undefined;
}

const outboxRow = (id: bigint) => ctx.db.prisma.outbox.findUniqueOrThrow({ where: { id } });
const latestOutbox = () => ctx.db.prisma.outbox.findFirstOrThrow({ orderBy: { id: 'desc' } });
const later = () => new Date(Date.now() + 120_000);

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  db = await createTestDatabase();
  const config = parseConfig({ ...process.env, DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${port}`, QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}` });
  ctx = createContext(config, { role: 'test', logLevel: 'silent' });
});

afterAll(async () => {
  await ctx?.close();
  await stopRedis();
  await db?.drop();
});

describe('outbox relay', () => {
  it('keeps events while Redis is down and delivers them exactly once when it is back', async () => {
    const leadgen = ctx.queues.get('leadgen');
    await leadgen.waitUntilReady();
    await stopRedis();

    const leadA = randomUUID();
    await ctx.db.prisma.$transaction(async (tx) => {
      await writeOutbox(tx, { topic: 'lead.published', payload: { leadId: leadA } });
      await writeOutbox(tx, { topic: 'lead.published', payload: { leadId: randomUUID() } });
    });
    const first = await ctx.db.prisma.outbox.findFirstOrThrow({ orderBy: { id: 'asc' } });

    const metrics = createMetrics();
    const down = await relayOnce(ctx, { metrics });
    expect(down).toEqual({ relayed: 0, failed: 1, unrouted: 0 });
    const failed = await outboxRow(first.id);
    expect(failed.relayedAt).toBeNull();
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toBeTruthy();
    expect(failed.availableAt.getTime()).toBeGreaterThan(Date.now() - 100);
    // The batch stopped at the first failure: the second event was not tried.
    const second = await latestOutbox();
    expect(second.attempts).toBe(0);
    expect(second.lastError).toBeNull();
    expect((await metrics.outboxPending.get()).values[0]?.value).toBe(2);

    // Backed off: an immediate pass does not pick the failed event again.
    await relayOnce(ctx);
    expect((await outboxRow(first.id)).attempts).toBe(1);

    await startRedis();
    // The producer connection reconnects on its own; a read through it says when.
    await waitFor(async () => !!(await leadgen.getJobCounts('waiting')));

    const up = await relayOnce(ctx, { now: later(), metrics });
    expect(up).toEqual({ relayed: 2, failed: 0, unrouted: 0 });
    const relayed = await outboxRow(first.id);
    expect(relayed.relayedAt).not.toBeNull();
    expect((await metrics.outboxPending.get()).values[0]?.value).toBe(0);

    const jobId = outboxJobId(first, 'leads.notify-contractors');
    expect(jobId).toBe(`outbox-${first.id}-${first.createdAt.getTime()}-leads.notify-contractors`);
    const job = await leadgen.getJob(jobId);
    expect(job?.name).toBe('leads.notify-contractors');
    expect(job?.data).toEqual({ leadId: leadA });

    // Relaying again (e.g. the relay crashed after the add, before its commit) adds no duplicate.
    await ctx.db.prisma.outbox.updateMany({ data: { relayedAt: null } });
    expect(await relayOnce(ctx, { now: later() })).toEqual({ relayed: 2, failed: 0, unrouted: 0 });
    const counts = await leadgen.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
    // One job per event and route: lead.published fans out to every job EVENT_ROUTES lists for it.
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(2 * EVENT_ROUTES['lead.published']!.length);
    expect(await relayOnce(ctx, { now: later() })).toEqual({ relayed: 0, failed: 0, unrouted: 0 });
  });

  it('marks an event without a route as relayed with "no route"', async () => {
    await writeOutbox(ctx.db.prisma, { topic: 'nobody.listens', payload: { x: 1 } });
    expect(await relayOnce(ctx)).toEqual({ relayed: 0, failed: 0, unrouted: 1 });
    const row = await latestOutbox();
    expect(row.relayedAt).not.toBeNull();
    expect(row.lastError).toBe('no route');
  });
});
