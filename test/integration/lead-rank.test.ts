import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { rescoreLeads } from '../../src/modules/scoring/batch-engine.ts';

/**
 * Issue 8 §7 on real PostgreSQL: the listing's order lives in lead_rank, kept in step with base_leads by every
 * writer (triggers; the batch engine writes it itself), and no index of base_leads reads a column the engine
 * writes — the property that makes a rescore's base_leads writes HOT updates.
 */
let h: TestHarness;

const rank = async (id: string) =>
  (await h.ctx.db.pool.query<{ status: string; quality_score: number | null; created_at: Date }>(
    'SELECT status::text, quality_score, created_at FROM lead_rank WHERE lead_id = $1', [id],
  )).rows[0] ?? null;
const leadRow = async (id: string) =>
  (await h.ctx.db.pool.query<{ status: string; quality_score: number | null; created_at: Date }>(
    'SELECT status::text, quality_score, created_at FROM base_leads WHERE id = $1', [id],
  )).rows[0]!;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('lead_rank follows base_leads', () => {
  it('every insert path, status and score change, soft delete and restore', async () => {
    const db = h.ctx.db.prisma;
    const one = await db.baseLead.create({ data: { address: '1 Rank St', city: 'Austin', state: 'TX', trade: 'roof', qualityScore: 70 } });
    await db.baseLead.createMany({ data: [
      { address: '2 Rank St', city: 'Austin', state: 'TX', trade: 'roof' },
      { address: '3 Rank St', city: 'Austin', state: 'TX', trade: 'pool', status: 'available', qualityScore: 88 },
    ] });
    const [two, three] = await db.baseLead.findMany({ where: { address: { in: ['2 Rank St', '3 Rank St'] } }, orderBy: { address: 'asc' } });
    for (const l of [one, two!, three!]) expect(await rank(l.id)).toEqual(await leadRow(l.id));

    await db.baseLead.update({ where: { id: one.id }, data: { status: 'scored', qualityScore: 64 } });
    expect(await rank(one.id)).toMatchObject({ status: 'scored', quality_score: 64 });
    // A write of other columns leaves lead_rank alone (the trigger's WHEN clause).
    await db.baseLead.update({ where: { id: one.id }, data: { ownerName: 'Someone' } });
    expect(await rank(one.id)).toMatchObject({ status: 'scored', quality_score: 64 });

    await db.baseLead.update({ where: { id: three!.id }, data: { deletedAt: new Date() } });
    expect(await rank(three!.id)).toBeNull();
    await db.baseLead.update({ where: { id: three!.id }, data: { deletedAt: null } });
    expect(await rank(three!.id)).toEqual(await leadRow(three!.id));

    await db.baseLead.delete({ where: { id: two!.id } });
    expect(await rank(two!.id)).toBeNull();
  });

  it('the batch engine writes lead_rank with the score it stores, and the listing orders by it', async () => {
    const db = h.ctx.db.prisma;
    const l = await db.baseLead.create({
      data: { address: '9 Engine Way', city: 'Austin', state: 'TX', zip: '78745', trade: 'roof', status: 'processing', propertyValue: 550_000, yearBuilt: 2000 },
    });
    const r = await rescoreLeads(h.ctx, { by: 'test', filter: { ids: [l.id] } });
    expect(r.leadWrites).toBe(1);
    const stored = await leadRow(l.id);
    expect(stored.quality_score).not.toBeNull();
    expect(await rank(l.id)).toEqual(stored);
  });

  it('a score written with the engine marker set skips the trigger, so the engine must write lead_rank itself', async () => {
    // Proves the marker works (and so why writeScoringChunk updates lead_rank in the same statement).
    const l = await h.ctx.db.prisma.baseLead.create({ data: { address: '5 Marker Rd', city: 'Austin', state: 'TX', trade: 'roof', qualityScore: 50 } });
    const c = await h.ctx.db.pool.connect();
    try {
      await c.query(`BEGIN; SET LOCAL tradelead.rank_sync = 'engine'`);
      await c.query('UPDATE base_leads SET quality_score = 77 WHERE id = $1', [l.id]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    expect(await rank(l.id)).toMatchObject({ quality_score: 50 });
    await h.ctx.db.prisma.baseLead.update({ where: { id: l.id }, data: { qualityScore: 78 } });
    expect(await rank(l.id)).toMatchObject({ quality_score: 78 });
  });
});

describe('base_leads indexes never read what a rescore writes', () => {
  it('no index key, expression or predicate of base_leads names a score column', async () => {
    const written = ['quality_score', 'grade', 'price', 'scored_at', 'scorer_version', 'score_inputs_hash', 'updated_at', 'version'];
    const r = await h.ctx.db.pool.query<{ name: string; def: string }>(
      `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'base_leads'::regclass`,
    );
    expect(r.rows.length).toBeGreaterThan(10);
    const offending = r.rows.filter((i) => written.some((col) => new RegExp(`\\b${col}\\b`).test(i.def)));
    expect(offending).toEqual([]);
  });

  it('score_pending is the generated "never scored or inputs changed since" flag', async () => {
    const l = await h.ctx.db.prisma.baseLead.create({ data: { address: '7 Pending Pl', city: 'Austin', state: 'TX', trade: 'roof' } });
    const pending = async () => (await h.ctx.db.prisma.baseLead.findUniqueOrThrow({ where: { id: l.id } })).scorePending;
    expect(await pending()).toBe(true);
    const t = new Date();
    await h.ctx.db.pool.query('UPDATE base_leads SET scored_at = $2, inputs_changed_at = $3 WHERE id = $1', [l.id, t, new Date(t.getTime() - 1000)]);
    expect(await pending()).toBe(false);
    await h.ctx.db.pool.query('UPDATE base_leads SET inputs_changed_at = $2 WHERE id = $1', [l.id, new Date(t.getTime() + 1000)]);
    expect(await pending()).toBe(true);
  });
});
