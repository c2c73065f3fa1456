import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canTransition, LEAD_STATUSES, type LeadStatus } from '../../src/modules/leads/leads.lifecycle.ts';
import { scorePropertyQuality, type RoofCondition, type TriggerKind } from '../../src/modules/scoring/property-quality.scorer.ts';
import { roofAgeOf } from '../../src/modules/scoring/roof-age.ts';
import {
  contactStateOf, countMissingFields, decodeExplanation, encodeExplanation, factorPoints, inputsHash, inputsOf, missingFieldNames,
  SCORE_INPUT_COLUMNS, triggerKindOf, triggerKindsOf, type LeadScoringInputs, type ScoringRow,
} from '../../src/modules/scoring/score-inputs.ts';
import { normalizeFilter, rescoreTarget, scoreChunk, DEFAULT_RESCORE_STATUSES } from '../../src/modules/scoring/batch-engine.ts';
import { MISSING_MASK_SQL, plainArrayLiteral } from '../../src/modules/scoring/scoring.repository.ts';

const TRIGGERS: TriggerKind[] = ['hail', 'wind', 'neighbor_permits', 'insurance_claim'];
const CONDITIONS: RoofCondition[] = ['excellent', 'good', 'fair', 'poor', 'critical'];

const row = (over: Partial<ScoringRow> = {}): ScoringRow => ({
  id: '00000000-0000-4000-8000-000000000001', status: 'processing', trade: 'roof', intentScore: null, qualityScore: null, grade: null, priceCents: null,
  scoreInputsHash: null, inputsChangedAt: null, pending: true, propertyValue: null, assessedValue: null, state: 'TX', yearBuilt: null, emailCode: 0, phoneCode: 0,
  missingMask: 0, lastRoofPermitYear: null, roofingFlags: null, roofCondition: null, analysisAge: null, triggers: null, exclusive: false, interested: 0,
  ...over,
});


const arbEstimate = fc.option(fc.record({ assessedValue: fc.integer({ min: 1, max: 500_000 }), state: fc.constantFrom('CO', 'AZ'), ratio: fc.constantFrom(0.067, 0.1) }), { nil: null });

describe('missing fields (seed 002 §3.5.1 factor 6)', () => {
  it('names and counts the fields of a mask in COMPLETENESS_FIELDS order', () => {
    expect(missingFieldNames(0)).toEqual([]);
    expect(missingFieldNames(0b1)).toEqual(['zip']);
    expect(missingFieldNames(0b10110000)).toEqual(['sqft', 'property_type', 'owner_contact']);
    expect(countMissingFields(0)).toBe(0);
    expect(countMissingFields(0b10110000)).toBe(3);
    expect(countMissingFields(0b11111111)).toBe(8);
  });
  it('the SQL mask sets bit i for field i', () => {
    expect(MISSING_MASK_SQL).toContain('((b.zip IS NULL)::int << 0)');
    expect(MISSING_MASK_SQL).toContain('((b.lat IS NULL OR b.lng IS NULL)::int << 1)');
    expect(MISSING_MASK_SQL).toContain('((b.owner_email_enc IS NULL AND b.owner_phone_enc IS NULL)::int << 7)');
  });
});

describe('trigger mapping (seed 002 §3.5.1 factor 3, §4.3.2 trigger types)', () => {
  it('maps trigger_type and details to the scorer kinds', () => {
    expect(triggerKindOf('hail', null, null)).toBe('hail');
    expect(triggerKindOf('storm_damage', null, null)).toBe('wind');
    expect(triggerKindOf('weather_event', 'Hail', null)).toBe('hail');
    expect(triggerKindOf('weather_event', 'Thunderstorm Wind', null)).toBe('wind');
    expect(triggerKindOf('weather_event', 'Tornado', null)).toBe('wind');
    expect(triggerKindOf('weather_event', 'Flash Flood', null)).toBeNull();
    expect(triggerKindOf('weather_event', null, null)).toBeNull();
    expect(triggerKindOf('damage_detected', 'hail', null)).toBe('hail');
    expect(triggerKindOf('damage_detected', 'missing_shingles', null)).toBeNull();
    expect(triggerKindOf('neighbor_permits', null, 8)).toBe('neighbor_permits');
    expect(triggerKindOf('neighbor_permits', null, 5)).toBe('neighbor_permits');
    expect(triggerKindOf('neighbor_permits', null, 4)).toBeNull();
    expect(triggerKindOf('neighbor_permits', null, null)).toBe('neighbor_permits');
    expect(triggerKindOf('insurance_claim', null, null)).toBe('insurance_claim');
    expect(triggerKindOf('roof_age', null, null)).toBeNull();
    expect(triggerKindOf('property_sale', null, null)).toBeNull();
  });
  it('combines descriptors and roofing flags, sorted and without duplicates', () => {
    expect(triggerKindsOf(null, null)).toEqual([]);
    expect(triggerKindsOf('insurance_claim||;weather_event|Hail|;weather_event|Hail|', null)).toEqual(['hail', 'insurance_claim']);
    expect(triggerKindsOf('neighbor_permits||3', 0b100)).toEqual(['neighbor_permits']); // the flag says ≥ 5 in 30 days
    expect(triggerKindsOf(null, 0b011)).toEqual(['hail', 'wind']);
    expect(triggerKindsOf('roof_age||;property_sale||', 0)).toEqual([]);
  });
});

