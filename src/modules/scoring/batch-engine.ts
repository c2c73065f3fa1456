import type pg from 'pg';
import type { AppContext } from '../../platform/context.ts';
import { canTransition, isLeadStatus, LEAD_STATUSES, type LeadStatus } from '../leads/leads.lifecycle.ts';
import { gradeForScore, MIN_SELLABLE_SCORE } from './grade.ts';
import { DEMAND_MIN_CONTRACTORS, priceLead } from './pricing.ts';
import { PROPERTY_QUALITY_VERSION } from './property-quality.scorer.ts';
import { TRADE_QUALITY_VERSION } from './trade-quality.scorer.ts';
import { ROOFING_TRADE } from '../triggers/triggers.rules.ts';
import { ASSESSMENT_RATIOS_VERSION } from '../../../prisma/seed/assessment-ratios.ts';
import { encodeExplanation, inputsHash, inputsOf, isUrgent, scoreInputs, type ScorerKind, type ScoringRow } from './score-inputs.ts';
import * as repo from './scoring.repository.ts';

/**
 * The batch engine (issue 3 §2): rescores all leads, or a filter, in keyset-ordered chunks by id.
 *
 * Per chunk: ONE query reads every scoring input (scoring.repository readScoringChunk), JS scores with the
 * pure scorers of each lead's trade — roof leads by the property-quality scorer's factor functions (score-inputs
 * factorPoints, proven equal to scorePropertyQuality), every other trade by the trade quality scorer's
 * (tradeFactorPoints, proven equal to scoreTradeQuality; issue 8 §2) — and priceLead, and ONE transaction writes
 * back: an upsert of every row
 * into the narrow score_explanations table, and one conditional UPDATE … FROM unnest of base_leads for only
 * the rows whose score, grade, price, inputs or status must change (plus their status events). Prisma cannot
 * bulk-update different values per row, so the hot path is raw SQL on the pg pool.
 *
 * Why it is shaped like this (DESIGN.md "Measured on these machines"): rewriting a row of the wide, heavily
 * indexed base_leads table costs ~3× a narrow HOT update, so a forced rescore of a million leads whose scores
 * mostly did not move writes the narrow table only. The next chunk is read on a second connection while the
 * previous one is written, so reading and writing overlap. Memory holds at most two chunks, whatever the
 * table size.
 *
 * Signal-based by default (seed 000 "only score properties with signals"): only leads never scored, whose
 * inputs changed since they were scored (base_leads.inputs_changed_at, maintained by triggers — migration
 * 20261122030000), or scored by an older version of this engine. `force: true` rescores every lead the filter
 * matches.
 */

/**
 * Bump when the input mapping below or the pricing rules change: stored scores then count as outdated. The
 * reference data the inputs are read with (state assessment ratios) is fingerprinted into it, so changing it
 * rescores every lead too.
 */
export const ENGINE_REVISION = `engine@2.${ASSESSMENT_RATIOS_VERSION}`;
/** The engine's scorers, in ScoredChunk.kinds order (0 = roof, 1 = every other trade). */
export const ENGINE_SCORERS = ['property-quality', 'trade-quality'] as const satisfies readonly ScorerKind[];
/**
 * Stored in score_explanations.scorer_version and base_leads.scorer_version, per scorer: a roof lead carries
 * `property-quality@1+engine@2.<ratios>`, a pool lead `trade-quality@1+engine@2.<ratios>`.
 */
export const ENGINE_VERSIONS = [`${PROPERTY_QUALITY_VERSION}+${ENGINE_REVISION}`, `${TRADE_QUALITY_VERSION}+${ENGINE_REVISION}`] as const;
/** The roof scorer's version (seed 002 §3.5.1). */
export const ENGINE_SCORER_VERSION = ENGINE_VERSIONS[0];
/** Every version this engine ever wrote starts with one of these; manual or imported scores do not. */
export const ENGINE_VERSION_PREFIXES = ENGINE_SCORERS.map((s) => `${s}@`);
/** The scorer index of a trade in ENGINE_SCORERS / ENGINE_VERSIONS: 0 roof, 1 every other trade. */
const scorerIndexOf = (trade: string): 0 | 1 => (trade === ROOFING_TRADE ? 0 : 1);
/** The version the engine writes for a lead of this trade. */
export const engineVersionFor = (trade: string): string => ENGINE_VERSIONS[scorerIndexOf(trade)];

