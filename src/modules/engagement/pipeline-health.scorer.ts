/**
 * Pipeline health of a sold lead (seed 003): nine metrics computed from the follow-up data of its
 * lead_assignments row (seed 002 §3.7.3) against the expected timeline of seed 002 §6.4.
 *
 * Seed 003 names the metrics (health, velocity, AI priority, conversion probability, churn risk, follow-up
 * status, overdue days, recommendation, scores_last_updated) but gives no formulas; the definitions below are
 * ours and are written up with worked examples in docs/pipeline-metrics.md. Every formula is a small table or
 * a weighted sum, monotone in its inputs, so a contractor can see why a number moved.
 * scores_last_updated is stamped by the writer (pipeline.service), not here.
 */
export const PIPELINE_VERSION = 'pipeline@1';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export type PipelineStage = 'assigned' | 'viewed' | 'contacted' | 'appointment' | 'quoted' | 'won';
export type ChurnRisk = 'low' | 'medium' | 'high' | 'critical';
export type FollowUpStatus = 'none' | 'overdue' | 'today' | 'this_week' | 'scheduled';
export type RecommendationPriority = 'urgent' | 'high' | 'medium' | 'low';
export type RecommendationAction = 'call_now' | 'schedule_follow_up' | 'send_quote' | 'nurture' | 'close_out';

export interface Recommendation {
  priority: RecommendationPriority;
  action: RecommendationAction;
  message: string;
  reasoning: string;
}

/** One sale's follow-up data (lead_assignments) plus what the lead itself knows. */
export interface PipelineInputs {
  assignedAt: Date;
  viewed: boolean;
  viewedAt: Date | null;
  contacted: boolean;
  contactedAt: Date | null;
  appointmentScheduled: boolean;
  appointmentDate: Date | null;
  quoteProvided: boolean;
  quoteDate: Date | null;
  /** Dollars; only used in the recommendation's message. */
  quoteAmount: number | null;
  converted: boolean;
  convertedAt: Date | null;
  nextFollowUpAt: Date | null;
  /** The buyer's 1–5 star rating of the lead (seed 002 §3.7.3), when given. */
  leadQualityRating: number | null;
  /** The lead's property-quality score 0–100 (seed 002 §3.5.1). */
  qualityScore: number | null;
  /** Latest homeowner interaction recorded on the lead (seed 004 events), if any. */
  lastInteractionAt: Date | null;
  /** IANA zone of the lead's city; null → UTC. */
  timeZone: string | null;
}

export interface MilestoneResult {
  name: 'first_contact' | 'quote' | 'close';
  expectedDays: number;
  /** Days the milestone took (done) or has been running (pending), 2 decimals. */
  days: number;
  status: 'done' | 'pending';
  score: number;
}

export interface PipelineMetrics {
  healthScore: number;
  velocityScore: number;
  aiPriority: number;
  conversionProbability: number;
  churnRisk: ChurnRisk;
  followUpStatus: FollowUpStatus;
  overdueDays: number;
  recommendation: Recommendation;
  stage: PipelineStage;
  daysInStage: number;
  explanation: {
    stagePoints: number;
    stageEnteredAt: string;
    milestones: MilestoneResult[];
    lastActivityAt: string;
    daysSinceActivity: number;
    recencyPoints: number;
    qualityPoints: number;
    qualitySource: 'rating' | 'quality_score' | 'default';
    followUpDueAt: string | null;
    followUpSource: 'scheduled' | 'timeline' | null;
    timeZone: string;
    overduePenalty: number;
  };
  scorerVersion: string;
}

// Stage ladder: the furthest step the assignment's flags show. Points feed health; base probabilities feed
// conversion. A freshly bought lead starts near the seed's "average lead-to-job conversion: 30%" (seed 002
// §3.6.4 call script) and its "20%+ conversion" guarantee (§3.6.6 contract terms); each completed step raises it.
export const STAGES: readonly PipelineStage[] = ['assigned', 'viewed', 'contacted', 'appointment', 'quoted', 'won'];
export const STAGE_POINTS: Readonly<Record<PipelineStage, number>> = { assigned: 0, viewed: 10, contacted: 40, appointment: 60, quoted: 80, won: 100 };
export const STAGE_BASE_PROBABILITY: Readonly<Record<PipelineStage, number>> = { assigned: 15, viewed: 20, contacted: 30, appointment: 45, quoted: 60, won: 100 };

