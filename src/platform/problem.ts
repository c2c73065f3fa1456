import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, ERROR_STATUS } from './errors.ts';

/** RFC 9457 body. `code` is stable and documented; `detail` is human text. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  [k: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export interface ProblemInput {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
  [k: string]: unknown;
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, p: ProblemInput) {
  const body: Problem = {
    ...p,
    type: `https://tradelead.dev/problems/${p.code.toLowerCase().replaceAll('_', '-')}`,
    title: p.title ?? TITLES[p.status] ?? 'Error',
    instance: req.url,
  };
  if (p.code === 'RATE_LIMITED' && typeof p.retryAfterSeconds === 'number') reply.header('retry-after', String(p.retryAfterSeconds));
  return reply.code(p.status).type('application/problem+json').send(body);
}

/** One error handler (STYLE.md): log with method and URL, answer with the error's code, hide 5xx messages. */
export function registerProblemHandlers(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err, method: req.method, url: req.url }, err.message);
      return sendProblem(reply, req, { status: err.status, code: err.code, detail: err.message, ...(err.details ?? {}) });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const errors = err.validation.map((v) => ({
        path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      return sendProblem(reply, req, {
        status: 400,
        code: 'VALIDATION_FAILED',
        detail: `invalid ${where}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        errors,
      });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, method: req.method, url: req.url }, 'response failed its schema');
      return sendProblem(reply, req, { status: 500, code: 'INTERNAL', detail: 'internal error' });
    }
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err, method: req.method, url: req.url }, 'unhandled error');
      return sendProblem(reply, req, { status, code: status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL', detail: 'internal error' });
    }
    // Fastify's own 4xx (bad JSON, body too large, unsupported media type).
    const code = status === 400 ? 'BAD_REQUEST' : (Object.keys(ERROR_STATUS).find((k) => ERROR_STATUS[k as keyof typeof ERROR_STATUS] === status) ?? 'BAD_REQUEST');
    return sendProblem(reply, req, { status, code, detail: err.message });
  });

  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, req, { status: 404, code: 'NOT_FOUND', detail: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
}
