import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.ts';
import * as svc from './cities.service.ts';
import {
  ZActivateBody, ZActivateResult, ZCityDetail, ZCityPage, ZCityParams, ZCityProgress, ZDeactivateResult, ZListCitiesQuery,
} from './cities.schemas.ts';

/** Target cities (issue 4 §1): source configuration, activation of the seed 002 §6.2 workflow and its progress. */
export const citiesRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['cities'];

  app.get('/', { schema: { tags, summary: 'List target cities (admin/ops); filters: state, tier, active, configured', querystring: ZListCitiesQuery, response: { 200: ZCityPage } } },
    async (req) => svc.listCities(ctx, req.principal, req.query));

  app.get('/:state/:city', { schema: { tags, summary: 'One city with its full source configuration (admin/ops)', params: ZCityParams, response: { 200: ZCityDetail } } },
    async (req) => svc.getCity(ctx, req.principal, req.params));

  app.post('/:state/:city/activate', {
    schema: {
      tags,
      summary: 'Activate a city (admin): starts the initial permit scrape and storm backfill; 200 when already active',
      params: ZCityParams,
      body: ZActivateBody,
      response: { 200: ZActivateResult, 202: ZActivateResult },
    },
  }, async (req, reply) => {
    const r = await svc.activateCity(ctx, req.principal, { ...req.params, ...req.body });
    return reply.code(r.alreadyActive ? 200 : 202).send(r);
  });

  app.post('/:state/:city/deactivate', { schema: { tags, summary: 'Deactivate a city (admin); idempotent', params: ZCityParams, response: { 200: ZDeactivateResult } } },
    async (req) => svc.deactivateCity(ctx, req.principal, req.params));

  app.get('/:state/:city/progress', { schema: { tags, summary: 'Seed 002 §6.2 activation workflow progress and city totals (admin/ops)', params: ZCityParams, response: { 200: ZCityProgress } } },
    async (req) => svc.getCityProgress(ctx, req.principal, req.params));
};
