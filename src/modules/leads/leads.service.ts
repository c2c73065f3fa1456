import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { isStaff, requireRole, type Principal } from '../../platform/auth.ts';
import { decimalToNumber, isUniqueViolation, type Db, Prisma } from '../../platform/db.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import { recordSystemEvent, writeOutbox } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { tradeGroupOf } from '../../../prisma/seed/taxonomy.ts';
import { gradeForScore, MIN_SELLABLE_SCORE } from '../scoring/grade.ts';
import { propertyValueOf } from '../scoring/property-value.ts';
import { DIRECTIONAL_ABBREVIATIONS, parseStreet } from '../acquisition/address.ts';
import { canTransition, SOLD_STATUSES, type LeadStatus } from './leads.lifecycle.ts';
import * as repo from './leads.repository.ts';
import type {
  TCreateLeadBody,
  TLeadFull,
  TLeadPreview,
  TListLeadsQuery,
  TUpdateLeadBody,
} from './leads.schemas.ts';

const SERVICE = 'leads';

export type { LeadState } from './leads.repository.ts';

const num = decimalToNumber;
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

const leadNotFound = (id: string) => new AppError('LEAD_NOT_FOUND', { message: `lead ${id} not found` });

// ---------------------------------------------------------------------------------------------------------
// Views

/**
 * The street a preview may show (seed 002 §6.4 step 3): the USPS street name parsed from the address — never its
 * primary number or units — written for reading ("N LAMAR BLVD" → "N Lamar Blvd"). "123 5th Ave, Apt 2" →
 * "5th Ave"; "N123 W4567 Main St" → "Main St"; "1234" → null.
 */
export function previewStreet(address: string): string | null {
  const { street } = parseStreet(address);
  if (street === null) return null;
  return street
    .split(' ')
    .map((t) => (DIRECTIONAL_ABBREVIATIONS.has(t) ? t : t.charAt(0) + t.slice(1).toLowerCase()))
    .join(' ');
}

/** seed 002 §6.4 step 3 "property value range": the $100k bucket the value falls in. */
export function propertyValueRange(value: number | null): { min: number; max: number } | null {
  if (value === null || !Number.isFinite(value) || value < 0) return null;
  const min = Math.floor(value / 100_000) * 100_000;
  return { min, max: min + 100_000 };
}

/** What a preview is built from: a listing row, or a single lead read the same way (no cursor key). */
type PreviewSource = Omit<repo.ListedLeadRow, 'createdAtKey'>;

function toPreview(s: PreviewSource): TLeadPreview {
  return {
    view: 'preview',
    id: s.id,
    status: s.status,
    trade: s.trade,
    street: previewStreet(s.address),
    city: s.city,
    state: s.state,
    zip: s.zip,
    propertyValueRange: propertyValueRange(s.propertyValue),
    qualityScore: s.qualityScore,
    grade: (s.grade as TLeadPreview['grade']) ?? null,
    price: s.price,
    roofSummary: s.roofCondition ? { overallCondition: s.roofCondition } : null,
    triggerTypes: [...new Set(s.triggerTypes)].sort(),
    publishedAt: iso(s.publishedAt),
    createdAt: s.createdAt.toISOString(),
  };
}

/** The lead's market value, estimated from its assessed value when only that is known (issue 8 §3). */
const valueOfLead = (r: { propertyValue: Prisma.Decimal | null; marketValue: Prisma.Decimal | null; assessedValue: Prisma.Decimal | null; state: string }) =>
  propertyValueOf({ marketValue: num(r.propertyValue) ?? num(r.marketValue), assessedValue: num(r.assessedValue), state: r.state });