/**
 * Statuses a rescore touches by default. Reserved, sold, delivered and converted leads keep the price they
 * were offered or bought at; expired and refunded ones are finished. Matches the partial index
 * base_leads_score_pending_idx, which is what makes a signal-based run cheap.
 */
export const DEFAULT_RESCORE_STATUSES = ['processing', 'scored', 'available', 'unqualified', 'needs_review'] as const satisfies readonly LeadStatus[];

export const DEFAULT_CHUNK_SIZE = 10_000;

/**
 * The status a rescore moves a lead to, or null. Below 60 a lead is unqualified (seed 002 §3.5.1 "<60 not
 * available"): processing, scored and available leads drop out (available → unqualified is the lifecycle's
 * "a rescore can pull one back"). At 60 or more, processing and unqualified leads become scored (publishing
 * them is a separate, deliberate step). needs_review waits for a human; every other status keeps its buyer
 * or is finished. Every move returned is legal in LEAD_TRANSITIONS.
 */
export function rescoreTarget(status: LeadStatus, score: number): LeadStatus | null {
  let to: LeadStatus | null = null;
  if (score < MIN_SELLABLE_SCORE && (status === 'processing' || status === 'scored' || status === 'available')) to = 'unqualified';
  if (score >= MIN_SELLABLE_SCORE && (status === 'processing' || status === 'unqualified')) to = 'scored';
  return to && canTransition(status, to) ? to : null;
}

// ---------------------------------------------------------------------------------------------------------
// Scoring one chunk (pure)

export interface ScoredChunk {
  ids: string[];
  /** Scorer per row: 0 roof (property-quality), 1 trade-quality — indexes ENGINE_SCORERS / ENGINE_VERSIONS. */
  kinds: number[];
  scores: number[];
  grades: (string | null)[];
  priceCents: (number | null)[];
  hashes: string[];
  /** One JSON array text: element i is row i's explanation. */
  explanations: string;
  /** base_leads writes: only rows whose score, grade, price, inputs or status must change. */
  lead: {
    ids: string[];
    kinds: number[];
    scores: number[];
    grades: (string | null)[];
    priceCents: (number | null)[];
    hashes: string[];
    inputsChangedAt: (string | null)[];
    fromStatus: string[];
    toStatus: (string | null)[];
  };
  changed: number;
  moves: number;
}

/**
 * priceLead of (score, urgent, exclusive, demand) — 808 possible inputs, so each chunk computes each price
 * once; the BigInt arithmetic would otherwise be a tenth of the per-row JS time.
 */
function pricer() {
  const memo = new Map<number, number | null>();
  return (score: number, urgent: boolean, exclusive: boolean, interested: number): number | null => {
    const demand = interested >= DEMAND_MIN_CONTRACTORS;
    const key = score * 8 + (urgent ? 4 : 0) + (exclusive ? 2 : 0) + (demand ? 1 : 0);
    let p = memo.get(key);
    if (p === undefined) {
      p = priceLead({ score, urgentTrigger: urgent, exclusiveTerritory: exclusive, interestedContractors24h: interested }).priceCents;
      memo.set(key, p);
    }
    return p;
  };
}

