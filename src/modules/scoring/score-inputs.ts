import {
  completenessPoints,
  CONDITION_POINTS,
  contactPoints,
  propertyValuePoints,
  roofAgePoints,
  TRIGGER_MAX,
  TRIGGER_POINTS,
  type ContactState,
  type PropertyQualityInputs,
  type RoofCondition,
  type TriggerKind,
} from './property-quality.scorer.ts';
import { intentPoints, isKnownIntent, sameTradePoints, tradeContactPoints, type TradeQualityInputs } from './trade-quality.scorer.ts';
import { ROOFING_TRADE, triggerAppliesTo } from '../triggers/triggers.rules.ts';
import { propertyValueOf, type ValueEstimate } from './property-value.ts';
import { roofAgeOf } from './roof-age.ts';

/**
 * What the batch engine feeds the scorers, and how it is read out of the database (issue 3 §2): the mapping
 * from stored lead data to seed 002 §3.5.1/§3.5.2 inputs, the inputs hash, and the compact stored explanation.
 * Pure; batch-engine.ts runs it, scoring.repository.ts reads the raw values.
 */

/**
 * seed 002 §3.5.1 factor 6 "data completeness": the fields a buyer expects on a lead. A field is missing when
 * its SQL condition holds; the engine reads them as one bit mask (bit i = field i), so the explanation can
 * name them. Changing this list changes scores: bump ENGINE_REVISION.
 */
export const COMPLETENESS_FIELDS = [
  { name: 'zip', missingWhen: 'b.zip IS NULL' },
  { name: 'location', missingWhen: 'b.lat IS NULL OR b.lng IS NULL' },
  { name: 'property_value', missingWhen: 'b.property_value IS NULL AND b.market_value IS NULL AND b.assessed_value IS NULL' },
  { name: 'year_built', missingWhen: 'b.year_built IS NULL' },
  { name: 'sqft', missingWhen: 'b.sqft IS NULL' },
  { name: 'property_type', missingWhen: 'b.property_type IS NULL' },
  { name: 'owner_name', missingWhen: 'b.owner_name IS NULL' },
  { name: 'owner_contact', missingWhen: 'b.owner_email_enc IS NULL AND b.owner_phone_enc IS NULL' },
] as const;

/**
 * base_leads columns the engine reads as inputs. The trigger base_leads_score_inputs_changed (its latest
 * definition: migration 20261203060000) watches exactly these; a unit test keeps the two lists equal.
 */
export const SCORE_INPUT_COLUMNS = [
  'property_value', 'market_value', 'assessed_value', 'state', 'year_built', 'last_roof_permit_date', 'cluster_id', 'sqft',
  'property_type', 'zip', 'trade', 'lat', 'lng', 'owner_name', 'owner_email_enc', 'owner_email_verified', 'owner_phone_enc',
  'owner_phone_verified', 'intent_score',
] as const;

/** Roof leads are scored by seed 002 §3.5.1 (property-quality), every other trade by the trade quality scorer. */
export type ScorerKind = 'property-quality' | 'trade-quality';

/** The field names a missing-field mask stands for, in COMPLETENESS_FIELDS order. */
export function missingFieldNames(mask: number): string[] {
  return COMPLETENESS_FIELDS.filter((_, i) => (mask & (1 << i)) !== 0).map((f) => f.name);
}

export function countMissingFields(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}

const WIND_WORDS = ['wind', 'storm', 'tornado', 'hurricane', 'derecho'];

/**
 * One lead_triggers row → the scorer's trigger kind (seed 002 §3.5.1 factor 3), or null when it scores nothing.
 * `subtype` is trigger_details.event_type (NOAA "Hail", "Thunderstorm Wind", …) or .damage_type, lower-cased;
 * `count` is trigger_details.count.
 *   - hail, hail_damage → hail; wind, wind_damage, storm, storm_damage, tornado, hurricane → wind
 *   - weather_event and damage_detected (seed 002 §4.3.2 types): hail when the subtype mentions hail, wind when
 *     it mentions wind/storm/tornado/hurricane/derecho, otherwise nothing (an unnamed weather event proves no damage)
 *   - neighbor_permits → neighbor_permits when the count is unknown or ≥ 5 ("5+ in 30d"; detection applies the
 *     same threshold, so an unknown count means it was met)
 *   - insurance_claim → insurance_claim
 *   - roof_age and property_sale score nothing here: roof age is factor 2, a sale is no factor.
 */
