/**
 * Roof age in whole years — the one definition that seed 002 §3.5.1 factor 2 (the roof scorer) and seed 002 §3.5.3
 * trigger 3 (roof age > 20 years, trigger detection) both read (issue 8 §3). First known of:
 *   1. the latest roof permit on the property other than the lead's own (a roof was replaced then):
 *      `year` − its issue year (base_leads.last_roof_permit_date, kept by trigger detection);
 *   2. the roof model's estimate (the latest roof_analysis.estimated_age), once issue "Imagery and roof analysis"
 *      stores one;
 *   3. `year` − year_built: with no sign of a replacement, the roof is as old as the house.
 * Null when none is known or the date is in the future. Pure, with its SQL twin; an integration test evaluates
 * both over the same rows and requires equal answers.
 */

export type RoofAgeBasis = 'roof_permit' | 'roof_analysis' | 'year_built';

export interface RoofAgeFacts {
  /** Issue year of the latest roof permit at the property other than the lead's own. */
  lastRoofPermitYear: number | null;
  analysisAge: number | null;
  yearBuilt: number | null;
}

export function roofAgeOf(f: RoofAgeFacts, year: number): { years: number; basis: RoofAgeBasis } | null {
  if (f.lastRoofPermitYear !== null && f.lastRoofPermitYear <= year) return { years: year - f.lastRoofPermitYear, basis: 'roof_permit' };
  if (f.analysisAge !== null && f.analysisAge >= 0) return { years: f.analysisAge, basis: 'roof_analysis' };
  if (f.yearBuilt !== null && f.yearBuilt <= year) return { years: year - f.yearBuilt, basis: 'year_built' };
  return null;
}

/** SQL twins over column expressions: the permit's issue date, the analysis age, year built, and the year (int). */
export function roofAgeSql(permitDate: string, analysisAge: string, yearBuilt: string, year: string): { years: string; basis: string } {
  const permitYear = `extract(year FROM ${permitDate})::int`;
  const whenPermit = `${permitDate} IS NOT NULL AND ${permitYear} <= ${year}`;
  const whenAnalysis = `${analysisAge} IS NOT NULL AND ${analysisAge} >= 0`;
  const whenBuilt = `${yearBuilt} IS NOT NULL AND ${yearBuilt} <= ${year}`;
  return {
    years: `(CASE WHEN ${whenPermit} THEN ${year} - ${permitYear} WHEN ${whenAnalysis} THEN ${analysisAge} WHEN ${whenBuilt} THEN ${year} - ${yearBuilt} END)`,
    basis: `(CASE WHEN ${whenPermit} THEN 'roof_permit' WHEN ${whenAnalysis} THEN 'roof_analysis' WHEN ${whenBuilt} THEN 'year_built' END)`,
  };
}
