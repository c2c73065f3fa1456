import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { startFakeOllama, type FakeOllama } from '../helpers/ollama-server.ts';
import { parseCsv } from '../../src/modules/exports/csv.ts';
import { lockTree } from '../../src/modules/exports/export-tree.ts';
import { EXPORT_COLUMNS, type ExportRow } from '../../src/modules/exports/exports.schemas.ts';
import { archiveExports, scoreLeadsExport, type ScoreLeadsOptions } from '../../src/modules/exports/exports.service.ts';
import { retryFailedJob } from '../../src/modules/exports/exports.jobs.ts';
import { OllamaReasoner, rulesReasoner } from '../../src/modules/scoring/permit-intent.reasoner.ts';
import { JOBS } from '../../src/modules/orchestration/job-catalog.ts';
import { SCHEDULES } from '../../src/modules/orchestration/schedules.ts';
import { startWorkers, type WorkerHandle } from '../../src/modules/orchestration/worker.ts';

/**
 * The seed 001 export pipeline on a real database: permits + properties in, the CSV tree out, leads upserted
 * only with saveToDb. Every expected score below is computed by hand from permit-intent.scorer.ts.
 */
let h: TestHarness;
let ollama: FakeOllama;
let tmp: string;
const NOW = new Date('2026-11-22T12:00:00.000Z');
const SCORED_AT = NOW.toISOString();
const daysAgo = (n: number) => new Date(Date.UTC(2026, 10, 22 - n));
const P = {} as Record<'pool' | 'roof' | 'hvac' | 'sign' | 'fence' | 'panel', string>;
const PROP = {} as Record<'pool' | 'roof' | 'hvac' | 'sign' | 'fence', string>;

const HEADER = EXPORT_COLUMNS.join(',');

const run = (o: Partial<ScoreLeadsOptions> & { outDir: string }) =>
  scoreLeadsExport(h.ctx, { saveToDb: false, reasoner: rulesReasoner, now: () => NOW, ...o });

/** Every file under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

async function rowsOf(file: string): Promise<ExportRow[]> {
  const [header, ...rows] = parseCsv(await readFile(file, 'utf8'));
  expect(header).toEqual([...EXPORT_COLUMNS]);
  return rows.map((r) => Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, r[i]])) as ExportRow);
}

/** Everything a dry run could touch: row counts and a digest of the rows themselves. */
async function dbSnapshot() {
  const r = await h.ctx.db.pool.query(`
    SELECT (SELECT count(*) FROM base_leads) AS leads, (SELECT count(*) FROM system_events) AS events,
           (SELECT count(*) FROM api_usage_logs) AS usage, (SELECT count(*) FROM outbox) AS outbox,
           (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) FROM base_leads t) AS leads_md5,
           (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) FROM permits t) AS permits_md5,
           (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) FROM properties t) AS properties_md5`);
  return r.rows[0];
}

