import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** Runs an entry point from an empty directory (no .env to pick up) with exactly the given environment. */
function start(entry: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(root, entry)], {
    cwd: mkdtempSync(path.join(tmpdir(), 'tl-config-')),
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(root, 'node_modules'), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('start-up configuration', () => {
  it('the API refuses to start without required variables and names each one', () => {
    const r = start('src/server.ts', { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('Invalid configuration');
    for (const v of ['DATABASE_URL', 'JWT_SECRET', 'DATA_ENCRYPTION_KEY', 'BLIND_INDEX_KEY']) expect(r.stderr).toContain(`${v} is required`);
  });

  it('names a malformed variable and why', () => {
    const r = start('src/server.ts', {
      DATABASE_URL: 'postgresql://x@127.0.0.1/db',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JWT_SECRET: 'x'.repeat(40),
      DATA_ENCRYPTION_KEY: 'not-a-key',
      BLIND_INDEX_KEY: 'b'.repeat(64),
      PORT: '99999',
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/DATA_ENCRYPTION_KEY: must be 32 bytes/);
    expect(r.stderr).toMatch(/PORT: /);
    expect(r.stderr).not.toContain('BLIND_INDEX_KEY');
  });
});
