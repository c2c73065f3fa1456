import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { ensureUser } from '../../src/modules/auth/auth.service.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: '5' });
});
afterAll(async () => h?.close());

const login = (email: string, password: string) =>
  h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

describe('auth', () => {
  it('logs in with the documented response shape and reads /me', async () => {
    const res = await login('admin@test.local', 'password123');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    expect(body.expiresIn).toBe(900);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.accessToken}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'user', email: 'admin@test.local', role: 'admin', contractorId: null });
  });

  it('rejects a wrong password and an unknown email the same way', async () => {
    const a = await login('admin@test.local', 'nope-nope');
    const b = await login('nobody@test.local', 'nope-nope');
    for (const r of [a, b]) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('answers 401 problem+json without or with a bad token', async () => {
    const none = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('UNAUTHENTICATED');
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: 'Bearer abc.def.ghi' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe('TOKEN_INVALID');
  });

  it('rotates refresh tokens and revokes the family when a rotated token is reused', async () => {
    const first = (await login('admin@test.local', 'password123')).json();
    const r1 = await h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: first.refreshToken } });
    expect(r1.statusCode).toBe(200);
    const second = r1.json();
    expect(second.refreshToken).not.toBe(first.refreshToken);

    // Reusing the rotated token is treated as theft: 401, and the new token dies with its family.
    const reuse = await h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: first.refreshToken } });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().code).toBe('REFRESH_TOKEN_REUSED');
    const after = await h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: second.refreshToken } });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('REFRESH_TOKEN_REUSED');
  });

  it('logout revokes the session', async () => {
    const t = (await login('admin@test.local', 'password123')).json();
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', payload: { refreshToken: t.refreshToken } });
    expect(out.statusCode).toBe(204);
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: t.refreshToken } });
    expect(r.statusCode).toBe(401);
  });

  it('register: admin only, validates role binding, rejects duplicates', async () => {
    const ok = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: h.adminAuth, payload: { email: 'Ops@Test.local', password: 'password123', role: 'ops' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ email: 'ops@test.local', role: 'ops', contractorId: null });

    const dup = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: h.adminAuth, payload: { email: 'ops@test.local', password: 'password123', role: 'ops' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('EMAIL_TAKEN');

    const unbound = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: h.adminAuth, payload: { email: 'c@test.local', password: 'password123', role: 'contractor' } });
    expect(unbound.statusCode).toBe(400);
    expect(unbound.json().code).toBe('VALIDATION_FAILED');
    expect(unbound.json().detail).toContain('contractorId');

    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: h.adminAuth, payload: { email: 'c@test.local', password: 'password123', role: 'contractor', contractorId: '00000000-0000-4000-8000-000000000000' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('CONTRACTOR_NOT_FOUND');

    const opsAuth = await h.login('ops@test.local');
    const byOps = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: opsAuth, payload: { email: 'x@test.local', password: 'password123', role: 'ops' } });
    expect(byOps.statusCode).toBe(403);
    expect(byOps.json().code).toBe('FORBIDDEN');
  });

  it('api keys: shown once, stored hashed, usable, revocable', async () => {
    const created = await h.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: h.adminAuth, payload: { name: 'crm sync', role: 'ops' } });
    expect(created.statusCode).toBe(201);
    const { key, id, prefix } = created.json();
    expect(key.startsWith('tl_')).toBe(true);
    expect(key.startsWith(prefix)).toBe(true);

    const row = await h.ctx.db.pool.query('SELECT * FROM api_keys WHERE id = $1', [id]);
    expect(JSON.stringify(row.rows[0])).not.toContain(key);

    const me = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': key } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'api_key', id, role: 'ops' });
    const bearer = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${key}` } });
    expect(bearer.statusCode).toBe(200);

    const list = await h.app.inject({ method: 'GET', url: '/api/v1/auth/api-keys', headers: h.adminAuth });
    expect(list.json().items.some((k: { id: string; key?: string }) => k.id === id && k.key === undefined)).toBe(true);

    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${id}`, headers: h.adminAuth })).statusCode).toBe(204);
    const revoked = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': key } });
    expect(revoked.statusCode).toBe(401);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/auth/api-keys/${id}`, headers: h.adminAuth })).statusCode).toBe(404);
  });

  it('rate-limits logins per email', async () => {
    await ensureUser(h.ctx, { email: 'limited@test.local', password: 'password123', role: 'ops' });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await login('limited@test.local', 'wrong-password')).statusCode);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429]);
    const res = await login('limited@test.local', 'password123');
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('RATE_LIMITED');
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('never logs passwords: the request log redacts them', async () => {
    const { REDACT_PATHS } = await import('../../src/platform/logger.ts');
    expect(REDACT_PATHS).toContain('password');
    expect(REDACT_PATHS).toContain('*.ownerEmail');
  });
});
