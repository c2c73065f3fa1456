import cron, { type ScheduledTask } from 'node-cron';
import type { AppContext } from '../../platform/context.ts';
import { addJob } from './enqueue.ts';
import { JOBS } from './job-catalog.ts';
import * as repo from './orchestration.repository.ts';
import { listScheduleDefinitions, tickJobId, type ScheduleDefinition } from './schedules.ts';

export interface SchedulerHandle {
  registered: string[];
  notImplemented: string[];
  stop(): Promise<void>;
}

/**
 * Enqueues one tick. Every worker replica runs the same cron, and the deterministic job id makes BullMQ
 * keep a single job per tick; a paused schedule (schedule_states.paused) skips its ticks.
 */
export async function enqueueTick(ctx: AppContext, s: ScheduleDefinition, tick: Date): Promise<string | null> {
  const state = await repo.findScheduleState(ctx.db.prisma, s.name);
  if (state?.paused) {
    ctx.log.debug({ schedule: s.name }, 'schedule paused; tick skipped');
    return null;
  }
  const def = JOBS.get(s.job);
  if (!def) return null;
  const jobId = tickJobId(s, tick);
  await addJob(ctx, def, s.payload, { jobId });
  // Replicas race on this upsert; the value is informational, so a lost race is fine.
  await repo.touchScheduleTick(ctx.db.prisma, s.name, tick).catch(() => {});
  return jobId;
}

/** Starts node-cron for every implemented schedule (CRON_ENABLED); others are named once in the log. */
export function startScheduler(ctx: AppContext, opts: { includeTest?: boolean } = {}): SchedulerHandle {
  const log = ctx.log.child({ component: 'scheduler' });
  const tasks: ScheduledTask[] = [];
  const registered: string[] = [];
  const notImplemented: string[] = [];
  const cronLogger = {
    info: (m: string) => log.debug(m),
    warn: (m: string) => log.warn(m),
    error: (m: string | Error, err?: Error) => log.error({ err: err ?? m }, String(m)),
    debug: (m: string | Error) => log.debug(String(m)),
  };

  for (const s of listScheduleDefinitions({ includeTest: opts.includeTest })) {
    const def = JOBS.get(s.job);
    if (!def) {
      notImplemented.push(s.name);
      continue;
    }
    const parsed = def.payload.safeParse(s.payload);
    if (!parsed.success) {
      log.error({ schedule: s.name, job: s.job, issues: parsed.error.issues }, 'schedule payload does not match its job; schedule not started');
      continue;
    }
    const task = cron.schedule(
      s.cron,
      async ({ date }) => {
        try {
          await enqueueTick(ctx, s, date);
        } catch (err) {
          log.error({ err, schedule: s.name }, 'could not enqueue schedule tick');
        }
      },
      { timezone: s.timezone, name: s.name, logger: cronLogger },
    );
    tasks.push(task);
    registered.push(s.name);
  }
  if (notImplemented.length) log.info({ schedules: notImplemented }, `schedules not implemented yet (skipped): ${notImplemented.join(', ')}`);
  log.info({ schedules: registered }, 'cron schedules started');

  return {
    registered,
    notImplemented,
    async stop() {
      await Promise.all(tasks.map(async (t) => {
        await t.stop();
        await t.destroy();
      }));
    },
  };
}

/** Next fire time of a cron expression without starting it (for the jobs API). */
export function nextRunOf(s: Pick<ScheduleDefinition, 'cron' | 'timezone'>): Date | null {
  const task = cron.createTask(s.cron, () => {}, { timezone: s.timezone });
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    void task.destroy();
  }
}