describe('roof age rule (issue 8 §3: one function for factor 2 and the trigger)', () => {
  it('the latest other roof permit, else the roof model, else the house age', () => {
    expect(roofAgeOf({ lastRoofPermitYear: 2019, analysisAge: 30, yearBuilt: 1950 }, 2026)).toEqual({ years: 7, basis: 'roof_permit' });
    expect(roofAgeOf({ lastRoofPermitYear: null, analysisAge: 30, yearBuilt: 1950 }, 2026)).toEqual({ years: 30, basis: 'roof_analysis' });
    expect(roofAgeOf({ lastRoofPermitYear: null, analysisAge: null, yearBuilt: 2001 }, 2026)).toEqual({ years: 25, basis: 'year_built' });
    expect(roofAgeOf({ lastRoofPermitYear: 2027, analysisAge: null, yearBuilt: 2001 }, 2026)).toEqual({ years: 25, basis: 'year_built' });
    expect(roofAgeOf({ lastRoofPermitYear: null, analysisAge: null, yearBuilt: 2030 }, 2026)).toBeNull();
    expect(roofAgeOf({ lastRoofPermitYear: null, analysisAge: null, yearBuilt: null }, 2026)).toBeNull();
  });
  it('contact codes', () => {
    expect([0, 1, 2].map(contactStateOf)).toEqual(['none', 'unverified', 'verified']);
  });
});

describe('inputsOf', () => {
  it('maps a chunk row to scorer and pricing inputs', () => {
    const i = inputsOf(row({
      propertyValue: 412_000, yearBuilt: 1990, lastRoofPermitYear: null, analysisAge: 17, roofCondition: 'poor',
      triggers: 'weather_event|Thunderstorm Wind|', roofingFlags: 0, emailCode: 2, phoneCode: 1, missingMask: 0b100000, exclusive: true,
    }), 2026);
    expect(i).toEqual({
      trade: 'roof', intentScore: null, sameTradePermits30d: 0, propertyValueEstimate: null,
      propertyValue: 412_000, roofAgeYears: 17, roofCondition: 'poor', triggers: ['wind'],
      contact: { email: 'verified', phone: 'unverified' }, missingFields: 1, missingMask: 32, exclusiveTerritory: true, interestedContractors24h: 0,
    });
  });
  it('an unknown roof condition string is treated as missing', () => {
    expect(inputsOf(row({ roofCondition: 'wet' }), 2026).roofCondition).toBeNull();
  });
});

const arbInputs: fc.Arbitrary<LeadScoringInputs> = fc.record({
  trade: fc.constant('roof'),
  intentScore: fc.constant(null),
  sameTradePermits30d: fc.constant(0),
  propertyValue: fc.option(fc.integer({ min: 0, max: 3_000_000 }), { nil: null }),
  propertyValueEstimate: arbEstimate,
  roofAgeYears: fc.option(fc.integer({ min: 0, max: 120 }), { nil: null }),
  roofCondition: fc.option(fc.constantFrom(...CONDITIONS), { nil: null }),
  triggers: fc.uniqueArray(fc.constantFrom(...TRIGGERS)).map((t) => TRIGGERS.filter((k) => t.includes(k))),
  contact: fc.record({ email: fc.constantFrom('verified', 'unverified', 'none' as const), phone: fc.constantFrom('verified', 'unverified', 'none' as const) }),
  missingMask: fc.integer({ min: 0, max: 255 }),
  exclusiveTerritory: fc.boolean(),
  interestedContractors24h: fc.integer({ min: 0, max: 5 }),
}).map((r) => ({ ...r, missingFields: countMissingFields(r.missingMask) }));