export function triggerKindOf(type: string, subtype: string | null, count: number | null): TriggerKind | null {
  const t = type.toLowerCase();
  const s = (subtype ?? '').toLowerCase();
  switch (t) {
    case 'hail':
    case 'hail_damage':
      return 'hail';
    case 'wind':
    case 'wind_damage':
    case 'storm':
    case 'storm_damage':
    case 'tornado':
    case 'hurricane':
      return 'wind';
    case 'weather_event':
    case 'damage_detected':
      if (s.includes('hail')) return 'hail';
      return WIND_WORDS.some((w) => s.includes(w)) ? 'wind' : null;
    case 'neighbor_permits':
      return count === null || count >= 5 ? 'neighbor_permits' : null;
    case 'insurance_claim':
      return 'insurance_claim';
    default:
      return null;
  }
}

/** roofing_leads flags, as the read query packs them (bit 0 hail in 90 days, bit 1 wind in 30, bit 2 ≥ 5 permits in 30). */
export const ROOFING_FLAG = { hail90d: 1, wind30d: 2, neighborPermits30d: 4 } as const;

const TRIGGER_ORDER: readonly TriggerKind[] = ['hail', 'wind', 'neighbor_permits', 'insurance_claim'];

/** The triggers.rules TRIGGER_TRADES row a scorer trigger kind comes from. */
const TYPE_OF_KIND: Readonly<Record<TriggerKind, string>> = { hail: 'weather_event', wind: 'weather_event', neighbor_permits: 'neighbor_permits', insurance_claim: 'insurance_claim' };

/** Whether a scorer trigger kind applies to a trade (its trigger type's row of TRIGGER_TRADES). */
export const triggerKindAppliesTo = (kind: TriggerKind, trade: string): boolean => triggerAppliesTo(TYPE_OF_KIND[kind], trade);

export interface TriggerSignals {
  /** Sorted, without duplicates; only kinds that apply to the lead's trade. */
  kinds: TriggerKind[];
  /** Permits of the lead's own trade within 0.25 mi in 30 days, from its neighbour-permit trigger (0 without one). */
  sameTradePermits30d: number;
}

/**
 * A lead's trigger signals: its active lead_triggers (as `type|subtype|count` descriptors joined by ';'; for
 * neighbour permits the subtype is the trade whose permits were counted) plus, for roof leads, the roofing
 * row's storm and permit flags, which encode the same seed 002 §3.5.3 trigger definitions. Only what applies
 * to `trade` counts (issue 8 §2, triggers.rules TRIGGER_TRADES): a neighbour-permit trigger only when it
 * counted the lead's own trade (rows without a trade counted roofing permits), storms only for roof, siding,
 * windows and fence, and so on.
 */
export function triggerSignalsOf(descriptors: string | null, roofingFlags: number | null, trade: string): TriggerSignals {
  const kinds = new Set<TriggerKind>();
  let sameTrade = 0;
  if (descriptors) {
    for (const d of descriptors.split(';')) {
      const [type = '', subtype = '', count = ''] = d.split('|');
      const parsed = count === '' ? null : Number(count);
      const n = parsed === null || Number.isFinite(parsed) ? parsed : null;
      const k = triggerKindOf(type, subtype || null, n);
      if (!k || !triggerKindAppliesTo(k, trade)) continue;
      if (k === 'neighbor_permits') {
        if ((subtype || ROOFING_TRADE) !== trade) continue;
        sameTrade = Math.max(sameTrade, n ?? 5);
      }
      kinds.add(k);
    }
  }
  const f = trade === ROOFING_TRADE ? (roofingFlags ?? 0) : 0;
  if (f & ROOFING_FLAG.hail90d) kinds.add('hail');
  if (f & ROOFING_FLAG.wind30d) kinds.add('wind');
  if (f & ROOFING_FLAG.neighborPermits30d) {
    kinds.add('neighbor_permits');
    sameTrade = Math.max(sameTrade, 5);
  }
  return { kinds: TRIGGER_ORDER.filter((k) => kinds.has(k)), sameTradePermits30d: sameTrade };
}

/** The trigger kinds of triggerSignalsOf (default trade: roof). */
export function triggerKindsOf(descriptors: string | null, roofingFlags: number | null, trade: string = ROOFING_TRADE): TriggerKind[] {
  if (!descriptors && !roofingFlags) return [];
  return triggerSignalsOf(descriptors, roofingFlags, trade).kinds;
}

/** Read query contact code: 0 none, 1 present but unverified, 2 verified. */
export const contactStateOf = (code: number): ContactState => (code === 2 ? 'verified' : code === 1 ? 'unverified' : 'none');

const ROOF_CONDITIONS: readonly string[] = ['excellent', 'good', 'fair', 'poor', 'critical'];

