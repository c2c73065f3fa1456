import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { parseConfig } from '../../src/config.ts';
import { createContext } from '../../src/platform/bootstrap.ts';
import { ensureUser } from '../../src/modules/auth/auth.service.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { TEST_REDIS_URL } from '../helpers/env.ts';
import { waitForOk } from '../../scripts/lib/http.ts';

/**
 * The product end to end: the API (`src/server.ts`) and a worker (`workers/main.ts`) as separate processes,
 * driven over HTTP only. A contractor buys a lead; the sale's outbox event crosses to the worker through
 * Redis and becomes the buyer's notification.
 */
const root = path.resolve(import.meta.dirname, '../..');
const port = 21000 + Math.floor(Math.random() * 20000);
const base = `http://127.0.0.1:${port}`;
const procs: ChildProcess[] = [];
/** Everything the processes logged, to prove owner contacts never reach a log line. */
let logs = '';
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let env: Record<string, string>;

function start(entry: string): ChildProcess {
  const p = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(root, entry)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stdout!.on('data', (c: Buffer) => (logs += c.toString()));
  p.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    logs += c.toString();
  });
  p.once('exit', (code) => code && code !== 0 && console.error(`${entry} exited ${code}: ${err}`));
  procs.push(p);
  return p;
}

async function api(method: string, url: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(base + url, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  db = await createTestDatabase();
  env = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `e2e${randomBytes(3).toString('hex')}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'trace', // the most verbose logs must still carry no owner contact data
    OUTBOX_POLL_MS: '200',
    CRON_ENABLED: 'false',
    WORKER_METRICS_PORT: '0',
  };
  const ctx = createContext(parseConfig(env), { logLevel: 'silent' });
  await ensureUser(ctx, { email: 'admin@e2e.local', password: 'password123', role: 'admin' });
  await ctx.close();
  start('src/server.ts');
  start('workers/main.ts');
  await waitForOk(`${base}/ready`);
}, 60_000);

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await db?.drop();
});

describe('marketplace over HTTP with a separate worker', () => {
  it('admin sets up, contractor buys, the worker notifies the buyer', async () => {
    const admin = (await api('POST', '/api/v1/auth/login', { body: { email: 'admin@e2e.local', password: 'password123' } })).body.accessToken;

    const contractor = await api('POST', '/api/v1/contractors', {
      token: admin,
      body: { companyName: 'E2E Roofing', email: 'owner@e2e-roofing.test', city: 'Austin', state: 'TX', zip: '78701', subscriptionTier: 'professional' },
    });
    expect(contractor.status).toBe(201);
    const contractorId = contractor.body.id as string;
    expect((await api('POST', '/api/v1/auth/register', { token: admin, body: { email: 'buyer@e2e.local', password: 'password123', role: 'contractor', contractorId } })).status).toBe(201);
    expect((await api('POST', `/api/v1/contractors/${contractorId}/territories`, { token: admin, body: { zip: '78704', trade: 'roof', exclusive: true } })).status).toBe(201);

    const lead = await api('POST', '/api/v1/leads', {
      token: admin,
      body: { address: '1200 Barton Springs Rd', city: 'Austin', state: 'TX', zip: '78704', lat: 30.2622, lng: -97.7604, trade: 'roof', qualityScore: 86, price: 175, status: 'available', ownerName: 'Pat Owner', ownerEmail: 'pat@example.com', ownerPhone: '512-555-0142' },
    });
    expect(lead.status).toBe(201);
    const leadId = lead.body.id as string;

    const buyer = (await api('POST', '/api/v1/auth/login', { body: { email: 'buyer@e2e.local', password: 'password123' } })).body.accessToken;
    const list = await api('GET', '/api/v1/leads?zip=78704', { token: buyer });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([leadId]);
    expect(list.body.items[0]).toMatchObject({ view: 'preview', street: 'Barton Springs Rd', grade: 'B', price: 175 });
    expect(JSON.stringify(list.body)).not.toContain('pat@example.com');

    const key = randomUUID();
    const bought = await api('POST', `/api/v1/leads/${leadId}/purchase`, { token: buyer, headers: { 'idempotency-key': key } });
    expect(bought.status).toBe(200);
    expect(bought.body).toMatchObject({ view: 'full', status: 'sold', address: '1200 Barton Springs Rd', owner: { name: 'Pat Owner', email: 'pat@example.com', phone: '512-555-0142' } });
    const replay = await api('POST', `/api/v1/leads/${leadId}/purchase`, { token: buyer, headers: { 'idempotency-key': key } });
    expect(replay).toEqual(bought);

    const mine = await api('GET', '/api/v1/leads/my-leads', { token: buyer });
    expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([leadId]);

    // The worker consumed lead.sold from the outbox: the job shows as completed in the jobs API.
    let sold: { name: string; state: string; data: { leadId?: string } } | undefined;
    for (let i = 0; i < 60 && !sold; i++) {
      const jobs = await api('GET', '/api/v1/jobs?queue=leadgen&state=completed', { token: admin });
      sold = jobs.body.items.find((j: { name: string; data: { leadId?: string } }) => j.name === 'marketplace.lead-sold' && j.data.leadId === leadId);
      if (!sold) await new Promise((r) => setTimeout(r, 250));
    }
    expect(sold?.state).toBe('completed');
    const pgc = new pg.Client({ connectionString: db.url });
    await pgc.connect();
    const notes = await pgc.query(`SELECT kind, channel, lead_id FROM notifications WHERE contractor_id = $1 ORDER BY kind`, [contractorId]);
    await pgc.end();
    // Owner contact data never reaches a log line, even at trace level (requests, jobs, outbox payloads).
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).toContain('"reqId"');
    for (const secret of ['pat@example.com', '512-555-0142', 'Pat Owner']) expect(logs).not.toContain(secret);

    // As the 78704 territory holder it heard of the lead when it was published, then of its own purchase.
    expect(notes.rows).toEqual([
      { kind: 'lead_available', channel: 'in_app', lead_id: leadId },
      { kind: 'lead_purchased', channel: 'in_app', lead_id: leadId },
    ]);
  });

  it('API and worker shut down gracefully on SIGTERM (exit 0)', async () => {
    const codes = await Promise.all(procs.map(async (p) => {
      const exited = once(p, 'exit');
      p.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    }));
    expect(codes).toEqual([0, 0]);
  });
});