beforeAll(async () => {
  h = await createHarness();
  ollama = await startFakeOllama();
  tmp = await mkdtemp(path.join(tmpdir(), 'tl-exports-'));
  const db = h.ctx.db.prisma;
  const plano = await db.targetCity.create({ data: { city: 'Plano', state: 'TX' } });
  const frisco = await db.targetCity.create({ data: { city: 'Frisco', state: 'TX' } });
  const prop = (address: string, city: string, zip: string, ownerName: string | null, marketValue: number, isAbsentee: boolean) =>
    db.property.create({ data: { normalizedAddress: address.toUpperCase(), address, city, state: 'TX', zip, ownerName, marketValue, isAbsentee } });
  PROP.pool = (await prop('100 Pool Ln', 'Plano', '75024', 'Ann Pool', 800_000, false)).id;
  PROP.roof = (await prop('200 Roof Rd', 'Frisco', '75034', 'Bob Roof', 350_000, false)).id;
  PROP.hvac = (await prop('300 Air St', 'Plano', '75023', 'Carl Air', 200_000, true)).id;
  PROP.sign = (await prop('400 Sign Ave', 'Plano', '75075', 'Dee Sign', 900_000, false)).id;
  PROP.fence = (await prop('500 Fence Ct', 'Frisco', '75035', null, 300_000, false)).id;
  let minute = 0;
  const permit = async (d: {
    n: string; targetCityId?: string; propertyId?: string; address?: string; city: string; zip?: string; type: string; desc: string; value: number | null; applied: Date;
  }) =>
    (await db.permit.create({
      data: {
        source: 'test', permitNumber: d.n, targetCityId: d.targetCityId, propertyId: d.propertyId, address: d.address, city: d.city, state: 'TX', zip: d.zip,
        permitType: d.type, workDescription: d.desc, estimatedValue: d.value, appliedDate: d.applied,
        // Newest scraped first: pool, roof, hvac, sign, fence, panel.
        scrapedAt: new Date(NOW.getTime() - 60_000 * ++minute),
      },
    })).id;
  P.pool = await permit({ n: 'BP-1', targetCityId: plano.id, propertyId: PROP.pool, address: '100 Pool Ln', city: 'Plano', zip: '75024', type: 'Residential Pool', desc: 'New gunite pool and spa', value: 95_000, applied: daysAgo(3) });
  // No target_city_id and a lower-case city: joined to Frisco by name.
  P.roof = await permit({ n: 'BP-2', propertyId: PROP.roof, address: '200 Roof Rd', city: 'frisco', zip: '75034', type: 'Roofing', desc: 'Reroof, 30 sq "architectural" shingles', value: 15_000, applied: daysAgo(20) });
  P.hvac = await permit({ n: 'BP-3', targetCityId: plano.id, propertyId: PROP.hvac, address: '300 Air St', city: 'Plano', zip: '75023', type: 'Mechanical', desc: 'AC unit repair', value: 2_000, applied: daysAgo(45) });
  P.sign = await permit({ n: 'BP-4', targetCityId: plano.id, propertyId: PROP.sign, address: '400 Sign Ave', city: 'Plano', zip: '75075', type: 'Sign', desc: 'Monument sign', value: 40_000, applied: daysAgo(2) });
  P.fence = await permit({ n: 'BP-5', targetCityId: frisco.id, propertyId: PROP.fence, address: '500 Fence Ct', city: 'Frisco', zip: '75035', type: 'Fence', desc: 'Cedar privacy fence', value: 6_000, applied: daysAgo(10) });
  P.panel = await permit({ n: 'BP-6', city: 'McKinney', type: 'Electrical', desc: 'Panel upgrade 200 amp', value: null, applied: daysAgo(0) });
});
afterAll(async () => {
  await ollama?.close();
  await h?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const row = (r: Partial<ExportRow>): ExportRow => ({ ...Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, ''])), scored_at: SCORED_AT, ...r }) as ExportRow;