// seed 002 §6.4 timeline: purchase → first contact ~1–24 h, first contact → quote ~3–7 days, quote → job won
// ~7–30 days (average close 30–45 days ≈ their sum, 38). The upper end of each range is the expectation.
export const MILESTONES = [
  { name: 'first_contact', expectedDays: 1 },
  { name: 'quote', expectedDays: 7 },
  { name: 'close', expectedDays: 30 },
] as const;

/** Health = 0.4 stage + 0.3 velocity + 0.2 recency + 0.1 quality − overdue penalty (computed ×10 in integers). */
export const OVERDUE_PENALTY_PER_DAY = 5;
export const OVERDUE_PENALTY_MAX = 30;
/** No activity for longer than this (twice the 30–45 day average close) → close it out. */
export const STALE_AFTER_DAYS = 60;

const URGENCY: Readonly<Record<FollowUpStatus, number>> = { overdue: 100, today: 80, this_week: 50, scheduled: 20, none: 0 };
const CHURN_WEIGHT: Readonly<Record<ChurnRisk, number>> = { critical: 100, high: 70, medium: 40, low: 10 };

const round2 = (n: number) => Math.round(n * 100) / 100;
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

export function stageOf(i: Pick<PipelineInputs, 'converted' | 'quoteProvided' | 'appointmentScheduled' | 'contacted' | 'viewed'>): PipelineStage {
  if (i.converted) return 'won';
  if (i.quoteProvided) return 'quoted';
  if (i.appointmentScheduled) return 'appointment';
  if (i.contacted) return 'contacted';
  if (i.viewed) return 'viewed';
  return 'assigned';
}

/**
 * A milestone's pace: 100 while it took (or has been running) no longer than expected, then linearly down to
 * 0 at three times the expectation. First contact after 2 days → 50; a quote after 14 days → 50.
 */
export function milestoneScore(days: number, expectedDays: number): number {
  if (days <= expectedDays) return 100;
  return Math.max(0, (100 * (3 * expectedDays - days)) / (2 * expectedDays));
}

/**
 * The three §6.4 milestones. A milestone counts when it is done with a known time (duration from the previous
 * milestone, or from the latest known earlier time), or when it is the first one not yet reached (time so far).
 * A later step implies the earlier ones (an appointment or a quote implies contact). Done without a timestamp → unknown, skipped.
 */
export function milestones(i: PipelineInputs, now: Date): { results: MilestoneResult[]; pending: { index: number; start: Date } | null } {
  const reached = [i.contacted || i.appointmentScheduled || i.quoteProvided || i.converted, i.quoteProvided || i.converted, i.converted];
  const at = [i.contacted ? i.contactedAt : null, i.quoteProvided ? i.quoteDate : null, i.converted ? i.convertedAt : null];
  const results: MilestoneResult[] = [];
  let start = i.assignedAt;
  for (let k = 0; k < MILESTONES.length; k++) {
    const m = MILESTONES[k]!;
    if (!reached[k]) {
      const days = Math.max(0, (now.getTime() - start.getTime()) / DAY);
      results.push({ name: m.name, expectedDays: m.expectedDays, days: round2(days), status: 'pending', score: milestoneScore(days, m.expectedDays) });
      return { results, pending: { index: k, start } };
    }
    const t = at[k];
    if (t) {
      const days = Math.max(0, (t.getTime() - start.getTime()) / DAY);
      results.push({ name: m.name, expectedDays: m.expectedDays, days: round2(days), status: 'done', score: milestoneScore(days, m.expectedDays) });
      start = t;
    }
  }
  return { results, pending: null };
}

/** Velocity 0–100: the mean pace of the counted milestones; nothing known to be late → 100. */
export function velocityScore(results: MilestoneResult[]): number {
  if (!results.length) return 100;
  return Math.round(results.reduce((s, m) => s + m.score, 0) / results.length);
}

