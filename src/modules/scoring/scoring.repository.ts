import type pg from 'pg';
import type { Db } from '../../platform/db.ts';
import type { LeadStatus } from '../leads/leads.lifecycle.ts';
import type { ScoredChunk } from './batch-engine.ts';
import { COMPLETENESS_FIELDS, ROOFING_FLAG, type ScoringRow } from './score-inputs.ts';
import { DEMAND_WINDOW_HOURS } from './pricing.ts';

/*
 * The batch engine's SQL runs on pg pool clients, not Prisma: Prisma cannot read a keyset chunk joined to
 * three range-aggregated side tables, nor bulk-update different values per row (UPDATE … FROM unnest), nor
 * upsert from arrays. Everything else here is Prisma.
 */

type Client = pg.PoolClient;

/** Any constant; shared by every process running the engine. */
const ENGINE_LOCK_KEY = 7_220_0301;

export async function tryLockEngine(c: Client): Promise<boolean> {
  const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [ENGINE_LOCK_KEY]);
  return r.rows[0]!.ok;
}

export async function unlockEngine(c: Client): Promise<void> {
  await c.query('SELECT pg_advisory_unlock($1)', [ENGINE_LOCK_KEY]);
}

/**
 * The chunk queries' cost estimates are high (the side-table ranges are unknown at plan time), which trips
 * PostgreSQL's JIT: ~50 ms of compilation for a ~60 ms query. They gain nothing from it.
 */
export async function prepareSession(c: Client): Promise<void> {
  await c.query('SET jit = off');
}

export async function resetSession(c: Client): Promise<void> {
  await c.query('RESET jit');
}

export interface ChunkFilter {
  statuses: LeadStatus[];
  city?: string;
  state?: string;
  trade?: string;
  ids?: string[];
  updatedSince?: string;
}

/**
 * Which leads a chunk reads. 'pending': never scored or inputs changed since (walks the partial index
 * base_leads_score_pending_idx); 'pending-or-outdated': also scored by an older engine version; 'all': forced.
 */
export type ChunkMode = 'all' | 'pending' | 'pending-or-outdated';

/** The generated column (scored_at IS NULL OR inputs_changed_at > scored_at) the partial index is built on. */
const PENDING = 'b.score_pending';

/** seed 002 §3.5.1 factor 6: COMPLETENESS_FIELDS as one bit mask, bit i set when field i is missing. */
export const MISSING_MASK_SQL = COMPLETENESS_FIELDS.map((f, i) => `((${f.missingWhen})::int << ${i})`).join(' | ');

/** Statuses are checked against the enum before they get here; literals let the planner match the partial index. */
const statusList = (c: Client, statuses: readonly string[]) => statuses.map((s) => c.escapeLiteral(s)).join(', ');

/** The engine's versions: roof leads carry `roof`, every other trade `trade`; `prefixes` match any version it wrote. */
export interface EngineVersions {
  roof: string;
  trade: string;
  prefixes: readonly string[];
}

/** Whether `column` holds a version this engine wrote (any of its prefixes): also the predicate of the partial index. */
const engineWritten = (c: Client, v: EngineVersions, column = 'b.scorer_version') =>
  `(${v.prefixes.map((p) => `${column} LIKE ${c.escapeLiteral(`${p}%`)}`).join(' OR ')})`;
/** The version the engine writes for the lead's trade. */
const versionForTrade = (c: Client, v: EngineVersions) => `(CASE WHEN b.trade = 'roof' THEN ${c.escapeLiteral(v.roof)} ELSE ${c.escapeLiteral(v.trade)} END)`;

/** The planner's estimate of base_leads' row count (pg_class.reltuples; -1 before the first ANALYZE counts as 0). */
export async function estimateLeadRows(c: Client): Promise<number> {
  const r = await c.query<{ n: number }>(`SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = 'base_leads'::regclass`);
  return r.rows[0]?.n ?? 0;
}

/** A prefix's exclusive upper bound in byte order: "trade-quality@" → "trade-qualityA". */
const prefixEnd = (p: string) => p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1);

