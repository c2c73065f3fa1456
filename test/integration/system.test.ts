import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

describe('system endpoints', () => {
  it('/health is always ok', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json().status).toBe('ok');
  });

  it('/ready checks PostgreSQL and Redis', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/ready' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true }, redis: { ok: true } } });
  });

  it('/ready answers 503 naming the failed dependency', async () => {
    const broken = await createHarness({ REDIS_URL: 'redis://127.0.0.1:1' }).catch((e) => e);
    // Building the harness logs in through Redis-backed rate limiting, which fails open; so it works.
    expect(broken).not.toBeInstanceOf(Error);
    const r = await broken.app.inject({ method: 'GET', url: '/ready' });
    expect(r.statusCode).toBe(503);
    expect(r.json().status).toBe('not_ready');
    expect(r.json().checks.database.ok).toBe(true);
    expect(r.json().checks.redis.ok).toBe(false);
    await broken.app.close();
    await broken.ctx.db.close();
    broken.ctx.redis.disconnect();
  });

  it('/metrics exposes the HTTP latency histogram and queue gauges', async () => {
    await h.app.inject({ method: 'GET', url: '/health' });
    const r = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('http_request_duration_seconds_bucket');
    expect(r.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/);
    expect(r.body).toContain('queue_jobs');
    expect(r.body).toContain('job_outcomes_total');
  });

  it('serves the OpenAPI document with every route and Swagger UI', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/auth/me', '/health', '/ready']));
    const ui = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('names paths without a trailing slash and documents the problem+json errors of every API operation (issue 8 §6)', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const paths = Object.keys(doc.paths);
    expect(paths.filter((p) => p.length > 1 && p.endsWith('/'))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/leads', '/api/v1/contractors', '/api/v1/clusters', '/api/v1/cities', '/api/v1/jobs']));
    const ops = Object.entries<Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>(doc.paths)
      .filter(([p]) => p.startsWith('/api/'))
      .flatMap(([p, o]) => Object.entries(o).map(([m, op]) => ({ p, m, codes: Object.keys(op.responses), op })));
    expect(ops.length).toBeGreaterThan(50);
    for (const { p, m, codes, op } of ops) {
      expect({ op: `${m} ${p}`, has429: codes.includes('429') }).toEqual({ op: `${m} ${p}`, has429: true });
      expect(op.responses['429']!.content).toHaveProperty(['application/problem+json']);
    }
    const codesOf = (p: string, m: string) => Object.keys(doc.paths[p][m].responses).sort();
    expect(codesOf('/api/v1/leads/{id}/purchase', 'post')).toEqual(['200', '400', '401', '403', '404', '409', '429']);
    expect(codesOf('/api/v1/auth/login', 'post')).toEqual(['200', '400', '401', '429']);
    expect(codesOf('/api/v1/leads', 'get')).toEqual(['200', '400', '401', '403', '429']);
    const wrong = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody@x.test', password: 'wrong-password' } });
    expect([wrong.statusCode, wrong.headers['content-type']]).toEqual([401, expect.stringContaining('application/problem+json')]);
    // The documented form is served: a collection without the slash.
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/leads', headers: h.adminAuth })).statusCode).toBe(200);
  });

  it('unknown routes and malformed JSON are problem+json with stable codes', async () => {
    const nf = await h.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(nf.statusCode).toBe(404);
    expect(nf.headers['content-type']).toContain('application/problem+json');
    expect(nf.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', instance: '/api/v1/nope' });

    const bad = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('BAD_REQUEST');

    const invalid = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'not-an-email', password: 'x' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('VALIDATION_FAILED');
    expect(invalid.json().errors[0].path).toContain('email');
  });

  it('echoes a request id', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers['x-request-id']).toBe('abc-123');
  });
});

describe('request bodies', () => {
  it('a POST without a body validates as {} and names the missing fields', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login' });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('VALIDATION_FAILED');
    expect(r.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.email', 'body.password']);
    expect(r.json().detail).toMatch(/^invalid body: body\.(email|password): /);
  });
});
