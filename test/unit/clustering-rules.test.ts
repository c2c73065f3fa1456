import { describe, expect, it } from 'vitest';
import {
  CLUSTER_RADIUS_M,
  MAX_CLUSTER_LEADS,
  MIN_CLUSTER_LEADS,
  isExclusivityLive,
  marketKey,
  marketLabel,
  matchGroupsToClusters,
  nameCluster,
  parseMarket,
} from '../../src/modules/clustering/clustering.rules.ts';

describe('seed 002 §3.5.4 constants', () => {
  it('2 miles in metres, 10 to 100 leads per cluster', () => {
    expect(CLUSTER_RADIUS_M).toBe(3218.688); // 2 × 1609.344
    expect([MIN_CLUSTER_LEADS, MAX_CLUSTER_LEADS]).toEqual([10, 100]);
  });
});

describe('markets', () => {
  it('parses "City, ST" and rejects anything else', () => {
    expect(parseMarket('Austin, TX')).toEqual({ city: 'Austin', state: 'TX' });
    expect(parseMarket('  round rock ,tx ')).toEqual({ city: 'round rock', state: 'TX' });
    expect(parseMarket('Winston-Salem, NC')).toEqual({ city: 'Winston-Salem', state: 'NC' });
    expect(parseMarket('Washington, D.C., DC')).toEqual({ city: 'Washington, D.C.', state: 'DC' });
    for (const bad of ['Austin', 'Austin, Texas', ', TX', 'Austin TX', '']) expect(parseMarket(bad), bad).toBeNull();
  });

  it('keys ignore case and spaces; labels read "City, ST"', () => {
    expect(marketKey({ city: ' Austin ', state: 'tx' })).toBe(marketKey({ city: 'AUSTIN', state: 'TX' }));
    expect(marketKey({ city: 'Austin', state: 'TX' })).toBe('austin|TX');
    expect(marketLabel({ city: 'Austin ', state: 'tx' })).toBe('Austin, TX');
  });
});

describe('matchGroupsToClusters', () => {
  const all = new Set(['c1', 'c2', 'c3']);

  it('pairs each group with the cluster most of its leads were in, one to one', () => {
    // g1 had 60 leads in c1 and 5 in c2; g2 had 40 in c1 and 30 in c2: g1 keeps c1, g2 takes c2.
    const m = matchGroupsToClusters(
      [
        { group: 'g1', clusterId: 'c1', leads: 60 },
        { group: 'g1', clusterId: 'c2', leads: 5 },
        { group: 'g2', clusterId: 'c1', leads: 40 },
        { group: 'g2', clusterId: 'c2', leads: 30 },
      ],
      all,
    );
    expect([...m.entries()].sort()).toEqual([['g1', 'c1'], ['g2', 'c2']]);
  });

  it('leaves a split half without a cluster when its only cluster went to the larger half', () => {
    const m = matchGroupsToClusters([{ group: 'west', clusterId: 'c1', leads: 75 }, { group: 'east', clusterId: 'c1', leads: 74 }], all);
    expect([...m.entries()]).toEqual([['west', 'c1']]);
  });

  it('breaks ties by cluster id, then group, and ignores clusters outside the candidates', () => {
    const m = matchGroupsToClusters(
      [
        { group: 'b', clusterId: 'c2', leads: 10 },
        { group: 'a', clusterId: 'c2', leads: 10 },
        { group: 'a', clusterId: 'c1', leads: 10 },
        { group: 'z', clusterId: 'archived', leads: 99 },
      ],
      all,
    );
    // (a, c1) sorts first; then (a, c2) is skipped (a is taken) and (b, c2) pairs.
    expect([...m.entries()].sort()).toEqual([['a', 'c1'], ['b', 'c2']]);
    expect(m.has('z')).toBe(false);
  });
});

describe('nameCluster', () => {
  it('names by market and main ZIP, numbering repeats', () => {
    const taken = new Set(['Austin, TX 78704']);
    expect(nameCluster('Austin, TX', '78704', taken)).toBe('Austin, TX 78704 #2');
    expect(nameCluster('Austin, TX', '78704', taken)).toBe('Austin, TX 78704 #3');
    expect(nameCluster('Austin, TX', '78701', taken)).toBe('Austin, TX 78701');
    expect(nameCluster('Austin, TX', null, taken)).toBe('Austin, TX');
  });
});

describe('isExclusivityLive', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  it('is live while held and not expired; no expiry means indefinite', () => {
    expect(isExclusivityLive({ exclusiveContractorId: 'k', exclusivityExpiresAt: new Date('2026-06-01T12:00:01Z') }, now)).toBe(true);
    expect(isExclusivityLive({ exclusiveContractorId: 'k', exclusivityExpiresAt: now }, now)).toBe(false);
    expect(isExclusivityLive({ exclusiveContractorId: 'k', exclusivityExpiresAt: null }, now)).toBe(true);
    expect(isExclusivityLive({ exclusiveContractorId: null, exclusivityExpiresAt: null }, now)).toBe(false);
  });
});
