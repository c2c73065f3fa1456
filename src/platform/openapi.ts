import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document's shape of every route, on top of fastify-type-provider-zod's transform:
 *   - paths have no trailing slash: a module's collection route is registered as `/` under its prefix
 *     (`/api/v1/leads/`), which Fastify also serves without the slash; the document names the canonical form;
 *   - every operation documents the problem+json (RFC 9457) errors it can answer, so a generated client knows
 *     their shape (issue 8 §6). Which apply is decided from the route, the same way the app behaves: 400 when it
 *     validates params, query, headers or a body; 401/403 unless it is public (`security: []`); 404 when it has
 *     path params; 409 when it changes state; 429 on every /api route (the per-principal rate limit).
 * Documentation only: responses are still serialized by each route's own schemas.
 */

const PROBLEM_SCHEMA = {
  type: 'object',
  description: "RFC 9457 problem details; `code` is stable (src/platform/errors.ts lists every code and its status)",
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', examples: ['VALIDATION_FAILED', 'LEAD_NOT_FOUND'] },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  additionalProperties: true,
} as const;

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request (VALIDATION_FAILED and other input errors)',
  401: 'Not signed in, or the token or API key is invalid',
  403: 'Signed in, but not allowed (role, tier, exclusivity)',
  404: 'Not found, or not visible to the caller',
  409: 'Conflicts with the current state (INVALID_TRANSITION, LEAD_ALREADY_SOLD, TERRITORY_TAKEN, …)',
  429: 'Rate limited (RATE_LIMITED, with Retry-After)',
};

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

/** Public routes whose errors the rule below cannot infer: signing in answers 401 for bad credentials, never 409. */
const EXPLICIT: Readonly<Record<string, readonly number[]>> = {
  'POST /api/v1/auth/login': [400, 401, 429],
  'POST /api/v1/auth/refresh': [400, 401, 429],
  'POST /api/v1/auth/logout': [400, 429],
};

export function errorStatusesFor(o: { url: string; method: string | string[]; schema: Record<string, unknown> }): number[] {
  const s = o.schema;
  const explicit = EXPLICIT[`${(Array.isArray(o.method) ? o.method[0]! : o.method).toUpperCase()} ${o.url}`];
  if (explicit) return [...explicit];
  const methods = (Array.isArray(o.method) ? o.method : [o.method]).map((m) => m.toUpperCase());
  const codes = new Set<number>();
  if (s.body || s.querystring || s.params || s.headers) codes.add(400);
  const isPublic = Array.isArray(s.security) && s.security.length === 0;
  if (!isPublic) {
    codes.add(401);
    codes.add(403);
  }
  if (s.params || /:\w+/.test(o.url)) codes.add(404);
  if (methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH' || m === 'DELETE')) codes.add(409);
  if (o.url.startsWith('/api/')) codes.add(429);
  return [...codes].sort((a, b) => a - b);
}

export function openApiTransform(input: TransformInput) {
  const out = jsonSchemaTransform(input);
  const url = out.url.length > 1 ? out.url.replace(/\/+$/, '') : out.url;
  const schema = { ...(out.schema as Record<string, unknown>) };
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  for (const code of errorStatusesFor({ url, method: input.route.method, schema: input.schema as Record<string, unknown> })) {
    if (response[code] === undefined) {
      response[code] = { description: DESCRIPTIONS[code], content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } } };
    }
  }
  schema.response = response;
  return { schema, url };
}
