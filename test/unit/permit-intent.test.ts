import { describe, expect, it } from 'vitest';
import {
  assessPermitWithRules,
  classifyPermit,
  contactPriorityForScore,
  descriptionSignals,
  factFlags,
  finalizeIntent,
  freshnessPoints,
  isValueOutlier,
  needsReview,
  normalizeFlag,
  projectValuePoints,
  propertyValuePoints,
  tierForScore,
  type PermitFacts,
} from '../../src/modules/scoring/permit-intent.scorer.ts';
import { buildOllamaPrompt, parseOllamaAnswer } from '../../src/modules/scoring/permit-intent.reasoner.ts';
import { TRADE_GROUPS } from '../../prisma/seed/taxonomy.ts';

const cls = (permitType: string | null, description: string | null, permitClass: string | null = null) =>
  classifyPermit({ permitType, description, permitClass });
const cat = (permitType: string | null, description: string | null, permitClass: string | null = null) => {
  const c = cls(permitType, description, permitClass);
  return `${c.tradeGroup}/${c.category}`;
};

const located = { address: '1 Main St', city: 'Plano', state: 'TX', ownerName: 'Jane Doe' };

describe('classifyPermit (seed 001 trade taxonomy)', () => {
  it('puts typical permits in their trade group and category', () => {
    expect(cat('Residential Pool', 'New gunite pool and spa with 5ft iron fence')).toBe('luxury_outdoor/pool');
    expect(cat('Patio Cover', 'attached patio cover')).toBe('luxury_outdoor/outdoor_living');
    expect(cat('Fence', "6' cedar privacy fence")).toBe('luxury_outdoor/fence');
    expect(cat('Roofing', 'Reroof, 30 squares comp shingles')).toBe('home_exterior/roof');
    expect(cat('Driveway', 'replace driveway')).toBe('home_exterior/concrete');
    expect(cat('Building', 'Remove wood siding, install Hardie')).toBe('home_exterior/siding');
    expect(cat('Building', 'Patio door replacement')).toBe('home_exterior/windows'); // "patio door" is not a patio
    expect(cat('Mechanical', 'replace 4 ton AC unit and furnace')).toBe('home_systems/hvac');
    expect(cat('Plumbing', 'Tankless water heater')).toBe('home_systems/plumbing');
    expect(cat('Electrical', 'Install solar PV system 8kW')).toBe('home_systems/electrical');
    expect(cat('Foundation', 'foundation repair 12 piers')).toBe('structural/foundation');
    expect(cat('New Residential', 'New single family residence')).toBe('structural/new_construction');
    expect(cat('Building - Residential Alteration', 'Kitchen remodel')).toBe('structural/remodel');
    expect(cat('Residential Addition/Alteration', 'Add 400 sf master suite addition')).toBe('structural/addition');
  });

  it('weighs the permit type double: a remodel mentioning wiring stays a remodel', () => {
    // remodel: type "remodel" 2 + description "kitchen" 1 = 3; electrical: "electrical" 1 + "panel" 1 = 2
    const c = cls('Residential Remodel', 'Kitchen remodel with new electrical panel and plumbing fixtures');
    expect(c.category).toBe('remodel');
    expect(c.matched).toEqual(['remodel', 'kitchen']);
  });

  it('breaks ties by table order (addition before remodel)', () => {
    // addition: "addition" in type 2; remodel: "alteration" in type 2 → tie → addition (earlier row)
    expect(cls('Residential Addition/Alteration', null).category).toBe('addition');
  });

  it('maps commercial pool/HVAC/electrical/plumbing to the commercial group', () => {
    expect(cat('Commercial Mechanical', 'Replace 2 RTUs at retail center')).toBe('commercial/commercial_hvac');
    expect(cat('Plumbing', 'Water heater replacement at restaurant', 'Commercial')).toBe('commercial/commercial_plumbing');
    expect(cat('Pool', 'Apartment complex pool resurfacing')).toBe('commercial/commercial_pool');
    expect(cat('Pool', 'Hotel pool resurfacing')).toBe('commercial/commercial_pool');
    expect(cat('Pool', 'Backyard pool for home office guests')).toBe('luxury_outdoor/pool'); // "office" alone is not commercial
    expect(cat('Non-Residential Electrical', 'service upgrade')).toBe('commercial/commercial_electrical');
    // A residential type wins over commercial words in the description.
    expect(cls('Residential Electrical', 'panel for home business, commercial grade').commercial).toBe(false);
  });

  it('keeps other commercial work in its residential category, marked commercial', () => {
    const c = cls('Building', 'Tenant finish-out for retail suite, new roof');
    expect([c.tradeGroup, c.category, c.commercial]).toEqual(['home_exterior', 'roof', true]);
  });

  it("falls back to other/other when nothing fits, and every result is in the taxonomy", () => {
    expect(cat('Sign', 'wall sign for business')).toBe('other/other');
    expect(cat(null, null)).toBe('other/other');
    expect(cls(null, null).version).toBe('permit-classifier@1');
    for (const [t, d] of [['Pool', 'x'], ['Sign', ''], ['Commercial Plumbing', 'y'], ['', 'new deck']] as const) {
      const c = cls(t, d);
      expect((TRADE_GROUPS[c.tradeGroup] as readonly string[]).includes(c.category)).toBe(true);
    }
  });
});

