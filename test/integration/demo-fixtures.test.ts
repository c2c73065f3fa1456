import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { startArcgisServer, startSocrataServer, type ReplayServer } from '../../scripts/lib/replay-servers.ts';
import { REPLAY_PLACEHOLDER, prepareDemoFixtures, type PreparedDemo } from '../../scripts/lib/demo-fixtures.ts';
import type { NormalizedPermit, PermitSource, PermitWindow, TPermitSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';
import { createPermitSource } from '../../src/modules/acquisition/permit-sources/index.ts';
import { AssessorFileSource } from '../../src/modules/acquisition/property-records/file-source.ts';
import { parseStormFile } from '../../src/modules/acquisition/storm-events.parser.ts';

/**
 * The prepared demo data through the project's real readers: the Socrata and ArcGIS clients against the local
 * replay servers (the demo's own setup), the BLDS CSV source, the assessor importer and the NOAA details parser.
 * Dates are rebased to 2027-01-19, so the last 30 days straddle New Year.
 */
const TODAY = new Date('2027-01-19T15:00:00Z');
const WINDOW: PermitWindow = { since: new Date('2026-12-20T00:00:00Z'), until: new Date('2027-01-20T00:00:00Z') };
const LAYER = '/arcgis/rest/services/DemoPermits/FeatureServer/0';
const inWindow = (day: string) => day >= '2026-12-20' && day < '2027-01-20';

let h: TestHarness;
let tmp: string;
let demo: PreparedDemo;
const servers: ReplayServer[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'demo-fixtures-int-'));
  demo = await prepareDemoFixtures({ fixturesDir: 'test/fixtures/demo', outDir: path.join(tmp, 'demo'), today: TODAY });
  h = await createHarness({ SCRAPER_HOST_RATE_PER_SECOND: '100', FIXTURES_DIR: demo.outDir });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await h?.close();
  await rm(tmp, { recursive: true, force: true });
});

async function collect(source: PermitSource): Promise<NormalizedPermit[]> {
  const out: NormalizedPermit[] = [];
  for await (const page of source.fetchPermits(WINDOW)) out.push(...page);
  return out;
}

/** The demo's step: the placeholder origin becomes the replay server's. */
function pointAt(config: TPermitSourceConfig, origin: string): TPermitSourceConfig {
  if (config.kind === 'socrata') return { ...config, baseUrl: config.baseUrl.replace(REPLAY_PLACEHOLDER, origin) };
  if (config.kind === 'arcgis') return { ...config, layerUrl: config.layerUrl.replace(REPLAY_PLACEHOLDER, `${origin}${LAYER}`) };
  return config;
}

