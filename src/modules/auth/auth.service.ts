import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { hashPassword, randomToken, sha256, verifyPassword } from '../../platform/crypto.ts';
import { requireRole, signAccessToken, verifyAccessToken, type Principal, type Role } from '../../platform/auth.ts';
import { hitRateLimit } from '../../platform/rate-limit.ts';
import { isUniqueViolation } from '../../platform/db.ts';
import * as repo from './auth.repository.ts';
import type { TCreateApiKeyBody, TLoginBody, TRegisterBody } from './auth.schemas.ts';

const API_KEY_PREFIX = 'tl_';
/** A dummy hash so a login for an unknown email costs the same as a wrong password (no user enumeration). */
let dummyHash: Promise<string> | undefined;

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

async function issueTokens(ctx: AppContext, user: { id: string; email: string; role: Role; contractorId: string | null }, familyId: string) {
  const { JWT_SECRET, JWT_ACCESS_TTL_SECONDS, JWT_REFRESH_TTL_SECONDS } = ctx.config;
  const refreshToken = randomToken();
  const row = await repo.insertRefreshToken(ctx.db.prisma, {
    userId: user.id,
    familyId,
    tokenHash: sha256(refreshToken),
    expiresAt: new Date(Date.now() + JWT_REFRESH_TTL_SECONDS * 1000),
  });
  const accessToken = await signAccessToken(JWT_SECRET, { sub: user.id, role: user.role, cid: user.contractorId, email: user.email }, JWT_ACCESS_TTL_SECONDS);
  return { tokens: { accessToken, refreshToken, expiresIn: JWT_ACCESS_TTL_SECONDS, tokenType: 'Bearer' as const }, rowId: row.id };
}

export async function loginUser(ctx: AppContext, opts: TLoginBody & { ip: string }): Promise<Tokens> {
  const email = opts.email.toLowerCase();
  const limit = ctx.config.LOGIN_RATE_LIMIT_PER_MINUTE;
  await hitRateLimit(ctx.redis, ctx.config.QUEUE_PREFIX, `login:ip:${opts.ip}`, limit * 5, 60);
  await hitRateLimit(ctx.redis, ctx.config.QUEUE_PREFIX, `login:email:${email}`, limit, 60);
  const user = await repo.findUserByEmail(ctx.db.prisma, email);
  if (!user) {
    dummyHash ??= hashPassword('not-a-real-password');
    await verifyPassword(opts.password, await dummyHash);
    throw new AppError('INVALID_CREDENTIALS', { message: 'email or password is wrong' });
  }
  if (!(await verifyPassword(opts.password, user.passwordHash)) || user.disabledAt) {
    throw new AppError('INVALID_CREDENTIALS', { message: 'email or password is wrong' });
  }
  await repo.touchLogin(ctx.db.prisma, user.id);
  return (await issueTokens(ctx, user, randomUUID())).tokens;
}

/**
 * Rotating refresh tokens: each use revokes the presented token and issues a new one in the same family.
 * Presenting an already-rotated token means it leaked: the whole family is revoked.
 */
export async function refreshSession(ctx: AppContext, opts: { refreshToken: string }): Promise<Tokens> {
  const row = await repo.findRefreshToken(ctx.db.prisma, sha256(opts.refreshToken));
  if (!row) throw new AppError('TOKEN_INVALID', { message: 'refresh token not recognised' });
  if (row.revokedAt) {
    await repo.revokeFamily(ctx.db.prisma, row.familyId);
    ctx.log.warn({ userId: row.userId, familyId: row.familyId }, 'refresh token reuse: family revoked');
    throw new AppError('REFRESH_TOKEN_REUSED', { message: 'refresh token was already used; sign in again' });
  }
  if (row.expiresAt < new Date()) throw new AppError('TOKEN_EXPIRED', { message: 'refresh token expired' });
  if (row.user.disabledAt) throw new AppError('TOKEN_INVALID', { message: 'user disabled' });
  const next = await issueTokens(ctx, row.user, row.familyId);
  const rotated = await repo.revokeRefreshToken(ctx.db.prisma, row.id, next.rowId);
  if (rotated.count === 0) {
    // Lost a race with another refresh of the same token: that is reuse too.
    await repo.revokeFamily(ctx.db.prisma, row.familyId);
    throw new AppError('REFRESH_TOKEN_REUSED', { message: 'refresh token was already used; sign in again' });
  }
  return next.tokens;
}

