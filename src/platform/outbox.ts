import type { Db } from './db.ts';

/**
 * Transactional outbox (DESIGN.md): an event is written in the same transaction as the change that caused
 * it, and relayed to BullMQ afterwards by the worker's relay (at-least-once; handlers are idempotent).
 * Pass the transaction client so the event commits or rolls back with the change.
 */
export async function writeOutbox(db: Db, event: { topic: string; payload: Record<string, unknown>; dedupeKey?: string }): Promise<void> {
  await db.outbox.create({ data: { topic: event.topic, payload: event.payload as object, dedupeKey: event.dedupeKey ?? null } });
}

/** Audit trail row in system_events (lead transitions, admin actions). Same transaction as the change. */
export async function recordSystemEvent(
  db: Db,
  e: { eventType: string; eventName: string; service: string; entityType?: string; entityId?: string; data?: Record<string, unknown>; severity?: 'debug' | 'info' | 'warning' | 'error' | 'critical' },
): Promise<void> {
  await db.systemEvent.create({
    data: {
      eventType: e.eventType,
      eventName: e.eventName,
      service: e.service,
      entityType: e.entityType ?? null,
      entityId: e.entityId ?? null,
      eventData: (e.data ?? {}) as object,
      severity: e.severity ?? 'info',
    },
  });
}
