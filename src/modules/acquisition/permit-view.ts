import type { PermitFacts } from '../scoring/permit-intent.scorer.ts';
import type { StoredPermit } from './permits.repository.ts';

/**
 * A stored permit read as the facts seed 001 scores (permit-intent.scorer PermitFacts): the target city's own
 * name, the permit's street address (else its property's), the assessor's market value, the days since filing.
 * Lead creation and the export read permits through this one view, so both key a lead the same way.
 */

const DAY_MS = 86_400_000;

export type CityIndex = Map<string, string>;

/** Target city names by "city|state" and by city alone (when unambiguous): the city-name join of the spec. */
export function indexCities(rows: { city: string; state: string }[]): CityIndex {
  const idx: CityIndex = new Map();
  const byName = new Map<string, string[]>();
  for (const r of rows) {
    idx.set(`${r.city.toLowerCase()}|${r.state.toUpperCase()}`, r.city);
    byName.set(r.city.toLowerCase(), [...(byName.get(r.city.toLowerCase()) ?? []), r.city]);
  }
  for (const [k, v] of byName) if (v.length === 1) idx.set(k, v[0]!);
  return idx;
}

const utcDay = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

/** Whole days from filing (applied, else issued, else first seen) to `now`, in UTC calendar days. */
export function daysOld(p: Pick<StoredPermit, 'appliedDate' | 'issueDate' | 'scrapedAt'>, now: Date): number {
  const filed = p.appliedDate ?? p.issueDate ?? p.scrapedAt;
  return Math.max(0, Math.floor((utcDay(now) - utcDay(filed)) / DAY_MS));
}

export interface PermitView {
  facts: PermitFacts;
  zip: string | null;
  marketValueText: string;
}

export function viewPermit(p: StoredPermit, cities: CityIndex, now: Date): PermitView {
  const state = (p.state ?? p.targetCity?.state ?? p.property?.state ?? '').trim().toUpperCase() || null;
  const rawCity = p.city ?? p.property?.city ?? null;
  const city =
    p.targetCity?.city ??
    (rawCity ? cities.get(`${rawCity.toLowerCase()}|${state ?? ''}`) ?? cities.get(rawCity.toLowerCase()) ?? rawCity.trim() : null);
  const mv = p.property?.marketValue ?? null;
  return {
    facts: {
      permitType: p.permitType,
      permitClass: p.permitClass,
      description: p.workDescription,
      value: p.estimatedValue === null ? null : Number(p.estimatedValue),
      marketValue: mv === null ? null : Number(mv),
      daysOld: daysOld(p, now),
      isAbsentee: p.property?.isAbsentee ?? null,
      ownerName: p.property?.ownerName ?? null,
      address: (p.address ?? p.property?.address ?? '').trim() || null,
      city,
      state,
    },
    zip: p.zip ?? p.property?.zip ?? null,
    marketValueText: mv === null ? '' : mv.toString(),
  };
}
