import type pg from 'pg';
import {
  CLAIM_NUMBER_PATTERN,
  EXPIRY_DAYS,
  INSURANCE_PATTERN,
  INSURANCE_WINDOW_DAYS,
  METRES_PER_MILE,
  NEIGHBOR_WINDOWS_DAYS,
  NEIGHBOR_RADIUS_M,
  NEIGHBOR_RADIUS_MILES,
  NEIGHBOR_THRESHOLD,
  ROOF_AGE_MIN_YEARS,
  ROOFING_TRADE,
  SALE_WINDOW_DAYS,
  WEATHER_KINDS,
  WEATHER_RADIUS_MILES,
  WEATHER_WINDOW_DAYS,
  neighborPermitsStrengthSql,
  roofAgeStrengthSql,
  triggerAppliesSql,
  saleStrengthSql,
  weatherStrengthSql,
  windMphSql,
} from './triggers.rules.ts';
import { roofAgeSql } from '../scoring/roof-age.ts';
import { estimateLeadRows as plannerLeadRows } from '../scoring/scoring.repository.ts';

/*
 * Trigger detection in set-based SQL on two dedicated connections (raw SQL: PostGIS joins, work tables and bulk
 * upserts are beyond Prisma). A run fills UNLOGGED work tables in schema trigger_work, then writes:
 *   td_leads   the leads in scope, with their "subject": the property they stand on, or the lead itself when it
 *              has no property (its own geog, year_built and permit are used then);
 *   td_nb      per subject, roofing permits within 0.25 mi in the last 30/60/90 days (seed 002 §3.1.5);
 *   td_tsub,   the (subject, trade) pairs of the non-roof leads in scope, and per pair the permits of that
 *   td_nbt     trade within 0.25 mi in the last 30 days (issue 8 §2: neighbour permits count the lead's own trade);
 *   td_storms  the storms of the last 90 days that are triggers, with their strength (seed 002 §3.5.3 trigger 2);
 *   td_wx      per subject and storm kind, the strongest storm within its radius, how many, and the latest;
 *   td_rows    the lead_triggers rows this run wants, which are then diffed against lead_triggers and only
 *              new or changed rows are written.
 * Every spatial step drives from the small side (permits of the last 90 days, storms of the last 90 days) and
 * probes the GIST index of properties / base_leads with ST_DWithin on geography, so a run reads ~5% of the
 * permits and every property at most once per nearby permit or storm — never a property × permit product.
 * Every statement is parameterised by $asOf, so a backfill or a test is deterministic.
 */

export type Client = pg.PoolClient | pg.Client;

export interface Scope {
  cityIds?: readonly string[];
  leadIds?: readonly string[];
  /** An incremental run: only the properties and leads markChangedSubjects put in td_changed_p / td_changed_l. */
  changed?: boolean;
}

/**
 * Session-level advisory lock: one detection run at a time. A second run (a stalled BullMQ job run again, the
 * pipeline's per-lead run during the nightly one) waits for the first and then finds little left to write.
 */
const DETECTION_LOCK = 7_307_011;

export async function lockDetection(c: Client): Promise<void> {
  await c.query('SELECT pg_advisory_lock($1::bigint)', [DETECTION_LOCK]);
}
export async function unlockDetection(c: Client): Promise<void> {
  await c.query('SELECT pg_advisory_unlock($1::bigint)', [DETECTION_LOCK]);
}

/**
 * Session settings for the run: PostGIS functions declare large costs, so these statements would cross
 * jit_above_cost and spend seconds compiling (clustering.repository measured 740 ms for a 350 ms statement);
 * hash joins and sorts of a million temp rows fit in memory with 64 MB.
 */
export async function prepareSession(c: Client): Promise<void> {
  await c.query(`SET jit = off; SET work_mem = '64MB'; SET synchronous_commit = off; SET search_path = ${WORK_SCHEMA}, public`);
}

/**
 * The run's work tables live in their own schema as UNLOGGED tables (no WAL, like temp tables) rather than as
 * session temp tables, so the run's two connections can share them and work on both cores at once (storms on
 * one, neighbor permits and property triggers on the other; the upsert slices split between them). One run at
 * a time holds the advisory lock, so fixed names are safe; a run that died leaves them for the next to drop.
 */
export const WORK_SCHEMA = 'trigger_work';

export async function createWorkSchema(c: Client): Promise<void> {
  await c.query(`CREATE SCHEMA IF NOT EXISTS ${WORK_SCHEMA}`);
}

export async function dropWorkTables(c: Client): Promise<void> {
  await c.query(`DROP TABLE IF EXISTS ${WORK_SCHEMA}.td_leads, ${WORK_SCHEMA}.td_nb, ${WORK_SCHEMA}.td_storms, ${WORK_SCHEMA}.td_wx, ${WORK_SCHEMA}.td_rows, ${WORK_SCHEMA}.td_roofp, ${WORK_SCHEMA}.td_rp, ${WORK_SCHEMA}.td_tsub, ${WORK_SCHEMA}.td_nbt, ${WORK_SCHEMA}.td_changed_p, ${WORK_SCHEMA}.td_changed_l, ${WORK_SCHEMA}.td_chg_permits, ${WORK_SCHEMA}.td_chg_storms`);
}

/**
 * Scope conditions on a properties or base_leads alias; parameters are $2 (city ids) and $3 (lead ids), always
 * passed so every statement takes the same three. Only the restrictions that apply are written: an `OR
 * cardinality(…) = 0` form would keep PostgreSQL from turning the IN (…) into a semi-join (it pulls sublinks up
 * before it folds constants), and a 100-lead run would scan all properties.
 */
