/**
 * Trigger detection rules (seed 002 §3.5.3 "Trigger Detection", §3.1.5 "Neighborhood Activity", issue 4 §5):
 * which facts about a property make a lead urgent, how strong each trigger is (0–100) and when it expires.
 *
 * Pure. Each strength formula exists twice on purpose: as a TS function (documented, unit-tested by hand) and
 * as the SQL expression the set-based detection runs over a million rows (triggers.repository.ts). The SQL is
 * generated here from the same constants, and an integration test evaluates both over the whole input range
 * and requires equal answers, so the two cannot drift.
 */

export const METRES_PER_MILE = 1609.344;

/**
 * Bump whenever a rule below or a detection statement changes what a run writes: the next run is then whole
 * (an incremental run re-derives only what the data changed, not what the rules changed).
 */
export const DETECTION_RULES_VERSION = 'triggers@2';
/** The longest gap between runs an incremental run bridges; a longer one runs whole. */
export const INCREMENTAL_MAX_DAYS = 7;
/** An incremental run whose changed leads exceed this share of all leads runs whole instead (it is cheaper then). */
export const INCREMENTAL_MAX_SHARE = 0.2;

/** seed 002 §3.1.5: neighbor permits within 0.25 mi (1,320 ft) = 402.336 m, counted over 30/60/90 days. */
export const NEIGHBOR_RADIUS_MILES = 0.25;
export const NEIGHBOR_RADIUS_M = NEIGHBOR_RADIUS_MILES * METRES_PER_MILE;
export const NEIGHBOR_WINDOWS_DAYS = [30, 60, 90] as const;
/** seed 002 §3.5.3 trigger 1 / §3.1.5 "Social Proof Score": 5+ roofing permits in 30 days. */
export const NEIGHBOR_THRESHOLD = 5;
/** The permits counted: the taxonomy's roofing slug (prisma/seed/taxonomy.ts). */
export const ROOFING_TRADE = 'roof';

/** seed 002 §3.5.3 trigger 2 / §3.1.4: storms within 5 mi (unless the event states its own radius), last 90 days. */
export const WEATHER_RADIUS_MILES = 5;
export const WEATHER_WINDOW_DAYS = 90;
/** seed 002 §3.5.3 trigger 2: "Wind >60 mph" — strictly greater. */
export const WIND_MIN_MPH = 60;
/** NOAA reports thunderstorm wind in knots; 1 kt = 1.150779 mph. */
export const MPH_PER_KNOT = 1.150779;

/** seed 002 §3.5.3 trigger 3: "Roof age >20 years". */
export const ROOF_AGE_MIN_YEARS = 20;
/** seed 002 §3.5.3 trigger 5: "Sold in last 12 months" (365 days). */
export const SALE_WINDOW_DAYS = 365;
/** Insurance claims are detected from permits issued in the last 365 days (see insuranceClaimStrength). */
export const INSURANCE_WINDOW_DAYS = 365;

/**
 * seed 002 §3.5.3 "Trigger Expiration": weather 180 days, neighbor permits 90 days, "other triggers: based on
 * type" — our choices for the others:
 *   - roof age: never expires (a roof does not get younger); it is deactivated when a later run no longer
 *     finds the roof over 20 years (e.g. a roof permit at the property appeared);
 *   - property sale: 365 days after the sale, i.e. exactly when it leaves the "last 12 months" window;
 *   - insurance claim: 365 days after the permit that reported it (a claim's repair season is about a year).
 * Counted from: weather — the latest qualifying storm; neighbor permits — the newest permit counted in the 30
 * days; sale — the sale date; insurance — the permit's issue date.
 */
export const EXPIRY_DAYS = {
  weather_event: 180,
  neighbor_permits: 90,
  roof_age: null,
  property_sale: 365,
  insurance_claim: 365,
} as const satisfies Record<string, number | null>;

export type TriggerType = keyof typeof EXPIRY_DAYS;
export const TRIGGER_TYPES = Object.keys(EXPIRY_DAYS) as TriggerType[];

/**
 * Which trades each trigger type applies to (issue 8 §2) — the one table detection, scoring and the docs
 * (docs/scoring.md prints it) read:
 *   - weather (hail, wind > 60 mph, tornado, hurricane) damages roofs, siding, windows and fences;
 *   - roof age says nothing about a water heater: roof only;
 *   - an insurance claim pays for roofs, siding and windows;
 *   - neighbour permits count permits of the lead's own trade ('own': a roof lead counts roof permits, a pool
 *     lead pool permits);
 *   - a property sale starts every kind of project ('all').
 * A plumbing lead therefore never carries a roof-age or storm trigger.
 */
export const TRIGGER_TRADES = {
  weather_event: ['roof', 'siding', 'windows', 'fence'],
  roof_age: ['roof'],
  insurance_claim: ['roof', 'siding', 'windows'],
  neighbor_permits: 'own',
  property_sale: 'all',
} as const satisfies Record<TriggerType, readonly string[] | 'own' | 'all'>;

