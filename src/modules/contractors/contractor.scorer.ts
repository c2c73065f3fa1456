/**
 * Contractor scoring, seed 002 §3.6.3: fit score (six factors, 0–100), conversion likelihood (0–100),
 * 12-month lifetime value, and priority = (fit + likelihood) / 2.
 *
 * Where the seed's bands touch, the lower bound is inclusive (10 employees is "10-50", 5 years is "5-10").
 * Employees counts everyone including the owner: 1 is a solo operator, 2–4 "1-5", 5–9 "5-10", 10+ "10-50"
 * (the seed's table stops at 50; larger firms score as 10–50). "Moderate size" for likelihood is 5–50.
 */
export const CONTRACTOR_SCORER_VERSION = 'contractor@1';

export interface ContractorFacts {
  hasWebsite: boolean;
  googleRating?: number | null;
  googleReviewCount?: number | null;
  bbbAccredited?: boolean | null;
  employees?: number | null;
  yearsInBusiness?: number | null;
  /** 0 when the contractor is in the target city itself. */
  distanceMiles?: number | null;
  residentialRoofing?: boolean;
  multipleRoofTypes?: boolean;
  insuranceRestoration?: boolean;
  validStateLicense?: boolean;
  manufacturerCertified?: boolean;
  hasEmail?: boolean;
  activeSocialMedia?: boolean;
  reviewedLast30Days?: boolean;
  urbanArea?: boolean;
}

export interface ContractorFactor {
  name: 'online_presence' | 'business_size' | 'experience' | 'location' | 'specialization' | 'licensing';
  points: number;
  max: number;
}

// seed 002 §3.6.3 factor 1: online presence, 0–20
export function onlinePresencePoints(f: ContractorFacts): number {
  return (f.hasWebsite ? 5 : 0) + ((f.googleRating ?? 0) >= 4.5 ? 5 : 0) + ((f.googleReviewCount ?? 0) >= 50 ? 5 : 0) + (f.bbbAccredited ? 5 : 0);
}

// seed 002 §3.6.3 factor 2: business size, 0–20
export function businessSizePoints(employees: number | null | undefined): number {
  if (employees == null || employees < 1) return 0;
  if (employees >= 10) return 20;
  if (employees >= 5) return 15;
  if (employees >= 2) return 10;
  return 5;
}

// seed 002 §3.6.3 factor 3: experience, 0–15
export function experiencePoints(years: number | null | undefined): number {
  if (years == null) return 0;
  if (years >= 10) return 15;
  if (years >= 5) return 10;
  if (years >= 2) return 5;
  return 0;
}

// seed 002 §3.6.3 factor 4: location, 0–15
export function locationPoints(distanceMiles: number | null | undefined): number {
  if (distanceMiles == null) return 0;
  if (distanceMiles <= 0) return 15;
  if (distanceMiles <= 25) return 10;
  if (distanceMiles <= 50) return 5;
  return 0;
}

// seed 002 §3.6.3 factor 5: specialization, 0–15
export function specializationPoints(f: ContractorFacts): number {
  return (f.residentialRoofing ? 5 : 0) + (f.multipleRoofTypes ? 5 : 0) + (f.insuranceRestoration ? 5 : 0);
}

// seed 002 §3.6.3 factor 6: licensing and certifications, 0–15
export function licensingPoints(f: ContractorFacts): number {
  return (f.validStateLicense ? 10 : 0) + (f.manufacturerCertified ? 5 : 0);
}

export function scoreContractorFit(f: ContractorFacts): { score: number; factors: ContractorFactor[] } {
  const factors: ContractorFactor[] = [
    { name: 'online_presence', points: onlinePresencePoints(f), max: 20 },
    { name: 'business_size', points: businessSizePoints(f.employees), max: 20 },
    { name: 'experience', points: experiencePoints(f.yearsInBusiness), max: 15 },
    { name: 'location', points: locationPoints(f.distanceMiles), max: 15 },
    { name: 'specialization', points: specializationPoints(f), max: 15 },
    { name: 'licensing', points: licensingPoints(f), max: 15 },
  ];
  return { score: factors.reduce((s, x) => s + x.points, 0), factors };
}

// seed 002 §3.6.3 conversion likelihood: website 30, email 20, active social 15, reviewed in 30 days 15, moderate size 20.
export function scoreConversionLikelihood(f: ContractorFacts): number {
  const moderate = f.employees != null && f.employees >= 5 && f.employees <= 50;
  return (f.hasWebsite ? 30 : 0) + (f.hasEmail ? 20 : 0) + (f.activeSocialMedia ? 15 : 0) + (f.reviewedLast30Days ? 15 : 0) + (moderate ? 20 : 0);
}

/**
 * seed 002 §3.6.3 LTV: base monthly $5,000 (≥10 employees), $2,000 (≥5), else $500; ×1.3 when rated ≥ 4.5;
 * ×1.5 in an urban area; × 12 months. Integer cents with exact rational multipliers.
 */