export function scoreChunk(rows: readonly ScoringRow[], year: number): ScoredChunk {
  const n = rows.length;
  const out: ScoredChunk = {
    ids: new Array(n), kinds: new Array(n), scores: new Array(n), grades: new Array(n), priceCents: new Array(n), hashes: new Array(n), explanations: '',
    lead: { ids: [], kinds: [], scores: [], grades: [], priceCents: [], hashes: [], inputsChangedAt: [], fromStatus: [], toStatus: [] },
    changed: 0, moves: 0,
  };
  const price = pricer();
  const points = [0, 0, 0, 0, 0, 0];
  // Each explanation is a tree of small strings until flattened; joining every few hundred keeps those trees
  // short-lived (young-generation garbage) instead of promoting a chunk's worth of them.
  const flat: string[] = [];
  let batch: string[] = [];
  for (let k = 0; k < n; k++) {
    const row = rows[k]!;
    const inputs = inputsOf(row, year);
    const kind = scorerIndexOf(inputs.trade);
    const score = scoreInputs(inputs, points);
    const grade = gradeForScore(score);
    const cents = price(score, isUrgent(inputs.triggers), inputs.exclusiveTerritory, inputs.interestedContractors24h);
    const h = inputsHash(inputs);
    out.ids[k] = row.id;
    out.kinds[k] = kind;
    out.scores[k] = score;
    out.grades[k] = grade;
    out.priceCents[k] = cents;
    out.hashes[k] = h;
    batch.push(encodeExplanation(inputs, points));
    if (batch.length === 256) {
      flat.push(batch.join(','));
      batch = [];
    }

    const changed = row.qualityScore !== score || row.grade !== grade || row.priceCents !== cents;
    const to = isLeadStatus(row.status) ? rescoreTarget(row.status, score) : null;
    if (changed) out.changed++;
    if (changed || to || row.pending || row.scoreInputsHash !== h) {
      const l = out.lead;
      l.ids.push(row.id);
      l.kinds.push(kind);
      l.scores.push(score);
      l.grades.push(grade);
      l.priceCents.push(cents);
      l.hashes.push(h);
      l.inputsChangedAt.push(row.inputsChangedAt);
      l.fromStatus.push(row.status);
      l.toStatus.push(to);
      if (to) out.moves++;
    }
  }
  if (batch.length) flat.push(batch.join(','));
  out.explanations = `[${flat.join(',')}]`;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The run

export interface RescoreFilter {
  /** Default DEFAULT_RESCORE_STATUSES. */
  statuses?: LeadStatus[];
  city?: string;
  state?: string;
  trade?: string;
  ids?: string[];
  /** Leads whose row was updated at or after this time (ISO 8601). */
  updatedSince?: string;
}

export interface RescoreOptions {
  filter?: RescoreFilter;
  /** Rescore every lead the filter matches, not only those with signals. */
  force?: boolean;
  chunkSize?: number;
  /** Stop after this many leads (the hourly lead-generation batch, benchmarks). */
  maxLeads?: number;
  /** Who asked: recorded in the status events (user id, job id). */
  by?: string;
  signal?: AbortSignal;
  /** Called after each chunk is written. */
  onChunk?(p: RescoreProgress): Promise<void> | void;
}

export interface RescoreCounts {
  /** Leads read. */
  scanned: number;
  /** score_explanations rows written (every lead read). */
  rescored: number;
  /** Score, grade or price differs from the stored one. */
  changed: number;
  unchanged: number;
  /** base_leads rows rewritten (changed, status move, new inputs or never scored). */
  leadWrites: number;
  statusMoves: number;
  /** base_leads writes skipped because the lead's inputs or status changed after it was read (next run takes it). */
  raced: number;
  chunks: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** Time spent reading and scoring chunks, and writing them (they overlap, so each can approach elapsedMs). */
  readMs: number;
  writeMs: number;
}

export interface RescoreProgress extends RescoreCounts {
  /** Rough share of the id space covered so far, 0–100 (ids are random UUIDs, so uniform). */
  pct: number;
}

export interface RescoreResult extends RescoreCounts {
  mode: 'signal' | 'force';
  /** Signal mode found leads scored by an older engine version and rescored those too. */
  outdatedVersion: boolean;
  /** The versions this run writes: roof, then every other trade. */
  scorerVersions: string[];
  /** Another run held the engine lock; nothing was done. */
  skipped?: boolean;
}

/** Where in the uuid space an id sits, as a percentage: gen_random_uuid() ids are uniform. */
const idPosition = (id: string) => (parseInt(id.slice(0, 8), 16) / 0x1_0000_0000) * 100;

export function normalizeFilter(f: RescoreFilter = {}): repo.ChunkFilter {
  const statuses = f.statuses?.length ? [...new Set(f.statuses)] : [...DEFAULT_RESCORE_STATUSES];
  for (const s of statuses) if (!(LEAD_STATUSES as readonly string[]).includes(s)) throw new Error(`unknown lead status ${s}`);
  return { statuses, city: f.city, state: f.state, trade: f.trade, ids: f.ids, updatedSince: f.updatedSince };
}

/**
 * Runs the engine. Holds a session advisory lock for the run, so two runs (a tick and a manual batch) never
 * rescore the same leads at once; the second returns `skipped` at once.
 */
export async function rescoreLeads(ctx: Pick<AppContext, 'db' | 'log'>, opts: RescoreOptions = {}): Promise<RescoreResult> {
  const t0 = performance.now();
  const filter = normalizeFilter(opts.filter);
  const chunkSize = Math.max(1, Math.min(50_000, opts.chunkSize ?? DEFAULT_CHUNK_SIZE));
  const force = opts.force === true;
  const counts: RescoreCounts = { scanned: 0, rescored: 0, changed: 0, unchanged: 0, leadWrites: 0, statusMoves: 0, raced: 0, chunks: 0, elapsedMs: 0, rowsPerSecond: 0, readMs: 0, writeMs: 0 };
  const finish = (extra: Partial<RescoreResult>): RescoreResult => {
    counts.elapsedMs = Math.round(performance.now() - t0);
    counts.rowsPerSecond = counts.elapsedMs > 0 ? Math.round((counts.scanned / counts.elapsedMs) * 1000) : 0;
    counts.readMs = Math.round(counts.readMs);
    counts.writeMs = Math.round(counts.writeMs);
    return { ...counts, mode: force ? 'force' : 'signal', outdatedVersion: false, scorerVersions: [...ENGINE_VERSIONS], ...extra };
  };

  // Two connections: the next chunk is read on one while the previous is written on the other.
  const reader = await ctx.db.pool.connect();
  let writer: pg.PoolClient | undefined;
  let failed = false;
  let locked = false;
  try {
    locked = await repo.tryLockEngine(reader);
    if (!locked) {
      ctx.log.info('another rescore holds the engine lock; skipping this run');
      return finish({ skipped: true });
    }
    writer = await ctx.db.pool.connect();
    await repo.prepareSession(reader);
    await repo.prepareSession(writer);

    const versions = { roof: ENGINE_VERSIONS[0], trade: ENGINE_VERSIONS[1], prefixes: ENGINE_VERSION_PREFIXES };
    // The demand premium's 24-hour window moves with the clock, not with an input: mark the leads it left.
    if (!force && !filter.ids) await repo.markDemandWindowEnds(reader, filter.statuses);
    const outdatedVersion = force ? false : await repo.hasOutdatedEngineScores(reader, { ...versions, statuses: filter.statuses });
    const mode: repo.ChunkMode = force ? 'all' : outdatedVersion ? 'pending-or-outdated' : 'pending';
    const read = (after: string | null, limit: number) => repo.readScoringChunk(reader, { after, limit, filter, mode, ...versions });

    const limitFor = () => (opts.maxLeads === undefined ? chunkSize : Math.min(chunkSize, opts.maxLeads - counts.scanned));
    // A chunk is read and scored as one step, so scoring chunk n+1 in JS also overlaps the write of chunk n.
    interface Prepared { rows: number; lastId: string; readAt: string; scored: ScoredChunk }
    const prepare = async (after: string | null, limit: number): Promise<Prepared> => {
      const t = performance.now();
      const ch = await read(after, limit);
      const scored = scoreChunk(ch.rows, new Date(ch.readAt).getUTCFullYear());
      counts.readMs += performance.now() - t;
      return { rows: ch.rows.length, lastId: ch.rows.at(-1)?.id ?? '', readAt: ch.readAt, scored };
    };
    const none: Prepared = { rows: 0, lastId: '', readAt: '', scored: scoreChunk([], 0) };
    let requested = limitFor();
    let chunk = requested > 0 ? await prepare(null, requested) : none;
    while (chunk.rows) {
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('rescore aborted');
      const { rows: n, lastId, scored } = chunk;
      counts.scanned += n;
      // A short chunk was the last one; otherwise read the next while this one is written.
      const nextLimit = n < requested ? 0 : limitFor();
      // allSettled: neither connection may go back to the pool while its query still runs.
      const tw = performance.now();
      const [w, r] = await Promise.allSettled([
        repo.writeScoringChunk(writer, { scorers: ENGINE_SCORERS, versions: ENGINE_VERSIONS, scoredAt: chunk.readAt, by: opts.by ?? null, scored })
          .finally(() => { counts.writeMs += performance.now() - tw; }),
        nextLimit > 0 ? prepare(lastId, nextLimit) : Promise.resolve(none),
      ]);
      if (w.status === 'rejected') throw w.reason;
      if (r.status === 'rejected') throw r.reason;
      const [written, next] = [w.value, r.value];
      requested = nextLimit;
      counts.rescored += written.explanations;
      counts.changed += scored.changed;
      counts.unchanged += n - scored.changed;
      counts.leadWrites += written.leads;
      counts.statusMoves += written.moves;
      counts.raced += scored.lead.ids.length - written.leads;
      counts.chunks++;
      if (opts.onChunk) {
        const elapsed = performance.now() - t0;
        await opts.onChunk({ ...counts, elapsedMs: Math.round(elapsed), rowsPerSecond: Math.round((counts.scanned / elapsed) * 1000), pct: idPosition(lastId) });
      }
      chunk = next;
    }
    return finish({ outdatedVersion });
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // After a failure the connections' state is unknown: the pool discards them (release(true)).
    if (!failed) {
      if (locked) await repo.unlockEngine(reader).catch(() => {});
      await repo.resetSession(reader).catch(() => {});
      if (writer) await repo.resetSession(writer).catch(() => {});
    }
    reader.release(failed);
    writer?.release(failed);
  }
}

/**
 * Scores one lead now, in the caller's request, with the same read, scorer and compare-and-set write as a batch
 * chunk — for a change that must show in the answer (the demand premium of the second viewer: the purchase then
 * charges the price the buyer saw). Takes no engine lock: a concurrent batch writes the same values, and the
 * compare-and-set keeps a lead whose inputs changed meanwhile pending for the next run. Returns the new price
 * (null when not for sale), or undefined when the lead is gone or raced.
 */
export async function rescoreLeadNow(ctx: Pick<AppContext, 'db'>, leadId: string, by: string): Promise<number | null | undefined> {
  const c = await ctx.db.pool.connect();
  try {
    const chunk = await repo.readScoringChunk(c, {
      after: null, limit: 1, filter: normalizeFilter({ ids: [leadId] }), mode: 'all',
      roof: ENGINE_VERSIONS[0], trade: ENGINE_VERSIONS[1], prefixes: ENGINE_VERSION_PREFIXES,
    });
    if (!chunk.rows.length) return undefined;
    const scored = scoreChunk(chunk.rows, new Date(chunk.readAt).getUTCFullYear());
    const w = await repo.writeScoringChunk(c, { scorers: ENGINE_SCORERS, versions: ENGINE_VERSIONS, scoredAt: chunk.readAt, by, scored });
    if (scored.lead.ids.length && !w.leads) return undefined;
    const cents = scored.priceCents[0] ?? null;
    return cents === null ? null : cents / 100;
  } finally {
    c.release();
  }
}
