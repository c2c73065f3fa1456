import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.ts';
import * as svc from './territories.service.ts';
import { ZAvailability, ZAvailableQuery } from './territories.schemas.ts';

export const territoriesRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['territories'];

  app.get('/available', { schema: { tags, summary: 'Which ZIPs have no active exclusive claim for a trade', querystring: ZAvailableQuery, response: { 200: ZAvailability } } },
    async (req) => svc.findAvailableZips(ctx, req.principal, req.query));
};
