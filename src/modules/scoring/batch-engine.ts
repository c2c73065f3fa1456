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
 * (tradeFactorPoints, proven equal to scoreTradeQuality; issue 8 §2) — and priceLead, and ONE statement writes
 * back the leads whose score, grade, price, inputs hash or status must change, or that were pending: base_leads,
 * their score_explanations row, their lead_rank row when score or status moved, and their status events. A lead
 * scored exactly as stored is not written at all. Prisma cannot bulk-update different values per row, so the hot
 * path is raw SQL on the pg pool.
 *
 * Why it is shaped like this (issue 8 §7): a rescore that changes every score — a scorer version bump, new
 * reference data — writes a million rows. None of base_leads' indexes reads a column the engine writes (the
 * listing's order lives in the narrow lead_rank, pending is a generated column, versions are probed on
 * score_explanations — migration 20261204000000), so base_leads' writes are HOT updates that touch no index.
 * Reading, scoring and writing overlap: the next chunk is read (by one reader, or two for a pass over a big table)
 * while this one is scored in JS and the previous one is written on its own connection. Memory holds at most five
 * chunks (two reads in flight, one scored, one written), whatever the table size.
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

/**
 * What a chunk must write: only the leads whose score, grade, price, inputs hash or status must change, or that
 * were pending (never scored, inputs changed, an older engine version). A lead scored exactly as stored is not
 * written at all — not base_leads, not its explanation (the same inputs and version give the same factors).
 */
