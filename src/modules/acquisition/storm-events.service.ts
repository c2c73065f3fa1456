import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { load } from 'cheerio';
import type { AppContext } from '../../platform/context.ts';
import { AppError, isAppError } from '../../platform/errors.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import { fetchHtml, scrapeGuard } from './html-fetch.ts';
import {
  newestRevisionPerYear,
  parseStormFile,
  type NormalizedStormEvent,
  type StormRowError,
} from './storm-events.parser.ts';
import { closeStormScrapingJob, logNoaaDownload, openStormScrapingJob, STORM_SOURCE, upsertWeatherEvents } from './storm-events.repository.ts';
import { sleep } from '../../platform/sleep.ts';

/**
 * NOAA Storm Events ingestion (issue 4 §3; seed 002 §3.1.4 "Weather Event Tracking", daily at 3:00 AM): details
 * files from a folder or NOAA's directory listing → weather_events, keyed by EVENT_ID, then one
 * `storms.ingested` outbox event so trigger detection matches the events to properties.
 */

/** Rows per upsert statement (issue 4 §3: batches of ~1,000). */
export const STORM_BATCH_SIZE = 1000;
/** How many row errors / warnings a result (and its scraping_jobs row) keeps. */
const KEEP_ISSUES = 100;
const DAY_MS = 86_400_000;
const DOWNLOAD_TIMEOUT_MS = 15 * 60_000;
const DOWNLOAD_RETRIES = 2;

export interface StormFileProgress {
  phase: 'download' | 'ingest';
  /** Data rows read so far. */
  rows: number;
  /** Bytes downloaded or read from disk (compressed bytes for a .gz file). */
  bytes: number;
  /** Size of the file (or the Content-Length of a download), when known. */
  totalBytes: number | null;
}

export interface IngestStormFileOptions {
  /** A .csv or .csv.gz details file on disk. */
  path?: string;
  /** Or its URL: downloaded to a temporary file first. */
  url?: string;
  /** Only events that begin in [since, until) are stored; the others count as skipped. */
  since?: Date;
  until?: Date;
  signal?: AbortSignal;
  triggeredBy?: string;
}

export interface StormFileResult extends Record<string, unknown> {
  /** File name as NOAA publishes it (also weather_events.ingested_file). */
  file: string;
  /** Data rows read. */
  rows: number;
  inserted: number;
  /** Existing events (same EVENT_ID) whose values changed in this file: NOAA revisions. */
  updated: number;
  /** Existing events identical to this file's row: left untouched. */
  unchanged: number;
  /** Rows outside [since, until). */
  skipped: number;
  /** Stored events without valid coordinates (kept with a null location). */
  withoutLocation: number;
  /** Rows that could not be events, the first 100; rowErrorCount counts all of them. */
  rowErrors: StormRowError[];
  rowErrorCount: number;
  /** Questionable values stored as null, unknown zones, … the first 100; warningCount counts all. */
  warnings: StormRowError[];
  warningCount: number;
  /** Earliest and latest begin (UTC) among the stored events. */
  firstBeginAt: string | null;
  lastBeginAt: string | null;
  durationMs: number;
  scrapingJobId: string;
}

/**
 * Ingests one details file (plain or gzipped, told apart by its magic bytes) into weather_events. The whole file
 * is one transaction: a file that turns out unreadable half-way (bad header, truncated gzip, broken quoting)
 * leaves the table exactly as it was; a bad row is only a row error. The run is recorded in scraping_jobs
 * (job_type 'storms'), failed runs included.
 */
