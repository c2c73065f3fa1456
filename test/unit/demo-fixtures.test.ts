import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZAssessorFileSource, ZPermitSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';
import { normalizeAddress } from '../../src/modules/acquisition/address.ts';
import { classifyPermit } from '../../src/modules/scoring/permit-intent.scorer.ts';
import {
  NOAA_DETAIL_COLUMNS, REPLAY_PLACEHOLDER, ZDemoManifest, prepareDemoFixtures, shiftDateText, shiftDaysFor,
  type ArcgisFeature, type PreparedDemo, type TDemoCity, type TDemoManifest,
} from '../../scripts/lib/demo-fixtures.ts';
import { REFERENCE_DATE, writeDemoFixtures } from '../../scripts/lib/make-demo-fixtures.ts';

const FIXTURES = path.resolve('test/fixtures/demo');
const NOAA_FILE = 'noaa/StormEvents_details-ftp_v1.0_d2026_c20261101.csv';
const DAY = 86_400_000;

let tmp: string;
let manifest: TDemoManifest;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'demo-fixtures-'));
  manifest = JSON.parse(await readFile(path.join(FIXTURES, 'manifest.json'), 'utf8')) as TDemoManifest;
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------
// Independent readers (column names straight from the files, not from the loader)

interface Permit { number: string; type: string; klass: string; description: string; address: string; zip: string; issued: string; lat: number | null; lng: number | null }

const cityOf = (slug: string): TDemoCity => manifest.cities.find((c) => c.slug === slug)!;

async function readPermits(dir: string, slug: string): Promise<Permit[]> {
  const city = cityOf(slug);
  const out: Permit[] = [];
  for (const rel of city.permitsFiles) {
    const text = await readFile(path.join(dir, rel), 'utf8');
    if (slug === 'austin-tx') {
      for (const r of JSON.parse(text) as Record<string, string>[]) {
        out.push({
          number: r.permit_number!, type: r.permit_type_desc!, klass: r.permit_class_mapped!, description: r.description!, address: r.original_address1!,
          zip: r.original_zip!, issued: r.issue_date!.slice(0, 10), lat: r.latitude ? Number(r.latitude) : null, lng: r.longitude ? Number(r.longitude) : null,
        });
      }
    } else if (slug === 'denver-co') {
      for (const f of JSON.parse(text) as ArcgisFeature[]) {
        const a = f.attributes;
        out.push({
          number: String(a.PERMIT_NUM), type: String(a.PERMIT_TYPE), klass: String(a.CLASS), description: String(a.WORK_DESC), address: String(a.ADDRESS),
          zip: String(a.ZIP), issued: new Date(a.ISSUE_DATE as number).toISOString().slice(0, 10), lat: f.geometry?.y ?? null, lng: f.geometry?.x ?? null,
        });
      }
    } else {
      for (const r of parse(text, { columns: true }) as Record<string, string>[]) {
        out.push({
          number: r.PermitNum!, type: r.PermitType!, klass: r.PermitClass!, description: r.Description!, address: r.OriginalAddress1!, zip: r.OriginalZip!,
          issued: r.IssuedDate!, lat: r.Latitude ? Number(r.Latitude) : null, lng: r.Longitude ? Number(r.Longitude) : null,
        });
      }
    }
  }
  return out;
}

async function readAssessor(dir: string, slug: string): Promise<Record<string, unknown>[]> {
  const a = cityOf(slug).assessorSource;
  const text = await readFile(path.join(dir, a.path!), 'utf8');
  return a.kind === 'json' ? (JSON.parse(text) as Record<string, unknown>[]) : (parse(text, { columns: true }) as Record<string, unknown>[]);
}

function haversineM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 6_371_008.8 * 2 * Math.asin(Math.sqrt(h));
}

const daysBefore = (ymd: string, ref = REFERENCE_DATE) => (Date.parse(`${ref}T00:00:00Z`) - Date.parse(`${ymd}T00:00:00Z`)) / DAY;

