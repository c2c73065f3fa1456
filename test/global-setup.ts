import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { listMigrations, migrate } from '../src/platform/migrations.ts';
import { ensureServices } from '../scripts/lib/services.ts';
import { TEST_PG_URL, TEST_REDIS_URL, databaseUrl } from './helpers/env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/**
 * Once per run: install (as root) and start PostgreSQL/PostGIS, Redis and Chromium if needed, then build a migrated template database named after the
 * migrations' checksums (reused while they do not change). Each test file clones it (test/helpers/db.ts).
 */
export default async function setup(project: TestProject) {
  await ensureServices({ databaseUrl: TEST_PG_URL, redisUrl: TEST_REDIS_URL, chromium: true });
  const migrations = await listMigrations();
  const hash = createHash('sha256').update(migrations.map((m) => m.checksum).join(',')).digest('hex').slice(0, 12);
  const template = `tradelead_tpl_${hash}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!exists.rowCount) {
      const building = `${template}_building_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
      await admin.query(`CREATE DATABASE "${building}"`);
      await migrate(databaseUrl(building));
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`).catch(async (err) => {
        // Another run built it first.
        await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
        if (!String(err.message).includes('already exists')) throw err;
      });
      await admin.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE true`).catch(() => {});
    }
    // Drop databases left behind by killed runs: only those created over two hours ago, so concurrent test
    // runs on the same server never lose their databases.
    const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tl_test_%'`);
    const cutoff = Date.now() / 1000 - 2 * 3600;
    for (const r of stale.rows) {
      const created = Number(/^tl_test_(\d+)_/.exec(r.datname)?.[1] ?? 0);
      if (created < cutoff) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`).catch(() => {});
    }
    const oldTemplates = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tradelead_tpl_%' AND datname <> $1`, [template]);
    for (const r of oldTemplates.rows) {
      await admin.query(`ALTER DATABASE "${r.datname}" WITH IS_TEMPLATE false`).catch(() => {});
      await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`).catch(() => {});
    }
  } finally {
    await admin.end();
  }
  project.provide('templateDb', template);
}
