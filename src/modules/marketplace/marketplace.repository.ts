import { Prisma, type Db } from '../../platform/db.ts';

// --- idempotency_keys -------------------------------------------------------------------------------------

/** INSERT … ON CONFLICT DO NOTHING (createMany skipDuplicates): 1 when this request claimed the key. */
export async function claimIdempotencyKey(db: Db, row: { scope: string; key: string; requestHash: string }): Promise<boolean> {
  const r = await db.idempotencyKey.createMany({ data: [row], skipDuplicates: true });
  return r.count === 1;
}

export const findIdempotencyKey = (db: Db, scope: string, key: string) =>
  db.idempotencyKey.findUnique({ where: { scope_key: { scope, key } } });

export const storeIdempotentResponse = (db: Db, scope: string, key: string, statusCode: number, response: Prisma.InputJsonValue) =>
  db.idempotencyKey.update({ where: { scope_key: { scope, key } }, data: { statusCode, response } });

// --- lead_assignments -------------------------------------------------------------------------------------

/** Sales this month that still count against the quota (refunded ones do not). */
export const countAssignmentsSince = (db: Db, contractorId: string, since: Date) =>
  db.leadAssignment.count({ where: { contractorId, assignedAt: { gte: since }, refundedAt: null } });

export const insertAssignment = (db: Db, data: { baseLeadId: string; contractorId: string; pricePaid: number | null; idempotencyKey: string | null; assignedAt: Date }) =>
  db.leadAssignment.create({ data, select: { id: true } });

/** The live sale of a lead (at most one: partial unique index lead_assignments_one_active_sale). */
export const updateActiveAssignment = (db: Db, leadId: string, data: Prisma.LeadAssignmentUncheckedUpdateManyInput) =>
  db.leadAssignment.updateMany({ where: { baseLeadId: leadId, refundedAt: null }, data });

export const findActiveAssignment = (db: Db, leadId: string) =>
  db.leadAssignment.findFirst({ where: { baseLeadId: leadId, refundedAt: null } });

/**
 * A contractor's live purchases, newest first, keyset on (assigned_at, id). Raw SQL so the cursor carries
 * assigned_at at full microsecond precision (a JS Date would round it and skip or repeat rows).
 */
export function listActiveAssignments(db: Db, opts: { contractorId: string; after?: [string, string]; limit: number }) {
  const [at, id] = opts.after ?? [null, null];
  return db.$queryRaw<{ id: string; leadId: string; assignedAtKey: string }[]>`
    SELECT a.id::text AS "id", a.base_lead_id::text AS "leadId", a.assigned_at::text AS "assignedAtKey"
      FROM lead_assignments a
     WHERE a.contractor_id = ${opts.contractorId}::uuid AND a.refunded_at IS NULL
       AND (${at}::timestamptz IS NULL OR (a.assigned_at, a.id) < (${at}::timestamptz, ${id}::uuid))
     ORDER BY a.assigned_at DESC, a.id DESC
     LIMIT ${opts.limit}`;
}

/**
 * The same purchases ordered by a score, best first: the sale's seed 003 ai_priority (unscored as -1, last) or
 * the lead's seed 004 engagement_score; keyset on (score, assigned_at, id). One contractor's purchases are few,
 * so this sorts them without an index (an index on a score column would also stop its rewrites being HOT).
 */
export function listActiveAssignmentsByScore(db: Db, opts: { contractorId: string; by: 'ai_priority' | 'engagement'; after?: [number, string, string]; limit: number }) {
  const score = opts.by === 'ai_priority' ? Prisma.sql`COALESCE(a.ai_priority, -1)` : Prisma.sql`b.engagement_score`;
  const [k, at, id] = opts.after ?? [null, null, null];
  return db.$queryRaw<{ id: string; leadId: string; assignedAtKey: string; scoreKey: number }[]>`
    SELECT a.id::text AS "id", a.base_lead_id::text AS "leadId", a.assigned_at::text AS "assignedAtKey", ${score} AS "scoreKey"
      FROM lead_assignments a JOIN base_leads b ON b.id = a.base_lead_id
     WHERE a.contractor_id = ${opts.contractorId}::uuid AND a.refunded_at IS NULL
       AND (${k}::int IS NULL OR (${score}, a.assigned_at, a.id) < (${k}::int, ${at}::timestamptz, ${id}::uuid))
     ORDER BY ${score} DESC, a.assigned_at DESC, a.id DESC
     LIMIT ${opts.limit}`;
}

// --- lead_views (seed 002 §3.5.2 demand premium) ------------------------------------------------------------

/**
 * Records a contractor's preview of a lead: one row per contractor, lead and UTC day (later views that day bump it).
 * Serialized per lead by a transaction-scoped advisory lock, so of two contractors previewing at once exactly one
 * sees the other and is "the second viewer". Returns whether this contractor is new in the 24-hour window and how
 * many distinct contractors it now holds. Raw SQL: ON CONFLICT … DO UPDATE with an increment, and the lock.
 */
export async function recordLeadView(db: Db, leadId: string, contractorId: string, windowHours: number): Promise<{ newViewer: boolean; viewers: number }> {
  await db.$executeRaw`SELECT pg_advisory_xact_lock(${LEAD_VIEW_LOCK_NS}::int, hashtext(${leadId}))`;
  const [before] = await db.$queryRaw<{ recent: boolean; others: number }[]>`
    SELECT EXISTS (SELECT 1 FROM lead_views WHERE lead_id = ${leadId}::uuid AND contractor_id = ${contractorId}::uuid
                     AND last_viewed_at > now() - make_interval(hours => ${windowHours}::int)) AS recent,
           (SELECT count(DISTINCT contractor_id)::int FROM lead_views WHERE lead_id = ${leadId}::uuid AND contractor_id <> ${contractorId}::uuid
              AND last_viewed_at > now() - make_interval(hours => ${windowHours}::int)) AS others`;
  await db.$executeRaw`
    INSERT INTO lead_views (lead_id, contractor_id, viewed_on) VALUES (${leadId}::uuid, ${contractorId}::uuid, (now() AT TIME ZONE 'UTC')::date)
    ON CONFLICT (lead_id, contractor_id, viewed_on) DO UPDATE SET last_viewed_at = now(), views = lead_views.views + 1`;
  return { newViewer: !before!.recent, viewers: before!.others + 1 };
}

const LEAD_VIEW_LOCK_NS = 7_307_031;
