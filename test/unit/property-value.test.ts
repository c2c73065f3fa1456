import { describe, expect, it } from 'vitest';
import { marketValueFromAssessed, RESIDENTIAL_ASSESSMENT_RATIOS } from '../../prisma/seed/assessment-ratios.ts';
import { propertyValueOf, propertyValueReason, propertyValueSql } from '../../src/modules/scoring/property-value.ts';
import { scorePropertyQuality } from '../../src/modules/scoring/property-quality.scorer.ts';
import { scoreTradeQuality } from '../../src/modules/scoring/trade-quality.scorer.ts';
import { TARGET_CITIES } from '../../prisma/seed/cities.ts';

describe('property value = market value (issue 8 §3)', () => {
  it('a known market value wins over any assessed value', () => {
    expect(propertyValueOf({ marketValue: 533_000, assessedValue: 35_711, state: 'CO' })).toEqual({ value: 533_000, estimate: null });
  });
  it('an assessed-only Denver parcel: $35,711 ÷ 6.7 % = $533,000', () => {
    expect(propertyValueOf({ marketValue: null, assessedValue: 35_711, state: 'co' })).toEqual({
      value: 533_000, estimate: { assessedValue: 35_711, state: 'CO', ratio: 0.067 },
    });
    expect(marketValueFromAssessed(250_000, 'TX')).toBe(250_000); // Texas assesses at 100 %
    expect(marketValueFromAssessed(45_000, 'AZ')).toBe(450_000);
  });
  it('no ratio for the state: unknown, and says why', () => {
    expect(propertyValueOf({ marketValue: null, assessedValue: 10_000, state: 'ZZ' })).toEqual({
      value: null, estimate: null, unconvertible: { assessedValue: 10_000, state: 'ZZ' },
    });
    expect(propertyValueOf({ marketValue: null, assessedValue: null, state: 'CO' })).toEqual({ value: null, estimate: null });
  });
  it('has a ratio for the state of every target city', () => {
    const missing = [...new Set(TARGET_CITIES.map((c) => c.state))].filter((s) => !(s in RESIDENTIAL_ASSESSMENT_RATIOS));
    expect(missing).toEqual([]);
  });
  it('both scorers say "estimated from assessed value" and score the estimate', () => {
    const estimate = { assessedValue: 35_711, state: 'CO', ratio: 0.067 };
    const reason = 'property value $533,000, estimated from assessed value $35,711 (CO residential assessment ratio 6.7 %)';
    expect(propertyValueReason(533_000, estimate)).toBe(reason);
    const roof = scorePropertyQuality({ propertyValue: 533_000, propertyValueEstimate: estimate });
    expect(roof.factors[0]).toEqual({ name: 'property_value', points: 20, max: 20, reason });
    const pool = scoreTradeQuality({ propertyValue: 533_000, propertyValueEstimate: estimate }, { trade: 'pool' });
    expect(pool.factors[1]).toEqual({ name: 'property_value', points: 20, max: 20, reason });
  });
  it('the SQL twin reads the same table', () => {
    const sql = propertyValueSql('b');
    expect(sql).toMatch(/^COALESCE\(b\.property_value, b\.market_value, round\(b\.assessed_value \/ \(CASE upper\(b\.state\) /);
    expect(sql).toContain(`WHEN 'CO' THEN 0.067`);
    expect(sql).toContain(`WHEN 'TX' THEN 1`);
  });
});
