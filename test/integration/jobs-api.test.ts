import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';
import { ensureUser } from '../../src/modules/auth/auth.service.ts';
import { startWorkers, type WorkerHandle } from '../../src/modules/orchestration/worker.ts';
import { enqueueTick } from '../../src/modules/orchestration/scheduler.ts';
import { findSchedule } from '../../src/modules/orchestration/schedules.ts';

let h: TestHarness;
let workers: WorkerHandle;
let contractorAuth: { authorization: string };


const api = (method: 'GET' | 'POST', url: string, payload?: unknown, headers = h.adminAuth) =>
  h.app.inject({ method, url: `/api/v1/jobs${url}`, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

const waitForState = (id: string, state: string) =>
  waitFor(async () => {
    const r = await api('GET', `/${encodeURIComponent(id)}`);
    return r.statusCode === 200 && r.json().state === state ? r.json() : null;
  });

beforeAll(async () => {
  h = await createHarness();
  const c = await h.ctx.db.prisma.contractor.create({ data: { companyName: 'Jobs API Roofing', city: 'Austin', state: 'TX' } });
  await ensureUser(h.ctx, { email: 'contractor@jobs.test', password: 'password123', role: 'contractor', contractorId: c.id });
  contractorAuth = await h.login('contractor@jobs.test');
  workers = await startWorkers(h.ctx, { queues: ['maintenance'], cron: false, relay: false });
});
afterAll(async () => {
  await workers?.close();
  await h?.close();
});

describe('jobs API', () => {
  it('enqueues a catalog job, runs it, and reads it back', async () => {
    const res = await api('POST', '', { name: 'maintenance.heartbeat', payload: { note: 'api' } });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ queue: 'maintenance', name: 'maintenance.heartbeat', state: 'waiting', attempts: 0, data: { note: 'api' }, failedReason: null });
    const done = await waitForState(created.id, 'completed');
    expect(done.returnValue).toMatchObject({ jobId: created.id, beats: 1 });
    expect(done.progress).toBe(100);
    expect(done.processedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    const beats = await h.ctx.db.prisma.systemEvent.findMany({ where: { eventName: 'heartbeat' } });
    expect(beats.filter((b) => (b.eventData as { jobId?: string }).jobId === created.id)).toHaveLength(1);
    // counted in the worker's metrics
    const metric = await workers.metrics.jobOutcomes.get();
    expect(metric.values.find((v) => v.labels.job === 'maintenance.heartbeat' && v.labels.outcome === 'completed')?.value).toBeGreaterThanOrEqual(1);
  });

  it('rejects an unknown job name and an invalid payload, naming the field', async () => {
    const unknown = await api('POST', '', { name: 'nope.nothing', payload: {} });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('VALIDATION_FAILED');
    expect(unknown.json().detail).toContain('maintenance.heartbeat');

    const bad = await api('POST', '', { name: 'maintenance.heartbeat', payload: { fail: 'yes', durationMs: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    expect(bad.json().detail).toContain('payload.fail');
    expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['payload.durationMs', 'payload.fail']);
  });

  it('lists jobs with queue/state/name filters and a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await api('POST', '', { name: 'maintenance.heartbeat', payload: {} })).json().id);
    for (const id of ids) await waitForState(id, 'completed');

    const all = await api('GET', '?queue=maintenance&state=completed&name=maintenance.heartbeat&limit=200');
    expect(all.statusCode).toBe(200);
    const listed = all.json().items.map((j: { id: string }) => j.id);
    for (const id of ids) expect(listed).toContain(id);
    expect(all.json().items.every((j: { state: string; queue: string }) => j.state === 'completed' && j.queue === 'maintenance')).toBe(true);

    const other = await api('GET', '?queue=maintenance&name=maintenance.expire-territories');
    expect(other.json().items).toEqual([]);

    const p1 = await api('GET', '?queue=maintenance&state=completed&limit=2');
    expect(p1.json().items).toHaveLength(2);
    expect(p1.json().nextCursor).toEqual(expect.any(String));
    const p2 = await api('GET', `?queue=maintenance&state=completed&limit=2&cursor=${p1.json().nextCursor}`);
    expect(p2.json().items.length).toBeGreaterThanOrEqual(1);
    const seen = [...p1.json().items, ...p2.json().items].map((j: { id: string }) => j.id);
    expect(new Set(seen).size).toBe(seen.length);

    expect((await api('GET', '?state=bogus')).statusCode).toBe(400);
  });

  it('fails a job on purpose, then retries it; only failed jobs are retryable', async () => {
    const created = (await api('POST', '', { name: 'maintenance.heartbeat', payload: { fail: true } })).json();
    const failed = await waitForState(created.id, 'failed');
    expect(failed.failedReason).toContain('failed on purpose');
    expect(failed.attempts).toBe(1);

    const retry = await api('POST', `/${created.id}/retry`);
    expect(retry.statusCode).toBe(200);
    expect(['waiting', 'active', 'failed']).toContain(retry.json().state);
    // It runs again and fails again (the payload still says fail), later than the first time.
    const again = await waitFor(async () => {
      const j = (await api('GET', `/${created.id}`)).json();
      return j.state === 'failed' && j.finishedAt > failed.finishedAt ? j : null;
    });
    expect(again.failedReason).toContain('failed on purpose');

    const ok = (await api('POST', '', { name: 'maintenance.heartbeat', payload: {} })).json();
    await waitForState(ok.id, 'completed');
    const notRetryable = await api('POST', `/${ok.id}/retry`);
    expect(notRetryable.statusCode).toBe(409);
    expect(notRetryable.json().code).toBe('JOB_NOT_RETRYABLE');
  });

  it('cancels a delayed job; refuses an active or finished one', async () => {
    const delayed = await api('POST', '', { name: 'maintenance.heartbeat', payload: {}, delayMs: 60_000 });
    expect(delayed.statusCode).toBe(201);
    expect(delayed.json().state).toBe('delayed');
    expect((await api('GET', `/${delayed.json().id}`)).json().state).toBe('delayed');
    const cancel = await api('POST', `/${delayed.json().id}/cancel`);
    expect(cancel.statusCode).toBe(204);
    const gone = await api('GET', `/${delayed.json().id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().code).toBe('JOB_NOT_FOUND');

    const slow = (await api('POST', '', { name: 'maintenance.heartbeat', payload: { durationMs: 1500 } })).json();
    await waitForState(slow.id, 'active');
    const busy = await api('POST', `/${slow.id}/cancel`);
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code).toBe('JOB_NOT_CANCELLABLE');
    const finished = await waitForState(slow.id, 'completed');
    expect(finished.progress).toBe(100);
    expect((await api('POST', `/${slow.id}/cancel`)).statusCode).toBe(409);
    expect((await api('POST', '/no-such-job/cancel')).statusCode).toBe(404);
  });

  it('lists schedules; pause/resume persist and gate ticks; trigger runs now under a manual id', async () => {
    const list = await api('GET', '/scheduled');
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { name: string; implemented: boolean; paused: boolean; nextRunAt: string | null; cron: string; timezone: string; job: string }[];
    const hb = items.find((s) => s.name === 'maintenance.heartbeat')!;
    expect(hb).toMatchObject({ cron: '* * * * *', timezone: 'UTC', job: 'maintenance.heartbeat', implemented: true, paused: false });
    expect(new Date(hb.nextRunAt!).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(hb.nextRunAt!).getUTCSeconds()).toBe(0);
    expect(items.find((s) => s.name === 'permits.daily-scrape.america-chicago')).toMatchObject({ implemented: true, cron: '0 2 * * *', timezone: 'America/Chicago', job: 'acquisition.scrape-permits-all' });
    expect(items.find((s) => s.name === 'enrichment.hourly')).toMatchObject({ implemented: false, cron: '0 * * * *', job: 'enrichment.enrich-batch' });
    expect(items.find((s) => s.name === 'test.every-second')).toBeUndefined();

    const paused = await api('POST', '/scheduled/maintenance.heartbeat/pause');
    expect(paused.statusCode).toBe(200);
    expect(paused.json().paused).toBe(true);
    expect((await h.ctx.db.prisma.scheduleState.findUnique({ where: { name: 'maintenance.heartbeat' } }))?.paused).toBe(true);
    const def = findSchedule('maintenance.heartbeat')!;
    expect(await enqueueTick(h.ctx, def, new Date('2026-01-01T00:00:00Z'))).toBeNull();

    const resumed = await api('POST', '/scheduled/maintenance.heartbeat/resume');
    expect(resumed.json().paused).toBe(false);
    const tickId = await enqueueTick(h.ctx, def, new Date('2026-01-01T00:01:00Z'));
    expect(tickId).toBe('maintenance.heartbeat@20260101T0001Z');
    // A second replica enqueueing the same tick adds nothing.
    expect(await enqueueTick(h.ctx, def, new Date('2026-01-01T00:01:00Z'))).toBe(tickId);
    await waitForState(tickId!, 'completed');
    expect(await h.ctx.db.prisma.jobRun.findUnique({ where: { runKey: tickId! } })).toMatchObject({ status: 'completed', name: 'maintenance.heartbeat', progress: 100 });

    const trig = await api('POST', '/scheduled/maintenance.heartbeat/trigger');
    expect(trig.statusCode).toBe(202);
    expect(trig.json().id).toMatch(/^maintenance\.heartbeat@manual-\d+$/);
    await waitForState(trig.json().id, 'completed');
    expect((await h.ctx.db.prisma.jobRun.findUnique({ where: { runKey: trig.json().id } }))?.status).toBe('completed');

    const missing = await api('POST', '/scheduled/nope/pause');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('SCHEDULE_NOT_FOUND');
    expect((await api('POST', '/scheduled/nope/trigger')).json().code).toBe('SCHEDULE_NOT_FOUND');
    const notYet = await api('POST', '/scheduled/enrichment.hourly/trigger');
    expect(notYet.statusCode).toBe(409);
    expect(notYet.json().code).toBe('SCHEDULE_NOT_IMPLEMENTED');
  });

  it('is for admin/ops only', async () => {
    for (const [method, url] of [['GET', ''], ['GET', '/scheduled'], ['POST', '/scheduled/maintenance.heartbeat/pause'], ['GET', '/catalog']] as const) {
      const r = await api(method, url, undefined, contractorAuth);
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('FORBIDDEN');
    }
    const anon = await h.app.inject({ method: 'GET', url: '/api/v1/jobs' });
    expect(anon.statusCode).toBe(401);
    const catalog = await api('GET', '/catalog');
    expect(catalog.json().items.map((j: { name: string }) => j.name)).toContain('leads.notify-contractors');
  });
});

describe('OpenAPI', () => {
  it('documents the jobs API and hides the board', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of ['/api/v1/jobs/', '/api/v1/jobs/{id}', '/api/v1/jobs/{id}/retry', '/api/v1/jobs/{id}/cancel', '/api/v1/jobs/scheduled', '/api/v1/jobs/scheduled/{name}/trigger']) {
      expect(Object.keys(doc.paths).some((p) => p.replace(/\/$/, '') === path.replace(/\/$/, '')), path).toBe(true);
    }
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/admin/queues'))).toBe(false);
  });
});

describe('Bull Board', () => {
  const basic = (email: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}` });

  it('asks for credentials, refuses contractors, and serves admins', async () => {
    const anon = await h.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Basic realm=/);

    const contractor = await h.app.inject({ method: 'GET', url: '/admin/queues', headers: contractorAuth });
    expect(contractor.statusCode).toBe(403);
    const contractorBasic = await h.app.inject({ method: 'GET', url: '/admin/queues', headers: basic('contractor@jobs.test', 'password123') });
    expect(contractorBasic.statusCode).toBe(403);
    const wrong = await h.app.inject({ method: 'GET', url: '/admin/queues', headers: basic('admin@test.local', 'wrong-password') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);

    const badToken = await h.app.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: 'Bearer abc.def.ghi' } });
    expect(badToken.statusCode).toBe(401);
    expect(badToken.json().code).toBe('TOKEN_INVALID');

    const admin = await h.app.inject({ method: 'GET', url: '/admin/queues', headers: h.adminAuth });
    expect(admin.statusCode).toBe(200);
    expect(admin.headers['content-type']).toContain('text/html');
    const viaBasic = await h.app.inject({ method: 'GET', url: '/admin/queues', headers: basic('admin@test.local', 'password123') });
    expect(viaBasic.statusCode).toBe(200);
    const queues = await h.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: h.adminAuth });
    expect(queues.statusCode).toBe(200);
    expect(queues.json().queues.map((q: { name: string }) => q.name)).toContain('maintenance');
  });
});
