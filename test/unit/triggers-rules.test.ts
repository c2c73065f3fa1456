import { describe, expect, it } from 'vitest';
import {
  NEIGHBOR_RADIUS_M,
  expiresAt,
  hailStrength,
  hurricaneCategory,
  hurricaneStrength,
  insuranceClaimStrength,
  neighborPermitsStrength,
  roofAgeStrength,
  saleStrength,
  tornadoScale,
  tornadoStrength,
  weatherStrength,
  windMph,
  windStrength,
} from '../../src/modules/triggers/triggers.rules.ts';
import { triggerKindOf } from '../../src/modules/scoring/score-inputs.ts';

// Every expected value below is worked out by hand from the rule stated in triggers.rules.ts (seed 002 §3.5.3).

describe('neighbor permits (70–90 by the 30-day count)', () => {
  it('needs 5 permits, then 70 + 5 per extra permit, capped at 90', () => {
    expect(neighborPermitsStrength(0)).toBeNull();
    expect(neighborPermitsStrength(4)).toBeNull();
    expect(neighborPermitsStrength(5)).toBe(70);
    expect(neighborPermitsStrength(6)).toBe(75);
    expect(neighborPermitsStrength(8)).toBe(85);
    expect(neighborPermitsStrength(9)).toBe(90);
    expect(neighborPermitsStrength(40)).toBe(90);
  });
  it('uses a 0.25 mile radius in metres (1320 ft × 0.3048)', () => {
    expect(NEIGHBOR_RADIUS_M).toBeCloseTo(402.336, 9);
  });
});

describe('weather (80–100 by severity)', () => {
  it('hail: ≤ 1.00" and unknown → 80, 2.75"+ → 100, linear between', () => {
    expect(hailStrength(null)).toBe(80);
    expect(hailStrength(0.75)).toBe(80);
    expect(hailStrength(1)).toBe(80);
    // 80 + 0.75/1.75 × 20 = 88.571 → 89
    expect(hailStrength(1.75)).toBe(89);
    // 80 + 1.0/1.75 × 20 = 91.43 → 91
    expect(hailStrength(2)).toBe(91);
    // 80 + 1.5/1.75 × 20 = 97.14 → 97
    expect(hailStrength(2.5)).toBe(97);
    expect(hailStrength(2.75)).toBe(100);
    expect(hailStrength(4.5)).toBe(100);
  });
  it('wind: over 60 mph only; 61 → 80, 100+ → 100', () => {
    expect(windStrength(null)).toBeNull();
    expect(windStrength(60)).toBeNull();
    expect(windStrength(60.5)).toBe(80);
    expect(windStrength(61)).toBe(80);
    // 80 + 19 × 20/39 = 89.74 → 90
    expect(windStrength(80)).toBe(90);
    expect(windStrength(100)).toBe(100);
    expect(windStrength(130)).toBe(100);
  });
  it('wind speed is knots × 1.150779 when knots are known (exact, before any rounding), else the stated mph', () => {
    expect(windMph(70, null)).toBe(70);
    expect(windMph(58, 50)).toBeCloseTo(57.539, 3);
    // 52.2 kt = 60.07 mph: over 60, although the stored whole mph would be 60
    expect(windStrength(windMph(60, 52.2))).toBe(80);
    expect(windStrength(60)).toBeNull();
    // 52 kt = 59.84 mph: not a trigger; 53 kt = 60.99 mph: a trigger at the floor
    expect(windStrength(windMph(null, 52))).toBeNull();
    expect(windStrength(windMph(null, 53))).toBe(80);
    expect(windMph(null, null)).toBeNull();
  });
  it('tornado: EF0 → 80, +4 per step, EF5 → 100; EFU → 80', () => {
    expect(tornadoScale('EF2')).toBe(2);
    expect(tornadoScale('F3')).toBe(3);
    expect(tornadoScale('ef-4')).toBe(4);
    expect(tornadoScale('EFU')).toBeNull();
    expect(tornadoStrength('EF0')).toBe(80);
    expect(tornadoStrength('EF2')).toBe(88);
    expect(tornadoStrength('F3')).toBe(92);
    expect(tornadoStrength('EF5')).toBe(100);
    expect(tornadoStrength('EFU')).toBe(80);
    expect(tornadoStrength(null)).toBe(80);
  });
  it('hurricane: Saffir-Simpson category 1 → 80 … 5 → 100; unknown → 80', () => {
    expect(hurricaneCategory(73)).toBeNull();
    expect(hurricaneCategory(74)).toBe(1);
    expect(hurricaneCategory(110)).toBe(2);
    expect(hurricaneCategory(111)).toBe(3);
    expect(hurricaneCategory(156)).toBe(4);
    expect(hurricaneCategory(157)).toBe(5);
    expect(hurricaneStrength(null)).toBe(80);
    expect(hurricaneStrength(100)).toBe(85);
    expect(hurricaneStrength(120)).toBe(90);
    expect(hurricaneStrength(140)).toBe(95);
    expect(hurricaneStrength(160)).toBe(100);
  });
  it('dispatches by kind; other NOAA types are no trigger', () => {
    expect(weatherStrength({ kind: 'hail', hailSizeInches: 1.75, windMph: null, tornadoRating: null })).toBe(89);
    expect(weatherStrength({ kind: 'wind', hailSizeInches: null, windMph: 60, tornadoRating: null })).toBeNull();
    expect(weatherStrength({ kind: 'tornado', hailSizeInches: null, windMph: null, tornadoRating: 'EF2' })).toBe(88);
    expect(weatherStrength({ kind: 'other', hailSizeInches: null, windMph: 90, tornadoRating: null })).toBeNull();
  });
});

