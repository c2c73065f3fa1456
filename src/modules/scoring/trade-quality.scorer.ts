import { gradeForScore, type Grade } from './grade.ts';
import { completenessPoints, contactPoints, propertyValuePoints, type ContactState } from './property-quality.scorer.ts';
import { propertyValueReason, type ValueEstimate } from './property-value.ts';

/**
 * Trade quality score (issue 8 §2) for every trade but roofing: seed 000 "quality scoring based on intent,
 * property value, contact data", on the 0–100 scale of seed 002 §3.5.1 so the same grade table (90/80/70/60)
 * and price table (§3.5.2) apply. Roof leads keep seed 002 §3.5.1 exactly (property-quality.scorer.ts): its
 * roof age and roof condition factors mean nothing for a pool or a water heater. Five factors:
 *
 *   intent                 0–50  the seed 001 permit-intent score (0–100) halved, rounded half up;
 *   property value         0–20  seed 002 §3.5.1 factor 1;
 *   contact quality        0–15  seed 002 §3.5.1 factor 5 scaled: 10 → 15, 7 → 10, 4 → 6, 0 → 0;
 *   data completeness      0–5   seed 002 §3.5.1 factor 6;
 *   same-trade activity    0/10  5+ permits of the lead's trade within 0.25 mi in the last 30 days → 10
 *                                (the seed 002 §3.5.3 neighbour-permit trigger, counted per trade).
 *
 * Pure and versioned like the roof scorer; docs/scoring.md has a worked example per trade group. Missing inputs
 * score 0 for their factor and are named in the reason and in `missingInputs`. An intent score of -1 (seed 001
 * RETRY: the reasoner failed) is unknown, not 0.
 */
export const TRADE_QUALITY_VERSION = 'trade-quality@1';

export const INTENT_MAX = 50;
export const TRADE_CONTACT_MAX = 15;
export const SAME_TRADE_POINTS = 10;
/** seed 002 §3.5.3 trigger 1 threshold, applied to permits of the lead's own trade. */
export const SAME_TRADE_MIN_PERMITS = 5;

export interface TradeQualityInputs {
  intentScore?: number | null;
  /** Market value, dollars; propertyValueEstimate set when it was estimated from an assessed value. */
  propertyValue?: number | null;
  propertyValueEstimate?: ValueEstimate | null;
  contact?: { email?: ContactState | null; phone?: ContactState | null } | null;
  missingFields?: number | null;
  /** Permits of the lead's trade within 0.25 mi in the last 30 days (the subject's own permit excluded). */
  sameTradePermits30d?: number | null;
}

export interface TradeFactor {
  name: 'intent' | 'property_value' | 'contact_quality' | 'data_completeness' | 'same_trade_activity';
  points: number;
  max: number;
  reason: string;
}

export interface TradeQualityScore {
  score: number;
  grade: Grade | null;
  factors: TradeFactor[];
  missingInputs: string[];
  scorerVersion: string;
}

/** True for a seed 001 intent score the scorer can use (0–100; -1 is RETRY). */
export const isKnownIntent = (s: number | null | undefined): s is number => s !== null && s !== undefined && s >= 0 && s <= 100;

// issue 8 §2 factor "intent": seed 001 score halved, rounded half up (75 → 38, 74 → 37).
export function intentPoints(intentScore: number): number {
  return Math.floor(Math.min(100, Math.max(0, intentScore)) / 2 + 0.5);
}

/** seed 002 §3.5.1 factor 5 (0/4/7/10) scaled to 0–15 (issue 8 §2). */
export const TRADE_CONTACT_POINTS: Readonly<Record<number, number>> = { 0: 0, 4: 6, 7: 10, 10: 15 };

export function tradeContactPoints(email: ContactState, phone: ContactState): number {
  return TRADE_CONTACT_POINTS[contactPoints(email, phone)]!;
}

export function sameTradePoints(permits30d: number): number {
  return permits30d >= SAME_TRADE_MIN_PERMITS ? SAME_TRADE_POINTS : 0;
}

export function scoreTradeQuality(input: TradeQualityInputs, opts: { trade: string } = { trade: 'other' }): TradeQualityScore {
  const factors: TradeFactor[] = [];
  const missingInputs: string[] = [];
  const missing = (name: string, factor: TradeFactor['name'], max: number) => {
    missingInputs.push(name);
    factors.push({ name: factor, points: 0, max, reason: `${name} unknown: scored 0` });
  };

  if (!isKnownIntent(input.intentScore)) missing('intentScore', 'intent', INTENT_MAX);
  else factors.push({ name: 'intent', points: intentPoints(input.intentScore), max: INTENT_MAX, reason: `permit intent ${input.intentScore}/100, halved` });

  if (input.propertyValue == null) missing('propertyValue', 'property_value', 20);
  else factors.push({ name: 'property_value', points: propertyValuePoints(input.propertyValue), max: 20, reason: propertyValueReason(input.propertyValue, input.propertyValueEstimate) });

  if (input.contact == null) missing('contact', 'contact_quality', TRADE_CONTACT_MAX);
  else {
    const email = input.contact.email ?? 'none';
    const phone = input.contact.phone ?? 'none';
    factors.push({ name: 'contact_quality', points: tradeContactPoints(email, phone), max: TRADE_CONTACT_MAX, reason: `email ${email}, phone ${phone}` });
  }

  if (input.missingFields == null) missing('missingFields', 'data_completeness', 5);
  else factors.push({ name: 'data_completeness', points: completenessPoints(input.missingFields), max: 5, reason: input.missingFields ? `${input.missingFields} field(s) missing` : 'all fields complete' });

  if (input.sameTradePermits30d == null) missing('sameTradePermits30d', 'same_trade_activity', SAME_TRADE_POINTS);
  else {
    const n = input.sameTradePermits30d;
    factors.push({
      name: 'same_trade_activity', points: sameTradePoints(n), max: SAME_TRADE_POINTS,
      reason: `${n} ${opts.trade} permit(s) within 0.25 mi in 30 days${n >= SAME_TRADE_MIN_PERMITS ? '' : ` (${SAME_TRADE_MIN_PERMITS}+ needed)`}`,
    });
  }

  const score = factors.reduce((s, f) => s + f.points, 0);
  return { score, grade: gradeForScore(score), factors, missingInputs, scorerVersion: TRADE_QUALITY_VERSION };
}