/** The revealed lead; owner contacts are decrypted here and nowhere else. */
export function toLeadFull(cipher: FieldCipher, r: repo.FullLeadRow): TLeadFull {
  const roof = r.roofAnalyses[0];
  const a = r.assignments[0];
  const value = valueOfLead(r);
  return {
    view: 'full',
    id: r.id,
    status: r.status,
    trade: r.trade,
    tradeGroup: r.tradeGroup,
    address: r.address,
    city: r.city,
    state: r.state,
    zip: r.zip,
    lat: r.lat,
    lng: r.lng,
    owner: {
      name: r.ownerName,
      email: r.ownerEmailEnc ? cipher.decrypt(r.ownerEmailEnc) : null,
      phone: r.ownerPhoneEnc ? cipher.decrypt(r.ownerPhoneEnc) : null,
      emailVerified: r.ownerEmailVerified,
      phoneVerified: r.ownerPhoneVerified,
      occupied: r.ownerOccupied,
      mailingAddress: r.ownerMailingAddress,
      isAbsentee: r.isAbsentee,
    },
    property: {
      value: value.value,
      valueEstimated: value.estimate !== null,
      marketValue: num(r.marketValue),
      assessedValue: num(r.assessedValue),
      yearBuilt: r.yearBuilt,
      sqft: r.sqft,
      lotSize: num(r.lotSize),
      beds: r.beds,
      baths: num(r.baths),
      propertyType: r.propertyType,
      projectDescription: r.projectDescription,
    },
    qualification: { hasBudget: r.hasBudget, projectType: r.transactionType, paymentMethod: r.paymentMethod },
    qualityScore: r.qualityScore,
    grade: (r.grade as TLeadFull['grade']) ?? null,
    price: num(r.price),
    triggers: r.triggers.map((t) => ({
      type: t.triggerType,
      date: iso(t.triggerDate),
      strength: t.triggerStrength,
      details: t.triggerDetails ?? null,
      active: t.active,
    })),
    roofAnalysis: roof
      ? {
          id: roof.id,
          overallCondition: roof.overallCondition,
          confidenceScore: num(roof.confidenceScore),
          damageDetected: roof.damageDetected,
          damageTypes: roof.damageTypes,
          roofType: roof.roofType,
          roofSqft: roof.roofSqft,
          roofPitch: roof.roofPitch,
          estimatedAge: roof.estimatedAge,
          estimatedRemainingLife: roof.estimatedRemainingLife,
          repairCost: { low: num(roof.repairCostLow), high: num(roof.repairCostHigh) },
          replacementCost: { low: num(roof.replacementCostLow), high: num(roof.replacementCostHigh) },
          validationStatus: roof.validationStatus,
          analyzedAt: roof.analyzedAt.toISOString(),
        }
      : null,
    assignment: a
      ? {
          id: a.id,
          contractorId: a.contractorId,
          status: a.status === 'refunded' ? 'refunded' : 'active',
          assignedAt: a.assignedAt.toISOString(),
          pricePaid: num(a.pricePaid),
          contacted: a.contacted,
          contactedAt: iso(a.contactedAt),
          contactMethod: a.contactMethod,
          appointmentScheduled: a.appointmentScheduled,
          appointmentDate: iso(a.appointmentDate),
          quoteProvided: a.quoteProvided,
          quoteAmount: num(a.quoteAmount),
          jobWon: a.converted,
          jobValue: num(a.jobValue),
          closeDate: a.closeDate ? a.closeDate.toISOString().slice(0, 10) : null,
          leadQualityRating: a.leadQualityRating,
          feedback: a.contractorFeedback,
          refundedAt: iso(a.refundedAt),
          refundReason: a.refundReason,
        }
      : null,
    soldToContractorId: r.soldToContractorId,
    soldPrice: num(r.soldPrice),
    publishedAt: iso(r.publishedAt),
    soldAt: iso(r.soldAt),
    deliveredAt: iso(r.deliveredAt),
    convertedAt: iso(r.convertedAt),
    refundedAt: iso(r.refundedAt),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** A contractor owns a lead while it holds the sale: bought (sold/delivered/converted) and not refunded. */
export function isLeadOwner(p: Principal, lead: { status: LeadStatus; soldToContractorId: string | null }): boolean {
  return (
    p.role === 'contractor' &&
    !!p.contractorId &&
    lead.soldToContractorId === p.contractorId &&
    (SOLD_STATUSES as readonly LeadStatus[]).includes(lead.status)
  );
}

// ---------------------------------------------------------------------------------------------------------
// Reads other modules use (marketplace)

/** Status, buyer and the fields purchase rules need; null when missing or deleted. */
export async function getLeadState(db: Db, id: string): Promise<repo.LeadState | null> {
  const s = await repo.findLeadState(db, id);
  return s && !s.deletedAt ? s : null;
}

export async function getFullLead(ctx: AppContext, db: Db, id: string): Promise<TLeadFull> {
  const row = await repo.findFullLead(db, id);
  if (!row) throw leadNotFound(id);
  return toLeadFull(ctx.cipher, row);
}

/** Full views of several leads, in the order of `ids` (missing ones are skipped). */
export async function getFullLeads(ctx: AppContext, db: Db, ids: string[]): Promise<TLeadFull[]> {
  if (!ids.length) return [];
  const rows = new Map((await repo.findFullLeads(db, ids)).map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = rows.get(id);
    return r ? [toLeadFull(ctx.cipher, r)] : [];
  });
}

/**
 * The preview a contractor may see of one lead, or null: exactly the listing's buyer filters (available, no other
 * contractor's exclusive territory or cluster, the starter priority window) — issue 8 §5: a lead the listing hides
 * is not readable by id either.
 */
export async function getBuyerPreview(ctx: AppContext, db: Db, id: string, contractorId: string): Promise<TLeadPreview | null> {
  const [row] = await repo.listLeads(db, { id, buyer: { contractorId, priorityHours: ctx.config.PRIORITY_ACCESS_HOURS }, limit: 1 });
  return row ? toPreview(row) : null;
}

// ---------------------------------------------------------------------------------------------------------
// Lifecycle

export interface TransitionOptions {
  leadId: string;
  to: LeadStatus;
  /**
   * The statuses the caller accepts; each must be allowed by LEAD_TRANSITIONS. Omit it and the current status
   * is read first, so the audit row names the exact from-status (compare-and-set on that status).
   */
  from?: readonly LeadStatus[];
  /** Other columns written by the same UPDATE (sold_to_contractor_id, delivered_at, …). */
  data?: Prisma.BaseLeadUncheckedUpdateManyInput;
  /** Who did it (user or api key id) and anything worth keeping in the audit row. */
  by?: string;
  details?: Record<string, unknown>;
}

/**
 * The one way a lead changes status: a single conditional UPDATE (status IN allowed from-statuses), then
 * the system_events row, both on `db` (pass the transaction). Zero rows updated means someone else moved
 * the lead first or the move is illegal; the error says which.
 */
export async function transitionLead(db: Db, opts: TransitionOptions): Promise<void> {
  const { leadId, to } = opts;
  let from = opts.from;
  if (!from) {
    const cur = await getLeadState(db, leadId);
    if (!cur) throw leadNotFound(leadId);
    from = [cur.status];
  }
  const illegal = from.find((f) => !canTransition(f, to));
  if (illegal) {
    throw new AppError('INVALID_TRANSITION', { message: `a ${illegal} lead cannot become ${to}`, details: { from: illegal, to } });
  }
  const res = await repo.updateLeadIfStatus(db, leadId, from, { ...opts.data, status: to });
  if (res.count === 0) throw await rejection(db, leadId, to);
  await recordSystemEvent(db, {
    eventType: 'lead.transition',
    eventName: `lead.${to}`,
    service: SERVICE,
    entityType: 'lead',
    entityId: leadId,
    data: { from: from.length === 1 ? from[0] : from, to, by: opts.by ?? null, ...opts.details },
  });
}

/**
 * transitionLead for a batch (lead generation publishes hundreds at once): one conditional UPDATE over all
 * ids — a lead matches only while in one of `from` — then one system_events row per lead it moved. Leads
 * another writer moved first are skipped, not errors. Returns the ids moved.
 */
export async function transitionLeads(db: Db, opts: Omit<TransitionOptions, 'leadId' | 'from'> & { leadIds: string[]; from: readonly LeadStatus[] }): Promise<string[]> {
  const illegal = opts.from.find((f) => !canTransition(f, opts.to));
  if (illegal) {
    throw new AppError('INVALID_TRANSITION', { message: `a ${illegal} lead cannot become ${opts.to}`, details: { from: illegal, to: opts.to } });
  }
  if (!opts.leadIds.length) return [];
  const moved = (await repo.updateLeadsIfStatus(db, opts.leadIds, opts.from, { ...opts.data, status: opts.to })).map((r) => r.id);
  await repo.insertSystemEvents(db, moved.map((id) => ({
    eventType: 'lead.transition', eventName: `lead.${opts.to}`, service: SERVICE, entityType: 'lead', entityId: id,
    eventData: { from: opts.from.length === 1 ? opts.from[0] : opts.from, to: opts.to, by: opts.by ?? null, ...opts.details },
    severity: 'info',
  })));
  return moved;
}

/** Why a conditional UPDATE matched nothing. */
async function rejection(db: Db, leadId: string, to: LeadStatus): Promise<AppError> {
  const cur = await getLeadState(db, leadId);
  if (!cur) return leadNotFound(leadId);
  if (to === 'sold') {
    return (SOLD_STATUSES as readonly LeadStatus[]).includes(cur.status)
      ? new AppError('LEAD_ALREADY_SOLD', { message: `lead ${leadId} is already sold` })
      : new AppError('LEAD_NOT_AVAILABLE', { message: `lead ${leadId} is ${cur.status}, not available`, details: { leadStatus: cur.status } });
  }
  return new AppError('INVALID_TRANSITION', { message: `a ${cur.status} lead cannot become ${to}`, details: { from: cur.status, to } });
}

// ---------------------------------------------------------------------------------------------------------
// Listing

/**
 * Staff see every lead (optionally by status); a contractor sees previews of the leads it may buy now:
 * available, outside other contractors' exclusive territories, and — on the starter tier — published at
 * least PRIORITY_ACCESS_HOURS ago (seed 002 §3.7.2). Best score first, then newest.
 */
export async function listLeads(ctx: AppContext, principal: Principal | undefined, q: TListLeadsQuery) {
  const p = requireRole(principal, 'admin', 'ops', 'contractor');
  let buyer: repo.ListLeadsFilter['buyer'];
  if (!isStaff(p)) {
    if (!p.contractorId) throw new AppError('FORBIDDEN', { message: 'principal is not bound to a contractor' });
    if (q.status && q.status !== 'available') throw new AppError('FORBIDDEN', { message: 'the status filter is for staff' });
    buyer = { contractorId: p.contractorId, priorityHours: ctx.config.PRIORITY_ACCESS_HOURS };
  }
  const raw = decodeCursor(q.cursor, 3);
  let after: repo.ListLeadsFilter['after'];
  if (raw) {
    const [score, createdAt, id] = raw;
    const ok = (score === null || Number.isInteger(score)) && typeof createdAt === 'string' && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id);
    if (!ok || !/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/.test(createdAt)) {
      throw new AppError('VALIDATION_FAILED', { message: 'cursor is malformed; pass back nextCursor exactly as returned' });
    }
    after = [score as number | null, createdAt, id];
  }
  const rows = await repo.listLeads(ctx.db.prisma, {
    trade: q.trade, zip: q.zip, city: q.city, state: q.state, minScore: q.minScore, grade: q.grade,
    maxPrice: q.maxPrice, status: q.status, buyer, after, limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => toPreview(r)),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.qualityScore, last.createdAtKey, last.id]) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// CRUD (seed 000 "Lead API: CRUD operations")

