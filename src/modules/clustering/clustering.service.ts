import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { isStaff, requireRole, type Principal } from '../../platform/auth.ts';
import { decimalToNumber, type Db, type PrismaClient, type Tx } from '../../platform/db.ts';
import { recordSystemEvent } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
// enqueue.ts, not orchestration.service: that one imports the job catalog, which imports this module's jobs.
import { addJob } from '../orchestration/enqueue.ts';
import { optimizeClustersJob } from './clustering.jobs.ts';
import * as repo from './clustering.repository.ts';
import {
  MAX_KMEANS_PASSES,
  isExclusivityLive,
  marketLabel,
  matchGroupsToClusters,
  nameCluster,
  parseMarket,
  type Market,
} from './clustering.rules.ts';
import type { TAssignClusterBody, TCluster, TClusterDetail, TListClustersQuery, TOptimizeClustersBody } from './clustering.schemas.ts';

const SERVICE = 'scoring';
/** A full re-cluster of every market is one transaction; at 1M leads it runs for minutes, not seconds. */
const RUN_TX = { maxWait: 60_000, timeout: 60 * 60_000 } as const;
/** Single-lead assignment waits (shared advisory lock) while a run holds the exclusive one. */
const ASSIGN_TX = { maxWait: 60_000, timeout: 10 * 60_000 } as const;

const clusterNotFound = (id: string) => new AppError('CLUSTER_NOT_FOUND', { message: `cluster ${id} not found` });

function toMarket(s: string | undefined): Market | undefined {
  if (s === undefined) return undefined;
  const m = parseMarket(s);
  if (!m) throw new AppError('VALIDATION_FAILED', { message: 'market must be "<city>, <state>", e.g. "Austin, TX"', details: { errors: [{ path: 'market', message: 'not "<city>, <state>"' }] } });
  return m;
}

/** Runs `fn` in the caller's transaction, or in a new one when given the client. */
function inTransaction<T>(db: Db, opts: { maxWait: number; timeout: number }, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return '$transaction' in db ? (db as PrismaClient).$transaction(fn, opts) : fn(db as Tx);
}

// ---------------------------------------------------------------------------------------------------------
// Clustering run (seed 002 §3.5.4 "Cluster Creation", DESIGN.md "Spatial work stays in PostGIS")

export type ClusterRunResult = {
  market: string | null;
  markets: number;
  leads: number;
  clustered: number;
  unclustered: number;
  merged: number;
  splits: number;
  clusters: number;
  created: number;
  continued: number;
  deleted: number;
  archived: number;
  linked: number;
  unlinked: number;
  durationMs: number;
  /** Where the time went: snapshot + DBSCAN, k-means splits, merge, cluster writes, lead links, statistics. */
  phasesMs: Record<'dbscan' | 'split' | 'merge' | 'write' | 'link' | 'stats', number>;
};

/**
 * Rebuilds the clusters of one market ("Austin, TX") or of all, in one transaction under an exclusive lock:
 *  1. DBSCAN per market — eps 2 miles, min 10 leads — on clustered leads (CLUSTERED_STATUSES), EPSG:5070;
 *  2. groups over 100 leads cut by k-means into ceil(n/100) parts, repeated until none is over 100;
 *  3. leftovers (DBSCAN noise, groups under 10) merged into the nearest cluster whose centre is within 2 miles
 *     and which has room, else left unclustered;
 *  4. each group continues the existing cluster most of its leads were in (same id, name and exclusive
 *     holder), or becomes a new cluster; clusters no group continues are deleted, or archived if a
 *     contractor holds or held them;
 *  5. leads linked, statistics refreshed.
 * A re-run over unchanged leads changes nothing: same groups, same clusters, no writes.
 */
export async function clusterLeads(ctx: AppContext, opts: { market?: string; by?: string } = {}): Promise<ClusterRunResult> {
  const market = toMarket(opts.market);
  const started = performance.now();
  const result = await ctx.db.prisma.$transaction(async (tx) => {
    const r = await runClustering(tx, market);
    const out: ClusterRunResult = { market: market ? marketLabel(market) : null, ...r, durationMs: Math.round(performance.now() - started) };
    await recordSystemEvent(tx, { eventType: 'clustering', eventName: 'clusters.rebuilt', service: SERVICE, data: { ...out, by: opts.by ?? null } });
    return out;
  }, RUN_TX);
  ctx.log.info({ ...result }, 'clusters rebuilt');
  return result;
}

