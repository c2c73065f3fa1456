import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import * as repo from './triggers.repository.ts';
import { TRIGGER_TYPES } from './triggers.rules.ts';

/**
 * Trigger detection (seed 002 §3.5.3, §3.1.5; issue 4 §5): neighbor roofing permits, storms, roof age, sale
 * and insurance claims for every lead (or a city / a list of leads), as lead_triggers rows the scoring engine
 * reads, plus the neighbor counts stored on properties. Runs as of `asOf` (default now), so a backfill or a
 * test gets the same answer every time; a re-run over unchanged data writes nothing.
 */

export type DetectPhase = 'leads' | 'neighbors' | 'weather' | 'rows' | 'upsert' | 'expire' | 'done';

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
  signal?: AbortSignal;
}

export interface DetectResult {
  asOf: string;
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
  phasesMs: Record<'leads' | 'neighbors' | 'weather' | 'rows' | 'upsert' | 'expire', number>;
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
  const started = performance.now();
  const phasesMs = { leads: 0, neighbors: 0, weather: 0, rows: 0, upsert: 0, expire: 0 };
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
  let broken = false;
  try {
    await repo.lockDetection(c);
    mark = performance.now();
    await repo.prepareSession(c);
    await repo.dropTempTables(c);

    const leads = await repo.snapshotLeads(c, asOf, scope);
    lap('leads');
    await report({ phase: 'leads', pct: 5, leads });
    checkAborted(opts.signal);

    const properties = await repo.countNeighborPermits(c, asOf, scope);
    const propertiesUpdated = await repo.storeNeighborCounts(c, asOf, scope);
    lap('neighbors');
    await report({ phase: 'neighbors', pct: 25, properties, propertiesUpdated });
    checkAborted(opts.signal);

    const storms = await repo.snapshotStorms(c, asOf);
    const stormHits = await repo.matchStorms(c, asOf, scope);
    lap('weather');
    await report({ phase: 'weather', pct: 45, storms, stormHits });
    checkAborted(opts.signal);

    await repo.buildSpatialRows(c);
    await repo.buildPropertyRows(c, asOf);
    const summary = await repo.summarizeRows(c);
    lap('rows');
    await report({ phase: 'rows', pct: 55, leadsWithTriggers: summary.leads, byType: summary.byType });

    let inserted = 0;
    let updated = 0;
    for (let i = 0; i < SLICES; i++) {
      checkAborted(opts.signal);
      const r = await repo.applyRows(c, asOf, sliceBound(i)!, sliceBound(i + 1));
      inserted += r.inserted;
      updated += r.updated;
      await report({ phase: 'upsert', pct: 55 + Math.round((35 * (i + 1)) / SLICES), inserted, updated });
    }
    lap('upsert');

    const withdrawn = await repo.withdrawRoofAge(c, asOf);
    const exp = await repo.expireDue(c, asOf, scope.leadIds?.length ? scope.leadIds : undefined);
    lap('expire');
    await repo.dropTempTables(c);

    const byType: Record<string, number> = {};
    for (const t of TRIGGER_TYPES) byType[t] = summary.byType[t] ?? 0;
    const result: DetectResult = {
      asOf: asOf.toISOString(),
      leads, properties, propertiesUpdated, storms,
      leadsWithTriggers: summary.leads, byType, inserted, updated, withdrawn,
      expired: exp.expired,
      durationMs: Math.round(performance.now() - started),
      phasesMs: Object.fromEntries(Object.entries(phasesMs).map(([k, v]) => [k, Math.round(v)])) as DetectResult['phasesMs'],
    };
    await report({ phase: 'done', pct: 100, ...result });
    ctx.log.info({ ...result }, 'triggers detected');
    return result;
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    // A failed statement leaves temp tables and the session lock behind: the connection is discarded, which
    // drops both; a clean run unlocks and returns it.
    if (broken) c.release(true);
    else {
      await repo.unlockDetection(c).catch(() => {});
      await c.query('RESET ALL').catch(() => {});
      c.release();
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
