import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { ZLeadFull, ZLeadParams, ZLeadView } from '../leads/leads.schemas.ts';
import * as svc from './marketplace.service.ts';
import {
  ZAssignBody,
  ZConvertBody,
  ZFeedbackBody,
  ZIdempotencyHeaders,
  ZMyLeadsPage,
  ZMyLeadsQuery,
  ZPurchaseBody,
  ZRefundBody,
} from './marketplace.schemas.ts';

const path = (req: FastifyRequest) => req.url.split('?')[0] ?? req.url;

function sendIdempotent(reply: FastifyReply, r: svc.IdempotentResult<unknown>) {
  if (r.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(r.statusCode).send(r.body);
}

/** Preview, purchase, reveal, outcomes and refunds, under /api/v1/leads. */
export const marketplaceRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['marketplace'];

  // Static path: find-my-way prefers it over /:id, and /:id only matches a uuid anyway.
  app.get('/my-leads', {
    schema: { tags, summary: 'Leads the caller bought (full view), newest first; staff pass contractorId', querystring: ZMyLeadsQuery, response: { 200: ZMyLeadsPage } },
  }, async (req) => svc.listMyLeads(ctx, req.principal, req.query));

  app.get('/:id', {
    schema: { tags, summary: 'A lead: full for staff and its buyer, a preview for other contractors while it is available', params: ZLeadParams, response: { 200: ZLeadView } },
  }, async (req) => svc.viewLead(ctx, req.principal, req.params.id));

  app.post('/:id/purchase', {
    schema: {
      tags,
      summary: 'Buy a lead (Idempotency-Key required); the answer reveals the full lead',
      params: ZLeadParams,
      headers: ZIdempotencyHeaders,
      body: ZPurchaseBody,
      response: { 200: ZLeadFull },
    },
  }, async (req, reply) => sendIdempotent(reply, await svc.purchaseLead(ctx, req.principal, {
    leadId: req.params.id, idempotencyKey: req.headers['idempotency-key'], body: req.body, method: req.method, path: path(req),
  })));

  app.post('/:id/assign', {
    schema: {
      tags,
      summary: 'Assign a lead to a contractor without payment (admin/ops); Idempotency-Key optional',
      params: ZLeadParams,
      headers: ZIdempotencyHeaders,
      body: ZAssignBody,
      response: { 200: ZLeadFull },
    },
  }, async (req, reply) => sendIdempotent(reply, await svc.assignLead(ctx, req.principal, {
    leadId: req.params.id, body: req.body, idempotencyKey: req.headers['idempotency-key'], method: req.method, path: path(req),
  })));

  app.post('/:id/deliver', {
    schema: { tags, summary: 'Mark a sold lead delivered (staff or its buyer)', params: ZLeadParams, response: { 200: ZLeadFull } },
  }, async (req) => svc.deliverLead(ctx, req.principal, req.params.id));

  app.post('/:id/convert', {
    schema: { tags, summary: 'Mark a lead converted: the buyer won the job (staff or its buyer)', params: ZLeadParams, body: ZConvertBody, response: { 200: ZLeadFull } },
  }, async (req) => svc.convertLead(ctx, req.principal, req.params.id, req.body));

  app.post('/:id/refund', {
    schema: { tags, summary: 'Refund a sold or delivered lead (admin/ops)', params: ZLeadParams, body: ZRefundBody, response: { 200: ZLeadFull } },
  }, async (req) => svc.refundLead(ctx, req.principal, req.params.id, req.body));

  app.post('/:id/feedback', {
    schema: { tags, summary: 'Report outcomes of a bought lead (its buyer only); jobWon converts it', params: ZLeadParams, body: ZFeedbackBody, response: { 200: ZLeadFull } },
  }, async (req) => svc.submitFeedback(ctx, req.principal, req.params.id, req.body));
};