const expected = () => ({
  pool: row({
    permit_id: P.pool, city: 'Plano', property_address: '100 Pool Ln, Plano, TX 75024', owner_name: 'Ann Pool', project_description: 'New gunite pool and spa',
    market_value: '800000', days_old: '3', is_absentee: 'false', score: '90', tier: 'A', trade_group: 'luxury_outdoor', category: 'pool',
    // 95,000 ≥ 1.5 × 60,000 → 40; 3 days → 25; $800,000 → 20; "new" → +5
    reasoning: 'pool permit (pool, spa, gunite). Project value $95,000 vs typical $60,000: 40/40. Filed 3 days ago: 25/25. Market value $800,000: 20/20. Description new work +5: +5. Total 90.',
    ideal_contractor: 'Residential pool builder (pool, spa, decking)', contact_priority: 'call',
  }),
  roof: row({
    permit_id: P.roof, city: 'Frisco', property_address: '200 Roof Rd, Frisco, TX 75034', owner_name: 'Bob Roof', project_description: 'Reroof, 30 sq "architectural" shingles',
    market_value: '350000', days_old: '20', is_absentee: 'false', score: '64', tier: 'B', trade_group: 'home_exterior', category: 'roof',
    // 15,000 = 1 × typical → 32; 20 days → 15; $350,000 → 12; "reroof" → +5
    reasoning: 'roof permit (reroof, roofing, shingles). Project value $15,000 vs typical $15,000: 32/40. Filed 20 days ago: 15/25. Market value $350,000: 12/20. Description replacement +5: +5. Total 64.',
    ideal_contractor: 'Residential roofing contractor', contact_priority: 'email',
  }),
  hvac: row({
    permit_id: P.hvac, city: 'Plano', property_address: '300 Air St, Plano, TX 75023', owner_name: 'Carl Air', project_description: 'AC unit repair',
    market_value: '200000', days_old: '45', is_absentee: 'true', score: '9', tier: 'C', trade_group: 'home_systems', category: 'hvac',
    // 2,000 = 0.2 × 10,000 → 6; 45 days → 10; $200,000 → 8; "repair" −5; absentee −10
    reasoning: 'hvac permit (ac unit, mechanical). Project value $2,000 vs typical $10,000: 6/40. Filed 45 days ago: 10/25. Market value $200,000: 8/20. Description repair only -5: -5. Absentee owner: -10. Total 9.',
    ideal_contractor: 'Residential HVAC contractor', contact_priority: 'email',
  }),
  sign: row({
    permit_id: P.sign, city: 'Plano', property_address: '400 Sign Ave, Plano, TX 75075', owner_name: 'Dee Sign', project_description: 'Monument sign',
    market_value: '900000', days_old: '2', is_absentee: 'false', score: '49', tier: 'C', trade_group: 'other', category: 'other',
    reasoning: 'Uncategorized permit. Project value $40,000 vs typical $10,000: 40/40. Filed 2 days ago: 25/25. Market value $900,000: 20/20. Description no signals: +0. Total 85, capped at 49 (uncategorized).',
    ideal_contractor: 'General contractor (uncategorized permit)', contact_priority: 'email',
  }),
  fence: row({
    permit_id: P.fence, city: 'Frisco', property_address: '500 Fence Ct, Frisco, TX 75035', owner_name: '', project_description: 'Cedar privacy fence',
    market_value: '300000', days_old: '10', is_absentee: 'false', score: '64', tier: 'B', trade_group: 'luxury_outdoor', category: 'fence',
    reasoning: 'fence permit (fence). Project value $6,000 vs typical $6,000: 32/40. Filed 10 days ago: 20/25. Market value $300,000: 12/20. Description no signals: +0. Total 64.',
    ideal_contractor: 'Residential fence installer', contact_priority: 'email', flags: 'owner_unknown',
  }),
  panel: row({
    permit_id: P.panel, city: 'McKinney', project_description: 'Panel upgrade 200 amp', days_old: '0', score: '46', tier: 'C', trade_group: 'home_systems', category: 'electrical',
    reasoning: 'electrical permit (electrical, panel). Project value unknown: 10/40. Filed 0 days ago: 25/25. Market value unknown: 6/20. Description high-end +5: +5. Total 46.',
    ideal_contractor: 'Residential electrician (panels, EV chargers, solar tie-ins)', contact_priority: 'email', flags: 'missing_address|owner_unknown|value_unknown',
  }),
});

