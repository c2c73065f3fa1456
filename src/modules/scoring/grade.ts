export type Grade = 'A' | 'B' | 'C' | 'D';

/** seed 002 §3.5.1 grade mapping: 90–100 A, 80–89 B, 70–79 C, 60–69 D, below 60 not available (null). */
export function gradeForScore(score: number | null | undefined): Grade | null {
  if (score === null || score === undefined || Number.isNaN(score)) return null;
  if (score >= 90) return 'A';
  if (score >= 80) return 'B';
  if (score >= 70) return 'C';
  if (score >= 60) return 'D';
  return null;
}

/** Below this score a lead is unqualified and never reaches the marketplace (seed 002 §3.5.1). */
export const MIN_SELLABLE_SCORE = 60;
