import type pg from 'pg';
import { backfillLeadRank } from './lib.ts';

/**
 * Synthetic data for `npm run bench -- scoring`, generated inside PostgreSQL with generate_series (a million
 * leads in well under a minute; encrypting a million contacts in JS would take longer than the benchmark).
 * Widths match real rows: owner contacts are ciphertext-sized strings, every index of base_leads exists.
 * The side data is what the batch engine reads: roofing rows (roof age, storm flags), roof analyses (one or
 * two per analysed lead), lead triggers (weather, neighbor permits, insurance claims, and kinds that score
 * nothing), verified and unverified contacts, missing fields, and exclusive territories.
 *
 * Deterministic: every "random" draw is a hash of the row number, so two runs produce the same data.
 */

const MARKETS: [string, string, string, number, number][] = [
  ['Austin', 'TX', '787', 30.27, -97.74], ['Dallas', 'TX', '752', 32.78, -96.8], ['Houston', 'TX', '770', 29.76, -95.37],
  ['San Antonio', 'TX', '782', 29.42, -98.49], ['Denver', 'CO', '802', 39.74, -104.99], ['Phoenix', 'AZ', '850', 33.45, -112.07],
  ['Atlanta', 'GA', '303', 33.75, -84.39], ['Charlotte', 'NC', '282', 35.23, -80.84], ['Nashville', 'TN', '372', 36.16, -86.78],
  ['Tampa', 'FL', '336', 27.95, -82.46], ['Orlando', 'FL', '328', 28.54, -81.38], ['Oklahoma City', 'OK', '731', 35.47, -97.52],
  ['Kansas City', 'MO', '641', 39.1, -94.58], ['Omaha', 'NE', '681', 41.26, -95.93], ['Minneapolis', 'MN', '554', 44.98, -93.27],
  ['Columbus', 'OH', '432', 39.96, -83.0], ['Indianapolis', 'IN', '462', 39.77, -86.16], ['Raleigh', 'NC', '276', 35.78, -78.64],
  ['Birmingham', 'AL', '352', 33.52, -86.8], ['Louisville', 'KY', '402', 38.25, -85.76], ['Wichita', 'KS', '672', 37.69, -97.34],
  ['Tulsa', 'OK', '741', 36.15, -95.99], ['Memphis', 'TN', '381', 35.15, -90.05], ['Jacksonville', 'FL', '322', 30.33, -81.66],
  ['Colorado Springs', 'CO', '809', 38.83, -104.82],
];
const OTHER_TRADES = ['hvac', 'plumbing', 'siding', 'windows', 'electrical', 'pool', 'fence', 'concrete'];
const STREETS = ['Oak', 'Maple', 'Cedar', 'Pecan', 'Elm', 'Willow', 'Magnolia', 'Juniper', 'Hickory', 'Aspen'];

const u = (k: number) => `pg_temp.u(g, ${k})`;

export interface ScoringBenchCounts {
  leads: number;
  roofingLeads: number;
  roofAnalyses: number;
  leadTriggers: number;
  territories: number;
  seconds: number;
}