function contactColumns(cipher: FieldCipher, kind: 'email' | 'phone', value: string | null | undefined) {
  if (value === undefined) return {};
  const enc = value === null ? null : cipher.encrypt(value);
  const hash = value === null ? null : cipher.blindIndex(kind, value);
  return kind === 'email' ? { ownerEmailEnc: enc, ownerEmailHash: hash } : { ownerPhoneEnc: enc, ownerPhoneHash: hash };
}

const leadExists = (b: { address: string; city: string; state: string; trade: string }) =>
  new AppError('LEAD_EXISTS', { message: `a ${b.trade} lead for ${b.address}, ${b.city}, ${b.state} exists` });

export async function createLead(ctx: AppContext, principal: Principal | undefined, body: TCreateLeadBody): Promise<TLeadFull> {
  const p = requireRole(principal, 'admin', 'ops');
  const now = new Date();
  const grade = gradeForScore(body.qualityScore);
  const id = await ctx.db.prisma
    .$transaction(async (tx) => {
      const { id } = await repo.insertLead(tx, {
        address: body.address,
        city: body.city,
        state: body.state,
        zip: body.zip,
        lat: body.lat ?? null,
        lng: body.lng ?? null,
        trade: body.trade,
        tradeGroup: tradeGroupOf(body.trade),
        category: body.trade,
        source: 'manual',
        status: body.status,
        qualityScore: body.qualityScore ?? null,
        grade,
        scoredAt: body.qualityScore !== undefined ? now : null,
        price: body.price ?? null,
        propertyValue: body.propertyValue ?? null,
        yearBuilt: body.yearBuilt ?? null,
        ownerName: body.ownerName ?? null,
        ...contactColumns(ctx.cipher, 'email', body.ownerEmail),
        ...contactColumns(ctx.cipher, 'phone', body.ownerPhone),
        ...(body.status === 'available' ? { publishedAt: now, availableFrom: now } : {}),
      });
      await recordSystemEvent(tx, {
        eventType: 'lead', eventName: 'lead.created', service: SERVICE, entityType: 'lead', entityId: id,
        data: { by: p.id, status: body.status, trade: body.trade, qualityScore: body.qualityScore ?? null },
      });
      if (body.status === 'available') await writeOutbox(tx, { topic: 'lead.published', payload: { leadId: id }, dedupeKey: `lead.published:${id}` });
      return id;
    })
    .catch((err) => {
      if (isUniqueViolation(err)) throw leadExists(body);
      throw err;
    });
  return getFullLead(ctx, ctx.db.prisma, id);
}

