import { TARGET_CITIES } from '../../prisma/seed/cities.ts';
import { describe, expect, it } from 'vitest';
import cron from 'node-cron';
import { QUEUE_NAMES } from '../../src/platform/queues.ts';
import { EVENT_ROUTES, JOBS, JOB_ALIASES, findJob } from '../../src/modules/orchestration/job-catalog.ts';
import { CITY_TIME_ZONES, zoneSlug, SCHEDULES, isImplemented, isScheduledJobId, listScheduleDefinitions, manualJobId, tickJobId } from '../../src/modules/orchestration/schedules.ts';
import { outboxJobId, relayBackoffMs } from '../../src/modules/orchestration/outbox-relay.ts';
import { UnknownQueueError, resolveWorkerQueues } from '../../src/modules/orchestration/worker.ts';
import { nextRunOf } from '../../src/modules/orchestration/scheduler.ts';

describe('job catalog', () => {
  it('routes every event topic to catalog jobs, and aliases to catalog jobs', () => {
    for (const [topic, jobs] of Object.entries(EVENT_ROUTES)) {
      expect(jobs.length, topic).toBeGreaterThan(0);
      for (const j of jobs) expect(JOBS.has(j), `${topic} → ${j}`).toBe(true);
    }
    for (const target of Object.values(JOB_ALIASES)) expect(JOBS.has(target)).toBe(true);
    expect(findJob('heartbeat')?.name).toBe('maintenance.heartbeat');
    expect(findJob('nope')).toBeUndefined();
  });

  it('puts every job on a known queue with a description', () => {
    for (const d of JOBS.values()) {
      expect(QUEUE_NAMES).toContain(d.queue);
      expect(d.description.length).toBeGreaterThan(10);
    }
  });
});

describe('schedules', () => {
  it('are valid node-cron expressions with unique, colon-free names', () => {
    const names = SCHEDULES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of SCHEDULES) {
      expect(cron.validate(s.cron), `${s.name}: ${s.cron}`).toBe(true);
      expect(s.name).not.toContain(':');
      expect(() => new Intl.DateTimeFormat('en-US', { timeZone: s.timezone }), `${s.name}: ${s.timezone}`).not.toThrow();
    }
  });

  it('tick the nightly city jobs at 02:00 and 04:00 local in every target-city time zone, the rest on UTC', () => {
    const zones = [...new Set(TARGET_CITIES.map((c) => c.timeZone))].sort();
    expect(CITY_TIME_ZONES).toEqual(zones);
    expect(zones).toContain('America/Phoenix');
    for (const tz of zones) {
      expect(SCHEDULES.find((s) => s.name === `permits.daily-scrape.${zoneSlug(tz)}`)).toMatchObject({ cron: '0 2 * * *', timezone: tz, payload: { days: 30, timeZone: tz } });
      expect(SCHEDULES.find((s) => s.name === `permits.daily-process.${zoneSlug(tz)}`)).toMatchObject({ cron: '0 4 * * *', timezone: tz, payload: { sinceHours: 24, timeZone: tz } });
    }
    for (const s of SCHEDULES.filter((x) => !x.name.startsWith('permits.'))) expect(s.timezone, s.name).toBe('UTC');
  });

  it('cover the seed schedules at the seed times', () => {
    const byJob = Object.fromEntries(SCHEDULES.map((s) => [s.job, s.cron]));
    expect(byJob['acquisition.scrape-permits-all']).toBe('0 2 * * *'); // seed 002 §9.4 2:00 AM
    expect(byJob['acquisition.ingest-storms']).toBe('0 3 * * *');
    expect(byJob['acquisition.process-new-permits']).toBe('0 4 * * *');
    expect(byJob['outreach.execute-due']).toBe('*/5 * * * *');
    expect(byJob['acquisition.expand-cities']).toBe('0 1 * * 0');
    expect(byJob['outreach.discover-contractors']).toBe('0 2 * * 0');
    expect(byJob['exports.retry-failed']).toBe('0 6 * * *'); // seed 001
    expect(byJob['scoring.rescore-pipeline']).toBe('*/30 * * * *'); // seed 003
  });

  it('hide the test schedule unless asked, and know which jobs exist', () => {
    expect(listScheduleDefinitions().some((s) => s.testOnly)).toBe(false);
    expect(listScheduleDefinitions({ includeTest: true }).map((s) => s.name)).toContain('test.every-second');
    expect(isImplemented(SCHEDULES.find((s) => s.name === 'maintenance.heartbeat')!)).toBe(true);
    expect(isImplemented(SCHEDULES.find((s) => s.name === 'permits.daily-scrape.america-chicago')!)).toBe(true);
    expect(isImplemented(SCHEDULES.find((s) => s.name === 'enrichment.hourly')!)).toBe(false);
  });

  it('derive deterministic, colon-free job ids per tick', () => {
    const t = new Date('2026-03-08T02:00:59.999Z');
    expect(tickJobId({ name: 'permits.daily-scrape', cron: '0 2 * * *' }, t)).toBe('permits.daily-scrape@20260308T0200Z');
    expect(tickJobId({ name: 'test.every-second', cron: '* * * * * *' }, t)).toBe('test.every-second@20260308T020059Z');
    expect(manualJobId('x', new Date(1_700_000_000_000))).toBe('x@manual-1700000000000');
    expect(isScheduledJobId('x@manual-1')).toBe(true);
    const ev = { id: 12, createdAt: new Date(1_700_000_000_000) };
    expect(isScheduledJobId(outboxJobId(ev, 'leads.notify-contractors'))).toBe(false);
    expect(outboxJobId(ev, 'leads.notify-contractors')).toBe('outbox-12-1700000000000-leads.notify-contractors');
    // The same id in a new database is a new event.
    expect(outboxJobId({ id: 12, createdAt: new Date(1_700_000_000_001) }, 'x')).not.toBe(outboxJobId(ev, 'x'));
  });

  it('compute the next run without starting a task', () => {
    const next = nextRunOf({ cron: '0 2 * * 0', timezone: 'UTC' })!;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([0, 2, 0]);
  });
});

describe('worker and relay settings', () => {
  it('backs off 1 s, 2 s, 4 s … capped at 60 s', () => {
    expect([1, 2, 3, 4, 7, 20].map(relayBackoffMs)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000]);
  });

  it('resolves WORKER_QUEUES and names unknown queues', () => {
    expect(resolveWorkerQueues(undefined)).toEqual(QUEUE_NAMES);
    expect(resolveWorkerQueues(['scoring', 'inference', 'scoring'])).toEqual(['scoring', 'inference']);
    expect(() => resolveWorkerQueues(['scoring', 'gpu', 'email'])).toThrow(UnknownQueueError);
    expect(() => resolveWorkerQueues(['gpu', 'email'])).toThrow(/unknown queue\(s\): gpu, email/);
  });
});