export async function ingestStormFile(
  ctx: AppContext,
  opts: IngestStormFileOptions,
  onProgress?: (p: StormFileProgress) => void,
): Promise<StormFileResult> {
  if (!!opts.path === !!opts.url) throw new AppError('VALIDATION_FAILED', { message: 'ingestStormFile: give exactly one of path or url' });
  if (opts.since && opts.until && opts.since >= opts.until) {
    throw new AppError('VALIDATION_FAILED', { message: `since (${opts.since.toISOString()}) must be before until (${opts.until.toISOString()})` });
  }
  if (opts.path) return ingestLocalFile(ctx, opts.path, path.basename(opts.path), opts, onProgress);

  const tmp = await mkdtemp(path.join(tmpdir(), 'tradelead-noaa-'));
  try {
    const name = path.basename(decodeURIComponent(new URL(opts.url!).pathname)) || 'storm-events.csv';
    const local = path.join(tmp, name);
    await downloadFile(ctx, opts.url!, local, opts.signal, (bytes, totalBytes) => onProgress?.({ phase: 'download', rows: 0, bytes, totalBytes }));
    return await ingestLocalFile(ctx, local, name, opts, onProgress);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function ingestLocalFile(
  ctx: AppContext,
  file: string,
  name: string,
  opts: IngestStormFileOptions,
  onProgress?: (p: StormFileProgress) => void,
): Promise<StormFileResult> {
  const started = Date.now();
  const jobId = await openStormScrapingJob(ctx.db.prisma, { file: name, since: opts.since, until: opts.until, triggeredBy: opts.triggeredBy });
  const acc = newAccumulator(name, jobId);
  const client = await ctx.db.pool.connect();
  try {
    const totalBytes = (await stat(file)).size;
    const input = await openDetailsStream(file, (bytes) => {
      acc.bytes = bytes;
    });
    await client.query('BEGIN');
    // One ingestion at a time: two runs of the same day (BullMQ is at-least-once) would otherwise wait on each
    // other's rows batch by batch; serialised, the second simply finds every row unchanged.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('weather_events.noaa_ingest'))`);
    let batch = new Map<number, NormalizedStormEvent>();
    // The next batch is parsed while the previous one is written: parsing and PostgreSQL each take about half
    // the time. One statement at a time on the connection; a failed write surfaces at the next flush.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      opts.signal?.throwIfAborted();
      if (!batch.size) return;
      const events = [...batch.values()];
      batch = new Map();
      writing = upsertWeatherEvents(client, events, name).then((r) => {
        acc.inserted += r.inserted;
        acc.updated += r.updated;
        acc.unchanged += r.unchanged;
        onProgress?.({ phase: 'ingest', rows: acc.rows, bytes: acc.bytes, totalBytes });
      });
      writing.catch(() => {});
    };
    for await (const { rowNumber, result } of parseStormFile(input)) {
      acc.rows++;
      if (!result.ok) {
        acc.addError(result.error);
        continue;
      }
      for (const message of result.warnings) acc.addWarning({ row: rowNumber, message });
      const e = result.event;
      if ((opts.since && e.beginAt < opts.since) || (opts.until && e.beginAt >= opts.until)) {
        acc.skipped++;
        continue;
      }
      if (batch.has(e.eventId)) acc.addWarning({ row: rowNumber, message: `EVENT_ID ${e.eventId} appears twice in the file; the later row wins` });
      else acc.noteStored(e);
      batch.set(e.eventId, e);
      if (batch.size >= STORM_BATCH_SIZE) await flush();
    }
    await flush();
    await writing;
    await client.query('COMMIT');
    const result = acc.result(started);
    await closeStormScrapingJob(ctx.db.prisma, jobId, {
      status: 'completed', startedAt: started, rows: acc.rows, stored: acc.stored, failed: acc.rowErrorCount,
      results: summary(result), errors: result.rowErrors,
    });
    ctx.log.info(summary(result), 'storm events file ingested');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    await closeStormScrapingJob(ctx.db.prisma, jobId, {
      status: 'failed', startedAt: started, rows: acc.rows, stored: 0, failed: acc.rowErrorCount, errors: acc.rowErrors, error: err as Error,
    }).catch(() => {});
    throw wrapFileError(err, name);
  } finally {
    client.release();
  }
}

/** The result fields worth a log line and scraping_jobs.results (the issue lists are kept in `errors`). */
function summary(r: StormFileResult): Record<string, unknown> {
  const { rowErrors: _e, warnings: _w, ...rest } = r;
  return { ...rest, warnings: r.warnings.slice(0, 10) };
}

/** A file that could not be read at all becomes SOURCE_FAILED naming the file; our own AppErrors pass through. */
function wrapFileError(err: unknown, name: string): unknown {
  if (isAppError(err) || (err as Error)?.name === 'AbortError') return err;
  const e = err as Error & { code?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('CSV_')) {
    return new AppError('SOURCE_FAILED', { message: `${name}: not valid CSV: ${e.message}`, details: { file: name, csvCode: e.code }, cause: err });
  }
  if (e?.code === 'Z_BUF_ERROR' || e?.code === 'Z_DATA_ERROR') {
    return new AppError('SOURCE_FAILED', { message: `${name}: the gzip data is corrupt or truncated (${e.message})`, details: { file: name }, cause: err });
  }
  if (e?.code === 'ENOENT') return new AppError('NOT_FOUND', { message: `storm events file not found: ${name}`, details: { file: name }, cause: err });
  return err;
}

function newAccumulator(file: string, scrapingJobId: string) {
  const acc = {
    bytes: 0,
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    stored: 0,
    withoutLocation: 0,
    rowErrors: [] as StormRowError[],
    rowErrorCount: 0,
    warnings: [] as StormRowError[],
    warningCount: 0,
    first: null as Date | null,
    last: null as Date | null,
    addError(e: StormRowError) {
      acc.rowErrorCount++;
      if (acc.rowErrors.length < KEEP_ISSUES) acc.rowErrors.push(e);
    },
    addWarning(w: StormRowError) {
      acc.warningCount++;
      if (acc.warnings.length < KEEP_ISSUES) acc.warnings.push(w);
    },
    noteStored(e: NormalizedStormEvent) {
      acc.stored++;
      if (e.lat === null) acc.withoutLocation++;
      if (!acc.first || e.beginAt < acc.first) acc.first = e.beginAt;
      if (!acc.last || e.beginAt > acc.last) acc.last = e.beginAt;
    },
    result(started: number): StormFileResult {
      return {
        file, rows: acc.rows, inserted: acc.inserted, updated: acc.updated, unchanged: acc.unchanged, skipped: acc.skipped,
        withoutLocation: acc.withoutLocation, rowErrors: acc.rowErrors, rowErrorCount: acc.rowErrorCount, warnings: acc.warnings,
        warningCount: acc.warningCount, firstBeginAt: acc.first?.toISOString() ?? null, lastBeginAt: acc.last?.toISOString() ?? null,
        durationMs: Date.now() - started, scrapingJobId,
      };
    },
  };
  return acc;
}

/** The file as text bytes: gunzipped when it starts with the gzip magic number (1f 8b), whatever its name. */
async function openDetailsStream(file: string, onBytes: (bytes: number) => void): Promise<Readable> {
  const fh = await open(file, 'r');
  const magic = Buffer.alloc(2);
  try {
    await fh.read(magic, 0, 2, 0);
  } finally {
    await fh.close();
  }
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      onBytes(bytes);
      cb(null, chunk);
    },
  });
  const out = new PassThrough();
  const gzipped = magic[0] === 0x1f && magic[1] === 0x8b;
  // pipeline() carries any stage's error (a truncated gzip) to `out`, which the CSV parser reads.
  const done = gzipped ? pipeline(createReadStream(file), counter, createGunzip(), out) : pipeline(createReadStream(file), counter, out);
  done.catch((err) => out.destroy(err));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------------------------------------

