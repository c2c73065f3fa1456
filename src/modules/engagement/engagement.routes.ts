import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.ts';
import { ZLeadParams } from '../leads/leads.schemas.ts';
import { getLeadEngagement, recordLeadEvent } from './engagement.service.ts';
import { getLeadPipeline } from './pipeline.service.ts';
import { ZEngagement, ZPipeline, ZRecordEventBody, ZRecordEventResult } from './engagement.schemas.ts';

/** Per-lead signals under /api/v1/leads: homeowner engagement (seed 004) and the sale's pipeline health (seed 003). */
export const engagementRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['scoring'];

  app.post('/:id/events', {
    schema: {
      tags,
      summary: 'Record a homeowner interaction and rescore engagement at once (staff, ops API keys, or the lead\'s buyer)',
      params: ZLeadParams,
      body: ZRecordEventBody,
      response: { 201: ZRecordEventResult },
    },
  }, async (req, reply) => reply.code(201).send(await recordLeadEvent(ctx, req.principal, req.params.id, req.body)));

  app.get('/:id/engagement', {
    schema: {
      tags,
      summary: 'Engagement score and temperature as of now, with counters and every part (staff or the lead\'s buyer)',
      params: ZLeadParams,
      response: { 200: ZEngagement },
    },
  }, async (req) => getLeadEngagement(ctx, req.principal, req.params.id));

  app.get('/:id/pipeline', {
    schema: {
      tags,
      summary: 'Pipeline health of the lead\'s live sale: the nine seed 003 metrics with an explanation (staff or the buyer)',
      params: ZLeadParams,
      response: { 200: ZPipeline },
    },
  }, async (req) => getLeadPipeline(ctx, req.principal, req.params.id));
};
