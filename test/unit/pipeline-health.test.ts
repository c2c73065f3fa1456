import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  churnRiskFor,
  effectiveTimeZone,
  followUpStatus,
  milestoneScore,
  qualityPoints,
  recencyPoints,
  scorePipeline,
  stageOf,
  type PipelineInputs,
} from '../../src/modules/engagement/pipeline-health.scorer.ts';

const now = new Date('2026-11-22T12:00:00Z');
const HOUR = 3600_000;
const DAY = 86_400_000;
const hoursAgo = (h: number) => new Date(now.getTime() - h * HOUR);
const daysAgo = (d: number) => new Date(now.getTime() - d * DAY);

/** A sale bought 2 hours ago with nothing done on it; every case below overrides what it needs. */
const base: PipelineInputs = {
  assignedAt: hoursAgo(2),
  viewed: false, viewedAt: null,
  contacted: false, contactedAt: null,
  appointmentScheduled: false, appointmentDate: null,
  quoteProvided: false, quoteDate: null, quoteAmount: null,
  converted: false, convertedAt: null,
  nextFollowUpAt: null,
  leadQualityRating: null,
  qualityScore: 80,
  lastInteractionAt: null,
  timeZone: null,
};

const pick = (r: ReturnType<typeof scorePipeline>) => ({
  health: r.healthScore, velocity: r.velocityScore, ai: r.aiPriority, conversion: r.conversionProbability,
  churn: r.churnRisk, followUp: r.followUpStatus, overdue: r.overdueDays,
});

describe('building blocks', () => {
  it('stage ladder: the furthest flag wins', () => {
    expect(stageOf(base)).toBe('assigned');
    expect(stageOf({ ...base, viewed: true })).toBe('viewed');
    expect(stageOf({ ...base, viewed: true, contacted: true })).toBe('contacted');
    expect(stageOf({ ...base, contacted: true, appointmentScheduled: true })).toBe('appointment');
    expect(stageOf({ ...base, appointmentScheduled: true, quoteProvided: true })).toBe('quoted');
    expect(stageOf({ ...base, converted: true })).toBe('won');
  });

  it('milestone pace: 100 up to the expectation, linear to 0 at three times it', () => {
    expect([0.5, 1, 2, 3, 5].map((d) => milestoneScore(d, 1))).toEqual([100, 100, 50, 0, 0]);
    expect(milestoneScore(14, 7)).toBe(50); // quote two weeks after first contact
    expect(milestoneScore(60, 30)).toBe(50); // won two months after the quote
    expect(milestoneScore(10, 7)).toBeCloseTo(78.5714, 4); // 100 × (21 − 10) / 14
  });

  it('recency bands ≤ 1 / 3 / 7 / 14 days', () => {
    expect([0, 1, 1.01, 3, 3.5, 7, 7.5, 14, 14.01, 100].map(recencyPoints)).toEqual([100, 100, 75, 75, 50, 50, 25, 25, 0, 0]);
  });

  it('quality: the buyer\'s stars first ((n − 1) × 25), then the lead\'s quality score, else 50', () => {
    expect(qualityPoints({ leadQualityRating: 1, qualityScore: 90 })).toEqual({ points: 0, source: 'rating' });
    expect(qualityPoints({ leadQualityRating: 4, qualityScore: 90 })).toEqual({ points: 75, source: 'rating' });
    expect(qualityPoints({ leadQualityRating: 5, qualityScore: null })).toEqual({ points: 100, source: 'rating' });
    expect(qualityPoints({ leadQualityRating: null, qualityScore: 70 })).toEqual({ points: 70, source: 'quality_score' });
    expect(qualityPoints({ leadQualityRating: null, qualityScore: null })).toEqual({ points: 50, source: 'default' });
  });

  it('churn risk thresholds: health < 20 / 35 / 50, or overdue ≥ 7 / 3 / 1 days', () => {
    expect([churnRiskFor(19, 0), churnRiskFor(20, 0), churnRiskFor(34, 0), churnRiskFor(35, 0), churnRiskFor(49, 0), churnRiskFor(50, 0)])
      .toEqual(['critical', 'high', 'high', 'medium', 'medium', 'low']);
    expect([churnRiskFor(90, 1), churnRiskFor(90, 2), churnRiskFor(90, 3), churnRiskFor(90, 6), churnRiskFor(90, 7)])
      .toEqual(['medium', 'medium', 'high', 'high', 'critical']);
  });
});