describe('score-leads export tree (dry run)', () => {
  let out: string;

  it('writes the seed 001 tree with the exact header and rows, and leaves the database untouched', async () => {
    out = path.join(tmp, 'exports');
    const before = await dbSnapshot();
    const progress: Array<[number, number]> = [];
    const s = await run({ outDir: out, onProgress: (d, t) => progress.push([d, t]) });
    expect(await dbSnapshot()).toEqual(before);

    expect(await tree(out)).toEqual([
      'flagged/needs_review.csv',
      'home_exterior/roof/tier_b.csv',
      'home_systems/hvac/tier_c.csv',
      'luxury_outdoor/pool/tier_a.csv',
      'other/other/tier_c.csv',
    ]);
    const e = expected();
    expect(await rowsOf(path.join(out, 'luxury_outdoor/pool/tier_a.csv'))).toEqual([e.pool]);
    expect(await rowsOf(path.join(out, 'home_exterior/roof/tier_b.csv'))).toEqual([e.roof]);
    expect(await rowsOf(path.join(out, 'home_systems/hvac/tier_c.csv'))).toEqual([e.hvac]);
    expect(await rowsOf(path.join(out, 'other/other/tier_c.csv'))).toEqual([e.sign]);
    expect(await rowsOf(path.join(out, 'flagged/needs_review.csv'))).toEqual([e.fence, e.panel]);

    // RFC 4180 on disk: CRLF, the description with a comma and quotes quoted with doubled quotes.
    const raw = await readFile(path.join(out, 'home_exterior/roof/tier_b.csv'), 'utf8');
    expect(raw).toBe(
      `${HEADER}\r\n${P.roof},Frisco,"200 Roof Rd, Frisco, TX 75034",Bob Roof,"Reroof, 30 sq ""architectural"" shingles",350000,20,false,64,B,home_exterior,roof,` +
        `"${e.roof.reasoning}",Residential roofing contractor,email,,${SCORED_AT}\r\n`,
    );

    expect(s).toMatchObject({
      permits: 6, flagged: 2, retry: 0, missing: [], db: null, reasoner: 'permit-intent-rules@1',
      files: { added: 6, replaced: 0, moved: 0, removed: [] },
    });
    expect(s.byGroupTier).toEqual({
      luxury_outdoor: { A: 1, B: 0, C: 0 }, home_exterior: { A: 0, B: 1, C: 0 }, home_systems: { A: 0, B: 0, C: 1 },
      structural: { A: 0, B: 0, C: 0 }, commercial: { A: 0, B: 0, C: 0 }, other: { A: 0, B: 0, C: 1 },
    });
    expect(progress[0]).toEqual([0, 6]);
    expect(progress.at(-1)).toEqual([6, 6]);
  });

  it('re-running replaces rows instead of appending: byte-identical files', async () => {
    const files = await tree(out);
    const before = await Promise.all(files.map((f) => readFile(path.join(out, f), 'utf8')));
    const s = await run({ outDir: out });
    expect(s.files).toMatchObject({ added: 0, replaced: 6, moved: 0 });
    expect(await tree(out)).toEqual(files);
    expect(await Promise.all(files.map((f) => readFile(path.join(out, f), 'utf8')))).toEqual(before);
  });

  it('moves a permit whose tier changed, deleting the file it emptied', async () => {
    // 25,000 ≥ 1.5 × 15,000 → 40; 3 days → 25; $350,000 → 12; +5 → 82 → A
    await h.ctx.db.prisma.permit.update({ where: { id: P.roof }, data: { estimatedValue: 25_000, appliedDate: daysAgo(3) } });
    const s = await run({ outDir: out });
    expect(s.files).toMatchObject({ added: 0, replaced: 6, moved: 1, removed: ['home_exterior/roof/tier_b.csv'] });
    expect(await tree(out)).toEqual([
      'flagged/needs_review.csv',
      'home_exterior/roof/tier_a.csv',
      'home_systems/hvac/tier_c.csv',
      'luxury_outdoor/pool/tier_a.csv',
      'other/other/tier_c.csv',
    ]);
    const [roof] = await rowsOf(path.join(out, 'home_exterior/roof/tier_a.csv'));
    expect(roof).toMatchObject({ permit_id: P.roof, score: '82', tier: 'A', days_old: '3', contact_priority: 'call' });
    // No permit in two files.
    const ids = (await Promise.all((await tree(out)).map((f) => rowsOf(path.join(out, f))))).flat().map((r) => r.permit_id);
    expect(ids.sort()).toEqual(Object.values(P).sort());
  });

  it('filters by city (through target_city_id or the permit city) and limits, newest first', async () => {
    const o = path.join(tmp, 'cities');
    const s = await run({ outDir: o, cities: ['plano', 'FRISCO'] });
    expect(s.permits).toBe(5); // not McKinney
    // Keyset pages of 2 (scraped_at, id) read the same permits once each.
    const paged = await run({ outDir: path.join(tmp, 'paged'), cities: ['plano', 'frisco'], pageSize: 2 });
    expect([paged.permits, paged.files.added]).toEqual([5, 5]);
    const byIds = await run({ outDir: path.join(tmp, 'paged'), permitIds: Object.values(P), pageSize: 4 });
    expect([byIds.permits, byIds.files.added, byIds.files.replaced]).toEqual([6, 1, 5]);
    const l = await run({ outDir: path.join(tmp, 'limit'), cities: ['plano', 'frisco'], limit: 2 });
    expect(l.permits).toBe(2);
    expect(await tree(path.join(tmp, 'limit'))).toEqual(['home_exterior/roof/tier_a.csv', 'luxury_outdoor/pool/tier_a.csv']);
  });

  it('an aborted run still files the permits it scored, then rejects', async () => {
    const o = path.join(tmp, 'aborted');
    const ac = new AbortController();
    const p = run({ outDir: o, signal: ac.signal, onProgress: (done) => { if (done === 2) ac.abort(new Error('stop')); } });
    await expect(p).rejects.toThrow('stop');
    expect(await tree(o)).toEqual(['home_exterior/roof/tier_a.csv', 'luxury_outdoor/pool/tier_a.csv']); // the two newest
  });

  it('refuses a second writer while the tree is locked', async () => {
    const release = await lockTree(path.join(tmp, 'locked'));
    await expect(run({ outDir: path.join(tmp, 'locked') })).rejects.toThrow(new RegExp(`is being written by pid ${process.pid} `));
    await release();
    expect((await run({ outDir: path.join(tmp, 'locked') })).permits).toBe(6);
  });
});