function scopeSql(alias: string, kind: 'property' | 'lead', s: Scope): string {
  const parts = ['$1::timestamptz IS NOT NULL', 'cardinality($2::uuid[]) >= 0', 'cardinality($3::uuid[]) >= 0'];
  if (s.cityIds?.length) {
    parts.push(`(lower(${alias}.city), upper(${alias}.state)) IN (SELECT lower(tc.city), upper(tc.state) FROM target_cities tc WHERE tc.id = ANY($2::uuid[]))`);
  }
  if (s.leadIds?.length) {
    parts.push(kind === 'lead' ? `${alias}.id = ANY($3::uuid[])` : `${alias}.id IN (SELECT bl.property_id FROM base_leads bl WHERE bl.id = ANY($3::uuid[]))`);
  }
  if (s.changed) parts.push(`${alias}.id IN (SELECT id FROM ${kind === 'lead' ? 'td_changed_l' : 'td_changed_p'})`);
  return parts.join(' AND ');
}

const scopeParams = (asOf: Date, s: Scope) => [asOf.toISOString(), s.cityIds ?? [], s.leadIds ?? []];
/** The UTC calendar date of $1: permits and sales carry dates, not instants. */
const AS_OF_DATE = `(($1::timestamptz) AT TIME ZONE 'UTC')::date`;
const dateToTs = (d: string) => `((${d})::timestamp AT TIME ZONE 'UTC')`;

/**
 * A run over a list of leads (the pipeline's per-batch stage) probes from each of its few subjects into the
 * permits' GIST index and over the storms; a full or per-city run drives from the permits and storms of the
 * window into the subjects' index. The planner, left alone, drove a 100-lead run from the permits too
 * (measured 17 s at 1M properties).
 */
const driveFromSubjects = (s: Scope) => (s.leadIds?.length ?? 0) > 0 || !!s.changed;

/**
 * Distances on the sphere (use_spheroid = false): still ST_DWithin on geography with its GIST index, a third
 * faster than on the WGS84 spheroid (measured: 3.3M storm-property pairs in 11.8 s instead of 17.8 s), and at
 * 0.25–5 miles the two differ by less than 0.5 % (under 40 m at 5 miles).
 */
const SPHEROID = 'false';

/**
 * The subjects of a lead-list run, computed first behind an optimisation fence (OFFSET 0): without it PostgreSQL
 * flattens the LATERAL probe back into a join and drives from the 55k permits of the window again (EXPLAIN at 1M
 * properties: 4.2 s for 100 leads instead of milliseconds). The lateral side is fenced the same way.
 */
const fencedSubjects = (x: { from: string; where: string }) => `(SELECT x.* FROM ${x.from} WHERE ${x.where} OFFSET 0) x`;

/** Roofing permits issued in the 90-day window (seed 002 §3.1.5), with a location. */
const ROOF_WINDOW = `p.trade = '${ROOFING_TRADE}' AND p.issue_date > ${AS_OF_DATE} - 90 AND p.issue_date <= ${AS_OF_DATE} AND p.geog IS NOT NULL`;

/** The leads in scope and their subjects. Returns the number of leads. */
export async function snapshotLeads(c: Client, asOf: Date, s: Scope): Promise<number> {
  await c.query(`CREATE UNLOGGED TABLE td_leads (lead_id uuid PRIMARY KEY, property_id uuid, permit_id uuid, sid uuid NOT NULL, year_built int, trade text NOT NULL)`);
  const r = await c.query(
    `INSERT INTO td_leads SELECT b.id, b.property_id, b.permit_id, coalesce(b.property_id, b.id), b.year_built, b.trade
       FROM base_leads b WHERE b.deleted_at IS NULL AND ${scopeSql('b', 'lead', s)}`,
    scopeParams(asOf, s),
  );
  await c.query('CREATE INDEX ON td_leads (sid); ANALYZE td_leads');
  return r.rowCount ?? 0;
}

/**
 * The subjects a spatial step probes: properties in scope (all of them, leads or not, since their neighbor
 * counts are stored), or leads in scope that have no property. `own` excludes the subject's own permit.
 */
function subjects(target: 'properties' | 'leads', s: Scope) {
  return target === 'properties'
    ? { from: 'properties x', where: `x.geog IS NOT NULL AND ${scopeSql('x', 'property', s)}`, own: 'p.property_id IS DISTINCT FROM x.id' }
    : {
        from: 'base_leads x',
        where: `x.geog IS NOT NULL AND x.property_id IS NULL AND x.deleted_at IS NULL AND ${scopeSql('x', 'lead', s)}`,
        own: 'p.id IS DISTINCT FROM x.permit_id',
      };
}

/**
 * seed 002 §3.1.5 / §3.5.3 trigger 1: roofing permits within 0.25 mi issued in the last 30/60/90 days
 * (issue_date in (asOf − N days, asOf]), the subject's own permit excluded. Drives from the ~90 days of
 * roofing permits (index permits(trade, issue_date)) into the subjects' GIST index.
 */
export async function countNeighborPermits(c: Client, asOf: Date, s: Scope): Promise<number> {
  await c.query(`CREATE UNLOGGED TABLE IF NOT EXISTS td_nb (sid uuid PRIMARY KEY, c30 int, c60 int, c90 int, newest30 date, avg30 numeric)`);
  let n = 0;
  for (const target of ['properties', 'leads'] as const) {
    const x = subjects(target, s);
    const r = await c.query(
      `INSERT INTO td_nb
       SELECT x.id, count(*) FILTER (WHERE p.issue_date > ${AS_OF_DATE} - 30), count(*) FILTER (WHERE p.issue_date > ${AS_OF_DATE} - 60),
              count(*), max(p.issue_date) FILTER (WHERE p.issue_date > ${AS_OF_DATE} - 30),
              round(avg(p.estimated_value) FILTER (WHERE p.issue_date > ${AS_OF_DATE} - 30))
         FROM ${driveFromSubjects(s)
                ? `${fencedSubjects(x)} CROSS JOIN LATERAL (SELECT p.* FROM permits p WHERE ST_DWithin(x.geog, p.geog, ${NEIGHBOR_RADIUS_M}, ${SPHEROID}) AND ${ROOF_WINDOW} OFFSET 0) p`
                : `permits p JOIN ${x.from} ON ST_DWithin(x.geog, p.geog, ${NEIGHBOR_RADIUS_M}, ${SPHEROID})`}
        WHERE ${ROOF_WINDOW} AND ${x.own} AND ${x.where}
        GROUP BY x.id`,
      scopeParams(asOf, s),
    );
    n += r.rowCount ?? 0;
  }
  await c.query('ANALYZE td_nb');
  return n;
}

