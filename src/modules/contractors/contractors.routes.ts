import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { ZPage } from '../../platform/pagination.ts';
import * as svc from './contractors.service.ts';
import * as territories from '../territories/territories.service.ts';
import { ZContractor, ZContractorParams, ZCreateContractorBody, ZListContractorsQuery, ZUpdateContractorBody } from './contractors.schemas.ts';
import { ZAssignTerritoryBody, ZListTerritoriesQuery, ZTerritory, ZTerritoryParams } from '../territories/territories.schemas.ts';

export const contractorsRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['contractors'];

  app.get('/', { schema: { tags, summary: 'List contractors (a contractor sees only itself)', querystring: ZListContractorsQuery, response: { 200: ZPage(ZContractor) } } },
    async (req) => svc.listContractors(ctx, req.principal, req.query));

  app.post('/', { schema: { tags, summary: 'Sign up a contractor on a subscription tier (admin/ops)', body: ZCreateContractorBody, response: { 201: ZContractor } } },
    async (req, reply) => reply.code(201).send(await svc.createContractor(ctx, req.principal, req.body)));

  app.get('/:id', { schema: { tags, summary: 'One contractor', params: ZContractorParams, response: { 200: ZContractor } } },
    async (req) => svc.getContractor(ctx, req.principal, req.params.id));

  app.patch('/:id', { schema: { tags, summary: 'Update a contractor (a contractor: only its phone, website, ownerName)', params: ZContractorParams, body: ZUpdateContractorBody, response: { 200: ZContractor } } },
    async (req) => svc.updateContractor(ctx, req.principal, req.params.id, req.body));

  app.post('/:id/score', { schema: { tags, summary: 'Recompute and store the seed 002 §3.6.3 contractor scores (admin/ops)', params: ZContractorParams, response: { 200: ZContractor } } },
    async (req) => svc.scoreContractorNow(ctx, req.principal, req.params.id));

  app.delete('/:id', { schema: { tags, summary: 'Cancel a contractor (soft delete; revokes its territories)', params: ZContractorParams, response: { 204: z.null() } } },
    async (req, reply) => {
      await svc.deleteContractor(ctx, req.principal, req.params.id);
      return reply.code(204).send(null);
    });

  const ttags = ['territories'];

  app.post('/:id/territories', { schema: { tags: ttags, summary: 'Assign a ZIP + trade territory (admin/ops)', params: ZContractorParams, body: ZAssignTerritoryBody, response: { 201: ZTerritory } } },
    async (req, reply) => reply.code(201).send(await territories.assignTerritory(ctx, req.principal, { ...req.body, contractorId: req.params.id })));

  app.get('/:id/territories', { schema: { tags: ttags, summary: "A contractor's territories", params: ZContractorParams, querystring: ZListTerritoriesQuery, response: { 200: ZPage(ZTerritory) } } },
    async (req) => territories.listContractorTerritories(ctx, req.principal, { contractorId: req.params.id, ...req.query }));

  app.delete('/:id/territories/:territoryId', { schema: { tags: ttags, summary: 'Revoke a territory (admin/ops)', params: ZTerritoryParams, response: { 204: z.null() } } },
    async (req, reply) => {
      await territories.revokeTerritory(ctx, req.principal, { contractorId: req.params.id, territoryId: req.params.territoryId });
      return reply.code(204).send(null);
    });
};
