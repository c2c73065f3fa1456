import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { startHtmlSite, type HtmlSite } from '../helpers/html-site.ts';
import { launchBrowser, profileProcesses, type BrowserSession } from '../../src/platform/browser.ts';
import { AppError } from '../../src/platform/errors.ts';
import { OutboundError } from '../../src/platform/http.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { ZAssessorHtmlSource, ZHtmlSource, type NormalizedPermit, type PermitWindow, type PropertyRecord } from '../../src/modules/acquisition/acquisition.types.ts';
import { createHtmlPermitSource } from '../../src/modules/acquisition/permit-sources/html.ts';
import { createHtmlAssessorSource } from '../../src/modules/acquisition/property-records/html-assessor.ts';

/**
 * HTML permit portals and assessor sites against local fixture sites, in the real system Chromium: the JS
 * portal and its static twin give the same permits; robots.txt is honoured before any page is requested;
 * the assessor gives full property records; Chromium never outlives its session.
 */
let h: TestHarness;
let site: HtmlSite;
let browser: BrowserSession;

const WINDOW: PermitWindow = { since: new Date('2026-10-01T00:00:00Z'), until: new Date('2026-11-01T00:00:00Z') };
/** Issued 2026-10-01 … 2026-10-31 in the fixture data (09-30 and 11-01 fall outside). */
const IN_WINDOW = [
  '2026-101204 BP', '2026-101377 BP', '2026-101566 MP', '2026-101902 BP', '2026-102118 EP', '2026-102266 BP', '2026-102455 BP',
  '2026-102780 BP', '2026-103010 PP', '2026-103342 BP', '2026-103506 BP', '2026-103611 BP', '2026-103720 BP',
];

const portalConfig = (over: Record<string, unknown> = {}) =>
  ZHtmlSource.parse({
    kind: 'html',
    mode: 'playwright',
    url: `${site.url}/portal/permits`,
    form: { '#issued-from': '{since}', '#issued-to': '{until}' },
    submitSelector: '#search-button',
    rowSelector: '#results tbody tr.permit-row',
    fields: {
      permitNumber: 'td.permit-no a',
      address: 'td.address',
      permitType: 'td.type .ptype',
      permitClass: 'td.type .class',
      workDescription: 'td.desc',
      estimatedValue: 'td.valuation',
      contractorName: 'td.contractor .name',
      contractorLicense: 'td.contractor .lic',
      appliedDate: 'td.applied',
      issueDate: 'td.issued',
      permitStatus: 'td.status',
      lat: '@data-lat',
      lng: '@data-lng',
    },
    nextSelector: '#next-page',
    noResultsSelector: '#no-results',
    ...over,
  });

const staticConfig = (over: Record<string, unknown> = {}) =>
  ZHtmlSource.parse({
    kind: 'html',
    mode: 'static',
    url: `${site.url}/static/permits?page={page}&issued_from={since}&issued_to={until}`,
    rowSelector: 'div.records > div.record',
    fields: {
      permitNumber: 'h3.record-title a',
      address: 'dd.loc',
      permitType: 'dd.work',
      permitClass: 'dd.cat',
      workDescription: 'dd.scope',
      estimatedValue: 'dd.val',
      contractorName: 'dd.contr .co',
      contractorLicense: 'dd.contr .lic',
      appliedDate: 'dd.applied time@datetime',
      issueDate: 'dd.issued time@datetime',
      permitStatus: 'dd.st',
      lat: 'dd.geo .lat',
      lng: 'dd.geo .lng',
    },
    nextSelector: 'div.paging .next',
    ...over,
  });

