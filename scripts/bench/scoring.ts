/**
 * `npm run bench -- scoring`: the batch engine (issue 3 §2, issue 8 §7) on 1,000,000 leads (BENCH_SCORING_LEADS).
 *
 *   initial     — first scoring of never-scored leads (signal run): every lead gets a score, most change status;
 *                 reported for scale
 *   memory      — forced rescores of 100,000 and then all leads, sampling process RSS every 20 ms
 *   noChange    — (a) forced rescore of every lead when nothing changed: read → score in JS → compare; nothing is
 *                 written (target ≥ 50,000 leads/s)
 *   signal      — (b) 1% of leads get a new hail trigger (the triggers stamp inputs_changed_at), then a
 *                 signal-based run rescores only those (steady state: before the passes below rewrite every row)
 *   allChanged  — (c) every score, price and version changes: first its floor, in-database UPDATEs of the same
 *                 columns of the same tables the engine writes (base_leads, score_explanations, lead_rank) over
 *                 every lead, which leaves every stored score off by one step and every version older; then the
 *                 signal run that follows (the 30-minute tick after a bump) rescores every lead and writes every
 *                 row back (targets: ≥ 25,000 leads/s, ≤ 1.5× the floor)
 *   versionBump — (d) only the versions are older (a scorer version bump that moves no score): the signal run
 *                 rewrites every lead's version, no score
 * Each pass reports the WAL it wrote, and the JSON the server settings the write figures depend on.
 *
 * Runs on its own database (the bench database name + "_scoring"), so other benchmarks never share it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createDatabase, type Database } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { LEAD_STATUSES } from '../../src/modules/leads/leads.lifecycle.ts';
import { ENGINE_VERSIONS, rescoreLeads, type RescoreOptions, type RescoreResult } from '../../src/modules/scoring/batch-engine.ts';
import { benchDatabaseUrl, freshBenchDatabase, log, round } from './lib.ts';
import { generateScoringBenchData } from './scoring-data.ts';

export function scoringBenchUrl(): string {
  const u = new URL(benchDatabaseUrl());
  u.pathname = `${u.pathname}_scoring`;
  return u.toString();
}

const MB = 1024 * 1024;

/** Runs `fn` while sampling RSS; returns its result, the peak and the RSS before it started. */
async function withRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakRssMB: number; startRssMB: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakRssMB: round(peak / MB, 1), startRssMB: round(start / MB, 1) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Memory per tenth of a run: the peak RSS within it, and the live heap right after a full collection at its
 * end (what the run retains). Flat memory shows as no upward trend from the first tenth to the last.
 */
function memoryByTenth(total: number) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const peaks: number[] = [];
  const live: number[] = [];
  let peak = 0;
  return {
    sample(scanned: number) {
      peak = Math.max(peak, process.memoryUsage().rss);
      if (scanned >= ((live.length + 1) * total) / 10) {
        peaks.push(round(peak / MB, 0));
        peak = 0;
        gc();
        live.push(round(process.memoryUsage().heapUsed / MB, 1));
      }
    },
    result: () => ({ peakRssMB: peaks, liveHeapAfterGcMB: live }),
  };
}

function summary(r: RescoreResult) {
  return {
    scanned: r.scanned, changed: r.changed, leadWrites: r.leadWrites, statusMoves: r.statusMoves, raced: r.raced,
    chunks: r.chunks, seconds: round(r.elapsedMs / 1000, 2), rowsPerSecond: r.rowsPerSecond,
    readAndScoreSeconds: round(r.readMs / 1000, 2), writeSeconds: round(r.writeMs / 1000, 2),
  };
}

/**
 * SQL for "the scorer_version column, made older": per scorer, an engine version below every current one with the
 * same prefix (so the engine finds it outdated). The versions are plain tokens (no quotes).
 */
const OLDER_VERSION_SQL = (() => {
  const [roof, trade] = ENGINE_VERSIONS.map((v) => `'${v.replace(/\+engine@.*$/, '+engine@0.bench')}'`);
  return `(CASE WHEN scorer_version LIKE 'property-quality@%' THEN ${roof} ELSE ${trade} END)`;
})();