/** Most recent sign of life at or before now: the sale itself, any stage timestamp, a past appointment, a homeowner interaction. */
export function lastActivityAt(i: PipelineInputs, now: Date): Date {
  let best = i.assignedAt.getTime();
  for (const d of [i.viewed ? i.viewedAt : null, i.contactedAt, i.quoteDate, i.convertedAt, i.appointmentDate, i.lastInteractionAt]) {
    if (d && d.getTime() <= now.getTime() && d.getTime() > best) best = d.getTime();
  }
  return new Date(best);
}

/** Recency 0–100 by days since the last activity: ≤ 1 day 100, ≤ 3 75, ≤ 7 50, ≤ 14 25, else 0. */
export function recencyPoints(days: number): number {
  if (days <= 1) return 100;
  if (days <= 3) return 75;
  if (days <= 7) return 50;
  if (days <= 14) return 25;
  return 0;
}

/** Lead quality 0–100: the buyer's rating when given ((stars − 1) × 25), else the lead's quality score, else 50. */
export function qualityPoints(i: Pick<PipelineInputs, 'leadQualityRating' | 'qualityScore'>): { points: number; source: 'rating' | 'quality_score' | 'default' } {
  if (i.leadQualityRating != null && i.leadQualityRating >= 1 && i.leadQualityRating <= 5) return { points: (i.leadQualityRating - 1) * 25, source: 'rating' };
  if (i.qualityScore != null) return { points: Math.round(clamp(i.qualityScore, 0, 100)), source: 'quality_score' };
  return { points: 50, source: 'default' };
}

const dayFormats = new Map<string, Intl.DateTimeFormat | null>();
const dayCache = new Map<string, number>();
const QUARTER_HOUR = 900_000;

function zoneFormat(timeZone: string): Intl.DateTimeFormat | null {
  let f = dayFormats.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      f = null; // not an IANA zone this runtime knows: UTC
    }
    dayFormats.set(timeZone, f);
  }
  return f;
}

/**
 * Days since 1970-01-01 of the calendar date `d` falls on in `timeZone` (unknown zone → UTC). Every zone's
 * offset is a whole number of quarter hours, so the local date is constant within a UTC quarter hour: the
 * answer is cached per (zone, quarter hour), which keeps Intl formatting (≈ 2 µs) out of the batch's hot loop.
 */
export function localDayNumber(d: Date, timeZone: string | null): number {
  const f = timeZone && timeZone !== 'UTC' ? zoneFormat(timeZone) : null;
  if (!f) return Math.floor(d.getTime() / DAY);
  const key = `${timeZone}|${Math.floor(d.getTime() / QUARTER_HOUR)}`;
  const hit = dayCache.get(key);
  if (hit !== undefined) return hit;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.format(d));
  let day: number;
  if (m) day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY;
  else {
    const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
    day = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / DAY;
  }
  if (dayCache.size >= 100_000) dayCache.clear(); // bounded in a long-running worker
  dayCache.set(key, day);
  return day;
}

/** The zone the follow-up calendar is read in: the lead's city's zone when valid, else UTC. */
export function effectiveTimeZone(timeZone: string | null): string {
  if (!timeZone || timeZone === 'UTC') return 'UTC';
  return zoneFormat(timeZone) ? timeZone : 'UTC';
}

/**
 * Follow-up status by local calendar day of the due date vs today: before today → overdue (overdue days =
 * whole days between), today → today, within the next 6 days → this_week, later → scheduled.
 */
export function followUpStatus(due: Date | null, now: Date, timeZone: string | null): { status: FollowUpStatus; overdueDays: number } {
  if (!due) return { status: 'none', overdueDays: 0 };
  const diff = localDayNumber(due, timeZone) - localDayNumber(now, timeZone);
  if (diff < 0) return { status: 'overdue', overdueDays: -diff };
  if (diff === 0) return { status: 'today', overdueDays: 0 };
  if (diff <= 6) return { status: 'this_week', overdueDays: 0 };
  return { status: 'scheduled', overdueDays: 0 };
}

/** Below this health the recommendation calls the lead's health critical (and churn is at least high). */
export const CRITICAL_HEALTH = 35;

