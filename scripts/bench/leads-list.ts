/**
 * GET /api/v1/leads under load: 100,000 leads, 50 concurrent clients (autocannon), the API as its own process.
 * Measures the contractor listing (available leads it may buy: territory NOT EXISTS + priority window) and the
 * admin listing, and reports exact p50/p95/p99 from every response time.
 */
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../src/config.ts';
import { createContext } from '../../src/platform/bootstrap.ts';
import { ensureUser } from '../../src/modules/auth/auth.service.ts';
import { generateDemoLeads, insertLeads } from '../lib/demo-data.ts';
import { waitForOk } from '../lib/http.ts';
import { benchDatabaseUrl, freshBenchDatabase, log, percentile, round } from './lib.ts';

export async function benchLeadsList(opts: { leads?: number; connections?: number; seconds?: number } = {}) {
  const leads = opts.leads ?? Number(process.env.BENCH_LEADS ?? 100_000);
  const connections = opts.connections ?? 50;
  const seconds = opts.seconds ?? Number(process.env.BENCH_SECONDS ?? 15);
  const dbUrl = benchDatabaseUrl();
  const port = 3900 + Math.floor(Math.random() * 90);
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(24).toString('hex'),
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? randomBytes(32).toString('hex'),
    BLIND_INDEX_KEY: process.env.BLIND_INDEX_KEY ?? randomBytes(32).toString('hex'),
    API_RATE_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    DATABASE_POOL_MAX: '20',
  };
  const config = parseConfig(env);

  log(`leads-list: preparing ${leads.toLocaleString()} leads in ${new URL(dbUrl).pathname.slice(1)}`);
  await freshBenchDatabase(dbUrl, config.REDIS_URL);
  const ctx = createContext(config, { role: 'bench', logLevel: 'warn' });
  const t0 = performance.now();
  await insertLeads(ctx.db.pool, ctx.cipher, generateDemoLeads(leads, 7), { chunk: 5000 });
  await ctx.db.pool.query('ANALYZE');
  const loadSeconds = (performance.now() - t0) / 1000;
  const contractor = await ctx.db.prisma.contractor.create({
    data: { companyName: 'Bench Roofing', email: 'bench@example.com', city: 'Austin', state: 'TX', zip: '78701', subscriptionTier: 'starter', leadsPerMonth: 15 },
  });
  await ctx.db.prisma.contractor.create({ data: { companyName: 'Other', city: 'Austin', state: 'TX', subscriptionTier: 'professional' } }).then((o) =>
    ctx.db.prisma.territory.createMany({ data: ['78701', '75201', '80202'].map((zip) => ({ contractorId: o.id, zip, trade: 'roof', exclusive: true })) }),
  );
  await ensureUser(ctx, { email: 'bench-admin@example.com', password: 'bench-password', role: 'admin' });
  await ensureUser(ctx, { email: 'bench@example.com', password: 'bench-password', role: 'contractor', contractorId: contractor.id });
  await ctx.close();

  log(`leads-list: starting API on :${port}`);
  const api = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${base}/ready`);
    const token = async (email: string) =>
      ((await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'bench-password' }) })).json()) as { accessToken: string }).accessToken;

    const run = async (label: string, path: string, auth: string) => {
      // Warm-up so JIT and the pool are steady before measuring.
      await autocannon({ url: base + path, connections, duration: 2, headers: { authorization: `Bearer ${auth}` } });
      const times: number[] = [];
      const statuses: Record<string, number> = {};
      const r = await new Promise<autocannon.Result>((resolve, reject) => {
        const inst = autocannon({ url: base + path, connections, duration: seconds, headers: { authorization: `Bearer ${auth}` } }, (err, res) =>
          err ? reject(err) : resolve(res),
        );
        inst.on('response', (_client, status, _bytes, ms) => {
          times.push(ms);
          statuses[status] = (statuses[status] ?? 0) + 1;
        });
      });
      times.sort((a, b) => a - b);
      log(`leads-list: ${label} p95 ${round(percentile(times, 95))} ms, ${round(r.requests.average, 0)} req/s`);
      return {
        label, path, connections, seconds,
        requests: times.length, requestsPerSecond: round(r.requests.average, 1),
        latencyMs: { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), p99: round(percentile(times, 99)), max: round(times.at(-1) ?? NaN) },
        statuses, errors: r.errors, non2xx: r.non2xx,
      };
    };
    const contractorToken = await token('bench@example.com');
    const adminToken = await token('bench-admin@example.com');
    return {
      bench: 'leads-list',
      leads, loadSeconds: round(loadSeconds, 1),
      runs: [
        await run('contractor: available leads it may buy, first page of 50', '/api/v1/leads?limit=50', contractorToken),
        await run('contractor: filtered (Dallas, minScore 80)', '/api/v1/leads?limit=50&city=Dallas&minScore=80', contractorToken),
        await run('admin: all leads, first page of 50', '/api/v1/leads?limit=50', adminToken),
      ],
    };
  } finally {
    api.kill('SIGTERM');
  }
}