/**
 * Issue 8 §2: neighbour permits of the lead's own trade for the non-roof leads in scope — permits of that trade
 * within 0.25 mi issued in the last 30 days (the trigger's window), the subject's own permits excluded. Drives
 * from the 30 days of non-roof permits (index permits(trade, issue_date)) into a GIST index over the (subject,
 * trade) pairs, so a run with no non-roof leads costs one empty probe per permit. Returns the pairs with any.
 */
export async function countTradeNeighborPermits(c: Client, asOf: Date): Promise<number> {
  await c.query(
    `CREATE UNLOGGED TABLE td_tsub AS
     SELECT DISTINCT ON (l.sid, l.trade) l.sid, l.trade, coalesce(pr.geog, b.geog) AS geog, l.property_id, l.permit_id
       FROM td_leads l
       JOIN base_leads b ON b.id = l.lead_id
       LEFT JOIN properties pr ON pr.id = l.property_id
      WHERE l.trade <> '${ROOFING_TRADE}' AND coalesce(pr.geog, b.geog) IS NOT NULL
      ORDER BY l.sid, l.trade, l.lead_id`,
  );
  await c.query('CREATE INDEX ON td_tsub USING gist (geog); ANALYZE td_tsub');
  const r = await c.query(
    `CREATE UNLOGGED TABLE td_nbt AS
     SELECT x.sid, x.trade, count(*)::int AS c30, max(p.issue_date) AS newest30, round(avg(p.estimated_value)) AS avg30
       FROM permits p
       JOIN td_tsub x ON x.trade = p.trade AND ST_DWithin(x.geog, p.geog, ${NEIGHBOR_RADIUS_M}, ${SPHEROID})
      WHERE p.trade <> '${ROOFING_TRADE}' AND p.issue_date > ${AS_OF_DATE} - 30 AND p.issue_date <= ${AS_OF_DATE} AND p.geog IS NOT NULL
        AND (x.property_id IS NULL OR p.property_id IS DISTINCT FROM x.property_id) AND p.id IS DISTINCT FROM x.permit_id
      GROUP BY x.sid, x.trade`,
    [asOf.toISOString()],
  );
  await c.query('ANALYZE td_nbt');
  return r.rowCount ?? 0;
}

/**
 * Stores the counts on properties, writing only rows whose counts changed (and zeroing properties that had
 * neighbors and now have none), so a re-run writes nothing. updated_at is left alone: it dates the assessor
 * record, and a sliding window is not a new record.
 */
export async function storeNeighborCounts(c: Client, asOf: Date, s: Scope): Promise<number> {
  const a = await c.query(
    `UPDATE properties pr SET neighbor_permits_30d = n.c30, neighbor_permits_60d = n.c60, neighbor_permits_90d = n.c90
       FROM td_nb n
      WHERE pr.id = n.sid AND (pr.neighbor_permits_30d, pr.neighbor_permits_60d, pr.neighbor_permits_90d) IS DISTINCT FROM (n.c30, n.c60, n.c90)
        AND ${scopeSql('pr', 'property', s)}`,
    scopeParams(asOf, s),
  );
  const b = await c.query(
    `UPDATE properties pr SET neighbor_permits_30d = 0, neighbor_permits_60d = 0, neighbor_permits_90d = 0
      WHERE (pr.neighbor_permits_30d <> 0 OR pr.neighbor_permits_60d <> 0 OR pr.neighbor_permits_90d <> 0)
        AND NOT EXISTS (SELECT 1 FROM td_nb n WHERE n.sid = pr.id)
        AND ${scopeSql('pr', 'property', s)}`,
    scopeParams(asOf, s),
  );
  return (a.rowCount ?? 0) + (b.rowCount ?? 0);
}

/**
 * seed 002 §3.5.3 trigger 2: storms of the last 90 days (begin time, else the event date at 00:00 UTC, in
 * (asOf − 90 days, asOf]) that are triggers — hail, wind over 60 mph, tornado, hurricane — with their
 * strength and matching radius (the event's radius_miles, else 5 mi).
 */
export async function snapshotStorms(c: Client, asOf: Date): Promise<number> {
  const at = `coalesce(w.begin_at, ${dateToTs('w.event_date')})`;
  await c.query(
    `CREATE UNLOGGED TABLE td_storms AS
     SELECT * FROM (
       SELECT w.id, w.event_type AS kind, ${at} AS at, w.geog,
              coalesce(w.radius_miles::float8, ${WEATHER_RADIUS_MILES}) AS radius_miles,
              (${weatherStrengthSql('w')}) AS strength,
              w.hail_size_inches::float8 AS hail_size_inches, round((${windMphSql('w')})::numeric, 1)::float8 AS wind_mph, w.tornado_rating
         FROM weather_events w
        WHERE w.event_type = ANY($2::text[]) AND w.geog IS NOT NULL
          AND ${at} > $1::timestamptz - interval '${WEATHER_WINDOW_DAYS} days' AND ${at} <= $1::timestamptz) s
      WHERE s.strength IS NOT NULL`,
    [asOf.toISOString(), [...WEATHER_KINDS]],
  );
  const n = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM td_storms')).rows[0]!.n;
  await c.query('ANALYZE td_storms');
  return n;
}

