import { Prisma, type Db } from '../../platform/db.ts';
import {
  CLUSTER_RADIUS_M,
  CLUSTER_SRID,
  CLUSTERED_STATUSES,
  MAX_CLUSTER_LEADS,
  METRES_PER_MILE,
  MIN_CLUSTER_LEADS,
  SOLD_CLUSTER_STATUSES,
  marketKey,
  type ClusterStatus,
  type Market,
} from './clustering.rules.ts';

/*
 * Almost everything here is raw SQL: PostGIS (ST_ClusterDBSCAN, ST_ClusterKMeans, ST_DWithin, ST_Centroid),
 * session temp tables and UPDATE … FROM are beyond Prisma. One clustering run works on three temp tables
 * that live for its transaction:
 *   cl_pts    one row per clustered lead: market key, point (geography and EPSG:5070 geometry), old cluster,
 *             and `grp`, its group label in this run ('3' from DBSCAN, '3.1' after a k-means split, …);
 *   cl_groups one row per group kept as a cluster (≥ MIN leads): size and centre;
 *   cl_map    group → lead_clusters id (an existing cluster continued, or a new one).
 */

const STATUSES = Prisma.sql`${[...CLUSTERED_STATUSES]}::text[]::lead_status[]`;
const MKEY = (alias: string) => Prisma.raw(`lower(btrim(${alias}.city)) || '|' || upper(btrim(${alias}.state))`);

// Advisory lock ids: a clustering run is exclusive; single-lead assignments share the lock, so they wait for a
// run instead of linking a lead the run is about to unlink.
const CLUSTERING_LOCK = 7_307_001;

/**
 * PostGIS functions declare large costs, so statements over a few thousand leads cross jit_above_cost and
 * PostgreSQL JIT-compiles them: measured 740 ms of compilation for a 350 ms statistics refresh. These are
 * short set-based statements; the rest of the transaction runs without JIT.
 */
export async function disableJit(db: Db): Promise<void> {
  await db.$executeRaw`SET LOCAL jit = off`;
}

export async function lockClustering(db: Db, mode: 'exclusive' | 'shared'): Promise<void> {
  if (mode === 'exclusive') await db.$executeRaw`SELECT pg_advisory_xact_lock(${CLUSTERING_LOCK}::bigint)`;
  else await db.$executeRaw`SELECT pg_advisory_xact_lock_shared(${CLUSTERING_LOCK}::bigint)`;
}

// ---------------------------------------------------------------------------------------------------------
// One clustering run

/**
 * Snapshots the clustered leads (of one market, or all) into cl_pts with their DBSCAN group: eps 2 miles,
 * minpoints 10, on the EPSG:5070 projection, partitioned by market. ORDER BY id makes DBSCAN's border-point
 * choices (and k-means below) deterministic, so an unchanged market clusters the same way twice.
 */
export async function snapshotPoints(db: Db, market?: Market): Promise<number> {
  await db.$executeRaw`
    CREATE TEMP TABLE cl_pts (
      id uuid PRIMARY KEY, mkey text NOT NULL, market_city text NOT NULL, state text NOT NULL, zip text,
      geog geography NOT NULL, g geometry NOT NULL, old_cluster uuid, grp text
    ) ON COMMIT DROP`;
  const scope = market ? Prisma.sql`AND ${MKEY('b')} = ${marketKey(market)}` : Prisma.empty;
  const n = await db.$executeRaw`
    INSERT INTO cl_pts (id, mkey, market_city, state, zip, geog, g, old_cluster, grp)
    SELECT p.id, p.mkey, min(p.city) OVER (PARTITION BY p.mkey), p.state, p.zip, p.geog, p.g, p.cluster_id,
           (ST_ClusterDBSCAN(p.g, eps := ${CLUSTER_RADIUS_M}::float8, minpoints := ${MIN_CLUSTER_LEADS}::int)
              OVER (PARTITION BY p.mkey ORDER BY p.id))::text
      FROM (SELECT b.id, ${MKEY('b')} AS mkey, btrim(b.city) AS city, upper(btrim(b.state)) AS state, b.zip, b.geog,
                   ST_Transform(b.geog::geometry, ${CLUSTER_SRID}::int) AS g, b.cluster_id
              FROM base_leads b
             WHERE b.deleted_at IS NULL AND b.geog IS NOT NULL AND b.status = ANY(${STATUSES}) ${scope}) p`;
  await db.$executeRaw`ANALYZE cl_pts`;
  return n;
}

