import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import type { PoolClient } from 'pg';
import * as repo from './triggers.repository.ts';
import { DETECTION_RULES_VERSION, INCREMENTAL_MAX_DAYS, INCREMENTAL_MAX_SHARE, TRIGGER_TYPES } from './triggers.rules.ts';

/**
 * Trigger detection (seed 002 §3.5.3, §3.1.5; issue 4 §5): neighbor roofing permits, storms, roof age, sale
 * and insurance claims for every lead (or a city / a list of leads), as lead_triggers rows the scoring engine
 * reads, plus the neighbor counts stored on properties. Runs as of `asOf` (default now), so a backfill or a
 * test gets the same answer every time; a re-run over unchanged data writes nothing.
 *
 * A whole run (issue 8 §7) builds on the previous whole run when it can: it re-derives only the properties and
 * leads whose inputs changed since (rows written since its start, dates that crossed a window edge — see
 * triggers.repository markChangedSubjects) and writes exactly what a full run would. Each whole run is recorded
 * in trigger_runs; `full: true`, a gap over a week, a new year, new rules, or a changed share over a fifth of the
 * leads makes it full.
 */

export type DetectPhase = 'changed' | 'leads' | 'neighbors' | 'weather' | 'rows' | 'upsert' | 'expire' | 'done';

export interface DetectProgress {
  phase: DetectPhase;
  /** 0–100 over the whole run. */
  pct: number;
  [k: string]: unknown;
}

export interface DetectOptions {
  asOf?: Date;
  cityIds?: string[];
  leadIds?: string[];
  /**
   * A whole run (no cityIds or leadIds) re-derives only what changed since the previous whole run when it can
   * (see incrementalBlocker); `full` makes it re-derive everything.
   */
  full?: boolean;
  /** Above this share of changed leads an incremental run runs full instead (default INCREMENTAL_MAX_SHARE, 0.2). */
  maxChangedShare?: number;
  signal?: AbortSignal;
}

/**
 * How a run chose its subjects: 'scoped' (cityIds / leadIds), 'full' (every lead and property) or 'incremental'
 * (a whole run over only the subjects whose inputs changed since the previous whole run).
 */
export type DetectMode = 'scoped' | 'full' | 'incremental';

export interface DetectResult {
  asOf: string;
  mode: DetectMode;
  /** Why a whole run was full (null when incremental or scoped). */
  fullBecause: string | null;
  /** An incremental run's changed subjects (null otherwise). */
  changed: { properties: number; leads: number } | null;
  /** Leads in scope. */
  leads: number;
  /** Subjects (properties, or leads without one) with at least one roofing permit within 0.25 mi in 90 days. */
  properties: number;
  /** properties rows whose neighbor_permits_30d/60d/90d changed. */
  propertiesUpdated: number;
  storms: number;
  leadsWithTriggers: number;
  /** Rows detected this run, by trigger type (every type present, 0 when none). */
  byType: Record<string, number>;
  inserted: number;
  updated: number;
  /** Roof-age triggers withdrawn (the roof no longer counts as over 20 years). */
  withdrawn: number;
  expired: number;
  durationMs: number;
  /** Where the time went. */
  /** spatial: storms on one connection beside neighbor permits and roof age / sale / insurance on the other. */
  phasesMs: Record<'changed' | 'leads' | 'spatial' | 'rows' | 'upsert' | 'expire', number>;
}

/**
 * Why a whole run at `asOf` cannot build on the previous whole run `prev` (null: it can). The changed-subject
 * search (triggers.repository markChangedSubjects) follows data changes and window edges between the two
 * instants; anything else that moves every subject at once makes the run whole.
 */
export function incrementalBlocker(prev: repo.WholeRun | null, asOf: Date, currentXid: bigint): string | null {
  if (!prev) return 'no previous whole run';
  if (prev.rulesVersion !== DETECTION_RULES_VERSION) return `the detection rules changed (${prev.rulesVersion} → ${DETECTION_RULES_VERSION})`;
  if (asOf.getTime() < prev.asOf.getTime()) return 'asOf is before the previous run\'s';
  if (asOf.getTime() - prev.asOf.getTime() > INCREMENTAL_MAX_DAYS * 86_400_000) return `more than ${INCREMENTAL_MAX_DAYS} days since the previous run`;
  if (asOf.getUTCFullYear() !== prev.asOf.getUTCFullYear()) return 'a new year: every roof age moves';
  if (currentXid >> 32n !== prev.startXid >> 32n) return 'the transaction id epoch changed';
  return null;
}