/**
 * Per subject and storm kind: the strongest storm whose radius reaches the subject (ties: the later one),
 * the number of such storms and the latest. Drives from the storms into the subjects' GIST index.
 */
export async function matchStorms(c: Client, asOf: Date, s: Scope): Promise<number> {
  await c.query(
    `CREATE UNLOGGED TABLE IF NOT EXISTS td_wx (sid uuid, kind text, event_id uuid, at timestamptz, strength int, hail_size_inches float8,
       wind_mph float8, tornado_rating text, radius_miles float8, distance_m float8, events int, latest_at timestamptz)`,
  );
  let n = 0;
  for (const target of ['properties', 'leads'] as const) {
    const x = subjects(target, s);
    const r = await c.query(
      `INSERT INTO td_wx
       SELECT h.sid, h.kind, h.id, h.at, h.strength, h.hail_size_inches, h.wind_mph, h.tornado_rating, h.radius_miles,
              ST_Distance(h.sgeog, h.geog, ${SPHEROID}), h.events, h.latest_at
         FROM (SELECT DISTINCT ON (x.id, st.kind) x.id AS sid, x.geog AS sgeog, st.*,
                      count(*) OVER w AS events, max(st.at) OVER w AS latest_at
                 FROM ${driveFromSubjects(s)
                        ? `${fencedSubjects(x)} CROSS JOIN LATERAL (SELECT * FROM td_storms st WHERE ST_DWithin(x.geog, st.geog, st.radius_miles * ${METRES_PER_MILE}, ${SPHEROID}) OFFSET 0) st`
                        : `td_storms st JOIN ${x.from} ON ST_DWithin(x.geog, st.geog, st.radius_miles * ${METRES_PER_MILE}, ${SPHEROID})`}
                WHERE ${x.where}
               WINDOW w AS (PARTITION BY x.id, st.kind)
                ORDER BY x.id, st.kind, st.strength DESC, st.at DESC, st.id) h`,
      scopeParams(asOf, s),
    );
    n += r.rowCount ?? 0;
  }
  await c.query('ANALYZE td_wx');
  return n;
}

const ROWS_DDL = `CREATE UNLOGGED TABLE td_rows (base_lead_id uuid NOT NULL, trigger_type text NOT NULL, source_key text NOT NULL,
  trigger_date timestamptz, trigger_strength int NOT NULL, trigger_details jsonb NOT NULL, expires_at timestamptz)`;

/** td_rows: the lead_triggers rows the run wants, filled by both connections. */
export async function createRowsTable(c: Client): Promise<void> {
  await c.query(ROWS_DDL);
}

/**
 * The neighbor-permit rows the run wants: roof leads from td_nb (roofing permits), every other lead from td_nbt
 * (permits of its own trade) — issue 8 §2, TRIGGER_TRADES.neighbor_permits = 'own'.
 */
export async function buildNeighborRows(c: Client): Promise<void> {
  // seed 002 §3.5.3 trigger 1: 5+ in 30 days; expires 90 days after the newest permit counted.
  const row = (trade: string) =>
    `l.lead_id, 'neighbor_permits', ${trade} || ':${NEIGHBOR_RADIUS_MILES}mi', ${dateToTs('n.newest30')}, ${neighborPermitsStrengthSql('n.c30')},
            jsonb_strip_nulls(jsonb_build_object('count', n.c30, 'radius_miles', ${NEIGHBOR_RADIUS_MILES}, 'window_days', 30, 'trade', ${trade},
              'newest_permit_date', n.newest30, 'avg_value', n.avg30)),
            ${dateToTs(`n.newest30 + ${EXPIRY_DAYS.neighbor_permits}`)}`;
  await c.query(
    `INSERT INTO td_rows
     SELECT ${row(`'${ROOFING_TRADE}'`)}
       FROM td_nb n JOIN td_leads l ON l.sid = n.sid
      WHERE n.c30 >= ${NEIGHBOR_THRESHOLD} AND l.trade = '${ROOFING_TRADE}'
     UNION ALL
     SELECT ${row('l.trade')}
       FROM td_nbt n JOIN td_leads l ON l.sid = n.sid AND l.trade = n.trade
      WHERE n.c30 >= ${NEIGHBOR_THRESHOLD}`,
  );
}

/** The weather rows the run wants, from td_wx. */
export async function buildWeatherRows(c: Client): Promise<void> {
  // seed 002 §3.5.3 trigger 2: one row per lead and storm kind; expires 180 days after the latest storm.
  await c.query(
    `INSERT INTO td_rows
     SELECT l.lead_id, 'weather_event', w.kind, w.latest_at, w.strength,
            jsonb_strip_nulls(jsonb_build_object('event_type', w.kind, 'event_id', w.event_id, 'event_at', w.at,
              'hail_size_inches', w.hail_size_inches, 'wind_speed_mph', w.wind_mph, 'tornado_rating', w.tornado_rating,
              'distance_miles', round((w.distance_m / ${METRES_PER_MILE})::numeric, 2), 'radius_miles', w.radius_miles,
              'events', w.events, 'latest_event_at', w.latest_at)),
            w.latest_at + interval '${EXPIRY_DAYS.weather_event} days'
       FROM td_wx w JOIN td_leads l ON l.sid = w.sid
      WHERE ${triggerAppliesSql('weather_event', 'l.trade')}`,
  );
}

/**
 * seed 002 §3.5.3 triggers 3–5 for the leads in scope whose trade they apply to (triggers.rules TRIGGER_TRADES),
 * from their property (or the lead's own columns):
 *   roof age   — roof-age.ts: years since the last roofing permit at the property other than the lead's own
 *                (kept on the lead as last_roof_permit_date), else the latest roof analysis, else since the
 *                lead's year_built; over 20 → a row;
 *   sale       — properties.last_sale_date in the last 365 days;
 *   insurance  — a permit at the property (or the lead's own permit) issued in the last 365 days whose type or
 *                description mentions an insurance claim (triggers.rules INSURANCE_PATTERN).
 */