/**
 * Staff edit. A status in the body moves the lead through the lifecycle in the same conditional UPDATE as
 * the field changes; selling, delivering, converting and refunding have their own routes.
 */
export async function updateLead(ctx: AppContext, principal: Principal | undefined, id: string, body: TUpdateLeadBody): Promise<TLeadFull> {
  const p = requireRole(principal, 'admin', 'ops');
  const { status, ownerEmail, ownerPhone, qualityScore, projectType, ...fields } = body;
  const now = new Date();
  await ctx.db.prisma
    .$transaction(async (tx) => {
      const cur = await getLeadState(tx, id);
      if (!cur) throw leadNotFound(id);
      const data: Prisma.BaseLeadUncheckedUpdateManyInput = {
        ...fields,
        // The seed 004 "transaction type" of a contractor lead is the project type.
        ...(projectType !== undefined ? { transactionType: projectType } : {}),
        ...contactColumns(ctx.cipher, 'email', ownerEmail),
        ...contactColumns(ctx.cipher, 'phone', ownerPhone),
      };
      if (fields.trade) {
        data.tradeGroup = tradeGroupOf(fields.trade);
        data.category = fields.trade;
      }
      if (qualityScore !== undefined) {
        data.qualityScore = qualityScore;
        data.grade = gradeForScore(qualityScore);
        data.scoredAt = now;
      }
      const nextStatus = status ?? cur.status;
      const nextScore = qualityScore !== undefined ? qualityScore : cur.qualityScore;
      const nextPrice = body.price !== undefined ? body.price : cur.price;
      if (nextStatus === 'available' && (nextScore === null || nextScore < MIN_SELLABLE_SCORE || nextPrice === null)) {
        throw new AppError('VALIDATION_FAILED', {
          message: `an available lead needs qualityScore ≥ ${MIN_SELLABLE_SCORE} and a price`,
          details: { errors: [{ path: 'body.status', message: 'available needs qualityScore ≥ 60 and a price' }] },
        });
      }
      if (status && status !== cur.status) {
        if (status === 'available') Object.assign(data, { publishedAt: now, availableFrom: now });
        await transitionLead(tx, { leadId: id, to: status, from: [cur.status], data, by: p.id, details: { via: 'update' } });
        if (status === 'available') await writeOutbox(tx, { topic: 'lead.published', payload: { leadId: id }, dedupeKey: `lead.published:${id}` });
      } else {
        const r = await repo.updateLiveLead(tx, id, data);
        if (r.count === 0) throw leadNotFound(id);
      }
    })
    .catch((err) => {
      if (isUniqueViolation(err)) throw new AppError('LEAD_EXISTS', { message: 'another lead of this trade has this address' });
      throw err;
    });
  return getFullLead(ctx, ctx.db.prisma, id);
}

