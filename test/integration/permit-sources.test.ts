import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import {
  startArcgisServer, startFileServer, startSocrataServer, type ArcgisFeature, type ReplayServer,
} from '../../scripts/lib/replay-servers.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { isAppError } from '../../src/platform/errors.ts';
import type { NormalizedPermit, PermitSource, PermitWindow, TPermitSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';
import { ZPermitSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';
import { createPermitSource } from '../../src/modules/acquisition/permit-sources/index.ts';
import { scrapeActiveCities, scrapeCityPermits } from '../../src/modules/acquisition/permits.service.ts';
import { scrapePermitsJob } from '../../src/modules/acquisition/permits.jobs.ts';

/**
 * Permit sources against local servers speaking the providers' wire formats (scripts/lib/replay-servers.ts) with
 * realistic payloads (test/fixtures/permits), and the scrape service end to end on a real database.
 */
let h: TestHarness;
type Row = Record<string, unknown>;
let austin: Row[];
let tampa: ArcgisFeature[];
const servers: ReplayServer[] = [];
const WINDOW: PermitWindow = { since: new Date('2026-10-02T00:00:00Z'), until: new Date('2026-11-01T00:00:00Z') };
const UNTIL = new Date('2026-11-01T00:00:00Z');
const LAYER = '/arcgis/rest/services/Permits/FeatureServer/0';

const AUSTIN_MAP = {
  permitNumber: 'permit_number', address: 'original_address1', city: 'original_city', state: 'original_state', zip: 'original_zip',
  lat: 'latitude', lng: 'longitude', permitType: 'permit_type_desc', permitClass: 'permit_class_mapped', workDescription: 'description',
  estimatedValue: 'total_job_valuation', contractorName: 'contractor_company_name', appliedDate: 'applieddate', issueDate: 'issue_date',
  completionDate: 'completed_date', permitStatus: 'status_current',
};
const TAMPA_MAP = {
  permitNumber: 'PERMIT_NUMBER', address: 'ADDRESS', city: 'CITY', state: 'STATE', zip: 'ZIP_CODE', permitType: 'PERMIT_TYPE',
  workDescription: 'WORK_DESCRIPTION', estimatedValue: 'VALUATION', contractorName: 'CONTRACTOR_NAME', contractorLicense: 'CONTRACTOR_LICENSE',
  appliedDate: 'APPLIED_DATE', issueDate: 'ISSUED_DATE', completionDate: 'COMPLETED_DATE', permitStatus: 'STATUS',
};

const socrataConfig = (url: string, extra: Record<string, unknown> = {}) =>
  ZPermitSourceConfig.parse({ kind: 'socrata', baseUrl: url, datasetId: '3syk-w9eu', dateField: 'issue_date', pageSize: 5, fieldMap: AUSTIN_MAP, ...extra });
const arcgisConfig = (url: string, extra: Record<string, unknown> = {}) =>
  ZPermitSourceConfig.parse({ kind: 'arcgis', layerUrl: `${url}${LAYER}`, dateField: 'ISSUED_DATE', pageSize: 3, fieldMap: TAMPA_MAP, ...extra });

/** In-window Austin rows, computed from the fixture independently of the client (floating timestamps sort as text). */
const austinInWindow = () => austin.filter((r) => String(r.issue_date) >= '2026-10-02' && String(r.issue_date) < '2026-11-01');

async function collect(source: PermitSource, window = WINDOW): Promise<{ permits: NormalizedPermit[]; pages: number }> {
  const permits: NormalizedPermit[] = [];
  let pages = 0;
  for await (const page of source.fetchPermits(window)) {
    pages++;
    permits.push(...page);
  }
  return { permits, pages };
}

async function failureOf(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return { code: isAppError(err) ? err.code : undefined, message: (err as Error).message };
  }
  throw new Error('expected a failure');
}

const withConfig = (patch: Partial<AppContext['config']>): AppContext => ({ ...h.ctx, config: { ...h.ctx.config, ...patch } });
const track = <T extends ReplayServer>(s: T): T => (servers.push(s), s);
const dataRequests = (s: ReplayServer) => s.requests.filter((r) => r !== '/robots.txt').map((r) => new URL(r, 'http://x'));

beforeAll(async () => {
  h = await createHarness({ SCRAPER_HOST_RATE_PER_SECOND: '100', FIXTURES_DIR: 'test/fixtures/permits' });
  austin = JSON.parse(await readFile('test/fixtures/permits/austin-3syk-w9eu.json', 'utf8'));
  tampa = JSON.parse(await readFile('test/fixtures/permits/tampa-featureserver-query.json', 'utf8')).features;
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await h?.close();
});

describe('Socrata SODA source', () => {
  it('pages with $limit/$offset and always $order, with the date window in $where', async () => {
    const soda = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin } }));
    const { permits, pages } = await collect(createPermitSource(socrataConfig(soda.url), h.ctx));

    const expected = austinInWindow();
    expect(expected).toHaveLength(12);
    expect(permits.map((p) => p.permitNumber).sort()).toEqual(expected.map((r) => r.permit_number).sort());
    expect(pages).toBe(3);
    const reqs = dataRequests(soda);
    expect(reqs.map((u) => u.pathname)).toEqual(Array(3).fill('/resource/3syk-w9eu.json'));
    expect(reqs.map((u) => u.searchParams.get('$offset'))).toEqual(['0', '5', '10']);
    expect(reqs.every((u) => u.searchParams.get('$order') === ':id' && u.searchParams.get('$limit') === '5')).toBe(true);
    expect(reqs[0]!.searchParams.get('$where')).toBe("issue_date >= '2026-10-02T00:00:00.000' AND issue_date < '2026-11-01T00:00:00.000'");
    // robots.txt was asked first, once.
    expect(soda.requests.filter((r) => r === '/robots.txt')).toHaveLength(1);
    expect(soda.log.find((l) => l.url !== '/robots.txt')!.headers['user-agent']).toBe(h.config.SCRAPER_USER_AGENT);
  });

  it('turns string numbers and floating timestamps into numbers and days, keeping the raw row', async () => {
    const soda = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin } }));
    const { permits } = await collect(createPermitSource(socrataConfig(soda.url), h.ctx));
    const p = permits.find((x) => x.permitNumber === '2026-119455 MP')!;
    expect(p).toMatchObject({
      estimatedValue: 11250, lat: 30.35214862, lng: -97.73530157, issueDate: '2026-10-09', appliedDate: '2026-10-09',
      completionDate: '2026-10-09', permitStatus: 'Final', address: '7513 BLUEBONNET LN', city: 'AUSTIN', state: 'TX', zip: '78757',
      permitType: 'Mechanical Permit', contractorName: 'Cool Breeze Heating & Air',
    });
    expect(p.raw.total_job_valuation).toBe('11250');
    expect(p.raw.link).toEqual(austin.find((r) => r.permit_number === '2026-119455 MP')!.link);
    expect(p.sourceUrl).toBe(`${soda.url}/resource/3syk-w9eu.json?permit_number=2026-119455+MP`);
  });

  it('adds keywords as an OR-group of upper(column) like', async () => {
    const soda = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin } }));
    const config = socrataConfig(soda.url, { keywordField: 'description', keywords: ['reroof', 'roof'], pageSize: 100 });
    const { permits } = await collect(createPermitSource(config, h.ctx));
    const where = dataRequests(soda)[0]!.searchParams.get('$where');
    expect(where).toBe(
      "issue_date >= '2026-10-02T00:00:00.000' AND issue_date < '2026-11-01T00:00:00.000' AND (upper(description) like '%REROOF%' OR upper(description) like '%ROOF%')",
    );
    const expected = austinInWindow().filter((r) => String(r.description).toUpperCase().includes('ROOF')).map((r) => r.permit_number);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(permits.map((p) => p.permitNumber).sort()).toEqual(expected.sort());
  });

  it('sends X-App-Token only when SOCRATA_APP_TOKEN is configured', async () => {
    const soda = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin }, appToken: 'app-token-123' }));
    await collect(createPermitSource(socrataConfig(soda.url), withConfig({ SOCRATA_APP_TOKEN: 'app-token-123' })));
    const withToken = soda.log.filter((l) => l.url !== '/robots.txt');
    expect(withToken.length).toBe(3);
    expect(withToken.every((l) => l.headers['x-app-token'] === 'app-token-123')).toBe(true);

    const plain = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin } }));
    await collect(createPermitSource(socrataConfig(plain.url), h.ctx));
    expect(plain.log.some((l) => 'x-app-token' in l.headers)).toBe(false);

    // A wrong token is refused by SODA (403) and reported with its message, not retried.
    const err = await failureOf(collect(createPermitSource(socrataConfig(soda.url), withConfig({ SOCRATA_APP_TOKEN: 'wrong' }))));
    expect(err.code).toBe('SOURCE_FAILED');
    expect(err.message).toContain('HTTP 403');
    expect(err.message).toContain('Invalid app_token specified');
  });

  it('waits out a 429 for as long as Retry-After says, then succeeds', async () => {
    const soda = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin }, failFirstWith429: 1, retryAfterSeconds: 2 }));
    const { permits } = await collect(createPermitSource(socrataConfig(soda.url, { pageSize: 100 }), h.ctx));
    expect(permits).toHaveLength(12);
    const data = soda.log.filter((l) => l.url !== '/robots.txt');
    expect(data).toHaveLength(2);
    // The client's own first backoff is 1 s: a gap of ≥ 2 s shows the header was honoured.
    expect(data[1]!.at - data[0]!.at).toBeGreaterThanOrEqual(1950);
    const usage = await h.ctx.db.prisma.apiUsageLog.findMany({ where: { apiProvider: 'socrata', responseStatus: 429 } });
    expect(usage.length).toBeGreaterThanOrEqual(1);
  });

  it("reports SODA's error message for a misconfigured column", async () => {
    const soda = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin } }));
    const err = await failureOf(collect(createPermitSource(socrataConfig(soda.url, { dateField: 'issued_date' }), h.ctx)));
    expect(err).toMatchObject({ code: 'SOURCE_FAILED' });
    expect(err.message).toContain('No such column: issued_date');
    expect(dataRequests(soda)).toHaveLength(1);
  });

  it('refuses a column name that would inject SoQL before sending anything', () => {
    expect(() => createPermitSource(socrataConfig('http://127.0.0.1:9', { dateField: "issue_date' OR 1=1 --" }), h.ctx)).toThrow(/permit_source\.dateField/);
  });
});

