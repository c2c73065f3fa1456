/**
 * Geographic clustering rules (seed 002 §3.5.4) and the pure helpers of a clustering run: markets, cluster
 * identity across runs, names. The SQL that applies them is in clustering.repository.ts.
 */
import type { LeadStatus } from '../leads/leads.lifecycle.ts';

export const METRES_PER_MILE = 1609.344;
/** seed 002 §3.5.4 Cluster Creation "Radius: 2 miles": DBSCAN eps, merge and assignment distance. */
export const CLUSTER_RADIUS_MILES = 2;
export const CLUSTER_RADIUS_M = CLUSTER_RADIUS_MILES * METRES_PER_MILE; // 3218.688
/** seed 002 §3.5.4 "Min leads per cluster: 10" (also DBSCAN minpoints, the point itself included). */
export const MIN_CLUSTER_LEADS = 10;
/** seed 002 §3.5.4 "Max leads per cluster: 100": larger groups are split with k-means into ceil(n/100) parts. */
export const MAX_CLUSTER_LEADS = 100;
/**
 * DESIGN.md: cluster on geometry projected to a metric SRID. EPSG:5070 (NAD83 / Conus Albers) keeps distances
 * within about 0.5% across the contiguous US; markets in Alaska or Hawaii would need their own projection.
 */
export const CLUSTER_SRID = 5070;
/** k-means passes before the last resort (order-based split) for groups k-means cannot cut, e.g. one address. */
export const MAX_KMEANS_PASSES = 8;

/**
 * Leads that belong in clusters: scored (about to be published), on sale (available, reserved) and sold
 * (sold, delivered, converted — leads_sold counts them). Leads still processing, under review, unqualified,
 * expired or refunded are not part of the market's supply and are unlinked by the next clustering run.
 */
export const CLUSTERED_STATUSES = ['scored', 'available', 'reserved', 'sold', 'delivered', 'converted'] as const satisfies readonly LeadStatus[];
export const SOLD_CLUSTER_STATUSES = ['sold', 'delivered', 'converted'] as const satisfies readonly LeadStatus[];

export const CLUSTER_STATUSES = ['active', 'archived'] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

/** A market is a city within a state; "Austin, TX". Its key ignores case and surrounding spaces. */
export interface Market {
  city: string;
  state: string;
}

export const marketKey = (m: Market): string => `${m.city.trim().toLowerCase()}|${m.state.trim().toUpperCase()}`;
export const marketLabel = (m: Market): string => `${m.city.trim()}, ${m.state.trim().toUpperCase()}`;

/** "Austin, TX" → { city: 'Austin', state: 'TX' }; null when it is not "<city>, <2-letter state>". */
export function parseMarket(s: string): Market | null {
  const m = /^\s*(.+?)\s*,\s*([A-Za-z]{2})\s*$/.exec(s);
  return m ? { city: m[1]!, state: m[2]!.toUpperCase() } : null;
}

/** Exclusivity is live while a contractor holds the cluster and it has not expired (no expiry: indefinite). */
export function isExclusivityLive(c: { exclusiveContractorId: string | null; exclusivityExpiresAt: Date | null }, now: Date): boolean {
  return c.exclusiveContractorId !== null && (c.exclusivityExpiresAt === null || c.exclusivityExpiresAt > now);
}

export interface GroupOverlap {
  /** The new group (market key + group label of this run). */
  group: string;
  /** An existing cluster some of the group's leads were linked to before this run. */
  clusterId: string;
  /** How many of the group's leads were linked to it. */
  leads: number;
}

/**
 * Which existing cluster each new group continues, so ids, names and exclusive assignments survive a re-run:
 * pairs are taken greedily by shared leads (most first; ties by cluster id, then group), each cluster and
 * each group at most once. Only clusters in `candidates` (active, same market — the caller filters) qualify.
 * Unpaired groups become new clusters; unpaired candidates are retired.
 */
export function matchGroupsToClusters(overlaps: readonly GroupOverlap[], candidates: ReadonlySet<string>): Map<string, string> {
  const sorted = overlaps
    .filter((o) => candidates.has(o.clusterId))
    .slice()
    .sort((a, b) => b.leads - a.leads || cmp(a.clusterId, b.clusterId) || cmp(a.group, b.group));
  const byGroup = new Map<string, string>();
  const taken = new Set<string>();
  for (const o of sorted) {
    if (byGroup.has(o.group) || taken.has(o.clusterId)) continue;
    byGroup.set(o.group, o.clusterId);
    taken.add(o.clusterId);
  }
  return byGroup;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A new cluster's name: its market and the ZIP most of its leads share ("Austin, TX 78704"); a second cluster
 * with the same name in the market gets " #2", and so on. Names are given once, at creation.
 */
export function nameCluster(market: string, zip: string | null, taken: Set<string>): string {
  const base = zip ? `${market} ${zip}` : market;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base} #${i}`;
  taken.add(name);
  return name;
}

