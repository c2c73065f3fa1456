/**
 * npm run seed — load reference data (verticals + trade taxonomy, 75 target cities, labor rates) and make
 * sure the first admin exists (DEMO_ADMIN_EMAIL / DEMO_ADMIN_PASSWORD). Safe to run any number of times.
 */
import { getConfigOrExit } from '../src/config.ts';
import { createContext } from '../src/platform/bootstrap.ts';
import { ensureUser } from '../src/modules/auth/auth.service.ts';
import { seedReferenceData } from '../prisma/seed/index.ts';

const config = getConfigOrExit();
const ctx = createContext(config, { role: 'seed', logLevel: 'warn' });
try {
  const counts = await seedReferenceData(ctx.db.pool);
  await ensureUser(ctx, { email: config.DEMO_ADMIN_EMAIL, password: config.DEMO_ADMIN_PASSWORD, role: 'admin' });
  console.log(`seeded: ${counts.verticals} verticals, ${counts.cities} target cities, ${counts.laborRates} labor rates; admin ${config.DEMO_ADMIN_EMAIL}`);
} catch (err) {
  console.error(`seed failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await ctx.close();
}
