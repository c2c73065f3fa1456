import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { basePriceCents, priceLead } from '../../src/modules/scoring/pricing.ts';

// Hand-computed from seed 002 §3.5.2.
describe('priceLead (seed 002 §3.5.2)', () => {
  it('bands by score, with exact boundaries', () => {
    expect(basePriceCents(100)).toBe(20000);
    expect(basePriceCents(90)).toBe(20000);
    expect(basePriceCents(89)).toBe(17500);
    expect(basePriceCents(80)).toBe(17500);
    expect(basePriceCents(79)).toBe(15000);
    expect(basePriceCents(70)).toBe(15000);
    expect(basePriceCents(69)).toBe(12500);
    expect(basePriceCents(60)).toBe(12500);
    expect(basePriceCents(59)).toBeNull();
    expect(basePriceCents(0)).toBeNull();
  });

  it('is not for sale below 60, whatever the adjustments', () => {
    expect(priceLead({ score: 59, urgentTrigger: true, exclusiveTerritory: true, interestedContractors24h: 5 })).toEqual({ priceCents: null, baseCents: null, adjustments: [] });
  });

  it('applies each adjustment', () => {
    expect(priceLead({ score: 95, urgentTrigger: true }).priceCents).toBe(24000); // 200 × 1.2
    expect(priceLead({ score: 85, exclusiveTerritory: true }).priceCents).toBe(19250); // 175 × 1.1
    expect(priceLead({ score: 75, interestedContractors24h: 2 }).priceCents).toBe(17250); // 150 × 1.15
    expect(priceLead({ score: 75, interestedContractors24h: 1 }).priceCents).toBe(15000); // one viewer is not "multiple"
  });

  it('compounds all three exactly', () => {
    expect(priceLead({ score: 90, urgentTrigger: true, exclusiveTerritory: true, interestedContractors24h: 3 }).priceCents).toBe(30360); // 200×1.2×1.1×1.15 = 303.60
    expect(priceLead({ score: 60, urgentTrigger: true, exclusiveTerritory: true, interestedContractors24h: 2 }).priceCents).toBe(18975); // 125×1.518 = 189.75
    expect(priceLead({ score: 80, urgentTrigger: true, exclusiveTerritory: true }).priceCents).toBe(23100); // 175×1.32 = 231.00
    expect(priceLead({ score: 70, exclusiveTerritory: true, interestedContractors24h: 2 }).priceCents).toBe(18975); // 150×1.265 = 189.75
  });

  it('rounds half up to a whole cent', () => {
    // 125 × 1.1 × 1.15 = 158.125 → 158.13
    expect(priceLead({ score: 65, exclusiveTerritory: true, interestedContractors24h: 2 }).priceCents).toBe(15813);
  });

  it('lists the adjustments applied', () => {
    expect(priceLead({ score: 90, urgentTrigger: true, interestedContractors24h: 2 }).adjustments).toEqual([
      { name: 'urgency', multiplier: 1.2 },
      { name: 'demand', multiplier: 1.15 },
    ]);
  });

  it('never decreases with more adjustments and stays within [base, base × 1.518]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 100 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 10 }), (score, u, e, n) => {
        const base = basePriceCents(score)!;
        const p = priceLead({ score, urgentTrigger: u, exclusiveTerritory: e, interestedContractors24h: n }).priceCents!;
        expect(p).toBeGreaterThanOrEqual(base);
        expect(p).toBeLessThanOrEqual(Math.ceil(base * 1.518));
        expect(Number.isInteger(p)).toBe(true);
      }),
    );
  });
});