export async function buildPropertyRows(c: Client, asOf: Date): Promise<void> {
  const p = [asOf.toISOString()];
  const year = `extract(year FROM ${AS_OF_DATE})::int`;
  // The two latest roofing permits per property: the lead's own permit may be one of them.
  await c.query(
    `CREATE UNLOGGED TABLE td_roofp AS
     SELECT property_id, id AS permit_id, issue_date, rn FROM (
       SELECT p.property_id, p.id, p.issue_date, row_number() OVER (PARTITION BY p.property_id ORDER BY p.issue_date DESC, p.id) AS rn
         FROM permits p
        WHERE p.trade = '${ROOFING_TRADE}' AND p.property_id IS NOT NULL AND p.issue_date <= ${AS_OF_DATE}
          AND p.property_id IN (SELECT property_id FROM td_leads)) r
      WHERE rn <= 2`,
    p,
  );
  // The latest roof permit at each roof lead's property other than its own, kept on the lead: roof-age.ts reads it,
  // here and in the roof scorer (factor 2), so the trigger and the score agree. Only changed rows are written.
  // Computed once into td_rp: the UPDATE below and the roof-age rows both read it.
  await c.query(
    `CREATE UNLOGGED TABLE td_rp AS
     SELECT DISTINCT ON (l2.lead_id) l2.lead_id, r.issue_date
       FROM td_leads l2 JOIN td_roofp r ON r.property_id = l2.property_id AND r.permit_id IS DISTINCT FROM l2.permit_id
      ORDER BY l2.lead_id, r.rn`,
  );
  await c.query('CREATE INDEX ON td_rp (lead_id); ANALYZE td_rp');
  await c.query(
    `UPDATE base_leads b SET last_roof_permit_date = x.issue_date, updated_at = now()
       FROM (SELECT l.lead_id, rp.issue_date FROM td_leads l LEFT JOIN td_rp rp ON rp.lead_id = l.lead_id
              WHERE ${triggerAppliesSql('roof_age', 'l.trade')}) x
      WHERE b.id = x.lead_id AND b.last_roof_permit_date IS DISTINCT FROM x.issue_date`,
  );
  const age = roofAgeSql('rp.issue_date', 'ra.estimated_age', 'l.year_built', year);
  await c.query(
    `INSERT INTO td_rows
     SELECT a.lead_id, 'roof_age', '', make_timestamptz(${year} - a.age + ${ROOF_AGE_MIN_YEARS + 1}, 1, 1, 0, 0, 0, 'UTC'),
            ${roofAgeStrengthSql('a.age')},
            jsonb_build_object('age_years', a.age, 'basis', a.basis, 'since_year', ${year} - a.age), NULL
       FROM (SELECT l.lead_id, ${age.years} AS age, ${age.basis} AS basis
               FROM td_leads l
               LEFT JOIN td_rp rp ON rp.lead_id = l.lead_id
               LEFT JOIN (SELECT DISTINCT ON (base_lead_id) base_lead_id, estimated_age FROM roof_analysis
                           WHERE base_lead_id IN (SELECT lead_id FROM td_leads)
                           ORDER BY base_lead_id, analyzed_at DESC NULLS LAST, created_at DESC, id DESC) ra ON ra.base_lead_id = l.lead_id
              WHERE ${triggerAppliesSql('roof_age', 'l.trade')}) a
      WHERE a.age > ${ROOF_AGE_MIN_YEARS}`,
    p,
  );
  // Sale: expires when it leaves the 12-month window.
  await c.query(
    `INSERT INTO td_rows
     SELECT l.lead_id, 'property_sale', '', ${dateToTs('pr.last_sale_date')}, ${saleStrengthSql(`${AS_OF_DATE} - pr.last_sale_date`)},
            jsonb_strip_nulls(jsonb_build_object('sale_date', pr.last_sale_date, 'sale_price', pr.last_sale_price)),
            ${dateToTs(`pr.last_sale_date + ${EXPIRY_DAYS.property_sale}`)}
       FROM td_leads l JOIN properties pr ON pr.id = l.property_id
      WHERE ${triggerAppliesSql('property_sale', 'l.trade')} AND pr.last_sale_date <= ${AS_OF_DATE} AND pr.last_sale_date > ${AS_OF_DATE} - ${SALE_WINDOW_DAYS}`,
    p,
  );
  // Insurance: one row per claim permit and lead; the text is matched once per permit, then joined to the
  // leads at its property and the lead whose own permit it is (two hash joins, not an OR join).
  await c.query(
    `WITH cp AS MATERIALIZED (
       SELECT p.id, p.permit_number, p.property_id, coalesce(p.issue_date, p.applied_date) AS d,
              btrim(coalesce(p.permit_type, '') || ' ' || coalesce(p.work_description, '')) AS txt
         FROM permits p
        WHERE coalesce(p.issue_date, p.applied_date) <= ${AS_OF_DATE}
          AND coalesce(p.issue_date, p.applied_date) > ${AS_OF_DATE} - ${INSURANCE_WINDOW_DAYS}
          AND p.id IN (SELECT q.id FROM permits q JOIN td_leads l ON l.property_id = q.property_id
                       UNION SELECT l.permit_id FROM td_leads l WHERE l.permit_id IS NOT NULL)
          AND (coalesce(p.permit_type, '') || ' ' || coalesce(p.work_description, '')) ~* $4)
     INSERT INTO td_rows
     SELECT DISTINCT ON (m.lead_id, m.id) m.lead_id, 'insurance_claim', m.id::text, ${dateToTs('m.d')}, CASE WHEN m.txt ~* $2 THEN 100 ELSE 90 END,
            jsonb_strip_nulls(jsonb_build_object('permit_id', m.id, 'permit_number', m.permit_number, 'permit_date', m.d,
              'claim_number', substring(m.txt from $3), 'description', left(m.txt, 200))),
            ${dateToTs(`m.d + ${EXPIRY_DAYS.insurance_claim}`)}
       FROM (SELECT l.lead_id, cp.* FROM cp JOIN td_leads l ON l.property_id = cp.property_id WHERE ${triggerAppliesSql('insurance_claim', 'l.trade')}
             UNION ALL
             SELECT l.lead_id, cp.* FROM cp JOIN td_leads l ON l.permit_id = cp.id WHERE ${triggerAppliesSql('insurance_claim', 'l.trade')}) m`,
    // (?i): substring() has no case-insensitive form; the outer group makes it return the whole match.
    [asOf.toISOString(), CLAIM_NUMBER_PATTERN, `(?i)(${CLAIM_NUMBER_PATTERN})`, INSURANCE_PATTERN],
  );
}

