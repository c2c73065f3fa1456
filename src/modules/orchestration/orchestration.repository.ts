import type pg from 'pg';
import type { Db } from '../../platform/db.ts';

// ---------------------------------------------------------------------------------------------------------
// Outbox relay
// ---------------------------------------------------------------------------------------------------------

export interface OutboxRow {
  id: number;
  createdAt: Date;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
}

// Raw SQL: Prisma cannot say FOR UPDATE SKIP LOCKED. Runs on the relay's own transaction client, so the
// locks hold until the batch commits and two relays never take the same rows.
export async function lockPendingOutbox(client: pg.PoolClient, opts: { now: Date; limit: number }): Promise<OutboxRow[]> {
  const r = await client.query<OutboxRow>(
    `SELECT id, created_at AS "createdAt", topic, payload, attempts
       FROM outbox
      WHERE relayed_at IS NULL AND available_at <= $1
      ORDER BY id
      LIMIT $2
        FOR UPDATE SKIP LOCKED`,
    [opts.now, opts.limit],
  );
  return r.rows;
}

export async function markOutboxRelayed(client: pg.PoolClient, id: number, lastError: string | null = null): Promise<void> {
  await client.query('UPDATE outbox SET relayed_at = now(), last_error = $2 WHERE id = $1', [id, lastError]);
}

/** Leaves the event pending and pushes it back by `delayMs` (computed by the caller from its attempts). */
export async function markOutboxFailed(client: pg.PoolClient, id: number, error: string, delayMs: number): Promise<void> {
  await client.query(
    `UPDATE outbox
        SET attempts = attempts + 1,
            last_error = $2,
            available_at = now() + make_interval(secs => $3::double precision / 1000)
      WHERE id = $1`,
    [id, error.slice(0, 2000), delayMs],
  );
}

export const countPendingOutbox = (db: Db) => db.outbox.count({ where: { relayedAt: null } });

// ---------------------------------------------------------------------------------------------------------
// job_runs: the database guard of jobs with side effects
// ---------------------------------------------------------------------------------------------------------

/**
 * Claims `runKey`: inserts a running row, or takes over a row whose earlier attempt failed or went stale
 * (crashed worker). Returns the row id, or null when another attempt owns or finished the run.
 * Raw SQL: Prisma cannot say ON CONFLICT … DO UPDATE … WHERE.
 */