/**
 * GET `url` into `dest`, streamed (a year of details is tens of MB), with the scraper's user agent, robots.txt
 * and per-host spacing (html-fetch.ts scrapeGuard), retrying network errors, 429 and 5xx with backoff. Every
 * attempt is one api_usage_logs row.
 */
async function downloadFile(ctx: AppContext, url: string, dest: string, signal: AbortSignal | undefined, onBytes: (bytes: number, total: number | null) => void): Promise<void> {
  const guard = scrapeGuard(ctx.config, signal);
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= DOWNLOAD_RETRIES + 1; attempt++) {
    if (attempt > 1) await sleep(1000 * 2 ** (attempt - 2), signal);
    await guard(url);
    const timeout = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
    const started = performance.now();
    let status: number | null = null;
    try {
      const res = await fetch(url, {
        headers: { 'user-agent': ctx.config.SCRAPER_USER_AGENT, accept: 'application/gzip,text/csv;q=0.9,*/*;q=0.5' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      status = res.status;
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => {});
        throw Object.assign(new Error(`NOAA answered HTTP ${res.status} for ${url}`), { status: res.status });
      }
      const total = Number(res.headers.get('content-length')) || null;
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          onBytes(bytes, total);
          cb(null, chunk);
        },
      });
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, createWriteStream(dest));
      if (total !== null && bytes !== total) throw new Error(`download of ${url} ended after ${bytes} of ${total} bytes`);
      await logNoaaDownload(ctx.db.prisma, { url, status, latencyMs: performance.now() - started, bytes, success: true });
      return;
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      const message = timeout.aborted ? `download of ${url} took longer than ${DOWNLOAD_TIMEOUT_MS / 60_000} minutes` : (err as Error).message;
      await logNoaaDownload(ctx.db.prisma, { url, status, latencyMs: performance.now() - started, success: false, error: message });
      lastError = new Error(message);
      if (status !== null && status < 500 && status !== 429 && status !== 408) break;
    }
  }
  throw new AppError('SOURCE_FAILED', { message: `could not download NOAA storm events file: ${lastError?.message}`, details: { url }, cause: lastError });
}


