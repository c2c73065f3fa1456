import type pg from 'pg';
import type { z } from 'zod';
import { VERTICALS } from './taxonomy.js';
import { TARGET_CITIES, type TargetCity } from './cities.js';
import { ZAssessorSourceConfig, ZPermitSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';
import { LABOR_RATES } from './labor-rates.js';

export interface SeedCounts {
  verticals: number;
  cities: number;
  laborRates: number;
}

/**
 * A city's sources as stored: parsed by the acquisition contracts (defaults filled in), so a malformed entry stops the
 * seed with the city and the bad field named instead of reaching a scraper. null stays SQL NULL.
 */
export function storedSources(c: TargetCity): { permitSource: string | null; assessorSource: string | null } {
  const parse = (what: string, schema: z.ZodType, v: unknown) => {
    const r = schema.safeParse(v);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Error(`${c.city}, ${c.state}: ${what}.${issue.path.map(String).join('.')}: ${issue.message}`);
    }
    return JSON.stringify(r.data);
  };
  return {
    permitSource: c.permitSource ? parse('permitSource', ZPermitSourceConfig, c.permitSource) : null,
    assessorSource: c.assessorSource ? parse('assessorSource', ZAssessorSourceConfig, c.assessorSource) : null,
  };
}

/**
 * Loads reference data idempotently: verticals (seed 001 taxonomy), the 75 target cities (seed 002 §3.1.1)
 * and per-city labor rates. Re-running updates reference fields in place and never touches operational
 * state (a city's `active` flag, scrape counters).
 */
export async function seedReferenceData(pool: pg.Pool | pg.Client): Promise<SeedCounts> {
  const sources = TARGET_CITIES.map(storedSources);
  // Bulk upserts with unnest: one statement per table instead of one round trip per row.
  const v = await pool.query(
    `INSERT INTO verticals (name, slug, description, trade_group)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, trade_group = EXCLUDED.trade_group`,
    [VERTICALS.map((x) => x.name), VERTICALS.map((x) => x.slug), VERTICALS.map((x) => x.description), VERTICALS.map((x) => x.tradeGroup)],
  );
  const c = await pool.query(
    `INSERT INTO target_cities (city, state, tier, priority, population, median_home_value, storm_risk_score, time_zone,
                                permit_source, assessor_source, permit_search_strategy, assessor_config, active, updated_at, permit_config)
     SELECT city, state, tier, priority, population, mhv, storm, tz, ps, asrc, ps->>'kind', jsonb_build_object('county', county), false, now(), pcfg
     FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::numeric[], $7::int[], $8::text[], $9::jsonb[], $10::jsonb[], $11::text[], $12::jsonb[])
          AS t(city, state, tier, priority, population, mhv, storm, tz, ps, asrc, county, pcfg)
     ON CONFLICT (city, state) DO UPDATE SET
       tier = EXCLUDED.tier, priority = EXCLUDED.priority, population = EXCLUDED.population,
       median_home_value = EXCLUDED.median_home_value, storm_risk_score = EXCLUDED.storm_risk_score,
       time_zone = EXCLUDED.time_zone, permit_source = EXCLUDED.permit_source, assessor_source = EXCLUDED.assessor_source,
       permit_search_strategy = EXCLUDED.permit_search_strategy,
       assessor_config = COALESCE(target_cities.assessor_config, '{}'::jsonb) || EXCLUDED.assessor_config,
       -- The seed owns only these two keys of permit_config; anything else stored there is kept.
       permit_config = (COALESCE(target_cities.permit_config, '{}'::jsonb) - 'unconfigured' - 'notes') || EXCLUDED.permit_config,
       updated_at = now()`,
    [
      TARGET_CITIES.map((x) => x.city), TARGET_CITIES.map((x) => x.state), TARGET_CITIES.map((x) => x.tier),
      TARGET_CITIES.map((x) => x.priority), TARGET_CITIES.map((x) => x.population), TARGET_CITIES.map((x) => x.medianHomeValue),
      TARGET_CITIES.map((x) => x.stormRiskScore), TARGET_CITIES.map((x) => x.timeZone),
      sources.map((x) => x.permitSource), sources.map((x) => x.assessorSource),
      TARGET_CITIES.map((x) => x.countyName), TARGET_CITIES.map((x) => JSON.stringify(x.permitConfig)),
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
