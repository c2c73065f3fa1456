/**
 * scoring.rescore-pipeline and scoring.velocity-snapshot on 100,000 live sales (seed 003): a first run where every
 * row changes, a second where nothing does (read + score only), the next 30-minute tick (the steady state), a
 * run a day later (day counts in every message move), and the daily snapshot with its idempotent re-run. Runs on its own database (<bench db>_pipeline) so it never
 * collides with other benchmarks. Env: BENCH_ASSIGNMENTS (default 100000).
 */
import { parseConfig } from '../../src/config.ts';
import { createContext } from '../../src/platform/bootstrap.ts';
import { rescorePipeline, snapshotVelocity } from '../../src/modules/engagement/pipeline.service.ts';
import { scorePipeline, type PipelineInputs } from '../../src/modules/engagement/pipeline-health.scorer.ts';
import { benchDatabaseUrl, benchEnv, freshBenchDatabase, log, round } from './lib.ts';

const DAY = 86_400_000;

function pipelineBenchDatabaseUrl(): string {
  const u = new URL(benchDatabaseUrl());
  u.pathname = `${u.pathname}_pipeline`;
  return u.toString();
}

export async function benchPipeline(opts: { assignments?: number } = {}) {
  const n = opts.assignments ?? Number(process.env.BENCH_ASSIGNMENTS ?? 100_000);
  const dbUrl = pipelineBenchDatabaseUrl();
  const config = parseConfig(benchEnv(dbUrl));

  log(`pipeline: preparing ${n.toLocaleString()} sales in ${new URL(dbUrl).pathname.slice(1)}`);
  await freshBenchDatabase(dbUrl, config.REDIS_URL);
  const ctx = createContext(config, { role: 'bench', logLevel: 'warn' });
  const pool = ctx.db.pool;
  const t0 = performance.now();
  // Synthetic data in SQL: the bench measures the job, not the loader. Stages spread like a real book of
  // sales: a third untouched, then contacted, appointment, quoted, won; times within the last 60 days.
  await pool.query(`INSERT INTO target_cities (city, state, time_zone) VALUES ('Austin','TX','America/Chicago'), ('Dallas','TX','America/Chicago'), ('Denver','CO','America/Denver')`);
  await pool.query(`INSERT INTO contractors (company_name, city, state) SELECT 'Bench Co ' || i, 'Austin', 'TX' FROM generate_series(1, 200) i`);
  await pool.query(`SELECT setseed(0.42)`);
  await pool.query(
    `INSERT INTO base_leads (trade, address, city, state, zip, status, quality_score, sold_to_contractor_id, last_interaction_at)
     SELECT 'roof', i || ' Bench St', (ARRAY['Austin','Dallas','Denver','Boise'])[1 + i % 4], CASE WHEN i % 4 = 2 THEN 'CO' WHEN i % 4 = 3 THEN 'ID' ELSE 'TX' END,
            '78701', 'sold', 60 + (i % 41), c.ids[1 + i % 200],
            CASE WHEN random() < 0.3 THEN now() - random() * interval '10 days' END
       FROM generate_series(1, $1::int) i, (SELECT array_agg(id ORDER BY id) AS ids FROM contractors) c`,
    [n],
  );
  await pool.query(
    `INSERT INTO lead_assignments (base_lead_id, contractor_id, assigned_at, viewed, viewed_at, contacted, contacted_at,
        appointment_scheduled, appointment_date, quote_provided, quote_date, quote_amount, converted, converted_at, lead_quality_rating, next_follow_up_at)
     SELECT b.id, b.sold_to_contractor_id, x.at, x.stage >= 1, CASE WHEN x.stage >= 1 THEN LEAST(now(), x.at + interval '2 hours') END,
            x.stage >= 2, CASE WHEN x.stage >= 2 THEN LEAST(now(), x.at + x.g1 * interval '1 day') END,
            x.stage >= 3, CASE WHEN x.stage >= 3 THEN LEAST(now(), x.at + (x.g1 + 2) * interval '1 day') END,
            x.stage >= 4, CASE WHEN x.stage >= 4 THEN LEAST(now(), x.at + (x.g1 + x.g2) * interval '1 day') END, CASE WHEN x.stage >= 4 THEN 9500 END,
            x.stage >= 5, CASE WHEN x.stage >= 5 THEN LEAST(now(), x.at + (x.g1 + x.g2 + 10) * interval '1 day') END,
            CASE WHEN random() < 0.3 THEN 1 + floor(random() * 5)::int END,
            CASE WHEN random() < 0.2 THEN now() + (random() * 20 - 5) * interval '1 day' END
       FROM base_leads b,
            -- b.id in the select list makes the subquery correlated, so random() is drawn per row, not once.
            LATERAL (SELECT b.id AS bid, now() - random() * interval '60 days' AS at, floor(random() * 6)::int AS stage, random() * 3 AS g1, 2 + random() * 10 AS g2) x
      WHERE b.sold_to_contractor_id IS NOT NULL`,
  );
  await pool.query('ANALYZE');
  const loadSeconds = (performance.now() - t0) / 1000;

  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const timed = async <T>(label: string, fn: () => Promise<T>) => {
    const s = performance.now();
    const r = await fn();
    const seconds = (performance.now() - s) / 1000;
    log(`pipeline: ${label} ${round(seconds, 2)} s ${JSON.stringify(r)}`);
    return { seconds: round(seconds, 3), result: r };
  };

  try {
    const now = new Date();
    const first = await timed('first run (all rows change)', () => rescorePipeline(ctx, { now }));
    const again = await timed('second run (nothing changed)', () => rescorePipeline(ctx, { now }));
    // The steady state: the next 30-minute tick, where only rows crossing a band or an hour mark change.
    const halfHour = await timed('30 minutes later', () => rescorePipeline(ctx, { now: new Date(now.getTime() + 30 * 60_000) }));
    const nextDay = await timed('a day later', () => rescorePipeline(ctx, { now: new Date(now.getTime() + DAY) }));
    const snap = await timed('velocity snapshot', () => snapshotVelocity(ctx, { asOf: now }));
    const snapAgain = await timed('velocity snapshot re-run', () => snapshotVelocity(ctx, { asOf: now }));

    // The scorer alone, on rows already in memory: how much of a run is JS.
    const sample: PipelineInputs[] = (await pool.query(
      `SELECT a.assigned_at AS "assignedAt", a.viewed, a.viewed_at AS "viewedAt", a.contacted, a.contacted_at AS "contactedAt",
              a.appointment_scheduled AS "appointmentScheduled", a.appointment_date AS "appointmentDate", a.quote_provided AS "quoteProvided",
              a.quote_date AS "quoteDate", a.quote_amount::float8 AS "quoteAmount", a.converted, a.converted_at AS "convertedAt",
              a.next_follow_up_at AS "nextFollowUpAt", a.lead_quality_rating AS "leadQualityRating", 80 AS "qualityScore",
              NULL::timestamptz AS "lastInteractionAt", 'America/Chicago' AS "timeZone"
         FROM lead_assignments a LIMIT 20000`,
    )).rows;
    const s = performance.now();
    for (let k = 0; k < 5; k++) for (const i of sample) scorePipeline(i, now);
    const scorerUs = ((performance.now() - s) * 1000) / (5 * sample.length);

    const perSec = (r: { seconds: number; result: { scanned: number } }) => Math.round(r.result.scanned / r.seconds);
    return {
      assignments: n,
      loadSeconds: round(loadSeconds, 1),
      firstRun: { ...first, rowsPerSecond: perSec(first) },
      unchangedRun: { ...again, rowsPerSecond: perSec(again) },
      thirtyMinutesLaterRun: { ...halfHour, rowsPerSecond: perSec(halfHour) },
      nextDayRun: { ...nextDay, rowsPerSecond: perSec(nextDay) },
      snapshot: { ...snap, rowsPerSecond: perSec(snap) },
      snapshotRerun: snapAgain,
      scorerMicrosecondsPerRow: round(scorerUs, 2),
      rssBeforeMb: Math.round(rssBefore / 1048576),
      peakRssMb: Math.round(peakRss / 1048576),
    };
  } finally {
    clearInterval(sampler);
    await ctx.close();
  }
}