/** Inserts `n` leads and their side data. Triggers are off for the load (every lead is unscored anyway). */
export async function generateScoringBenchData(pool: pg.Pool, n: number, log: (m: string) => void = () => {}): Promise<ScoringBenchCounts> {
  const t0 = performance.now();
  const c = await pool.connect();
  try {
    // A bulk load: the score-signal triggers would only stamp leads that are unscored (and so pending) anyway.
    await c.query(`SET session_replication_role = replica`);
    await c.query(`CREATE FUNCTION pg_temp.u(g bigint, k int) RETURNS float8 LANGUAGE sql IMMUTABLE AS
      $$ SELECT (hashint8(g * 1000003 + k)::bigint & 2147483647)::float8 / 2147483648 $$`);
    const markets = `(VALUES ${MARKETS.map((m, i) => `(${i}, '${m[0]}', '${m[1]}', '${m[2]}', ${m[3]}::float8, ${m[4]}::float8)`).join(', ')}) AS m(i, city, state, zp, lat, lng)`;
    const step = 100_000;
    for (let from = 1; from <= n; from += step) {
      const to = Math.min(n, from + step - 1);
      await c.query(`
        INSERT INTO base_leads (trade, trade_group, category, status, address, city, state, zip, lat, lng, property_value,
          year_built, sqft, property_type, owner_name, owner_email_enc, owner_email_hash, owner_email_verified,
          owner_phone_enc, owner_phone_hash, owner_phone_verified, source, created_at, updated_at)
        SELECT x.trade, CASE WHEN x.trade IN ('roof', 'siding', 'windows') THEN 'exterior' ELSE 'home_systems' END, x.trade,
               (CASE WHEN ${u(3)} < 0.55 THEN 'processing' WHEN ${u(3)} < 0.75 THEN 'scored' WHEN ${u(3)} < 0.92 THEN 'available'
                     WHEN ${u(3)} < 0.96 THEN 'unqualified' WHEN ${u(3)} < 0.98 THEN 'sold' ELSE 'needs_review' END)::lead_status,
               (100 + g) || ' ' || (ARRAY[${STREETS.map((s) => `'${s}'`).join(',')}])[1 + (g % ${STREETS.length})] || ' St',
               m.city, m.state, m.zp || lpad((floor(${u(4)} * 100))::int::text, 2, '0'),
               CASE WHEN ${u(5)} < 0.02 THEN NULL ELSE m.lat + (${u(6)} - 0.5) * 0.3 END,
               CASE WHEN ${u(5)} < 0.02 THEN NULL ELSE m.lng + (${u(7)} - 0.5) * 0.3 END,
               CASE WHEN ${u(8)} < 0.05 THEN NULL ELSE round((60000 + ${u(9)} * 940000)::numeric, -3) END,
               CASE WHEN ${u(10)} < 0.04 THEN NULL ELSE 1950 + floor(${u(11)} * 74)::int END,
               CASE WHEN ${u(12)} < 0.06 THEN NULL ELSE 900 + floor(${u(13)} * 3500)::int END,
               CASE WHEN ${u(14)} < 0.30 THEN NULL ELSE 'single_family' END,
               CASE WHEN ${u(15)} < 0.05 THEN NULL ELSE 'Owner ' || g END,
               CASE WHEN ${u(16)} < 0.25 THEN NULL ELSE 'v1.' || md5(g::text) || '.' || md5((g + 7)::text) END,
               CASE WHEN ${u(16)} < 0.25 THEN NULL ELSE md5(g::text) || md5((g + 3)::text) END,
               ${u(16)} >= 0.25 AND ${u(17)} < 0.45,
               CASE WHEN ${u(18)} < 0.35 THEN NULL ELSE 'v1.' || md5((g + 11)::text) END,
               CASE WHEN ${u(18)} < 0.35 THEN NULL ELSE md5((g + 5)::text) || md5((g + 9)::text) END,
               ${u(18)} >= 0.35 AND ${u(19)} < 0.40,
               'bench', now() - ${u(20)} * interval '90 days', now()
          FROM generate_series(${from}::bigint, ${to}::bigint) g
          JOIN ${markets} ON m.i = g % ${MARKETS.length}
          CROSS JOIN LATERAL (SELECT CASE WHEN ${u(1)} < 0.55 THEN 'roof'
                                          ELSE (ARRAY[${OTHER_TRADES.map((t) => `'${t}'`).join(',')}])[1 + floor(${u(2)} * ${OTHER_TRADES.length})::int] END AS trade) x`);
      log(`scoring: ${to.toLocaleString()} / ${n.toLocaleString()} leads`);
    }
    // Side data keyed on a per-lead draw from the lead's id (stable across runs for the same ids ordering).
    await c.query(`CREATE TEMP TABLE bench_ids AS SELECT id, trade, zip, row_number() OVER (ORDER BY created_at, id) AS g FROM base_leads`);
    await c.query(`
      INSERT INTO roofing_leads (base_lead_id, estimated_roof_age, hail_event_30d, hail_event_90d, wind_event_30d, neighbor_permits_30d)
      SELECT id, CASE WHEN ${u(21)} < 0.5 THEN NULL ELSE 3 + floor(${u(22)} * 35)::int END,
             ${u(23)} < 0.02, ${u(23)} < 0.06, ${u(24)} < 0.04, floor(power(${u(25)}, 3) * 9)::int
        FROM bench_ids WHERE trade = 'roof' AND ${u(26)} < 0.8`);
    const conditions = `(ARRAY['excellent','good','good','fair','fair','fair','poor','poor','critical'])[1 + floor(${u(31)} * 9)::int]`;
    await c.query(`
      INSERT INTO roof_analysis (base_lead_id, overall_condition, estimated_age, confidence_score, analyzed_at)
      SELECT id, ${conditions}, CASE WHEN ${u(32)} < 0.4 THEN NULL ELSE 2 + floor(${u(33)} * 30)::int END,
             round((60 + ${u(34)} * 40)::numeric, 2), now() - (30 + ${u(35)} * 300) * interval '1 day'
        FROM bench_ids WHERE ${u(30)} < 0.4
      UNION ALL
      SELECT id, ${conditions.replace('31', '36')}, NULL, 90, now() - ${u(37)} * interval '20 days'
        FROM bench_ids WHERE ${u(30)} < 0.1`);
    await c.query(`
      INSERT INTO lead_triggers (base_lead_id, trigger_type, source_key, trigger_date, trigger_strength, trigger_details, active)
      SELECT id, t.type, 'bench:' || k, now() - ${u(42)} * interval '60 days', 50 + floor(${u(43)} * 50)::int, t.details, ${u(44)} < 0.85
        FROM bench_ids
        CROSS JOIN LATERAL generate_series(1, CASE WHEN ${u(40)} < 0.04 THEN 2 ELSE 1 END) k
        CROSS JOIN LATERAL (SELECT CASE floor(${u(41)} * 10 + k)::int % 10
                 WHEN 0 THEN 'weather_event' WHEN 1 THEN 'weather_event' WHEN 2 THEN 'weather_event'
                 WHEN 3 THEN 'neighbor_permits' WHEN 4 THEN 'neighbor_permits' WHEN 5 THEN 'insurance_claim'
                 WHEN 6 THEN 'roof_age' WHEN 7 THEN 'property_sale' WHEN 8 THEN 'damage_detected' ELSE 'weather_event' END AS type) tt
        CROSS JOIN LATERAL (SELECT tt.type, CASE tt.type
                 WHEN 'weather_event' THEN jsonb_build_object('event_type', CASE WHEN ${u(45)} < 0.4 THEN 'Hail' ELSE 'Thunderstorm Wind' END, 'distance_miles', round((${u(46)} * 5)::numeric, 2))
                 WHEN 'neighbor_permits' THEN jsonb_build_object('count', 3 + floor(${u(47)} * 9)::int, 'radius_miles', 0.25)
                 WHEN 'damage_detected' THEN jsonb_build_object('damage_type', CASE WHEN ${u(48)} < 0.5 THEN 'hail' ELSE 'missing_shingles' END)
                 ELSE '{}'::jsonb END AS details) t
       WHERE ${u(40)} < 0.15`);
    await c.query(`INSERT INTO contractors (company_name, city, state) SELECT 'Bench Roofing ' || g, 'Austin', 'TX' FROM generate_series(1, 300) g`);
    await c.query(`
      INSERT INTO territories (contractor_id, zip, trade, exclusive)
      SELECT c.id, z.zip, 'roof', true
        FROM (SELECT zip, row_number() OVER (ORDER BY md5(zip)) AS r FROM (SELECT DISTINCT zip FROM bench_ids WHERE zip IS NOT NULL) d) z
        JOIN (SELECT id, row_number() OVER (ORDER BY id) AS r FROM contractors) c ON c.r = 1 + (z.r % 300)
       WHERE z.r <= 600`);
    await backfillLeadRank(c);
    await c.query(`SET session_replication_role = origin`);
    log('scoring: VACUUM ANALYZE');
    await c.query('VACUUM ANALYZE');
    const counts = await c.query<{ leads: number; rl: number; ra: number; lt: number; te: number }>(`
      SELECT (SELECT count(*) FROM base_leads)::int AS leads, (SELECT count(*) FROM roofing_leads)::int AS rl,
             (SELECT count(*) FROM roof_analysis)::int AS ra, (SELECT count(*) FROM lead_triggers)::int AS lt,
             (SELECT count(*) FROM territories)::int AS te`);
    const r = counts.rows[0]!;
    return { leads: r.leads, roofingLeads: r.rl, roofAnalyses: r.ra, leadTriggers: r.lt, territories: r.te, seconds: Math.round((performance.now() - t0) / 100) / 10 };
  } finally {
    await c.query('DISCARD ALL').catch(() => {});
    c.release();
  }
}