export async function indexRows(c: Client): Promise<void> {
  await c.query('CREATE INDEX ON td_rows (base_lead_id); ANALYZE td_rows');
}

export interface RowSummary {
  leads: number;
  byType: Record<string, number>;
}

export async function summarizeRows(c: Client): Promise<RowSummary> {
  const r = await c.query<{ t: string; n: number; leads: number }>(
    `SELECT coalesce(trigger_type, '*') AS t, count(*)::int AS n, count(DISTINCT base_lead_id)::int AS leads FROM td_rows GROUP BY ROLLUP (trigger_type)`,
  );
  const byType: Record<string, number> = {};
  let leads = 0;
  for (const row of r.rows) {
    if (row.t === '*') leads = row.leads;
    else byType[row.t] = row.n;
  }
  return { leads, byType };
}

/**
 * Writes the wanted rows whose lead id falls in [lo, hi): new rows are inserted, rows that differ are
 * updated, identical rows are not touched at all (the anti-join runs first, so they are not even locked).
 * ON CONFLICT … WHERE IS DISTINCT FROM covers a row written concurrently since. A row whose expiry has passed
 * at asOf is stored inactive. The statement triggers on lead_triggers (migration 20261122030000) then stamp
 * the affected leads' inputs_changed_at — only for changed rows.
 */
export async function applyRows(c: Client, asOf: Date, lo: string, hi: string | null): Promise<{ inserted: number; updated: number }> {
  const cols = (a: string) => `(${a}.trigger_date, ${a}.trigger_strength, ${a}.trigger_details, ${a}.expires_at, ${a}.active)`;
  const r = await c.query<{ inserted: boolean }>(
    `INSERT INTO lead_triggers AS t (base_lead_id, trigger_type, source_key, trigger_date, trigger_strength, trigger_details, active, expires_at, expired_at)
     SELECT x.base_lead_id, x.trigger_type, x.source_key, x.trigger_date, x.trigger_strength, x.trigger_details, x.active, x.expires_at,
            CASE WHEN x.active THEN NULL ELSE x.expires_at END
       FROM (SELECT r.*, (r.expires_at IS NULL OR r.expires_at > $1::timestamptz) AS active
               FROM td_rows r WHERE r.base_lead_id >= $2::uuid AND ($3::uuid IS NULL OR r.base_lead_id < $3::uuid)) x
       LEFT JOIN lead_triggers o ON o.base_lead_id = x.base_lead_id AND o.trigger_type = x.trigger_type AND o.source_key = x.source_key
                                -- the slice's range on the stored side too, so each slice reads its part of the
                                -- unique index instead of hashing all of lead_triggers (16 × 2.4M rows at 1M leads)
                                AND o.base_lead_id >= $2::uuid AND ($3::uuid IS NULL OR o.base_lead_id < $3::uuid)
      WHERE o.id IS NULL OR ${cols('o')} IS DISTINCT FROM ${cols('x')}
     ON CONFLICT (base_lead_id, trigger_type, source_key) DO UPDATE
        SET trigger_date = EXCLUDED.trigger_date, trigger_strength = EXCLUDED.trigger_strength, trigger_details = EXCLUDED.trigger_details,
            expires_at = EXCLUDED.expires_at, active = EXCLUDED.active,
            expired_at = CASE WHEN EXCLUDED.active THEN NULL ELSE coalesce(t.expired_at, EXCLUDED.expired_at) END
      WHERE ${cols('t')} IS DISTINCT FROM ${cols('EXCLUDED')}
     RETURNING (t.xmax = 0) AS inserted`,
    [asOf.toISOString(), lo, hi],
  );
  let inserted = 0;
  for (const row of r.rows) if (row.inserted) inserted++;
  return { inserted, updated: r.rows.length - inserted };
}

/**
 * Roof age never expires by date, so it is withdrawn when a run over the lead no longer finds the roof over
 * 20 years (a roof permit appeared, year_built corrected). Other types keep their rows until they expire:
 * seed 002 §3.5.3 gives them a lifetime, and a storm or a permit count leaving the detection window does not
 * undo it.
 */
export async function withdrawRoofAge(c: Client, asOf: Date): Promise<number> {
  const r = await c.query(
    `UPDATE lead_triggers t SET active = false, expired_at = $1::timestamptz
       FROM td_leads l
      WHERE t.base_lead_id = l.lead_id AND t.trigger_type = 'roof_age' AND t.active
        AND NOT EXISTS (SELECT 1 FROM td_rows r WHERE r.base_lead_id = t.base_lead_id AND r.trigger_type = 'roof_age')`,
    [asOf.toISOString()],
  );
  return r.rowCount ?? 0;
}

/**
 * Expiry (seed 002 §3.5.3 "Trigger Expiration"): active rows whose expires_at has passed at asOf become
 * inactive, expired_at = the moment they expired. Uses the partial index lead_triggers_expiry_idx.
 */