async function runClustering(tx: Tx, market: Market | undefined): Promise<Omit<ClusterRunResult, 'market' | 'durationMs'>> {
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - t);
    t = now;
    return ms;
  };
  await repo.disableJit(tx);
  await repo.lockClustering(tx, 'exclusive');
  t = performance.now();
  const leads = await repo.snapshotPoints(tx, market);
  const markets = await repo.countMarkets(tx);
  const dbscan = lap();

  let splits = 0;
  let pass = 0;
  for (; pass < MAX_KMEANS_PASSES; pass++) {
    const cut = await repo.splitLargeGroupsKMeans(tx);
    if (cut === 0) break;
    splits += cut;
  }
  if (pass === MAX_KMEANS_PASSES) splits += await repo.splitLargeGroupsByOrder(tx);
  const split = lap();

  await repo.buildGroups(tx);
  const { merged, unclustered } = await repo.mergeLeftovers(tx);
  const mergeMs = lap();
  const groups = await repo.listGroups(tx);
  const scope = await repo.listScopeClusters(tx, market);

  // A cluster may only be continued by a group of its own market.
  const scopeById = new Map(scope.map((c) => [c.id, c]));
  const key = (mkey: string, grp: string) => `${mkey}\u0000${grp}`;
  const overlaps = (await repo.listOverlaps(tx))
    .filter((o) => scopeById.get(o.clusterId)?.mkey === o.mkey)
    .map((o) => ({ group: key(o.mkey, o.grp), clusterId: o.clusterId, leads: o.leads }));
  const match = matchGroupsToClusters(overlaps, new Set(scopeById.keys()));
  const continued = new Set(match.values());

  const namesByMarket = new Map<string, Set<string>>();
  const namesOf = (mkey: string) => namesByMarket.get(mkey) ?? namesByMarket.set(mkey, new Set()).get(mkey)!;
  for (const c of scope) if (continued.has(c.id) && c.name) namesOf(c.mkey).add(c.name);

  const writes: repo.ClusterWrite[] = groups.map((g) => {
    const label = marketLabel({ city: g.city, state: g.state });
    const existing = match.get(key(g.mkey, g.grp));
    return {
      id: existing ?? randomUUID(),
      isNew: !existing,
      mkey: g.mkey,
      grp: g.grp,
      name: existing ? null : nameCluster(label, g.zip, namesOf(g.mkey)),
      market: label,
      city: g.city,
      state: g.state,
      lat: g.lat,
      lng: g.lng,
    };
  });
  await repo.writeClusters(tx, writes);
  const write = lap();
  const { linked, unlinked } = await repo.linkLeads(tx, scope.map((c) => c.id));
  const retired = scope.filter((c) => !continued.has(c.id)).map((c) => c.id);
  const { deleted, archived } = await repo.retireClusters(tx, retired);
  const link = lap();
  await repo.refreshStats(tx, [...writes.map((w) => w.id), ...retired]);
  const stats = lap();

  return {
    markets,
    leads,
    clustered: groups.reduce((s, g) => s + g.n, 0),
    unclustered,
    merged,
    splits,
    clusters: writes.length,
    created: writes.filter((w) => w.isNew).length,
    continued: continued.size,
    deleted,
    archived,
    linked,
    unlinked,
    phasesMs: { dbscan, split, merge: mergeMs, write, link, stats },
  };
}

/**
 * seed 002 §3.5.4 "Cluster Optimization" (weekly): merge clusters under 10, split those over 100 and even them
 * out — a full re-cluster does all three, keeping cluster identities — after releasing exclusivity that has
 * lapsed or whose contractor is no longer active ("Auto-reassignment if contractor inactive": the cluster is
 * free for the next assignment).
 */
export async function optimizeClusters(ctx: AppContext, opts: { market?: string } = {}) {
  const market = toMarket(opts.market);
  const released = await ctx.db.prisma.$transaction(async (tx) => {
    const rows = await repo.releaseLapsedExclusivity(tx, new Date(), market);
    for (const r of rows) {
      await recordSystemEvent(tx, {
        eventType: 'clustering', eventName: 'cluster.exclusivity_released', service: SERVICE, entityType: 'lead_cluster', entityId: r.id,
        data: { contractorId: r.contractorId, reason: 'lapsed or contractor inactive' },
      });
    }
    return rows.length;
  });
  const run = await clusterLeads(ctx, { market: opts.market, by: 'clustering.optimize' });
  return { ...run, released };
}

