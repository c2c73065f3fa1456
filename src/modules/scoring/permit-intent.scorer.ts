import { tradeGroupOf, type TradeGroupSlug, type TradeSlug } from '../../../prisma/seed/taxonomy.ts';

/**
 * Permit intent and export tier (seed 001 "Export Pipeline"): classify a building permit into the trade
 * taxonomy, score how promising it is as a lead (0–100) with reasoning, the ideal buyer, a contact priority
 * and flags, and place it in a tier. Pure: no I/O, no clock (the caller passes days_old).
 *
 * The seed names the outputs but not the rules; the rules below are ours and are the "rules-based reasoner"
 * used offline. An LLM reasoner (permit-intent.reasoner.ts) may replace the scoring step, never the
 * classification, the fact flags or the tiering, which stay deterministic.
 */
export const PERMIT_CLASSIFIER_VERSION = 'permit-classifier@1';
export const PERMIT_INTENT_RULES_VERSION = 'permit-intent-rules@1';

export type Tier = 'A' | 'B' | 'C' | 'RETRY';
export type ContactPriority = 'call' | 'email' | 'skip';

/** What the scorer knows about a permit and its property; every field may be missing. */
export interface PermitFacts {
  permitType?: string | null;
  permitClass?: string | null;
  description?: string | null;
  /** Permit valuation (estimated project value), dollars. */
  value?: number | null;
  /** Assessor (CAD) market value of the property, dollars. */
  marketValue?: number | null;
  /** Whole days since the permit was filed. */
  daysOld?: number | null;
  /** Owner's mailing address differs from the property. */
  isAbsentee?: boolean | null;
  ownerName?: string | null;
  /** Street address, city and state of the property. */
  address?: string | null;
  city?: string | null;
  state?: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// Classification

type ResidentialCategory = Exclude<TradeSlug, 'other' | `commercial_${string}`>;

/**
 * Keyword table, one row per residential category. A keyword found in the permit type (or class) counts 2,
 * in the description 1; each keyword counts once. The highest total wins; ties go to the earlier row, so
 * specific trades (pool, fence) come before generic ones (remodel, whose "alteration" matches almost any
 * building permit). Patterns are matched case-insensitively on word boundaries.
 */
export const TRADE_KEYWORDS: ReadonlyArray<{ category: ResidentialCategory; keywords: readonly RegExp[] }> = [
  { category: 'pool', keywords: [/\bpools?\b/, /\bspas?\b/, /\bswimming\b/, /\bhot tub\b/, /\bgunite\b|\bshotcrete\b/] },
  { category: 'fence', keywords: [/\bfenc(?:e|es|ing)\b/] },
  {
    category: 'outdoor_living',
    keywords: [/\bpatio(?!\s+doors?\b)/, /\bpergolas?\b/, /\boutdoor kitchen\b/, /\bdecks?\b/, /\bgazebo\b|\barbor\b|\bcabana\b|\bpavilion\b/, /\bporch\b/, /\bfire ?pit\b/, /\bhardscap/],
  },
  { category: 'roof', keywords: [/\bre-?roof/, /\broof(?:s|ing)?\b/, /\bshingles?\b/] },
  { category: 'siding', keywords: [/\bsiding\b/, /\bstucco\b/, /\bhardie\b|\bcladding\b/, /\bsoffit\b|\bfascia\b/] },
  { category: 'windows', keywords: [/\bwindows?\b/, /\bskylights?\b/, /\b(?:entry|exterior|front|patio|sliding|french) doors?\b/] },
  { category: 'concrete', keywords: [/\bdriveways?\b/, /\bsidewalks?\b/, /\bflatwork\b/, /\bconcrete\b/] },
  { category: 'hvac', keywords: [/\bhvac\b/, /\ba\/c\b|\bac (?:unit|system|replacement|change ?out)\b|\bair condition/, /\bfurnace\b|\bheat pump\b|\bmini[- ]split\b/, /\bductwork\b|\bducts?\b/, /\bmechanical\b/, /\bcondensers?\b|\bair handler\b|\brtus?\b|\brooftop units?\b/] },
  { category: 'plumbing', keywords: [/\bplumb/, /\bwater heaters?\b|\btankless\b/, /\bre-?pipe\b/, /\bsewer\b/, /\bgas (?:line|pipe)s?\b/, /\bbackflow\b/] },
  { category: 'electrical', keywords: [/\belectric(?:al)?\b/, /\bpanel\b|\bservice upgrade\b|\bamp service\b/, /\bre-?wir/, /\bev charger\b|\bcharging station\b/, /\bsolar\b|\bphotovoltaic\b|\bpv (?:system|panels?)\b/, /\bgenerators?\b/] },
  { category: 'foundation', keywords: [/\bfoundation repair\b|\bfoundation\b/, /\bpiers?\b|\bpiering\b|\bunderpin/, /\blevel(?:ing)?\b/] },
  { category: 'addition', keywords: [/\badditions?\b/, /\bsecond stor(?:y|ey)\b/, /\bgarage conversion\b/, /\broom add/] },
  {
    category: 'new_construction',
    keywords: [/\bnew (?:single[- ]family|sfr|sfd|home|house|residence|dwelling|construction)\b/, /\bnew res(?:idential)?\b/, /\baccessory dwelling\b|\badu\b/],
  },
  { category: 'remodel', keywords: [/\bremodel/, /\brenovat/, /\bkitchen\b/, /\bbath(?:room)?s?\b/, /\balteration\b|\binterior finish\b/] },
];

/** Residential categories with a commercial counterpart in the taxonomy (seed 001 "commercial" group). */
const COMMERCIAL_COUNTERPART: Partial<Record<ResidentialCategory, TradeSlug>> = {
  pool: 'commercial_pool',
  hvac: 'commercial_hvac',
  electrical: 'commercial_electrical',
  plumbing: 'commercial_plumbing',
};

const COMMERCIAL_CLASS = /\bcommercial\b|\bnon-?residential\b|\bcomm\b/;
/** Description words that only a non-residential project uses; ignored when the type says residential. */
const COMMERCIAL_WORDS = /\bcommercial\b|\btenant (?:finish|improvement)\b|\bfinish[- ]out\b|\bretail\b|\brestaurant\b|\bwarehouse\b|\bmulti-?family\b|\bapartment (?:complex|building)\b|\bhotel\b|\bshopping (?:center|centre)\b|\boffice building\b/;

export interface PermitClassification {
  tradeGroup: TradeGroupSlug;
  category: TradeSlug;
  /** The permit reads as a non-residential project (class, type or description). */
  commercial: boolean;
  /** Keywords that decided the category, for the reasoning; empty for 'other'. */
  matched: string[];
  version: string;
}

const lower = (s: string | null | undefined) => (s ?? '').toLowerCase();

export function classifyPermit(f: Pick<PermitFacts, 'permitType' | 'permitClass' | 'description'>): PermitClassification {
  const head = `${lower(f.permitType)} ${lower(f.permitClass)}`;
  const desc = lower(f.description);
  let best: { category: ResidentialCategory; points: number; matched: string[] } | null = null;
  for (const row of TRADE_KEYWORDS) {
    let points = 0;
    const matched: string[] = [];
    for (const k of row.keywords) {
      const inHead = head.match(k);
      const inDesc = desc.match(k);
      if (inHead) points += 2;
      else if (inDesc) points += 1;
      const word = (inHead ?? inDesc)?.[0];
      if (word) matched.push(word.trim());
    }
    if (points > 0 && (!best || points > best.points)) best = { category: row.category, points, matched };
  }
  const residentialType = /\bresidential\b|\bsingle[- ]family\b/.test(head) && !/\bnon-?residential\b/.test(head);
  const commercial = COMMERCIAL_CLASS.test(head) || (!residentialType && COMMERCIAL_WORDS.test(desc));
  if (!best) return { tradeGroup: 'other', category: 'other', commercial, matched: [], version: PERMIT_CLASSIFIER_VERSION };
  const category = (commercial && COMMERCIAL_COUNTERPART[best.category]) || best.category;
  return { tradeGroup: tradeGroupOf(category), category, commercial, matched: best.matched, version: PERMIT_CLASSIFIER_VERSION };
}

// ---------------------------------------------------------------------------------------------------------
// Flags

/** Flags a human must check before the lead is sold: such leads go to flagged/needs_review.csv. */
export const REVIEW_FLAGS = ['commercial_scale', 'missing_address', 'owner_unknown', 'value_outlier'] as const;
/** Flags that inform the buyer but do not hold the lead back. */
export const INFO_FLAGS = ['stale_permit', 'value_unknown'] as const;
export type FactFlag = (typeof REVIEW_FLAGS)[number] | (typeof INFO_FLAGS)[number];

/** Above this project value a permit of the category is not a normal residential job. */
export function valueOutlierCapUsd(category: TradeSlug): number {
  if (category.startsWith('commercial_')) return 25_000_000;
  if (category === 'new_construction') return 3_000_000;
  return 1_000_000;
}

const PLACEHOLDER_OWNER = /^(?:unknown|n\/?a|none|null|owner|current owner|resident|occupant|tbd|[-?.\s]*)$/i;
export const STALE_AFTER_DAYS = 180;

/** Flags that follow from the facts alone, in a fixed order (review flags first). */
export function factFlags(f: PermitFacts, c: Pick<PermitClassification, 'category' | 'commercial'>): FactFlag[] {
  const flags: FactFlag[] = [];
  // A commercial permit filed under a residential category: a residential contractor may be the wrong buyer.
  if (c.commercial && !c.category.startsWith('commercial_')) flags.push('commercial_scale');
  if (!f.address?.trim() || !f.city?.trim() || !f.state?.trim()) flags.push('missing_address');
  if (!f.ownerName || PLACEHOLDER_OWNER.test(f.ownerName.trim())) flags.push('owner_unknown');
  if (isValueOutlier(f, c.category)) flags.push('value_outlier');
  if (f.daysOld != null && f.daysOld > STALE_AFTER_DAYS) flags.push('stale_permit');
  if (f.value == null) flags.push('value_unknown');
  return flags;
}

/**
 * Negative valuations, valuations above the category cap, and (for work on an existing house) a project
 * worth more than twice the whole property: usually a typo in the permit, or a teardown misfiled.
 */
export function isValueOutlier(f: Pick<PermitFacts, 'value' | 'marketValue'>, category: TradeSlug): boolean {
  if (f.value == null) return false;
  if (f.value < 0 || f.value > valueOutlierCapUsd(category)) return true;
  const onExistingHouse = category !== 'new_construction' && !category.startsWith('commercial_');
  return onExistingHouse && f.marketValue != null && f.marketValue > 0 && f.value > 2 * f.marketValue;
}

export const needsReview = (flags: readonly string[]): boolean => flags.some((x) => (REVIEW_FLAGS as readonly string[]).includes(x));

// ---------------------------------------------------------------------------------------------------------
// Rules-based reasoner

/**
 * A typical residential job of each category, dollars: the project value factor compares the permit's
 * valuation with it, so a $6,000 fence and a $60,000 pool score alike. Rule-of-thumb figures for DFW-sized
 * markets; they only scale the value factor.
 */
export const TYPICAL_JOB_USD: Readonly<Record<TradeSlug, number>> = {
  pool: 60_000, outdoor_living: 25_000, fence: 6_000,
  roof: 15_000, concrete: 8_000, siding: 15_000, windows: 12_000,
  hvac: 10_000, plumbing: 5_000, electrical: 5_000,
  foundation: 10_000, new_construction: 350_000, remodel: 50_000, addition: 80_000,
  commercial_pool: 250_000, commercial_hvac: 100_000, commercial_electrical: 75_000, commercial_plumbing: 50_000,
  other: 10_000,
};

export const IDEAL_CONTRACTOR: Readonly<Record<TradeSlug, string>> = {
  pool: 'Residential pool builder (pool, spa, decking)',
  outdoor_living: 'Outdoor living contractor (patios, pergolas, outdoor kitchens)',
  fence: 'Residential fence installer',
  roof: 'Residential roofing contractor',
  concrete: 'Concrete flatwork contractor (driveways, walks, slabs)',
  siding: 'Siding and exterior cladding contractor',
  windows: 'Window and exterior door installer',
  hvac: 'Residential HVAC contractor',
  plumbing: 'Residential plumber',
  electrical: 'Residential electrician (panels, EV chargers, solar tie-ins)',
  foundation: 'Foundation repair specialist',
  new_construction: 'Custom home builder or new-construction trades',
  remodel: 'Remodeling contractor (kitchens, baths, whole-home)',
  addition: 'Home addition general contractor',
  commercial_pool: 'Commercial pool and aquatics contractor',
  commercial_hvac: 'Commercial mechanical (HVAC) contractor',
  commercial_electrical: 'Commercial electrical contractor',
  commercial_plumbing: 'Commercial plumbing contractor',
  other: 'General contractor (uncategorized permit)',
};

/** Factor 1, project value vs the category's typical job, 0–40; unknown 10. */
export function projectValuePoints(value: number | null | undefined, category: TradeSlug): number {
  if (value == null) return 10;
  if (value <= 0) return 0;
  const ratio = value / TYPICAL_JOB_USD[category];
  if (ratio >= 1.5) return 40;
  if (ratio >= 1) return 32;
  if (ratio >= 0.5) return 24;
  if (ratio >= 0.25) return 14;
  return 6;
}

/** Factor 2, freshness: days since the permit was filed, 0–25; unknown 5. Fresh permits are live projects. */
export function freshnessPoints(daysOld: number | null | undefined): number {
  if (daysOld == null) return 5;
  if (daysOld <= 7) return 25;
  if (daysOld <= 14) return 20;
  if (daysOld <= 30) return 15;
  if (daysOld <= 60) return 10;
  if (daysOld <= 90) return 5;
  return 0;
}

/** Factor 3, property market value (ability to pay), 0–20; unknown 6. */
export function propertyValuePoints(marketValue: number | null | undefined): number {
  if (marketValue == null) return 6;
  if (marketValue >= 750_000) return 20;
  if (marketValue >= 500_000) return 16;
  if (marketValue >= 300_000) return 12;
  if (marketValue >= 150_000) return 8;
  if (marketValue > 0) return 4;
  return 0;
}

/** Factor 4, description signals: each signal counts once; the sum is clamped to −15…+15. */
export const DESCRIPTION_SIGNALS: ReadonlyArray<{ name: string; pattern: RegExp; points: number }> = [
  { name: 'new work', pattern: /\bnew\b|\binstall(?:ation|ing)?\b/, points: 5 },
  { name: 'replacement', pattern: /\breplace(?:ment)?\b|\bre-?roof/, points: 5 },
  { name: 'high-end', pattern: /\bcustom\b|\bluxury\b|\bpremium\b|\bupgrade\b/, points: 5 },
  { name: 'demolition', pattern: /\bdemo(?:lition)?\b/, points: -10 },
  { name: 'temporary', pattern: /\btemp(?:orary)?\b/, points: -10 },
  { name: 'repair only', pattern: /\brepairs?\b|\bpatch\b|\bminor\b/, points: -5 },
];

export function descriptionSignals(description: string | null | undefined): { points: number; signals: string[] } {
  const d = lower(description);
  const hits = DESCRIPTION_SIGNALS.filter((s) => s.pattern.test(d));
  const sum = hits.reduce((a, s) => a + s.points, 0);
  return { points: Math.max(-15, Math.min(15, sum)), signals: hits.map((s) => `${s.name} ${s.points > 0 ? '+' : ''}${s.points}`) };
}

/** Factor 5: an absentee owner is harder to reach and decides from afar. */
export const ABSENTEE_POINTS = -10;
/** No buyer subscribes to uncategorized permits, so they stay tier C (seed 001 tree: other/other/tier_c.csv). */
export const UNCATEGORIZED_MAX_SCORE = 49;

/**
 * seed 001 "Tier Definitions" recommended action: A "Call immediately" → call; B "Email within 24h" and C "Batch
 * contact" → email (tier C is still contacted, in a batch). `skip` is left to a reasoner that judges a permit not
 * worth contacting at all.
 */
export function contactPriorityForScore(score: number): ContactPriority {
  return score >= 80 ? 'call' : 'email';
}

export interface IntentAssessment {
  score: number;
  reasoning: string;
  idealContractor: string;
  contactPriority: ContactPriority;
  /** Flags raised by the reasoner itself (the fact flags are added by finalizeIntent). */
  flags: string[];
}

const usd = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;

/** The offline reasoner: five factors summed and clamped to 0–100, reasoning listing each one. */
export function assessPermitWithRules(f: PermitFacts, c: PermitClassification): IntentAssessment {
  const typical = TYPICAL_JOB_USD[c.category];
  const v = projectValuePoints(f.value, c.category);
  const fresh = freshnessPoints(f.daysOld);
  const prop = propertyValuePoints(f.marketValue);
  const sig = descriptionSignals(f.description);
  const absentee = f.isAbsentee ? ABSENTEE_POINTS : 0;
  const raw = Math.max(0, Math.min(100, v + fresh + prop + sig.points + absentee));
  const score = c.category === 'other' ? Math.min(raw, UNCATEGORIZED_MAX_SCORE) : raw;
  const label = c.category === 'other' ? 'Uncategorized permit' : `${c.category} permit (${c.matched.join(', ')})`;
  const parts = [
    `${label}.`,
    `Project value ${f.value == null ? 'unknown' : `${usd(f.value)} vs typical ${usd(typical)}`}: ${v}/40.`,
    `Filed ${f.daysOld == null ? 'on an unknown date' : `${f.daysOld} days ago`}: ${fresh}/25.`,
    `Market value ${f.marketValue == null ? 'unknown' : usd(f.marketValue)}: ${prop}/20.`,
    `Description ${sig.signals.length ? sig.signals.join(', ') : 'no signals'}: ${sig.points >= 0 ? '+' : ''}${sig.points}.`,
  ];
  if (f.isAbsentee) parts.push(`Absentee owner: ${ABSENTEE_POINTS}.`);
  parts.push(`Total ${raw}${score !== raw ? `, capped at ${UNCATEGORIZED_MAX_SCORE} (uncategorized)` : ''}.`);
  return { score, reasoning: parts.join(' '), idealContractor: IDEAL_CONTRACTOR[c.category], contactPriority: contactPriorityForScore(score), flags: [] };
}

// ---------------------------------------------------------------------------------------------------------
// Tier and final result

/** seed 001 "Tier Definitions": A 80–100, B 50–79, C 0–49, RETRY −1 (the reasoner failed). */
export function tierForScore(score: number): Tier {
  if (score === -1) return 'RETRY';
  if (!Number.isInteger(score) || score < 0 || score > 100) throw new RangeError(`intent score must be an integer 0–100 or -1, got ${score}`);
  if (score >= 80) return 'A';
  if (score >= 50) return 'B';
  return 'C';
}

/** What a reasoner returns: an assessment, or the reason it could not give one. */
export type ReasonerOutcome = { ok: true; assessment: IntentAssessment } | { ok: false; error: string };

export interface PermitIntent {
  tradeGroup: TradeGroupSlug;
  category: TradeSlug;
  score: number;
  tier: Tier;
  reasoning: string;
  idealContractor: string;
  contactPriority: ContactPriority | null;
  flags: string[];
  /** Flagged for a human (flagged/needs_review.csv, status needs_review); never true for RETRY. */
  needsReview: boolean;
  /** The reasoner's error when tier is RETRY. */
  error: string | null;
  /** Classifier and reasoner versions, e.g. "permit-classifier@1+permit-intent-rules@1". */
  version: string;
}

/** Reasoner flags are free text from outside: snake_case them, keep at most 10. */
export function normalizeFlag(flag: string): string {
  return flag.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
}

/**
 * Combines classification, fact flags and the reasoner's outcome. A failed reasoner gives RETRY (−1) with
 * the error kept, never a made-up score. The uncategorized cap applies to every reasoner, so an LLM cannot
 * put an 'other' permit above tier C.
 */
export function finalizeIntent(f: PermitFacts, c: PermitClassification, outcome: ReasonerOutcome, reasonerVersion: string): PermitIntent {
  const facts = factFlags(f, c);
  const version = `${c.version}+${reasonerVersion}`;
  if (!outcome.ok) {
    return {
      tradeGroup: c.tradeGroup, category: c.category, score: -1, tier: 'RETRY', reasoning: `Reasoner failed: ${outcome.error}`,
      idealContractor: '', contactPriority: null, flags: facts, needsReview: false, error: outcome.error, version,
    };
  }
  const a = outcome.assessment;
  let score = a.score;
  let reasoning = a.reasoning;
  if (c.category === 'other' && score > UNCATEGORIZED_MAX_SCORE) {
    reasoning = `${reasoning} Capped at ${UNCATEGORIZED_MAX_SCORE} from ${score}: uncategorized permit.`;
    score = UNCATEGORIZED_MAX_SCORE;
  }
  const extra = [...new Set(a.flags.map(normalizeFlag).filter((x) => x && !(facts as string[]).includes(x)))].slice(0, 10).sort();
  const flags = [...facts, ...extra];
  return {
    tradeGroup: c.tradeGroup, category: c.category, score, tier: tierForScore(score), reasoning, idealContractor: a.idealContractor,
    contactPriority: a.contactPriority, flags, needsReview: needsReview(flags), error: null, version,
  };
}
