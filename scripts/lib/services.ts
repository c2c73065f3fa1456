import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import pg from 'pg';

/**
 * Makes sure PostgreSQL (with PostGIS available) and Redis answer, starting local ones when we can
 * (root on a Debian-like machine), and otherwise says exactly what to run. Used by `npm run demo`,
 * the test setup and .ci/run.
 */
export interface EnsureOptions {
  databaseUrl: string;
  redisUrl: string;
  log?: (msg: string) => void;
}

const canConnect = (host: string, port: number, timeoutMs = 1000) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return check();
}

export async function ensurePostgres(databaseUrl: string, log: (m: string) => void): Promise<void> {
  const u = new URL(databaseUrl);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 5432);
  if (!(await canConnect(host, port))) {
    const local = ['localhost', '127.0.0.1', '::1'].includes(host);
    if (local && isRoot() && has('pg_ctlcluster') && existsSync('/etc/postgresql')) {
      const version = readdirSync('/etc/postgresql').sort().pop();
      log(`starting PostgreSQL ${version} (pg_ctlcluster)`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', String(version), 'main', 'start'], { stdio: 'inherit' });
    } else if (local && has('docker')) {
      log('starting PostgreSQL with docker compose');
      spawnSync('docker', ['compose', 'up', '-d', 'postgres'], { stdio: 'inherit' });
    }
    if (!(await waitFor(() => canConnect(host, port), 30_000))) {
      throw new Error(
        `PostgreSQL is not reachable at ${host}:${port}. Start it with \`docker compose up -d postgres\`, ` +
          'or install it: `apt-get install -y postgresql-15 postgresql-15-postgis-3` and `pg_ctlcluster 15 main start`.',
      );
    }
  }
  // PostGIS must be installable in this cluster.
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    const r = await c.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'`);
    if (!r.rowCount) {
      throw new Error('PostGIS is not installed in this PostgreSQL. Install it: `apt-get update && apt-get install -y postgresql-15-postgis-3` (or use the postgis/postgis image from docker-compose.yml).');
    }
  } finally {
    await c.end();
  }
}

export async function ensureRedis(redisUrl: string, log: (m: string) => void): Promise<void> {
  const u = new URL(redisUrl);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 6379);
  if (await canConnect(host, port)) return;
  const local = ['localhost', '127.0.0.1', '::1'].includes(host);
  if (local && has('redis-server')) {
    log('starting Redis (redis-server --daemonize yes)');
    execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'inherit' });
  } else if (local && has('docker')) {
    log('starting Redis with docker compose');
    spawnSync('docker', ['compose', 'up', '-d', 'redis'], { stdio: 'inherit' });
  }
  if (!(await waitFor(() => canConnect(host, port), 15_000))) {
    throw new Error(`Redis is not reachable at ${host}:${port}. Start it with \`docker compose up -d redis\`, or install it: \`apt-get install -y redis-server\`.`);
  }
}

export async function ensureServices(opts: EnsureOptions): Promise<void> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  await ensurePostgres(opts.databaseUrl, log);
  await ensureRedis(opts.redisUrl, log);
}