describe('--save-to-db', () => {
  it('upserts leads by address with the intent columns; new leads move processing → scored / needs_review', async () => {
    const events = await h.ctx.db.prisma.systemEvent.count();
    const s = await run({ outDir: path.join(tmp, 'save'), saveToDb: true });
    expect(s.db).toEqual({ inserted: 5, updated: 0, skipped: 1, failed: 0, errors: [] }); // the McKinney permit has no street address
    const leads = await h.ctx.db.prisma.baseLead.findMany({ orderBy: { address: 'asc' } });
    expect(leads.map((l) => [l.address, l.city, l.state, l.status, l.trade, l.category, l.tier, l.intentScore])).toEqual([
      ['100 Pool Ln', 'Plano', 'TX', 'scored', 'pool', 'pool', 'A', 90],
      ['200 Roof Rd', 'Frisco', 'TX', 'scored', 'roof', 'roof', 'A', 82],
      ['300 Air St', 'Plano', 'TX', 'scored', 'hvac', 'hvac', 'C', 9],
      ['400 Sign Ave', 'Plano', 'TX', 'scored', 'other', 'other', 'C', 49],
      ['500 Fence Ct', 'Frisco', 'TX', 'needs_review', 'fence', 'fence', 'B', 64],
    ]);
    const hvac = leads[2]!;
    expect(hvac).toMatchObject({
      tradeGroup: 'home_systems', reasoning: expected().hvac.reasoning, idealContractor: 'Residential HVAC contractor', contactPriority: 'email',
      flags: [], permitId: P.hvac, propertyId: PROP.hvac, ownerName: 'Carl Air', isAbsentee: true, projectDescription: 'AC unit repair',
      intentScorerVersion: 'permit-classifier@1+permit-intent-rules@1', zip: '75023', source: 'permit',
    });
    expect(hvac.intentScoredAt?.toISOString()).toBe(SCORED_AT);
    expect(String(hvac.marketValue)).toBe('200000');
    expect(leads[4]!.flags).toEqual(['owner_unknown']);

    const transitions = await h.ctx.db.prisma.systemEvent.findMany({ where: { eventType: 'lead.transition' }, orderBy: { createdAt: 'asc' } });
    expect(transitions).toHaveLength(5);
    expect(await h.ctx.db.prisma.systemEvent.count()).toBe(events + 5);
    expect(transitions.find((t) => t.entityId === leads[4]!.id)?.eventData).toMatchObject({ from: 'processing', to: 'needs_review', by: 'score-leads' });

    // Again: the same leads updated, no second row, no transition (status already right).
    const again = await run({ outDir: path.join(tmp, 'save'), saveToDb: true });
    expect(again.db).toEqual({ inserted: 0, updated: 5, skipped: 1, failed: 0, errors: [] });
    expect(await h.ctx.db.prisma.baseLead.count()).toBe(5);
    expect(await h.ctx.db.prisma.systemEvent.count()).toBe(events + 5);
  });
});

