/**
 * Worker entry (`npm run worker`): BullMQ processors for every queue (or WORKER_QUEUES), the outbox relay,
 * and the cron schedules when CRON_ENABLED. Stateless: run as many as needed.
 */
import { createServer } from 'node:http';
import closeWithGrace from 'close-with-grace';
import { getConfigOrExit } from '../src/config.ts';
import { createContext } from '../src/platform/bootstrap.ts';
import { UnknownQueueError, startWorkers } from '../src/modules/orchestration/worker.ts';

const config = getConfigOrExit();
const ctx = createContext(config, { role: 'worker' });

let handle: Awaited<ReturnType<typeof startWorkers>>;
try {
  handle = await startWorkers(ctx, {
    includeTestSchedules: config.SCHEDULES_INCLUDE_TEST,
  });
} catch (err) {
  if (err instanceof UnknownQueueError) {
    process.stderr.write(`${err.message}\n`);
    await ctx.close();
    process.exit(78); // EX_CONFIG, as for any other bad variable
  }
  throw err;
}

// Workers have no API: job outcomes and the outbox backlog are scraped here.
const metricsServer = config.WORKER_METRICS_PORT
  ? createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      handle.metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': handle.metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    }).listen(config.WORKER_METRICS_PORT, config.HOST, () => ctx.log.info({ port: config.WORKER_METRICS_PORT }, 'worker metrics on /metrics'))
  : undefined;
// Several workers on one machine: the second cannot bind the port; it runs on without its own endpoint.
metricsServer?.on('error', (err) => ctx.log.warn({ err }, 'worker metrics endpoint not started'));

closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
  if (err) ctx.log.error({ err }, 'worker shutting down after error');
  else ctx.log.info({ signal }, 'worker shutting down');
  metricsServer?.close();
  await handle.close();
  await ctx.close();
});
