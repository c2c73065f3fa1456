import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  intentPoints, sameTradePoints, scoreTradeQuality, tradeContactPoints, TRADE_QUALITY_VERSION,
} from '../../src/modules/scoring/trade-quality.scorer.ts';
import { priceLead } from '../../src/modules/scoring/pricing.ts';
import {
  countMissingFields, decodeExplanation, encodeExplanation, inputsHash, inputsOf, isUrgent, scoreInputs, tradeFactorPoints,
  triggerKindsOf, triggerSignalsOf, type LeadScoringInputs, type ScoringRow,
} from '../../src/modules/scoring/score-inputs.ts';
import { TRIGGER_TRADES, triggerAppliesSql, triggerAppliesTo } from '../../src/modules/triggers/triggers.rules.ts';
import { scoreChunk, ENGINE_VERSIONS } from '../../src/modules/scoring/batch-engine.ts';
import type { TriggerKind } from '../../src/modules/scoring/property-quality.scorer.ts';

const TRIGGERS: TriggerKind[] = ['hail', 'wind', 'neighbor_permits', 'insurance_claim'];
const contactState = fc.constantFrom('verified' as const, 'unverified' as const, 'none' as const);


const arbEstimate = fc.option(fc.record({ assessedValue: fc.integer({ min: 1, max: 500_000 }), state: fc.constantFrom('CO', 'AZ'), ratio: fc.constantFrom(0.067, 0.1) }), { nil: null });

describe('trade quality factors (issue 8 §2)', () => {
  it('intent: the seed 001 score halved, rounded half up', () => {
    expect([0, 1, 2, 37, 74, 75, 99, 100].map(intentPoints)).toEqual([0, 1, 1, 19, 37, 38, 50, 50]);
  });
  it('contact: seed 002 factor 5 scaled 10/7/4/0 → 15/10/6/0', () => {
    expect(tradeContactPoints('verified', 'verified')).toBe(15);
    expect(tradeContactPoints('verified', 'unverified')).toBe(10);
    expect(tradeContactPoints('verified', 'none')).toBe(10);
    expect(tradeContactPoints('unverified', 'verified')).toBe(6);
    expect(tradeContactPoints('none', 'verified')).toBe(0);
  });
  it('same-trade activity: 5+ permits → 10', () => {
    expect([0, 4, 5, 40].map(sameTradePoints)).toEqual([0, 0, 10, 10]);
  });
  it('never leaves 0–100, and the factor maxima sum to 100', () => {
    const q = scoreTradeQuality({ intentScore: 100, propertyValue: 2e6, contact: { email: 'verified', phone: 'verified' }, missingFields: 0, sameTradePermits30d: 9 }, { trade: 'pool' });
    expect(q.score).toBe(100);
    expect(q.factors.reduce((s, f) => s + f.max, 0)).toBe(100);
    expect(q.grade).toBe('A');
    expect(scoreTradeQuality({}, { trade: 'hvac' })).toMatchObject({
      score: 0, grade: null, missingInputs: ['intentScore', 'propertyValue', 'contact', 'missingFields', 'sameTradePermits30d'],
    });
  });
});