describe('--save-to-db, one lead per address and trade (issue 8 §1)', () => {
  it('a roof permit and a fence permit at one house are two leads; an older permit of the same trade is skipped', async () => {
    const db = h.ctx.db.prisma;
    const mk = (n: string, type: string, desc: string, minutesAgo: number) =>
      db.permit.create({ data: { source: 'test', permitNumber: n, address: '7 Twin St', city: 'Allen', state: 'TX', permitType: type, workDescription: desc, estimatedValue: 6_000, appliedDate: daysAgo(1), scrapedAt: new Date(NOW.getTime() - 60_000 * minutesAgo) } });
    const oldest = await mk('TW-0', 'Fence', 'replace fence', 60);
    const roof = await mk('TW-1', 'Roofing', 'reroof', 30);
    const newer = await mk('TW-2', 'Fence', 'new fence', 1);
    try {
      const s = await run({ outDir: path.join(tmp, 'twins'), cities: ['allen'], saveToDb: true, pageSize: 1 });
      expect(s.db).toEqual({ inserted: 2, updated: 0, skipped: 1, failed: 0, errors: [] });
      const leads = await db.baseLead.findMany({ where: { address: '7 Twin St' }, orderBy: { trade: 'asc' } });
      // no owner on record: both go to review
      expect(leads.map((l) => [l.trade, l.permitId, l.category, l.status])).toEqual([
        ['fence', newer.id, 'fence', 'needs_review'],
        ['roof', roof.id, 'roof', 'needs_review'],
      ]);
      expect(await tree(path.join(tmp, 'twins'))).toEqual(['flagged/needs_review.csv']); // every permit is in the file
      expect((await rowsOf(path.join(tmp, 'twins/flagged/needs_review.csv'))).map((r) => r.permit_id).sort()).toEqual([oldest.id, roof.id, newer.id].sort());
    } finally {
      await db.baseLead.deleteMany({ where: { address: '7 Twin St' } });
      await db.permit.deleteMany({ where: { id: { in: [oldest.id, roof.id, newer.id] } } });
    }
  });
});

describe('POST /api/v1/leads/:id/mark-sold (seed 001 "Mark as sold")', () => {
  const leadAt = (address: string) => h.ctx.db.prisma.baseLead.findFirstOrThrow({ where: { address } });

  it('records sold_to, sold_at and sold_price on a scored lead, through available', async () => {
    const lead = await leadAt('100 Pool Ln');
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${lead.id}/mark-sold`, headers: h.adminAuth, payload: { soldTo: 'ABC Pool Company', soldPrice: 25 } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: lead.id, status: 'sold', soldTo: 'ABC Pool Company', soldPrice: 25, tier: 'A', category: 'pool' });
    const after = await leadAt('100 Pool Ln');
    expect([after.status, after.soldTo, String(after.soldPrice), after.soldAt?.toISOString()]).toEqual(['sold', 'ABC Pool Company', '25', body.soldAt]);
    const moves = await h.ctx.db.prisma.systemEvent.findMany({ where: { entityId: lead.id, eventType: 'lead.transition' }, orderBy: { createdAt: 'asc' } });
    expect(moves.map((m) => (m.eventData as { to: string }).to)).toEqual(['scored', 'available', 'sold']);

    const twice = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${lead.id}/mark-sold`, headers: h.adminAuth, payload: { soldTo: 'Other Co', soldPrice: 30 } });
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'LEAD_ALREADY_SOLD']);
  });

  it('refuses leads under review, unknown leads, bad bodies and non-staff', async () => {
    const review = await leadAt('500 Fence Ct');
    const r1 = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${review.id}/mark-sold`, headers: h.adminAuth, payload: { soldTo: 'X', soldPrice: 10 } });
    expect([r1.statusCode, r1.json().code]).toEqual([409, 'INVALID_TRANSITION']);
    const r2 = await h.app.inject({ method: 'POST', url: '/api/v1/leads/00000000-0000-4000-8000-000000000000/mark-sold', headers: h.adminAuth, payload: { soldTo: 'X', soldPrice: 10 } });
    expect(r2.statusCode).toBe(404);
    const r3 = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${review.id}/mark-sold`, headers: h.adminAuth, payload: { soldTo: '', soldPrice: 10.005 } });
    expect(r3.statusCode).toBe(400);
    const r4 = await h.app.inject({ method: 'POST', url: `/api/v1/leads/${review.id}/mark-sold`, payload: { soldTo: 'X', soldPrice: 10 } });
    expect(r4.statusCode).toBe(401);
    expect((await leadAt('500 Fence Ct')).status).toBe('needs_review');
  });
});

