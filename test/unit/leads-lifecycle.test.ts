import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LEAD_STATUSES, LEAD_TRANSITIONS, SOLD_STATUSES, allowedFrom, canTransition, isLeadStatus } from '../../src/modules/leads/leads.lifecycle.ts';

describe('lead lifecycle table', () => {
  it('has an entry for every status of the lead_status enum and only targets known statuses', () => {
    expect(Object.keys(LEAD_TRANSITIONS).sort()).toEqual([...LEAD_STATUSES].sort());
    for (const targets of Object.values(LEAD_TRANSITIONS)) for (const t of targets) expect(isLeadStatus(t)).toBe(true);
  });

  it('allows the main path processing → scored → available → reserved → sold → delivered → converted', () => {
    const path = ['processing', 'scored', 'available', 'reserved', 'sold', 'delivered', 'converted'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition('available', 'sold')).toBe(true);
    expect(canTransition('sold', 'converted')).toBe(true);
  });

  it('has the side exits', () => {
    expect(canTransition('processing', 'unqualified')).toBe(true);
    expect(canTransition('scored', 'unqualified')).toBe(true);
    expect(canTransition('processing', 'needs_review')).toBe(true);
    expect(canTransition('available', 'expired')).toBe(true);
    expect(canTransition('sold', 'refunded')).toBe(true);
    expect(canTransition('delivered', 'refunded')).toBe(true);
  });

  it('never goes back from a sale and keeps the end states terminal', () => {
    for (const s of SOLD_STATUSES) {
      expect(canTransition(s, 'available')).toBe(false);
      expect(canTransition(s, 'sold')).toBe(false);
    }
    expect(LEAD_TRANSITIONS.converted).toEqual([]);
    expect(LEAD_TRANSITIONS.expired).toEqual([]);
    expect(LEAD_TRANSITIONS.refunded).toEqual([]);
    expect(canTransition('converted', 'refunded')).toBe(false);
    expect(canTransition('processing', 'sold')).toBe(false);
    expect(canTransition('scored', 'sold')).toBe(false);
  });

  it('allowedFrom lists exactly the from-statuses of the conditional UPDATE', () => {
    expect(allowedFrom('sold').sort()).toEqual(['available', 'reserved']);
    expect(allowedFrom('converted').sort()).toEqual(['delivered', 'sold']);
    expect(allowedFrom('refunded').sort()).toEqual(['delivered', 'sold']);
    expect(allowedFrom('delivered')).toEqual(['sold']);
    expect(allowedFrom('processing')).toEqual(['needs_review']);
  });

  it('canTransition and allowedFrom agree, and no status moves to itself', () => {
    const status = fc.constantFrom(...LEAD_STATUSES);
    fc.assert(fc.property(status, status, (from, to) => canTransition(from, to) === allowedFrom(to).includes(from)));
    for (const s of LEAD_STATUSES) expect(canTransition(s, s)).toBe(false);
  });
});
