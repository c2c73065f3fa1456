import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AppError } from './errors.ts';

export type Role = 'admin' | 'ops' | 'contractor';

/** Who is calling. A contractor principal is bound to exactly one contractor. */
export interface Principal {
  kind: 'user' | 'api_key';
  id: string; // user id or api key id
  role: Role;
  contractorId: string | null;
  email?: string;
}

export interface AccessClaims {
  sub: string;
  role: Role;
  cid: string | null;
  email: string;
}

const ISSUER = 'tradelead';

export async function signAccessToken(secret: string, claims: AccessClaims, ttlSeconds: number): Promise<string> {
  return new SignJWT({ role: claims.role, cid: claims.cid, email: claims.email })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}

export async function verifyAccessToken(secret: string, token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    const role = payload.role as Role;
    if (!payload.sub || !['admin', 'ops', 'contractor'].includes(role)) throw new AppError('TOKEN_INVALID');
    return { sub: payload.sub, role, cid: (payload.cid as string | null) ?? null, email: String(payload.email ?? '') };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED', { message: 'access token expired' });
    throw new AppError('TOKEN_INVALID', { message: 'access token invalid' });
  }
}

/** Guards used by services and routes alike. */
export function requireRole(p: Principal | undefined, ...roles: Role[]): Principal {
  if (!p) throw new AppError('UNAUTHENTICATED', { message: 'authentication required' });
  if (!roles.includes(p.role)) throw new AppError('FORBIDDEN', { message: `requires role ${roles.join(' or ')}` });
  return p;
}

export const isStaff = (p: Principal): boolean => p.role === 'admin' || p.role === 'ops';

/** Object-level check: staff may act on any contractor; a contractor only on its own. */
export function assertContractorAccess(p: Principal, contractorId: string): void {
  if (isStaff(p)) return;
  if (p.role === 'contractor' && p.contractorId === contractorId) return;
  // 404, not 403: a contractor must not learn whether another contractor's object exists.
  throw new AppError('NOT_FOUND', { message: 'not found' });
}