/**
 * Whether any lead in the filter's statuses carries a score from an older version of this engine. Read on
 * score_explanations, which the engine writes with the same version as base_leads.scorer_version, through the
 * partial index score_explanations_engine_version_idx (COLLATE "C"): per scorer, the versions below and above
 * the current one are two index ranges, empty when everything is current — O(log n), however many leads.
 */
export async function hasOutdatedEngineScores(c: Client, o: EngineVersions & { statuses: readonly string[] }): Promise<boolean> {
  const v = (x: string) => `se.scorer_version COLLATE "C" ${x}`;
  const ranges = [o.roof, o.trade].map((current) => {
    const prefix = current.slice(0, current.indexOf('@') + 1);
    const [p, cur, end] = [prefix, current, prefixEnd(prefix)].map((x) => c.escapeLiteral(x));
    return `(${v(`>= ${p}`)} AND ${v(`< ${cur}`)}) OR (${v(`> ${cur}`)} AND ${v(`< ${end}`)})`;
  });
  const r = await c.query<{ outdated: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM score_explanations se JOIN base_leads b ON b.id = se.lead_id
        WHERE ${engineWritten(c, o, 'se.scorer_version')} AND (${ranges.join(' OR ')})
          AND b.deleted_at IS NULL AND b.status IN (${statusList(c, o.statuses)})) AS outdated`,
  );
  return r.rows[0]!.outdated;
}

/**
 * One chunk of scoring inputs, in ONE statement: the next `limit` leads after `after` (and before `before`) in id
 * order (keyset on the primary key), then their roofing row, latest roof analysis and active triggers. The side tables are
 * read by range on base_lead_id between the chunk's first and last id — consecutive chunks cover disjoint
 * ranges, so a whole run reads each side table once — and hash-joined, instead of one index probe per lead.
 * Exclusive territories are a few hundred rows: hashed once per chunk. The demand premium's viewers are the
 * distinct contractors in lead_views in the last 24 hours, read by the same id range.
 */
export async function readScoringChunk(
  c: Client,
  o: { after: string | null; before?: string; limit: number; filter: ChunkFilter; mode: ChunkMode } & EngineVersions,
): Promise<{ rows: ScoringRow[]; readAt: string }> {
  const params: unknown[] = [o.after ?? '00000000-0000-0000-0000-000000000000', o.limit];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = [`b.id > $1`, `b.deleted_at IS NULL`, `b.status IN (${statusList(c, o.filter.statuses)})`];
  // An upper bound splits the id space between readers (ids are uniform random uuids).
  if (o.before) where.push(`b.id < ${p(o.before)}::uuid`);
  const f = o.filter;
  if (f.city) where.push(`lower(b.city) = lower(${p(f.city)})`);
  if (f.state) where.push(`b.state = ${p(f.state)}`);
  if (f.trade) where.push(`b.trade = ${p(f.trade)}`);
  if (f.ids) where.push(`b.id = ANY(${p(f.ids)}::uuid[])`);
  if (f.updatedSince) where.push(`b.updated_at >= ${p(f.updatedSince)}::timestamptz`);
  if (o.mode === 'pending') where.push(PENDING);
  if (o.mode === 'pending-or-outdated') {
    where.push(`(${PENDING} OR (${engineWritten(c, o)} AND b.scorer_version <> ${versionForTrade(c, o)}))`);
  }

  // The clock is read before the chunk: a change committed after this instant is stamped later than it
  // (triggers use clock_timestamp()), so it is never mistaken for already scored.
  const readAt = (await c.query<{ t: string }>('SELECT clock_timestamp()::text AS t')).rows[0]!.t;
  const r = await c.query<ScoringRow>(
    `WITH c AS MATERIALIZED (
       SELECT b.id, b.status, b.quality_score, b.grade, (b.price * 100)::int AS price_cents, b.score_inputs_hash,
              b.inputs_changed_at, (${PENDING} OR b.scorer_version IS DISTINCT FROM ${versionForTrade(c, o)}) AS pending, b.intent_score,
              COALESCE(b.property_value, b.market_value)::float8 AS property_value, b.assessed_value::float8 AS assessed_value,
              b.state, b.city, b.cluster_id, b.year_built, extract(year FROM b.last_roof_permit_date)::int AS last_roof_permit_year, b.zip, b.trade,
              CASE WHEN b.owner_email_enc IS NULL THEN 0 WHEN b.owner_email_verified THEN 2 ELSE 1 END AS email_code,
              CASE WHEN b.owner_phone_enc IS NULL THEN 0 WHEN b.owner_phone_verified THEN 2 ELSE 1 END AS phone_code,
              (${MISSING_MASK_SQL}) AS missing_mask
         FROM base_leads b
        WHERE ${where.join(' AND ')}
        ORDER BY b.id
        LIMIT $2
     ), hi AS (SELECT id FROM c ORDER BY id DESC LIMIT 1)
     SELECT c.id::text AS "id", c.status::text AS "status", c.trade, c.intent_score AS "intentScore", c.quality_score AS "qualityScore", c.grade,
            c.price_cents AS "priceCents", c.score_inputs_hash AS "scoreInputsHash", c.inputs_changed_at::text AS "inputsChangedAt",
            c.pending, c.property_value AS "propertyValue", c.assessed_value AS "assessedValue", c.state, c.year_built AS "yearBuilt", c.email_code AS "emailCode",
            c.phone_code AS "phoneCode", c.missing_mask AS "missingMask",
            c.last_roof_permit_year AS "lastRoofPermitYear",
            (rl.hail_event_90d::int * ${ROOFING_FLAG.hail90d} | rl.wind_event_30d::int * ${ROOFING_FLAG.wind30d}
              | (rl.neighbor_permits_30d >= 5)::int * ${ROOFING_FLAG.neighborPermits30d}) AS "roofingFlags",
            ra.overall_condition AS "roofCondition", ra.estimated_age AS "analysisAge", tr.descriptors AS "triggers",
            (ex.zip IS NOT NULL OR exc.city IS NOT NULL OR xc.id IS NOT NULL) AS "exclusive", COALESCE(lv.viewers, 0) AS "interested"
       FROM c
       LEFT JOIN (SELECT l.base_lead_id, l.hail_event_90d, l.wind_event_30d, l.neighbor_permits_30d
                    FROM roofing_leads l, hi WHERE l.base_lead_id > $1 AND l.base_lead_id <= hi.id) rl ON rl.base_lead_id = c.id
       LEFT JOIN (SELECT DISTINCT ON (a.base_lead_id) a.base_lead_id, a.overall_condition, a.estimated_age
                    FROM roof_analysis a, hi WHERE a.base_lead_id > $1 AND a.base_lead_id <= hi.id
                   ORDER BY a.base_lead_id, a.analyzed_at DESC, a.created_at DESC, a.id DESC) ra ON ra.base_lead_id = c.id
       LEFT JOIN (SELECT t.base_lead_id,
                         string_agg(t.trigger_type || '|' || COALESCE(t.trigger_details->>'event_type', t.trigger_details->>'damage_type', t.trigger_details->>'trade', '')
                                    || '|' || COALESCE(t.trigger_details->>'count', ''), ';') AS descriptors
                    FROM lead_triggers t, hi
                   WHERE t.base_lead_id > $1 AND t.base_lead_id <= hi.id AND t.active AND (t.expires_at IS NULL OR t.expires_at > now())
                   GROUP BY t.base_lead_id) tr ON tr.base_lead_id = c.id
       LEFT JOIN (SELECT v.lead_id, count(DISTINCT v.contractor_id)::int AS viewers
                    FROM lead_views v, hi
                   WHERE v.lead_id > $1 AND v.lead_id <= hi.id AND v.last_viewed_at > now() - interval '${DEMAND_WINDOW_HOURS} hours'
                   GROUP BY v.lead_id) lv ON lv.lead_id = c.id
       LEFT JOIN (SELECT id FROM lead_clusters
                   WHERE status = 'active' AND exclusive_contractor_id IS NOT NULL
                     AND (exclusivity_expires_at IS NULL OR exclusivity_expires_at > now())) xc ON xc.id = c.cluster_id
       LEFT JOIN (SELECT DISTINCT lower(city) AS city, state, trade FROM territories
                   WHERE kind = 'city' AND status = 'active' AND (expires_at IS NULL OR expires_at > now())) exc
              ON exc.city = lower(c.city) AND exc.state = c.state AND exc.trade = c.trade
       LEFT JOIN (SELECT DISTINCT zip, trade FROM territories
                   WHERE exclusive AND status = 'active' AND (expires_at IS NULL OR expires_at > now())) ex
              ON ex.zip = c.zip AND ex.trade = c.trade
      ORDER BY c.id`,
    params,
  );
  return { rows: r.rows, readAt };
}

/**
 * A PostgreSQL array literal for elements that never need escaping — uuids, integers, hex, enum words,
 * timestamps (quoted whole, they contain no quote or backslash). pg's generic encoder runs two regex passes
 * and quotes every element; for the ~60,000 elements of a chunk that was a tenth of the write's client time.
 */
export function plainArrayLiteral(values: readonly (string | number | null)[], quote = false): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) s += ',';
    s += v === null || v === undefined ? 'NULL' : quote ? `"${v}"` : v;
  }
  return s + '}';
}

/**
 * Writes one scored chunk — only its leads that must change (scoreChunk) — in ONE statement:
 *   1. base_leads, in one conditional UPDATE … FROM unnest — the bulk equivalent of leads.service transitionLead:
 *      a row is written only while its status and inputs_changed_at are still what the chunk read (compare-and-set,
 *      so a concurrent purchase or input change wins and the lead stays pending for the next run), and its status
 *      moves only along the from → to pairs the engine checked against LEAD_TRANSITIONS. No index of base_leads
 *      reads a column written here (migration 20261204000000), so unless the status moves these are HOT updates;
 *   2. score_explanations of the rows written (upsert; narrow, fillfactor 70);
 *   3. lead_rank of the rows whose score or status moved (the listing's order; the row trigger that keeps it in
 *      step for every other writer is skipped for this transaction: SET LOCAL tradelead.rank_sync = 'engine');
 *   4. one system_events row per status move.
 * synchronous_commit is off for this transaction only: a crash can lose the last few chunks' commits, never
 * corrupt them, and a lost chunk is simply still pending (scored_at was not advanced) for the next run.
 */
export async function writeScoringChunk(
  c: Client,
  o: { scorers: readonly string[]; versions: readonly string[]; scoredAt: string; by: string | null; scored: ScoredChunk },
): Promise<{ explanations: number; leads: number; moves: number }> {
  const s = o.scored;
  if (!s.ids.length) return { explanations: 0, leads: 0, moves: 0 };
  await c.query(`BEGIN; SET LOCAL synchronous_commit = off; SET LOCAL tradelead.rank_sync = 'engine'`);
  try {
    const r = await c.query<{ leads: number; moves: number; explanations: number }>(
      `WITH x AS (
         SELECT * FROM ROWS FROM (unnest($1::uuid[]), unnest($2::int[]), unnest($3::text[]), unnest($4::int[]), unnest($5::text[]),
                                  unnest($6::timestamptz[]), unnest($7::lead_status[]), unnest($8::lead_status[]), unnest($9::int[]),
                                  jsonb_array_elements($10::jsonb))
                  AS x(id, score, grade, price_cents, hash, inputs_changed_at, from_status, to_status, kind, factors)
       ), u AS (
         UPDATE base_leads b
            SET quality_score = x.score, grade = x.grade, price = x.price_cents / 100.0, scored_at = $11::timestamptz,
                scorer_version = ($12::text[])[x.kind + 1], score_inputs_hash = x.hash, status = COALESCE(x.to_status, b.status),
                version = b.version + (x.to_status IS NOT NULL)::int, updated_at = now()
           FROM x
          WHERE b.id = x.id AND b.deleted_at IS NULL AND b.status = x.from_status
            AND b.inputs_changed_at IS NOT DISTINCT FROM x.inputs_changed_at
         RETURNING b.id, b.status, x.from_status, x.to_status, x.score, x.grade, x.price_cents, x.hash, x.kind, x.factors
       ), se AS (
         INSERT INTO score_explanations AS se (lead_id, scorer, scorer_version, score, grade, price_cents, factors, inputs_hash, scored_at)
         SELECT u.id, ($13::text[])[u.kind + 1], ($12::text[])[u.kind + 1], u.score, u.grade, u.price_cents, u.factors, u.hash, $11::timestamptz
           FROM u
         ON CONFLICT (lead_id) DO UPDATE
            SET scorer = EXCLUDED.scorer, scorer_version = EXCLUDED.scorer_version, score = EXCLUDED.score, grade = EXCLUDED.grade,
                price_cents = EXCLUDED.price_cents, factors = EXCLUDED.factors, inputs_hash = EXCLUDED.inputs_hash,
                scored_at = EXCLUDED.scored_at
         RETURNING 1
       ), rk AS (
         UPDATE lead_rank r SET status = u.status, quality_score = u.score
           FROM u
          WHERE r.lead_id = u.id AND (r.quality_score IS DISTINCT FROM u.score OR r.status <> u.status)
         RETURNING 1
       ), ev AS (
         INSERT INTO system_events (event_type, event_name, service, entity_type, entity_id, event_data, severity)
         SELECT 'lead.transition', 'lead.' || u.to_status, 'scoring', 'lead', u.id,
                jsonb_build_object('from', u.from_status, 'to', u.to_status, 'by', $14::text, 'via', 'rescore', 'score', u.score), 'info'
           FROM u WHERE u.to_status IS NOT NULL
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM u)::int AS leads, (SELECT count(*) FROM ev)::int AS moves,
              (SELECT count(*) FROM se)::int AS explanations, (SELECT count(*) FROM rk)::int AS ranked`,
      [
        plainArrayLiteral(s.ids), plainArrayLiteral(s.scores), plainArrayLiteral(s.grades), plainArrayLiteral(s.priceCents),
        plainArrayLiteral(s.hashes), plainArrayLiteral(s.inputsChangedAt, true), plainArrayLiteral(s.fromStatus),
        plainArrayLiteral(s.toStatus), plainArrayLiteral(s.kinds), s.explanations, o.scoredAt, o.versions, o.scorers, o.by,
      ],
    );
    await c.query('COMMIT');
    const { leads, moves, explanations } = r.rows[0]!;
    return { explanations, leads, moves };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * The demand premium ends 24 hours after the second-to-last viewer's view, with no other input changing: leads
 * whose views left the window in the last two hours (a margin for a missed 30-minute run) are marked for the next
 * signal-based rescore. Re-marking a lead costs one cheap rescore of it. Raw SQL: UPDATE … WHERE id IN (subquery).
 */
export async function markDemandWindowEnds(c: Client, statuses: readonly string[]): Promise<number> {
  const r = await c.query(
    `UPDATE base_leads b SET inputs_changed_at = clock_timestamp()
      WHERE b.id IN (SELECT DISTINCT v.lead_id FROM lead_views v
                      WHERE v.last_viewed_at <= now() - interval '${DEMAND_WINDOW_HOURS} hours'
                        AND v.last_viewed_at > now() - interval '${DEMAND_WINDOW_HOURS + 2} hours')
        AND b.deleted_at IS NULL AND b.status IN (${statusList(c, statuses)})`,
  );
  return r.rowCount ?? 0;
}

// ---------------------------------------------------------------------------------------------------------
// API reads (Prisma)

export const findScoreExplanation = (db: Db, leadId: string) => db.scoreExplanation.findUnique({ where: { leadId } });

export const findLeadScoreColumns = (db: Db, leadId: string) =>
  db.baseLead.findFirst({
    where: { id: leadId, deletedAt: null },
    select: {
      id: true, status: true, soldToContractorId: true, qualityScore: true, grade: true, price: true,
      scoredAt: true, scorerVersion: true, scoreInputsHash: true, inputsChangedAt: true,
    },
  });