describe('rules reasoner factors', () => {
  it('project value vs the typical job (pool $60,000)', () => {
    const pts = [null, -1, 0, 1, 14_999, 15_000, 29_999, 30_000, 59_999, 60_000, 89_999, 90_000].map((v) => projectValuePoints(v, 'pool'));
    expect(pts).toEqual([10, 0, 0, 6, 6, 14, 14, 24, 24, 32, 32, 40]);
    expect(projectValuePoints(6_000, 'fence')).toBe(32);
  });
  it('freshness bands', () => {
    expect([null, 0, 7, 8, 14, 15, 30, 31, 60, 61, 90, 91].map(freshnessPoints)).toEqual([5, 25, 25, 20, 20, 15, 15, 10, 10, 5, 5, 0]);
  });
  it('property market value bands', () => {
    expect([null, 0, 1, 149_999, 150_000, 299_999, 300_000, 499_999, 500_000, 749_999, 750_000].map(propertyValuePoints))
      .toEqual([6, 0, 4, 4, 8, 8, 12, 12, 16, 16, 20]);
  });
  it('description signals count once each and clamp to ±15', () => {
    expect(descriptionSignals('New pool, new spa')).toEqual({ points: 5, signals: ['new work +5'] });
    expect(descriptionSignals('Install custom replacement windows, upgrade').points).toBe(15);
    expect(descriptionSignals('demo and temporary repair').points).toBe(-15); // −10 −10 −5 = −25 → −15
    expect(descriptionSignals(null)).toEqual({ points: 0, signals: [] });
  });
  it('contact priority follows the tier actions: A call, B email, C batch contact (email)', () => {
    expect([0, 49, 50, 79, 80, 100].map(contactPriorityForScore)).toEqual(['email', 'email', 'email', 'email', 'call', 'call']);
  });
});

describe('assessPermitWithRules (hand-computed)', () => {
  const pool = cls('Residential Pool', 'New gunite pool and spa');

  it('pool, $85,000 (1.42× typical → 32), 5 days (25), $640,000 (16), "new" (+5) = 78', () => {
    const a = assessPermitWithRules({ ...located, value: 85_000, daysOld: 5, marketValue: 640_000, description: 'New gunite pool and spa', isAbsentee: false }, pool);
    expect(a.score).toBe(78);
    expect(a.contactPriority).toBe('email');
    expect(a.idealContractor).toBe('Residential pool builder (pool, spa, decking)');
    expect(a.reasoning).toBe(
      'pool permit (pool, spa, gunite). Project value $85,000 vs typical $60,000: 32/40. Filed 5 days ago: 25/25. ' +
        'Market value $640,000: 16/20. Description new work +5: +5. Total 78.',
    );
  });

  it('edges: 80 and 79, 50 and 49', () => {
    const s = (f: PermitFacts) => assessPermitWithRules({ ...located, ...f }, pool).score;
    // 40 (90k ≥ 1.5×) + 15 (30 days) + 20 ($800k) + 5 (new) = 80
    expect(s({ value: 90_000, daysOld: 30, marketValue: 800_000, description: 'new' })).toBe(80);
    // 40 + 25 (7 days) + 4 ($100k) + 10 (new + replacement) = 79
    expect(s({ value: 90_000, daysOld: 7, marketValue: 100_000, description: 'new pump, replace plaster' })).toBe(79);
    // 24 (30k = 0.5×) + 10 (31 days) + 16 ($500k) + 0 = 50
    expect(s({ value: 30_000, daysOld: 31, marketValue: 500_000, description: 'pool' })).toBe(50);
    // 24 + 15 (30 days) + 20 ($750k) − 10 (absentee) = 49
    expect(s({ value: 30_000, daysOld: 30, marketValue: 750_000, description: 'pool', isAbsentee: true })).toBe(49);
  });

  it('clamps at 0 and uses the neutral points for unknowns', () => {
    const other = cls(null, null);
    // 0 (negative value) + 0 (400 days) + 0 ($0) − 15 (signals clamped) − 10 (absentee) = −25 → 0
    expect(assessPermitWithRules({ value: -5, daysOld: 400, marketValue: 0, description: 'demo temporary repair', isAbsentee: true }, other).score).toBe(0);
    // unknown value 10 + unknown date 5 + unknown market value 6 = 21
    const a = assessPermitWithRules({}, other);
    expect(a.score).toBe(21);
    expect(a.reasoning).toContain('Project value unknown: 10/40. Filed on an unknown date: 5/25. Market value unknown: 6/20.');
  });

  it('caps uncategorized permits at 49: 40 + 25 + 20 + 5 = 90 → 49', () => {
    const a = assessPermitWithRules({ ...located, value: 40_000, daysOld: 3, marketValue: 900_000, description: 'new wall sign' }, cls('Sign', 'new wall sign'));
    expect(a.score).toBe(49);
    expect(a.contactPriority).toBe('email');
    expect(a.reasoning).toMatch(/Total 90, capped at 49 \(uncategorized\)\.$/);
  });
});