describe('ArcGIS FeatureServer source', () => {
  const tz = { timeZone: 'America/New_York' };

  it('pages with resultOffset until exceededTransferLimit is false, asking outSR=4326 and f=json', async () => {
    const arc = track(await startArcgisServer({ layers: { [LAYER]: tampa }, dateFields: ['APPLIED_DATE', 'ISSUED_DATE', 'COMPLETED_DATE'] }));
    const { permits, pages } = await collect(createPermitSource(arcgisConfig(arc.url), h.ctx, tz));
    // 8 features, one issued in August: 7 in the window → pages of 3, 3, 1.
    expect(permits).toHaveLength(7);
    expect(pages).toBe(3);
    const reqs = dataRequests(arc);
    expect(reqs.map((u) => u.pathname)).toEqual(Array(3).fill(`${LAYER}/query`));
    expect(reqs.map((u) => u.searchParams.get('resultOffset'))).toEqual(['0', '3', '6']);
    for (const u of reqs) {
      expect(u.searchParams.get('outSR')).toBe('4326');
      expect(u.searchParams.get('f')).toBe('json');
      expect(u.searchParams.get('outFields')).toBe('*');
      expect(u.searchParams.get('resultRecordCount')).toBe('3');
    }
    // Window days start at New York midnight, in UTC (EDT, UTC−4).
    expect(reqs[0]!.searchParams.get('where')).toBe("ISSUED_DATE >= TIMESTAMP '2026-10-02 04:00:00' AND ISSUED_DATE < TIMESTAMP '2026-11-01 04:00:00'");
  });

  it('keeps a permit entered late on the last local day of the window and drops one just after it', async () => {
    const edge = (num: string, utc: string): ArcgisFeature => ({
      attributes: { ...tampa[0]!.attributes, OBJECTID: Math.floor(Math.random() * 1e6), PERMIT_NUMBER: num, ISSUED_DATE: Date.parse(utc) },
      geometry: tampa[0]!.geometry,
    });
    // 23:30 EDT on Oct 31 = Nov 1 03:30Z (inside); 00:30 EDT on Nov 1 = 04:30Z (outside).
    const arc = track(await startArcgisServer({ layers: { [LAYER]: [edge('LATE-1031', '2026-11-01T03:30:00Z'), edge('EARLY-1101', '2026-11-01T04:30:00Z')] } }));
    const { permits } = await collect(createPermitSource(arcgisConfig(arc.url), h.ctx, tz));
    expect(permits.map((p) => [p.permitNumber, p.issueDate])).toEqual([['LATE-1031', '2026-10-31']]);
  });

  it('follows the server flag when it caps resultRecordCount below the page size', async () => {
    const arc = track(await startArcgisServer({ layers: { [LAYER]: tampa }, maxRecordCount: 2 }));
    const { permits } = await collect(createPermitSource(arcgisConfig(arc.url, { pageSize: 1000 }), h.ctx, tz));
    expect(permits).toHaveLength(7);
    expect(dataRequests(arc).map((u) => u.searchParams.get('resultOffset'))).toEqual(['0', '2', '4', '6']);
  });

  it('reads epoch-millisecond dates as days in the city zone and geometry as lat/lng', async () => {
    const arc = track(await startArcgisServer({ layers: { [LAYER]: tampa } }));
    const { permits } = await collect(createPermitSource(arcgisConfig(arc.url), h.ctx, tz));
    const late = permits.find((p) => p.permitNumber === 'BLD-26-0412311')!;
    const raw = tampa.find((f) => f.attributes.PERMIT_NUMBER === 'BLD-26-0412311')!;
    // Issued 23:30 EDT on Oct 3 — already Oct 4 in UTC.
    expect(new Date(raw.attributes.ISSUED_DATE as number).toISOString()).toBe('2026-10-04T03:30:00.000Z');
    expect(late).toMatchObject({ issueDate: '2026-10-03', appliedDate: '2026-09-20', lat: 27.92118, lng: -82.49912, estimatedValue: 38000, zip: '33629', state: 'FL' });
    expect(late.raw.ISSUED_DATE).toBe(raw.attributes.ISSUED_DATE);
    const finaled = permits.find((p) => p.permitNumber === 'MEC-26-0098812')!;
    expect(finaled.completionDate).toBe('2026-10-23');
  });

  it('treats an HTTP-200 {error} body as a failure with its code and message', async () => {
    const arc = track(await startArcgisServer({ layers: { [LAYER]: tampa }, errorBody: { code: 498, message: 'Invalid token.', details: ['Token required'] } }));
    const err = await failureOf(collect(createPermitSource(arcgisConfig(arc.url), h.ctx, tz)));
    expect(err.code).toBe('SOURCE_FAILED');
    expect(err.message).toContain('arcgis error 498: Invalid token. (Token required)');

    const bad = track(await startArcgisServer({ layers: { [LAYER]: tampa } }));
    const err2 = await failureOf(collect(createPermitSource(arcgisConfig(bad.url, { dateField: 'ISSUE_DT' }), h.ctx, tz)));
    expect(err2.message).toContain("'ISSUE_DT' is not a valid field name");
  });
});

