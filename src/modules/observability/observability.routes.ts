import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { checkReadiness } from './observability.service.ts';

const ZCheck = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });

export const systemRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['system'];
  app.get('/health', { schema: { tags, summary: 'Liveness', security: [], response: { 200: z.object({ status: z.literal('ok'), uptimeSeconds: z.number() }) } } },
    async () => ({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }));

  app.get('/ready', {
    schema: {
      tags, summary: 'Readiness: PostgreSQL and Redis reachable', security: [],
      response: { 200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), ZCheck) }), 503: z.object({ status: z.literal('not_ready'), checks: z.record(z.string(), ZCheck) }) },
    },
  }, async (_req, reply) => {
    const r = await checkReadiness(ctx);
    return r.ok ? { status: 'ready' as const, checks: r.checks } : reply.code(503).send({ status: 'not_ready' as const, checks: r.checks });
  });

  app.get('/metrics', { schema: { tags, summary: 'Prometheus metrics', security: [], hide: false } }, async (_req, reply) => {
    const body = await app.metrics.registry.metrics();
    return reply.type(app.metrics.registry.contentType).send(body);
  });
};