describe('hand-computed leads (docs/scoring.md worked examples)', () => {
  it('pool (luxury_outdoor): 38 + 20 + 10 + 3 + 10 = 81, B, $175 — a storm does not make a pool urgent', () => {
    const q = scoreTradeQuality(
      { intentScore: 75, propertyValue: 650_000, contact: { email: 'verified', phone: 'none' }, missingFields: 1, sameTradePermits30d: 6 },
      { trade: 'pool' },
    );
    expect(q.factors.map((f) => [f.name, f.points])).toEqual([
      ['intent', 38], ['property_value', 20], ['contact_quality', 10], ['data_completeness', 3], ['same_trade_activity', 10],
    ]);
    expect([q.score, q.grade, q.scorerVersion]).toEqual([81, 'B', TRADE_QUALITY_VERSION]);
    expect(triggerAppliesTo('weather_event', 'pool')).toBe(false);
    expect(priceLead({ score: q.score, urgentTrigger: false }).priceCents).toBe(175_00);
  });
  it('HVAC (home_systems): 32 + 10 + 6 + 5 + 0 = 53 — not for sale', () => {
    const q = scoreTradeQuality(
      { intentScore: 64, propertyValue: 240_000, contact: { email: 'unverified', phone: 'none' }, missingFields: 0, sameTradePermits30d: 2 },
      { trade: 'hvac' },
    );
    expect(q.factors.map((f) => f.points)).toEqual([32, 10, 6, 5, 0]);
    expect(q.factors[4]!.reason).toBe('2 hvac permit(s) within 0.25 mi in 30 days (5+ needed)');
    expect([q.score, q.grade]).toEqual([53, null]);
    expect(priceLead({ score: q.score }).priceCents).toBeNull();
  });
  it('siding (home_exterior): 44 + 15 + 15 + 0 + 10 = 84, B, $175 × 1.2 (hail applies to siding) = $210', () => {
    const q = scoreTradeQuality(
      { intentScore: 88, propertyValue: 410_000, contact: { email: 'verified', phone: 'verified' }, missingFields: 3, sameTradePermits30d: 5 },
      { trade: 'siding' },
    );
    expect(q.factors.map((f) => f.points)).toEqual([44, 15, 15, 0, 10]);
    expect([q.score, q.grade]).toEqual([84, 'B']);
    expect(triggerAppliesTo('weather_event', 'siding')).toBe(true);
    expect(priceLead({ score: q.score, urgentTrigger: true }).priceCents).toBe(210_00);
  });
});

