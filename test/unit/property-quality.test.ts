import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  completenessPoints, contactPoints, propertyValuePoints, roofAgePoints, scorePropertyQuality,
  type RoofCondition, type TriggerKind,
} from '../../src/modules/scoring/property-quality.scorer.ts';

// Every expectation below is computed by hand from seed 002 §3.5.1.
describe('property quality factors (seed 002 §3.5.1)', () => {
  it('factor 1, property value bands and edges', () => {
    expect([99_999, 100_000, 199_999, 200_000, 299_999, 300_000, 500_000, 500_001, 2_000_000].map(propertyValuePoints)).toEqual([0, 5, 5, 10, 10, 15, 15, 20, 20]);
  });
  it('factor 2, roof age bands and edges', () => {
    expect([0, 9, 10, 14, 15, 19, 20, 25, 26, 40].map(roofAgePoints)).toEqual([0, 0, 5, 5, 10, 10, 15, 15, 20, 20]);
  });
  it('factor 5, contact quality', () => {
    expect(contactPoints('verified', 'verified')).toBe(10);
    expect(contactPoints('verified', 'unverified')).toBe(7);
    expect(contactPoints('verified', 'none')).toBe(7);
    expect(contactPoints('unverified', 'verified')).toBe(4);
    expect(contactPoints('none', 'verified')).toBe(0);
    expect(contactPoints('none', 'none')).toBe(0);
  });
  it('factor 6, completeness', () => {
    expect([0, 1, 2, 3, 9].map(completenessPoints)).toEqual([5, 3, 3, 0, 0]);
  });
});

describe('scorePropertyQuality', () => {
  it('a top lead: 20 + 20 + 25 (capped from 40) + 20 + 10 + 5 = 100, grade A', () => {
    const r = scorePropertyQuality({
      propertyValue: 650_000, roofAgeYears: 28, roofCondition: 'critical',
      triggers: ['hail', 'wind', 'insurance_claim'], contact: { email: 'verified', phone: 'verified' }, missingFields: 0,
    });
    expect(r.score).toBe(100);
    expect(r.grade).toBe('A');
    expect(r.factors.map((f) => f.points)).toEqual([20, 20, 25, 20, 10, 5]);
    expect(r.factors[2]!.reason).toContain('capped at 25');
    expect(r.missingInputs).toEqual([]);
  });

  it('a typical lead: 15 + 15 + 10 + 10 + 7 + 3 = 60, grade D', () => {
    const r = scorePropertyQuality({
      propertyValue: 350_000, roofAgeYears: 22, roofCondition: 'fair',
      triggers: ['neighbor_permits'], contact: { email: 'verified', phone: 'none' }, missingFields: 2,
    });
    expect(r.factors.map((f) => f.points)).toEqual([15, 15, 10, 10, 7, 3]);
    expect(r.score).toBe(60);
    expect(r.grade).toBe('D');
  });

  it('hail + wind = 25 exactly; hail + neighbor permits = 25; wind alone 10', () => {
    const t = (triggers: TriggerKind[]) => scorePropertyQuality({ triggers }).factors.find((f) => f.name === 'trigger_events')!.points;
    expect(t(['hail', 'wind'])).toBe(25);
    expect(t(['hail', 'neighbor_permits'])).toBe(25);
    expect(t(['wind'])).toBe(10);
    expect(t(['wind', 'wind'])).toBe(10); // the same kind twice counts once
    expect(t([])).toBe(0);
  });

  it('below 60 is not for sale: 10 + 5 + 0 + 5 + 4 + 0 = 24, no grade', () => {
    const r = scorePropertyQuality({
      propertyValue: 250_000, roofAgeYears: 12, roofCondition: 'good', triggers: [], contact: { email: 'unverified', phone: 'none' }, missingFields: 4,
    });
    expect(r.score).toBe(24);
    expect(r.grade).toBeNull();
  });

  it('missing inputs score 0 and are listed', () => {
    const r = scorePropertyQuality({ propertyValue: 600_000, roofCondition: 'poor' });
    expect(r.score).toBe(35);
    expect(r.missingInputs).toEqual(['roofAgeYears', 'triggers', 'contact', 'missingFields']);
    expect(r.factors.find((f) => f.name === 'roof_age')).toEqual({ name: 'roof_age', points: 0, max: 20, reason: 'roofAgeYears unknown: scored 0' });
  });

  it('always 0–100, each factor within its max, and the total is the sum', () => {
    const conditions: RoofCondition[] = ['excellent', 'good', 'fair', 'poor', 'critical'];
    const states = ['verified', 'unverified', 'none'] as const;
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 5_000_000 })), fc.option(fc.integer({ min: 0, max: 120 })), fc.option(fc.constantFrom(...conditions)),
        fc.option(fc.subarray(['hail', 'wind', 'neighbor_permits', 'insurance_claim'] as TriggerKind[])),
        fc.constantFrom(...states), fc.constantFrom(...states), fc.option(fc.integer({ min: 0, max: 30 })),
        (pv, age, cond, trig, email, phone, miss) => {
          const r = scorePropertyQuality({ propertyValue: pv, roofAgeYears: age, roofCondition: cond, triggers: trig, contact: { email, phone }, missingFields: miss });
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(100);
          expect(r.score).toBe(r.factors.reduce((s, f) => s + f.points, 0));
          for (const f of r.factors) expect(f.points).toBeLessThanOrEqual(f.max);
          expect(r.factors.reduce((s, f) => s + f.max, 0)).toBe(100);
        },
      ),
    );
  });
});
