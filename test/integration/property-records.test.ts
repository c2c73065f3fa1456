import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { importPropertyRecords, resolveProperty, type ImportProgress } from '../../src/modules/acquisition/properties.service.ts';
import { zipCentroid } from '../../src/modules/acquisition/geocoding/zip-centroid.ts';
import { importPropertiesJob } from '../../src/modules/acquisition/properties.jobs.ts';
import type { PropertyRecord, TAssessorSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';

/**
 * Assessor imports and property resolution on a real PostgreSQL + PostGIS database (fixtures in
 * test/fixtures/assessor/: a Travis CAD-style CSV, a parcel JSON export, a folder of monthly Harris CSVs).
 * No geocoder keys are configured, so geocoding runs the offline ZIP-centroid fallback.
 */
let h: TestHarness;
let server: Server;
let serverUrl: string;
let austinId: string;

const TRAVIS: TAssessorSourceConfig = {
  kind: 'csv',
  path: 'assessor/travis-cad-export.csv',
  fieldMap: {
    parcelId: 'GEO_ID', address: 'SITUS_ADDRESS', city: 'SITUS_CITY', zip: 'SITUS_ZIP', ownerName: 'OWNER_NAME',
    ownerMailingAddress: 'MAIL_ADDR1+MAIL_CITY+MAIL_STATE+MAIL_ZIP', assessedValue: 'APPRAISED_VAL', marketValue: 'MARKET_VAL',
    yearBuilt: 'YR_BUILT', sqft: 'LIVING_AREA', lotSize: 'LAND_ACRES', beds: 'BEDROOMS', baths: 'BATHS', propertyType: 'PROP_TYPE',
    lastSaleDate: 'DEED_DATE', lastSalePrice: 'SALE_PRICE', taxAmount: 'TAX_AMT',
  },
};
const PARCELS_JSON: TAssessorSourceConfig = {
  kind: 'json',
  path: 'assessor/austin-parcels.json',
  fieldMap: {
    parcelId: 'parcel_number', address: 'site_address', ownerName: 'owner', ownerMailingAddress: 'owner_mailing',
    isAbsentee: 'absentee_flag', assessedValue: 'total_assessed', yearBuilt: 'year_built', sqft: 'bldg_sqft', lotSize: 'acres',
    beds: 'bedrooms', baths: 'bathrooms', propertyType: 'use_code', lastSaleDate: 'last_sale_date', lastSalePrice: 'last_sale_amount',
    taxAmount: 'tax_levy', lat: 'latitude', lng: 'longitude',
  },
};
const HARRIS: TAssessorSourceConfig = {
  kind: 'csv',
  path: 'assessor/harris-monthly',
  fieldMap: {
    parcelId: 'ACCOUNT', address: 'SITE_ADDR_1', zip: 'SITE_ADDR_3', ownerName: 'OWNER', ownerMailingAddress: 'MAILING',
    assessedValue: 'TOTAL_APPRAISED', yearBuilt: 'YR_IMPR', sqft: 'BLD_AR', lastSaleDate: 'NEW_OWN_DT',
  },
};

async function property(normalizedAddress: string, city = 'Austin') {
  return h.ctx.db.prisma.property.findUniqueOrThrow({ where: { normalizedAddress_city_state: { normalizedAddress, city, state: 'TX' } } });
}
async function geog(id: string): Promise<{ lat: number; lng: number } | null> {
  const [r] = await h.ctx.db.pool.query<{ lat: number | null; lng: number | null }>(
    'SELECT ST_Y(geog::geometry) AS lat, ST_X(geog::geometry) AS lng FROM properties WHERE id = $1', [id],
  ).then((q) => q.rows);
  return r && r.lat !== null ? { lat: r.lat, lng: r.lng! } : null;
}
const countProperties = () => h.ctx.db.prisma.property.count();

beforeAll(async () => {
  h = await createHarness({ FIXTURES_DIR: 'test/fixtures' });
  const city = await h.ctx.db.prisma.targetCity.create({ data: { city: 'Austin', state: 'TX', assessorSource: TRAVIS as object } });
  austinId = city.id;
  await h.ctx.db.prisma.targetCity.create({ data: { city: 'Houston', state: 'TX', assessorSource: HARRIS as object } });
  await h.ctx.db.prisma.targetCity.create({ data: { city: 'Plano', state: 'TX' } });
  await h.ctx.db.prisma.targetCity.create({ data: { city: 'Waco', state: 'TX', assessorSource: { kind: 'csv', path: 'x.csv', fieldMap: { ownerName: 'OWNER' } } } });
  const csv = readFileSync('test/fixtures/assessor/travis-cad-export.csv');
  server = createServer((req, res) => {
    if (req.url === '/exports/travis.csv') {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(csv);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await h?.close();
});

describe('importPropertyRecords: CSV (county export)', () => {
  it('stores the readable rows, reports the bad ones by line and field, and records a scraping_jobs row', async () => {
    const progress: ImportProgress[] = [];
    const s = await importPropertyRecords(h.ctx, { city: 'austin', state: 'Texas', batchSize: 3 }, (p) => void progress.push(p));
    expect(s).toMatchObject({ status: 'partial', source: 'csv:travis-cad-export.csv', received: 8, inserted: 5, updated: 0, unchanged: 0, failed: 3, geocoded: 5 });
    // Lines as a spreadsheet shows them: header = 1, so the 4th data row is line 5.
    expect(s.errors.map((e) => [e.row, e.field])).toEqual([[5, 'yearBuilt'], [6, 'address'], [7, 'lastSaleDate']]);
    expect(s.errors[0]!.message).toBe('yearBuilt: "19X5" is not a number');
    expect(s.errors[2]!.message).toMatch(/lastSaleDate: "13\/45\/2019" is not a calendar date/);
    expect(progress.map((p) => p.inserted)).toEqual([3, 5]); // one report per batch of 3 readable rows
    expect(progress.at(-1)).toMatchObject({ received: 8, inserted: 5, failed: 3 });

    const job = await h.ctx.db.prisma.scrapingJob.findUniqueOrThrow({ where: { id: s.scrapingJobId } });
    expect(job).toMatchObject({ jobType: 'properties', status: 'partial', city: 'Austin', state: 'TX', totalItems: 8, succeededItems: 5, failedItems: 3 });
    expect((job.errors as Array<{ row: number }>).map((e) => e.row)).toEqual([5, 6, 7]);
    expect((await h.ctx.db.prisma.targetCity.findUniqueOrThrow({ where: { id: austinId } })).totalPropertiesProcessed).toBe(5);
  });

  it('coerces county formats: "$412,350", MM/DD/YYYY and M/D/YY dates, 0 as unknown, ZIP+4', async () => {
    const oak = await property('1234 N OAK ST');
    expect(oak).toMatchObject({ parcelId: '0213040512', city: 'Austin', zip: '78701', ownerName: 'GARCIA, MARIA L', yearBuilt: 1987, sqft: 2140, beds: 4, propertyType: 'A1 SINGLE FAMILY', source: 'csv:travis-cad-export.csv' });
    expect(Number(oak.assessedValue)).toBe(412350);
    expect(Number(oak.marketValue)).toBe(455000);
    expect(Number(oak.lastSalePrice)).toBe(389000);
    expect(Number(oak.taxAmount)).toBe(8912.44);
    expect(Number(oak.baths)).toBe(2.5);
    expect(Number(oak.lotSize)).toBe(0.21);
    expect(oak.lastSaleDate?.toISOString().slice(0, 10)).toBe('2019-06-14');
    const fifth = await property('905 W 5TH ST');
    expect(fifth.lastSaleDate?.toISOString().slice(0, 10)).toBe('1998-07-09');
    const lamar = await property('2200 S LAMAR BLVD');
    expect([lamar.yearBuilt, lamar.sqft, lamar.beds, lamar.baths]).toEqual([null, null, null, null]);
  });

  it('derives absentee owners by comparing the normalized mailing and site addresses', async () => {
    const flags = Object.fromEntries(
      (await h.ctx.db.prisma.property.findMany({ where: { city: 'Austin' }, select: { normalizedAddress: true, isAbsentee: true } }))
        .map((p) => [p.normalizedAddress, p.isAbsentee]),
    );
    expect(flags).toEqual({
      '1234 N OAK ST': true, // PO Box in Dallas
      '1238 N OAK ST': false, // "1238 North Oak St., AUSTIN, TX, 78701-2204" is the house itself
      '77 SUNSET BLVD APT 5': false, // "UNIT 5" on the bill, "Apt 5" on the roll
      '905 W 5TH ST': false, // "905 WEST 5TH STREET"
      '2200 S LAMAR BLVD': false,
    });
  });

  it('geocodes rows without coordinates to the ZIP centroid and PostGIS fills geog', async () => {
    const sunset = await property('77 SUNSET BLVD APT 5');
    const c = zipCentroid('78704')!;
    expect(sunset).toMatchObject({ lat: c.lat, lng: c.lng, geocodePrecision: 'zip_centroid', geocodeSource: 'zip_centroid' });
    const g = await geog(sunset.id);
    expect(g!.lat).toBeCloseTo(c.lat, 6);
    expect(g!.lng).toBeCloseTo(c.lng, 6);
  });

  it('re-importing the same export creates no duplicates and rewrites nothing', async () => {
    const before = await countProperties();
    const oak = await property('1234 N OAK ST');
    const s = await importPropertyRecords(h.ctx, { city: 'Austin', state: 'TX' });
    expect(s).toMatchObject({ received: 8, inserted: 0, updated: 0, unchanged: 5, failed: 3, geocoded: 0 });
    expect(await countProperties()).toBe(before);
    expect((await property('1234 N OAK ST')).updatedAt).toEqual(oak.updatedAt);
  });
});

describe('importPropertyRecords: a second source (JSON) merges into the same houses', () => {
  it('"1234 North Oak St." from JSON and "1234 N Oak Street" from CSV are one property with merged fields', async () => {
    const before = await countProperties();
    const s = await importPropertyRecords(h.ctx, { city: 'Austin', state: 'TX', source: PARCELS_JSON });
    expect(s).toMatchObject({ source: 'json:austin-parcels.json', received: 4, inserted: 1, updated: 1, failed: 2, geocoded: 1 });
    expect(s.errors.map((e) => [e.row, e.field])).toEqual([[3, '(record)'], [4, 'isAbsentee']]);
    expect(s.errors[1]!.message).toBe('isAbsentee: "maybe" is not yes/no');
    expect(await countProperties()).toBe(before + 1);

    const oak = await property('1234 N OAK ST');
    // JSON values win where JSON has one …
    expect(oak.ownerName).toBe('GARCIA MARIA L');
    expect(oak.isAbsentee).toBe(true);
    expect(oak.source).toBe('json:austin-parcels.json');
    // … and JSON nulls never blank what the CSV filled.
    expect(oak.ownerMailingAddress).toBe('PO BOX 4410, DALLAS, TX, 75201');
    expect(Number(oak.taxAmount)).toBe(8912.44);
    expect(Number(oak.lotSize)).toBe(0.21);
    expect(Number(oak.marketValue)).toBe(455000);
    expect(oak.parcelId).toBe('0213040512');
    // The export's own point replaces the ZIP centroid (better precision).
    expect(oak).toMatchObject({ lat: 30.27561, lng: -97.74387, geocodePrecision: 'source', geocodeSource: 'json:austin-parcels.json' });
    expect(await geog(oak.id)).toEqual({ lat: 30.27561, lng: -97.74387 });
    // Raw records of both sources are kept.
    expect(oak.raw).toMatchObject({ PROP_ID: '100201', parcel_number: '0213040512' });
  });

  it('reads "10,890 sq ft" as acres, "2,480" as a number, and a matching mailing line as owner-occupied', async () => {
    const birch = await property('3 BIRCH CT');
    expect(Number(birch.lotSize)).toBe(0.25);
    expect(birch.sqft).toBe(2480);
    expect(birch.isAbsentee).toBe(false);
    expect(birch.lastSaleDate?.toISOString().slice(0, 10)).toBe('2022-04-22');
    expect(birch).toMatchObject({ zip: '78731', geocodePrecision: 'zip_centroid' });
  });

  it('a later ZIP centroid never replaces better coordinates', async () => {
    // Importing the CSV again after the JSON: its rows carry no point; Oak keeps the JSON point.
    await importPropertyRecords(h.ctx, { city: 'Austin', state: 'TX' });
    expect(await property('1234 N OAK ST')).toMatchObject({ lat: 30.27561, geocodePrecision: 'source' });
  });
});

describe('importPropertyRecords: folders, URLs and configuration errors', () => {
  it('reads every CSV of a folder in name order; the same house in two files is one row with the later value', async () => {
    const s = await importPropertyRecords(h.ctx, { city: 'Houston', state: 'TX', geocodeMissing: false });
    expect(s).toMatchObject({ received: 4, inserted: 3, merged: 1, failed: 0, geocoded: 0, status: 'completed' });
    const heights = await property('1414 HEIGHTS BLVD', 'Houston');
    expect(Number(heights.assessedValue)).toBe(530000);
    expect(heights.isAbsentee).toBe(false);
    expect(heights.lat).toBeNull();
    const ross = await property('510 W 19TH ST', 'Houston');
    expect(ross).toMatchObject({ zip: '77008', ownerName: 'ROSS, ELLA', isAbsentee: null });
    expect((await property('1420 HEIGHTS BLVD', 'Houston')).isAbsentee).toBe(true);
  });

  it('downloads an export from a URL', async () => {
    const s = await importPropertyRecords(h.ctx, {
      city: 'Plano', state: 'TX', geocodeMissing: false,
      source: { ...TRAVIS, path: undefined, url: `${serverUrl}/exports/travis.csv` } as TAssessorSourceConfig,
    });
    // The rows name Austin as their city, so they merge into the Austin properties, not Plano.
    expect(s).toMatchObject({ source: expect.stringMatching(/^csv:127\.0\.0\.1:\d+\/travis\.csv$/), received: 8, failed: 3, inserted: 0 });
    const log = await h.ctx.db.prisma.apiUsageLog.findFirst({ where: { apiProvider: 'assessor_export' } });
    expect(log).toMatchObject({ success: true, apiEndpoint: '/exports/travis.csv' });
  });

  it('fails with stable codes naming the problem, and keeps everything stored', async () => {
    const before = await countProperties();
    await expect(importPropertyRecords(h.ctx, { city: 'Atlantis', state: 'TX' })).rejects.toMatchObject({ code: 'CITY_NOT_FOUND' });
    await expect(importPropertyRecords(h.ctx, { city: 'Plano', state: 'TX' })).rejects.toMatchObject({ code: 'CITY_NOT_CONFIGURED', message: 'Plano, TX has no assessor_source configured' });
    await expect(importPropertyRecords(h.ctx, { city: 'Waco', state: 'TX' })).rejects.toMatchObject({
      code: 'CITY_SOURCE_INVALID',
      message: expect.stringMatching(/assessor_source of Waco, TX is invalid at fieldMap\.address: fieldMap\.address is required/),
    });
    await expect(importPropertyRecords(h.ctx, { city: 'Austin', state: 'ZZ' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: 'state: "ZZ" is not a US state' });
    await expect(
      importPropertyRecords(h.ctx, { city: 'Austin', state: 'TX', source: { ...TRAVIS, path: 'assessor/missing.csv' } as TAssessorSourceConfig }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/path: .*assessor\/missing\.csv does not exist/) });
    const failedJob = await h.ctx.db.prisma.scrapingJob.findFirst({ where: { jobType: 'properties', status: 'failed' } });
    expect(failedJob?.errorMessage).toMatch(/missing\.csv does not exist/);
    expect(await countProperties()).toBe(before);
  });
});

describe('acquisition.import-properties job', () => {
  it('validates its payload, runs the import and reports progress by share of the export read', async () => {
    expect(() => importPropertiesJob.payload.parse({ city: 'Houston' })).toThrow(/state/);
    const progress: Array<[number, Record<string, unknown> | undefined]> = [];
    const run = {
      ctx: h.ctx, jobId: 'test-1', attempt: 1, signal: new AbortController().signal,
      progress: async (pct: number, info?: Record<string, unknown>) => void progress.push([pct, info]),
      log: async () => {},
    };
    const out = (await importPropertiesJob.handler(importPropertiesJob.payload.parse({ city: 'Houston', state: 'TX', geocodeMissing: false }), run)) as Record<string, unknown>;
    expect(out).toMatchObject({ received: 4, inserted: 0, unchanged: 3, merged: 1, failed: 0, fraction: 1 });
    // One batch for both files: the whole folder was read when it was reported.
    expect(progress).toEqual([[99, expect.objectContaining({ received: 4, unchanged: 3 })]]);
    const job = await h.ctx.db.prisma.scrapingJob.findUniqueOrThrow({ where: { id: out.scrapingJobId as string } });
    expect(job.triggeredBy).toBe('acquisition.import-properties test-1');
  });
});

describe('resolveProperty (pipeline property stage)', () => {
  const record = (over: Partial<PropertyRecord>): PropertyRecord => ({
    parcelId: null, address: '', city: 'Austin', state: 'TX', zip: null, ownerName: null, ownerMailingAddress: null, isAbsentee: null,
    assessedValue: null, marketValue: null, yearBuilt: null, sqft: null, lotSize: null, beds: null, baths: null, propertyType: null,
    lastSaleDate: null, lastSalePrice: null, taxAmount: null, lat: null, lng: null, raw: {}, ...over,
  });

  it('finds a stored property under another spelling without asking the assessor', async () => {
    const oak = await property('1234 N OAK ST');
    let asked = 0;
    const r = await resolveProperty(h.ctx, { address: '1234 NORTH OAK STREET', city: 'AUSTIN', state: 'tx' }, {
      assessor: { lookup: async () => (asked++, null) },
    });
    expect(r).toEqual({ propertyId: oak.id, created: false, geocoded: null });
    expect(asked).toBe(0);
  });

  it('creates the property from the assessor record and keeps the permit’s own point', async () => {
    const r = await resolveProperty(
      h.ctx,
      { address: '6001 Shoal Creek Boulevard', city: 'Austin', state: 'TX', zip: '78757', lat: 30.3431, lng: -97.7469 },
      {
        assessor: {
          lookup: async (a) => record({ address: a.address.toUpperCase(), parcelId: 'R-6001', ownerName: 'SHOAL CREEK TRUST', yearBuilt: 1958, assessedValue: 640000, raw: { page: 'parcel' } }),
        },
      },
    );
    expect(r.created).toBe(true);
    expect(r.geocoded).toBeNull();
    const p = await h.ctx.db.prisma.property.findUniqueOrThrow({ where: { id: r.propertyId } });
    expect(p).toMatchObject({ normalizedAddress: '6001 SHOAL CREEK BLVD', parcelId: 'R-6001', ownerName: 'SHOAL CREEK TRUST', yearBuilt: 1958, source: 'assessor', zip: '78757' });
    expect(p).toMatchObject({ lat: 30.3431, lng: -97.7469, geocodePrecision: 'source', geocodeSource: 'permit' });
    expect(await geog(p.id)).toEqual({ lat: 30.3431, lng: -97.7469 });
  });

  it('a failing assessor leaves a minimal geocoded row that a later run enriches', async () => {
    const addr = { address: '45 Main Street North', city: 'Austin', state: 'TX', zip: '78702' };
    const first = await resolveProperty(h.ctx, addr, { assessor: { lookup: async () => { throw new Error('assessor site timed out'); } } });
    expect(first.created).toBe(true);
    expect(first.geocoded).toMatchObject({ source: 'zip_centroid', precision: 'zip_centroid', zip: '78702' });
    const minimal = await h.ctx.db.prisma.property.findUniqueOrThrow({ where: { id: first.propertyId } });
    expect(minimal).toMatchObject({ normalizedAddress: '45 MAIN ST N', source: 'permit', ownerName: null, geocodePrecision: 'zip_centroid' });
    expect(await geog(minimal.id)).not.toBeNull();

    const again = await resolveProperty(h.ctx, { ...addr, address: '45 Main St N' }, {
      assessor: { lookup: async () => record({ address: '45 MAIN ST N', ownerName: 'RIVERA LUIS', beds: 3, lat: 30.2601, lng: -97.7201 }) },
    });
    expect(again).toMatchObject({ propertyId: first.propertyId, created: false, geocoded: null });
    const enriched = await h.ctx.db.prisma.property.findUniqueOrThrow({ where: { id: first.propertyId } });
    expect(enriched).toMatchObject({ ownerName: 'RIVERA LUIS', beds: 3, source: 'assessor', lat: 30.2601, lng: -97.7201, geocodePrecision: 'source' });
  });

  it('without an assessor creates a minimal row and geocodes it; bad input names the field', async () => {
    const r = await resolveProperty(h.ctx, { address: '800 Brazos St', city: 'Austin', state: 'TX', zip: '78701' });
    expect(r.created).toBe(true);
    expect(r.geocoded).toMatchObject({ lat: zipCentroid('78701')!.lat, precision: 'zip_centroid' });
    const second = await resolveProperty(h.ctx, { address: '800 Brazos Street', city: 'Austin', state: 'TX' });
    expect(second).toEqual({ propertyId: r.propertyId, created: false, geocoded: null });
    await expect(resolveProperty(h.ctx, { address: ' ,. ', city: 'Austin', state: 'TX' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'address' } });
    await expect(resolveProperty(h.ctx, { address: '1 Main St', city: 'Austin', state: 'Texass' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'state' } });
  });

  it('concurrent resolutions of one house create one row', async () => {
    const results = await Promise.all(
      ['9 Maple Drive', '9 maple dr', '9 MAPLE DR.', '9 Maple Dr'].map((address) => resolveProperty(h.ctx, { address, city: 'Austin', state: 'TX', zip: '78703' })),
    );
    expect(new Set(results.map((r) => r.propertyId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
});
