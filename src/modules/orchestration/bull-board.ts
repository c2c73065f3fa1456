import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { sendProblem } from '../../platform/problem.ts';
import type { Principal } from '../../platform/auth.ts';
import { loginUser, logoutSession, resolvePrincipal } from '../auth/auth.service.ts';

export const BULL_BOARD_PATH = '/admin/queues';
const REALM = 'Basic realm="TradeLead queues", charset="UTF-8"';
const BASIC_CACHE_MS = 60_000;

/**
 * HTTP Basic for browsers: the email/password go through the normal login (its rate limits and constant-
 * time checks), the resulting session is revoked at once, and a successful check is remembered for a
 * minute so the board's polling does not log in on every request.
 */
function basicAuthenticator(ctx: AppContext) {
  const cache = new Map<string, { principal: Principal; until: number }>();
  return async (header: string, ip: string): Promise<Principal | undefined> => {
    const key = createHash('sha256').update(header).digest('hex');
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.principal;
    cache.delete(key);
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) return undefined;
    try {
      const tokens = await loginUser(ctx, { email: decoded.slice(0, colon), password: decoded.slice(colon + 1), ip });
      await logoutSession(ctx, { refreshToken: tokens.refreshToken });
      const principal = await resolvePrincipal(ctx, { authorization: `Bearer ${tokens.accessToken}` });
      if (!principal) return undefined;
      if (cache.size > 1000) cache.clear();
      cache.set(key, { principal, until: Date.now() + BASIC_CACHE_MS });
      return principal;
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS') return undefined;
      throw err;
    }
  };
}

/**
 * Bull Board at /admin/queues, admins only. An encapsulated plugin, so its onRequest guard covers the
 * board's routes and nothing else. Accepts the API's Bearer / x-api-key principal (already resolved by
 * app.ts) or HTTP Basic credentials of an admin user; without credentials it answers 401 with
 * WWW-Authenticate so a browser prompts.
 */
export const bullBoardRoutes = (ctx: AppContext): FastifyPluginAsync => async (app) => {
  const authenticateBasic = basicAuthenticator(ctx);

  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    let principal = req.principal;
    const auth = req.headers.authorization;
    if (!principal && auth?.startsWith('Basic ')) {
      try {
        principal = await authenticateBasic(auth, req.ip);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return sendProblem(reply, req, { status: err.status, code: err.code, detail: err.message, ...(err.details ?? {}) });
      }
    }
    // Answered here rather than thrown: the board's routes carry Bull Board's own error handler.
    if (!principal) {
      reply.header('www-authenticate', REALM);
      return sendProblem(reply, req, { status: 401, code: 'UNAUTHENTICATED', detail: 'admin credentials required (Bearer token, x-api-key or HTTP Basic)' });
    }
    if (principal.role !== 'admin') return sendProblem(reply, req, { status: 403, code: 'FORBIDDEN', detail: 'the queue dashboard is for admins' });
  };
  app.addHook('onRequest', guard);

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: ctx.queues.all().map((q) => new BullMQAdapter(q)),
    // @bull-board/fastify pins its own patch release of @bull-board/api; the adapter contract is the same,
    // only the private fields of the nominal types differ.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'TradeLead queues' } },
  });
  // Replaces the board's own error handler (set by createBullBoard), which answers every error as a 500 with
  // its message: our AppErrors (e.g. an expired Bearer token from app.ts's hook) keep their status and code,
  // and 5xx messages stay hidden as everywhere else.
  // (Its HTTPStatus type lists no 401/429/503; the adapter passes any status through to reply.status.)
  type BoardStatus = 500;
  serverAdapter.setErrorHandler((err: Error & { statusCode?: number }) => {
    if (err instanceof AppError) return { status: err.status as BoardStatus, body: { code: err.code, detail: err.message } };
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) ctx.log.error({ err }, 'queue dashboard error');
    return { status: status as BoardStatus, body: { code: status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', detail: status >= 500 ? 'internal error' : err.message } };
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
};