/** Everything the scorers and the pricer are given for one lead. */
export interface LeadScoringInputs extends PropertyQualityInputs, TradeQualityInputs {
  /** Picks the scorer: roof → seed 002 §3.5.1, every other trade → the trade quality score. */
  trade: string;
  /** seed 001 permit-intent score 0–100 (-1 RETRY and unknown are null). */
  intentScore: number | null;
  sameTradePermits30d: number;
  propertyValue: number | null;
  propertyValueEstimate: ValueEstimate | null;
  roofAgeYears: number | null;
  roofCondition: RoofCondition | null;
  triggers: TriggerKind[];
  contact: { email: ContactState; phone: ContactState };
  missingFields: number;
  /** Which COMPLETENESS_FIELDS are missing, as a bit mask. */
  missingMask: number;
  exclusiveTerritory: boolean;
  /** seed 002 §3.5.2 demand premium: distinct contractors who previewed the lead in the last 24 hours (lead_views). */
  interestedContractors24h: number;
}

/** One row of readScoringChunk, as the database returns it. */
export interface ScoringRow {
  id: string;
  status: string;
  trade: string;
  intentScore: number | null;
  qualityScore: number | null;
  grade: string | null;
  priceCents: number | null;
  scoreInputsHash: string | null;
  /** inputs_changed_at as text: exact microseconds for the compare-and-set on write. */
  inputsChangedAt: string | null;
  /** Never scored, inputs changed since, or scored by another version. */
  pending: boolean;
  /** The known market value: property_value, else market_value. */
  propertyValue: number | null;
  assessedValue: number | null;
  state: string | null;
  yearBuilt: number | null;
  emailCode: number;
  phoneCode: number;
  missingMask: number;
  /** Issue year of the latest roof permit at the property other than the lead's own. */
  lastRoofPermitYear: number | null;
  roofingFlags: number | null;
  roofCondition: string | null;
  analysisAge: number | null;
  triggers: string | null;
  exclusive: boolean;
  /** Distinct contractors who previewed the lead in the last 24 hours. */
  interested: number;
}

export function inputsOf(row: ScoringRow, year: number): LeadScoringInputs {
  const mask = row.missingMask;
  const roof = row.trade === ROOFING_TRADE;
  const signals = triggerSignalsOf(row.triggers, row.roofingFlags, row.trade);
  const value = propertyValueOf({ marketValue: row.propertyValue, assessedValue: row.assessedValue, state: row.state });
  return {
    trade: row.trade,
    intentScore: isKnownIntent(row.intentScore) ? row.intentScore : null,
    sameTradePermits30d: signals.sameTradePermits30d,
    propertyValue: value.value,
    propertyValueEstimate: value.estimate,
    // Roof age and condition are roof inputs: another trade's score never reads them.
    roofAgeYears: roof ? (roofAgeOf(row, year)?.years ?? null) : null,
    roofCondition: roof && row.roofCondition !== null && ROOF_CONDITIONS.includes(row.roofCondition) ? (row.roofCondition as RoofCondition) : null,
    triggers: signals.kinds,
    contact: { email: contactStateOf(row.emailCode), phone: contactStateOf(row.phoneCode) },
    missingFields: countMissingFields(mask),
    missingMask: mask,
    exclusiveTerritory: row.exclusive,
    interestedContractors24h: row.interested,
  };
}

const CONDITION_CODE: Readonly<Record<RoofCondition, number>> = { excellent: 1, good: 2, fair: 3, poor: 4, critical: 5 };
const TRIGGER_BIT: Readonly<Record<TriggerKind, number>> = { hail: 1, wind: 2, neighbor_permits: 4, insurance_claim: 8 };
const CONTACT_CODE: Readonly<Record<ContactState, number>> = { none: 0, unverified: 1, verified: 2 };

/** A trade slug as one 32-bit word for the inputs hash (FNV-1a). */
const tradeCodes = new Map<string, number>();
function tradeCode(trade: string): number {
  let h = tradeCodes.get(trade);
  if (h === undefined) {
    h = 0x811c9dc5;
    for (let k = 0; k < trade.length; k++) h = Math.imul(h ^ trade.charCodeAt(k), 16777619);
    tradeCodes.set(trade, h | 0);
  }
  return h | 0;
}