export interface ScoredChunk {
  ids: string[];
  /** Scorer per row: 0 roof (property-quality), 1 trade-quality — indexes ENGINE_SCORERS / ENGINE_VERSIONS. */
  kinds: number[];
  scores: number[];
  grades: (string | null)[];
  priceCents: (number | null)[];
  hashes: string[];
  inputsChangedAt: (string | null)[];
  fromStatus: string[];
  toStatus: (string | null)[];
  /** One JSON array text: element i is row i's explanation. */
  explanations: string;
  /** Rows scored (the chunk's length). */
  scored: number;
  /** Rows whose score, grade or price differs from the stored one. */
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
  const out: ScoredChunk = {
    ids: [], kinds: [], scores: [], grades: [], priceCents: [], hashes: [], inputsChangedAt: [], fromStatus: [], toStatus: [],
    explanations: '', scored: rows.length, changed: 0, moves: 0,
  };
  const price = pricer();
  const points = [0, 0, 0, 0, 0, 0];
  // Each explanation is a tree of small strings until flattened; joining every few hundred keeps those trees
  // short-lived (young-generation garbage) instead of promoting a chunk's worth of them.
  const flat: string[] = [];
  let batch: string[] = [];
  for (const row of rows) {
    const inputs = inputsOf(row, year);
    const score = scoreInputs(inputs, points);
    const grade = gradeForScore(score);
    const cents = price(score, isUrgent(inputs.triggers), inputs.exclusiveTerritory, inputs.interestedContractors24h);
    const h = inputsHash(inputs);
    const changed = row.qualityScore !== score || row.grade !== grade || row.priceCents !== cents;
    const to = isLeadStatus(row.status) ? rescoreTarget(row.status, score) : null;
    if (changed) out.changed++;
    if (!changed && !to && !row.pending && row.scoreInputsHash === h) continue;
    out.ids.push(row.id);
    out.kinds.push(scorerIndexOf(inputs.trade));
    out.scores.push(score);
    out.grades.push(grade);
    out.priceCents.push(cents);
    out.hashes.push(h);
    out.inputsChangedAt.push(row.inputsChangedAt);
    out.fromStatus.push(row.status);
    out.toStatus.push(to);
    if (to) out.moves++;
    batch.push(encodeExplanation(inputs, points));
    if (batch.length === 256) {
      flat.push(batch.join(','));
      batch = [];
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
  /**
   * Reading connections, 1 or 2 (each reads its half of the id space). Default: 2 for a run over every lead
   * (forced, or after a version bump) of a table of at least four chunks, else 1. maxLeads and ids read with 1.
   */
  readers?: 1 | 2;
  signal?: AbortSignal;
  /** Called after each chunk is written. */
  onChunk?(p: RescoreProgress): Promise<void> | void;
}

export interface RescoreCounts {
  /** Leads read. */
  scanned: number;
  /** Leads scored (every lead read); only `leadWrites` of them differed from what was stored and were written. */
  rescored: number;
  /** Score, grade or price differs from the stored one. */
  changed: number;
  unchanged: number;
  /** Leads written — base_leads and score_explanations (changed, status move, new inputs, pending or outdated). */
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

/** Where in the uuid space an id sits, as a fraction: gen_random_uuid() ids are uniform. */
const idPosition = (id: string) => parseInt(id.slice(0, 8), 16) / 0x1_0000_0000;

/** Rough share of the id space the streams have covered, 0–100: each stream's half (or the whole space) from its start. */
function progressOf(streams: readonly { after: string | null }[]): number {
  if (streams.length === 1) return streams[0]!.after ? idPosition(streams[0]!.after) * 100 : 0;
  const [a, b] = streams;
  const first = a!.after ? Math.min(0.5, idPosition(a!.after)) : 0;
  const second = b!.after ? Math.max(0, idPosition(b!.after) - 0.5) : 0;
  return (first + second) * 100;
}

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

  // Connections: one or two readers (each reads its half of the id space) and a writer.
  const reader = await ctx.db.pool.connect();
  let reader2: pg.PoolClient | undefined;
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

    // A run over every lead (forced, or after a version bump) of a big table reads with two connections, each its
    // half of the id space, so PostgreSQL reads on both cores while JS scores and the writer writes (measured on 1M
    // leads, nothing changed: 76k leads/s instead of 51k); a run with a lead budget (maxLeads) or an id list reads in
    // one stream, so it takes the first leads in id order.
    interface Stream { client: pg.PoolClient; after: string | null; before?: string }
    const streams: Stream[] = [{ client: reader, after: null }];
    const wholeTable = mode !== 'pending' && opts.maxLeads === undefined && !filter.ids;
    const readers = !wholeTable ? 1 : opts.readers ?? ((await repo.estimateLeadRows(reader)) >= 4 * chunkSize ? 2 : 1);
    if (readers === 2) {
      reader2 = await ctx.db.pool.connect();
      await repo.prepareSession(reader2);
      streams[0]!.before = '80000000-0000-0000-0000-000000000000';
      streams.push({ client: reader2, after: '7fffffff-ffff-ffff-ffff-ffffffffffff' });
    }

    const limitFor = (planned: number) => (opts.maxLeads === undefined ? chunkSize : Math.min(chunkSize, opts.maxLeads - planned));
    interface Read { rows: ScoringRow[]; readAt: string; limit: number }
    const readNext = async (st: Stream, limit: number): Promise<Read> => {
      if (limit <= 0) return { rows: [], readAt: '', limit };
      const t = performance.now();
      const ch = await repo.readScoringChunk(st.client, { after: st.after, before: st.before, limit, filter, mode, ...versions });
      counts.readMs += performance.now() - t;
      st.after = ch.rows.at(-1)?.id ?? st.after;
      return { ...ch, limit };
    };
    const writeChunk = async (scored: ScoredChunk, ch: Read): Promise<void> => {
      const t = performance.now();
      const written = await repo.writeScoringChunk(writer!, { scorers: ENGINE_SCORERS, versions: ENGINE_VERSIONS, scoredAt: ch.readAt, by: opts.by ?? null, scored });
      counts.writeMs += performance.now() - t;
      counts.scanned += ch.rows.length;
      counts.rescored += scored.scored;
      counts.changed += scored.changed;
      counts.unchanged += ch.rows.length - scored.changed;
      counts.leadWrites += written.leads;
      counts.statusMoves += written.moves;
      counts.raced += scored.ids.length - written.leads;
      counts.chunks++;
      if (opts.onChunk) {
        const elapsed = performance.now() - t0;
        await opts.onChunk({ ...counts, elapsedMs: Math.round(elapsed), rowsPerSecond: Math.round((counts.scanned / elapsed) * 1000), pct: progressOf(streams) });
      }
    };
    // A promise that may reject while the loop awaits another one: marked handled here, awaited (and rethrown) below.
    const handled = <T>(p: Promise<T>): Promise<T> => {
      p.catch(() => {});
      return p;
    };

    // The stages overlap: the next chunk of each stream is read while this one is scored in JS and the previous one
    // is written.
    let planned = 0;
    const reading: (Promise<Read> | null)[] = streams.map((st) => handled(readNext(st, limitFor(0))));
    let writing: Promise<void> = Promise.resolve();
    try {
      for (let i = 0; reading.some((r) => r !== null); i = (i + 1) % streams.length) {
        const pending = reading[i];
        if (!pending) continue;
        const ch = await pending;
        if (!ch.rows.length) {
          reading[i] = null;
          continue;
        }
        if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('rescore aborted');
        planned += ch.rows.length;
        // A short chunk was the stream's last.
        reading[i] = ch.rows.length < ch.limit ? null : handled(readNext(streams[i]!, limitFor(planned)));
        const t = performance.now();
        const scored = scoreChunk(ch.rows, new Date(ch.readAt).getUTCFullYear());
        counts.readMs += performance.now() - t;
        await writing;
        writing = handled(writeChunk(scored, ch));
      }
      await writing;
    } finally {
      // No connection may go back to the pool while its query still runs.
      await Promise.allSettled([...reading.filter(Boolean), writing]);
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
      if (reader2) await repo.resetSession(reader2).catch(() => {});
      if (writer) await repo.resetSession(writer).catch(() => {});
    }
    reader.release(failed);
    reader2?.release(failed);
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
    if (scored.ids.length && !w.leads) return undefined;
    // Nothing to write: the stored price is the price.
    const cents = scored.ids.length ? scored.priceCents[0] ?? null : chunk.rows[0]!.priceCents;
    return cents === null ? null : cents / 100;
  } finally {
    c.release();
  }
}
