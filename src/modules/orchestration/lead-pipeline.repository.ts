import type { Db } from '../../platform/db.ts';

/** Stage-run bookkeeping of the lead pipeline (table pipeline_stage_runs, migration 20261122100000). */

export type StageStatus = 'done' | 'skipped' | 'failed';

export interface StageRunRow {
  leadId: string;
  status: StageStatus;
  reason: string | null;
  details: Record<string, unknown> | null;
}

/** Leads of `ids` that exist, are not deleted, and have no finished (done/skipped) run of this stage version. */
export async function findUnfinished(db: Db, stage: string, version: string, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT b.id FROM base_leads b
     WHERE b.id = ANY(${ids}::uuid[]) AND b.deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM pipeline_stage_runs r
                        WHERE r.base_lead_id = b.id AND r.stage = ${stage} AND r.stage_version = ${version}
                          AND r.status IN ('done', 'skipped'))
     ORDER BY b.id`;
  return rows.map((r) => r.id);
}

/** Attempts so far of the failed runs among `ids` (leads without a run are absent). */
export async function failedAttempts(db: Db, stage: string, version: string, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db.$queryRaw<{ id: string; attempts: number }[]>`
    SELECT base_lead_id AS id, attempts FROM pipeline_stage_runs
     WHERE base_lead_id = ANY(${ids}::uuid[]) AND stage = ${stage} AND stage_version = ${version} AND status = 'failed'`;
  return new Map(rows.map((r) => [r.id, r.attempts]));
}

/**
 * Takes the row locks of these leads (id order, so two stages never deadlock). The parallel stages of one lead
 * finish in separate transactions; holding the lead's lock while recording a run and checking the join makes
 * the last one to finish see the others' runs, so exactly one of them emits the join event.
 */
export async function lockLeads(db: Db, ids: string[]): Promise<void> {
  if (ids.length) await db.$queryRaw`SELECT id FROM base_leads WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR NO KEY UPDATE`;
}

/** Upserts one run per lead; a repeated failure counts attempts. */
export async function recordRuns(db: Db, stage: string, version: string, jobId: string | null, rows: StageRunRow[]): Promise<void> {
  if (!rows.length) return;
  await db.$executeRaw`
    INSERT INTO pipeline_stage_runs (base_lead_id, stage, stage_version, status, reason, details, job_id)
    SELECT x.id, ${stage}, ${version}, x.status, x.reason, x.details::jsonb, ${jobId}
      FROM unnest(${rows.map((r) => r.leadId)}::uuid[], ${rows.map((r) => r.status)}::text[],
                  ${rows.map((r) => r.reason)}::text[], ${rows.map((r) => (r.details ? JSON.stringify(r.details) : null))}::text[])
           AS x(id, status, reason, details)
    ON CONFLICT (base_lead_id, stage, stage_version) DO UPDATE SET
      status = EXCLUDED.status, reason = EXCLUDED.reason, details = EXCLUDED.details, job_id = EXCLUDED.job_id,
      attempts = pipeline_stage_runs.attempts + 1, completed_at = now()`;
}

/**
 * The join of parallel stages: for each lead whose runs of every stage in `stages` are finished, inserts the
 * join's own run row; only the caller whose INSERT created it gets the lead back (ON CONFLICT DO NOTHING), so
 * the join fires once per lead.
 */
export async function completeJoin(db: Db, join: { stage: string; version: string }, stages: { stage: string; version: string }[], ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const names = stages.map((s) => s.stage);
  const versions = stages.map((s) => s.version);
  const rows = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO pipeline_stage_runs (base_lead_id, stage, stage_version, status)
    SELECT l.id, ${join.stage}, ${join.version}, 'done'
      FROM unnest(${ids}::uuid[]) AS l(id)
     WHERE (SELECT count(*) FROM pipeline_stage_runs r
              JOIN unnest(${names}::text[], ${versions}::text[]) AS s(stage, version) ON s.stage = r.stage AND s.version = r.stage_version
             WHERE r.base_lead_id = l.id AND r.status IN ('done', 'skipped')) = ${names.length}
    ON CONFLICT DO NOTHING
    RETURNING base_lead_id AS id`;
  return rows.map((r) => r.id);
}

/**
 * Leads in `statuses`, created since `since`, with a finished run of `after` (or any lead when `after` is null)
 * and no finished run of `stage`: what the sweep re-queues for that stage.
 */
export async function findStalled(
  db: Db,
  q: { stage: string; version: string; after: { stage: string; version: string } | null; statuses: string[]; since: Date; limit: number; timeZone?: string },
): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT b.id FROM base_leads b
     WHERE b.deleted_at IS NULL AND b.status::text = ANY(${q.statuses}::text[]) AND b.created_at >= ${q.since}
       AND (${q.after?.stage ?? null}::text IS NULL OR EXISTS (
             SELECT 1 FROM pipeline_stage_runs a WHERE a.base_lead_id = b.id AND a.stage = ${q.after?.stage ?? ''}
                AND a.stage_version = ${q.after?.version ?? ''} AND a.status IN ('done', 'skipped')))
       AND NOT EXISTS (SELECT 1 FROM pipeline_stage_runs r WHERE r.base_lead_id = b.id AND r.stage = ${q.stage}
                          AND r.stage_version = ${q.version} AND r.status IN ('done', 'skipped'))
       AND (${q.timeZone ?? null}::text IS NULL OR EXISTS (
             SELECT 1 FROM target_cities tc WHERE lower(tc.city) = lower(b.city) AND tc.state = b.state AND tc.time_zone = ${q.timeZone ?? null}))
     ORDER BY b.created_at, b.id
     LIMIT ${q.limit}`;
  return rows.map((r) => r.id);
}

/** Permits scraped since `since` (of cities in `timeZone`, when given) that no lead names as its permit. */
export async function findPermitsWithoutLeads(db: Db, since: Date, limit: number, timeZone?: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT p.id FROM permits p
     WHERE p.scraped_at >= ${since}
       AND NOT EXISTS (SELECT 1 FROM base_leads b WHERE b.permit_id = p.id)
       AND (${timeZone ?? null}::text IS NULL OR EXISTS (
             SELECT 1 FROM target_cities tc WHERE tc.id = p.target_city_id AND tc.time_zone = ${timeZone ?? null}))
     ORDER BY p.scraped_at, p.id
     LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

/** Per stage and status: how far leads got (demo summary, progress endpoint). */
export async function countRunsByStage(db: Db, leadIds?: string[]): Promise<{ stage: string; status: string; n: number }[]> {
  return db.$queryRaw<{ stage: string; status: string; n: number }[]>`
    SELECT stage, status, count(*)::int AS n FROM pipeline_stage_runs
     WHERE (${leadIds ?? null}::uuid[] IS NULL OR base_lead_id = ANY(${leadIds ?? null}::uuid[]))
     GROUP BY stage, status ORDER BY stage, status`;
}
