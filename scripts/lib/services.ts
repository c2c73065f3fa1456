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
  /** Also make sure Debian's Chromium is installed (the HTML portal and assessor tests drive it). */
  chromium?: boolean;
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

const isLocal = (url: string) => ['localhost', '127.0.0.1', '::1', ''].includes(new URL(url).hostname);

/**
 * The Debian packages this machine lacks for what is asked: PostgreSQL 15 with PostGIS and Redis when they are
 * local, Chromium when `chromium`. Found by their files, so a package installed another way also counts.
 */
export function missingDebianPackages(opts: EnsureOptions): string[] {
  const need: string[] = [];
  if (isLocal(opts.databaseUrl)) {
    if (!has('pg_ctlcluster') && !has('postgres')) need.push('postgresql-15');
    const postgisControl = ['/usr/share/postgresql/15/extension/postgis.control'];
    if (existsSync('/usr/share/postgresql')) {
      for (const v of readdirSync('/usr/share/postgresql')) postgisControl.push(`/usr/share/postgresql/${v}/extension/postgis.control`);
    }
    if (!postgisControl.some((f) => existsSync(f))) need.push('postgresql-15-postgis-3');
  }
  if (isLocal(opts.redisUrl) && !has('redis-server')) need.push('redis-server');
  if (opts.chromium && !existsSync('/usr/bin/chromium')) need.push('chromium');
  return need;
}

/**
 * Installs the missing Debian packages when running as root with apt-get (a fresh CI machine); otherwise
 * fails at once with the exact command to run. Nothing is installed when nothing is missing.
 */
export function ensureDebianPackages(opts: EnsureOptions, log: (m: string) => void): void {
  const need = missingDebianPackages(opts);
  if (!need.length) return;
  const line = `apt-get update && apt-get install -y ${need.join(' ')}`;
  if (!isRoot() || !has('apt-get')) throw new Error(`Missing Debian packages: ${need.join(', ')}. Install them (as root): \`${line}\``);
  log(`installing ${need.join(' ')} (${line})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', ...need], { stdio: 'inherit', env }) : update;
  if (install.status !== 0) throw new Error(`Installing ${need.join(', ')} failed (exit ${install.status}). Run it yourself: \`${line}\``);
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
  ensureDebianPackages(opts, log);
  await ensurePostgres(opts.databaseUrl, log);
  await ensureRedis(opts.redisUrl, log);
}