async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((x, y) => x.name.localeCompare(y.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(await readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

// ---------------------------------------------------------------------------------------------------------

describe('manifest', () => {
  it('parses with the acquisition contracts, and every file it names exists', async () => {
    expect(ZDemoManifest.safeParse(manifest).success).toBe(true);
    expect(manifest.referenceDate).toBe('2026-11-01');
    expect(manifest.cities.map((c) => `${c.city} ${c.state} ${c.permitSource.kind}`)).toEqual(['Austin TX socrata', 'Denver CO arcgis', 'Dallas TX csv']);
    for (const c of manifest.cities) {
      const src = ZPermitSourceConfig.parse(c.permitSource);
      if (src.kind === 'socrata') expect([src.baseUrl, src.datasetId, src.dateField]).toEqual([REPLAY_PLACEHOLDER, '3syk-w9eu', 'issue_date']);
      if (src.kind === 'arcgis') expect([src.layerUrl, src.dateField]).toEqual([REPLAY_PLACEHOLDER, 'ISSUE_DATE']);
      if (src.kind === 'csv') expect((await stat(path.join(FIXTURES, src.path!))).isDirectory()).toBe(true);
      expect(ZAssessorFileSource.parse(c.assessorSource).path).toBe(c.assessorSource.path);
      for (const f of [...c.permitsFiles, c.assessorSource.path!]) expect((await stat(path.join(FIXTURES, f))).size).toBeGreaterThan(1000);
    }
    for (const f of manifest.noaaFiles) expect((await stat(path.join(FIXTURES, f))).isFile()).toBe(true);
  });

  it('maps only columns that exist in the permit and assessor files', async () => {
    for (const c of manifest.cities) {
      const raw = await readFile(path.join(FIXTURES, c.permitsFiles[0]!), 'utf8');
      const columns = new Set(
        c.permitSource.kind === 'socrata' ? (JSON.parse(raw) as Record<string, string>[]).flatMap((r) => Object.keys(r))
          : c.permitSource.kind === 'arcgis' ? (JSON.parse(raw) as ArcgisFeature[]).flatMap((f) => Object.keys(f.attributes))
            : (parse(raw, { to_line: 1 }) as string[][])[0]!,
      );
      const fieldMap = (c.permitSource as { fieldMap: Record<string, string | undefined> }).fieldMap;
      for (const [field, column] of Object.entries(fieldMap)) expect(columns.has(column!), `${c.slug} permit ${field} → ${column}`).toBe(true);
      const parcels = await readAssessor(FIXTURES, c.slug);
      const assessorColumns = new Set(Object.keys(parcels[0]!));
      for (const [field, column] of Object.entries(c.assessorSource.fieldMap)) expect(assessorColumns.has(column!), `${c.slug} assessor ${field} → ${column}`).toBe(true);
    }
  });
});

describe('generator', () => {
  it('is deterministic and the committed fixtures are its current output', async () => {
    const a = path.join(tmp, 'gen-a');
    const b = path.join(tmp, 'gen-b');
    const ra = await writeDemoFixtures(a);
    await writeDemoFixtures(b);
    const [ha, hb, committed] = await Promise.all([hashTree(a), hashTree(b), hashTree(FIXTURES)]);
    expect(Object.keys(ha)).toHaveLength(9);
    expect(hb).toEqual(ha);
    expect(committed).toEqual(ha);
    // A different seed really changes the data (the hash comparison above can fail).
    const c = await hashTree((await writeDemoFixtures(path.join(tmp, 'gen-c'), { seed: 7 })).outDir);
    expect(c['austin-tx/socrata-3syk-w9eu.json']).not.toBe(ha['austin-tx/socrata-3syk-w9eu.json']);
    expect(ra.files.reduce((s, f) => s + f.bytes, 0)).toBeLessThan(3 * 1024 * 1024);
  });
});

describe('permits', () => {
  it.each(['austin-tx', 'denver-co', 'dallas-tx'])('%s: ~350 permits over the 120 days before the reference date, half roofing, many trades', async (slug) => {
    const permits = await readPermits(FIXTURES, slug);
    expect(permits.length).toBe(350);
    expect(new Set(permits.map((p) => p.number)).size).toBe(350);
    for (const p of permits) {
      expect(daysBefore(p.issued)).toBeGreaterThanOrEqual(1);
      expect(daysBefore(p.issued)).toBeLessThanOrEqual(120);
    }
    const categories = permits.map((p) => classifyPermit({ permitType: p.type, permitClass: p.klass, description: p.description }).category);
    const roof = categories.filter((c) => c === 'roof').length;
    expect(roof / permits.length).toBeGreaterThan(0.4);
    expect(roof / permits.length).toBeLessThan(0.6);
    // Only the odd commercial finish-out names no trade (real feeds have those too).
    expect(categories.filter((c) => c === 'other').length).toBeLessThanOrEqual(10);
    expect(new Set(categories).size).toBeGreaterThanOrEqual(9);
    expect(categories.some((c) => c.startsWith('commercial_'))).toBe(true);
    // A few permits come without coordinates, so the pipeline geocodes something.
    const noCoords = permits.filter((p) => p.lat === null).length;
    expect(noCoords).toBeGreaterThan(0);
    expect(noCoords).toBeLessThan(25);
  });

  // The neighbour trigger counts roofing permits within 0.25 mi (402 m) issued in the last 30 days, the subject's own
  // permit excluded: every member of a wave must see at least five others.
  it.each(['austin-tx', 'denver-co', 'dallas-tx'])('%s: every member of a declared cluster has ≥5 other roofing permits within 402 m in the last 30 days', async (slug) => {
    const permits = new Map((await readPermits(FIXTURES, slug)).map((p) => [p.number, p]));
    const clusters = cityOf(slug).clusters;
    expect(clusters.length).toBe(3);
    for (const cl of clusters) {
      const members = cl.permitNumbers.map((n) => permits.get(n)!);
      expect(members.every(Boolean)).toBe(true);
      expect(members.length).toBeGreaterThanOrEqual(6);
      expect(members.length).toBeLessThanOrEqual(9);
      for (const p of members) {
        expect(classifyPermit({ permitType: p.type, permitClass: p.klass, description: p.description }).category).toBe('roof');
        expect(daysBefore(p.issued)).toBeLessThan(30); // issue_date > as-of − 30 days
        expect(p.lat).not.toBeNull();
        for (const q of members) expect(haversineM({ lat: p.lat!, lng: p.lng! }, { lat: q.lat!, lng: q.lng! })).toBeLessThanOrEqual(402);
      }
    }
    // Counted over the whole file, as the trigger does: at least every cluster member qualifies.
    const recentRoofs = [...permits.values()].filter((p) => p.lat !== null && daysBefore(p.issued) < 30
      && classifyPermit({ permitType: p.type, permitClass: p.klass, description: p.description }).category === 'roof');
    const at = (p: Permit) => ({ lat: p.lat!, lng: p.lng! });
    const triggered = recentRoofs.filter((p) => recentRoofs.filter((q) => q !== p && haversineM(at(p), at(q)) <= 402.336).length >= 5);
    expect(triggered.length).toBeGreaterThanOrEqual(clusters.reduce((a, c) => a + c.permitNumbers.length, 0));
  });
});

describe('assessor exports', () => {
  it.each(['austin-tx', 'denver-co', 'dallas-tx'])('%s: every permit address is a parcel, a third spelled differently; realistic shares', async (slug) => {
    const city = cityOf(slug);
    const f = city.assessorSource.fieldMap;
    const parcels = await readAssessor(FIXTURES, slug);
    expect(parcels.length).toBe(700);
    const byKey = new Map(parcels.map((p) => [`${normalizeAddress(String(p[f.address!]))}|${String(p[f.zip!])}`, p]));
    expect(byKey.size).toBe(700);
    const addresses = new Map((await readPermits(FIXTURES, slug)).map((p) => [`${normalizeAddress(p.address)}|${p.zip}`, p.address]));
    let different = 0;
    for (const [key, written] of addresses) {
      const parcel = byKey.get(key);
      expect(parcel, `${written} has no parcel`).toBeDefined();
      if (String(parcel![f.address!]).toUpperCase() !== written.toUpperCase()) different++;
    }
    expect(different / addresses.size).toBeGreaterThan(0.25);
    expect(different / addresses.size).toBeLessThan(0.42);

    const site = (p: Record<string, unknown>) => String(p[f.address!]).toUpperCase();
    const absentee = parcels.filter((p) => !String(p[f.ownerMailingAddress!]).startsWith(site(p))).length / parcels.length;
    expect(absentee).toBeGreaterThan(0.14);
    expect(absentee).toBeLessThan(0.26);
    const recentSales = parcels.filter((p) => p[f.lastSaleDate!] && daysBefore(String(p[f.lastSaleDate!])) <= 365).length / parcels.length;
    expect(recentSales).toBeGreaterThan(0.06);
    expect(recentSales).toBeLessThan(0.14);
    const years = parcels.map((p) => Number(p[f.yearBuilt!])).filter((y) => y > 0);
    expect(years.filter((y) => y <= 2006).length / years.length).toBeGreaterThan(0.75);
    for (const p of parcels) {
      expect(Number(p[f.marketValue!])).toBeGreaterThan(50_000);
      expect(Number(p[f.assessedValue!])).toBeLessThanOrEqual(Number(p[f.marketValue!]));
      expect(Number(p[f.sqft!])).toBeGreaterThanOrEqual(850);
      expect(String(p[f.state!])).toBe(city.state);
    }
  });
});

describe('NOAA details file', () => {
  it('has the 51 columns in order on every row and ~120 plausible events', async () => {
    const text = await readFile(path.join(FIXTURES, NOAA_FILE), 'utf8');
    const rows = parse(text, { relax_column_count: true }) as string[][];
    expect(rows[0]).toEqual([...NOAA_DETAIL_COLUMNS]);
    for (const r of rows) expect(r).toHaveLength(51);
    const events = parse(text, { columns: true }) as Record<string, string>[];
    expect(events.length).toBeGreaterThanOrEqual(110);
    expect(events.length).toBeLessThanOrEqual(130);
    expect(new Set(events.map((e) => e.EVENT_ID)).size).toBe(events.length);

    const hail = events.filter((e) => e.EVENT_TYPE === 'Hail').map((e) => Number(e.MAGNITUDE));
    expect(Math.min(...hail)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...hail)).toBeLessThanOrEqual(2.5);
    const wind = events.filter((e) => e.EVENT_TYPE === 'Thunderstorm Wind');
    for (const w of wind) {
      expect(Number(w.MAGNITUDE)).toBeGreaterThanOrEqual(55);
      expect(Number(w.MAGNITUDE)).toBeLessThanOrEqual(75);
      expect(['EG', 'MG']).toContain(w.MAGNITUDE_TYPE);
    }
    const tornadoes = events.filter((e) => e.EVENT_TYPE === 'Tornado');
    expect(tornadoes.map((t) => [t.TOR_F_SCALE, t.CZ_NAME, t.STATE, t.CZ_TIMEZONE])).toEqual([['EF1', 'DALLAS', 'TEXAS', 'CST-6']]);
    expect(events.filter((e) => e.BEGIN_LAT === '').length).toBeGreaterThanOrEqual(3);
    expect(new Set(events.map((e) => e.STATE))).toEqual(new Set(['TEXAS', 'COLORADO', 'OKLAHOMA', 'KANSAS']));
    for (const e of events) {
      // BEGIN_DATE_TIME agrees with BEGIN_YEARMONTH/BEGIN_DAY/BEGIN_TIME.
      const ym = e.BEGIN_YEARMONTH!;
      const mon = new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(4)) - 1, 1)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' }).toUpperCase();
      const t = e.BEGIN_TIME!.padStart(4, '0');
      expect(e.BEGIN_DATE_TIME).toBe(`${e.BEGIN_DAY!.padStart(2, '0')}-${mon}-${ym.slice(2, 4)} ${t.slice(0, 2)}:${t.slice(2)}:00`);
      expect(e.CZ_TIMEZONE).toBe(e.STATE === 'COLORADO' ? 'MST-7' : 'CST-6');
      expect(e.DAMAGE_PROPERTY).toMatch(/^\d+\.\d{2}K$/);
    }
    // Each demo city had storms in the 90 days before the reference date.
    for (const county of ['TRAVIS', 'DALLAS', 'DENVER']) {
      const mine = events.filter((e) => e.CZ_NAME === county);
      expect(mine.length).toBeGreaterThanOrEqual(15);
      for (const e of mine) expect(daysBefore(`${e.BEGIN_YEARMONTH!.slice(0, 4)}-${e.BEGIN_YEARMONTH!.slice(4)}-${e.BEGIN_DAY!.padStart(2, '0')}`)).toBeLessThanOrEqual(90);
    }
    // Narratives with commas and quotes survive RFC 4180 quoting.
    expect(events.some((e) => e.EVENT_NARRATIVE!.includes('"'))).toBe(true);
  });

  it('puts large hail within 3 miles of every hail-wave cluster before its permits', async () => {
    const events = parse(await readFile(path.join(FIXTURES, NOAA_FILE), 'utf8'), { columns: true }) as Record<string, string>[];
    for (const city of manifest.cities) {
      const permits = new Map((await readPermits(FIXTURES, city.slug)).map((p) => [p.number, p]));
      for (const cl of city.clusters) {
        const firstIssued = cl.permitNumbers.map((n) => permits.get(n)!.issued).sort()[0]!;
        const storms = events.filter((e) => e.BEGIN_LAT && (e.EVENT_TYPE === 'Hail' || e.EVENT_TYPE === 'Tornado')
          && haversineM(cl.center, { lat: Number(e.BEGIN_LAT), lng: Number(e.BEGIN_LON) }) <= 3 * 1609.344
          && `${e.BEGIN_YEARMONTH!.slice(0, 4)}-${e.BEGIN_YEARMONTH!.slice(4)}-${e.BEGIN_DAY!.padStart(2, '0')}` < firstIssued);
        expect(storms.length, cl.name).toBeGreaterThan(0);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('date shifting', () => {
  it('shifts text dates by calendar days and keeps the time of day (hand-computed)', () => {
    expect(shiftDateText('2026-12-31', 1)).toBe('2027-01-01');
    expect(shiftDateText('2024-02-28T10:15:00.000', 1)).toBe('2024-02-29T10:15:00.000');
    expect(shiftDateText('2026-10-14T00:00:00.000', 79)).toBe('2027-01-01T00:00:00.000');
    expect(shiftDateText('2026-03-01', -1)).toBe('2026-02-28');
    expect(shiftDateText('10/03/2026', 30)).toBe('11/02/2026');
    expect(shiftDateText('3/5/2026', -5)).toBe('2/28/2026');
    expect(shiftDateText('2026-02-30', 1)).toBeNull();
    expect(shiftDateText('soon', 1)).toBeNull();
  });

  it('counts whole UTC days from the reference date', () => {
    expect(shiftDaysFor('2026-11-01', new Date('2027-01-19T23:59:00Z'))).toBe(79);
    expect(shiftDaysFor('2026-11-01', new Date('2026-11-01T00:00:00Z'))).toBe(0);
    expect(shiftDaysFor('2026-11-01', new Date('2026-03-01T12:00:00Z'))).toBe(-245);
  });
});

describe('prepareDemoFixtures', () => {
  // 2026-11-01 + 79 days = 2027-01-19 (Nov 29 + Dec 31 + Jan 19): October storms land in January.
  const TODAY = new Date('2027-01-19T15:00:00Z');
  let prepared: PreparedDemo;

  beforeAll(async () => {
    prepared = await prepareDemoFixtures({ fixturesDir: FIXTURES, outDir: path.join(tmp, 'prepared'), today: TODAY, onProgress: (d, t, s) => progress.push(`${d}/${t} ${s}`) });
  });
  const progress: string[] = [];

  it('reports progress per city and for the storm file', () => {
    expect(progress).toEqual(['1/4 Austin, TX', '2/4 Denver, CO', '3/4 Dallas, TX', '4/4 NOAA storm events']);
  });

  it('reports the shift and everything the demo needs', () => {
    expect([prepared.referenceDate, prepared.today, prepared.shiftDays]).toEqual(['2026-11-01', '2027-01-19', 79]);
    const [austin, denver, dallas] = prepared.cities;
    expect(austin!.socrataRecords).toHaveLength(350);
    expect(austin!.permitSource).toMatchObject({ kind: 'socrata', baseUrl: REPLAY_PLACEHOLDER });
    expect(denver!.arcgisFeatures).toHaveLength(350);
    expect(denver!.dateFields).toEqual(['APPLIED_DATE', 'ISSUE_DATE', 'COMPLETED_DATE']);
    expect(dallas!.csvDir).toBe(path.join(tmp, 'prepared', 'dallas-tx', 'permits'));
    expect(dallas!.permitSource).toMatchObject({ kind: 'csv', path: dallas!.csvDir });
    expect(ZPermitSourceConfig.safeParse(dallas!.permitSource).success).toBe(true);
    expect(ZAssessorFileSource.safeParse(denver!.assessorSource).success).toBe(true);
    expect(denver!.assessorSource.path).toBe(path.join(tmp, 'prepared', 'denver-co', 'assessor.json'));
    expect(prepared.noaaFiles.map((f) => path.basename(f))).toEqual([
      'StormEvents_details-ftp_v1.0_d2026_c20270119.csv',
      'StormEvents_details-ftp_v1.0_d2027_c20270119.csv',
    ]);
  });

  it('shifts a Socrata record: floating timestamps keep their clock time', () => {
    const rec = prepared.cities[0]!.socrataRecords!.find((r) => r.permit_number === '2026-106776 BP')!;
    // Fixture: applieddate 2026-10-19T15:30:01.000 (+12 → Oct 31, +30 → Nov 30, +31 → Dec 31, +6 → Jan 6),
    // issue_date 2026-10-25T00:00:00.000, no completed_date.
    expect(rec.applieddate).toBe('2027-01-06T15:30:01.000');
    expect(rec.issue_date).toBe('2027-01-12T00:00:00.000');
    expect(rec.completed_date).toBeUndefined();
    expect(rec.original_address1).toBe('6618 SHOAL CREEK BLVD');
  });

  it('shifts an ArcGIS feature by exactly 79 × 86,400,000 ms', () => {
    const f = prepared.cities[1]!.arcgisFeatures!.find((x) => x.attributes.PERMIT_NUM === '2026-RFG-0009237')!;
    // Fixture ISSUE_DATE 1793307840000 = 2026-10-29T21:04:00Z; + 6,825,600,000 ms.
    expect(f.attributes.ISSUE_DATE).toBe(1_800_133_440_000);
    expect(new Date(f.attributes.ISSUE_DATE as number).toISOString()).toBe('2027-01-16T21:04:00.000Z');
    expect(f.geometry).toEqual({ x: -104.927495, y: 39.751848 });
  });

  it('shifts BLDS CSV dates and keeps the rest of the row byte for byte', async () => {
    const text = await readFile(path.join(prepared.cities[2]!.csvDir!, 'blds-export-2.csv'), 'utf8');
    const row = (parse(text, { columns: true }) as Record<string, string>[]).find((r) => r.PermitNum === '2610121292')!;
    // Fixture: AppliedDate 2026-10-12, IssuedDate 2026-10-14, CompletedDate 2026-10-29.
    expect([row.AppliedDate, row.IssuedDate, row.CompletedDate]).toEqual(['2026-12-30', '2027-01-01', '2027-01-16']);
    const original = (parse(await readFile(path.join(FIXTURES, 'dallas-tx/permits/blds-export-2.csv'), 'utf8'), { columns: true }) as Record<string, string>[]).find((r) => r.PermitNum === '2610121292')!;
    expect({ ...row, AppliedDate: '', IssuedDate: '', CompletedDate: '' }).toEqual({ ...original, AppliedDate: '', IssuedDate: '', CompletedDate: '' });
  });

  it('shifts all 8 date fields of a NOAA row across the year boundary, and files rows by year', async () => {
    const text = await readFile(prepared.noaaFiles[1]!, 'utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    for (const r of parse(text, { relax_column_count: true }) as string[][]) expect(r).toHaveLength(51);
    const tornado = rows.find((r) => r.EVENT_TYPE === 'Tornado')!;
    // Fixture: 14-OCT-26 16:35:00 → 14-OCT-26 16:44:00; + 79 days = 1 January 2027.
    expect([tornado.BEGIN_YEARMONTH, tornado.BEGIN_DAY, tornado.BEGIN_TIME, tornado.END_YEARMONTH, tornado.END_DAY, tornado.END_TIME]).toEqual(['202701', '1', '1635', '202701', '1', '1644']);
    expect([tornado.YEAR, tornado.MONTH_NAME, tornado.BEGIN_DATE_TIME, tornado.END_DATE_TIME]).toEqual(['2027', 'January', '01-JAN-27 16:35:00', '01-JAN-27 16:44:00']);
    expect(rows.every((r) => r.YEAR === '2027')).toBe(true);
    const older = parse(await readFile(prepared.noaaFiles[0]!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(older.every((r) => r.YEAR === '2026')).toBe(true);
    const original = parse(await readFile(path.join(FIXTURES, NOAA_FILE), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(older.length + rows.length).toBe(original.length);
  });

  it('shifts assessor sale dates (CSV and JSON) and nothing else', async () => {
    const before = await readAssessor(FIXTURES, 'denver-co');
    const after = JSON.parse(await readFile(prepared.cities[1]!.assessorSource.path!, 'utf8')) as Record<string, unknown>[];
    expect(after).toHaveLength(before.length);
    before.forEach((b, i) => {
      const a = after[i]!;
      if (b.SALE_DATE) expect(daysBefore(String(b.SALE_DATE), String(a.SALE_DATE))).toBe(79);
      else expect(a.SALE_DATE).toBe(b.SALE_DATE);
      expect({ ...a, SALE_DATE: null }).toEqual({ ...b, SALE_DATE: null });
    });
    const austin = parse(await readFile(prepared.cities[0]!.assessorSource.path!, 'utf8'), { columns: true }) as Record<string, string>[];
    const austinBefore = await readAssessor(FIXTURES, 'austin-tx');
    expect(daysBefore(String(austinBefore[0]!.DEED_DATE), austin[0]!.DEED_DATE)).toBe(79);
  });

  it('writes a manifest that makes outDir a fixtures folder of its own (re-preparing for the same day changes nothing)', async () => {
    const again = await prepareDemoFixtures({ fixturesDir: prepared.outDir, outDir: path.join(tmp, 'again'), today: TODAY });
    expect(again.shiftDays).toBe(0);
    const [h1, h2] = await Promise.all([hashTree(prepared.outDir), hashTree(again.outDir)]);
    expect(h2).toEqual(h1);
  });

  it('moves dates backwards when today is before the reference date', async () => {
    const back = await prepareDemoFixtures({ fixturesDir: FIXTURES, outDir: path.join(tmp, 'back'), today: new Date('2026-10-02T08:00:00Z') });
    expect(back.shiftDays).toBe(-30);
    expect(back.cities[0]!.socrataRecords!.find((r) => r.permit_number === '2026-106776 BP')!.issue_date).toBe('2026-09-25T00:00:00.000');
    expect(back.noaaFiles.map((f) => path.basename(f))).toEqual(['StormEvents_details-ftp_v1.0_d2026_c20261002.csv']);
  });

  it('fails on a bad date naming file, record and field, and keeps the previous output', async () => {
    const broken = path.join(tmp, 'broken');
    await cp(FIXTURES, broken, { recursive: true });
    const file = path.join(broken, 'austin-tx/socrata-3syk-w9eu.json');
    const records = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>[];
    records[3]!.issue_date = '26/10/2026';
    await writeFile(file, JSON.stringify(records));
    const out = path.join(tmp, 'kept');
    await prepareDemoFixtures({ fixturesDir: FIXTURES, outDir: out, today: TODAY });
    const before = await hashTree(out);
    await expect(prepareDemoFixtures({ fixturesDir: broken, outDir: out, today: new Date('2027-02-01T00:00:00Z') }))
      .rejects.toThrow('austin-tx/socrata-3syk-w9eu.json: record 3 issue_date "26/10/2026" is not a date');
    expect(await hashTree(out)).toEqual(before);
    expect((await readdir(tmp)).filter((n) => n.includes('.partial-'))).toEqual([]);
  });

  it('fails on a manifest field that breaks the contract, naming its path', async () => {
    const broken = path.join(tmp, 'bad-manifest');
    await mkdir(broken, { recursive: true });
    const m = structuredClone(manifest) as unknown as { cities: Array<{ permitSource: { datasetId?: string } }> };
    m.cities[0]!.permitSource.datasetId = 'permits';
    await writeFile(path.join(broken, 'manifest.json'), JSON.stringify(m));
    await expect(prepareDemoFixtures({ fixturesDir: broken, outDir: path.join(tmp, 'x'), today: TODAY }))
      .rejects.toThrow(/cities\.0\.permitSource\.datasetId must be a Socrata 4x4 id/);
  });

  it('refuses to replace a folder it did not write, or the fixtures themselves', async () => {
    const foreign = path.join(tmp, 'foreign');
    await mkdir(foreign, { recursive: true });
    await writeFile(path.join(foreign, 'notes.txt'), 'keep me');
    await expect(prepareDemoFixtures({ fixturesDir: FIXTURES, outDir: foreign, today: TODAY })).rejects.toThrow(/not written by prepareDemoFixtures/);
    expect(await readFile(path.join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');
    await expect(prepareDemoFixtures({ fixturesDir: FIXTURES, outDir: FIXTURES, today: TODAY })).rejects.toThrow(/would overwrite the fixtures/);
    await expect(prepareDemoFixtures({ fixturesDir: FIXTURES, outDir: path.dirname(FIXTURES), today: TODAY })).rejects.toThrow(/would overwrite the fixtures/);
  });
});