export async function expireDue(c: Client, asOf: Date, leadIds?: readonly string[]): Promise<{ expired: number; byType: Record<string, number> }> {
  const r = await c.query<{ trigger_type: string }>(
    `UPDATE lead_triggers SET active = false, expired_at = expires_at
      WHERE active AND expires_at <= $1::timestamptz AND ($2::uuid[] IS NULL OR base_lead_id = ANY($2::uuid[]))
      RETURNING trigger_type`,
    [asOf.toISOString(), leadIds?.length ? leadIds : null],
  );
  const byType: Record<string, number> = {};
  for (const row of r.rows) byType[row.trigger_type] = (byType[row.trigger_type] ?? 0) + 1;
  return { expired: r.rows.length, byType };
}

// ---------------------------------------------------------------------------------------------------------
// Incremental runs (issue 8 §7): a whole run re-derives only the subjects whose inputs can have changed since
// the previous whole run.

export interface WholeRun {
  asOf: Date;
  rulesVersion: string;
  /** pg_snapshot_xmin(pg_current_snapshot()) when the run started: a 64-bit transaction id (epoch · 2^32 + xid). */
  startXid: bigint;
  /** The 32-bit ids of the run's own write transactions: rows only it wrote are not changes. */
  ownXids: readonly string[];
}

/**
 * Runs one of the run's writes in its own transaction and returns the transaction's 32-bit id (null when it
 * wrote nothing), so the next run can tell the run's own writes from everyone else's. Known gap: another
 * writer's edit committed during a run, to a row the run then rewrites itself (a property's neighbour counts, a
 * lead's last_roof_permit_date), carries the run's xid afterwards; if the run read that row before the edit,
 * the edit waits for the next full run (`full: true`).
 */