/** Whether a trigger of `type` applies to a lead of `trade` (unknown types apply to nothing). */
export function triggerAppliesTo(type: string, trade: string): boolean {
  const t = (TRIGGER_TRADES as Record<string, readonly string[] | 'own' | 'all'>)[type];
  if (t === undefined) return false;
  return t === 'own' || t === 'all' || t.includes(trade);
}

/** The same rule as SQL over a trade expression (`col`); 'own' and 'all' are always true. */
export function triggerAppliesSql(type: TriggerType, col: string): string {
  const t: readonly string[] | 'own' | 'all' = TRIGGER_TRADES[type];
  return t === 'own' || t === 'all' ? 'true' : `${col} IN (${t.map((x) => `'${x}'`).join(', ')})`;
}

/** Storm kinds that are triggers; NOAA's other event types (flood, heat, …) are not roof damage. */
export const WEATHER_KINDS = ['hail', 'wind', 'tornado', 'hurricane'] as const;
export type WeatherKind = (typeof WEATHER_KINDS)[number];

const DAY_MS = 86_400_000;

/** The expiry instant of a trigger of `type` whose clock starts at `from`; null = never expires. */
export function expiresAt(type: TriggerType, from: Date): Date | null {
  const days = EXPIRY_DAYS[type];
  return days === null ? null : new Date(from.getTime() + days * DAY_MS);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** A linear ramp from (x0 → y0) to (x1 → y1), clamped to [y0, y1] and rounded half up. */
function ramp(x: number, x0: number, y0: number, x1: number, y1: number): number {
  return Math.floor(y0 + (clamp(x, x0, x1) - x0) * ((y1 - y0) / (x1 - x0)) + 0.5);
}
/** The same ramp as SQL over the expression `x` (a float8 expression). */
function rampSql(x: string, x0: number, y0: number, x1: number, y1: number): string {
  return `floor(${y0} + (least(greatest((${x})::float8, ${x0}), ${x1}) - ${x0}) * (${y1 - y0}::float8 / ${x1 - x0}) + 0.5)::int`;
}

// ---------------------------------------------------------------------------------------------------------
// 1. Neighbor permits — seed 002 §3.5.3 trigger 1: strength 70–90 "based on count"

/** 5 permits → 70, +5 per extra permit, capped at 90 (from 9 permits). Null under the 5-permit threshold. */
export function neighborPermitsStrength(count30d: number): number | null {
  if (count30d < NEIGHBOR_THRESHOLD) return null;
  return Math.min(90, 70 + 5 * (count30d - NEIGHBOR_THRESHOLD));
}
export const neighborPermitsStrengthSql = (c: string) => `least(90, 70 + 5 * ((${c}) - ${NEIGHBOR_THRESHOLD}))`;

// ---------------------------------------------------------------------------------------------------------
// 2. Weather — seed 002 §3.5.3 trigger 2: strength 80–100 "based on severity"

/**
 * Hail by diameter: ≤ 1.00" (and unknown size) → 80, linear to 2.75" (baseball) → 100. Any reported hail
 * within the radius is a trigger (the seed sets no minimum size); small hail just sits at the floor.
 * e.g. 1.75" (golf ball) → 80 + 0.75/1.75·20 = 88.57 → 89.
 */
export function hailStrength(sizeInches: number | null): number {
  return sizeInches === null ? 80 : ramp(sizeInches, 1, 80, 2.75, 100);
}

/** Wind by speed: 61 mph → 80, linear to 100 mph → 100. Null at or below 60 mph (not a trigger). */
export function windStrength(mph: number | null): number | null {
  if (mph === null || !(mph > WIND_MIN_MPH)) return null;
  return ramp(mph, 61, 80, 100, 100);
}

/**
 * Wind speed in mph: the knots converted when knots are known (NOAA magnitudes are knots; the stored whole mph
 * is rounded, and "> 60 mph" must be decided on the exact speed: 52.2 kt = 60.07 mph is over, though it rounds
 * to 60), else the stated mph.
 */
export function windMph(mph: number | null, knots: number | null): number | null {
  if (knots !== null) return knots * MPH_PER_KNOT;
  return mph;
}

/** "EF2", "F3", "ef-4" → 2, 3, 4; "EFU" (unknown) or anything else → null. */
export function tornadoScale(rating: string | null): number | null {
  const m = /^\s*E?F-?([0-5])\s*$/i.exec(rating ?? '');
  return m ? Number(m[1]) : null;
}

/** Tornado by (Enhanced) Fujita scale: EF0 → 80, +4 per step, EF5 → 100; unknown rating → 80. */
export function tornadoStrength(rating: string | null): number {
  const s = tornadoScale(rating);
  return 80 + 4 * (s ?? 0);
}

/** Saffir-Simpson category from sustained wind (mph): 74–95 → 1, 96–110 → 2, 111–129 → 3, 130–156 → 4, ≥ 157 → 5. */
export function hurricaneCategory(mph: number | null): number | null {
  if (mph === null || mph < 74) return null;
  if (mph < 96) return 1;
  if (mph < 111) return 2;
  if (mph < 130) return 3;
  if (mph < 157) return 4;
  return 5;
}

/** Hurricane by category: 1 → 80, +5 per category, 5 → 100; unknown category → 80 (the floor). */
export function hurricaneStrength(mph: number | null): number {
  const c = hurricaneCategory(mph);
  return 80 + 5 * ((c ?? 1) - 1);
}

/** One storm's trigger strength, or null when the event is not a trigger (wind ≤ 60 mph, other types). */
export function weatherStrength(e: { kind: string; hailSizeInches: number | null; windMph: number | null; tornadoRating: string | null }): number | null {
  switch (e.kind) {
    case 'hail':
      return hailStrength(e.hailSizeInches);
    case 'wind':
      return windStrength(e.windMph);
    case 'tornado':
      return tornadoStrength(e.tornadoRating);
    case 'hurricane':
      return hurricaneStrength(e.windMph);
    default:
      return null;
  }
}

/** SQL for windMph over a weather_events alias. */
export const windMphSql = (w: string) => `coalesce(${w}.wind_speed_knots::float8 * ${MPH_PER_KNOT}, ${w}.wind_speed_mph::float8)`;

/** SQL for weatherStrength over a weather_events alias `w` (NULL when not a trigger). */
export function weatherStrengthSql(w: string): string {
  const mph = windMphSql(w);
  const scale = `substring(${w}.tornado_rating from '^\\s*[Ee]?[Ff]-?([0-5])\\s*$')::int`;
  const cat = `CASE WHEN ${mph} >= 157 THEN 5 WHEN ${mph} >= 130 THEN 4 WHEN ${mph} >= 111 THEN 3 WHEN ${mph} >= 96 THEN 2 ELSE 1 END`;
  return `CASE ${w}.event_type
    WHEN 'hail' THEN CASE WHEN ${w}.hail_size_inches IS NULL THEN 80 ELSE ${rampSql(`${w}.hail_size_inches`, 1, 80, 2.75, 100)} END
    WHEN 'wind' THEN CASE WHEN ${mph} > ${WIND_MIN_MPH} THEN ${rampSql(mph, 61, 80, 100, 100)} END
    WHEN 'tornado' THEN 80 + 4 * coalesce(${scale}, 0)
    WHEN 'hurricane' THEN 80 + 5 * (coalesce(${cat}, 1) - 1)
  END`;
}

// ---------------------------------------------------------------------------------------------------------
// 3. Roof age — seed 002 §3.5.3 trigger 3: strength 50–70 "based on age"

/** Over 20 years: 21 → 50, linear to 40 → 70 (e.g. 30 → 50 + 9·20/19 = 59.47 → 59). Null at 20 or less. */
export function roofAgeStrength(ageYears: number): number | null {
  if (!(ageYears > ROOF_AGE_MIN_YEARS)) return null;
  return ramp(ageYears, 21, 50, 40, 70);
}
export const roofAgeStrengthSql = (age: string) => rampSql(age, 21, 50, 40, 70);

// ---------------------------------------------------------------------------------------------------------
// 4. Insurance claim — seed 002 §3.5.3 trigger 4: strength 90–100

/**
 * There is no claims feed. A claim counts as "found" when a permit at the property mentions one in its type
 * or work description ("insurance", "claim #…", "adjuster"). A stated claim number is the stronger evidence
 * (100); a mention without one is 90.
 */
export const INSURANCE_PATTERN = '(insurance|insured|adjuster|claim\\s*(#|no\\.?|number))';
export const CLAIM_NUMBER_PATTERN = 'claim\\s*(#|no\\.?|number)\\s*:?\\s*[A-Za-z0-9-]*[0-9]';

export function mentionsInsuranceClaim(text: string): boolean {
  return new RegExp(INSURANCE_PATTERN, 'i').test(text);
}
export function insuranceClaimStrength(text: string): number | null {
  if (!mentionsInsuranceClaim(text)) return null;
  return new RegExp(CLAIM_NUMBER_PATTERN, 'i').test(text) ? 100 : 90;
}

// ---------------------------------------------------------------------------------------------------------
// 5. Property sale — seed 002 §3.5.3 trigger 5: strength 40–60, the most recent sale strongest

/** Days since the sale: 0 → 60, linear to 365 → 40 (e.g. 182 → 60 − 182·20/365 = 50.03 → 50). Null outside 0–364. */
export function saleStrength(daysSinceSale: number): number | null {
  if (daysSinceSale < 0 || daysSinceSale >= SALE_WINDOW_DAYS) return null;
  return ramp(daysSinceSale, 0, 60, SALE_WINDOW_DAYS, 40);
}
export const saleStrengthSql = (days: string) => rampSql(days, 0, 60, SALE_WINDOW_DAYS, 40);
