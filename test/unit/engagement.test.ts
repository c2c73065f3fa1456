import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { recencyPoints, scoreEngagement, temperatureFor, type EngagementInputs } from '../../src/modules/engagement/engagement.scorer.ts';

const now = new Date('2026-11-22T12:00:00Z');
const ago = (h: number) => new Date(now.getTime() - h * 3600_000);
const base: EngagementInputs = {
  qrScans: 0, catalogViews: 0, messages: 0, voiceMessages: 0,
  hasPhone: false, hasBudget: false, hasTransactionType: false, hasPropertyType: false, hasLocation: false, hasPaymentMethod: false,
  lastInteractionAt: null,
};

// Hand-computed from the seed 004 formula (not its worked example, which does not add up).
describe('engagement score (seed 004)', () => {
  it('engagement caps: 6 scans → 15 (not 18), 7 views → 10, 12 messages → 10, voice +5 once', () => {
    const r = scoreEngagement({ ...base, qrScans: 6, catalogViews: 7, messages: 12, voiceMessages: 3 }, now);
    expect(r.engagement).toBe(40);
    expect(r.score).toBe(40);
    expect(r.temperature).toBe('warm');
  });

  it('the seed example timeline, by the formula: 1 scan, 1 view, 2 msgs, voice, phone, budget, property type, location, transaction type, 25 min ago', () => {
    const r = scoreEngagement({
      ...base, qrScans: 1, catalogViews: 1, messages: 2, voiceMessages: 1,
      hasPhone: true, hasBudget: true, hasPropertyType: true, hasLocation: true, hasTransactionType: true,
      lastInteractionAt: new Date(now.getTime() - 25 * 60_000),
    }, now);
    // engagement 3 + 2 + 2 + 5 = 12; qualification 10 + 10 + 5 + 5 + 5 = 35; recency 20 → 67
    expect([r.engagement, r.qualification, r.recency, r.score]).toEqual([12, 35, 20, 67]);
    expect(r.temperature).toBe('hot');
  });

  it('full marks: 40 + 40 + 20 = 100, burning', () => {
    const r = scoreEngagement({
      qrScans: 5, catalogViews: 5, messages: 10, voiceMessages: 1,
      hasPhone: true, hasBudget: true, hasTransactionType: true, hasPropertyType: true, hasLocation: true, hasPaymentMethod: true,
      lastInteractionAt: ago(0.1),
    }, now);
    expect(r.score).toBe(100);
    expect(r.temperature).toBe('burning');
  });

  it('recency bands and edges', () => {
    expect([0, 0.99, 1, 5.99, 6, 23.99, 24, 71.99, 72, 500].map((h) => recencyPoints(ago(h), now))).toEqual([20, 20, 15, 15, 10, 10, 5, 5, 0, 0]);
    expect(recencyPoints(null, now)).toBe(0);
  });

  it('temperature thresholds 70/50/25', () => {
    expect([100, 70, 69, 50, 49, 25, 24, 0].map(temperatureFor)).toEqual(['burning', 'burning', 'hot', 'hot', 'warm', 'warm', 'cold', 'cold']);
  });

  it('a phone alone: 10, cold; a message just now adds 1 + 20 → 31, warm', () => {
    expect(scoreEngagement({ ...base, hasPhone: true }, now).score).toBe(10);
    const r = scoreEngagement({ ...base, hasPhone: true, messages: 1, lastInteractionAt: now }, now);
    expect(r.score).toBe(31);
    expect(r.temperature).toBe('warm');
  });

  it('always within 0–100 and equal to the sum of its parts', () => {
    fc.assert(
      fc.property(fc.nat(50), fc.nat(50), fc.nat(50), fc.nat(5), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.option(fc.float({ min: 0, max: 1000, noNaN: true })),
        (qr, cv, m, v, a, b, c, d, e, f, h) => {
          const r = scoreEngagement({ qrScans: qr, catalogViews: cv, messages: m, voiceMessages: v, hasPhone: a, hasBudget: b, hasTransactionType: c, hasPropertyType: d, hasLocation: e, hasPaymentMethod: f, lastInteractionAt: h === null ? null : ago(h) }, now);
          expect(r.score).toBe(r.parts.reduce((s, p) => s + p.points, 0));
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(100);
        }),
    );
  });
});