describe('triggers by trade (one table)', () => {
  it('is the table of issue 8 §2', () => {
    expect(TRIGGER_TRADES).toEqual({
      weather_event: ['roof', 'siding', 'windows', 'fence'],
      roof_age: ['roof'],
      insurance_claim: ['roof', 'siding', 'windows'],
      neighbor_permits: 'own',
      property_sale: 'all',
    });
    expect(triggerAppliesTo('roof_age', 'plumbing')).toBe(false);
    expect(triggerAppliesTo('weather_event', 'plumbing')).toBe(false);
    expect(triggerAppliesTo('insurance_claim', 'fence')).toBe(false);
    expect(triggerAppliesTo('property_sale', 'plumbing')).toBe(true);
    expect(triggerAppliesTo('neighbor_permits', 'pool')).toBe(true);
    expect(triggerAppliesTo('bogus', 'roof')).toBe(false);
    expect(triggerAppliesSql('roof_age', 'l.trade')).toBe(`l.trade IN ('roof')`);
    expect(triggerAppliesSql('property_sale', 'l.trade')).toBe('true');
  });
  it('docs/scoring.md prints the same table', () => {
    const doc = readFileSync(new URL('../../docs/scoring.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- trigger-trades:begin -->'), doc.indexOf('<!-- trigger-trades:end -->'));
    const rows = [...table.matchAll(/^\| `(\w+)`[^|]*\| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    const printed = (t: readonly string[] | 'own' | 'all') => (t === 'own' ? /^the lead's own trade/ : t === 'all' ? /^every trade$/ : new RegExp(`^${t.join(', ')}$`));
    expect(rows.map((r) => r[0])).toEqual(Object.keys(TRIGGER_TRADES));
    for (const [type, text] of rows) expect(text).toMatch(printed(TRIGGER_TRADES[type as keyof typeof TRIGGER_TRADES]));
  });
  it('a plumbing lead keeps no storm, roof-age, claim or roof-permit signal; its own trade\'s permits count', () => {
    const d = 'weather_event|hail|;roof_age||;insurance_claim||;neighbor_permits|roof|7;neighbor_permits|plumbing|6';
    expect(triggerSignalsOf(d, 7, 'plumbing')).toEqual({ kinds: ['neighbor_permits'], sameTradePermits30d: 6 });
    expect(triggerSignalsOf(d, 7, 'roof')).toEqual({ kinds: ['hail', 'wind', 'neighbor_permits', 'insurance_claim'], sameTradePermits30d: 7 });
    expect(triggerSignalsOf(d, null, 'fence')).toEqual({ kinds: ['hail'], sameTradePermits30d: 0 });
    // Rows detected before the trade rule carried no trade: they counted roofing permits.
    expect(triggerKindsOf('neighbor_permits||8', null, 'pool')).toEqual([]);
    expect(triggerKindsOf('neighbor_permits||8', null)).toEqual(['neighbor_permits']);
  });
});

const row = (over: Partial<ScoringRow> = {}): ScoringRow => ({
  id: '00000000-0000-4000-8000-000000000001', status: 'processing', trade: 'pool', intentScore: 75, qualityScore: null, grade: null,
  priceCents: null, scoreInputsHash: null, inputsChangedAt: null, pending: true, propertyValue: 650_000, assessedValue: null, state: 'TX', yearBuilt: 1990, emailCode: 2,
  phoneCode: 0, missingMask: 0b1000000, lastRoofPermitYear: 2014, roofingFlags: 7, roofCondition: 'poor', analysisAge: null,
  triggers: 'weather_event|hail|;neighbor_permits|pool|6', exclusive: false, interested: 0, ...over,
});

describe('the engine scores each lead by its trade', () => {
  it('a pool row: roof inputs are ignored, the trade scorer gives the hand-computed 81', () => {
    const i = inputsOf(row(), 2026);
    expect(i).toMatchObject({ trade: 'pool', intentScore: 75, sameTradePermits30d: 6, roofAgeYears: null, roofCondition: null, triggers: ['neighbor_permits'] });
    expect(isUrgent(i.triggers)).toBe(false);
    const out = [0, 0, 0, 0, 0, 0];
    expect(scoreInputs(i, out)).toBe(81);
    const c = scoreChunk([row()], 2026);
    expect([c.scores[0], c.grades[0], c.priceCents[0], c.kinds[0]]).toEqual([81, 'B', 175_00, 1]);
    expect(ENGINE_VERSIONS[c.kinds[0]!]).toMatch(/^trade-quality@1\+engine@/);
  });
  it('RETRY (-1) is an unknown intent', () => {
    expect(inputsOf(row({ intentScore: -1 }), 2026).intentScore).toBeNull();
  });
  it('a roof row still uses seed 002 §3.5.1', () => {
    const c = scoreChunk([row({ trade: 'roof', triggers: null, roofingFlags: 0 })], 2026);
    // 20 ($650k) + 5 (12 years) + 0 + 15 (poor) + 7 (verified email) + 3 (1 missing) = 50
    expect([c.scores[0], c.kinds[0]]).toEqual([50, 0]);
  });

  const arbTrade: fc.Arbitrary<LeadScoringInputs> = fc.record({
    trade: fc.constantFrom('pool', 'hvac', 'siding', 'fence', 'plumbing', 'commercial_hvac'),
    intentScore: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    sameTradePermits30d: fc.integer({ min: 0, max: 30 }),
    propertyValue: fc.option(fc.integer({ min: 0, max: 3_000_000 }), { nil: null }),
    propertyValueEstimate: arbEstimate,
    roofAgeYears: fc.constant(null),
    roofCondition: fc.constant(null),
    triggers: fc.uniqueArray(fc.constantFrom(...TRIGGERS)).map((t) => TRIGGERS.filter((k) => t.includes(k))),
    contact: fc.record({ email: contactState, phone: contactState }),
    missingMask: fc.integer({ min: 0, max: 255 }),
    exclusiveTerritory: fc.boolean(),
    interestedContractors24h: fc.integer({ min: 0, max: 5 }),
  }).map((r) => ({ ...r, missingFields: countMissingFields(r.missingMask) }));

  it('tradeFactorPoints equals scoreTradeQuality for every input', () => {
    fc.assert(fc.property(arbTrade, (i) => {
      const points = [0, 0, 0, 0, 0, 0];
      const total = tradeFactorPoints(i, points);
      const q = scoreTradeQuality(i, { trade: i.trade });
      expect(points.slice(0, 5)).toEqual(q.factors.map((f) => f.points));
      expect(total).toBe(q.score);
    }), { numRuns: 2000 });
  });
  it('the trade explanation round-trips, and the hash sees intent, same-trade permits and trade', () => {
    fc.assert(fc.property(arbTrade, (i) => {
      const points = [0, 0, 0, 0, 0, 0];
      tradeFactorPoints(i, points);
      expect(decodeExplanation(JSON.parse(encodeExplanation(i, points)))).toEqual({ scorer: 'trade-quality', points: points.slice(0, 5), inputs: i });
    }), { numRuns: 1000 });
    const base = inputsOf(row(), 2026);
    const hashes = new Set([base, { ...base, intentScore: 74 }, { ...base, sameTradePermits30d: 5 }, { ...base, trade: 'spa' }].map(inputsHash));
    expect(hashes.size).toBe(4);
  });
});