describe('follow-up status and overdue days', () => {
  const at = (h: number) => new Date(now.getTime() + h * HOUR);
  it('none without a due date', () => {
    expect(followUpStatus(null, now, null)).toEqual({ status: 'none', overdueDays: 0 });
  });

  it('overdue 0 / 1 / 5 days by calendar day: earlier today is still "today", 0 days overdue', () => {
    expect(followUpStatus(at(-3), now, null)).toEqual({ status: 'today', overdueDays: 0 });
    expect(followUpStatus(at(-12), now, null)).toEqual({ status: 'today', overdueDays: 0 }); // 00:00 today
    expect(followUpStatus(at(-12.01), now, null)).toEqual({ status: 'overdue', overdueDays: 1 }); // 23:59 yesterday
    expect(followUpStatus(at(-24), now, null)).toEqual({ status: 'overdue', overdueDays: 1 });
    expect(followUpStatus(at(-5 * 24), now, null)).toEqual({ status: 'overdue', overdueDays: 5 });
  });

  it('today vs this week vs scheduled', () => {
    expect(followUpStatus(at(11.99), now, null).status).toBe('today'); // 23:59 today
    expect(followUpStatus(at(12), now, null).status).toBe('this_week'); // 00:00 tomorrow
    expect(followUpStatus(at(6 * 24), now, null).status).toBe('this_week');
    expect(followUpStatus(at(7 * 24), now, null).status).toBe('scheduled');
  });

  it('reads the calendar in the lead\'s time zone: the same instants flip between today and overdue', () => {
    // 23:00Z on the 21st is 17:00 in Chicago (CST, UTC−6); 05:30Z on the 22nd is still 23:30 on the 21st there.
    const due1 = new Date('2026-11-21T23:00:00Z');
    const now1 = new Date('2026-11-22T05:30:00Z');
    expect(followUpStatus(due1, now1, null)).toEqual({ status: 'overdue', overdueDays: 1 });
    expect(followUpStatus(due1, now1, 'America/Chicago')).toEqual({ status: 'today', overdueDays: 0 });
    // 04:00Z on the 22nd is 22:00 on the 21st in Chicago; 07:00Z is 01:00 on the 22nd.
    const due2 = new Date('2026-11-22T04:00:00Z');
    const now2 = new Date('2026-11-22T07:00:00Z');
    expect(followUpStatus(due2, now2, null)).toEqual({ status: 'today', overdueDays: 0 });
    expect(followUpStatus(due2, now2, 'America/Chicago')).toEqual({ status: 'overdue', overdueDays: 1 });
  });

  it('an unknown zone falls back to UTC', () => {
    expect(effectiveTimeZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(effectiveTimeZone(null)).toBe('UTC');
    expect(effectiveTimeZone('America/Denver')).toBe('America/Denver');
    expect(followUpStatus(new Date('2026-11-21T23:00:00Z'), new Date('2026-11-22T05:30:00Z'), 'Mars/Olympus_Mons')).toEqual({ status: 'overdue', overdueDays: 1 });
  });
});

// Every expected number below is worked out by hand from the definitions in docs/pipeline-metrics.md.
describe('scorePipeline: hand-computed cases', () => {
  it('no activity at all, bought 2 h ago', () => {
    const r = scorePipeline(base, now);
    // velocity: first contact pending 0.08 d ≤ 1 → 100; recency 100; quality 80 (quality score)
    // health (4·0 + 3·100 + 2·100 + 80) / 10 = 58; due assigned + 1 d = tomorrow 10:00 → this_week
    // conversion 15 × 200 × 230 / 400 = 1725 → 17.25; ai (0.4·50 + 0.3·10 + 0.3·17.25) = 28.175 → 28
    expect(pick(r)).toEqual({ health: 58, velocity: 100, ai: 28, conversion: 17.25, churn: 'low', followUp: 'this_week', overdue: 0 });
    expect(r.stage).toBe('assigned');
    expect(r.daysInStage).toBe(0);
    expect(r.recommendation).toEqual({
      priority: 'high', action: 'call_now',
      message: 'Make first contact — bought 2 h ago; homeowners expect a call within 24 h.',
      reasoning: 'Purchase → first contact is expected within 1–24 hours.',
    });
    expect(r.explanation).toMatchObject({
      stagePoints: 0, recencyPoints: 100, qualityPoints: 80, qualitySource: 'quality_score', overduePenalty: 0,
      followUpDueAt: '2026-11-23T10:00:00.000Z', followUpSource: 'timeline', timeZone: 'UTC',
      milestones: [{ name: 'first_contact', expectedDays: 1, days: 0.08, status: 'pending', score: 100 }],
    });
  });

  it('untouched for 2 days: 1 day overdue', () => {
    const r = scorePipeline({ ...base, assignedAt: daysAgo(2) }, now);
    // velocity: contact pending 2 d → 50; recency 2 d → 75; health (0 + 150 + 150 + 80)/10 = 38 − 5 = 33
    // conversion 15 × 150 × 230 / 400 = 1293.75 → 12.94; churn high (33 < 35); ai (40 + 21 + 3.882) → 65
    expect(pick(r)).toEqual({ health: 33, velocity: 50, ai: 65, conversion: 12.94, churn: 'high', followUp: 'overdue', overdue: 1 });
    expect(r.recommendation).toEqual({
      priority: 'urgent', action: 'call_now',
      message: 'URGENT: Call immediately! Lead health critical (33) and 1 day overdue.',
      reasoning: 'High churn risk - immediate action required',
    });
  });

  it('untouched for 6 days: 5 days overdue, health floored at 0, critical', () => {
    const r = scorePipeline({ ...base, assignedAt: daysAgo(6) }, now);
    // velocity 0 (6 d ≥ 3 × 1 d); recency 50; health (0 + 0 + 100 + 80)/10 = 18 − 25 → 0
    // conversion 15 × 100 × 230 / 400 = 862.5 → 8.63; ai (40 + 30 + 2.589) → 73
    expect(pick(r)).toEqual({ health: 0, velocity: 0, ai: 73, conversion: 8.63, churn: 'critical', followUp: 'overdue', overdue: 5 });
    expect(r.explanation.overduePenalty).toBe(25);
    expect(r.daysInStage).toBe(6);
    expect(r.recommendation).toEqual({
      priority: 'urgent', action: 'call_now',
      message: 'URGENT: Call immediately! Lead health critical (0) and 5 days overdue.',
      reasoning: 'Critical churn risk - immediate action required',
    });
  });

  it('contacted late, quote overdue 3 days (close to the seed 003 example)', () => {
    const r = scorePipeline({
      ...base, assignedAt: daysAgo(12), viewed: true, viewedAt: daysAgo(11), contacted: true, contactedAt: daysAgo(10), qualityScore: 70,
    }, now);
    // milestones: contact took 2 d → 50; quote pending 10 d → 100 × 11/14 = 78.57; velocity round(64.29) = 64
    // recency 10 d → 25; health (160 + 192 + 50 + 70)/10 = 47.2 → 47 − 15 = 32
    // due contacted + 7 d = 3 days ago; conversion 30 × 164 × 220 / 400 = 2706 → 27.06; ai (40 + 21 + 8.118) → 69
    expect(pick(r)).toEqual({ health: 32, velocity: 64, ai: 69, conversion: 27.06, churn: 'high', followUp: 'overdue', overdue: 3 });
    expect(r.stage).toBe('contacted');
    expect(r.daysInStage).toBe(10);
    expect(r.explanation.milestones.map((m) => [m.name, m.days, m.status, m.score])).toEqual([
      ['first_contact', 2, 'done', 50],
      ['quote', 10, 'pending', 79],
    ]);
    expect(r.recommendation).toEqual({
      priority: 'urgent', action: 'call_now',
      message: 'URGENT: Call immediately! Lead health critical (32) and 3 days overdue.',
      reasoning: 'High churn risk - immediate action required',
    });
  });

  it('contacted on time, quote not yet due: send_quote', () => {
    const r = scorePipeline({ ...base, assignedAt: daysAgo(3), contacted: true, contactedAt: daysAgo(2.5), qualityScore: 90 }, now);
    // contact 0.5 d → 100, quote pending 2.5 d → 100; velocity 100; recency 2.5 d → 75
    // health (160 + 300 + 150 + 90)/10 = 70; due contacted + 7 d → in 4.5 days → this_week
    // conversion 30 × 200 × 240 / 400 = 3600 → 36; ai (20 + 3 + 10.8) = 33.8 → 34
    expect(pick(r)).toEqual({ health: 70, velocity: 100, ai: 34, conversion: 36, churn: 'low', followUp: 'this_week', overdue: 0 });
    expect(r.recommendation).toEqual({
      priority: 'medium', action: 'send_quote',
      message: 'Send the quote — 2 days since first contact; quotes are expected within 3–7 days.',
      reasoning: 'First contact → quote is expected within 3–7 days.',
    });
  });

  it('an appointment implies contact; with no contact time the quote clock runs from the purchase', () => {
    const r = scorePipeline({ ...base, assignedAt: daysAgo(4), appointmentScheduled: true, appointmentDate: daysAgo(1) }, now);
    // milestones: contact done, time unknown → skipped; quote pending 4 d from purchase → 100; velocity 100
    // last activity = the past appointment, 1 d → recency 100; health (240 + 300 + 200 + 80)/10 = 82
    // due purchase + 7 d → in 3 days → this_week; conversion 45 × 200 × 230 / 400 = 5175 → 51.75
    expect(pick(r)).toEqual({ health: 82, velocity: 100, ai: Math.round(20 + 3 + 15.525), conversion: 51.75, churn: 'low', followUp: 'this_week', overdue: 0 });
    expect(r.stage).toBe('appointment');
    expect(r.daysInStage).toBe(4); // no "booked at" time: inherits the purchase time
    expect(r.explanation.milestones.map((m) => m.name)).toEqual(['quote']);
  });

  it('quoted on pace: schedule_follow_up; a follow-up the contractor set for today raises its priority', () => {
    const q: PipelineInputs = {
      ...base, assignedAt: daysAgo(10), viewed: true, viewedAt: daysAgo(10), contacted: true, contactedAt: daysAgo(9),
      quoteProvided: true, quoteDate: daysAgo(4), quoteAmount: 12_500, leadQualityRating: 4,
    };
    const r = scorePipeline(q, now);
    // milestones 1 d → 100, 5 d → 100, close pending 4 d → 100; recency 4 d → 50; quality 75 (4 stars)
    // health (320 + 300 + 100 + 75)/10 = 79.5 → 80; due quote + 30 d → scheduled
    // conversion 60 × 200 × 225 / 400 = 6750 → 67.5; ai (8 + 3 + 20.25) = 31.25 → 31
    expect(pick(r)).toEqual({ health: 80, velocity: 100, ai: 31, conversion: 67.5, churn: 'low', followUp: 'scheduled', overdue: 0 });
    expect(r.daysInStage).toBe(4);
    expect(r.recommendation).toEqual({
      priority: 'medium', action: 'schedule_follow_up',
      message: 'Follow up on the $12,500 quote sent 4 days ago.',
      reasoning: 'Quote → job won typically takes 7–30 days.',
    });

    const today = scorePipeline({ ...q, nextFollowUpAt: new Date(now.getTime() + 3 * HOUR) }, now);
    // ai (0.4·80 + 3 + 20.25) = 55.25 → 55
    expect(pick(today)).toEqual({ health: 80, velocity: 100, ai: 55, conversion: 67.5, churn: 'low', followUp: 'today', overdue: 0 });
    expect(today.explanation.followUpSource).toBe('scheduled');
    expect(today.recommendation.priority).toBe('high');
  });

  it('a scheduled follow-up that activity has since passed counts as done', () => {
    const r = scorePipeline({
      ...base, assignedAt: daysAgo(3), contacted: true, contactedAt: daysAgo(1), nextFollowUpAt: daysAgo(2),
    }, now);
    // the follow-up two days ago was before the contact a day ago → timeline: contact + 7 d
    expect(r.explanation.followUpSource).toBe('timeline');
    expect(r.explanation.followUpDueAt).toBe(new Date(now.getTime() + 6 * DAY).toISOString());
    expect(r.followUpStatus).toBe('this_week');
    expect(r.overdueDays).toBe(0);
  });

  it('an old quote with recent homeowner activity and a follow-up set: nurture', () => {
    const r = scorePipeline({
      ...base, assignedAt: daysAgo(45), contacted: true, contactedAt: daysAgo(44), quoteProvided: true, quoteDate: daysAgo(35),
      lastInteractionAt: daysAgo(2), nextFollowUpAt: new Date(now.getTime() + 10 * DAY), leadQualityRating: 5,
    }, now);
    // milestones 1 d → 100, 9 d → 85.71, close pending 35 d → 91.67; velocity round(92.46) = 92
    // recency 2 d → 75; quality 100; health (320 + 276 + 150 + 100)/10 = 84.6 → 85; follow-up in 10 d → scheduled
    // conversion 60 × 192 × 250 / 400 = 7200 → 72; ai (8 + 3 + 21.6) = 32.6 → 33
    expect(pick(r)).toEqual({ health: 85, velocity: 92, ai: 33, conversion: 72, churn: 'low', followUp: 'scheduled', overdue: 0 });
    expect(r.recommendation).toEqual({
      priority: 'low', action: 'nurture',
      message: 'The quote is 35 days old — keep in touch with a check-in every two weeks.',
      reasoning: 'Most quotes close within 7–30 days; an older one needs nurturing, not pressure.',
    });
  });

  it('no activity for 65 days: close_out, and only the conversion part of AI priority', () => {
    const r = scorePipeline({
      ...base, assignedAt: daysAgo(70), contacted: true, contactedAt: daysAgo(69), quoteProvided: true, quoteDate: daysAgo(65), qualityScore: null,
    }, now);
    // milestones 1 d → 100, 4 d → 100, close pending 65 d → 100 × 25/60 = 41.67; velocity round(80.56) = 81
    // recency 0; quality 50 (default); health (320 + 243 + 0 + 50)/10 = 61.3 → 61 − 30 (35 days overdue, capped) = 31
    // conversion 60 × 181 × 200 / 400 = 5430 → 54.3; stale → ai = 0.3 × 54.3 = 16.29 → 16
    expect(pick(r)).toEqual({ health: 31, velocity: 81, ai: 16, conversion: 54.3, churn: 'critical', followUp: 'overdue', overdue: 35 });
    expect(r.explanation.overduePenalty).toBe(30);
    expect(r.recommendation).toEqual({
      priority: 'low', action: 'close_out',
      message: 'No activity for 65 days — close it out as lost, or report why for a refund review.',
      reasoning: 'Well past the 30–45 day average close with no sign of life.',
    });
  });

  it('won: fixed top metrics, nothing due, velocity from the real timeline', () => {
    const r = scorePipeline({
      ...base, assignedAt: daysAgo(40), contacted: true, contactedAt: daysAgo(39.5), quoteProvided: true, quoteDate: daysAgo(33),
      converted: true, convertedAt: daysAgo(1), nextFollowUpAt: daysAgo(5),
    }, now);
    // milestones 0.5 d → 100, 6.5 d → 100, 32 d → 100 × 58/60 = 96.67; velocity round(98.89) = 99
    expect(pick(r)).toEqual({ health: 100, velocity: 99, ai: 0, conversion: 100, churn: 'low', followUp: 'none', overdue: 0 });
    expect(r.stage).toBe('won');
    expect(r.daysInStage).toBe(1);
    expect(r.recommendation).toEqual({
      priority: 'low', action: 'close_out',
      message: 'Job won — record the job value and close date to close it out.',
      reasoning: 'Converted: nothing left to chase.',
    });
  });

  it('won with no timestamps at all: velocity 100 (nothing known to be late)', () => {
    expect(scorePipeline({ ...base, converted: true }, now).velocityScore).toBe(100);
  });

  it('the lead\'s time zone moves the overdue day count at the boundary', () => {
    // bought 2026-11-20 23:00Z → first contact due 2026-11-21 23:00Z; now 2026-11-22 05:30Z
    const i = { ...base, assignedAt: new Date('2026-11-20T23:00:00Z') };
    const at = new Date('2026-11-22T05:30:00Z');
    expect([scorePipeline(i, at).followUpStatus, scorePipeline(i, at).overdueDays]).toEqual(['overdue', 1]);
    const chi = scorePipeline({ ...i, timeZone: 'America/Chicago' }, at);
    expect([chi.followUpStatus, chi.overdueDays, chi.explanation.timeZone]).toEqual(['today', 0, 'America/Chicago']);
  });
});

describe('properties', () => {
  const arbInputs = fc.record({
    assignedAgo: fc.double({ min: 0, max: 120, noNaN: true }),
    steps: fc.integer({ min: 0, max: 5 }),
    gaps: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
    rating: fc.option(fc.integer({ min: 1, max: 5 })),
    quality: fc.option(fc.integer({ min: 0, max: 100 })),
    tz: fc.constantFrom(null, 'America/Chicago', 'America/Los_Angeles', 'Asia/Kolkata'),
  });
  type ArbInputs = typeof arbInputs extends fc.Arbitrary<infer T> ? T : never;
  /** Past-only timestamps, in order: viewed, contacted, appointment, quoted, won. */
  const build = (a: ArbInputs, at: Date): PipelineInputs => {
    const assignedAt = new Date(at.getTime() - a.assignedAgo * DAY);
    let t = assignedAt.getTime();
    const ts = a.gaps.map((g) => (t += g * (at.getTime() - t)));
    const on = (k: number) => a.steps > k;
    return {
      ...base, assignedAt, timeZone: a.tz, leadQualityRating: a.rating, qualityScore: a.quality,
      viewed: on(0), viewedAt: on(0) ? new Date(ts[0]!) : null,
      contacted: on(1), contactedAt: on(1) ? new Date(ts[1]!) : null,
      appointmentScheduled: on(2), appointmentDate: on(2) ? new Date(ts[2]!) : null,
      quoteProvided: on(3), quoteDate: on(3) ? new Date(ts[3]!) : null,
      converted: on(4), convertedAt: on(4) ? new Date(ts[4]!) : null,
    };
  };

  it('every metric stays in its range', () => {
    fc.assert(fc.property(arbInputs, (a) => {
      const r = scorePipeline(build(a, now), now);
      for (const v of [r.healthScore, r.velocityScore, r.aiPriority, r.conversionProbability]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(100);
      }
      expect(Number.isInteger(r.healthScore) && Number.isInteger(r.velocityScore) && Number.isInteger(r.aiPriority)).toBe(true);
      expect(Math.round(r.conversionProbability * 100) / 100).toBe(r.conversionProbability);
      expect(r.overdueDays).toBeGreaterThanOrEqual(0);
      expect(r.followUpStatus === 'overdue').toBe(r.overdueDays > 0);
    }));
  });

  it('with nothing new happening, health, velocity and conversion never rise as time passes', () => {
    fc.assert(fc.property(arbInputs, fc.double({ min: 0, max: 30, noNaN: true }), (a, laterDays) => {
      const i = build(a, now);
      const later = new Date(now.getTime() + laterDays * DAY);
      const r1 = scorePipeline(i, now);
      const r2 = scorePipeline(i, later);
      expect(r2.healthScore).toBeLessThanOrEqual(r1.healthScore);
      expect(r2.velocityScore).toBeLessThanOrEqual(r1.velocityScore);
      expect(r2.conversionProbability).toBeLessThanOrEqual(r1.conversionProbability);
      expect(r2.overdueDays).toBeGreaterThanOrEqual(r1.overdueDays);
    }));
  });
});
