/**
 * The lead lifecycle (DESIGN.md): processing → scored → available → reserved → sold → delivered → converted,
 * with side exits unqualified (score < 60), needs_review, expired and refunded.
 *
 * This table is the only place that says which moves are legal. Every status change is one conditional
 * UPDATE whose WHERE lists the from-statuses allowed here, so two concurrent writers can never both win.
 */
export const LEAD_STATUSES = [
  'processing',
  'scored',
  'available',
  'reserved',
  'sold',
  'delivered',
  'converted',
  'unqualified',
  'needs_review',
  'expired',
  'refunded',
] as const;

export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const LEAD_TRANSITIONS = {
  processing: ['scored', 'unqualified', 'needs_review', 'expired'],
  // Rescoring may lower a scored lead below 60; publishing makes it available.
  scored: ['available', 'unqualified', 'needs_review', 'expired'],
  // Direct sale (purchase/assign) or a short reservation first; unsold leads expire; a rescore can pull one back.
  available: ['reserved', 'sold', 'expired', 'needs_review', 'unqualified'],
  // A reservation either ends in a sale or lapses back to the marketplace.
  reserved: ['sold', 'available', 'expired'],
  sold: ['delivered', 'converted', 'refunded'],
  delivered: ['converted', 'refunded'],
  converted: [],
  // A rescore can qualify a lead again; review ends in a score, a rejection or expiry.
  unqualified: ['scored'],
  needs_review: ['processing', 'scored', 'unqualified', 'expired'],
  expired: [],
  refunded: [],
} as const satisfies Record<LeadStatus, readonly LeadStatus[]>;

/** Statuses a lead has a buyer in: it cannot be deleted, republished or sold again. */
export const SOLD_STATUSES = ['sold', 'delivered', 'converted'] as const satisfies readonly LeadStatus[];

export function canTransition(from: LeadStatus, to: LeadStatus): boolean {
  return (LEAD_TRANSITIONS[from] as readonly LeadStatus[]).includes(to);
}

/** Every status from which `to` may be reached: the `status IN (…)` of the conditional UPDATE. */
export function allowedFrom(to: LeadStatus): LeadStatus[] {
  return LEAD_STATUSES.filter((from) => canTransition(from, to));
}

export const isLeadStatus = (s: string): s is LeadStatus => (LEAD_STATUSES as readonly string[]).includes(s);
