import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueRegistry } from './queues.ts';

/** One registry per process (API or worker), so tests can build several apps without name clashes. */
export function createMetrics(queues?: QueueRegistry) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const jobOutcomes = new Counter({
    name: 'job_outcomes_total',
    help: 'Finished jobs by queue, job name and outcome (completed, failed, skipped)',
    labelNames: ['queue', 'job', 'outcome'] as const,
    registers: [registry],
  });

  const outboxPending = new Gauge({ name: 'outbox_pending', help: 'Outbox events not yet relayed', registers: [registry] });

  if (queues) {
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        await Promise.all(
          queues.all().map(async (q) => {
            try {
              const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
              for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
            } catch {
              /* Redis down: /ready reports it; metrics stay scrapeable */
            }
          }),
        );
      },
    });
  }

  return { registry, httpDuration, jobOutcomes, outboxPending };
}

export type Metrics = ReturnType<typeof createMetrics>;