describe('factor points', () => {
  it('equal scorePropertyQuality for every input (the engine skips only the reason strings)', () => {
    fc.assert(fc.property(arbInputs, (i) => {
      const points = [0, 0, 0, 0, 0, 0];
      const total = factorPoints(i, points);
      const q = scorePropertyQuality(i);
      expect(points).toEqual(q.factors.map((f) => f.points));
      expect(total).toBe(q.score);
    }), { numRuns: 2000 });
  });
  it('hand-computed: $550,000, 27 years, poor, hail + insurance claim, both verified, complete = 20+20+25+15+10+5', () => {
    const points = [0, 0, 0, 0, 0, 0];
    const i: LeadScoringInputs = {
      trade: 'roof', intentScore: null, sameTradePermits30d: 0, propertyValueEstimate: null,
      propertyValue: 550_000, roofAgeYears: 27, roofCondition: 'poor', triggers: ['hail', 'insurance_claim'],
      contact: { email: 'verified', phone: 'verified' }, missingFields: 0, missingMask: 0, exclusiveTerritory: false, interestedContractors24h: 0,
    };
    expect(factorPoints(i, points)).toBe(95);
    expect(points).toEqual([20, 20, 25, 15, 10, 5]);
  });
});

describe('inputs hash', () => {
  const base: LeadScoringInputs = {
    trade: 'roof', intentScore: null, sameTradePermits30d: 0, propertyValueEstimate: null,
    propertyValue: 300_000, roofAgeYears: 20, roofCondition: 'fair', triggers: ['hail'], contact: { email: 'verified', phone: 'none' },
    missingFields: 1, missingMask: 16, exclusiveTerritory: false, interestedContractors24h: 0,
  };
  it('is 16 hex chars, stable for equal inputs', () => {
    expect(inputsHash(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(inputsHash({ ...base, contact: { ...base.contact } })).toBe(inputsHash(base));
  });
  it('changes when any single input changes', () => {
    const variants: LeadScoringInputs[] = [
      { ...base, propertyValue: 300_001 }, { ...base, propertyValue: null }, { ...base, roofAgeYears: 21 }, { ...base, roofAgeYears: null },
      { ...base, roofCondition: 'poor' }, { ...base, roofCondition: null }, { ...base, triggers: [] }, { ...base, triggers: ['hail', 'wind'] },
      { ...base, contact: { email: 'unverified', phone: 'none' } }, { ...base, contact: { email: 'verified', phone: 'verified' } },
      { ...base, missingMask: 32 }, { ...base, exclusiveTerritory: true }, { ...base, interestedContractors24h: 2 },
    ];
    const hashes = new Set([inputsHash(base), ...variants.map(inputsHash)]);
    expect(hashes.size).toBe(variants.length + 1);
  });
  it('has no collisions over 20,000 random inputs', () => {
    const seen = new Map<string, string>();
    fc.assert(fc.property(arbInputs, (i) => {
      const key = JSON.stringify(i);
      const h = inputsHash(i);
      const prev = seen.get(h);
      if (prev !== undefined) expect(prev).toBe(key);
      seen.set(h, key);
    }), { numRuns: 20_000 });
  });
});

describe('stored explanation', () => {
  it('round-trips points and inputs through its JSON layout', () => {
    fc.assert(fc.property(arbInputs, (i) => {
      const points = [0, 0, 0, 0, 0, 0];
      factorPoints(i, points);
      const text = encodeExplanation(i, points);
      expect(decodeExplanation(JSON.parse(text))).toEqual({ scorer: 'property-quality', points, inputs: i });
    }), { numRuns: 1000 });
  });
  it('is compact: a typical lead under 120 characters', () => {
    const i: LeadScoringInputs = {
      trade: 'roof', intentScore: null, sameTradePermits30d: 0, propertyValueEstimate: null,
      propertyValue: 412_000, roofAgeYears: 17, roofCondition: 'fair', triggers: ['hail'], contact: { email: 'unverified', phone: 'none' },
      missingFields: 1, missingMask: 16, exclusiveTerritory: false, interestedContractors24h: 0,
    };
    const text = encodeExplanation(i, [15, 10, 15, 10, 4, 3]);
    expect(text).toBe('[[15,412000],[10,17],[15,["hail"]],[10,"fair"],[4,"unverified","none"],[3,1,16],[false,0]]');
    expect(text.length).toBeLessThan(120);
  });
  it('rejects other layouts', () => {
    expect(decodeExplanation([])).toBeNull();
    expect(decodeExplanation([{ name: 'x' }])).toBeNull();
    expect(decodeExplanation(null)).toBeNull();
  });
});

describe('status moves (bulk transitionLead)', () => {
  it('below 60 drops processing/scored/available to unqualified; 60+ lifts processing/unqualified to scored', () => {
    expect(rescoreTarget('processing', 59)).toBe('unqualified');
    expect(rescoreTarget('scored', 59)).toBe('unqualified');
    expect(rescoreTarget('available', 0)).toBe('unqualified');
    expect(rescoreTarget('processing', 60)).toBe('scored');
    expect(rescoreTarget('unqualified', 95)).toBe('scored');
    expect(rescoreTarget('scored', 80)).toBeNull();
    expect(rescoreTarget('available', 80)).toBeNull();
    expect(rescoreTarget('unqualified', 10)).toBeNull();
    for (const s of ['needs_review', 'reserved', 'sold', 'delivered', 'converted', 'expired', 'refunded'] as const) {
      expect(rescoreTarget(s, 10)).toBeNull();
      expect(rescoreTarget(s, 95)).toBeNull();
    }
  });
  it('only ever proposes moves LEAD_TRANSITIONS allows', () => {
    for (const s of LEAD_STATUSES) {
      for (let score = 0; score <= 100; score++) {
        const to = rescoreTarget(s as LeadStatus, score);
        if (to) expect(canTransition(s as LeadStatus, to)).toBe(true);
      }
    }
  });
});

describe('scoreChunk', () => {
  const a = row({
    id: '00000000-0000-4000-8000-00000000000a', propertyValue: 550_000, lastRoofPermitYear: 1999, roofCondition: 'poor',
    triggers: 'weather_event|Hail|;insurance_claim||', emailCode: 2, phoneCode: 2, missingMask: 0, exclusive: true,
  });
  it('scores, grades and prices each row that must be written', () => {
    const s = scoreChunk([a], 2026);
    // 20 + 20 + 25 + 15 + 10 + 5 = 95 → A; $200 × 1.2 (hail) × 1.1 (exclusive) = $264.00
    expect(s.scores).toEqual([95]);
    expect(s.grades).toEqual(['A']);
    expect(s.priceCents).toEqual([26_400]);
    expect(JSON.parse(s.explanations)).toEqual([[[20, 550000], [20, 27], [25, ['hail', 'insurance_claim']], [15, 'poor'], [10, 'verified', 'verified'], [5, 0, 0], [true, 0]]]);
    expect(s.changed).toBe(1);
    expect(s.moves).toBe(1);
    expect(s).toMatchObject({ ids: [a.id], scores: [95], grades: ['A'], priceCents: [26_400], fromStatus: ['processing'], toStatus: ['scored'], scored: 1 });
  });
  it('writes nothing for a row whose score, grade, price, status and inputs are as stored', () => {
    const first = scoreChunk([a], 2026);
    const same = row({ ...a, status: 'scored', qualityScore: 95, grade: 'A', priceCents: 26_400, pending: false, scoreInputsHash: first.hashes[0]! });
    const s = scoreChunk([same], 2026);
    expect(s).toMatchObject({ ids: [], scored: 1, changed: 0, explanations: '[]' });
    // …but a pending row (inputs changed, same score), a new hash or a new price is written
    expect(scoreChunk([{ ...same, pending: true }], 2026).ids).toEqual([a.id]);
    expect(scoreChunk([{ ...same, scoreInputsHash: 'other' }], 2026).ids).toEqual([a.id]);
    expect(scoreChunk([{ ...same, priceCents: 24_000 }], 2026)).toMatchObject({ ids: [a.id], changed: 1 });
  });
  it('an empty chunk is an empty JSON array', () => {
    expect(scoreChunk([], 2026).explanations).toBe('[]');
  });
});

describe('engine options', () => {
  it('defaults to the rescorable statuses and rejects unknown ones', () => {
    expect(normalizeFilter({}).statuses).toEqual([...DEFAULT_RESCORE_STATUSES]);
    expect(() => normalizeFilter({ statuses: ['bogus' as LeadStatus] })).toThrow(/unknown lead status/);
  });
  it('array literals for plain tokens', () => {
    expect(plainArrayLiteral(['a', null, 3])).toBe('{a,NULL,3}');
    expect(plainArrayLiteral(['2026-01-01 00:00:00+00', null], true)).toBe('{"2026-01-01 00:00:00+00",NULL}');
    expect(plainArrayLiteral([])).toBe('{}');
  });
});

describe('the score-input trigger watches exactly the columns the engine reads', () => {
  it('the latest migration that defines it: WHEN clause = SCORE_INPUT_COLUMNS', () => {
    const dir = new URL('../../prisma/migrations/', import.meta.url);
    const defining = readdirSync(dir).filter((m) => /^\d/.test(m)).sort()
      .map((m) => readFileSync(new URL(`${m}/migration.sql`, dir), 'utf8'))
      .filter((sql) => sql.includes('CREATE TRIGGER "base_leads_score_inputs_changed"'));
    expect(defining.length).toBeGreaterThanOrEqual(3);
    const sql = defining.at(-1)!;
    const when = sql.slice(sql.indexOf('CREATE TRIGGER "base_leads_score_inputs_changed"'), sql.indexOf('EXECUTE FUNCTION "score_inputs_touch_lead"'));
    const cols = [...when.matchAll(/OLD\.(\w+) IS DISTINCT FROM NEW\.(\w+)/g)].map((m) => m[1]);
    expect(cols.sort()).toEqual([...SCORE_INPUT_COLUMNS].sort());
  });
});
