import { defineConfig } from 'vitest/config';

// Test-only secrets; real deployments set their own (see .env.example).
const TEST_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
  DATA_ENCRYPTION_KEY: '0'.repeat(62) + '01',
  BLIND_INDEX_KEY: '0'.repeat(62) + '02',
  CRON_ENABLED: 'false',
};

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    env: TEST_ENV,
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
  },
});
