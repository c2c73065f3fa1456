import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { ZPage } from '../../platform/pagination.ts';
import * as svc from './leads.service.ts';
import { generateLeads } from './lead-generation.service.ts';
import { refreshLeadEngagement } from '../engagement/engagement.service.ts';
import {
  ZCreateLeadBody,
  ZGenerateLeadsBody,
  ZGenerateLeadsResult,
  ZLeadFull,
  ZLeadParams,
  ZLeadPreview,
  ZListLeadsQuery,
  ZUpdateLeadBody,
} from './leads.schemas.ts';

/** Listing, CRUD and generation under /api/v1/leads; buying and the per-lead view are in marketplace.routes. */
export const leadsRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['leads'];

  app.get('/', {
    schema: {
      tags,
      summary: 'List leads: staff see all (status filter); a contractor sees previews of leads it may buy, best score first',
      querystring: ZListLeadsQuery,
      response: { 200: ZPage(ZLeadPreview) },
    },
  }, async (req) => svc.listLeads(ctx, req.principal, req.query));

  app.post('/', {
    schema: { tags, summary: 'Create a lead (admin/ops)', body: ZCreateLeadBody, response: { 201: ZLeadFull } },
  }, async (req, reply) => {
    const lead = await svc.createLead(ctx, req.principal, req.body);
    // seed 004 engagement is scored in the request that sets its inputs (issue 8 §3).
    await refreshLeadEngagement(ctx, lead.id);
    return reply.code(201).send(lead);
  });

  app.post('/generate', {
    schema: {
      tags,
      summary: 'Select the best sellable leads of a trade and publish the scored ones (admin/ops)',
      body: ZGenerateLeadsBody,
      response: { 200: ZGenerateLeadsResult },
    },
  }, async (req) => generateLeads(ctx, req.principal, req.body));

  app.patch('/:id', {
    schema: { tags, summary: 'Edit a lead; a status moves it through the lifecycle (admin/ops)', params: ZLeadParams, body: ZUpdateLeadBody, response: { 200: ZLeadFull } },
  }, async (req) => {
    const lead = await svc.updateLead(ctx, req.principal, req.params.id, req.body);
    await refreshLeadEngagement(ctx, lead.id);
    return lead;
  });

  app.delete('/:id', {
    schema: { tags, summary: 'Soft-delete a lead that has no buyer (admin/ops)', params: ZLeadParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await svc.deleteLead(ctx, req.principal, req.params.id);
    return reply.code(204).send(null);
  });
};
