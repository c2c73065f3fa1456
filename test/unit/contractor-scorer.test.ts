import { describe, expect, it } from 'vitest';
import {
  businessSizePoints, estimateLtvCents, experiencePoints, locationPoints, onlinePresencePoints, priorityScore, scoreContractor,
  scoreConversionLikelihood,
} from '../../src/modules/contractors/contractor.scorer.ts';

// Hand-computed from seed 002 §3.6.3.
describe('contractor fit factors', () => {
  it('online presence adds 5 per signal, 20 max', () => {
    expect(onlinePresencePoints({ hasWebsite: true, googleRating: 4.5, googleReviewCount: 50, bbbAccredited: true })).toBe(20);
    expect(onlinePresencePoints({ hasWebsite: true, googleRating: 4.4, googleReviewCount: 49, bbbAccredited: false })).toBe(5);
    expect(onlinePresencePoints({ hasWebsite: false })).toBe(0);
  });
  it('business size bands', () => {
    expect([null, 1, 2, 4, 5, 9, 10, 50, 200].map((n) => businessSizePoints(n))).toEqual([0, 5, 10, 10, 15, 15, 20, 20, 20]);
  });
  it('experience bands', () => {
    expect([0, 1.9, 2, 4, 5, 9, 10, 30].map((n) => experiencePoints(n))).toEqual([0, 0, 5, 5, 10, 10, 15, 15]);
  });
  it('location bands', () => {
    expect([0, 0.1, 25, 25.1, 50, 50.1].map((n) => locationPoints(n))).toEqual([15, 10, 10, 5, 5, 0]);
  });
});

describe('scoreContractor', () => {
  const strong = {
    hasWebsite: true, googleRating: 4.8, googleReviewCount: 120, bbbAccredited: true, employees: 12, yearsInBusiness: 15, distanceMiles: 0,
    residentialRoofing: true, multipleRoofTypes: true, insuranceRestoration: true, validStateLicense: true, manufacturerCertified: true,
    hasEmail: true, activeSocialMedia: true, reviewedLast30Days: true, urbanArea: true,
  };

  it('a strong local roofer: fit 100, likelihood 100, LTV $117,000, priority 100', () => {
    const r = scoreContractor(strong);
    expect(r.fitScore).toBe(100);
    expect(r.conversionLikelihood).toBe(100);
    expect(r.ltvCents).toBe(117_000_00); // 5000 × 1.3 × 1.5 × 12
    expect(r.priority).toBe(100);
  });

  it('a solo operator 30 miles out', () => {
    const r = scoreContractor({ hasWebsite: false, googleRating: 4.2, googleReviewCount: 8, employees: 1, yearsInBusiness: 3, distanceMiles: 30, residentialRoofing: true, validStateLicense: true, hasEmail: true });
    // fit: 0 + 5 + 5 + 5 + 5 + 10 = 30; likelihood: email 20; LTV 500 × 12 = 6000; priority (30 + 20) / 2 = 25
    expect(r.factors.map((f) => f.points)).toEqual([0, 5, 5, 5, 5, 10]);
    expect(r.fitScore).toBe(30);
    expect(r.conversionLikelihood).toBe(20);
    expect(r.ltvCents).toBe(6000_00);
    expect(r.priority).toBe(25);
  });

  it('LTV adjustments one at a time', () => {
    expect(estimateLtvCents({ hasWebsite: false, employees: 6 })).toBe(24_000_00); // 2000 × 12
    expect(estimateLtvCents({ hasWebsite: false, employees: 6, googleRating: 4.5 })).toBe(31_200_00); // × 1.3
    expect(estimateLtvCents({ hasWebsite: false, employees: 3, urbanArea: true })).toBe(9_000_00); // 500 × 1.5 × 12
  });

  it('likelihood counts moderate size only for 5–50 employees', () => {
    expect(scoreConversionLikelihood({ hasWebsite: false, employees: 4 })).toBe(0);
    expect(scoreConversionLikelihood({ hasWebsite: false, employees: 5 })).toBe(20);
    expect(scoreConversionLikelihood({ hasWebsite: false, employees: 51 })).toBe(0);
  });

  it('priority keeps two decimals', () => {
    expect(priorityScore(75, 50)).toBe(62.5);
    expect(priorityScore(33, 50)).toBe(41.5);
  });
});
