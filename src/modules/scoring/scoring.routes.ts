import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.ts';
import { ZLeadFull, ZLeadParams } from '../leads/leads.schemas.ts';
import * as svc from './scoring.service.ts';
import { ZLeadScore, ZScoreBatchAccepted, ZScoreBatchBody, ZScorePropertyBody, ZScorePropertyResult } from './scoring.schemas.ts';

/** Scoring without storage and batch rescoring, under /api/v1/score. */
export const scoringRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['scoring'];

  app.post('/property', {
    schema: {
      tags,
      summary: 'Score and price property facts (seed 002 §3.5.1–3.5.2) without storing anything; any signed-in caller',
      body: ZScorePropertyBody,
      response: { 200: ZScorePropertyResult },
    },
  }, async (req) => svc.scoreProperty(req.principal, req.body));

  app.post('/batch', {
    schema: {
      tags,
      summary: 'Rescore leads in the background (admin/ops): ids or a filter; only changed inputs unless force',
      body: ZScoreBatchBody,
      response: { 202: ZScoreBatchAccepted },
    },
  }, async (req, reply) => reply.code(202).send(await svc.enqueueRescoreBatch(ctx, req.principal, req.body)));
};

/** The per-lead score view and publishing, under /api/v1/leads. */
export const scoringLeadRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['scoring'];

  app.get('/:id/score', {
    schema: {
      tags,
      summary: 'A lead\'s stored score and its explanation (staff, or the contractor who bought it)',
      params: ZLeadParams,
      response: { 200: ZLeadScore },
    },
  }, async (req) => svc.getLeadScore(ctx, req.principal, req.params.id));

  app.post('/:id/publish', {
    schema: {
      tags,
      summary: 'Put a scored lead (score ≥ 60, priced) on sale and notify contractors (admin/ops)',
      params: ZLeadParams,
      response: { 200: ZLeadFull },
    },
  }, async (req) => svc.publishLead(ctx, req.principal, req.params.id));
};