/**
 * One k-means pass over the groups above MAX leads (seed 002 §3.5.4 "Split large clusters (>100)"): each is
 * cut into ceil(n/100) parts. k-means does not promise parts ≤ 100, so the caller repeats until none is
 * above. Returns the number of groups cut.
 */
export async function splitLargeGroupsKMeans(db: Db): Promise<number> {
  const rows = await db.$queryRaw<{ groups: number }[]>`
    WITH big AS (
      SELECT mkey, grp, count(*) AS n FROM cl_pts WHERE grp IS NOT NULL GROUP BY mkey, grp HAVING count(*) > ${MAX_CLUSTER_LEADS}
    ), parts AS (
      SELECT p.id, p.grp || '.' || ST_ClusterKMeans(p.g, ceil(big.n::numeric / ${MAX_CLUSTER_LEADS})::int)
                                    OVER (PARTITION BY p.mkey, p.grp ORDER BY p.id) AS grp
        FROM cl_pts p JOIN big ON big.mkey = p.mkey AND big.grp = p.grp
    ), moved AS (
      UPDATE cl_pts p SET grp = parts.grp FROM parts WHERE p.id = parts.id RETURNING p.mkey, p.grp
    )
    SELECT (SELECT count(*) FROM big)::int AS groups`;
  return rows[0]?.groups ?? 0;
}

/**
 * Last resort for groups k-means could not bring to ≤ 100 (many leads at one point): consecutive runs of 100
 * in west→east, south→north order.
 */
export async function splitLargeGroupsByOrder(db: Db): Promise<number> {
  const rows = await db.$queryRaw<{ groups: number }[]>`
    WITH big AS (
      SELECT mkey, grp FROM cl_pts WHERE grp IS NOT NULL GROUP BY mkey, grp HAVING count(*) > ${MAX_CLUSTER_LEADS}
    ), parts AS (
      SELECT p.id, p.grp || '.o' || ((row_number() OVER (PARTITION BY p.mkey, p.grp ORDER BY ST_X(p.g), ST_Y(p.g), p.id) - 1) / ${MAX_CLUSTER_LEADS}) AS grp
        FROM cl_pts p JOIN big ON big.mkey = p.mkey AND big.grp = p.grp
    ), moved AS (
      UPDATE cl_pts p SET grp = parts.grp FROM parts WHERE p.id = parts.id RETURNING 1
    )
    SELECT (SELECT count(*) FROM big)::int AS groups`;
  return rows[0]?.groups ?? 0;
}

/** cl_groups: the groups with at least MIN leads, their size and centre (centroid on the metric projection). */
export async function buildGroups(db: Db): Promise<number> {
  await db.$executeRaw`
    CREATE TEMP TABLE cl_groups (
      mkey text NOT NULL, grp text NOT NULL, n int NOT NULL, centre geography NOT NULL, PRIMARY KEY (mkey, grp)
    ) ON COMMIT DROP`;
  const n = await db.$executeRaw`
    INSERT INTO cl_groups (mkey, grp, n, centre)
    SELECT mkey, grp, count(*), ST_Transform(ST_Centroid(ST_Collect(g)), 4326)::geography
      FROM cl_pts WHERE grp IS NOT NULL GROUP BY mkey, grp HAVING count(*) >= ${MIN_CLUSTER_LEADS}`;
  // ST_DWithin below then finds the clusters near each leftover lead through this index.
  await db.$executeRaw`CREATE INDEX ON cl_groups USING gist (centre)`;
  await db.$executeRaw`ANALYZE cl_groups`;
  return n;
}