/** File names linked from an Apache-style directory listing (`<a href="StormEvents_details-…csv.gz">`). */
export function listingFileNames(html: string): string[] {
  const $ = load(html);
  const names: string[] = [];
  $('a[href]').each((_, a) => {
    const href = $(a).attr('href')!.split(/[?#]/)[0]!;
    const name = decodeURIComponent(href.slice(href.lastIndexOf('/') + 1));
    if (name) names.push(name);
  });
  return names;
}

// ---------------------------------------------------------------------------------------------------------
// Runs (files, folder or NOAA listing)
// ---------------------------------------------------------------------------------------------------------

export interface IngestStormEventsOptions {
  /** Window: events that began in the last N days (seed 002 §3.1.4 daily run: 7). Omitted → the whole files. */
  lookbackDays?: number;
  /** Explicit .csv / .csv.gz paths: ingested as given. */
  files?: string[];
  /** A folder of details files (default NOAA_STORM_EVENTS_DIR): the newest revision of each year the window touches. */
  dir?: string;
  /**
   * NOAA's directory listing (default NOAA_STORM_EVENTS_URL), whose newest revision per year is downloaded; or
   * one file's URL (…csv / …csv.gz).
   */
  url?: string;
  signal?: AbortSignal;
  triggeredBy?: string;
  /** The clock the window is measured from (tests). */
  now?: Date;
}

export interface StormRunResult extends Record<string, unknown> {
  since: string | null;
  until: string | null;
  /** Where the files came from: files | dir | url. */
  mode: 'files' | 'dir' | 'url';
  files: StormFileResult[];
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
  withoutLocation: number;
  rowErrorCount: number;
  /** Events of the window now in weather_events from these files (inserted + updated + unchanged). */
  eventCount: number;
  durationMs: number;
}

interface PlannedFile {
  path?: string;
  url?: string;
  name: string;
}

/** [now − lookbackDays, now): the window of the daily run. */
export function lookbackWindow(now: Date, lookbackDays: number): { since: Date; until: Date } {
  if (!Number.isInteger(lookbackDays) || lookbackDays < 1 || lookbackDays > 3650) {
    throw new AppError('VALIDATION_FAILED', { message: `lookbackDays must be a whole number from 1 to 3650, got ${lookbackDays}` });
  }
  return { since: new Date(now.getTime() - lookbackDays * DAY_MS), until: now };
}

/** The calendar years (UTC) a window touches: one details file per year. */
export function yearsOf(since: Date, until: Date): Set<number> {
  const years = new Set<number>();
  for (let y = since.getUTCFullYear(); y <= new Date(until.getTime() - 1).getUTCFullYear(); y++) years.add(y);
  return years;
}

const isFileUrl = (u: string) => /\.csv(\.gz)?$/i.test(new URL(u).pathname);

async function planFiles(ctx: AppContext, opts: IngestStormEventsOptions, years: Set<number> | undefined): Promise<{ mode: StormRunResult['mode']; files: PlannedFile[] }> {
  if (opts.files?.length) return { mode: 'files', files: opts.files.map((p) => ({ path: p, name: path.basename(p) })) };
  const dir = opts.url ? undefined : (opts.dir ?? ctx.config.NOAA_STORM_EVENTS_DIR);
  if (dir) {
    const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      throw new AppError('NOT_FOUND', { message: `NOAA storm events folder ${dir} cannot be read: ${err.code ?? err.message}`, details: { dir }, cause: err });
    });
    const picked = newestRevisionPerYear(names, years);
    return { mode: 'dir', files: [...picked.values()].map((n) => ({ path: path.join(dir, n), name: n })) };
  }
  const url = opts.url ?? ctx.config.NOAA_STORM_EVENTS_URL;
  if (isFileUrl(url)) return { mode: 'url', files: [{ url, name: path.basename(new URL(url).pathname) }] };
  // A listing URL without its trailing slash would resolve relative links against its parent.
  const listing = url.endsWith('/') ? url : `${url}/`;
  const html = await fetchHtml(ctx, listing, { provider: STORM_SOURCE, signal: opts.signal, requestParams: { listing } });
  const picked = newestRevisionPerYear(listingFileNames(html), years);
  return { mode: 'url', files: [...picked.values()].map((n) => ({ url: new URL(encodeURIComponent(n), listing).toString(), name: n })) };
}