/**
 * Fingerprint of the inputs (not of the version), 64 bits as 16 hex chars: equal inputs ⇔ equal hash (up to a
 * 2^-64 chance), so "did anything this score depends on change" is one comparison. The inputs are first
 * written as a canonical tuple of integers (value in cents as two 32-bit halves, roof age, condition code,
 * trigger bit set, contact codes, missing-field mask, exclusivity, interested contractors; -1 for unknown),
 * which two multiply-xorshift lanes mix. A change detector, not a security boundary: hashing text with
 * SHA-256 cost more than the whole scoring of a row.
 */
export function inputsHash(i: LeadScoringInputs): string {
  const cents = i.propertyValue === null ? -1 : Math.round(i.propertyValue * 100);
  let trig = 0;
  for (const t of i.triggers) trig |= TRIGGER_BIT[t];
  const words = [
    cents < 0 ? -1 : Math.floor(cents / 0x1_0000_0000), cents < 0 ? -1 : cents >>> 0,
    i.roofAgeYears === null ? -1 : Math.round(i.roofAgeYears * 1000),
    i.roofCondition === null ? 0 : CONDITION_CODE[i.roofCondition],
    trig, CONTACT_CODE[i.contact.email] * 3 + CONTACT_CODE[i.contact.phone], i.missingMask,
    i.exclusiveTerritory ? 1 : 0, i.interestedContractors24h,
    tradeCode(i.trade), i.intentScore ?? -1, i.sameTradePermits30d,
    // the estimate behind an estimated value (its reason names them): assessed dollars, state, ratio
    ...(i.propertyValueEstimate === null
      ? [-1, -1, -1]
      : [Math.round(i.propertyValueEstimate.assessedValue), tradeCode(i.propertyValueEstimate.state), Math.round(i.propertyValueEstimate.ratio * 1e6)]),
  ];
  let h1 = 0xdeadbeef ^ words.length;
  let h2 = 0x41c6ce57;
  for (const w of words) {
    h1 = Math.imul(h1 ^ w, 2654435761);
    h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 ^ w, 1597334677);
    h2 ^= h2 >>> 13;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/**
 * The six seed 002 §3.5.1 factor points, written into `out` in the scorer's factor order; returns the total.
 * The same functions and tables scorePropertyQuality sums — it also formats a reason per factor, which the
 * engine does not store (the explanation keeps the inputs, and the reasons are rebuilt from them on read by
 * scorePropertyQuality itself). Formatting was most of the per-row JS time and garbage; a property test
 * (test/unit/scoring-engine.test.ts) proves both give the same points for every input.
 */
export function factorPoints(i: LeadScoringInputs, out: number[]): number {
  out[0] = i.propertyValue === null ? 0 : propertyValuePoints(i.propertyValue);
  out[1] = i.roofAgeYears === null ? 0 : roofAgePoints(i.roofAgeYears);
  let tr = 0;
  for (const t of i.triggers) tr += TRIGGER_POINTS[t];
  out[2] = Math.min(TRIGGER_MAX, tr);
  out[3] = i.roofCondition === null ? 0 : CONDITION_POINTS[i.roofCondition];
  out[4] = contactPoints(i.contact.email, i.contact.phone);
  out[5] = completenessPoints(i.missingFields);
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5];
}

/**
 * The five trade quality factor points (trade-quality.scorer, issue 8 §2) in its factor order — intent,
 * property value, contact, completeness, same-trade activity — written into `out`; returns the total. Proven
 * equal to scoreTradeQuality by a property test, like factorPoints.
 */
export function tradeFactorPoints(i: LeadScoringInputs, out: number[]): number {
  out[0] = i.intentScore === null ? 0 : intentPoints(i.intentScore);
  out[1] = i.propertyValue === null ? 0 : propertyValuePoints(i.propertyValue);
  out[2] = tradeContactPoints(i.contact.email, i.contact.phone);
  out[3] = completenessPoints(i.missingFields);
  out[4] = sameTradePoints(i.sameTradePermits30d);
  out[5] = 0;
  return out[0] + out[1] + out[2] + out[3] + out[4];
}

/** The lead's quality score by its trade's scorer; `out` receives the factor points. */
export const scoreInputs = (i: LeadScoringInputs, out: number[]): number =>
  (i.trade === ROOFING_TRADE ? factorPoints(i, out) : tradeFactorPoints(i, out));

/** seed 002 §3.5.2: the urgency premium is for storm damage — hail or wind. */
export const isUrgent = (triggers: readonly TriggerKind[]): boolean => triggers.includes('hail') || triggers.includes('wind');