/**
 * seed 002 §3.5.4 "Merge small clusters (<10 leads)": every lead left over — DBSCAN noise, or in a group under
 * MIN — joins the cluster of its market whose centre is nearest and within 2 miles, as long as that cluster
 * has room below MAX (nearest leads first). The rest are left unclustered, as single-lead assignment would
 * leave them. Then the centres are recomputed. Returns [merged, unclustered].
 */
export async function mergeLeftovers(db: Db): Promise<{ merged: number; unclustered: number }> {
  const merged = await db.$executeRaw`
    WITH leftover AS (
      SELECT p.id, p.mkey, p.geog FROM cl_pts p
       WHERE NOT EXISTS (SELECT 1 FROM cl_groups c WHERE c.mkey = p.mkey AND c.grp = p.grp)
    ), nearest AS (
      SELECT l.id, l.mkey, c.grp, c.room, c.d
        FROM leftover l
        CROSS JOIN LATERAL (
          SELECT c.grp, ${MAX_CLUSTER_LEADS} - c.n AS room, ST_Distance(c.centre, l.geog) AS d
            FROM cl_groups c
           WHERE c.mkey = l.mkey AND ST_DWithin(c.centre, l.geog, ${CLUSTER_RADIUS_M}::float8)
           ORDER BY d, c.grp LIMIT 1) c
    ), ranked AS (
      SELECT id, grp, room, row_number() OVER (PARTITION BY mkey, grp ORDER BY d, id) AS rn FROM nearest
    )
    UPDATE cl_pts p SET grp = r.grp FROM ranked r WHERE p.id = r.id AND r.rn <= r.room`;
  const unclustered = await db.$executeRaw`
    UPDATE cl_pts p SET grp = NULL
     WHERE NOT EXISTS (SELECT 1 FROM cl_groups c WHERE c.mkey = p.mkey AND c.grp = p.grp)`;
  await db.$executeRaw`
    UPDATE cl_groups c SET n = s.n, centre = s.centre
      FROM (SELECT mkey, grp, count(*)::int AS n, ST_Transform(ST_Centroid(ST_Collect(g)), 4326)::geography AS centre
              FROM cl_pts WHERE grp IS NOT NULL GROUP BY mkey, grp) s
     WHERE c.mkey = s.mkey AND c.grp = s.grp`;
  return { merged, unclustered };
}

export interface GroupRow {
  mkey: string;
  grp: string;
  n: number;
  city: string;
  state: string;
  zip: string | null;
  lat: number;
  lng: number;
}

/** The final groups with what a cluster row needs: market city/state, the most common ZIP, the centre. */
export const listGroups = (db: Db) =>
  db.$queryRaw<GroupRow[]>`
    SELECT c.mkey, c.grp, c.n, min(p.market_city) AS city, min(p.state) AS state,
           mode() WITHIN GROUP (ORDER BY p.zip) AS zip,
           ST_Y(c.centre::geometry) AS lat, ST_X(c.centre::geometry) AS lng
      FROM cl_groups c JOIN cl_pts p ON p.mkey = c.mkey AND p.grp = c.grp
     GROUP BY c.mkey, c.grp
     ORDER BY c.mkey, c.grp`;

/** How many of each group's leads were linked to which cluster before this run. */
export const listOverlaps = (db: Db) =>
  db.$queryRaw<{ mkey: string; grp: string; clusterId: string; leads: number }[]>`
    SELECT mkey, grp, old_cluster::text AS "clusterId", count(*)::int AS leads
      FROM cl_pts WHERE grp IS NOT NULL AND old_cluster IS NOT NULL
     GROUP BY mkey, grp, old_cluster`;

export interface ScopeCluster {
  id: string;
  mkey: string;
  name: string | null;
  held: boolean;
}