describe('CSV / BLDS source', () => {
  const csv = (extra: Record<string, unknown>) => ZPermitSourceConfig.parse({ kind: 'csv', ...extra });

  it('reads one BLDS file relative to FIXTURES_DIR, window applied', async () => {
    const { permits } = await collect(createPermitSource(csv({ path: 'blds/permits-2026-10a.csv' }), h.ctx));
    expect(permits.map((p) => p.permitNumber)).toEqual(['B2610-0042', 'B2610-0087', 'E2610-0133']);
    expect(permits[2]).toMatchObject({ estimatedValue: 4100, issueDate: '2026-10-09', completionDate: '2026-10-20', appliedDate: '2026-10-08', state: 'ID', lat: 43.61299 });
    expect(permits[0]!.estimatedValue).toBe(14250);
    expect(permits[0]!.raw.PIN).toBe('R2734500440');
  });

  it('reads a folder of files in name order, keeping a row without a permit number for the service to count', async () => {
    const { permits } = await collect(createPermitSource(csv({ path: 'blds' }), h.ctx));
    expect(permits.map((p) => p.permitNumber)).toEqual(['B2610-0042', 'B2610-0087', 'E2610-0133', 'M2610-0211', 'B2610-0301', 'B2610-0355', '']);
    expect(permits.find((p) => p.permitNumber === 'B2610-0355')).toMatchObject({ lat: null, lng: null, contractorLicense: null });
  });

  it('filters by keyword in memory', async () => {
    const { permits } = await collect(createPermitSource(csv({ path: 'blds', keywordField: 'Description', keywords: ['REROOF', 'pool'] }), h.ctx));
    expect(permits.map((p) => p.permitNumber)).toEqual(['B2610-0042', 'B2610-0301']);
  });

  it('downloads a CSV by URL through robots.txt and the host limit', async () => {
    const body = await readFile('test/fixtures/permits/blds/permits-2026-10a.csv', 'utf8');
    const files = track(await startFileServer({ files: { '/exports/permits.csv': { body } } }));
    const { permits } = await collect(createPermitSource(csv({ url: `${files.url}/exports/permits.csv` }), h.ctx));
    expect(permits.map((p) => p.permitNumber)).toEqual(['B2610-0042', 'B2610-0087', 'E2610-0133']);
    expect(files.requests).toEqual(['/robots.txt', '/exports/permits.csv']);
    expect(permits[0]!.sourceUrl).toBe(`${files.url}/exports/permits.csv`);
  });

  it('names the missing column and the missing path', async () => {
    const err = await failureOf(collect(createPermitSource(csv({ path: 'blds', fieldMap: { permitNumber: 'PERMIT_NO' } }), h.ctx)));
    expect(err.code).toBe('SOURCE_FAILED');
    expect(err.message).toMatch(/column "PERMIT_NO" \(fieldMap\.permitNumber\) is not in the header; columns are: PermitNum, Description/);
    const missing = await failureOf(collect(createPermitSource(csv({ path: 'nope/none.csv' }), h.ctx)));
    expect(missing.message).toMatch(/permit_source\.path: .*nope\/none\.csv does not exist/);
  });
});