describe('RETRY and --retry-only', () => {
  const failing = () => new OllamaReasoner({ url: ollama.url, model: 'm', timeoutMs: 2000, retries: 0 });
  const poolOnly = () => {
    ollama.answer = (req) =>
      req.prompt.includes('"category":"pool"')
        ? { kind: 'reply', response: { score: 83, reasoning: 'Fresh pool permit.', ideal_contractor: 'Pool builder', contact_priority: 'call', flags: [] } }
        : { kind: 'raw', status: 500, body: 'boom' };
  };

  it('a failed reasoner sends permits to the retry queue; --retry-only re-scores them and removes those that succeed', async () => {
    const out = path.join(tmp, 'retry');
    ollama.answer = () => ({ kind: 'raw', status: 500, body: 'boom' });
    const before = await dbSnapshot();
    const s = await run({ outDir: out, cities: ['plano'], reasoner: failing() });
    expect(await dbSnapshot()).toEqual(before); // a dry run logs no usage rows either
    expect(s).toMatchObject({ permits: 3, retry: 3, flagged: 0 });
    expect(await tree(out)).toEqual(['pending_retry/retry_queue.csv']);
    const queued = await rowsOf(path.join(out, 'pending_retry/retry_queue.csv'));
    expect(queued.map((r) => r.permit_id)).toEqual([P.pool, P.hvac, P.sign].sort());
    expect(queued.find((r) => r.permit_id === P.pool)).toEqual(row({
      permit_id: P.pool, city: 'Plano', property_address: '100 Pool Ln, Plano, TX 75024', owner_name: 'Ann Pool', project_description: 'New gunite pool and spa',
      market_value: '800000', days_old: '3', is_absentee: 'false', score: '-1', tier: 'RETRY', trade_group: 'luxury_outdoor', category: 'pool',
      reasoning: 'Reasoner failed: ollama answered HTTP 500 (after 1 attempt)',
    }));

    // The queue copied elsewhere (as an operator would hand it over) and retried while only pool answers work.
    const copy = path.join(tmp, 'retry_queue_copy.csv');
    await copyFile(path.join(out, 'pending_retry/retry_queue.csv'), copy);
    poolOnly();
    const r = await run({ outDir: out, permitIds: queued.map((q) => q.permit_id), retryFile: copy, reasoner: failing() });
    expect(r).toMatchObject({ permits: 3, retry: 2, retryFileRemoved: 1 });
    expect(await tree(out)).toEqual(['luxury_outdoor/pool/tier_a.csv', 'pending_retry/retry_queue.csv']);
    expect((await rowsOf(path.join(out, 'luxury_outdoor/pool/tier_a.csv'))).map((x) => [x.permit_id, x.score, x.tier, x.reasoning])).toEqual([[P.pool, '83', 'A', 'Fresh pool permit.']]);
    expect((await rowsOf(path.join(out, 'pending_retry/retry_queue.csv'))).map((x) => x.permit_id)).toEqual([P.hvac, P.sign].sort());
    expect((await rowsOf(copy)).map((x) => x.permit_id)).toEqual([P.hvac, P.sign].sort());
  });

  it('names permits of the file that no longer exist', async () => {
    const s = await run({ outDir: path.join(tmp, 'missing'), permitIds: [P.pool, '00000000-0000-4000-8000-000000000000', 'not-a-uuid'] });
    expect(s.permits).toBe(1);
    expect(s.missing).toEqual(['00000000-0000-4000-8000-000000000000', 'not-a-uuid']);
  });
});