/** The active clusters a run may continue or retire: of one market, or all. */
export const listScopeClusters = (db: Db, market?: Market) =>
  db.$queryRaw<ScopeCluster[]>`
    SELECT c.id::text AS id, ${MKEY('c')} AS mkey, c.cluster_name AS name, c.exclusive_contractor_id IS NOT NULL AS held
      FROM lead_clusters c
     WHERE c.status = 'active'
       ${market ? Prisma.sql`AND ${MKEY('c')} = ${marketKey(market)}` : Prisma.empty}`;

export interface ClusterWrite {
  id: string;
  mkey: string;
  grp: string;
  name: string | null;
  market: string;
  city: string;
  state: string;
  lat: number;
  lng: number;
  isNew: boolean;
}

/**
 * Writes the run's clusters: inserts the new ones, moves the continued ones (only when something changed, so
 * an unchanged re-run leaves updated_at alone), and records group → cluster in cl_map.
 */
export async function writeClusters(db: Db, rows: ClusterWrite[]): Promise<void> {
  const col = <K extends keyof ClusterWrite>(xs: ClusterWrite[], k: K) => xs.map((r) => r[k]);
  const fresh = rows.filter((r) => r.isNew);
  const kept = rows.filter((r) => !r.isNew);
  if (fresh.length) {
    await db.$executeRaw`
      INSERT INTO lead_clusters (id, cluster_name, market, city, state, center_lat, center_lng, status)
      SELECT id, name, market, city, state, lat, lng, 'active'
        FROM unnest(${col(fresh, 'id')}::uuid[], ${col(fresh, 'name')}::text[], ${col(fresh, 'market')}::text[],
                    ${col(fresh, 'city')}::text[], ${col(fresh, 'state')}::text[], ${col(fresh, 'lat')}::float8[],
                    ${col(fresh, 'lng')}::float8[]) AS v(id, name, market, city, state, lat, lng)`;
  }
  if (kept.length) {
    await db.$executeRaw`
      UPDATE lead_clusters c SET market = v.market, city = v.city, state = v.state, center_lat = v.lat, center_lng = v.lng, updated_at = now()
        FROM unnest(${col(kept, 'id')}::uuid[], ${col(kept, 'market')}::text[], ${col(kept, 'city')}::text[],
                    ${col(kept, 'state')}::text[], ${col(kept, 'lat')}::float8[], ${col(kept, 'lng')}::float8[]) AS v(id, market, city, state, lat, lng)
       WHERE c.id = v.id AND (c.market, c.city, c.state, c.center_lat, c.center_lng) IS DISTINCT FROM (v.market, v.city, v.state, v.lat, v.lng)`;
  }
  await db.$executeRaw`CREATE TEMP TABLE cl_map (mkey text NOT NULL, grp text NOT NULL, cluster_id uuid NOT NULL, PRIMARY KEY (mkey, grp)) ON COMMIT DROP`;
  if (rows.length) {
    await db.$executeRaw`
      INSERT INTO cl_map (mkey, grp, cluster_id)
      SELECT * FROM unnest(${col(rows, 'mkey')}::text[], ${col(rows, 'grp')}::text[], ${col(rows, 'id')}::uuid[])`;
  }
}

/**
 * Points every clustered lead at its cluster and unlinks the rest: leads left unclustered, and leads still
 * linked to a cluster of the run's scope that no longer qualify (status, deleted, moved). Only rows whose
 * link changes are written.
 */
export async function linkLeads(db: Db, scopeClusterIds: string[]): Promise<{ linked: number; unlinked: number }> {
  // cl_pts.old_cluster is exact: it was read under the exclusive lock, which every other writer of
  // cluster_id waits for. So the changes are found in the temp tables and only changed leads are touched.
  const linked = await db.$executeRaw`
    UPDATE base_leads b SET cluster_id = d.cluster_id
      FROM (SELECT p.id, m.cluster_id FROM cl_pts p JOIN cl_map m ON m.mkey = p.mkey AND m.grp = p.grp
             WHERE p.old_cluster IS DISTINCT FROM m.cluster_id) d
     WHERE b.id = d.id`;
  let unlinked = await db.$executeRaw`
    UPDATE base_leads b SET cluster_id = NULL
      FROM cl_pts p WHERE b.id = p.id AND p.grp IS NULL AND p.old_cluster IS NOT NULL`;
  if (scopeClusterIds.length) {
    unlinked += await db.$executeRaw`
      UPDATE base_leads b SET cluster_id = NULL
       WHERE b.cluster_id = ANY(${scopeClusterIds}::uuid[])
         AND NOT EXISTS (SELECT 1 FROM cl_pts p WHERE p.id = b.id)`;
  }
  return { linked, unlinked };
}