export function estimateLtvCents(f: ContractorFacts): number {
  const employees = f.employees ?? 0;
  let num = BigInt(employees >= 10 ? 5000_00 : employees >= 5 ? 2000_00 : 500_00) * 12n;
  let den = 1n;
  if ((f.googleRating ?? 0) >= 4.5) {
    num *= 13n;
    den *= 10n;
  }
  if (f.urbanArea) {
    num *= 15n;
    den *= 10n;
  }
  return Number((num * 2n + den) / (2n * den));
}

// seed 002 §3.6.3 priority = (fit + likelihood) / 2, kept to two decimals (numeric(5,2)).
export function priorityScore(fit: number, likelihood: number): number {
  return Math.round(((fit + likelihood) / 2) * 100) / 100;
}

export function scoreContractor(f: ContractorFacts) {
  const fit = scoreContractorFit(f);
  const likelihood = scoreConversionLikelihood(f);
  return {
    fitScore: fit.score,
    factors: fit.factors,
    conversionLikelihood: likelihood,
    ltvCents: estimateLtvCents(f),
    priority: priorityScore(fit.score, likelihood),
    scorerVersion: CONTRACTOR_SCORER_VERSION,
  };
}

/** A contractor's stored record, as far as the seed 002 §3.6.3 scores read it. */
export interface ContractorRecord {
  website: string | null;
  email: string | null;
  googleRating: number | null;
  googleReviewCount: number | null;
  bbbAccredited: boolean | null;
  employeeCountRange: string | null;
  yearsInBusiness: number | null;
  servicesOffered: string[];
  roofTypes: string[];
  certifications: string[];
  insuranceTypes: string[];
  licenseStatus: string | null;
  licenseExpiration: Date | null;
  socialMedia: unknown;
}

/** The lower bound of an employee range as stored ("10-50", "5-10", "50+", "1"), or null. */
export function employeesOf(range: string | null): number | null {
  const m = /^\s*(\d+)/.exec(range ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * The facts the seed 002 §3.6.3 scores need, from a stored contractor. `inTargetCity`: the contractor's city is one
 * of the target cities (distance 0); otherwise the distance is unknown (no geocoded market distance yet).
 * Unknown facts count as absent, as the seed's checklist does.
 */
export function contractorFactsOf(r: ContractorRecord, o: { inTargetCity: boolean; now: Date }): ContractorFacts {
  const services = r.servicesOffered.map((s) => s.toLowerCase());
  const social = r.socialMedia && typeof r.socialMedia === 'object' ? Object.values(r.socialMedia as Record<string, unknown>).filter(Boolean) : [];
  return {
    hasWebsite: !!r.website,
    googleRating: r.googleRating,
    googleReviewCount: r.googleReviewCount,
    bbbAccredited: r.bbbAccredited,
    employees: employeesOf(r.employeeCountRange),
    yearsInBusiness: r.yearsInBusiness,
    distanceMiles: o.inTargetCity ? 0 : null,
    residentialRoofing: services.some((s) => s.includes('roof')),
    multipleRoofTypes: r.roofTypes.length >= 2,
    insuranceRestoration: services.some((s) => s.includes('insurance') || s.includes('restoration') || s.includes('storm')) || r.insuranceTypes.length > 0,
    validStateLicense: (r.licenseStatus ?? '').toLowerCase() === 'active' && (r.licenseExpiration === null || r.licenseExpiration > o.now),
    manufacturerCertified: r.certifications.length > 0,
    hasEmail: !!r.email,
    activeSocialMedia: social.length > 0,
    reviewedLast30Days: false,
    urbanArea: false,
  };
}

const FACTOR_REASONS: Readonly<Record<ContractorFactor['name'], (f: ContractorFacts) => string>> = {
  online_presence: (f) =>
    `website ${f.hasWebsite ? 'yes' : 'no'}, Google ${f.googleRating ?? '?'}★ (${f.googleReviewCount ?? 0} reviews), BBB ${f.bbbAccredited ? 'accredited' : 'no'}`,
  business_size: (f) => (f.employees == null ? 'employee count unknown' : `${f.employees}+ employees`),
  experience: (f) => (f.yearsInBusiness == null ? 'years in business unknown' : `${f.yearsInBusiness} years in business`),
  location: (f) => (f.distanceMiles == null ? 'not in a target city (distance unknown)' : `${f.distanceMiles} mi from a target city`),
  specialization: (f) =>
    [f.residentialRoofing && 'residential roofing', f.multipleRoofTypes && 'several roof types', f.insuranceRestoration && 'insurance restoration'].filter(Boolean).join(', ') || 'none recorded',
  licensing: (f) => [f.validStateLicense ? 'active state license' : 'no active license', f.manufacturerCertified && 'manufacturer certified'].filter(Boolean).join(', '),
};

/** scoreContractor with a reason per fit factor (the API's explanation, like a lead's score). */
export function explainContractor(f: ContractorFacts) {
  const s = scoreContractor(f);
  return { ...s, factors: s.factors.map((x) => ({ ...x, reason: FACTOR_REASONS[x.name](f) })) };
}