describe('robots.txt and per-host rate limit', () => {
  it('ROBOTS_DISALLOWED when robots.txt disallows the resource path, and nothing else is fetched', async () => {
    const soda = track(await startSocrataServer({
      datasets: { '3syk-w9eu': austin },
      robotsTxt: 'User-agent: Googlebot\nAllow: /\n\nUser-agent: TradeLeadBot\nDisallow: /resource/\n',
    }));
    const err = await failureOf(collect(createPermitSource(socrataConfig(soda.url), h.ctx)));
    expect(err.code).toBe('ROBOTS_DISALLOWED');
    expect(err.message).toContain('disallows /resource/3syk-w9eu.json');
    expect(soda.requests).toEqual(['/robots.txt']);

    // SCRAPER_RESPECT_ROBOTS=false: neither asked nor obeyed.
    const off = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin }, robotsTxt: 'User-agent: *\nDisallow: /\n' }));
    const { permits } = await collect(createPermitSource(socrataConfig(off.url), withConfig({ SCRAPER_RESPECT_ROBOTS: false })));
    expect(permits).toHaveLength(12);
    expect(off.requests).not.toContain('/robots.txt');
  });

  it('allows everything when robots.txt is 404, and nothing when it answers 5xx (RFC 9309)', async () => {
    const requests: string[] = [];
    const srv = createServer((req, res) => {
      requests.push(req.url!);
      res.writeHead(req.url === '/robots.txt' ? 503 : 200, { 'content-type': 'application/json' });
      res.end('[]');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const err = await failureOf(collect(createPermitSource(socrataConfig(url), h.ctx)));
      expect(err.code).toBe('ROBOTS_DISALLOWED');
      expect(err.message).toContain('unreachable');
      expect(requests).toEqual(['/robots.txt']);
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });

  it("slows down to robots.txt's Crawl-delay when it is longer than our spacing", async () => {
    const soda = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin }, robotsTxt: 'User-agent: *\nCrawl-delay: 0.5\nDisallow: /admin/\n' }));
    await collect(createPermitSource(socrataConfig(soda.url), h.ctx));
    const times = soda.log.filter((l) => l.url !== '/robots.txt').map((l) => l.at);
    expect(times).toHaveLength(3);
    // SCRAPER_HOST_RATE_PER_SECOND is 100 here (10 ms); the site asks for 500 ms.
    expect(Math.min(times[1]! - times[0]!, times[2]! - times[1]!)).toBeGreaterThanOrEqual(490);
  });

  it('spaces requests to one host at SCRAPER_HOST_RATE_PER_SECOND', async () => {
    const soda = track(await startSocrataServer({ datasets: { '3syk-w9eu': austin } }));
    const { permits } = await collect(createPermitSource(socrataConfig(soda.url, { pageSize: 2 }), withConfig({ SCRAPER_HOST_RATE_PER_SECOND: 5 })));
    expect(permits).toHaveLength(12);
    const times = soda.log.filter((l) => l.url !== '/robots.txt').map((l) => l.at);
    // 12 rows in pages of 2: six full pages and an empty seventh that ends the paging.
    expect(times).toHaveLength(7);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 5 per second → 200 ms apart (a few ms of timer slack allowed).
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(190);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(6 * 190);
  });
});

