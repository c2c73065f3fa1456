import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';

/**
 * Two real worker processes (`tsx workers/main.ts`) run the same cron; the test-only schedule
 * test.every-second must still run each tick exactly once.
 */
let h: TestHarness;
const children: ChildProcess[] = [];

function startWorker(name: string, metricsPort = 0): { proc: ChildProcess; output: () => string; started: Promise<void> } {
  const proc = spawn('node_modules/.bin/tsx', ['workers/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: h.config.DATABASE_URL,
      REDIS_URL: h.config.REDIS_URL,
      QUEUE_PREFIX: h.config.QUEUE_PREFIX,
      DATABASE_POOL_MAX: '4',
      WORKER_QUEUES: 'maintenance',
      CRON_ENABLED: 'true',
      SCHEDULES_INCLUDE_TEST: '1',
      LOG_LEVEL: 'info',
      WORKER_METRICS_PORT: String(metricsPort),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  const started = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"msg":"workers started"')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
    proc.once('exit', (code) => reject(new Error(`worker ${name} exited early (${code}):\n${out}`)));
  });
  return { proc, output: () => out, started };
}

async function stop(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null) return proc.exitCode;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await h?.close();
});

describe('cron schedules across replicas', () => {
  it('runs each tick once with two worker processes', async () => {
    const metricsPort = 20000 + Math.floor(Math.random() * 20000);
    const a = startWorker('a', metricsPort);
    const b = startWorker('b');
    await Promise.all([a.started, b.started]);
    await new Promise((r) => setTimeout(r, 4000));
    // The worker's own Prometheus endpoint (which of the two replicas ran which tick is up to BullMQ).
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('# TYPE job_outcomes_total counter');
    expect(metrics).toMatch(/^outbox_pending \d+$/m);
    const codes = await Promise.all([stop(a.proc), stop(b.proc)]);
    expect(codes).toEqual([0, 0]);

    for (const w of [a, b]) {
      expect(w.output()).toContain('cron schedules started');
      expect(w.output()).toMatch(/schedules not implemented yet \(skipped\): [^"]*enrichment\.hourly/);
    }

    const runs = await h.ctx.db.prisma.jobRun.findMany({ where: { runKey: { startsWith: 'test.every-second@' } } });
    const beats = (await h.ctx.db.prisma.systemEvent.findMany({ where: { eventName: 'heartbeat' } }))
      .map((e) => e.eventData as { jobId: string; note?: string })
      .filter((d) => d.note === 'test.every-second');

    const ticks = [...new Set(runs.map((r) => r.runKey))];
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(runs).toHaveLength(ticks.length); // one job_runs row per tick
    for (const tick of ticks) {
      expect(tick).toMatch(/^test\.every-second@\d{8}T\d{6}Z$/);
      expect(beats.filter((d) => d.jobId === tick)).toHaveLength(1);
    }
    // No beat without its run row (e.g. a duplicate that bypassed the guard).
    expect(beats.every((d) => ticks.includes(d.jobId))).toBe(true);
    // Graceful shutdown let the claimed runs finish.
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    expect(await h.ctx.db.prisma.scheduleState.findUnique({ where: { name: 'test.every-second' } })).toMatchObject({ paused: false, lastTickAt: expect.any(Date) });
  }, 30_000);
});