/**
 * score_explanations.factors, compact on purpose: per factor its points and the input it was computed from,
 * in the scorer's factor order, then the pricing inputs:
 *   [[pts, propertyValue], [pts, roofAgeYears], [pts, [triggers]], [pts, roofCondition],
 *    [pts, emailState, phoneState], [pts, missingFields, missingMask], [exclusiveTerritory, interestedContractors24h]]
 * (null input = unknown). About 200 bytes, where the spelled-out {name, points, max, reason} array is ~690:
 * the narrow table's write rate falls with its row width, and the full form is reproduced exactly on read by
 * running the same versioned, pure scorer on the stored inputs (scoring.service expandExplanation).
 */
export function encodeExplanation(i: LeadScoringInputs, p: readonly number[]): string {
  // The value pair carries its estimate when there is one: [pts, value, assessedValue, "ST", ratio].
  const e = i.propertyValueEstimate;
  const pv = e ? `${i.propertyValue},${e.assessedValue},"${e.state}",${e.ratio}` : `${i.propertyValue}`;
  let tr = '';
  for (const t of i.triggers) tr += (tr ? ',"' : '"') + t + '"';
  if (i.trade !== ROOFING_TRADE) {
    // The trade quality layout (issue 8 §2): [["trade", slug], [pts, intentScore], [pts, propertyValue],
    // [pts, emailState, phoneState], [pts, missingFields, missingMask], [pts, sameTradePermits30d],
    // [exclusiveTerritory, interestedContractors24h, [triggers]]]. Trade slugs are [a-z_] (taxonomy), no escaping.
    return `[["trade","${i.trade}"],[${p[0]},${i.intentScore}],[${p[1]},${pv}],[${p[2]},"${i.contact.email}","${i.contact.phone}"],[${p[3]},${i.missingFields},${i.missingMask}],[${p[4]},${i.sameTradePermits30d}],[${i.exclusiveTerritory},${i.interestedContractors24h},[${tr}]]]`;
  }
  const rc = i.roofCondition === null ? 'null' : `"${i.roofCondition}"`;
  return `[[${p[0]},${pv}],[${p[1]},${i.roofAgeYears}],[${p[2]},[${tr}]],[${p[3]},${rc}],[${p[4]},"${i.contact.email}","${i.contact.phone}"],[${p[5]},${i.missingFields},${i.missingMask}],[${i.exclusiveTerritory},${i.interestedContractors24h}]]`;
}

export interface StoredExplanation {
  scorer: ScorerKind;
  points: number[];
  inputs: LeadScoringInputs;
}

type ValuePair = [number, number | null, number?, string?, number?];
const estimateOf = (pv: ValuePair): ValueEstimate | null =>
  pv.length >= 5 ? { assessedValue: pv[2]!, state: pv[3]!, ratio: pv[4]! } : null;

/** Inverse of encodeExplanation; null when the stored value is in neither layout. */
export function decodeExplanation(v: unknown): StoredExplanation | null {
  if (!Array.isArray(v) || v.length !== 7 || !v.every(Array.isArray)) return null;
  if ((v[0] as unknown[])[0] === 'trade') {
    const [[, trade], it, pv, cq, dc, st, pr] = v as unknown[][] as [
      [string, string], [number, number | null], ValuePair, [number, ContactState, ContactState],
      [number, number, number], [number, number], [boolean, number, TriggerKind[]],
    ];
    return {
      scorer: 'trade-quality',
      points: [it[0], pv[0], cq[0], dc[0], st[0]],
      inputs: {
        trade, intentScore: it[1], propertyValue: pv[1], propertyValueEstimate: estimateOf(pv), contact: { email: cq[1], phone: cq[2] }, missingFields: dc[1],
        missingMask: dc[2], sameTradePermits30d: st[1], exclusiveTerritory: pr[0], interestedContractors24h: pr[1],
        triggers: pr[2], roofAgeYears: null, roofCondition: null,
      },
    };
  }
  const [pv, ra, tr, rc, cq, dc, pr] = v as unknown[][] as [
    ValuePair, [number, number | null], [number, TriggerKind[]], [number, RoofCondition | null],
    [number, ContactState, ContactState], [number, number, number], [boolean, number],
  ];
  return {
    scorer: 'property-quality',
    points: [pv[0], ra[0], tr[0], rc[0], cq[0], dc[0]],
    inputs: {
      trade: ROOFING_TRADE, intentScore: null, sameTradePermits30d: 0,
      propertyValue: pv[1], propertyValueEstimate: estimateOf(pv), roofAgeYears: ra[1], triggers: tr[1], roofCondition: rc[1],
      contact: { email: cq[1], phone: cq[2] }, missingFields: dc[1], missingMask: dc[2],
      exclusiveTerritory: pr[0], interestedContractors24h: pr[1],
    },
  };
}
