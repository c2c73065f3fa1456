/** Subscription tier names, as stored in the subscription_tier enum. */
export const TIER_NAMES = ['starter', 'professional', 'enterprise'] as const;
export type TierName = (typeof TIER_NAMES)[number];

export interface TierTerms {
  /** Dollars per month. */
  monthlyFee: number;
  /** Default monthly lead quota; an admin may override it per contractor. */
  leadsPerMonth: number;
  /** city_shared: city-level, shared with others; zip: one contractor per ZIP; city: one contractor per city. */
  exclusivity: 'city_shared' | 'zip' | 'city';
  priorityDelivery: boolean;
}

/**
 * seed 002 §3.6.6 Subscription Tiers. Where the seed gives a range the top of it is the quota
 * (starter "10-15", professional "40-50"); enterprise says "100+", taken as 150.
 */
export const TIERS = {
  starter: { monthlyFee: 500, leadsPerMonth: 15, exclusivity: 'city_shared', priorityDelivery: false },
  professional: { monthlyFee: 2000, leadsPerMonth: 50, exclusivity: 'zip', priorityDelivery: true },
  enterprise: { monthlyFee: 5000, leadsPerMonth: 150, exclusivity: 'city', priorityDelivery: true },
} as const satisfies Record<TierName, TierTerms>;

/** The quota month: calendar months in UTC (the purchase quota and leadsThisMonth both count from here). */
export const startOfUtcMonth = (d: Date): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