/** Admin/ops: queue the optimization job; 202 with its id. */
export async function requestClusterOptimization(ctx: AppContext, principal: Principal | undefined, body: TOptimizeClustersBody) {
  const p = requireRole(principal, 'admin', 'ops');
  toMarket(body.market);
  const payload = optimizeClustersJob.payload.parse(body.market ? { market: body.market } : {});
  let jobId: string;
  try {
    jobId = String((await addJob(ctx, optimizeClustersJob, payload, { jobId: randomUUID() })).id);
  } catch (err) {
    throw new AppError('SERVICE_UNAVAILABLE', { message: 'the queue store (Redis) is unreachable; try again shortly', cause: err });
  }
  await recordSystemEvent(ctx.db.prisma, {
    eventType: 'admin_action', eventName: 'clusters.optimize_requested', service: 'api',
    data: { by: `${p.kind}:${p.id}`, jobId, market: body.market ?? null },
  });
  return { jobId };
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and single-lead assignment

/**
 * Recomputes the statistics (lead_count, avg_quality_score, total_value, leads_available, leads_sold,
 * radius_miles) of the given clusters, or all. Call it after anything changes a clustered lead's status or
 * price — a purchase (the lead.sold event does), a refund, a rescore. Returns the clusters whose figures changed.
 */
export const refreshClusterStats = (db: Db, clusterIds?: string[]): Promise<number> =>
  inTransaction(db, ASSIGN_TX, async (tx) => {
    await repo.disableJit(tx);
    return repo.refreshStats(tx, clusterIds);
  });

/**
 * seed 002 §3.5.4 "Cluster Assignment" for leads that just became clusterable (published): each joins the
 * nearest active cluster of its market within 2 miles of the centre, and the touched clusters' statistics are
 * refreshed. A lead near no cluster stays unclustered: a new cluster needs 10 leads, so it waits for the next
 * clustering run. Leads already in a cluster keep it. The 100-lead cap is not checked here; the weekly
 * optimization splits clusters that grew past it.
 */
export async function assignLeadsToClusters(db: Db, leadIds: string[]): Promise<{ linked: number; clusterIds: string[] }> {
  if (!leadIds.length) return { linked: 0, clusterIds: [] };
  return inTransaction(db, ASSIGN_TX, async (tx) => {
    await repo.disableJit(tx);
    await repo.lockClustering(tx, 'shared');
    const links = await repo.linkToNearestClusters(tx, leadIds);
    const clusterIds = [...new Set(links.map((l) => l.clusterId))].sort();
    if (clusterIds.length) await repo.refreshStats(tx, clusterIds);
    return { linked: links.length, clusterIds };
  });
}

/** One lead; its cluster id afterwards (the one it already had, the nearest within 2 miles, or null). */
export async function assignLeadToCluster(db: Db, leadId: string): Promise<string | null> {
  await assignLeadsToClusters(db, [leadId]);
  const [row] = await repo.findLeadClusterIds(db, [leadId]);
  return row?.clusterId ?? null;
}

/** Refreshes the cluster a lead belongs to (after its sale, refund, …); false when it has none. */
export async function refreshLeadCluster(db: Db, leadId: string): Promise<boolean> {
  const [row] = await repo.findLeadClusterIds(db, [leadId]);
  if (!row?.clusterId) return false;
  await refreshClusterStats(db, [row.clusterId]);
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Exclusive assignment (seed 002 §3.5.4 "Exclusive Territory Assignment")

/**
 * Gives a cluster to one contractor until `expiresAt`. Free, lapsed, or already this contractor's (which
 * extends it) → assigned; held by another contractor → CLUSTER_TAKEN. One conditional UPDATE decides, so of
 * any number of concurrent claims exactly one wins.
 */
export async function assignCluster(ctx: AppContext, principal: Principal | undefined, body: TAssignClusterBody): Promise<TCluster> {
  const p = requireRole(principal, 'admin', 'ops');
  const now = new Date();
  const expiresAt = new Date(body.expiresAt);
  if (expiresAt <= now) {
    throw new AppError('VALIDATION_FAILED', { message: 'expiresAt must be in the future', details: { errors: [{ path: 'body.expiresAt', message: 'must be in the future' }] } });
  }
  const row = await ctx.db.prisma.$transaction(async (tx) => {
    const contractor = await repo.findContractorState(tx, body.contractorId);
    if (!contractor) throw new AppError('CONTRACTOR_NOT_FOUND', { message: `contractor ${body.contractorId} not found` });
    if (contractor.status !== 'active') {
      throw new AppError('CONTRACTOR_INACTIVE', { message: `contractor is ${contractor.status}; only active contractors can hold a cluster` });
    }
    if (!(await repo.claimCluster(tx, { clusterId: body.clusterId, contractorId: body.contractorId, expiresAt, now }))) {
      const cur = await repo.findCluster(tx, body.clusterId);
      if (!cur) throw clusterNotFound(body.clusterId);
      if (cur.status !== 'active') throw new AppError('CONFLICT', { message: `cluster ${body.clusterId} is ${cur.status}` });
      throw new AppError('CLUSTER_TAKEN', {
        message: `cluster ${body.clusterId} is held exclusively by another contractor`,
        details: { clusterId: body.clusterId, heldUntil: cur.exclusivityExpiresAt?.toISOString() ?? null },
      });
    }
    await recordSystemEvent(tx, {
      eventType: 'clustering', eventName: 'cluster.assigned', service: SERVICE, entityType: 'lead_cluster', entityId: body.clusterId,
      data: { contractorId: body.contractorId, expiresAt: expiresAt.toISOString(), by: p.id },
    });
    return repo.findCluster(tx, body.clusterId);
  });
  return toCluster(row!, p, now);
}

// ---------------------------------------------------------------------------------------------------------
// Reads

const num = decimalToNumber;

function toCluster(c: repo.ClusterRow, viewer: Principal, now = new Date()): TCluster {
  const mayName = isStaff(viewer) || (!!viewer.contractorId && viewer.contractorId === c.exclusiveContractorId);
  return {
    id: c.id,
    name: c.clusterName,
    market: c.market,
    city: c.city,
    state: c.state,
    status: c.status as TCluster['status'],
    center: c.centerLat !== null && c.centerLng !== null ? { lat: c.centerLat, lng: c.centerLng } : null,
    radiusMiles: num(c.radiusMiles),
    leadCount: c.leadCount,
    avgQualityScore: num(c.avgQualityScore),
    totalValue: num(c.totalValue) ?? 0,
    leadsAvailable: c.leadsAvailable,
    leadsSold: c.leadsSold,
    exclusive: {
      held: isExclusivityLive(c, now),
      contractorId: mayName ? c.exclusiveContractorId : null,
      assignedAt: mayName ? (c.assignedAt?.toISOString() ?? null) : null,
      expiresAt: c.exclusivityExpiresAt?.toISOString() ?? null,
    },
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/**
 * Staff see every cluster (filters: city, state, market, status, minLeads). A contractor sees the active
 * clusters of its own market (its city and state) and any it holds, never another contractor's id.
 * Newest first, cursor-paginated.
 */
export async function listClusters(ctx: AppContext, principal: Principal | undefined, q: TListClustersQuery) {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  const staff = isStaff(p);
  if (!staff) {
    if (!p.contractorId) throw new AppError('FORBIDDEN', { message: 'principal is not bound to a contractor' });
    if (q.status && q.status !== 'active') throw new AppError('FORBIDDEN', { message: 'the status filter is for staff' });
  }
  const raw = decodeCursor(q.cursor, 2);
  let after: [string, string] | undefined;
  if (raw) {
    const [createdAt, id] = raw;
    const ok = typeof createdAt === 'string' && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)
      && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/.test(createdAt);
    if (!ok) {
      throw new AppError('VALIDATION_FAILED', { message: 'cursor is malformed; pass back nextCursor exactly as returned' });
    }
    after = [createdAt as string, id as string];
  }
  const rows = await repo.listClusters(ctx.db.prisma, {
    city: q.city, state: q.state, market: q.market, minLeads: q.minLeads,
    status: staff ? q.status : 'active',
    contractorId: staff ? undefined : p.contractorId!,
    after,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const byId = new Map((await repo.findClusters(ctx.db.prisma, page.map((r) => r.id))).map((c) => [c.id, c]));
  const now = new Date();
  const last = page.at(-1);
  return {
    items: page.flatMap((r) => {
      const c = byId.get(r.id);
      return c ? [toCluster(c, p, now)] : [];
    }),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.createdAtKey, last.id]) : null,
  };
}

/** One cluster with its statistics; staff also get the ids of its leads. 404 outside a contractor's view. */
export async function getCluster(ctx: AppContext, principal: Principal | undefined, id: string): Promise<TClusterDetail> {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  const db = ctx.db.prisma;
  const c = await repo.findCluster(db, id);
  if (!c) throw clusterNotFound(id);
  if (!isStaff(p)) {
    const own = !!p.contractorId && c.exclusiveContractorId === p.contractorId;
    // 404, not 403: a contractor must not learn which clusters exist outside its market.
    if (!p.contractorId || c.status !== 'active' || (!own && !(await repo.isInContractorMarket(db, id, p.contractorId)))) throw clusterNotFound(id);
    return { ...toCluster(c, p), leadIds: null };
  }
  return { ...toCluster(c, p), leadIds: await repo.findClusterLeadIds(db, id) };
}

/** The contractor holding a live exclusive cluster of this lead, if any (purchase rule of seed 002 §3.5.4). */
export const findLeadClusterHolder = (db: Db, leadId: string): Promise<string | null> => repo.findLeadClusterHolder(db, leadId);