/**
 * The all-changed floor: in-database UPDATEs of exactly the columns the engine writes, over every scored lead,
 * one statement per table — base_leads (with lead_rank's trigger skipped, as the engine does), score_explanations,
 * lead_rank. Each score moves to 100 − score (within the CHECK range, different for every score but 50), each price
 * by a cent and each version to an older one, so the engine's next run must write every row back.
 */
async function measureAllChangedFloor(db: Database) {
  const c = await db.pool.connect();
  try {
    const timed = async (sql: string) => {
      const t = performance.now();
      const r = await c.query(sql);
      return { rows: r.rowCount ?? 0, seconds: (performance.now() - t) / 1000 };
    };
    const older = OLDER_VERSION_SQL;
    await c.query(`BEGIN; SET LOCAL tradelead.rank_sync = 'engine'`);
    const leads = await timed(
      `UPDATE base_leads SET quality_score = 100 - quality_score, grade = grade, price = price + 0.01, scored_at = now(),
              scorer_version = ${older}, score_inputs_hash = score_inputs_hash
        WHERE quality_score IS NOT NULL AND deleted_at IS NULL`,
    );
    await c.query('COMMIT');
    const explanations = await timed(
      `UPDATE score_explanations SET score = 100 - score, grade = grade, price_cents = price_cents + 1, scorer_version = ${older},
              inputs_hash = inputs_hash, factors = factors, scored_at = now()
        WHERE score IS NOT NULL`,
    );
    const rank = await timed(`UPDATE lead_rank SET quality_score = 100 - quality_score WHERE quality_score IS NOT NULL`);
    const seconds = leads.seconds + explanations.seconds + rank.seconds;
    return {
      rows: leads.rows,
      seconds: round(seconds, 2),
      rowsPerSecond: Math.round(leads.rows / seconds),
      byTable: { baseLeads: round(leads.seconds, 2), scoreExplanations: round(explanations.seconds, 2), leadRank: round(rank.seconds, 2) },
    };
  } finally {
    c.release();
  }
}

/** WAL bytes written while `fn` runs, in MB: what a rewrite of a million rows costs the server. */
async function walMB<T>(db: Database, fn: () => Promise<T>): Promise<{ result: T; walMB: number }> {
  const lsn = async () => (await db.pool.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l;
  const before = await lsn();
  const result = await fn();
  const r = await db.pool.query<{ mb: number }>(`SELECT ((pg_current_wal_lsn() - $1::pg_lsn) / 1048576)::float8 AS mb`, [before]);
  return { result, walMB: round(r.rows[0]!.mb, 0) };
}

/** The server settings the write figures depend on most (the page cache and the WAL between checkpoints). */
async function serverSettings(db: Database) {
  const r = await db.pool.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression')`,
  );
  return Object.fromEntries(r.rows.map((x) => [x.name, x.setting]));
}