/** Soft delete. A lead with a buyer stays (it is the buyer's record): INVALID_TRANSITION. */
export async function deleteLead(ctx: AppContext, principal: Principal | undefined, id: string): Promise<void> {
  const p = requireRole(principal, 'admin', 'ops');
  await ctx.db.prisma.$transaction(async (tx) => {
    const r = await repo.softDeleteLead(tx, id, SOLD_STATUSES);
    if (r.count === 0) {
      const cur = await getLeadState(tx, id);
      if (!cur) throw leadNotFound(id);
      throw new AppError('INVALID_TRANSITION', { message: `a ${cur.status} lead cannot be deleted`, details: { from: cur.status, to: 'deleted' } });
    }
    await recordSystemEvent(tx, { eventType: 'lead', eventName: 'lead.deleted', service: SERVICE, entityType: 'lead', entityId: id, data: { by: p.id } });
  });
}

/** Pipeline property stage: copy assessor facts onto leads (see leads.repository attachPropertiesToLeads). */
export const attachPropertiesToLeads = (db: Db, pairs: { leadId: string; propertyId: string }[]): Promise<number> =>
  repo.attachPropertiesToLeads(db, pairs);

export const findLeadAddresses = (db: Db, ids: string[]) => repo.findLeadAddresses(db, ids);

export const findLeadStageFacts = (db: Db, ids: string[]) => repo.findLeadStageFacts(db, ids);