describe('scrapeCityPermits on a real database', () => {
  let soda: Awaited<ReturnType<typeof startSocrataServer>>;
  let austinRows: Row[];
  let austinId: string;

  const setCity = async (city: string, state: string, permitSource: unknown, extra: Record<string, unknown> = {}) => {
    const data = { permitSource: permitSource === null ? undefined : (permitSource as object), active: true, timeZone: 'America/Chicago', ...extra };
    const row = await h.ctx.db.prisma.targetCity.upsert({ where: { city_state: { city, state } }, create: { city, state, ...data }, update: data });
    return row.id;
  };
  const outboxFor = async (cityId: string) =>
    (await h.ctx.db.prisma.outbox.findMany({ where: { topic: 'permit.scraped' }, orderBy: { id: 'asc' } }))
      .map((o) => o.payload as { cityId: string; permitIds: string[] })
      .filter((p) => p.cityId === cityId);

  beforeAll(async () => {
    austinRows = structuredClone(austin);
    soda = track(await startSocrataServer({ datasets: { '3syk-w9eu': austinRows } }));
    austinId = await setCity('Austin', 'TX', socrataConfig(soda.url));
  });

  it('stores the window with raw rows and trades, one scraping_jobs row and permit.scraped events for new permits', async () => {
    const progress: number[] = [];
    const s = await scrapeCityPermits(h.ctx, { city: 'austin', state: 'tx', days: 30, until: UNTIL, triggeredBy: 'test' }, (p) => progress.push(p.inserted));
    expect(s).toMatchObject({ city: 'Austin', state: 'TX', source: 'socrata:3syk-w9eu', status: 'completed', received: 12, inserted: 12, updated: 0, unchanged: 0, skipped: 0, errors: [] });
    expect(s.window).toEqual({ since: '2026-10-02', until: '2026-11-01' });
    expect(progress).toEqual([5, 10, 12]);

    const rows = await h.ctx.db.pool.query(
      `SELECT permit_number, trade, trade_group, normalized_address, estimated_value, issue_date::text, target_city_id::text, raw, geog IS NOT NULL AS has_geog
         FROM permits WHERE source = 'socrata:3syk-w9eu' ORDER BY permit_number`,
    );
    expect(rows.rows).toHaveLength(12);
    const reroof = rows.rows.find((r) => r.permit_number === '2026-118204 BP');
    expect(reroof).toMatchObject({ trade: 'roof', estimated_value: '18500.00', issue_date: '2026-10-03', target_city_id: austinId, has_geog: true });
    expect(reroof.normalized_address).toBe('1609 WESTOVER RD');
    expect(reroof.raw).toEqual(austin.find((r) => r.permit_number === '2026-118204 BP'));
    expect(rows.rows.find((r) => r.permit_number === '2026-119871 PP').trade).toBe('plumbing');
    expect(rows.rows.find((r) => r.permit_number === '2026-120390 BP').trade).toBe('pool');

    const job = await h.ctx.db.prisma.scrapingJob.findUniqueOrThrow({ where: { id: s.scrapingJobId } });
    expect(job).toMatchObject({ jobType: 'permits', status: 'completed', city: 'Austin', state: 'TX', totalItems: 12, succeededItems: 12, failedItems: 0, retryCount: 0, triggeredBy: 'test' });
    expect(job.durationSeconds).not.toBeNull();
    expect(job.completedAt).not.toBeNull();

    const events = await outboxFor(austinId);
    expect(events.map((e) => e.permitIds.length)).toEqual([5, 5, 2]);
    const ids = (await h.ctx.db.prisma.permit.findMany({ where: { targetCityId: austinId }, select: { id: true } })).map((p) => p.id).sort();
    expect(events.flatMap((e) => e.permitIds).sort()).toEqual(ids);

    const city = await h.ctx.db.prisma.targetCity.findUniqueOrThrow({ where: { id: austinId } });
    expect(city.totalPermitsFound).toBe(12);
    expect(city.firstScrapedAt).not.toBeNull();
    expect(city.lastScrapedAt).not.toBeNull();
  });

  it('re-running the window inserts nothing and writes no event; a changed and a new row are updated and inserted', async () => {
    const before = await outboxFor(austinId);
    const again = await scrapeCityPermits(h.ctx, { city: 'Austin', state: 'TX', days: 30, until: UNTIL, triggeredBy: 'test' });
    expect(again).toMatchObject({ received: 12, inserted: 0, updated: 0, unchanged: 12 });
    expect(await h.ctx.db.prisma.permit.count({ where: { targetCityId: austinId } })).toBe(12);
    expect(await outboxFor(austinId)).toEqual(before);

    const changed = austinRows.find((r) => r.permit_number === '2026-121067 BP')!;
    changed.status_current = 'Final';
    austinRows.push({ ...austinRows[0]!, permit_number: '2026-121999 BP', issue_date: '2026-10-30T00:00:00.000', original_address1: '4500 DUVAL ST' });
    const third = await scrapeCityPermits(h.ctx, { city: 'Austin', state: 'TX', days: 30, until: UNTIL, triggeredBy: 'test' });
    expect(third).toMatchObject({ received: 13, inserted: 1, updated: 1, unchanged: 11 });
    const after = await outboxFor(austinId);
    expect(after).toHaveLength(before.length + 1);
    const fresh = await h.ctx.db.prisma.permit.findFirstOrThrow({ where: { source: 'socrata:3syk-w9eu', permitNumber: '2026-121999 BP' } });
    expect(after.at(-1)!.permitIds).toEqual([fresh.id]);
    const updated = await h.ctx.db.prisma.permit.findFirstOrThrow({ where: { source: 'socrata:3syk-w9eu', permitNumber: '2026-121067 BP' } });
    expect(updated.permitStatus).toBe('Final');
    expect((updated.raw as Row).status_current).toBe('Final');
    expect((await h.ctx.db.prisma.targetCity.findUniqueOrThrow({ where: { id: austinId } })).totalPermitsFound).toBe(13);
  });

  it('says what is wrong with a city: not found, not configured, invalid source (naming the field)', async () => {
    expect(await failureOf(scrapeCityPermits(h.ctx, { city: 'Atlantis', state: 'TX', days: 30, triggeredBy: 'test' }))).toEqual({
      code: 'CITY_NOT_FOUND', message: 'no target city Atlantis, TX',
    });
    await setCity('Lubbock', 'TX', null);
    expect(await failureOf(scrapeCityPermits(h.ctx, { city: 'Lubbock', state: 'TX', days: 30, triggeredBy: 'test' }))).toEqual({
      code: 'CITY_NOT_CONFIGURED', message: 'Lubbock, TX has no permit_source configured',
    });
    await setCity('Fargo', 'ND', { kind: 'socrata', baseUrl: 'not a url', datasetId: 'permits', dateField: 'issue_date', fieldMap: {} });
    const bad = await failureOf(scrapeCityPermits(h.ctx, { city: 'Fargo', state: 'ND', days: 30, triggeredBy: 'test' }));
    expect(bad.code).toBe('CITY_SOURCE_INVALID');
    expect(bad.message).toMatch(/^Fargo, ND: /);
    expect(bad.message).toContain('permit_source.baseUrl');
    expect(bad.message).toContain('permit_source.datasetId: must be a Socrata 4x4 id like 3syk-w9eu');
    expect(bad.message).toContain('permit_source.fieldMap.permitNumber');
    await setCity('Waco', 'TX', { kind: 'ftp', url: 'ftp://x' });
    expect((await failureOf(scrapeCityPermits(h.ctx, { city: 'Waco', state: 'TX', days: 30, triggeredBy: 'test' }))).message).toContain('permit_source.kind');
    expect((await failureOf(scrapeCityPermits(h.ctx, { city: 'Waco', state: 'Texas', days: 30, triggeredBy: 'test' }))).code).toBe('VALIDATION_FAILED');
    // No scraping_jobs row for a run that could not start.
    expect(await h.ctx.db.prisma.scrapingJob.count({ where: { city: { in: ['Lubbock', 'Fargo', 'Waco'] } } })).toBe(0);
  });

  it('a source failure mid-run keeps the pages already stored and marks the job failed', async () => {
    const arc = track(await startArcgisServer({ layers: { [LAYER]: tampa }, errorAfterQueries: 1 }));
    const tampaId = await setCity('Tampa', 'FL', arcgisConfig(arc.url), { timeZone: 'America/New_York' });
    const err = await failureOf(scrapeCityPermits(h.ctx, { city: 'Tampa', state: 'FL', days: 30, until: UNTIL, triggeredBy: 'test' }));
    expect(err.code).toBe('SOURCE_FAILED');
    expect(err.message).toMatch(/^permit scrape of Tampa, FL failed after 1 page\(s\), 3 permit\(s\) kept: arcgis error 500: Error performing query operation/);
    expect(await h.ctx.db.prisma.permit.count({ where: { targetCityId: tampaId } })).toBe(3);
    const job = await h.ctx.db.prisma.scrapingJob.findFirstOrThrow({ where: { city: 'Tampa' } });
    expect(job).toMatchObject({ status: 'failed', succeededItems: 3, totalItems: 3 });
    expect(job.errorMessage).toContain('arcgis error 500');
    expect(job.errors).toEqual([job.errorMessage]);
    expect((await outboxFor(tampaId)).map((e) => e.permitIds.length)).toEqual([3]);
    const city = await h.ctx.db.prisma.targetCity.findUniqueOrThrow({ where: { id: tampaId } });
    expect(city.totalPermitsFound).toBe(3);
    expect(city.lastScrapedAt).toBeNull();
  });

  it('an aborted run keeps its stored pages and is recorded as cancelled', async () => {
    const ac = new AbortController();
    const err = await failureOf(
      scrapeCityPermits(h.ctx, { city: 'Austin', state: 'TX', days: 30, until: new Date('2026-10-15T00:00:00Z'), triggeredBy: 'abort-test', signal: ac.signal }, () => ac.abort(new Error('shutdown'))),
    );
    expect(err.message).toContain('shutdown');
    const job = await h.ctx.db.prisma.scrapingJob.findFirstOrThrow({ where: { triggeredBy: 'abort-test' } });
    expect(job).toMatchObject({ status: 'cancelled', succeededItems: 5 });
    expect(job.errorMessage).toContain('aborted');
  });

  it('a CSV city with a row lacking a permit number completes as partial with the reason', async () => {
    await setCity('Boise', 'ID', { kind: 'csv', path: 'blds' }, { timeZone: 'America/Boise' });
    const s = await scrapeCityPermits(h.ctx, { city: 'Boise', state: 'ID', days: 30, until: UNTIL, triggeredBy: 'test' });
    expect(s).toMatchObject({ status: 'partial', received: 7, inserted: 6, skipped: 1, source: 'csv:blds' });
    expect(s.errors).toEqual(['record without a permit number skipped (address: 500 W MAIN ST)']);
    const job = await h.ctx.db.prisma.scrapingJob.findUniqueOrThrow({ where: { id: s.scrapingJobId } });
    expect(job).toMatchObject({ status: 'partial', failedItems: 1, succeededItems: 6, errors: s.errors });
  });

  it('scrapeActiveCities runs every active configured city; one failing city does not stop the others', async () => {
    await setCity('Fargo', 'ND', { kind: 'socrata', baseUrl: 'not a url', datasetId: 'permits', dateField: 'issue_date', fieldMap: {} }, { active: true });
    await h.ctx.db.prisma.targetCity.updateMany({ where: { city: { in: ['Tampa', 'Waco'] } }, data: { active: false } });
    const s = await scrapeActiveCities(h.ctx, { days: 30, triggeredBy: 'test-all' });
    const byCity = Object.fromEntries(s.cities.map((c) => [c.city, c]));
    expect(Object.keys(byCity).sort()).toEqual(['Austin', 'Boise', 'Fargo']);
    expect(byCity.Fargo).toMatchObject({ ok: false, code: 'CITY_SOURCE_INVALID' });
    expect(byCity.Austin!.ok).toBe(true);
    expect(byCity.Boise!.ok).toBe(true);
    expect(s).toMatchObject({ succeeded: 2, failed: 1 });
    const parent = await h.ctx.db.prisma.scrapingJob.findUniqueOrThrow({ where: { id: s.scrapingJobId }, include: { childJobs: true } });
    expect(parent).toMatchObject({ jobType: 'permits-all', status: 'partial' });
    expect(parent.childJobs.map((c) => c.city).sort()).toEqual(['Austin', 'Boise']);

    // The 02:00-local schedules run one time zone at a time: Boise is on Mountain time, Austin and Fargo on Central.
    const mountain = await scrapeActiveCities(h.ctx, { days: 30, triggeredBy: 'test-zone', timeZone: 'America/Boise' });
    expect(mountain.cities.map((c) => c.city)).toEqual(['Boise']);
    const central = await scrapeActiveCities(h.ctx, { days: 30, triggeredBy: 'test-zone', timeZone: 'America/Chicago' });
    expect(central.cities.map((c) => c.city).sort()).toEqual(['Austin', 'Fargo']);
  });

  it('the acquisition.scrape-permits job reports progress and returns the summary', async () => {
    const payload = scrapePermitsJob.payload.parse({ city: 'Austin', state: 'TX' });
    expect(payload.days).toBe(30);
    const reported: number[] = [];
    const result = (await scrapePermitsJob.handler({ ...payload, days: 365 }, {
      ctx: h.ctx, jobId: 'job-1', attempt: 1, signal: new AbortController().signal,
      progress: async (pct) => void reported.push(pct),
      log: async () => {},
    })) as Record<string, unknown>;
    expect(result).toMatchObject({ city: 'Austin', inserted: expect.any(Number), status: 'completed' });
    expect(reported.at(-1)).toBe(100);
    expect(reported.length).toBeGreaterThanOrEqual(2);
    expect([...reported].sort((a, b) => a - b)).toEqual(reported);
    expect(() => scrapePermitsJob.payload.parse({ city: 'Austin', state: 'TX', days: 400 })).toThrow();
  });
});

export type { TPermitSourceConfig };
