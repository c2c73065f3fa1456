import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { AppContext } from './platform/context.ts';
import { loggerOptions } from './platform/logger.ts';
import { registerProblemHandlers } from './platform/problem.ts';
import { openApiTransform } from './platform/openapi.ts';
import { createMetrics, type Metrics } from './platform/metrics.ts';
import type { Principal } from './platform/auth.ts';
import { hitRateLimit } from './platform/rate-limit.ts';
import { resolvePrincipal } from './modules/auth/auth.service.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { systemRoutes } from './modules/observability/observability.routes.ts';
import { contractorsRoutes } from './modules/contractors/contractors.routes.ts';
import { territoriesRoutes } from './modules/territories/territories.routes.ts';
import { orchestrationRoutes } from './modules/orchestration/orchestration.routes.ts';
import { bullBoardRoutes } from './modules/orchestration/bull-board.ts';
import { leadsRoutes } from './modules/leads/leads.routes.ts';
import { marketplaceRoutes } from './modules/marketplace/marketplace.routes.ts';
import { engagementRoutes } from './modules/engagement/engagement.routes.ts';
import { exportsRoutes } from './modules/exports/exports.routes.ts';
import { clusteringRoutes } from './modules/clustering/clustering.routes.ts';
import { scoringLeadRoutes, scoringRoutes } from './modules/scoring/scoring.routes.ts';
import { citiesRoutes } from './modules/acquisition/cities.routes.ts';
// ROUTE-IMPORTS (modules add their import above this line)

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyInstance {
    ctx: AppContext;
    metrics: Metrics;
  }
}

export interface BuildAppOptions {
  /** Logger level for this app; tests pass 'silent'. */
  logLevel?: string;
}

/**
 * The API as one plugin tree (STYLE.md, fastify/demo): external plugins, then our own, then every module's
 * routes. server.ts only listens; tests build this same app against their own database and Redis.
 */
export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(opts.logLevel ?? ctx.config.LOG_LEVEL),
    genReqId: (req) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID(),
    requestIdHeader: false,
    trustProxy: true,
    ajv: { customOptions: { coerceTypes: 'array' } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('ctx', ctx);
  app.decorate('metrics', createMetrics(ctx.queues));
  app.decorateRequest('principal', undefined);
  registerProblemHandlers(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'TradeLead API', version: '1.0.0', description: 'Scored, priced, exclusive leads for home-service contractors.' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
      security: [{ bearerAuth: [] }, { apiKey: [] }],
    },
    transform: openApiTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    req.principal = await resolvePrincipal(ctx, req.headers);
    if (req.url.startsWith('/api/')) {
      const who = req.principal ? `${req.principal.kind}:${req.principal.id}` : `ip:${req.ip}`;
      await hitRateLimit(ctx.redis, ctx.config.QUEUE_PREFIX, `api:${who}`, ctx.config.API_RATE_LIMIT_PER_MINUTE, 60);
    }
  });
  // A POST without a body (e.g. `curl -X POST …/purchase`) validates as {}: bodies whose fields are all
  // optional just work, and required fields are named in the 400 instead of "expected object, received null".
  app.addHook('preValidation', async (req) => {
    if (req.body == null && (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT')) req.body = {};
  });
  app.addHook('onResponse', async (req, reply) => {
    app.metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(systemRoutes(ctx));
  await app.register(authRoutes(ctx), { prefix: '/api/v1/auth' });
  await app.register(contractorsRoutes(ctx), { prefix: '/api/v1/contractors' });
  await app.register(territoriesRoutes(ctx), { prefix: '/api/v1/territories' });
  await app.register(orchestrationRoutes(ctx), { prefix: '/api/v1/jobs' });
  await app.register(bullBoardRoutes(ctx));
  await app.register(leadsRoutes(ctx), { prefix: '/api/v1/leads' });
  await app.register(marketplaceRoutes(ctx), { prefix: '/api/v1/leads' });
  await app.register(engagementRoutes(ctx), { prefix: '/api/v1/leads' });
  await app.register(exportsRoutes(ctx), { prefix: '/api/v1/leads' });
  await app.register(clusteringRoutes(ctx), { prefix: '/api/v1/clusters' });
  await app.register(scoringRoutes(ctx), { prefix: '/api/v1/score' });
  await app.register(scoringLeadRoutes(ctx), { prefix: '/api/v1/leads' });
  await app.register(citiesRoutes(ctx), { prefix: '/api/v1/cities' });
  // ROUTE-REGISTRATIONS (modules add their registration above this line)

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
export type { FastifyRequest };