export function churnRiskFor(health: number, overdueDays: number): ChurnRisk {
  if (health < 20 || overdueDays >= 7) return 'critical';
  if (health < CRITICAL_HEALTH || overdueDays >= 3) return 'high';
  if (health < 50 || overdueDays >= 1) return 'medium';
  return 'low';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const ago = (ms: number) => (ms < 48 * HOUR ? `${Math.floor(ms / HOUR)} h` : plural(Math.floor(ms / DAY), 'day'));
const dollars = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;

interface RecommendationFacts {
  stage: PipelineStage;
  health: number;
  churn: ChurnRisk;
  status: FollowUpStatus;
  overdueDays: number;
  daysSinceActivity: number;
  sinceAssignedMs: number;
  /** Whole days since the start of the pending milestone (first contact for a quote, quote for a close). */
  pendingDays: number;
  quoteAmount: number | null;
}

/** First matching rule wins (table in docs/pipeline-metrics.md); shape from seed 003's example. */
export function recommend(f: RecommendationFacts): Recommendation {
  const dueNow = f.status === 'overdue' || f.status === 'today';
  if (f.stage === 'won') {
    return { priority: 'low', action: 'close_out', message: 'Job won — record the job value and close date to close it out.', reasoning: 'Converted: nothing left to chase.' };
  }
  if (f.daysSinceActivity > STALE_AFTER_DAYS) {
    return {
      priority: 'low', action: 'close_out',
      message: `No activity for ${plural(Math.floor(f.daysSinceActivity), 'day')} — close it out as lost, or report why for a refund review.`,
      reasoning: 'Well past the 30–45 day average close with no sign of life.',
    };
  }
  if (f.churn === 'critical' || f.churn === 'high') {
    const overdue = f.overdueDays > 0 ? ` and ${plural(f.overdueDays, 'day')} overdue` : '';
    return {
      priority: f.churn === 'critical' || f.overdueDays > 0 ? 'urgent' : 'high',
      action: 'call_now',
      // seed 003's example: "Lead health critical (32) and 5 days overdue" with high churn — the word describes the
      // health score (below 35 is what makes churn high by itself), not the churn level.
      message: `URGENT: Call immediately! Lead health ${f.health < CRITICAL_HEALTH ? 'critical' : 'at risk'} (${f.health})${overdue}.`,
      reasoning: `${f.churn === 'critical' ? 'Critical' : 'High'} churn risk - immediate action required`,
    };
  }
  if (f.stage === 'assigned' || f.stage === 'viewed') {
    return {
      priority: 'high', action: 'call_now',
      message: `Make first contact — bought ${ago(f.sinceAssignedMs)} ago; homeowners expect a call within 24 h.`,
      reasoning: 'Purchase → first contact is expected within 1–24 hours.',
    };
  }
  if (f.stage === 'contacted' || f.stage === 'appointment') {
    return {
      priority: dueNow ? 'high' : 'medium', action: 'send_quote',
      message: `Send the quote — ${plural(f.pendingDays, 'day')} since first contact; quotes are expected within 3–7 days.`,
      reasoning: 'First contact → quote is expected within 3–7 days.',
    };
  }
  const quote = f.quoteAmount != null ? `${dollars(f.quoteAmount)} quote` : 'quote';
  if (f.pendingDays > MILESTONES[2].expectedDays) {
    return {
      priority: 'low', action: 'nurture',
      message: `The ${quote} is ${plural(f.pendingDays, 'day')} old — keep in touch with a check-in every two weeks.`,
      reasoning: 'Most quotes close within 7–30 days; an older one needs nurturing, not pressure.',
    };
  }
  return {
    priority: dueNow ? 'high' : 'medium', action: 'schedule_follow_up',
    message: `Follow up on the ${quote} sent ${plural(f.pendingDays, 'day')} ago.`,
    reasoning: 'Quote → job won typically takes 7–30 days.',
  };
}

/** The nine seed 003 metrics (less scores_last_updated) with the stage, days in stage and an explanation. */
export function scorePipeline(i: PipelineInputs, now: Date = new Date()): PipelineMetrics {
  const stage = stageOf(i);
  const tz = effectiveTimeZone(i.timeZone);
  const { results, pending } = milestones(i, now);
  const velocity = velocityScore(results);

  // Stage entered: its own timestamp when known, else the latest known time of an earlier step (an
  // appointment has no "booked at" time, so it inherits the contact time).
  const own: Record<PipelineStage, Date | null> = {
    assigned: i.assignedAt, viewed: i.viewedAt, contacted: i.contactedAt, appointment: null, quoted: i.quoteDate, won: i.convertedAt,
  };
  const flags: Record<PipelineStage, boolean> = {
    assigned: true, viewed: i.viewed, contacted: i.contacted, appointment: i.appointmentScheduled, quoted: i.quoteProvided, won: i.converted,
  };
  let entered = i.assignedAt;
  for (const s of STAGES.slice(0, STAGES.indexOf(stage) + 1)) if (flags[s] && own[s]) entered = own[s]!;
  const daysInStage = Math.max(0, Math.floor((now.getTime() - entered.getTime()) / DAY));

  const last = lastActivityAt(i, now);
  const daysSinceActivity = Math.max(0, (now.getTime() - last.getTime()) / DAY);
  const recency = recencyPoints(daysSinceActivity);
  const quality = qualityPoints(i);

  // Due date: the contractor's own next follow-up while no activity has happened since it was set for;
  // otherwise the deadline of the pending §6.4 milestone. A won sale has nothing due.
  let due: Date | null = null;
  let dueSource: 'scheduled' | 'timeline' | null = null;
  if (stage !== 'won') {
    if (i.nextFollowUpAt && i.nextFollowUpAt.getTime() > last.getTime()) {
      due = i.nextFollowUpAt;
      dueSource = 'scheduled';
    } else if (pending) {
      due = new Date(pending.start.getTime() + MILESTONES[pending.index]!.expectedDays * DAY);
      dueSource = 'timeline';
    }
  }
  const fu = followUpStatus(due, now, tz);

  const won = stage === 'won';
  const stale = daysSinceActivity > STALE_AFTER_DAYS;
  const penalty = Math.min(OVERDUE_PENALTY_MAX, OVERDUE_PENALTY_PER_DAY * fu.overdueDays);
  // Integer arithmetic throughout (weights ×10, probability in hundredths) so halves round the same way
  // every time: 0.3 × 100 is 30.000000000000004 in floating point.
  const health = won
    ? 100
    : clamp(Math.round((4 * STAGE_POINTS[stage] + 3 * velocity + 2 * recency + quality.points) / 10) - penalty, 0, 100);
  // base × (0.5 + velocity/200) × (0.75 + quality/200), in hundredths of a percent.
  const conversionHundredths = won ? 10_000 : Math.round((STAGE_BASE_PROBABILITY[stage] * (100 + velocity) * (150 + quality.points)) / 400);
  const conversion = conversionHundredths / 100;
  const churn: ChurnRisk = won ? 'low' : churnRiskFor(health, fu.overdueDays);
  // 0.4 × urgency + 0.3 × churn weight + 0.3 × conversion; a stale lead keeps only its conversion part
  // (nothing is urgent about a sale that is already lost) and a won one has nothing left to prioritise.
  const aiPriority = won
    ? 0
    : stale
      ? Math.round((3 * conversionHundredths) / 1000)
      : Math.round((400 * URGENCY[fu.status] + 300 * CHURN_WEIGHT[churn] + 3 * conversionHundredths) / 1000);

  const recommendation = recommend({
    stage, health, churn, status: fu.status, overdueDays: fu.overdueDays, daysSinceActivity,
    sinceAssignedMs: Math.max(0, now.getTime() - i.assignedAt.getTime()),
    pendingDays: pending ? Math.max(0, Math.floor((now.getTime() - pending.start.getTime()) / DAY)) : 0,
    quoteAmount: i.quoteAmount,
  });

  return {
    healthScore: health,
    velocityScore: velocity,
    aiPriority,
    conversionProbability: conversion,
    churnRisk: churn,
    followUpStatus: fu.status,
    overdueDays: fu.overdueDays,
    recommendation,
    stage,
    daysInStage,
    explanation: {
      stagePoints: STAGE_POINTS[stage],
      stageEnteredAt: entered.toISOString(),
      milestones: results.map((m) => ({ ...m, score: Math.round(m.score) })),
      lastActivityAt: last.toISOString(),
      daysSinceActivity: round2(daysSinceActivity),
      recencyPoints: recency,
      qualityPoints: quality.points,
      qualitySource: quality.source,
      followUpDueAt: due ? due.toISOString() : null,
      followUpSource: dueSource,
      timeZone: tz,
      overduePenalty: penalty,
    },
    scorerVersion: PIPELINE_VERSION,
  };
}
