import type { Db, Prisma } from '../../platform/db.ts';

/**
 * SQL of lead creation from permits: leads by their natural key, the insert of new ones, the intent columns of
 * scored ones. Status changes go through leads.service transitionLead.
 */

export const findVerticalIds = (db: Db) => db.vertical.findMany({ select: { id: true, slug: true } });

/** The base_leads natural key (issue 8 §1): one lead per property and trade. */
export interface LeadKey {
  address: string;
  city: string;
  state: string;
  trade: string;
}

/** Leads at these (address, city, state, trade) keys. */
export const findLeadsByKeys = (db: Db, keys: LeadKey[]) =>
  db.baseLead.findMany({
    where: { OR: keys.map((k) => ({ address: k.address, city: k.city, state: k.state, trade: k.trade })) },
    select: { id: true, status: true, deletedAt: true, address: true, city: true, state: true, trade: true, qualityScore: true },
  });

/** ON CONFLICT DO NOTHING: a lead another writer inserted meanwhile is found by the caller's next read. */
export const insertLeadsIfAbsent = (db: Db, data: Prisma.BaseLeadCreateManyInput[]) => db.baseLead.createMany({ data, skipDuplicates: true });

/** Scoring columns only; status moves through leads.service transitionLead. */
export const updateLeadColumns = (db: Db, id: string, data: Prisma.BaseLeadUncheckedUpdateManyInput) =>
  db.baseLead.updateMany({ where: { id, deletedAt: null }, data });