const ASSESSOR_FIELDS = {
  parcelId: '#parcel-id',
  ownerName: '#owner-info dd.owner-name',
  ownerMailingAddress: '#owner-info dd.mailing',
  address: '#property-info dd.situs',
  propertyType: '#property-info dd.use',
  lat: '#property-info dd.geo@data-lat',
  lng: '#property-info dd.geo@data-lng',
  marketValue: 'table.values th:contains("Market Value") + td',
  assessedValue: 'table.values th:contains("Assessed Value") + td',
  taxAmount: 'table.values th:contains("Estimated Taxes") + td',
  yearBuilt: 'table.improvements th:contains("Year Built") + td',
  sqft: 'table.improvements th:contains("Living Area") + td',
  lotSize: 'table.improvements th:contains("Land Area") + td',
  beds: 'table.improvements th:contains("Bedrooms") + td',
  baths: 'table.improvements th:contains("Bathrooms") + td',
  lastSaleDate: 'table.deeds tbody tr:first-child td.deed-date',
  lastSalePrice: 'table.deeds tbody tr:first-child td.price',
};

const assessorConfig = (over: Record<string, unknown> = {}) =>
  ZAssessorHtmlSource.parse({
    kind: 'html',
    mode: 'playwright',
    url: `${site.url}/assessor/`,
    addressSelector: '#situs',
    submitSelector: '#search-btn',
    resultLinkSelector: 'table.results a.parcel-link',
    noResultsSelector: 'p.no-results',
    fields: ASSESSOR_FIELDS,
    ...over,
  });

const MARTINEZ: Omit<PropertyRecord, 'raw'> = {
  parcelId: '0129040117',
  address: '4410 RIDGE OAK DR',
  city: 'AUSTIN',
  state: 'TX',
  zip: '78731',
  ownerName: 'MARTINEZ, ELENA & JOSE L',
  ownerMailingAddress: '4410 RIDGE OAK DR, AUSTIN TX 78731-2207',
  isAbsentee: false, // mailing street line is the site's
  assessedValue: 612450,
  marketValue: 655000,
  yearBuilt: 1987,
  sqft: 2418,
  lotSize: 0.31,
  beds: 4,
  baths: 2.5, // "2 Full / 1 Half"
  propertyType: 'A1 - Single Family Residence',
  lastSaleDate: '2019-06-14',
  lastSalePrice: 485000,
  taxAmount: 11234.56,
  lat: 30.351204,
  lng: -97.762118,
};