export async function logoutSession(ctx: AppContext, opts: { refreshToken: string }): Promise<void> {
  const row = await repo.findRefreshToken(ctx.db.prisma, sha256(opts.refreshToken));
  if (row) await repo.revokeFamily(ctx.db.prisma, row.familyId);
}

export async function registerUser(ctx: AppContext, principal: Principal | undefined, body: TRegisterBody) {
  requireRole(principal, 'admin');
  try {
    return await repo.createUser(ctx.db.prisma, {
      email: body.email,
      passwordHash: await hashPassword(body.password),
      role: body.role,
      contractorId: body.contractorId ?? null,
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('EMAIL_TAKEN', { message: `a user with email ${body.email} exists` });
    if ((err as { code?: string }).code === 'P2003') throw new AppError('CONTRACTOR_NOT_FOUND', { message: `contractor ${body.contractorId} not found` });
    throw err;
  }
}

/** Creates or updates a user with a known password (seed, demo, first admin). Idempotent. */
export async function ensureUser(ctx: AppContext, opts: { email: string; password: string; role: Role; contractorId?: string | null }) {
  const passwordHash = await hashPassword(opts.password);
  const email = opts.email.toLowerCase();
  return ctx.db.prisma.user.upsert({
    where: { email },
    create: { email, passwordHash, role: opts.role, contractorId: opts.contractorId ?? null },
    update: { passwordHash, role: opts.role, contractorId: opts.contractorId ?? null, disabledAt: null },
  });
}

export async function createApiKey(ctx: AppContext, principal: Principal | undefined, body: TCreateApiKeyBody) {
  const p = requireRole(principal, 'admin');
  const secret = randomToken(24);
  const prefix = secret.slice(0, 8);
  const key = `${API_KEY_PREFIX}${secret}`;
  try {
    const row = await repo.createApiKey(ctx.db.prisma, {
      name: body.name,
      prefix: `${API_KEY_PREFIX}${prefix}`,
      keyHash: sha256(key),
      role: body.role,
      contractorId: body.role === 'contractor' ? (body.contractorId ?? null) : null,
      createdByUserId: p.kind === 'user' ? p.id : null,
    });
    return { row, key };
  } catch (err) {
    if ((err as { code?: string }).code === 'P2003') throw new AppError('CONTRACTOR_NOT_FOUND', { message: `contractor ${body.contractorId} not found` });
    throw err;
  }
}

export async function listApiKeys(ctx: AppContext, principal: Principal | undefined) {
  requireRole(principal, 'admin');
  return repo.listApiKeys(ctx.db.prisma);
}

export async function revokeApiKey(ctx: AppContext, principal: Principal | undefined, id: string) {
  requireRole(principal, 'admin');
  const r = await repo.revokeApiKey(ctx.db.prisma, id);
  if (r.count === 0) throw new AppError('NOT_FOUND', { message: `no active api key ${id}` });
}

/** Reads the caller from `Authorization: Bearer <jwt|tl_key>` or `X-API-Key`. No credentials → undefined. */
export async function resolvePrincipal(ctx: AppContext, headers: IncomingHttpHeaders): Promise<Principal | undefined> {
  const auth = headers.authorization;
  const headerKey = headers['x-api-key'];
  let token: string | undefined;
  if (typeof headerKey === 'string' && headerKey) token = headerKey;
  else if (auth?.startsWith('Bearer ')) token = auth.slice(7).trim();
  if (!token) return undefined;

  if (token.startsWith(API_KEY_PREFIX)) {
    const row = await repo.findApiKeyByHash(ctx.db.prisma, sha256(token));
    if (!row || row.revokedAt) throw new AppError('TOKEN_INVALID', { message: 'api key invalid or revoked' });
    // last_used_at is informational: update at most once a minute per key.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) void repo.touchApiKey(ctx.db.prisma, row.id).catch(() => {});
    return { kind: 'api_key', id: row.id, role: row.role, contractorId: row.contractorId };
  }
  const claims = await verifyAccessToken(ctx.config.JWT_SECRET, token);
  return { kind: 'user', id: claims.sub, role: claims.role, contractorId: claims.cid, email: claims.email };
}

export async function describePrincipal(ctx: AppContext, principal: Principal | undefined) {
  if (!principal) throw new AppError('UNAUTHENTICATED', { message: 'authentication required' });
  return {
    kind: principal.kind,
    id: principal.id,
    email: principal.kind === 'user' ? ((await repo.findUserById(ctx.db.prisma, principal.id))?.email ?? principal.email ?? null) : null,
    role: principal.role,
    contractorId: principal.contractorId,
  };
}
