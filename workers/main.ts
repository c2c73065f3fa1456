/**
 * Worker entry (`npm run worker`): BullMQ processors for every queue (or WORKER_QUEUES), the outbox relay,
 * and the cron schedules when CRON_ENABLED. Stateless: run as many as needed.
 */
import closeWithGrace from 'close-with-grace';
import { getConfigOrExit } from '../src/config.ts';
import { createContext } from '../src/platform/bootstrap.ts';
import { UnknownQueueError, startWorkers } from '../src/modules/orchestration/worker.ts';

const config = getConfigOrExit();
const ctx = createContext(config, { role: 'worker' });

let handle: Awaited<ReturnType<typeof startWorkers>>;
try {
  handle = await startWorkers(ctx, {
    // Test-only switch (not product configuration): registers the every-second test schedule.
    includeTestSchedules: process.env.SCHEDULES_INCLUDE_TEST === '1',
  });
} catch (err) {
  if (err instanceof UnknownQueueError) {
    process.stderr.write(`${err.message}\n`);
    await ctx.close();
    process.exit(78); // EX_CONFIG, as for any other bad variable
  }
  throw err;
}

closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
  if (err) ctx.log.error({ err }, 'worker shutting down after error');
  else ctx.log.info({ signal }, 'worker shutting down');
  await handle.close();
  await ctx.close();
});
