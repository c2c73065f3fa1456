import { createHash } from 'node:crypto';

/**
 * Residential assessment ratios by state: assessed value ÷ market (actual) value of a home, as each state's
 * property-tax law sets it for residential property. An assessor record that has only an assessed value is turned
 * into a market value estimate with it (issue 8 §3): Denver assesses a $533,000 house at $35,711 (6.7 %), so that
 * house is a $533,000 lead, not a $35,711 one. Texas appraisal districts assess at 100 % of market value.
 *
 * Pure reference data, kept with the other seeds. The states are those of the target cities (prisma/seed/cities.ts);
 * a state missing here has no estimate (the value factor scores 0 and says why). Where a state's ratio varies by
 * county or by owner-occupancy, the owner-occupied residential rate is used. Changing a row changes
 * ASSESSMENT_RATIOS_VERSION, which is part of the scoring engine's version, so every lead is rescored.
 */
export const RESIDENTIAL_ASSESSMENT_RATIOS: Readonly<Record<string, number>> = {
  AL: 0.1, // Class III residential, 10 %
  AZ: 0.1, // Class 3 owner-occupied residential, 10 % of limited value
  CO: 0.067, // residential assessment rate (Denver fixtures: 35,711 / 533,000)
  FL: 1, // just (market) value
  GA: 0.4, // 40 % of fair market value
  IA: 1, // assessed at 100 % of market (rollback applies to taxable value)
  ID: 1,
  IN: 1, // gross assessed value = market value-in-use
  KS: 0.115, // residential 11.5 %
  KY: 1,
  LA: 0.1, // residential 10 % of fair market value
  MI: 0.5, // state equalized value = 50 % of true cash value
  MN: 1, // estimated market value
  MO: 0.19, // residential 19 %
  MT: 1, // assessed at market value (the 1.35 % is the taxable rate)
  NC: 1,
  ND: 0.5, // assessed value = 50 % of true and full value
  NE: 1, // residential at 100 % of actual value
  NM: 1 / 3, // taxable value = one third of market value
  OH: 0.35, // 35 % of true value
  OK: 0.11, // 11 % (counties set 11–13.5 %)
  SC: 0.04, // owner-occupied legal residence 4 %
  SD: 0.85, // taxable at 85 % of full and true value
  TN: 0.25, // residential 25 %
  TX: 1, // appraisal districts assess at 100 % of market value
  WY: 0.095, // residential 9.5 %
};

export const assessmentRatioOf = (state: string | null | undefined): number | null =>
  (state ? RESIDENTIAL_ASSESSMENT_RATIOS[state.toUpperCase()] : undefined) ?? null;

/** Market value estimated from an assessed value: assessed ÷ ratio, to the dollar; null without a ratio. */
export function marketValueFromAssessed(assessed: number, state: string | null | undefined): number | null {
  const r = assessmentRatioOf(state);
  return r === null || r <= 0 ? null : Math.round(assessed / r);
}

/** A short fingerprint of the table: part of the scoring engine version, so a change rescores every lead. */
export const ASSESSMENT_RATIOS_VERSION = createHash('sha256')
  .update(JSON.stringify(Object.entries(RESIDENTIAL_ASSESSMENT_RATIOS).sort()))
  .digest('hex')
  .slice(0, 8);
