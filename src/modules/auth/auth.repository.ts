import type { Db } from '../../platform/db.ts';

export const findUserByEmail = (db: Db, email: string) => db.user.findUnique({ where: { email: email.toLowerCase() } });

export const findUserById = (db: Db, id: string) => db.user.findUnique({ where: { id } });

export const createUser = (db: Db, data: { email: string; passwordHash: string; role: 'admin' | 'ops' | 'contractor'; contractorId?: string | null }) =>
  db.user.create({ data: { ...data, email: data.email.toLowerCase() } });

export const touchLogin = (db: Db, id: string) => db.user.update({ where: { id }, data: { lastLoginAt: new Date() } });

export const insertRefreshToken = (db: Db, data: { userId: string; familyId: string; tokenHash: string; expiresAt: Date }) =>
  db.refreshToken.create({ data });

export const findRefreshToken = (db: Db, tokenHash: string) =>
  db.refreshToken.findUnique({ where: { tokenHash }, include: { user: true } });

/** Conditional: only an unrevoked token rotates, so two concurrent refreshes cannot both succeed. */
export const revokeRefreshToken = (db: Db, id: string, replacedById: string | null) =>
  db.refreshToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date(), replacedById } });

export const revokeFamily = (db: Db, familyId: string) =>
  db.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });

export const findApiKeyByHash = (db: Db, keyHash: string) => db.apiKey.findUnique({ where: { keyHash } });

export const createApiKey = (db: Db, data: { name: string; prefix: string; keyHash: string; role: 'admin' | 'ops' | 'contractor'; contractorId: string | null; createdByUserId: string | null }) =>
  db.apiKey.create({ data });

export const listApiKeys = (db: Db) => db.apiKey.findMany({ orderBy: { createdAt: 'desc' } });

export const revokeApiKey = (db: Db, id: string) =>
  db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });

export const touchApiKey = (db: Db, id: string) => db.apiKey.update({ where: { id }, data: { lastUsedAt: new Date() } });