describe('tierForScore (seed 001 tier definitions)', () => {
  it('A ≥ 80, B 50–79, C < 50, RETRY −1', () => {
    expect([-1, 0, 49, 50, 79, 80, 100].map(tierForScore)).toEqual(['RETRY', 'C', 'C', 'B', 'B', 'A', 'A']);
  });
  it('rejects anything else', () => {
    for (const s of [-2, 101, 79.5, Number.NaN]) expect(() => tierForScore(s)).toThrow(RangeError);
  });
});

describe('flags', () => {
  const roof = { category: 'roof' as const, commercial: false };

  it('review flags: missing address, unknown owner, commercial scale, value outlier', () => {
    expect(factFlags({ ...located, value: 10_000, daysOld: 1 }, roof)).toEqual([]);
    expect(factFlags({ ...located, address: ' ', value: 10_000 }, roof)).toEqual(['missing_address']);
    expect(factFlags({ ...located, state: null, value: 10_000 }, roof)).toEqual(['missing_address']);
    for (const owner of [null, '', '  ', 'Unknown', 'N/A', 'current owner', '?']) {
      expect(factFlags({ ...located, ownerName: owner, value: 10_000 }, roof), String(owner)).toEqual(['owner_unknown']);
    }
    expect(factFlags({ ...located, value: 10_000 }, { category: 'roof', commercial: true })).toEqual(['commercial_scale']);
    expect(factFlags({ ...located, value: 10_000 }, { category: 'commercial_hvac', commercial: true })).toEqual([]);
  });

  it('value outliers: negative, above the category cap, or over twice the property (existing houses only)', () => {
    expect(isValueOutlier({ value: -1 }, 'roof')).toBe(true);
    expect(isValueOutlier({ value: 1_000_000 }, 'remodel')).toBe(false);
    expect(isValueOutlier({ value: 1_000_001 }, 'remodel')).toBe(true);
    expect(isValueOutlier({ value: 3_000_000 }, 'new_construction')).toBe(false);
    expect(isValueOutlier({ value: 3_000_001 }, 'new_construction')).toBe(true);
    expect(isValueOutlier({ value: 25_000_000 }, 'commercial_pool')).toBe(false);
    expect(isValueOutlier({ value: 40_000, marketValue: 20_000 }, 'roof')).toBe(false); // exactly 2×
    expect(isValueOutlier({ value: 40_001, marketValue: 20_000 }, 'roof')).toBe(true);
    expect(isValueOutlier({ value: 400_000, marketValue: 50_000 }, 'new_construction')).toBe(false); // a new house on a cheap lot
    expect(isValueOutlier({ value: null, marketValue: 1 }, 'roof')).toBe(false);
  });

  it('info flags: stale after 180 days, value unknown; review flags come first', () => {
    expect(factFlags({ ...located, value: 1, daysOld: 180 }, roof)).toEqual([]);
    expect(factFlags({ ...located, ownerName: null, value: null, daysOld: 181 }, roof)).toEqual(['owner_unknown', 'stale_permit', 'value_unknown']);
    expect(needsReview(['stale_permit', 'value_unknown'])).toBe(false);
    expect(needsReview(['value_unknown', 'value_outlier'])).toBe(true);
  });

  it('normalizes free-text flags to snake_case', () => {
    expect(normalizeFlag('  Possible Duplicate! ')).toBe('possible_duplicate');
    expect(normalizeFlag('HOA-approval needed')).toBe('hoa_approval_needed');
    expect(normalizeFlag('!!!')).toBe('');
  });
});

