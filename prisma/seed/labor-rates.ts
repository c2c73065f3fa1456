/**
 * Local labor rates and material cost indices for cost estimation
 * (seed 002 §3.4.3: "Local labor rates (by city)", "Material costs").
 *
 * Nothing here is a hand-typed per-city number. Every rate is derived by one
 * documented rule:
 *
 *   hourlyRate        = BASE_HOURLY_RATE[trade]
 *                       × STATE_COST_INDEX[state]
 *                       × TIER_LABOR_ADJUSTMENT[tier]          (rounded to cents)
 *   materialCostIndex = 1 + MATERIAL_PASS_THROUGH × (STATE_COST_INDEX[state] − 1)
 *                                                                (3 decimals)
 *
 * These are planning baselines for estimate ranges, not quotes. Replace with
 * observed local data when available (keep `source` to tell them apart).
 */

import type { CityTier, TargetCity, UsStateCode } from './cities.js';
import { TARGET_CITIES } from './cities.js';
import type { TradeSlug } from './taxonomy.js';

/** Trades that have a labor-rate baseline. */
export const LABOR_TRADES = [
  'roof',
  'hvac',
  'plumbing',
  'electrical',
  'siding',
  'windows',
  'concrete',
  'fence',
  'pool',
  'foundation',
] as const satisfies readonly TradeSlug[];

export type LaborTrade = (typeof LABOR_TRADES)[number];

export const LABOR_RATE_SOURCE = 'tradelead-baseline-2026' as const;
export type LaborRateSource = typeof LABOR_RATE_SOURCE;

/**
 * National baseline billed labor rate, USD per crew-member hour.
 *
 * Spirit of the sources: BLS OEWS national median wages (roughly roofers
 * ~$24/h, HVAC mechanics ~$28/h, electricians and plumbers ~$30/h, cement
 * masons ~$25/h, construction laborers ~$22/h) scaled by a typical ~1.8-2x
 * contractor burden (payroll taxes, insurance, overhead, margin), and checked
 * against the ranges consumer cost guides quote for hired labor (roofers
 * ~$40-60/h, electricians and plumbers ~$50-100/h, HVAC techs ~$50-100/h).
 * Rounded, mid-market values; trades with heavier licensing (electrical,
 * plumbing) sit highest, general exterior / fencing labor lowest.
 */
export const BASE_HOURLY_RATE: Readonly<Record<LaborTrade, number>> = {
  roof: 45.0,
  hvac: 55.0,
  plumbing: 60.0,
  electrical: 60.0,
  siding: 42.0,
  windows: 45.0,
  concrete: 40.0,
  fence: 35.0,
  pool: 50.0,
  foundation: 55.0,
};

/**
 * Approximate regional cost multiplier per state, national average = 1.000.
 *
 * This is a Regional-Price-Parity-style index (in the spirit of the BEA's
 * state RPPs, all items), rounded to two decimals and used for both labor and
 * — damped — materials. It is an approximation for estimate ranges, not an
 * official published figure. Covers every state in TARGET_CITIES (enforced by
 * the `Record<UsStateCode, number>` type).
 */
export const STATE_COST_INDEX: Readonly<Record<UsStateCode, number>> = {
  AL: 0.87,
  AZ: 0.99,
  CO: 1.05,
  FL: 1.02,
  GA: 0.93,
  IA: 0.88,
  ID: 0.93,
  IN: 0.9,
  KS: 0.89,
  KY: 0.88,
  LA: 0.89,
  MI: 0.93,
  MN: 0.97,
  MO: 0.89,
  MT: 0.93,
  NC: 0.92,
  ND: 0.89,
  NE: 0.9,
  NM: 0.91,
  OH: 0.9,
  OK: 0.87,
  SC: 0.91,
  SD: 0.88,
  TN: 0.9,
  TX: 0.97,
  WY: 0.91,
};

/**
 * Market-size adjustment on labor only: large tier-1 metros carry a wage and
 * demand premium over the state average; tier-3 markets sit a little below it.
 */
export const TIER_LABOR_ADJUSTMENT: Readonly<Record<CityTier, number>> = {
  1: 1.05,
  2: 1.0,
  3: 0.95,
};

/**
 * Share of the regional price difference that shows up in material prices.
 * Materials (shingles, copper, lumber, equipment) trade nationally, so only
 * about half of the local price level passes through.
 */
export const MATERIAL_PASS_THROUGH = 0.5;

export interface LaborRate {
  readonly city: string;
  readonly state: UsStateCode;
  readonly trade: LaborTrade;
  /** USD per hour, rounded to cents. */
  readonly hourlyRate: number;
  /** 1.000 = national average material cost. */
  readonly materialCostIndex: number;
  readonly source: LaborRateSource;
}

function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round((value + Number.EPSILON) * f) / f;
}

export function materialCostIndexFor(state: UsStateCode): number {
  return roundTo(1 + MATERIAL_PASS_THROUGH * (STATE_COST_INDEX[state] - 1), 3);
}

export function hourlyRateFor(
  city: Pick<TargetCity, 'state' | 'tier'>,
  trade: LaborTrade,
): number {
  return roundTo(
    BASE_HOURLY_RATE[trade] * STATE_COST_INDEX[city.state] * TIER_LABOR_ADJUSTMENT[city.tier],
    2,
  );
}

/** Baseline rates for every labor trade in one city. */
export function laborRatesFor(
  city: Pick<TargetCity, 'city' | 'state' | 'tier'>,
): readonly LaborRate[] {
  const materialCostIndex = materialCostIndexFor(city.state);
  return LABOR_TRADES.map((trade) => ({
    city: city.city,
    state: city.state,
    trade,
    hourlyRate: hourlyRateFor(city, trade),
    materialCostIndex,
    source: LABOR_RATE_SOURCE,
  }));
}

/** Flattened table: TARGET_CITIES × LABOR_TRADES (75 × 10 = 750 rows). */
export const LABOR_RATES: readonly LaborRate[] = TARGET_CITIES.flatMap((c) => laborRatesFor(c));
