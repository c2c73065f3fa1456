import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';

const valid = {
  DATABASE_URL: 'postgresql://u@localhost/db',
  REDIS_URL: 'redis://localhost:6379',
  JWT_SECRET: 'x'.repeat(32),
  DATA_ENCRYPTION_KEY: 'a'.repeat(64),
  BLIND_INDEX_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('config', () => {
  it('parses a valid environment with defaults', () => {
    const c = parseConfig(valid);
    expect(c.PORT).toBe(3000);
    expect(c.PRIORITY_ACCESS_HOURS).toBe(2);
    expect(c.CRON_ENABLED).toBe(true);
    expect(c.WORKER_QUEUES).toBeUndefined();
  });

  it('splits WORKER_QUEUES and coerces numbers and booleans', () => {
    const c = parseConfig({ ...valid, WORKER_QUEUES: 'inference, scoring', PORT: '8080', CRON_ENABLED: 'false' });
    expect(c.WORKER_QUEUES).toEqual(['inference', 'scoring']);
    expect(c.PORT).toBe(8080);
    expect(c.CRON_ENABLED).toBe(false);
  });

  it('names every missing variable', () => {
    try {
      parseConfig({ REDIS_URL: valid.REDIS_URL });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      for (const v of ['DATABASE_URL is required', 'JWT_SECRET is required', 'DATA_ENCRYPTION_KEY is required', 'BLIND_INDEX_KEY is required']) {
        expect(msg).toContain(v);
      }
      expect(msg).not.toContain('REDIS_URL');
    }
  });

  it('names malformed variables with the reason', () => {
    expect(() => parseConfig({ ...valid, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseConfig({ ...valid, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: must be at least 32 characters/);
    expect(() => parseConfig({ ...valid, DATA_ENCRYPTION_KEY: 'abc' })).toThrow(/DATA_ENCRYPTION_KEY: must be 32 bytes/);
    expect(() => parseConfig({ ...valid, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/);
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ ...valid, PORT: '' }).PORT).toBe(3000);
  });
});
