import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * First run on a fresh clone: create .env from .env.example with freshly generated secrets, so the demo
 * works out of the box without shipping usable keys. An existing .env is never touched.
 */
export function ensureEnvFile(path = '.env', example = '.env.example'): boolean {
  if (existsSync(path) || !existsSync(example)) return false;
  const secret = () => randomBytes(32).toString('hex');
  const text = readFileSync(example, 'utf8')
    .replace(/^JWT_SECRET=.*$/m, `JWT_SECRET=${randomBytes(32).toString('base64url')}`)
    .replace(/^DATA_ENCRYPTION_KEY=.*$/m, `DATA_ENCRYPTION_KEY=${secret()}`)
    .replace(/^BLIND_INDEX_KEY=.*$/m, `BLIND_INDEX_KEY=${secret()}`);
  writeFileSync(path, text, { mode: 0o600 });
  return true;
}