/**
 * The storms run: picks the files (explicit files, else the folder, else NOAA's listing — newest revision of each
 * year the lookback window touches), ingests each (events beginning in the window only), then writes ONE outbox
 * event `storms.ingested` { since, until, eventCount, … } so trigger detection runs over the window. A file that
 * fails does not stop the others; the run then throws SOURCE_FAILED listing the failures, after the outbox event
 * for what was stored. Progress: 0–100 over the files (download and ingestion), whole percents only.
 */
export async function ingestStormEvents(
  ctx: AppContext,
  opts: IngestStormEventsOptions = {},
  onProgress?: (pct: number, info: Record<string, unknown>) => void | Promise<void>,
): Promise<StormRunResult> {
  const started = Date.now();
  const window = opts.lookbackDays === undefined ? undefined : lookbackWindow(opts.now ?? new Date(), opts.lookbackDays);
  const years = window ? yearsOf(window.since, window.until) : undefined;
  const plan = await planFiles(ctx, opts, years);

  let lastPct = -1;
  const report = (pct: number, info: Record<string, unknown>) => {
    const whole = Math.min(100, Math.floor(pct));
    if (whole === lastPct) return;
    lastPct = whole;
    void Promise.resolve(onProgress?.(whole, info)).catch(() => {});
  };
  report(0, { files: plan.files.map((f) => f.name) });

  const results: StormFileResult[] = [];
  const failures: { file: string; error: string }[] = [];
  for (const [i, f] of plan.files.entries()) {
    opts.signal?.throwIfAborted();
    const share = (p: StormFileProgress) => {
      const frac = p.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : 0;
      // A download is the first half of its file's share; a local file is all ingestion.
      const within = f.url ? (p.phase === 'download' ? frac / 2 : 0.5 + frac / 2) : frac;
      report(((i + within) / plan.files.length) * 100, { file: f.name, phase: p.phase, rows: p.rows });
    };
    try {
      results.push(await ingestStormFile(ctx, { path: f.path, url: f.url, since: window?.since, until: window?.until, signal: opts.signal, triggeredBy: opts.triggeredBy }, share));
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      failures.push({ file: f.name, error: (err as Error).message });
      ctx.log.warn({ err, file: f.name }, 'storm events file failed');
    }
  }

  const run = totals(plan.mode, results, window, started);
  if (results.length) {
    await writeOutbox(ctx.db.prisma, {
      topic: 'storms.ingested',
      payload: {
        since: run.since, until: run.until, eventCount: run.eventCount, inserted: run.inserted, updated: run.updated,
        files: results.map((r) => r.file),
      },
    });
  }
  report(100, { files: results.length, eventCount: run.eventCount });
  if (failures.length) {
    throw new AppError('SOURCE_FAILED', {
      message: `${failures.length} of ${plan.files.length} storm events files failed: ${failures.map((f) => `${f.file}: ${f.error}`).join('; ')}`,
      details: { failures, result: run },
    });
  }
  return run;
}

/** Sums of the files; the window is the lookback one, else the span of the stored events' begin times. */
function totals(mode: StormRunResult['mode'], files: StormFileResult[], window: { since: Date; until: Date } | undefined, started: number): StormRunResult {
  const sum = (k: 'inserted' | 'updated' | 'unchanged' | 'skipped' | 'withoutLocation' | 'rowErrorCount') => files.reduce((s, f) => s + f[k], 0);
  const firsts = files.map((f) => f.firstBeginAt).filter((x): x is string => !!x).sort();
  const lasts = files.map((f) => f.lastBeginAt).filter((x): x is string => !!x).sort();
  // Without a window, "until" is exclusive like the window's: one millisecond after the last event began.
  const spanUntil = lasts.length ? new Date(Date.parse(lasts[lasts.length - 1]!) + 1).toISOString() : null;
  return {
    since: window?.since.toISOString() ?? firsts[0] ?? null,
    until: window?.until.toISOString() ?? spanUntil,
    mode,
    files,
    inserted: sum('inserted'),
    updated: sum('updated'),
    unchanged: sum('unchanged'),
    skipped: sum('skipped'),
    withoutLocation: sum('withoutLocation'),
    rowErrorCount: sum('rowErrorCount'),
    eventCount: sum('inserted') + sum('updated') + sum('unchanged'),
    durationMs: Date.now() - started,
  };
}