describe('prepared demo permits through the real permit sources', () => {
  it('Austin: the Socrata client pages the replayed 3syk-w9eu records of the last 30 days', async () => {
    const city = demo.cities.find((c) => c.slug === 'austin-tx')!;
    const soda = await startSocrataServer({ datasets: { '3syk-w9eu': city.socrataRecords! } });
    servers.push(soda);
    const permits = await collect(createPermitSource(pointAt(city.permitSource, soda.url), h.ctx, { timeZone: 'America/Chicago' }));
    const expected = city.socrataRecords!.filter((r) => inWindow(r.issue_date!.slice(0, 10))).map((r) => r.permit_number).sort();
    expect(expected.length).toBeGreaterThan(60);
    expect(permits.map((p) => p.permitNumber).sort()).toEqual(expected);
    // Cluster permits arrive with dates in the shifted calendar and their coordinates.
    const member = permits.find((p) => p.permitNumber === city.clusters[0]!.permitNumbers[0])!;
    expect(inWindow(member.issueDate!)).toBe(true);
    expect(member.lat).not.toBeNull();
  });

  it('Denver: the ArcGIS client reads the replayed FeatureServer layer in outSR 4326', async () => {
    const city = demo.cities.find((c) => c.slug === 'denver-co')!;
    const arc = await startArcgisServer({ layers: { [LAYER]: city.arcgisFeatures! }, dateFields: city.dateFields, maxRecordCount: 100 });
    servers.push(arc);
    const permits = await collect(createPermitSource(pointAt(city.permitSource, arc.url), h.ctx, { timeZone: 'America/Denver' }));
    const expected = city.arcgisFeatures!.filter((f) => inWindow(new Date(f.attributes.ISSUE_DATE as number).toISOString().slice(0, 10)));
    expect(permits.map((p) => p.permitNumber).sort()).toEqual(expected.map((f) => String(f.attributes.PERMIT_NUM)).sort());
    const sample = expected.find((f) => f.geometry)!;
    const got = permits.find((p) => p.permitNumber === sample.attributes.PERMIT_NUM)!;
    expect([got.lat, got.lng]).toEqual([sample.geometry!.y, sample.geometry!.x]);
    // The layer's local day is the UTC day of the stamp (stamps are 07:00–16:59 Denver time).
    expect(got.issueDate).toBe(new Date(sample.attributes.ISSUE_DATE as number).toISOString().slice(0, 10));
  });

  it('Dallas: the CSV source reads both BLDS export files from the prepared folder', async () => {
    const city = demo.cities.find((c) => c.slug === 'dallas-tx')!;
    const permits = await collect(createPermitSource(city.permitSource, h.ctx, { timeZone: 'America/Chicago' }));
    const rows = [
      ...(parse(await readFile(path.join(city.csvDir!, 'blds-export-1.csv'), 'utf8'), { columns: true }) as Record<string, string>[]),
      ...(parse(await readFile(path.join(city.csvDir!, 'blds-export-2.csv'), 'utf8'), { columns: true }) as Record<string, string>[]),
    ];
    expect(rows).toHaveLength(350);
    expect(permits.map((p) => p.permitNumber).sort()).toEqual(rows.filter((r) => inWindow(r.IssuedDate!)).map((r) => r.PermitNum).sort());
  });
});

describe('prepared assessor exports and NOAA file through the real readers', () => {
  it.each(['austin-tx', 'denver-co', 'dallas-tx'])('%s: every parcel imports without a row error', async (slug) => {
    const city = demo.cities.find((c) => c.slug === slug)!;
    const source = new AssessorFileSource(city.assessorSource, { fixturesDir: demo.outDir, defaultCity: city.city, defaultState: city.state });
    let n = 0;
    let absentee = 0;
    let recentSale = 0;
    for await (const batch of source.records()) {
      for (const r of batch) {
        n++;
        if (r.isAbsentee) absentee++;
        if (r.lastSaleDate && r.lastSaleDate > '2026-01-19') recentSale++;
      }
    }
    expect(source.errors).toEqual([]);
    expect(n).toBe(700);
    expect(absentee / n).toBeGreaterThan(0.14);
    expect(absentee / n).toBeLessThan(0.26);
    // Sale dates moved with everything else: ~10% within a year of the new "today".
    expect(recentSale / n).toBeGreaterThan(0.06);
    expect(recentSale / n).toBeLessThan(0.14);
  });

  it('NOAA: every shifted row parses, with no warnings, into the right year file', async () => {
    const types = new Map<string, number>();
    for (const file of demo.noaaFiles) {
      const year = /_d(\d{4})_/.exec(path.basename(file))![1];
      for await (const { result } of parseStormFile(createReadStream(file))) {
        if (!result.ok) throw new Error(`${file} row ${result.error.row}: ${result.error.message}`);
        expect(result.warnings).toEqual([]);
        expect(result.event.eventDate.slice(0, 4)).toBe(year);
        types.set(result.event.eventType, (types.get(result.event.eventType) ?? 0) + 1);
      }
    }
    expect(types.get('tornado')).toBe(1);
    expect(types.get('hail')).toBeGreaterThan(60);
    expect(types.get('wind')).toBeGreaterThan(30);
  });
});
