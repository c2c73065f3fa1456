/**
 * npm run demo — one command from a fresh clone to a running TradeLead:
 *   1. .env with fresh secrets (first run only)
 *   2. PostgreSQL + PostGIS and Redis reachable (started locally or via docker compose when possible)
 *   3. migrate, seed reference data, demo admin
 *   4. three demo contractors (one per subscription tier) with logins and exclusive territories
 *   5. a few hundred demo leads in Austin, Dallas and Denver
 *   6. API and worker started; URLs and credentials printed. Ctrl-C stops both.
 * Flags: --no-serve (prepare data and exit), --leads N (default 300).
 */
import cliProgress from 'cli-progress';
import { ensureEnvFile } from './lib/env-file.ts';
import { ensureServices } from './lib/services.ts';
import { generateDemoLeads, insertLeads, DEMO_MARKETS } from './lib/demo-data.ts';

const args = process.argv.slice(2);
const serve = !args.includes('--no-serve');
const leadCount = Number(args[args.indexOf('--leads') + 1]) || 300;

const step = (n: number, msg: string) => console.log(`\n[${n}/6] ${msg}`);

if (ensureEnvFile()) console.log('created .env from .env.example with fresh secrets');
const { getConfigOrExit } = await import('../src/config.ts');
const config = getConfigOrExit();

step(1, 'checking PostgreSQL + PostGIS and Redis');
try {
  await ensureServices({ databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL, log: (m) => console.log(`  ${m}`) });
} catch (err) {
  console.error(`\n${(err as Error).message}`);
  process.exit(1);
}

step(2, 'migrating and seeding reference data');
const { ensureDatabase, migrate } = await import('../src/platform/migrations.ts');
if (await ensureDatabase(config.DATABASE_URL)) console.log(`  created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
const mig = await migrate(config.DATABASE_URL, { log: (m) => console.log(`  ${m}`) });
console.log(`  migrations: ${mig.applied.length} applied, ${mig.skipped.length} already applied`);

const { createContext } = await import('../src/platform/bootstrap.ts');
const { seedReferenceData } = await import('../prisma/seed/index.ts');
const { ensureUser } = await import('../src/modules/auth/auth.service.ts');
const { createContractor } = await import('../src/modules/contractors/contractors.service.ts');
const { assignTerritory } = await import('../src/modules/territories/territories.service.ts');
const ctx = createContext(config, { role: 'demo', logLevel: 'warn' });
const counts = await seedReferenceData(ctx.db.pool);
console.log(`  ${counts.verticals} verticals, ${counts.cities} target cities, ${counts.laborRates} labor rates`);
const admin = await ensureUser(ctx, { email: config.DEMO_ADMIN_EMAIL, password: config.DEMO_ADMIN_PASSWORD, role: 'admin' });
const adminPrincipal = { kind: 'user' as const, id: admin.id, role: 'admin' as const, contractorId: null };

step(3, 'demo contractors, logins and territories');
const DEMO_PASSWORD = 'contractor-demo';
const demoContractors = [
  { companyName: 'Lone Star Roofing', email: 'starter@demo.tradelead.local', city: 'Austin', state: 'TX', zip: '78701', subscriptionTier: 'starter' as const, zips: [] as string[] },
  { companyName: 'Big D Exteriors', email: 'pro@demo.tradelead.local', city: 'Dallas', state: 'TX', zip: '75201', subscriptionTier: 'professional' as const, zips: ['75201', '75204', '75205'] },
  { companyName: 'Front Range Roof Co', email: 'enterprise@demo.tradelead.local', city: 'Denver', state: 'CO', zip: '80202', subscriptionTier: 'enterprise' as const, zips: ['80202', '80205', '80206', '80209'] },
];
for (const d of demoContractors) {
  const { zips, ...body } = d;
  const existing = await ctx.db.prisma.contractor.findFirst({ where: { email: d.email, deletedAt: null } });
  const c = existing ?? (await createContractor(ctx, adminPrincipal, body));
  await ensureUser(ctx, { email: d.email, password: DEMO_PASSWORD, role: 'contractor', contractorId: c.id });
  for (const zip of zips) {
    const held = await ctx.db.prisma.territory.findFirst({ where: { zip, trade: 'roof', status: 'active', exclusive: true } });
    if (!held) await assignTerritory(ctx, adminPrincipal, { contractorId: c.id, zip, trade: 'roof', exclusive: true });
  }
  console.log(`  ${d.subscriptionTier.padEnd(12)} ${d.companyName.padEnd(22)} ${d.email}  territories: ${zips.length ? zips.map((z) => `${z}/roof`).join(', ') : 'none (buys shared leads)'}`);
}

step(4, `demo leads (${leadCount}) in ${DEMO_MARKETS.map((m) => m.city).join(', ')}`);
const bar = new cliProgress.SingleBar({ format: '  {bar} {value}/{total} leads', hideCursor: true }, cliProgress.Presets.shades_classic);
bar.start(leadCount, 0);
const inserted = await insertLeads(ctx.db.pool, ctx.cipher, generateDemoLeads(leadCount), { chunk: 100, onProgress: (n) => bar.update(n) });
bar.stop();
const byStatus = await ctx.db.pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM base_leads WHERE deleted_at IS NULL GROUP BY 1 ORDER BY 2 DESC`);
console.log(`  ${inserted} new; by status: ${byStatus.rows.map((r) => `${r.status} ${r.n}`).join(', ')}`);
await ctx.close();

if (!serve) {
  step(5, 'skipped (--no-serve)');
  step(6, 'done');
  process.exit(0);
}

step(5, 'starting API and worker');
// In this process (not child processes), so stopping the demo by any means stops both: nothing is left
// holding the port. In production they are separate processes: `npm start` and `npm run worker`.
const { buildApp } = await import('../src/app.ts');
const { startWorkers } = await import('../src/modules/orchestration/worker.ts');
const closeWithGrace = (await import('close-with-grace')).default;
const apiCtx = createContext(config, { role: 'api' });
const workerCtx = createContext(config, { role: 'worker' });
const app = await buildApp(apiCtx);
const workers = await startWorkers(workerCtx, {});
closeWithGrace({ delay: 15_000 }, async () => {
  await app.close();
  await workers.close();
  await Promise.all([apiCtx.close(), workerCtx.close()]);
});
try {
  await app.listen({ host: config.HOST, port: config.PORT });
} catch (err) {
  console.error(`\ncould not listen on ${config.HOST}:${config.PORT}: ${(err as Error).message}\n(is another TradeLead running? stop it or set PORT in .env)`);
  process.exit(1);
}

const base = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;

step(6, 'TradeLead is running');
console.log(`
  API          ${base}/api/v1
  API docs     ${base}/docs
  Queues       ${base}/admin/queues   (admin; browser asks for the admin email/password)
  Metrics      ${base}/metrics
  Health       ${base}/health · ${base}/ready

  Admin        ${config.DEMO_ADMIN_EMAIL} / ${config.DEMO_ADMIN_PASSWORD}
  Contractors  ${demoContractors.map((d) => d.email).join(', ')}  (password: ${DEMO_PASSWORD})

  Try:
    TOKEN=$(curl -s ${base}/api/v1/auth/login -H 'content-type: application/json' \\
      -d '{"email":"pro@demo.tradelead.local","password":"${DEMO_PASSWORD}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
    curl -s "${base}/api/v1/leads?limit=5&city=Dallas" -H "authorization: Bearer $TOKEN"

  Ctrl-C stops the API and the worker.`);

