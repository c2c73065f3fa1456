import type pg from 'pg';
import { VERTICALS } from './taxonomy.js';
import { TARGET_CITIES } from './cities.js';
import { LABOR_RATES } from './labor-rates.js';

export interface SeedCounts {
  verticals: number;
  cities: number;
  laborRates: number;
}

/**
 * Loads reference data idempotently: verticals (seed 001 taxonomy), the 75 target cities (seed 002 §3.1.1)
 * and per-city labor rates. Re-running updates reference fields in place and never touches operational
 * state (a city's `active` flag, scrape counters).
 */
export async function seedReferenceData(pool: pg.Pool | pg.Client): Promise<SeedCounts> {
  // Bulk upserts with unnest: one statement per table instead of one round trip per row.
  const v = await pool.query(
    `INSERT INTO verticals (name, slug, description, trade_group)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, trade_group = EXCLUDED.trade_group`,
    [VERTICALS.map((x) => x.name), VERTICALS.map((x) => x.slug), VERTICALS.map((x) => x.description), VERTICALS.map((x) => x.tradeGroup)],
  );
  const c = await pool.query(
    `INSERT INTO target_cities (city, state, tier, priority, population, median_home_value, storm_risk_score, time_zone,
                                permit_source, assessor_source, permit_search_strategy, assessor_config, active, updated_at)
     SELECT city, state, tier, priority, population, mhv, storm, tz, ps, asrc, ps->>'kind', jsonb_build_object('county', county), false, now()
     FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::numeric[], $7::int[], $8::text[], $9::jsonb[], $10::jsonb[], $11::text[])
          AS t(city, state, tier, priority, population, mhv, storm, tz, ps, asrc, county)
     ON CONFLICT (city, state) DO UPDATE SET
       tier = EXCLUDED.tier, priority = EXCLUDED.priority, population = EXCLUDED.population,
       median_home_value = EXCLUDED.median_home_value, storm_risk_score = EXCLUDED.storm_risk_score,
       time_zone = EXCLUDED.time_zone, permit_source = EXCLUDED.permit_source, assessor_source = EXCLUDED.assessor_source,
       permit_search_strategy = EXCLUDED.permit_search_strategy,
       assessor_config = COALESCE(target_cities.assessor_config, '{}'::jsonb) || EXCLUDED.assessor_config,
       updated_at = now()`,
    [
      TARGET_CITIES.map((x) => x.city), TARGET_CITIES.map((x) => x.state), TARGET_CITIES.map((x) => x.tier),
      TARGET_CITIES.map((x) => x.priority), TARGET_CITIES.map((x) => x.population), TARGET_CITIES.map((x) => x.medianHomeValue),
      TARGET_CITIES.map((x) => x.stormRiskScore), TARGET_CITIES.map((x) => x.timeZone),
      TARGET_CITIES.map((x) => JSON.stringify(x.permitSource)), TARGET_CITIES.map((x) => JSON.stringify(x.assessorSource)),
      TARGET_CITIES.map((x) => x.countyName),
    ],
  );
  const l = await pool.query(
    `INSERT INTO labor_rates (target_city_id, trade, hourly_rate, material_cost_index, source, updated_at)
     SELECT tc.id, r.trade, r.rate, r.mci, r.source, now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::text[]) AS r(city, state, trade, rate, mci, source)
     JOIN target_cities tc ON tc.city = r.city AND tc.state = r.state
     ON CONFLICT (target_city_id, trade) DO UPDATE SET hourly_rate = EXCLUDED.hourly_rate,
       material_cost_index = EXCLUDED.material_cost_index, source = EXCLUDED.source, updated_at = now()`,
    [
      LABOR_RATES.map((x) => x.city), LABOR_RATES.map((x) => x.state), LABOR_RATES.map((x) => x.trade),
      LABOR_RATES.map((x) => x.hourlyRate), LABOR_RATES.map((x) => x.materialCostIndex), LABOR_RATES.map((x) => x.source),
    ],
  );
  return { verticals: v.rowCount ?? 0, cities: c.rowCount ?? 0, laborRates: l.rowCount ?? 0 };
}
