import { z } from 'zod';

export const ZRole = z.enum(['admin', 'ops', 'contractor']);

export const ZLoginBody = z.object({
  email: z.email().max(255),
  password: z.string().min(1).max(200),
});

export const ZTokens = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int().describe('access token lifetime in seconds'),
  tokenType: z.literal('Bearer'),
});

export const ZRefreshBody = z.object({ refreshToken: z.string().min(10).max(200) });

export const ZRegisterBody = z
  .object({
    email: z.email().max(255),
    password: z.string().min(8, 'at least 8 characters').max(200),
    role: ZRole,
    contractorId: z.uuid().optional(),
  })
  .refine((b) => b.role !== 'contractor' || !!b.contractorId, { message: 'contractorId is required for role contractor', path: ['contractorId'] })
  .refine((b) => b.role === 'contractor' || !b.contractorId, { message: 'only contractor users are bound to a contractor', path: ['contractorId'] });

export const ZUser = z.object({
  id: z.uuid(),
  email: z.string(),
  role: ZRole,
  contractorId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});

export const ZMe = z.object({
  kind: z.enum(['user', 'api_key']),
  id: z.string(),
  email: z.string().nullable(),
  role: ZRole,
  contractorId: z.uuid().nullable(),
});

export const ZCreateApiKeyBody = z
  .object({
    name: z.string().min(1).max(100),
    role: ZRole.default('ops'),
    contractorId: z.uuid().optional(),
  })
  .refine((b) => b.role !== 'contractor' || !!b.contractorId, { message: 'contractorId is required for role contractor', path: ['contractorId'] });

export const ZApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  role: ZRole,
  contractorId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});

export const ZCreatedApiKey = ZApiKey.extend({ key: z.string().describe('shown once; store it now') });

export type TLoginBody = z.infer<typeof ZLoginBody>;
export type TRegisterBody = z.infer<typeof ZRegisterBody>;
export type TCreateApiKeyBody = z.infer<typeof ZCreateApiKeyBody>;
