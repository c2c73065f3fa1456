import { gradeForScore, type Grade } from './grade.ts';
import { propertyValueReason, type ValueEstimate } from './property-value.ts';

/**
 * Property quality score, seed 002 §3.5.1 "Quality Score Algorithm (0-100)": six factors summed.
 * Pure and versioned: the version is stored with every score so a rescoring run can tell stale rows apart.
 *
 * Band edges where the seed's ranges touch ("$300-500K" / ">$500K", "20-25 years" / "15-20 years") are read
 * as: the lower bound of a band is inclusive, the "greater than" band is strict. So $500,000 scores 15,
 * $500,001 scores 20; 25 years scores 15, 26 scores 20; 20 years scores 15.
 * Missing inputs score 0 for their factor and are named in the factor's reason and in `missingInputs`.
 */
export const PROPERTY_QUALITY_VERSION = 'property-quality@1';

export type RoofCondition = 'excellent' | 'good' | 'fair' | 'poor' | 'critical';
export type TriggerKind = 'hail' | 'wind' | 'neighbor_permits' | 'insurance_claim';
export type ContactState = 'verified' | 'unverified' | 'none';

export interface PropertyQualityInputs {
  /** Market value, dollars (issue 8 §3: never an assessed value as such). */
  propertyValue?: number | null;
  /** Set when propertyValue was estimated from an assessed value; the reason says so. */
  propertyValueEstimate?: ValueEstimate | null;
  roofAgeYears?: number | null;
  roofCondition?: RoofCondition | null;
  triggers?: readonly TriggerKind[] | null;
  contact?: { email?: ContactState | null; phone?: ContactState | null } | null;
  /** How many of the lead's data fields are missing (factor 6). */
  missingFields?: number | null;
}

export interface Factor {
  name: 'property_value' | 'roof_age' | 'trigger_events' | 'roof_condition' | 'contact_quality' | 'data_completeness';
  points: number;
  max: number;
  reason: string;
}

export interface PropertyQualityScore {
  score: number;
  grade: Grade | null;
  factors: Factor[];
  missingInputs: string[];
  scorerVersion: string;
}

// seed 002 §3.5.1 factor 1: property value, 0–20
export function propertyValuePoints(value: number): number {
  if (value > 500_000) return 20;
  if (value >= 300_000) return 15;
  if (value >= 200_000) return 10;
  if (value >= 100_000) return 5;
  return 0;
}

// seed 002 §3.5.1 factor 2: roof age, 0–20
export function roofAgePoints(years: number): number {
  if (years > 25) return 20;
  if (years >= 20) return 15;
  if (years >= 15) return 10;
  if (years >= 10) return 5;
  return 0;
}

// seed 002 §3.5.1 factor 3: trigger events, cumulative, max 25
export const TRIGGER_POINTS: Readonly<Record<TriggerKind, number>> = { hail: 15, wind: 10, neighbor_permits: 10, insurance_claim: 15 };
export const TRIGGER_MAX = 25;

// seed 002 §3.5.1 factor 4: AI roof condition, 0–20
export const CONDITION_POINTS: Readonly<Record<RoofCondition, number>> = { critical: 20, poor: 15, fair: 10, good: 5, excellent: 0 };

/**
 * seed 002 §3.5.1 factor 5: contact quality, 0–10. "Verified email + phone" is read as both verified (10);
 * a verified email without a verified phone is "verified email only" (7); an unverified email 4 whatever the
 * phone; no email 0 — the seed scores contact by email, a phone alone earns nothing.
 */
export function contactPoints(email: ContactState, phone: ContactState): number {
  if (email === 'verified') return phone === 'verified' ? 10 : 7;
  if (email === 'unverified') return 4;
  return 0;
}

// seed 002 §3.5.1 factor 6: data completeness, 0–5
export function completenessPoints(missing: number): number {
  if (missing <= 0) return 5;
  if (missing <= 2) return 3;
  return 0;
}

export function scorePropertyQuality(input: PropertyQualityInputs): PropertyQualityScore {
  const factors: Factor[] = [];
  const missingInputs: string[] = [];
  const missing = (name: string, factor: Factor['name'], max: number) => {
    missingInputs.push(name);
    factors.push({ name: factor, points: 0, max, reason: `${name} unknown: scored 0` });
  };

  if (input.propertyValue == null) missing('propertyValue', 'property_value', 20);
  else factors.push({ name: 'property_value', points: propertyValuePoints(input.propertyValue), max: 20, reason: propertyValueReason(input.propertyValue, input.propertyValueEstimate) });

  if (input.roofAgeYears == null) missing('roofAgeYears', 'roof_age', 20);
  else factors.push({ name: 'roof_age', points: roofAgePoints(input.roofAgeYears), max: 20, reason: `roof about ${input.roofAgeYears} years old` });

  if (input.triggers == null) missing('triggers', 'trigger_events', TRIGGER_MAX);
  else {
    const kinds = [...new Set(input.triggers)];
    const raw = kinds.reduce((s, k) => s + TRIGGER_POINTS[k], 0);
    const points = Math.min(TRIGGER_MAX, raw);
    const reason = kinds.length
      ? `${kinds.map((k) => `${k.replace('_', ' ')} +${TRIGGER_POINTS[k]}`).join(', ')}${raw > TRIGGER_MAX ? ` (capped at ${TRIGGER_MAX})` : ''}`
      : 'no trigger events';
    factors.push({ name: 'trigger_events', points, max: TRIGGER_MAX, reason });
  }

  if (input.roofCondition == null) missing('roofCondition', 'roof_condition', 20);
  else factors.push({ name: 'roof_condition', points: CONDITION_POINTS[input.roofCondition], max: 20, reason: `roof condition ${input.roofCondition}` });

  if (input.contact == null) missing('contact', 'contact_quality', 10);
  else {
    const email = input.contact.email ?? 'none';
    const phone = input.contact.phone ?? 'none';
    factors.push({ name: 'contact_quality', points: contactPoints(email, phone), max: 10, reason: `email ${email}, phone ${phone}` });
  }

  if (input.missingFields == null) missing('missingFields', 'data_completeness', 5);
  else factors.push({ name: 'data_completeness', points: completenessPoints(input.missingFields), max: 5, reason: input.missingFields ? `${input.missingFields} field(s) missing` : 'all fields complete' });

  const score = factors.reduce((s, f) => s + f.points, 0);
  return { score, grade: gradeForScore(score), factors, missingInputs, scorerVersion: PROPERTY_QUALITY_VERSION };
}
