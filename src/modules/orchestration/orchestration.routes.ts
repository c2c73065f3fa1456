import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import * as svc from './orchestration.service.ts';
import {
  ZCatalogEntry, ZEnqueueJobBody, ZJob, ZJobPage, ZJobParams, ZListJobsQuery, ZSchedule, ZScheduleParams,
} from './orchestration.schemas.ts';

/** Jobs API (admin/ops): BullMQ jobs across every queue, the job catalog, and the cron schedules. */
export const orchestrationRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['jobs'];

  app.get('/', { schema: { tags, summary: 'List jobs (filters: queue, state, name)', querystring: ZListJobsQuery, response: { 200: ZJobPage } } },
    async (req) => svc.listJobs(ctx, req.principal, req.query));

  app.post('/', { schema: { tags, summary: 'Enqueue a catalog job; the payload is validated against its schema', body: ZEnqueueJobBody, response: { 201: ZJob } } },
    async (req, reply) => reply.code(201).send(await svc.enqueueCatalogJob(ctx, req.principal, req.body)));

  app.get('/catalog', { schema: { tags, summary: 'Every job the workers know', response: { 200: z.object({ items: z.array(ZCatalogEntry) }) } } },
    async (req) => ({ items: svc.listCatalog(req.principal) }));

  app.get('/scheduled', { schema: { tags, summary: 'Every cron schedule with its state and next run', response: { 200: z.object({ items: z.array(ZSchedule) }) } } },
    async (req) => ({ items: await svc.listSchedules(ctx, req.principal) }));

  app.post('/scheduled/:name/trigger', { schema: { tags, summary: 'Run a schedule\'s job now', params: ZScheduleParams, response: { 202: ZJob } } },
    async (req, reply) => reply.code(202).send(await svc.triggerSchedule(ctx, req.principal, req.params.name)));

  app.post('/scheduled/:name/pause', { schema: { tags, summary: 'Pause a schedule: its ticks are skipped until resumed', params: ZScheduleParams, response: { 200: ZSchedule } } },
    async (req) => svc.setSchedulePaused(ctx, req.principal, req.params.name, true));

  app.post('/scheduled/:name/resume', { schema: { tags, summary: 'Resume a paused schedule', params: ZScheduleParams, response: { 200: ZSchedule } } },
    async (req) => svc.setSchedulePaused(ctx, req.principal, req.params.name, false));

  app.get('/:id', { schema: { tags, summary: 'One job, searched in every queue', params: ZJobParams, response: { 200: ZJob } } },
    async (req) => svc.getJob(ctx, req.principal, req.params.id));

  app.post('/:id/retry', { schema: { tags, summary: 'Retry a failed job', params: ZJobParams, response: { 200: ZJob } } },
    async (req) => svc.retryJob(ctx, req.principal, req.params.id));

  app.post('/:id/cancel', { schema: { tags, summary: 'Remove a waiting or delayed job', params: ZJobParams, response: { 204: z.null() } } },
    async (req, reply) => {
      await svc.cancelJob(ctx, req.principal, req.params.id);
      return reply.code(204).send(null);
    });
};
