import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.ts';
import * as svc from './exports.service.ts';
import { ZMarkSoldBody, ZMarkSoldParams, ZMarkSoldResult } from './exports.schemas.ts';

/** Under /api/v1/leads: recording a sale of an exported lead made outside the marketplace. */
export const exportsRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['exports'];

  app.post('/:id/mark-sold', {
    schema: {
      tags,
      summary: 'Record a sale made outside the marketplace (seed 001 "Mark as sold"): sold_to, sold_at, sold_price (admin/ops)',
      params: ZMarkSoldParams,
      body: ZMarkSoldBody,
      response: { 200: ZMarkSoldResult },
    },
  }, async (req) => svc.markLeadSold(ctx, req.principal, req.params.id, req.body));
};