async function collect(iterable: AsyncIterable<NormalizedPermit[]>): Promise<{ permits: NormalizedPermit[]; batches: number }> {
  const permits: NormalizedPermit[] = [];
  let batches = 0;
  for await (const batch of iterable) {
    batches++;
    permits.push(...batch);
  }
  return { permits, batches };
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** Chromium processes descending from this test process (other agents' browsers are not ours to count). */
function chromiumDescendants(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,comm='], { encoding: 'utf8' });
  const procs = out.trim().split('\n').map((l) => l.trim().split(/\s+/)).map(([pid, ppid, stat, comm]) => ({ pid: Number(pid), ppid: Number(ppid), stat: stat!, comm: comm ?? '' }));
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (mine.has(p.ppid) && !mine.has(p.pid)) { mine.add(p.pid); grew = true; }
  }
  return procs.filter((p) => mine.has(p.pid) && /chrom/i.test(p.comm) && !p.stat.startsWith('Z')).map((p) => p.pid);
}

const withConfig = (over: Partial<AppContext['config']>): AppContext => ({ ...h.ctx, config: { ...h.ctx.config, ...over } });
const byNumber = (a: { permitNumber: string }, b: { permitNumber: string }) => a.permitNumber.localeCompare(b.permitNumber);
const comparable = ({ raw, sourceUrl, ...rest }: NormalizedPermit) => rest;

beforeAll(async () => {
  // Fast enough for a test, still exercising the limiter; the spacing test below slows one source down.
  h = await createHarness({ SCRAPER_HOST_RATE_PER_SECOND: '25', SCRAPER_USER_AGENT: 'TradeLeadBot/0.1 (+https://tradelead.example/bot; test)' });
  site = await startHtmlSite();
  browser = await launchBrowser(h.ctx.config);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await h?.close();
});

describe('HTML permit portal (Playwright)', () => {
  let playwright: NormalizedPermit[];

  it('fills the date form, pages with Next until it disables, and keeps exactly the permits in the window', async () => {
    const progress: [number, unknown][] = [];
    const source = createHtmlPermitSource(portalConfig(), h.ctx, { browser });
    expect(source.sourceKey).toBe(`html:${new URL(site.url).host}/portal/permits`);
    const before = site.requests.length;
    const { permits, batches } = await collect(source.fetchPermits(WINDOW, { onProgress: (n, info) => progress.push([n, info?.page]) }));
    playwright = permits;

    expect(permits.map((p) => p.permitNumber).sort()).toEqual(IN_WINDOW);
    expect(batches).toBe(3); // 5 + 5 + 3 rows: the portal's page size is 5
    expect(progress).toEqual([[5, 1], [10, 2], [13, 3]]);
    expect(permits.find((p) => p.permitNumber === '2026-102780 BP')).toEqual({
      permitNumber: '2026-102780 BP',
      address: '700 W 34th St',
      city: 'Austin',
      state: 'TX',
      zip: '78705',
      lat: 30.3015,
      lng: -97.742,
      permitType: 'Commercial Roofing',
      permitClass: 'Commercial',
      workDescription: 'TPO roof replacement on 2-story office, 14,000 sf',
      estimatedValue: 1234567.89,
      contractorName: 'Texas Commercial Roofing Inc',
      contractorLicense: 'RC-00412',
      appliedDate: '2026-10-05',
      issueDate: '2026-10-15',
      completionDate: null,
      permitStatus: 'Issued',
      sourceUrl: `${site.url}/portal/permits`,
      raw: expect.objectContaining({ estimatedValue: '$1,234,567.89', issueDate: '10/15/2026', lat: '30.3015' }),
    });
    // Owner-builder with no valuation: "—" and a missing licence are nulls, not zeros or empty strings.
    expect(permits.find((p) => p.permitNumber === '2026-102455 BP')).toMatchObject({ estimatedValue: null, contractorName: 'Owner', contractorLicense: null });

    const fetched = site.requests.slice(before);
    // One document (the results are rendered by the page's script), robots.txt read first, images never.
    expect(fetched.filter((r) => r.path.startsWith('/portal/'))).toHaveLength(1);
    expect(fetched.some((r) => r.path.startsWith('/img/'))).toBe(false);
    expect(fetched.every((r) => r.userAgent === h.config.SCRAPER_USER_AGENT)).toBe(true);
  });

  it('static pages with another layout and ISO dates give the same permits', async () => {
    const before = site.requests.length;
    const { permits } = await collect(createHtmlPermitSource(staticConfig(), h.ctx).fetchPermits(WINDOW));
    expect(permits.map(comparable).sort(byNumber)).toEqual(playwright.map(comparable).sort(byNumber));
    // All three pages were read (the static list ignores the window; rows outside it are dropped here).
    expect(site.requests.slice(before).map((r) => r.path).filter((p) => p.startsWith('/static/'))).toEqual([
      '/static/permits?page=1&issued_from=2026-10-01&issued_to=2026-10-31',
      '/static/permits?page=2&issued_from=2026-10-01&issued_to=2026-10-31',
      '/static/permits?page=3&issued_from=2026-10-01&issued_to=2026-10-31',
    ]);
    const usage = await h.ctx.db.pool.query(`SELECT count(*)::int AS n FROM api_usage_logs WHERE api_provider = 'html-portal' AND success AND api_endpoint = '/static/permits'`);
    expect(usage.rows[0].n).toBe(3);
  });

  it('static mode follows the Next link when the URL has no {page} and stops at maxPages', async () => {
    const followed = await collect(createHtmlPermitSource(staticConfig({ url: `${site.url}/static/permits` }), h.ctx).fetchPermits(WINDOW));
    expect(followed.permits.map((p) => p.permitNumber).sort()).toEqual(IN_WINDOW);
    const one = await collect(createHtmlPermitSource(staticConfig({ maxPages: 1 }), h.ctx).fetchPermits(WINDOW));
    // Page 1 holds the 10 newest permits: 5 issued in November (dropped), then 10-31, 10-30, 10-27, 10-22, 10-19.
    expect(one.permits.map((p) => p.permitNumber).sort()).toEqual(['2026-103010 PP', '2026-103342 BP', '2026-103506 BP', '2026-103611 BP', '2026-103720 BP']);
  });

  it('static numbered pages without a Next selector end at the first 404 past the last page', async () => {
    const before = site.requests.length;
    const { permits } = await collect(createHtmlPermitSource(staticConfig({ nextSelector: undefined }), h.ctx).fetchPermits(WINDOW));
    expect(permits.map((p) => p.permitNumber).sort()).toEqual(IN_WINDOW);
    expect(site.requests.slice(before).filter((r) => r.path.startsWith('/static/')).map((r) => new URL(r.path, site.url).searchParams.get('page'))).toEqual(['1', '2', '3', '4']);
  });

  it('a portal URL answering 404 is an HTTP status error, not a selector timeout', async () => {
    const err = await collect(createHtmlPermitSource(portalConfig({ url: `${site.url}/portal/gone` }), h.ctx, { browser }).fetchPermits(WINDOW)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundError);
    expect((err as OutboundError).status).toBe(404);
  });

  it('aborting stops a run at once with the signal\'s reason', async () => {
    const controller = new AbortController();
    const started = Date.now();
    // A selector that never matches would wait 15 s; the abort after 300 ms must end it.
    const source = createHtmlPermitSource(portalConfig({ rowSelector: 'tr.never', noResultsSelector: undefined }), h.ctx, { browser });
    setTimeout(() => controller.abort(new Error('stop requested')), 300);
    await expect(collect(source.fetchPermits(WINDOW, { signal: controller.signal }))).rejects.toThrow('stop requested');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a window with no permits ends cleanly on the "no results" message', async () => {
    const empty: PermitWindow = { since: new Date('2025-01-01T00:00:00Z'), until: new Date('2025-02-01T00:00:00Z') };
    const { permits, batches } = await collect(createHtmlPermitSource(portalConfig(), h.ctx, { browser }).fetchPermits(empty));
    expect(permits).toEqual([]);
    expect(batches).toBe(0);
  });

  it('a changed layout (rows never appear) is HTML_SELECTOR_NOT_FOUND naming the selector', async () => {
    const source = createHtmlPermitSource(portalConfig({ rowSelector: '#results tbody tr.permit', noResultsSelector: undefined, timeoutMs: 1500 }), h.ctx, { browser });
    const err = await rejection(collect(source.fetchPermits(WINDOW)));
    expect(err.code).toBe('HTML_SELECTOR_NOT_FOUND');
    expect(err.message).toContain('tr.permit');
  });

  it('rejects bad configuration before any request, naming the field', async () => {
    const before = site.requests.length;
    expect(() => createHtmlPermitSource(portalConfig({ fields: { permitNumber: 'td a', permitNo: 'td.x' } }), h.ctx)).toThrow(/fields\.permitNo is not a known field/);
    expect(() => createHtmlPermitSource(portalConfig({ fields: { permitNumber: 'td a', issueDate: 'td[[' } }), h.ctx)).toThrow(/fields\.issueDate: invalid selector/);
    expect(() => ZHtmlSource.parse({ ...portalConfig(), fields: { address: 'td' } })).toThrow(/fields\.permitNumber is required/);
    expect(site.requests.length).toBe(before);
  });

  it('spaces requests to one host by SCRAPER_HOST_RATE_PER_SECOND', async () => {
    const before = site.requests.length;
    const started = performance.now();
    await collect(createHtmlPermitSource(staticConfig(), withConfig({ SCRAPER_HOST_RATE_PER_SECOND: 4 })).fetchPermits(WINDOW));
    const at = site.requests.slice(before).filter((r) => r.path.startsWith('/static/')).map((r) => r.at);
    expect(at).toHaveLength(3);
    // 4 per second → slots 250 ms apart, so page 3 cannot start before 500 ms (arrival jitter only adds to it).
    expect(at[2]! - started).toBeGreaterThanOrEqual(495);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(400);
  });
});

describe('robots.txt', () => {
  it('a disallowed portal is ROBOTS_DISALLOWED and its page is never requested (Playwright and static)', async () => {
    const before = site.requests.length;
    const pw = createHtmlPermitSource(portalConfig({ url: `${site.url}/private/portal/permits` }), h.ctx, { browser });
    const e1 = await rejection(collect(pw.fetchPermits(WINDOW)));
    expect(e1.code).toBe('ROBOTS_DISALLOWED');
    expect(e1.message).toContain('/private/portal/permits');

    const st = createHtmlPermitSource(staticConfig({ url: `${site.url}/private/static/permits?page={page}` }), h.ctx);
    const e2 = await rejection(collect(st.fetchPermits(WINDOW)));
    expect(e2.code).toBe('ROBOTS_DISALLOWED');
    expect(site.requests.slice(before).filter((r) => r.path.startsWith('/private/'))).toEqual([]);
  });

  it('a result link into a disallowed path stops the lookup there, unfetched', async () => {
    const assessor = createHtmlAssessorSource(assessorConfig(), h.ctx, { browser, cacheTtlSeconds: 0 });
    const before = site.requests.length;
    const err = await rejection(assessor.lookup({ address: '77 Hidden Hollow Ln', city: 'Austin', state: 'TX' }));
    expect(err.code).toBe('ROBOTS_DISALLOWED');
    const paths = site.requests.slice(before).map((r) => r.path);
    expect(paths.some((p) => p.startsWith('/assessor/search?situs=77+Hidden+Hollow+Ln'))).toBe(true);
    expect(paths.filter((p) => p.startsWith('/private/'))).toEqual([]);
    await assessor.close();
  });
});

describe('HTML assessor', () => {
  it('types the address, follows the result to the parcel page and returns the full record', async () => {
    const assessor = createHtmlAssessorSource(assessorConfig(), h.ctx, { browser });
    const record = await assessor.lookup({ address: '4410 Ridge Oak Dr', city: 'Austin', state: 'TX', zip: '78731' });
    expect(record).toEqual({ ...MARTINEZ, raw: expect.objectContaining({ sourceUrl: `${site.url}/assessor/parcel/0129040117`, baths: '2 Full / 1 Half' }) });

    // An LLC with a PO box in Dallas is absentee; a lot in square feet becomes acres; a confidential sale has no price.
    const llc = await assessor.lookup({ address: '1207 E 38th St', city: 'Austin', state: 'TX' });
    expect(llc).toMatchObject({
      parcelId: '0218070402', ownerName: 'BLUEBONNET HOLDINGS LLC', ownerMailingAddress: 'PO BOX 16284, DALLAS TX 75216', isAbsentee: true,
      lotSize: 0.17, sqft: 1312, baths: 1.5, yearBuilt: 1938, lastSaleDate: '2022-11-30', lastSalePrice: null, assessedValue: 711400,
    });
    await assessor.close();
  });

  it('returns null for an address the site does not know', async () => {
    const assessor = createHtmlAssessorSource(assessorConfig(), h.ctx, { browser });
    expect(await assessor.lookup({ address: '1 Nowhere Rd', city: 'Austin', state: 'TX' })).toBeNull();
    await assessor.close();
  });

  it('caches answers (also "no match") in Redis for 24 hours', async () => {
    const assessor = createHtmlAssessorSource(assessorConfig(), h.ctx, { browser });
    const addr = { address: '4410 Ridge Oak Dr', city: 'Austin', state: 'TX', zip: '78731' };
    await assessor.lookup(addr); // cached by the first assessor test or now
    const before = site.requests.length;
    expect(await assessor.lookup({ ...addr, address: '4410 RIDGE OAK DRIVE' })).toMatchObject({ parcelId: '0129040117' });
    expect(await assessor.lookup({ address: '1 Nowhere Rd', city: 'Austin', state: 'TX' })).toBeNull();
    // Neither lookup reached the site (a late request of an earlier page load may still arrive; it names neither).
    const lookups = site.requests.slice(before).filter((r) => r.path.startsWith('/assessor/') && r.path !== '/assessor/');
    expect(lookups.map((r) => r.path)).toEqual([]);
    const keys = await h.ctx.redis.keys(`${h.config.QUEUE_PREFIX}:assessor:*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const ttl = await h.ctx.redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(86_000);
    expect(ttl).toBeLessThanOrEqual(86_400);
    await assessor.close();
    await h.ctx.redis.del(...keys);
  });

  it('static mode (URL template + cheerio) gives the same record', async () => {
    const assessor = createHtmlAssessorSource(
      assessorConfig({ mode: 'static', url: `${site.url}/assessor/search?situs={address}&zip={zip}`, addressSelector: undefined, submitSelector: undefined }),
      h.ctx,
      { cacheTtlSeconds: 0 },
    );
    const record = await assessor.lookup({ address: '4410 Ridge Oak Dr', city: 'Austin', state: 'TX', zip: '78731' });
    expect(record).toEqual({ ...MARTINEZ, raw: expect.objectContaining({ sourceUrl: `${site.url}/assessor/parcel/0129040117` }) });
    expect(await assessor.lookup({ address: '1 Nowhere Rd', city: 'Austin', state: 'TX', zip: null })).toBeNull();
    await assessor.close();
  });

  it('rejects unknown property fields and a static URL without {address}', () => {
    expect(() => createHtmlAssessorSource(assessorConfig({ fields: { owner: '#x' } }), h.ctx)).toThrow(/fields\.owner is not a known field/);
    expect(() => createHtmlAssessorSource(assessorConfig({ mode: 'static' }), h.ctx)).toThrow(/url: static mode needs an \{address\} placeholder/);
  });
});

describe('Chromium lifecycle', () => {
  it('a missing CHROMIUM_PATH is BROWSER_UNAVAILABLE naming the variable, for portals and assessors', async () => {
    const ctx = withConfig({ CHROMIUM_PATH: '/nonexistent/chromium' });
    const e1 = await rejection(collect(createHtmlPermitSource(portalConfig(), ctx).fetchPermits(WINDOW)));
    expect(e1.code).toBe('BROWSER_UNAVAILABLE');
    expect(e1.message).toContain('CHROMIUM_PATH=/nonexistent/chromium');
    const assessor = createHtmlAssessorSource(assessorConfig(), ctx, { cacheTtlSeconds: 0 });
    const e2 = await rejection(assessor.lookup({ address: '4410 Ridge Oak Dr', city: 'Austin', state: 'TX' }));
    expect(e2.code).toBe('BROWSER_UNAVAILABLE');
    await assessor.close();
  });

  it('without Chromium, a portal with a static fallback is read from its server-rendered pages instead', async () => {
    const ctx = withConfig({ CHROMIUM_PATH: '/nonexistent/chromium' });
    const st = staticConfig();
    const config = portalConfig({ staticFallback: { url: st.url, rowSelector: st.rowSelector, fields: st.fields } });
    const { permits } = await collect(createHtmlPermitSource(config, ctx).fetchPermits(WINDOW));
    expect(permits.map((p) => p.permitNumber).sort()).toEqual(IN_WINDOW);
    // Any other failure is not hidden: a portal that answers 404 still fails, Chromium or not.
    const broken = portalConfig({ url: `${site.url}/nope`, staticFallback: { url: `${site.url}/nope?page={page}` } });
    await expect(collect(createHtmlPermitSource(broken, h.ctx).fetchPermits(WINDOW))).rejects.toThrow(/404/);
  });

  it('a source that launches its own Chromium closes it, also when the consumer stops early', async () => {
    const source = createHtmlPermitSource(portalConfig(), h.ctx);
    for await (const batch of source.fetchPermits(WINDOW)) {
      expect(batch).toHaveLength(5);
      expect(chromiumDescendants().length).toBeGreaterThan(0);
      break; // the generator's finally closes the browser
    }
    const assessor = createHtmlAssessorSource(assessorConfig(), h.ctx, { cacheTtlSeconds: 0 });
    expect(await assessor.lookup({ address: '1207 E 38th St', city: 'Austin', state: 'TX' })).toMatchObject({ parcelId: '0218070402' });
    await assessor.close();
  });

  it('leaves no Chromium process behind once the shared browser is closed', async () => {
    const dir = browser.userDataDir;
    expect((await profileProcesses(dir)).length).toBeGreaterThan(0);
    await browser.close();
    expect(await profileProcesses(dir)).toEqual([]);
    expect(chromiumDescendants()).toEqual([]);
  });
});
