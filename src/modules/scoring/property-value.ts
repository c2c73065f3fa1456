import { assessmentRatioOf, marketValueFromAssessed, RESIDENTIAL_ASSESSMENT_RATIOS } from '../../../prisma/seed/assessment-ratios.ts';

/**
 * The property value every scorer, preview and listing reads (issue 8 §3): the market (appraised) value when one is
 * known; otherwise the assessed value converted with the state's residential assessment ratio
 * (prisma/seed/assessment-ratios.ts); otherwise unknown. Pure, with its SQL twin for the listing queries.
 */

export interface ValueEstimate {
  /** The assessed value the estimate came from, dollars. */
  assessedValue: number;
  state: string;
  ratio: number;
}

export interface PropertyValue {
  value: number | null;
  /** Set when the value is estimated from an assessed value (the factor's reason says so). */
  estimate: ValueEstimate | null;
  /** An assessed value was known but the state has no ratio: the reason says why the value is unknown. */
  unconvertible?: { assessedValue: number; state: string | null };
}

export function propertyValueOf(r: { marketValue: number | null; assessedValue: number | null; state: string | null }): PropertyValue {
  if (r.marketValue !== null) return { value: r.marketValue, estimate: null };
  if (r.assessedValue === null) return { value: null, estimate: null };
  const value = marketValueFromAssessed(r.assessedValue, r.state);
  if (value === null) return { value: null, estimate: null, unconvertible: { assessedValue: r.assessedValue, state: r.state } };
  return { value, estimate: { assessedValue: r.assessedValue, state: r.state!.toUpperCase(), ratio: assessmentRatioOf(r.state)! } };
}

const usd = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
const pct = (r: number) => `${Math.round(r * 1000) / 10} %`;

/** The property value factor's reason, for both scorers. */
export function propertyValueReason(value: number, estimate: ValueEstimate | null | undefined): string {
  return estimate
    ? `property value ${usd(value)}, estimated from assessed value ${usd(estimate.assessedValue)} (${estimate.state} residential assessment ratio ${pct(estimate.ratio)})`
    : `property value ${usd(value)}`;
}

/**
 * SQL for the same value over a base_leads alias: COALESCE(property_value, market_value, assessed ÷ ratio). The
 * ratios are literals from the reference table, so the expression needs no join.
 */
export function propertyValueSql(b: string): string {
  const cases = Object.entries(RESIDENTIAL_ASSESSMENT_RATIOS)
    .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
    .join(' ');
  return `COALESCE(${b}.property_value, ${b}.market_value, round(${b}.assessed_value / (CASE upper(${b}.state) ${cases} END)::numeric))`;
}