export async function claimJobRun(db: Db, opts: { name: string; runKey: string; bullmqJobId: string | null; staleAfterMs: number }): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO job_runs (name, run_key, bullmq_job_id)
    VALUES (${opts.name}, ${opts.runKey}, ${opts.bullmqJobId})
    ON CONFLICT (run_key) DO UPDATE
       SET status = 'running', started_at = now(), finished_at = NULL, error = NULL, progress = 0,
           bullmq_job_id = EXCLUDED.bullmq_job_id
     WHERE job_runs.status = 'failed'
        OR (job_runs.status = 'running' AND job_runs.started_at < now() - make_interval(secs => ${opts.staleAfterMs / 1000}::double precision))
    RETURNING id::text AS id`;
  return rows[0]?.id ?? null;
}

export const finishJobRun = (db: Db, id: string, data: { status: 'completed' | 'failed'; counts?: Record<string, unknown>; error?: string }) =>
  db.jobRun.update({
    where: { id },
    data: {
      status: data.status,
      finishedAt: new Date(),
      ...(data.status === 'completed' ? { progress: 100 } : {}),
      ...(data.counts ? { counts: data.counts as object } : {}),
      error: data.error?.slice(0, 2000) ?? null,
    },
  });

// ---------------------------------------------------------------------------------------------------------
// schedule_states
// ---------------------------------------------------------------------------------------------------------

export const listScheduleStates = (db: Db) => db.scheduleState.findMany();

export const findScheduleState = (db: Db, name: string) => db.scheduleState.findUnique({ where: { name } });

export const setSchedulePaused = (db: Db, name: string, paused: boolean) =>
  db.scheduleState.upsert({ where: { name }, create: { name, paused }, update: { paused } });

export const touchScheduleTick = (db: Db, name: string, at: Date) =>
  db.scheduleState.upsert({ where: { name }, create: { name, lastTickAt: at }, update: { lastTickAt: at } });

// ---------------------------------------------------------------------------------------------------------
// Maintenance jobs
// ---------------------------------------------------------------------------------------------------------

/** One conditional UPDATE: only reservations still held and past their deadline go back on sale. */
export const releaseExpiredReservations = (db: Db, now: Date) =>
  db.baseLead.updateMany({
    where: { status: 'reserved', reservedUntil: { lt: now }, deletedAt: null },
    data: { status: 'available', reservedBy: null, reservedAt: null, reservedUntil: null, version: { increment: 1 } },
  });

export const expireLapsedTerritories = (db: Db, now: Date) =>
  db.territory.updateMany({ where: { status: 'active', expiresAt: { lt: now } }, data: { status: 'expired' } });

// ---------------------------------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------------------------------

/**
 * lead_available for every active contractor holding a live territory on the lead's (zip, trade); when no
 * one holds it, every active contractor in the lead's city/state. ON CONFLICT DO NOTHING on
 * (contractor_id, kind, lead_id) makes re-delivery of the event a no-op. Returns how many rows were new.
 * Raw SQL: one INSERT … SELECT with a fallback branch and ON CONFLICT is beyond Prisma.
 */
export async function insertLeadAvailableNotifications(db: Db, leadId: string): Promise<{ found: boolean; inserted: number; matchedBy: 'territory' | 'city' | null }> {
  const rows = await db.$queryRaw<{ found: boolean; inserted: number; holders: number }[]>`
    WITH lead AS (
      SELECT id, zip, trade, city, state, quality_score, price FROM base_leads WHERE id = ${leadId}::uuid AND deleted_at IS NULL
    ),
    holders AS (
      SELECT DISTINCT t.contractor_id
        FROM territories t
        JOIN lead l ON t.trade = l.trade
                   AND ((t.kind = 'zip' AND t.zip = l.zip) OR (t.kind = 'city' AND lower(t.city) = lower(l.city) AND t.state = l.state))
        JOIN contractors c ON c.id = t.contractor_id
       WHERE t.status = 'active' AND t.starts_at <= now() AND (t.expires_at IS NULL OR t.expires_at > now())
         AND c.status = 'active' AND c.deleted_at IS NULL
    ),
    targets AS (
      SELECT contractor_id FROM holders
      UNION
      SELECT c.id
        FROM contractors c
        JOIN lead l ON lower(c.city) = lower(l.city) AND c.state = l.state
       WHERE NOT EXISTS (SELECT 1 FROM holders) AND c.status = 'active' AND c.deleted_at IS NULL
    ),
    ins AS (
      INSERT INTO notifications (contractor_id, kind, lead_id, channel, payload)
      SELECT tg.contractor_id, 'lead_available', l.id, 'in_app',
             jsonb_build_object('leadId', l.id, 'city', l.city, 'state', l.state, 'zip', l.zip, 'trade', l.trade,
                                'qualityScore', l.quality_score, 'price', l.price)
        FROM targets tg CROSS JOIN lead l
      ON CONFLICT (contractor_id, kind, lead_id) DO NOTHING
      RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM lead) AS found,
           (SELECT count(*) FROM ins)::int AS inserted,
           (SELECT count(*) FROM holders)::int AS holders`;
  const r = rows[0]!;
  return { found: r.found, inserted: r.inserted, matchedBy: !r.found ? null : r.holders > 0 ? 'territory' : 'city' };
}

export const findLeadBuyer = (db: Db, leadId: string) =>
  db.baseLead.findUnique({ where: { id: leadId }, select: { id: true, soldToContractorId: true, soldPrice: true, city: true, state: true, trade: true } });

/** The buyer's lead_purchased notification; createMany + skipDuplicates is ON CONFLICT DO NOTHING. */
export const insertLeadPurchasedNotification = (db: Db, data: { contractorId: string; leadId: string; payload: Record<string, unknown> }) =>
  db.notification.createMany({
    data: [{ contractorId: data.contractorId, kind: 'lead_purchased', leadId: data.leadId, channel: 'in_app', payload: data.payload as object }],
    skipDuplicates: true,
  });