describe('roof age (50–70)', () => {
  it('over 20 years: 21 → 50, 40+ → 70, linear between', () => {
    expect(roofAgeStrength(20)).toBeNull();
    expect(roofAgeStrength(21)).toBe(50);
    // 50 + 4 × 20/19 = 54.21 → 54
    expect(roofAgeStrength(25)).toBe(54);
    // 50 + 9 × 20/19 = 59.47 → 59
    expect(roofAgeStrength(30)).toBe(59);
    expect(roofAgeStrength(40)).toBe(70);
    expect(roofAgeStrength(75)).toBe(70);
  });
});

describe('insurance claim (90–100)', () => {
  it('a permit mentioning a claim is 90; with a claim number, 100', () => {
    expect(insuranceClaimStrength('Re-roof, hail damage, insurance job')).toBe(90);
    expect(insuranceClaimStrength('Tear off and replace; State Farm claim # 44-9812-X7')).toBe(100);
    expect(insuranceClaimStrength('claim no. 77812 per adjuster')).toBe(100);
    expect(insuranceClaimStrength('Adjuster approved full replacement')).toBe(90);
    expect(insuranceClaimStrength('Replace 30 squares of shingles')).toBeNull();
    // "claim" alone (e.g. a land claim) is no insurance evidence
    expect(insuranceClaimStrength('Reclaimed wood deck')).toBeNull();
  });
});

describe('property sale (40–60, most recent strongest)', () => {
  it('0 days → 60, linear to 40 at 365 days; none outside the 12 months', () => {
    expect(saleStrength(-1)).toBeNull();
    expect(saleStrength(0)).toBe(60);
    // 60 − 182 × 20/365 = 50.03 → 50
    expect(saleStrength(182)).toBe(50);
    // 60 − 300 × 20/365 = 43.56 → 44
    expect(saleStrength(300)).toBe(44);
    // 60 − 364 × 20/365 = 40.05 → 40
    expect(saleStrength(364)).toBe(40);
    expect(saleStrength(365)).toBeNull();
  });
});

describe('expiry (seed 002 §3.5.3 "Trigger Expiration")', () => {
  const t = new Date('2026-03-01T12:00:00Z');
  it('weather 180 days, neighbor permits 90, sale and insurance 365, roof age never', () => {
    expect(expiresAt('weather_event', t)?.toISOString()).toBe('2026-08-28T12:00:00.000Z');
    expect(expiresAt('neighbor_permits', t)?.toISOString()).toBe('2026-05-30T12:00:00.000Z');
    expect(expiresAt('property_sale', t)?.toISOString()).toBe('2027-03-01T12:00:00.000Z');
    expect(expiresAt('insurance_claim', t)?.toISOString()).toBe('2027-03-01T12:00:00.000Z');
    expect(expiresAt('roof_age', t)).toBeNull();
  });
});

describe('what detection writes is what the scorer reads', () => {
  it('weather_event rows carry event_type; neighbor_permits rows carry a count ≥ 5', () => {
    expect(triggerKindOf('weather_event', 'hail', null)).toBe('hail');
    expect(triggerKindOf('weather_event', 'wind', null)).toBe('wind');
    expect(triggerKindOf('weather_event', 'tornado', null)).toBe('wind');
    expect(triggerKindOf('weather_event', 'hurricane', null)).toBe('wind');
    expect(triggerKindOf('neighbor_permits', null, 5)).toBe('neighbor_permits');
    expect(triggerKindOf('insurance_claim', null, null)).toBe('insurance_claim');
  });
});