describe('exports.retry-failed (the 06:00 job)', () => {
  let workers: WorkerHandle;
  afterAll(async () => {
    await workers?.close();
  });

  it('is in the catalog and is what the 06:00 schedule runs', () => {
    expect(JOBS.get('exports.retry-failed')).toBe(retryFailedJob);
    expect(SCHEDULES.find((s) => s.cron === '0 6 * * *')?.job).toBe('exports.retry-failed');
  });

  it('re-scores RETRY leads and the retry queue with the configured reasoner, saving leads and files', async () => {
    const out = path.join(tmp, 'job');
    ollama.answer = () => ({ kind: 'raw', status: 500, body: 'boom' });
    const usage = await h.ctx.db.prisma.apiUsageLog.count();
    // hvac fails while saving (lead → RETRY); sign fails in a dry run (only the file knows).
    await run({ outDir: out, permitIds: [P.hvac], saveToDb: true, reasoner: new OllamaReasoner({ url: ollama.url, model: 'm', timeoutMs: 2000, retries: 0 }) });
    await run({ outDir: out, permitIds: [P.sign], reasoner: new OllamaReasoner({ url: ollama.url, model: 'm', timeoutMs: 2000, retries: 0 }) });
    expect(await h.ctx.db.prisma.apiUsageLog.count()).toBe(usage + 1);
    const failed = await h.ctx.db.prisma.baseLead.findFirstOrThrow({ where: { permitId: P.hvac } });
    expect([failed.status, failed.tier, failed.intentScore, failed.contactPriority, failed.reasoning]).toEqual([
      'scored', 'RETRY', -1, null, 'Reasoner failed: ollama answered HTTP 500 (after 1 attempt)',
    ]);
    expect((await rowsOf(path.join(out, 'pending_retry/retry_queue.csv'))).map((r) => r.permit_id)).toEqual([P.hvac, P.sign].sort());

    workers = await startWorkers(h.ctx, { queues: ['exports'], cron: false, relay: false });
    const job = await h.ctx.queues.add(retryFailedJob, { outDir: out });
    const queue = h.ctx.queues.get('exports');
    const end = Date.now() + 15_000;
    while ((await queue.getJobState(job.id!)) !== 'completed') {
      if (Date.now() > end) throw new Error(`job ${job.id} did not complete: ${(await queue.getJob(job.id!))?.failedReason}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = (await queue.getJob(job.id!))!;
    expect(done.returnvalue).toEqual({ candidates: 2, fromDatabase: 1, fromFile: 2, succeeded: 2, stillFailing: 0, missing: 0, dbErrors: 0 });
    expect(done.progress).toEqual({ pct: 100, done: 2, total: 2 });

    const fixed = await h.ctx.db.prisma.baseLead.findFirstOrThrow({ where: { permitId: P.hvac } });
    expect([fixed.status, fixed.tier, fixed.intentScore, fixed.contactPriority]).toEqual(['scored', 'C', 9, 'email']);
    expect(await tree(out)).toEqual(['home_systems/hvac/tier_c.csv', 'other/other/tier_c.csv']);
  });
});

describe('--archive', () => {
  it('moves every delivered tier file to _delivered/YYYY-MM-DD keeping the tree; the review and retry queues stay', async () => {
    const out = path.join(tmp, 'exports');
    const live = await tree(out);
    const queues = ['flagged/needs_review.csv', 'pending_retry/retry_queue.csv'];
    expect(live).toContain(queues[0]); // the fixture run flags the fence permit
    const delivered = live.filter((f) => !queues.includes(f));
    const day = new Date(2026, 10, 22, 18, 0); // local time: the operator's calendar day
    const a = await archiveExports(out, day);
    expect(a).toEqual({ day: '2026-11-22', moved: delivered });
    const kept = live.filter((f) => queues.includes(f));
    expect(await tree(out)).toEqual([...delivered.map((f) => `_delivered/2026-11-22/${f}`), ...kept].sort());

    await run({ outDir: out, cities: ['plano'], limit: 1 });
    expect(await tree(out)).toContain('luxury_outdoor/pool/tier_a.csv');
    await archiveExports(out, day);
    expect(await tree(out)).toEqual([...delivered.map((f) => `_delivered/2026-11-22/${f}`), ...kept].sort());
    const pool = await rowsOf(path.join(out, '_delivered/2026-11-22/luxury_outdoor/pool/tier_a.csv'));
    expect(pool.map((r) => r.permit_id)).toEqual([P.pool]);
  });
});

describe('npm run score-leads (process)', () => {
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const proc = spawn('node_modules/.bin/tsx', ['scripts/score-leads.ts', ...args], {
        env: { ...process.env, DATABASE_URL: h.config.DATABASE_URL, REDIS_URL: h.config.REDIS_URL, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
      proc.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      proc.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('scores with a summary table, and exits 2 naming a bad flag', async () => {
    const out = path.join(tmp, 'cli');
    const [ok, bad] = await Promise.all([cli(['--limit', '2', '--cities', 'plano', '--out', out]), cli(['--limit', '2', '--bogus'])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^unknown flag --bogus\nusage: npm run score-leads/);
    expect(ok.stderr).toContain('dry run: the database is not changed');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('luxury_outdoor       1       0       0       1');
    expect(ok.stdout).toContain('permits scored                          2');
    expect(await tree(out)).toEqual(['home_systems/hvac/tier_c.csv', 'luxury_outdoor/pool/tier_a.csv']);
  });
});