/** Writes go in 16 slices of the lead id space (uuids are uniform), so progress moves and each statement stays short. */
const SLICES = 16;
const sliceBound = (i: number): string | null => (i >= SLICES ? null : `${i.toString(16)}0000000-0000-0000-0000-000000000000`);

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AppError('CONFLICT', { message: 'trigger detection was cancelled' });
}

function validate(o: DetectOptions): Date {
  const asOf = o.asOf ?? new Date();
  if (!(asOf instanceof Date) || Number.isNaN(asOf.getTime())) {
    throw new AppError('VALIDATION_FAILED', { message: 'asOf is not a valid date', details: { errors: [{ path: 'asOf', message: 'invalid date' }] } });
  }
  return asOf;
}

/**
 * Detects and stores triggers. Phases (each reported through onProgress): snapshot the leads in scope;
 * count neighbor permits and store them on properties; match storms; build the wanted rows (plus roof age,
 * sale, insurance); write new or changed rows in 16 slices; withdraw stale roof-age rows and expire due ones.
 */
export async function detectTriggers(
  ctx: Pick<AppContext, 'db' | 'log'>,
  opts: DetectOptions = {},
  onProgress?: (p: DetectProgress) => unknown,
): Promise<DetectResult> {
  const asOf = validate(opts);
  const scope: repo.Scope = { cityIds: opts.cityIds ?? [], leadIds: opts.leadIds ?? [] };
  const whole = !scope.cityIds!.length && !scope.leadIds!.length;
  const started = performance.now();
  const startedAt = new Date();
  const phasesMs = { changed: 0, leads: 0, spatial: 0, rows: 0, upsert: 0, expire: 0 };
  let mark = performance.now();
  const lap = (k: keyof typeof phasesMs) => {
    const now = performance.now();
    phasesMs[k] += now - mark;
    mark = now;
  };
  const report = async (p: DetectProgress) => {
    await onProgress?.(p);
  };

  const c = await ctx.db.pool.connect();
  let c2: PoolClient | undefined;
  let broken = false;
  try {
    await repo.lockDetection(c);
    mark = performance.now();
    // Read before anything else: whatever commits from here on is seen by the next run as changed.
    const startXid = await repo.currentStartXid(c);
    // The run's own write transactions, recorded with it: the next run does not take them for changes.
    const ownXids: string[] = [];
    await repo.createWorkSchema(c);
    await repo.prepareSession(c);
    await repo.dropWorkTables(c);

    let mode: DetectMode = whole ? 'full' : 'scoped';
    let fullBecause: string | null = null;
    let changed: DetectResult['changed'] = null;
    if (whole) {
      const prev = await repo.lastWholeRun(c);
      fullBecause = opts.full ? 'asked for a full run' : incrementalBlocker(prev, asOf, startXid);
      if (!fullBecause && prev) {
        const n = await repo.markChangedSubjects(c, prev, asOf);
        const total = await repo.estimateLeadRows(c);
        const share = opts.maxChangedShare ?? INCREMENTAL_MAX_SHARE;
        if (n.leads > share * total) {
          fullBecause = `${n.leads} of ~${Math.round(total)} leads changed (over ${Math.round(share * 100)} %)`;
          await repo.dropWorkTables(c);
        } else {
          mode = 'incremental';
          changed = n;
          scope.changed = true;
        }
      }
    }
    lap('changed');
    await report({ phase: 'changed', pct: 3, mode, fullBecause, changed });
    checkAborted(opts.signal);
    // The second connection of the run: the spatial phases and the writes split between the two (2 cores).
    c2 = await ctx.db.pool.connect();
    await repo.prepareSession(c2);
    const other: PoolClient = c2;

    const leads = await repo.snapshotLeads(c, asOf, scope);
    await repo.createRowsTable(c);
    lap('leads');
    await report({ phase: 'leads', pct: 5, leads });
    checkAborted(opts.signal);

    // Storms on one connection; neighbor permits, their rows and the property triggers on the other.
    const weatherSide = (async () => {
      const storms = await repo.snapshotStorms(c, asOf);
      const stormHits = await repo.matchStorms(c, asOf, scope);
      checkAborted(opts.signal);
      await repo.buildWeatherRows(c);
      return { storms, stormHits };
    })();
    const propertySide = (async () => {
      const properties = await repo.countNeighborPermits(other, asOf, scope);
      const propertiesUpdated = await repo.ownWrite(other, () => repo.storeNeighborCounts(other, asOf, scope), ownXids);
      await repo.countTradeNeighborPermits(other, asOf);
      checkAborted(opts.signal);
      await repo.buildNeighborRows(other);
      await repo.ownWrite(other, () => repo.buildPropertyRows(other, asOf), ownXids);
      return { properties, propertiesUpdated };
    })();
    const [w, pr] = await Promise.all([weatherSide, propertySide]);
    const { storms } = w;
    const { properties, propertiesUpdated } = pr;
    lap('spatial');
    await report({ phase: 'neighbors', pct: 25, properties, propertiesUpdated });
    await report({ phase: 'weather', pct: 45, storms, stormHits: w.stormHits });
    await repo.indexRows(c);
    const summary = await repo.summarizeRows(c);
    lap('rows');
    await report({ phase: 'rows', pct: 55, leadsWithTriggers: summary.leads, byType: summary.byType });

    // Slices of the lead id space, alternately on the two connections (disjoint leads: no lock between them).
    let inserted = 0;
    let updated = 0;
    let done = 0;
    const writer = async (conn: PoolClient, first: number) => {
      for (let i = first; i < SLICES; i += 2) {
        checkAborted(opts.signal);
        const r = await repo.ownWrite(conn, () => repo.applyRows(conn, asOf, sliceBound(i)!, sliceBound(i + 1)), ownXids);
        inserted += r.inserted;
        updated += r.updated;
        done++;
        await report({ phase: 'upsert', pct: 55 + Math.round((35 * done) / SLICES), inserted, updated });
      }
    };
    await Promise.all([writer(c, 0), writer(other, 1)]);
    lap('upsert');

    // Roof-age rows and rows past their expiry are disjoint (roof age never expires by date).
    const [withdrawn, exp] = await Promise.all([
      repo.ownWrite(c, () => repo.withdrawRoofAge(c, asOf), ownXids),
      repo.ownWrite(other, () => repo.expireDue(other, asOf, scope.leadIds?.length ? scope.leadIds : undefined), ownXids),
    ]);
    lap('expire');
    await repo.dropWorkTables(c);

    const byType: Record<string, number> = {};
    for (const t of TRIGGER_TYPES) byType[t] = summary.byType[t] ?? 0;
    const result: DetectResult = {
      asOf: asOf.toISOString(),
      mode, fullBecause, changed,
      leads, properties, propertiesUpdated, storms,
      leadsWithTriggers: summary.leads, byType, inserted, updated, withdrawn,
      expired: exp.expired,
      durationMs: Math.round(performance.now() - started),
      phasesMs: Object.fromEntries(Object.entries(phasesMs).map(([k, v]) => [k, Math.round(v)])) as DetectResult['phasesMs'],
    };
    if (whole) {
      await repo.recordWholeRun(c, {
        asOf, mode: mode as 'full' | 'incremental', rulesVersion: DETECTION_RULES_VERSION, startXid, ownXids, startedAt,
        result: { leads, changed, inserted, updated, withdrawn, expired: exp.expired, durationMs: result.durationMs, fullBecause },
      });
    }
    await report({ phase: 'done', pct: 100, ...result });
    ctx.log.info({ ...result }, 'triggers detected');
    return result;
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    // A failed statement may leave a connection mid-transaction: both are discarded (which also releases the
    // session lock); the work tables stay until the next run drops them. A clean run unlocks and returns both.
    if (broken) {
      c.release(true);
      c2?.release(true);
    } else {
      await repo.unlockDetection(c).catch(() => {});
      for (const conn of [c, c2]) {
        if (!conn) continue;
        await conn.query('RESET ALL').catch(() => {});
        conn.release();
      }
    }
  }
}

/** Expiry alone (seed 002 §3.5.3 "Trigger Expiration"): active triggers whose expires_at has passed at asOf. */
export async function expireTriggers(ctx: Pick<AppContext, 'db' | 'log'>, asOf: Date = new Date()): Promise<{ expired: number; byType: Record<string, number> }> {
  validate({ asOf });
  const c = await ctx.db.pool.connect();
  try {
    const r = await repo.expireDue(c, asOf);
    if (r.expired) ctx.log.info({ ...r, asOf: asOf.toISOString() }, 'triggers expired');
    return r;
  } finally {
    c.release();
  }
}
