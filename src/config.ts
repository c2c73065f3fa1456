import { existsSync } from 'node:fs';
import { z } from 'zod';

/** Comma-separated list → trimmed, non-empty strings. */
const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** 32 bytes as 64 hex chars or 44 base64 chars: AES-256-GCM and HMAC-SHA256 keys. */
const key32 = z.string().refine((s) => {
  const b = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  return b.length === 32;
}, 'must be 32 bytes, as 64 hex characters or base64');

export const ZConfig = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),

  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
  QUEUE_PREFIX: z.string().min(1).default('tradelead'),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ACCESS_TTL_SECONDS: z.coerce.number().int().min(30).default(900),
  JWT_REFRESH_TTL_SECONDS: z.coerce.number().int().min(60).default(30 * 24 * 3600),
  DATA_ENCRYPTION_KEY: key32,
  BLIND_INDEX_KEY: key32,

  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  PRIORITY_ACCESS_HOURS: z.coerce.number().min(0).max(168).default(2),
  LEAD_RESERVATION_MINUTES: z.coerce.number().int().min(1).default(15),

  WORKER_QUEUES: csv.optional(),
  CRON_ENABLED: boolish.default(true),
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** The worker serves Prometheus /metrics (job outcomes, outbox backlog) on this port; 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Test-only: registers an every-second heartbeat schedule (used by the schedules test). */
  SCHEDULES_INCLUDE_TEST: boolish.default(false),

  /** Permit intent reasoner (seed 001): Ollama when set, the offline rules otherwise. */
  OLLAMA_URL: z.url().optional(),
  OLLAMA_MODEL: z.string().min(1).default('llama3.2:3b'),
  OLLAMA_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /** Root of the CSV export tree (seed 001): score-leads and the 06:00 retry job write here. */
  EXPORTS_DIR: z.string().min(1).default('exports'),

  /** Acquisition (issue 4). Every outside service has an offline default, so none of these is required. */
  SCRAPER_USER_AGENT: z.string().min(1).default('TradeLeadBot/0.1 (+https://tradelead.example/bot)'),
  /** Requests per second to any one host from one process (per-host rate limit of permit portals, assessors). */
  SCRAPER_HOST_RATE_PER_SECOND: z.coerce.number().positive().max(100).default(2),
  /** Honour robots.txt of permit portals and assessor sites; turning it off is for local testing only. */
  SCRAPER_RESPECT_ROBOTS: boolish.default(true),
  /** Socrata SODA app token, sent as X-App-Token (higher rate limits). */
  SOCRATA_APP_TOKEN: z.string().min(1).optional(),
  /** Chromium for HTML portals and assessor sites (playwright-core; DESIGN.md). */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /** NOAA Storm Events: a local folder of StormEvents_details-*.csv(.gz) files wins over the URL. */
  NOAA_STORM_EVENTS_DIR: z.string().min(1).optional(),
  NOAA_STORM_EVENTS_URL: z.url().default('https://www.ncei.noaa.gov/pub/data/swdi/stormevents/csvfiles/'),
  /** Geocoders, tried in order: Google and Mapbox when keyed, the Census geocoder when its URL is set, then ZIP centroids. */
  CENSUS_GEOCODER_URL: z.url().optional(),
  MAPBOX_ACCESS_TOKEN: z.string().min(1).optional(),
  MAPBOX_GEOCODING_URL: z.url().default('https://api.mapbox.com'),
  GOOGLE_MAPS_API_KEY: z.string().min(1).optional(),
  GOOGLE_GEOCODING_URL: z.url().default('https://maps.googleapis.com'),
  /** Folder of bundled fixture data (permits, NOAA files, assessor records) used by the demo's cities. */
  FIXTURES_DIR: z.string().min(1).default('test/fixtures/demo'),

  DEMO_ADMIN_EMAIL: z.email().default('admin@tradelead.local'),
  DEMO_ADMIN_PASSWORD: z.string().min(8).default('tradelead-admin'),
});

export type TConfig = z.infer<typeof ZConfig>;

export class ConfigError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment; throws ConfigError naming every missing or malformed variable. */
export function parseConfig(env: Record<string, string | undefined>): TConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ZConfig.safeParse(cleaned);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => {
    const name = i.path.join('.');
    return i.code === 'invalid_type' && cleaned[name] === undefined
      ? `${name} is required (see .env.example)`
      : `${name}: ${i.message}`;
  });
  throw new ConfigError(issues);
}

let cached: TConfig | undefined;

/** The process configuration, parsed once. Loads ./.env first when present (never overriding real env). */
export function getConfig(): TConfig {
  if (!cached) {
    if (existsSync('.env')) process.loadEnvFile('.env');
    cached = parseConfig(process.env);
  }
  return cached;
}

/** Entry points call this: a bad environment stops the process with a message naming the variables. */
export function getConfigOrExit(): TConfig {
  try {
    return getConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
