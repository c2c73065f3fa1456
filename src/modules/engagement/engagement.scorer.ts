/**
 * Engagement score and temperature, seed 004: Total (100) = Engagement (40) + Qualification (40) + Recency (20).
 * The seed's worked example does not add up the way its formula says; this implements the formula.
 */
export const ENGAGEMENT_VERSION = 'engagement@1';

export type Temperature = 'burning' | 'hot' | 'warm' | 'cold';

export interface EngagementInputs {
  qrScans: number;
  catalogViews: number;
  messages: number;
  voiceMessages: number;
  hasPhone: boolean;
  hasBudget: boolean;
  hasTransactionType: boolean;
  hasPropertyType: boolean;
  hasLocation: boolean;
  hasPaymentMethod: boolean;
  lastInteractionAt: Date | null;
}

export interface EngagementScore {
  score: number;
  temperature: Temperature;
  engagement: number;
  qualification: number;
  recency: number;
  parts: { name: string; points: number; max: number }[];
  scorerVersion: string;
}

const HOUR = 3600_000;

// seed 004 Engagement (40): QR scans 3 each (max 15), catalog views 2 each (max 10), messages 1 each (max 10),
// any voice message +5 bonus.
export function engagementParts(i: Pick<EngagementInputs, 'qrScans' | 'catalogViews' | 'messages' | 'voiceMessages'>) {
  return [
    { name: 'qr_scans', points: Math.min(15, 3 * Math.max(0, i.qrScans)), max: 15 },
    { name: 'catalog_views', points: Math.min(10, 2 * Math.max(0, i.catalogViews)), max: 10 },
    { name: 'messages', points: Math.min(10, Math.max(0, i.messages)), max: 10 },
    { name: 'voice_bonus', points: i.voiceMessages > 0 ? 5 : 0, max: 5 },
  ];
}

// seed 004 Qualification (40): phone 10, budget 10, transaction type 5, property type 5, location 5, payment method 5.
export function qualificationParts(i: Pick<EngagementInputs, 'hasPhone' | 'hasBudget' | 'hasTransactionType' | 'hasPropertyType' | 'hasLocation' | 'hasPaymentMethod'>) {
  return [
    { name: 'phone', points: i.hasPhone ? 10 : 0, max: 10 },
    { name: 'budget', points: i.hasBudget ? 10 : 0, max: 10 },
    { name: 'transaction_type', points: i.hasTransactionType ? 5 : 0, max: 5 },
    { name: 'property_type', points: i.hasPropertyType ? 5 : 0, max: 5 },
    { name: 'location', points: i.hasLocation ? 5 : 0, max: 5 },
    { name: 'payment_method', points: i.hasPaymentMethod ? 5 : 0, max: 5 },
  ];
}

// seed 004 Recency (20), by time since the last interaction: < 1 h 20, < 6 h 15, < 24 h 10, < 72 h 5, else 0.
export function recencyPoints(lastInteractionAt: Date | null, now: Date): number {
  if (!lastInteractionAt) return 0;
  const age = now.getTime() - lastInteractionAt.getTime();
  if (age < 1 * HOUR) return 20;
  if (age < 6 * HOUR) return 15;
  if (age < 24 * HOUR) return 10;
  if (age < 72 * HOUR) return 5;
  return 0;
}

// seed 004 temperature thresholds: burning 70–100, hot 50–69, warm 25–49, cold 0–24.
export function temperatureFor(score: number): Temperature {
  if (score >= 70) return 'burning';
  if (score >= 50) return 'hot';
  if (score >= 25) return 'warm';
  return 'cold';
}

export function scoreEngagement(i: EngagementInputs, now = new Date()): EngagementScore {
  const e = engagementParts(i);
  const q = qualificationParts(i);
  const recency = recencyPoints(i.lastInteractionAt, now);
  const engagement = e.reduce((s, p) => s + p.points, 0);
  const qualification = q.reduce((s, p) => s + p.points, 0);
  const score = engagement + qualification + recency;
  return {
    score, temperature: temperatureFor(score), engagement, qualification, recency,
    parts: [...e, ...q, { name: 'recency', points: recency, max: 20 }],
    scorerVersion: ENGAGEMENT_VERSION,
  };
}
