import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { TEST_PG_URL, databaseUrl } from './env.ts';

/** A fresh database cloned from the migrated template: isolated, and fast (a file copy, no migrations). */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  // The creation time in the name lets the global setup drop only databases left behind by dead runs.
  const name = `tl_test_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const template = inject('templateDb');
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    // CREATE DATABASE … TEMPLATE fails while another session is connected to the template; retry briefly.
    for (let i = 0; ; i++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        break;
      } catch (err) {
        if (i > 20 || !String((err as Error).message).includes('being accessed')) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}