describe('finalizeIntent', () => {
  const pool = cls('Pool', 'new pool');
  const ok = (score: number, flags: string[] = []) =>
    ({ ok: true as const, assessment: { score, reasoning: 'r', idealContractor: 'Pool builder', contactPriority: 'call' as const, flags } });

  it('a failed reasoner gives RETRY −1 with the error, never a score, and is not sent to review', () => {
    const r = finalizeIntent({ ownerName: null, value: 1 }, pool, { ok: false, error: 'ollama did not answer within 100 ms' }, 'v');
    expect(r).toMatchObject({
      score: -1, tier: 'RETRY', contactPriority: null, idealContractor: '', needsReview: false,
      error: 'ollama did not answer within 100 ms', reasoning: 'Reasoner failed: ollama did not answer within 100 ms',
      flags: ['missing_address', 'owner_unknown'], tradeGroup: 'luxury_outdoor', category: 'pool', version: 'permit-classifier@1+v',
    });
  });

  it('tiers the reasoner score and merges its flags after the fact flags', () => {
    const r = finalizeIntent({ ...located, value: null }, pool, ok(80, ['HOA approval', 'value_unknown', 'hoa approval']), 'v');
    expect(r).toMatchObject({ score: 80, tier: 'A', contactPriority: 'call', flags: ['value_unknown', 'hoa_approval'], needsReview: false, error: null });
    expect(finalizeIntent({ ...located, value: 1 }, pool, ok(79), 'v').tier).toBe('B');
  });

  it('a review flag from the reasoner sends the lead to review', () => {
    expect(finalizeIntent({ ...located, value: 1 }, pool, ok(90, ['owner_unknown']), 'v')).toMatchObject({ needsReview: true, flags: ['owner_unknown'] });
  });

  it('caps an uncategorized permit at 49 whatever the reasoner says', () => {
    const r = finalizeIntent({ ...located, value: 1 }, cls('Sign', null), ok(92), 'v');
    expect([r.score, r.tier, r.reasoning]).toEqual([49, 'C', 'r Capped at 49 from 92: uncategorized permit.']);
  });

  it('refuses an out-of-range reasoner score', () => {
    expect(() => finalizeIntent(located, pool, ok(101), 'v')).toThrow(RangeError);
  });
});

describe('Ollama answer parsing', () => {
  const envelope = (response: string) => JSON.stringify({ model: 'llama3.2:3b', response, done: true, eval_count: 42 });
  const good = { score: 83, reasoning: 'Fresh pool permit.', ideal_contractor: 'Pool builder', contact_priority: 'call', flags: ['x'] };

  it('accepts the schema', () => {
    expect(parseOllamaAnswer(envelope(JSON.stringify(good)))).toEqual({
      ok: true, assessment: { score: 83, reasoning: 'Fresh pool permit.', idealContractor: 'Pool builder', contactPriority: 'call', flags: ['x'] },
    });
  });

  it('rejects a non-envelope, non-JSON response and every schema mismatch', () => {
    expect(parseOllamaAnswer('<html>')).toEqual({ ok: false, error: 'ollama answer is not a /api/generate response' });
    expect(parseOllamaAnswer(envelope('score: 80'))).toEqual({ ok: false, error: 'ollama response is not valid JSON: "score: 80"' });
    for (const bad of [
      { ...good, score: 101 }, { ...good, score: 82.5 }, { ...good, score: '80' }, { ...good, contact_priority: 'sms' },
      { ...good, reasoning: ' ' }, { ...good, flags: 'none' }, { score: 80 },
    ]) {
      const r = parseOllamaAnswer(envelope(JSON.stringify(bad)));
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      expect(!r.ok && r.error).toMatch(/^ollama response does not match the schema: /);
    }
  });

  it('sends facts without the owner name or street address', () => {
    const p = buildOllamaPrompt({ ...located, ownerName: 'Jane Q Doe', address: '742 Evergreen Ter', value: 85_000, daysOld: 5, description: 'New "pool"' }, cls('Pool', null));
    expect(p).not.toContain('Jane');
    expect(p).not.toContain('Evergreen');
    expect(p).toContain('"description":"New \\"pool\\""');
    expect(p).toContain('"project_value":"$85,000"');
    expect(p).toContain('"owner_on_record":true');
  });
});