export async function ownWrite<T>(c: Client, fn: () => Promise<T>, xids: string[]): Promise<T> {
  await c.query('BEGIN');
  try {
    const r = await fn();
    const x = await c.query<{ x: string | null }>(`SELECT (pg_current_xact_id_if_assigned()::text::bigint % 4294967296)::text AS x`);
    await c.query('COMMIT');
    if (x.rows[0]!.x !== null) xids.push(x.rows[0]!.x);
    return r;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * The oldest transaction still running now, as a 64-bit id. Every row committed by a transaction that had not
 * committed before this instant carries an xmin at or above it (its 32-bit part, within the same epoch).
 */
export async function currentStartXid(c: Client): Promise<bigint> {
  const r = await c.query<{ x: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x');
  return BigInt(r.rows[0]!.x);
}

export async function lastWholeRun(c: Client): Promise<WholeRun | null> {
  const r = await c.query<{ as_of: Date; rules_version: string; start_xid: string; own_xids: string[] }>(
    'SELECT as_of, rules_version, start_xid::text, own_xids::text[] FROM trigger_runs ORDER BY finished_at DESC, id DESC LIMIT 1',
  );
  const row = r.rows[0];
  return row ? { asOf: row.as_of, rulesVersion: row.rules_version, startXid: BigInt(row.start_xid), ownXids: row.own_xids } : null;
}

export async function recordWholeRun(
  c: Client,
  o: WholeRun & { mode: 'full' | 'incremental'; startedAt: Date; result: object },
): Promise<void> {
  await c.query(
    `INSERT INTO trigger_runs (as_of, mode, rules_version, start_xid, own_xids, started_at, result) VALUES ($1, $2, $3, $4::bigint, $5::bigint[], $6, $7::jsonb)`,
    [o.asOf.toISOString(), o.mode, o.rulesVersion, o.startXid.toString(), o.ownXids, o.startedAt.toISOString(), JSON.stringify(o.result)],
  );
}

/**
 * Fills td_changed_p (properties) and td_changed_l (live leads) with every subject whose detection inputs can
 * differ between the previous whole run (as of `prev.asOf`, started at transaction horizon `prev.startXid`) and
 * `asOf`. Over-approximate by design — a subject listed needlessly only costs its re-derivation:
 *   - rows any writer committed since the previous run's start (xmin at or above its horizon): leads, properties
 *     (year built, sale, location), roof analyses;
 *   - permits changed since, or whose date crossed a window edge between the two instants (entering: issued in
 *     (prev, asOf]; leaving: 30/60/90 days for neighbour counts, 365 for insurance claims) — the properties and
 *     property-less leads within 0.25 mi, the permit's own property and the lead whose own permit it is;
 *   - storms changed since, or whose instant entered or left the 90-day window — the subjects within its radius;
 *   - properties whose sale entered or left the 12-month window or whose sale strength (which falls by the day)
 *     rounds differently at asOf;
 *   then each set is closed over the other (a changed property's leads, a changed lead's property).
 * The caller guarantees the same xid epoch and the same UTC year (roof age moves on 1 January).
 * Returns the sizes.
 */
export async function markChangedSubjects(c: Client, prev: WholeRun, asOf: Date): Promise<{ properties: number; leads: number }> {
  const xid32 = (prev.startXid & 0xffff_ffffn).toString();
  // $1 asOf, $2 prev.asOf, $3 the horizon's 32-bit xid, $4 the previous run's own write transactions
  const params = [asOf.toISOString(), prev.asOf.toISOString(), xid32, prev.ownXids];
  const dA = `(($1::timestamptz) AT TIME ZONE 'UTC')::date`;
  const dP = `(($2::timestamptz) AT TIME ZONE 'UTC')::date`;
  const changedSince = (a: string, n = 3) => `(${a}.xmin::text::bigint >= $${n}::bigint AND ${a}.xmin::text::bigint <> ALL($${n + 1}::bigint[]))`;
  // `x` lies between two edges (either way round): an edge moved past it between the previous run and this one.
  const between = (x: string, from: string, to: string) => `(${x} > ${from} AND ${x} <= ${to}) OR (${x} > ${to} AND ${x} <= ${from})`;
  const entered = (d: string) => between(d, dP, dA);
  const crossed = (d: string, days: number) => between(d, `${dP} - ${days}`, `${dA} - ${days}`);
  const claimDate = 'coalesce(p.issue_date, p.applied_date)';
  await c.query('CREATE UNLOGGED TABLE td_changed_p (id uuid PRIMARY KEY); CREATE UNLOGGED TABLE td_changed_l (id uuid PRIMARY KEY)');

  // Permits: changed rows, and dates that crossed an edge of a window.
  await c.query(
    `CREATE UNLOGGED TABLE td_chg_permits AS
     SELECT p.id, p.geog, p.property_id FROM permits p
      WHERE ${changedSince('p')} OR ${entered('p.issue_date')}
         OR ${NEIGHBOR_WINDOWS_DAYS.map((d) => crossed('p.issue_date', d)).join(' OR ')}
         OR ${entered(claimDate)} OR ${crossed(claimDate, INSURANCE_WINDOW_DAYS)}`,
    params,
  );
  // Storms: changed rows, and instants that entered or left the 90-day window.
  const at = `coalesce(w.begin_at, ${dateToTs('w.event_date')})`;
  const window = `interval '${WEATHER_WINDOW_DAYS} days'`;
  await c.query(
    `CREATE UNLOGGED TABLE td_chg_storms AS
     SELECT w.geog, coalesce(w.radius_miles::float8, ${WEATHER_RADIUS_MILES}) AS radius_miles FROM weather_events w
      WHERE w.geog IS NOT NULL
        AND (${changedSince('w')}
             OR ${between(at, `$2::timestamptz - ${window}`, `$1::timestamptz - ${window}`)}
             OR ${between(at, '$2::timestamptz', '$1::timestamptz')})`,
    params,
  );
  await c.query('ANALYZE td_chg_permits; ANALYZE td_chg_storms');

  const near = (src: string, radius: string) => `
     SELECT x.id FROM ${src} s JOIN properties x ON ST_DWithin(x.geog, s.geog, ${radius}, ${SPHEROID}) WHERE s.geog IS NOT NULL`;
  const nearLeads = (src: string, radius: string) => `
     SELECT x.id FROM ${src} s JOIN base_leads x ON ST_DWithin(x.geog, s.geog, ${radius}, ${SPHEROID})
      WHERE s.geog IS NOT NULL AND x.property_id IS NULL AND x.deleted_at IS NULL`;
  const sale = 'pr.last_sale_date';
  await c.query(
    `INSERT INTO td_changed_p
     SELECT pr.id FROM properties pr WHERE ${changedSince('pr')}
     UNION SELECT property_id FROM td_chg_permits WHERE property_id IS NOT NULL
     UNION ${near('td_chg_permits', String(NEIGHBOR_RADIUS_M))}
     UNION ${near('td_chg_storms', `s.radius_miles * ${METRES_PER_MILE}`)}
     UNION SELECT pr.id FROM properties pr
            WHERE ${sale} > least(${dA}, ${dP}) - ${SALE_WINDOW_DAYS} AND ${sale} <= greatest(${dA}, ${dP})
              AND ((${sale} > ${dA} - ${SALE_WINDOW_DAYS} AND ${sale} <= ${dA}) IS DISTINCT FROM (${sale} > ${dP} - ${SALE_WINDOW_DAYS} AND ${sale} <= ${dP})
                   OR (${saleStrengthSql(`${dA} - ${sale}`)}) IS DISTINCT FROM (${saleStrengthSql(`${dP} - ${sale}`)}))`,
    params,
  );
  await c.query(
    `INSERT INTO td_changed_l
     SELECT b.id FROM base_leads b WHERE ${changedSince('b', 1)} AND b.deleted_at IS NULL
     UNION SELECT b.id FROM base_leads b JOIN td_chg_permits p ON p.id = b.permit_id WHERE b.deleted_at IS NULL
     UNION SELECT ra.base_lead_id FROM roof_analysis ra WHERE ${changedSince('ra', 1)}
     UNION ${nearLeads('td_chg_permits', String(NEIGHBOR_RADIUS_M))}
     UNION ${nearLeads('td_chg_storms', `s.radius_miles * ${METRES_PER_MILE}`)}`,
    [xid32, prev.ownXids],
  );
  // Close the two sets over each other: a changed property's leads; a changed lead's property.
  await c.query(
    `INSERT INTO td_changed_p SELECT DISTINCT b.property_id FROM base_leads b JOIN td_changed_l l ON l.id = b.id WHERE b.property_id IS NOT NULL
     ON CONFLICT DO NOTHING`,
  );
  await c.query(
    `INSERT INTO td_changed_l SELECT b.id FROM base_leads b JOIN td_changed_p p ON p.id = b.property_id WHERE b.deleted_at IS NULL
     ON CONFLICT DO NOTHING`,
  );
  await c.query('DROP TABLE td_chg_permits, td_chg_storms; ANALYZE td_changed_p; ANALYZE td_changed_l');
  const n = await c.query<{ p: number; l: number }>('SELECT (SELECT count(*) FROM td_changed_p)::int AS p, (SELECT count(*) FROM td_changed_l)::int AS l');
  return { properties: n.rows[0]!.p, leads: n.rows[0]!.l };
}

/** base_leads' row count, what the changed share is measured against: the planner's estimate (scoring.repository). */
export async function estimateLeadRows(c: pg.PoolClient): Promise<number> {
  const n = await plannerLeadRows(c);
  // Before the first ANALYZE (a small or new table) the estimate is 0: count.
  if (n >= 10_000) return n;
  return (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM base_leads')).rows[0]!.n;
}