export async function benchScoring(opts: { leads?: number; chunkSize?: number } = {}) {
  const leads = opts.leads ?? Number(process.env.BENCH_SCORING_LEADS ?? 1_000_000);
  const chunkSize = opts.chunkSize ?? Number(process.env.BENCH_SCORING_CHUNK ?? 10_000);
  const url = scoringBenchUrl();
  log(`scoring: preparing ${leads.toLocaleString()} leads in ${new URL(url).pathname.slice(1)}`);
  await freshBenchDatabase(url, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const db = createDatabase(url, { max: 4, applicationName: 'tradelead-bench-scoring' });
  const ctx = { db, log: createLogger('warn', { role: 'bench' }) };
  try {
    const data = await generateScoringBenchData(db.pool, leads, log);
    log(`scoring: data ready in ${data.seconds} s`);
    const every = Math.max(1, Math.round(leads / chunkSize / 10));
    let sampler: ReturnType<typeof memoryByTenth> | undefined;
    const run = (label: string, o: RescoreOptions) =>
      rescoreLeads(ctx, {
        chunkSize, by: 'bench', ...o,
        onChunk: (p) => {
          sampler?.sample(p.scanned);
          if (p.chunks % every === 0) log(`scoring: ${label} ${p.scanned.toLocaleString()} leads, ${p.rowsPerSecond.toLocaleString()}/s`);
        },
      });
    // Each measured run starts right after a checkpoint, so each pays the same full-page writes.
    const checkpoint = () => db.pool.query('CHECKPOINT');
    const everyStatus = { statuses: [...LEAD_STATUSES] };

    log('scoring: initial scoring (never-scored leads, signal run)');
    const initial = await run('initial', {});
    // Autovacuum would run during the measurements otherwise; production tables are vacuumed too.
    // Sold and reserved leads were left out by default; score them once so the forced runs below are steady state.
    await run('initial (other statuses)', { filter: everyStatus });
    await db.pool.query('VACUUM ANALYZE base_leads, score_explanations, lead_rank, system_events');

    await checkpoint();
    log('scoring: forced rescore of 100,000 leads (memory baseline)');
    const small = await withRss(() => run('forced-100k', { force: true, filter: everyStatus, maxLeads: Math.min(100_000, leads) }));
    await checkpoint();
    log('scoring: (a) forced rescore of every lead, nothing changed');
    sampler = memoryByTenth(leads);
    const noChange = await withRss(() => run('no-change', { force: true, filter: everyStatus }));
    const tenths = sampler.result();
    sampler = undefined;

    await checkpoint();
    log('scoring: (b) touching 1% of leads (a new hail trigger each)');
    const t = performance.now();
    const touched = await db.pool.query(
      `INSERT INTO lead_triggers (base_lead_id, trigger_type, source_key, trigger_date, trigger_strength, trigger_details)
       SELECT id, 'weather_event', 'bench:touch', now(), 90, '{"event_type":"Hail","hail_size_inches":1.75}'::jsonb
         FROM base_leads WHERE deleted_at IS NULL AND abs(hashtext(id::text)) % 100 = 0
       ON CONFLICT DO NOTHING`,
    );
    const touchSeconds = round((performance.now() - t) / 1000, 2);
    const signal = await run('signal', {});

    await checkpoint();
    log('scoring: (c) all-changed floor: in-database UPDATEs of the same columns');
    const floor = await walMB(db, () => measureAllChangedFloor(db));
    await checkpoint();
    log('scoring: (c) all changed: the signal run after it');
    const allChanged = await walMB(db, () => run('all-changed', { filter: everyStatus }));

    await checkpoint();
    log('scoring: (d) version bump: only the versions are older');
    await db.pool.query(`UPDATE base_leads SET scorer_version = ${OLDER_VERSION_SQL} WHERE quality_score IS NOT NULL AND deleted_at IS NULL`);
    await db.pool.query(`UPDATE score_explanations SET scorer_version = ${OLDER_VERSION_SQL}`);
    await checkpoint();
    const bump = await walMB(db, () => run('version-bump', { filter: everyStatus }));

    const ratio = round(allChanged.result.elapsedMs / 1000 / floor.result.seconds, 2);
    return {
      bench: 'scoring',
      leads,
      chunkSize,
      data,
      initial: summary(initial),
      noChange: { ...summary(noChange.result), peakRssMB: noChange.peakRssMB, startRssMB: noChange.startRssMB },
      allChanged: {
        ...summary(allChanged.result), walMB: allChanged.walMB,
        floor: { ...floor.result, walMB: floor.walMB },
        ratioToFloor: ratio,
      },
      versionBump: { ...summary(bump.result), walMB: bump.walMB },
      signal: {
        touched: touched.rowCount ?? 0,
        touchSeconds,
        ...summary(signal),
        shareOfNoChangeTime: round(signal.elapsedMs / noChange.result.elapsedMs, 3),
      },
      memory: {
        peakRssMB100k: small.peakRssMB,
        peakRssMB1M: noChange.peakRssMB,
        byTenthOfFullRun: tenths,
        note: 'peak RSS while rescoring 100,000 and then all leads; per tenth of the full run, its peak RSS and the live heap after a full GC at its end. At most five chunks are in flight (the next read of each of two readers, one scored, one written), so what the run retains does not grow with the row count; peaks differ by when V8 collects.',
      },
      server: await serverSettings(db),
      targets: {
        noChangeRowsPerSecond: { target: 50_000, measured: noChange.result.rowsPerSecond, met: noChange.result.rowsPerSecond >= 50_000 },
        allChangedRowsPerSecond: { target: 25_000, measured: allChanged.result.rowsPerSecond, met: allChanged.result.rowsPerSecond >= 25_000 },
        allChangedRatioToFloor: { target: 1.5, measured: ratio, met: ratio <= 1.5 },
      },
    };
  } finally {
    await db.close();
  }
}
