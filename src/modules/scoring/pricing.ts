/**
 * Lead price, seed 002 §3.5.2 "Dynamic Pricing".
 *
 * Band by score: ≥90 $200, ≥80 $175, ≥70 $150, ≥60 $125, below 60 not for sale (null).
 * Adjustments, multiplied in this order: urgent trigger (hail or storm damage) ×1.2, exclusive territory ×1.1,
 * demand (two or more contractors viewed it in the last 24 hours) ×1.15.
 *
 * Money is integer cents. The multipliers are exact rationals (12/10, 11/10, 115/100), so the product is
 * computed in integers and rounded once, half up, to a whole cent — no float drift (200 × 1.2 × 1.1 × 1.15 is
 * exactly $303.60).
 */
export const PRICE_BANDS_CENTS = [
  { minScore: 90, cents: 200_00 },
  { minScore: 80, cents: 175_00 },
  { minScore: 70, cents: 150_00 },
  { minScore: 60, cents: 125_00 },
] as const;

export const URGENCY = { num: 12n, den: 10n } as const; // ×1.2
export const EXCLUSIVITY = { num: 11n, den: 10n } as const; // ×1.1
export const DEMAND = { num: 115n, den: 100n } as const; // ×1.15
/** "multiple contractors interested": two or more distinct contractors viewed it in the last 24 hours. */
export const DEMAND_MIN_CONTRACTORS = 2;
export const DEMAND_WINDOW_HOURS = 24;

export interface PriceInputs {
  score: number;
  urgentTrigger?: boolean;
  exclusiveTerritory?: boolean;
  interestedContractors24h?: number;
}

export interface PriceBreakdown {
  priceCents: number | null;
  baseCents: number | null;
  adjustments: { name: 'urgency' | 'exclusivity' | 'demand'; multiplier: number }[];
}

export function basePriceCents(score: number): number | null {
  return PRICE_BANDS_CENTS.find((b) => score >= b.minScore)?.cents ?? null;
}

export function priceLead(p: PriceInputs): PriceBreakdown {
  const base = basePriceCents(p.score);
  if (base === null) return { priceCents: null, baseCents: null, adjustments: [] };
  const applied: { name: 'urgency' | 'exclusivity' | 'demand'; r: { num: bigint; den: bigint } }[] = [];
  if (p.urgentTrigger) applied.push({ name: 'urgency', r: URGENCY });
  if (p.exclusiveTerritory) applied.push({ name: 'exclusivity', r: EXCLUSIVITY });
  if ((p.interestedContractors24h ?? 0) >= DEMAND_MIN_CONTRACTORS) applied.push({ name: 'demand', r: DEMAND });
  let num = BigInt(base);
  let den = 1n;
  for (const a of applied) {
    num *= a.r.num;
    den *= a.r.den;
  }
  const cents = Number((num * 2n + den) / (2n * den)); // round half up (all values positive)
  return { priceCents: cents, baseCents: base, adjustments: applied.map((a) => ({ name: a.name, multiplier: Number(a.r.num) / Number(a.r.den) })) };
}

export const centsToDollars = (cents: number): number => Math.round(cents) / 100;
