import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import * as svc from './auth.service.ts';
import { ZApiKey, ZCreateApiKeyBody, ZCreatedApiKey, ZLoginBody, ZMe, ZRefreshBody, ZRegisterBody, ZTokens, ZUser } from './auth.schemas.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const apiKeyOut = (k: { id: string; name: string; prefix: string; role: 'admin' | 'ops' | 'contractor'; contractorId: string | null; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) => ({
  id: k.id, name: k.name, prefix: k.prefix, role: k.role, contractorId: k.contractorId,
  createdAt: k.createdAt.toISOString(), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt),
});

export const authRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['auth'];

  app.post('/login', { schema: { tags, summary: 'Sign in with email and password', security: [], body: ZLoginBody, response: { 200: ZTokens } } },
    async (req) => svc.loginUser(ctx, { ...req.body, ip: req.ip }));

  app.post('/refresh', { schema: { tags, summary: 'Rotate a refresh token', security: [], body: ZRefreshBody, response: { 200: ZTokens } } },
    async (req) => svc.refreshSession(ctx, req.body));

  app.post('/logout', { schema: { tags, summary: 'Revoke the session (the refresh token family)', security: [], body: ZRefreshBody, response: { 204: z.null() } } },
    async (req, reply) => {
      await svc.logoutSession(ctx, req.body);
      return reply.code(204).send(null);
    });

  app.get('/me', { schema: { tags, summary: 'The caller', response: { 200: ZMe } } }, async (req) => svc.describePrincipal(ctx, req.principal));

  app.post('/register', { schema: { tags, summary: 'Create a user (admin)', body: ZRegisterBody, response: { 201: ZUser } } },
    async (req, reply) => {
      const u = await svc.registerUser(ctx, req.principal, req.body);
      return reply.code(201).send({ id: u.id, email: u.email, role: u.role, contractorId: u.contractorId, createdAt: u.createdAt.toISOString() });
    });

  app.post('/api-keys', { schema: { tags, summary: 'Create an API key (admin); the key is shown once', body: ZCreateApiKeyBody, response: { 201: ZCreatedApiKey } } },
    async (req, reply) => {
      const { row, key } = await svc.createApiKey(ctx, req.principal, req.body);
      return reply.code(201).send({ ...apiKeyOut(row), key });
    });

  app.get('/api-keys', { schema: { tags, summary: 'List API keys (admin)', response: { 200: z.object({ items: z.array(ZApiKey) }) } } },
    async (req) => ({ items: (await svc.listApiKeys(ctx, req.principal)).map(apiKeyOut) }));

  app.delete('/api-keys/:id', { schema: { tags, summary: 'Revoke an API key (admin)', params: z.object({ id: z.uuid() }), response: { 204: z.null() } } },
    async (req, reply) => {
      await svc.revokeApiKey(ctx, req.principal, req.params.id);
      return reply.code(204).send(null);
    });
};
