/**
 * npm run migrate — apply pending migrations in prisma/migrations to DATABASE_URL (creating the database
 * if it does not exist), recorded in _prisma_migrations like `prisma migrate deploy`.
 */
import { getConfigOrExit } from '../src/config.ts';
import { ensureDatabase, migrate } from '../src/platform/migrations.ts';

const config = getConfigOrExit();
try {
  if (await ensureDatabase(config.DATABASE_URL)) console.log(`created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
  const r = await migrate(config.DATABASE_URL, { log: (m) => console.log(m) });
  console.log(`migrations: ${r.applied.length} applied, ${r.skipped.length} already applied`);
} catch (err) {
  console.error(`migrate failed: ${(err as Error).message}`);
  process.exit(1);
}