/**
 * Clusters of the scope that no group continued: deleted, unless a contractor holds or held them exclusively —
 * those are archived (emptied, kept for the record).
 */
export async function retireClusters(db: Db, ids: string[]): Promise<{ deleted: number; archived: number }> {
  if (!ids.length) return { deleted: 0, archived: 0 };
  const deleted = await db.$executeRaw`DELETE FROM lead_clusters WHERE id = ANY(${ids}::uuid[]) AND exclusive_contractor_id IS NULL`;
  const archived = await db.$executeRaw`
    UPDATE lead_clusters SET status = 'archived', updated_at = now() WHERE id = ANY(${ids}::uuid[]) AND status <> 'archived'`;
  return { deleted, archived };
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

/**
 * Recomputes lead_count, avg_quality_score, total_value (sum of prices), leads_available, leads_sold and
 * radius_miles (farthest member from the centre, rounded up to 0.01 mile so it covers every member) from the
 * linked leads in clustered statuses. Only rows whose figures change are written. All clusters when `ids` is
 * undefined.
 */
export function refreshStats(db: Db, ids?: string[]): Promise<number> {
  const scope = ids ? Prisma.sql`WHERE k.id = ANY(${ids}::uuid[])` : Prisma.empty;
  // LATERAL: one index scan on base_leads.cluster_id per cluster; a join let the planner sort all leads instead.
  return db.$executeRaw`
    UPDATE lead_clusters c
       SET lead_count = s.n, avg_quality_score = s.avg, total_value = s.total, leads_available = s.available,
           leads_sold = s.sold, radius_miles = s.radius, updated_at = now()
      FROM (
        SELECT k.id, a.* FROM lead_clusters k
        CROSS JOIN LATERAL (
          SELECT count(*)::int AS n,
                 round(avg(b.quality_score)::numeric, 2) AS avg,
                 COALESCE(sum(b.price), 0)::numeric(12,2) AS total,
                 (count(*) FILTER (WHERE b.status = 'available'))::int AS available,
                 (count(*) FILTER (WHERE b.status = ANY(${[...SOLD_CLUSTER_STATUSES]}::text[]::lead_status[])))::int AS sold,
                 COALESCE(ceil(round((max(ST_Distance(b.geog, k.geog)) / ${METRES_PER_MILE}::float8)::numeric, 6) * 100) / 100, 0)::numeric(5,2) AS radius
            FROM base_leads b
           WHERE b.cluster_id = k.id AND b.deleted_at IS NULL AND b.status = ANY(${STATUSES})) a
        ${scope}
      ) s
     WHERE c.id = s.id
       AND (c.lead_count, c.avg_quality_score, c.total_value, c.leads_available, c.leads_sold, c.radius_miles)
           IS DISTINCT FROM (s.n, s.avg, s.total, s.available, s.sold, s.radius)`;
}

// ---------------------------------------------------------------------------------------------------------
// Single-lead assignment (seed 002 §3.5.4 "Cluster Assignment")

/**
 * Links each given lead that has no cluster to the active cluster of its market whose centre is nearest and
 * within 2 miles (ST_DWithin on geography: the GIST index on lead_clusters.geog). Returns the links made.
 */
export const linkToNearestClusters = (db: Db, leadIds: string[]) =>
  db.$queryRaw<{ leadId: string; clusterId: string }[]>`
    WITH pick AS (
      SELECT b.id, n.id AS cluster_id
        FROM base_leads b
        CROSS JOIN LATERAL (
          SELECT c.id FROM lead_clusters c
           WHERE c.status = 'active' AND ST_DWithin(c.geog, b.geog, ${CLUSTER_RADIUS_M}::float8)
             AND ${MKEY('c')} = ${MKEY('b')}
           ORDER BY ST_Distance(c.geog, b.geog), c.id
           LIMIT 1) n
       WHERE b.id = ANY(${leadIds}::uuid[]) AND b.cluster_id IS NULL AND b.deleted_at IS NULL
         AND b.geog IS NOT NULL AND b.status = ANY(${STATUSES})
    )
    UPDATE base_leads b SET cluster_id = pick.cluster_id FROM pick WHERE b.id = pick.id AND b.cluster_id IS NULL
    RETURNING b.id::text AS "leadId", b.cluster_id::text AS "clusterId"`;

export const findLeadClusterIds = (db: Db, leadIds: string[]) =>
  db.baseLead.findMany({ where: { id: { in: leadIds } }, select: { id: true, clusterId: true } });

// ---------------------------------------------------------------------------------------------------------
// Exclusive assignment

/**
 * The race-free claim: one conditional UPDATE that succeeds only while nobody else holds the cluster (free,
 * lapsed, or already this contractor's — which extends it). Concurrent claims serialise on the row lock and
 * re-check the condition, so exactly one contractor wins.
 */
export async function claimCluster(db: Db, a: { clusterId: string; contractorId: string; expiresAt: Date; now: Date }): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE lead_clusters
       SET exclusive_contractor_id = ${a.contractorId}::uuid,
           assigned_at = CASE WHEN exclusive_contractor_id = ${a.contractorId}::uuid
                                AND (exclusivity_expires_at IS NULL OR exclusivity_expires_at > ${a.now}::timestamptz)
                              THEN assigned_at ELSE ${a.now}::timestamptz END,
           exclusivity_expires_at = ${a.expiresAt}::timestamptz, updated_at = now()
     WHERE id = ${a.clusterId}::uuid AND status = 'active'
       AND (exclusive_contractor_id IS NULL OR exclusivity_expires_at <= ${a.now}::timestamptz
            OR exclusive_contractor_id = ${a.contractorId}::uuid)`;
  return n === 1;
}

/** Weekly housekeeping: exclusivity that lapsed, or whose contractor is deleted or no longer active, is released. */
export const releaseLapsedExclusivity = (db: Db, now: Date, market?: Market) =>
  db.$queryRaw<{ id: string; contractorId: string }[]>`
    UPDATE lead_clusters c
       SET exclusive_contractor_id = NULL, assigned_at = NULL, exclusivity_expires_at = NULL, updated_at = now()
      FROM lead_clusters old
     WHERE old.id = c.id AND c.exclusive_contractor_id IS NOT NULL
       AND (c.exclusivity_expires_at <= ${now}::timestamptz
            OR NOT EXISTS (SELECT 1 FROM contractors k WHERE k.id = c.exclusive_contractor_id AND k.deleted_at IS NULL AND k.status = 'active'))
       ${market ? Prisma.sql`AND ${MKEY('c')} = ${marketKey(market)}` : Prisma.empty}
    RETURNING c.id::text AS id, old.exclusive_contractor_id::text AS "contractorId"`;

export const findContractorState = (db: Db, id: string) =>
  db.contractor.findFirst({ where: { id, deletedAt: null }, select: { id: true, status: true, city: true, state: true } });

// ---------------------------------------------------------------------------------------------------------
// Reads

export const CLUSTER_SELECT = {
  id: true, clusterName: true, market: true, city: true, state: true, status: true, centerLat: true, centerLng: true,
  radiusMiles: true, leadCount: true, avgQualityScore: true, totalValue: true, leadsAvailable: true, leadsSold: true,
  exclusiveContractorId: true, assignedAt: true, exclusivityExpiresAt: true, createdAt: true, updatedAt: true,
} as const satisfies Prisma.LeadClusterSelect;

export type ClusterRow = Prisma.LeadClusterGetPayload<{ select: typeof CLUSTER_SELECT }>;

export const findCluster = (db: Db, id: string) => db.leadCluster.findUnique({ where: { id }, select: CLUSTER_SELECT });

export const findClusterLeadIds = async (db: Db, clusterId: string) =>
  (
    await db.baseLead.findMany({
      where: { clusterId, deletedAt: null, status: { in: [...CLUSTERED_STATUSES] } },
      select: { id: true },
      orderBy: { id: 'asc' },
    })
  ).map((r) => r.id);

export interface ListClustersFilter {
  city?: string;
  state?: string;
  market?: string;
  status?: ClusterStatus;
  minLeads?: number;
  /** Set for a contractor: clusters of its own market, and any it holds. */
  contractorId?: string;
  /** Keyset after the last row of the previous page: [created_at text, id]. */
  after?: [string, string];
  limit: number;
}

/**
 * Newest first. Raw SQL: the keyset compares created_at at microsecond precision (a JS Date keeps
 * milliseconds, and a batch of clusters shares one now()), and the market match is case-insensitive.
 */
export function listClusters(db: Db, f: ListClustersFilter) {
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (f.status) where.push(Prisma.sql`c.status = ${f.status}`);
  if (f.city) where.push(Prisma.sql`lower(c.city) = lower(${f.city.trim()})`);
  if (f.state) where.push(Prisma.sql`upper(c.state) = upper(${f.state.trim()})`);
  if (f.market) where.push(Prisma.sql`lower(c.market) = lower(${f.market.trim()})`);
  if (f.minLeads !== undefined) where.push(Prisma.sql`c.lead_count >= ${f.minLeads}`);
  if (f.contractorId) {
    where.push(Prisma.sql`(c.exclusive_contractor_id = ${f.contractorId}::uuid OR EXISTS (
      SELECT 1 FROM contractors k WHERE k.id = ${f.contractorId}::uuid AND ${MKEY('k')} = ${MKEY('c')}))`);
  }
  if (f.after) where.push(Prisma.sql`(c.created_at, c.id) < (${f.after[0]}::timestamptz, ${f.after[1]}::uuid)`);
  return db.$queryRaw<{ id: string; createdAtKey: string }[]>`
    SELECT c.id::text AS id, c.created_at::text AS "createdAtKey"
      FROM lead_clusters c
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY c.created_at DESC, c.id DESC
     LIMIT ${f.limit}`;
}

export const findClusters = (db: Db, ids: string[]) => db.leadCluster.findMany({ where: { id: { in: ids } }, select: CLUSTER_SELECT });

/** Whether the cluster lies in the contractor's market (its own city and state). */
export async function isInContractorMarket(db: Db, clusterId: string, contractorId: string): Promise<boolean> {
  const r = await db.$queryRaw<{ ok: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM lead_clusters c JOIN contractors k ON ${MKEY('k')} = ${MKEY('c')}
                    WHERE c.id = ${clusterId}::uuid AND k.id = ${contractorId}::uuid) AS ok`;
  return r[0]?.ok ?? false;
}

/** Every market (city, state) with clustered leads: what an all-markets run covers. */
export const countMarkets = async (db: Db) =>
  (await db.$queryRaw<{ n: number }[]>`SELECT count(DISTINCT mkey)::int AS n FROM cl_pts`)[0]?.n ?? 0;

/**
 * The live exclusive holder of the lead's cluster: active, held, not past exclusivity_expires_at. Read inside the
 * sale's transaction; the lead row is locked by the sale's conditional UPDATE right after. Raw SQL: one join.
 */
export async function findLeadClusterHolder(db: Db, leadId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ holder: string }[]>`
    SELECT lc.exclusive_contractor_id::text AS holder
      FROM base_leads b JOIN lead_clusters lc ON lc.id = b.cluster_id
     WHERE b.id = ${leadId}::uuid AND lc.status = 'active' AND lc.exclusive_contractor_id IS NOT NULL
       AND (lc.exclusivity_expires_at IS NULL OR lc.exclusivity_expires_at > now())`;
  return rows[0]?.holder ?? null;
}
