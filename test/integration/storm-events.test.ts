import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { clearRobotsCache } from '../../src/platform/robots.ts';
import { resetHostSlots } from '../../src/platform/host-limiter.ts';
import { ingestStormEvents, ingestStormFile } from '../../src/modules/acquisition/storm-events.service.ts';
import { ingestStormsJob, stormEventsJobs } from '../../src/modules/acquisition/storm-events.jobs.ts';
import { STORM_DETAIL_COLUMNS } from '../../src/modules/acquisition/storm-events.parser.ts';
import type { JobRunContext } from '../../src/platform/queues.ts';

/**
 * NOAA Storm Events ingestion on a real PostgreSQL + PostGIS (issue 4 §3). The fixture's 2024 details file has
 * 89 rows: one with an impossible begin time (row 24, EVENT_ID 1180112), ten without coordinates, seven with
 * old-style zones. Expected values are worked out by hand from the fixture rows.
 */
const FIX = path.resolve('test/fixtures/noaa');
const NEW = 'StormEvents_details-ftp_v1.0_d2024_c20250401.csv';
const NEW_GZ = `${NEW}.gz`;
const OLD = 'StormEvents_details-ftp_v1.0_d2024_c20250115.csv';
const UA = 'TradeLeadStormTest/1.0 (+https://tradelead.example/bot)';

let h: TestHarness;
let tmp: string;

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await h.ctx.db.pool.query(sql, params)).rows as T[];
const count = async (sql: string, params: unknown[] = []) => Number((await q<{ n: string }>(sql, params))[0]!.n);
const event = async (id: number) =>
  (await q(
    `SELECT event_id, event_type, to_char(event_date, 'YYYY-MM-DD') AS event_date, event_time::text AS event_time, begin_at, end_at, city, state, county,
            lat, lng, radius_miles::text AS radius, severity, hail_size_inches::text AS hail, wind_speed_mph, wind_speed_knots::text AS knots,
            magnitude_type, tornado_rating, source, source_url, external_id, ingested_file, raw, damage_property::text AS dp,
            damage_crops::text AS dc, damage_estimate::text AS de, ST_Y(geog::geometry) AS geo_lat, ST_X(geog::geometry) AS geo_lng
       FROM weather_events WHERE event_id = $1`,
    [id],
  ))[0]!;

async function reset() {
  await h.ctx.db.pool.query('TRUNCATE weather_events, outbox, scraping_jobs, api_usage_logs');
}

beforeAll(async () => {
  h = await createHarness({ SCRAPER_USER_AGENT: UA, SCRAPER_HOST_RATE_PER_SECOND: '50' });
  tmp = await mkdtemp(path.join(tmpdir(), 'tl-storms-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
  await h?.close();
});

beforeEach(reset);

describe('folder ingestion', () => {
  it('takes the newest revision of the year from the folder and stores every row but the broken one', async () => {
    const dir = path.join(tmp, 'folder');
    await rm(dir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    for (const f of [NEW, NEW_GZ, OLD]) await copyFile(path.join(FIX, f), path.join(dir, f));
    await writeFile(path.join(dir, 'StormEvents_fatalities-ftp_v1.0_d2024_c20250501.csv'), 'FAT_YEARMONTH\n');

    // NOAA_STORM_EVENTS_DIR set: the folder wins over the URL. 400 days back from 2025-01-01 touches 2023 and 2024.
    const ctx: AppContext = { ...h.ctx, config: { ...h.ctx.config, NOAA_STORM_EVENTS_DIR: dir } };
    const progress: number[] = [];
    const r = await ingestStormEvents(ctx, { lookbackDays: 400, now: new Date('2025-01-01T00:00:00Z') }, (pct) => {
      progress.push(pct);
    });

    expect(r.mode).toBe('dir');
    expect(r.files.map((f) => f.file)).toEqual([NEW]);
    expect(r).toMatchObject({ since: '2023-11-28T00:00:00.000Z', until: '2025-01-01T00:00:00.000Z', inserted: 88, updated: 0, unchanged: 0, skipped: 0, withoutLocation: 10, rowErrorCount: 1, eventCount: 88 });
    const file = r.files[0]!;
    expect(file).toMatchObject({ rows: 89, rowErrors: [{ row: 24, message: 'BEGIN_DATE_TIME "31-APR-24 25:10:00" is not a DD-MON-YY HH:MM:SS time' }] });
    expect(file.warnings).toEqual([{ row: 10, message: 'unknown CZ_TIMEZONE "UNK": used LA\'s standard offset UTC-6' }]);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    expect(await count('SELECT count(*) AS n FROM weather_events')).toBe(88);
    expect(await count('SELECT count(DISTINCT event_id) AS n FROM weather_events')).toBe(88);
    expect(await count(`SELECT count(*) AS n FROM weather_events WHERE source = 'noaa_storm_events' AND ingested_file = $1`, [NEW])).toBe(88);

    // scraping_jobs: one row for the file.
    const jobs = await q(`SELECT job_type, source, status, total_items, succeeded_items, failed_items, errors, config FROM scraping_jobs`);
    expect(jobs).toEqual([
      expect.objectContaining({ job_type: 'storms', source: 'noaa_storm_events', status: 'completed', total_items: 89, succeeded_items: 88, failed_items: 1 }),
    ]);
    expect(jobs[0]!.errors).toEqual([{ row: 24, message: 'BEGIN_DATE_TIME "31-APR-24 25:10:00" is not a DD-MON-YY HH:MM:SS time' }]);

    // One outbox event for the run.
    const outbox = await q<{ topic: string; payload: Record<string, unknown> }>('SELECT topic, payload FROM outbox');
    expect(outbox).toEqual([
      { topic: 'storms.ingested', payload: { since: '2023-11-28T00:00:00.000Z', until: '2025-01-01T00:00:00.000Z', eventCount: 88, inserted: 88, updated: 0, files: [NEW] } },
    ]);
  });

  it('stores hand-checked values: UTC instants, knots and mph, damage dollars, tornado track, raw columns', async () => {
    await ingestStormFile(h.ctx, { path: path.join(FIX, NEW) });

    // 16:45–16:50 CST-6, 52 kt measured gust = 59.84 → 60 mph, "10.00K".
    const wind = await event(1180104);
    expect(wind).toMatchObject({
      event_type: 'wind', event_date: '2024-05-22', event_time: '16:45:00', city: 'Austin', state: 'TX', county: 'Travis', wind_speed_mph: 60, knots: '52.00',
      magnitude_type: 'MG', severity: 'moderate', hail: null, dp: '10000.00', dc: '0.00', de: '10000.00', radius: '5.00', source: 'noaa_storm_events',
      source_url: 'https://www.ncdc.noaa.gov/stormevents/eventdetails.jsp?id=1180104', external_id: '1180104', ingested_file: NEW, lat: 30.298, lng: -97.708,
    });
    expect((wind.begin_at as Date).toISOString()).toBe('2024-05-22T22:45:00.000Z');
    expect((wind.end_at as Date).toISOString()).toBe('2024-05-22T22:50:00.000Z');
    const raw = wind.raw as Record<string, string>;
    expect(Object.keys(raw).sort()).toEqual([...STORM_DETAIL_COLUMNS].sort());
    expect(raw.EVENT_NARRATIVE).toBe('A 60 mph gust was measured at the "Mueller" mesonet site, downing several large tree limbs, fences, and a carport.');
    expect(raw.CZ_TIMEZONE).toBe('CST-6');

    expect(await event(1180106)).toMatchObject({ dp: '50.00', wind_speed_mph: 70 }); // ".05K"; 61 kt = 70.2 mph
    expect(await event(1180107)).toMatchObject({ hail: '2.75', severity: 'severe', dp: '1400000.00', dc: '5000.00', de: '1405000.00' }); // "1.40M" + "5.00K"
    expect(await event(1180208)).toMatchObject({ dp: '0.00' }); // "K"
    expect(await event(1180103)).toMatchObject({ dp: null, de: '0.00' }); // "" property, "0.00K" crops
    expect(await event(1181302)).toMatchObject({ hail: '3.00', severity: 'extreme', dp: '10000000.00' });
    expect(await event(1180207)).toMatchObject({ wind_speed_mph: 100, severity: 'extreme' }); // 87 kt = 100.1 mph

    // Tornado with both ends: midpoint of (33.4710,-97.1410)–(33.3550,-97.1950); radius 4.80/2 + 300/1760 = 2.57.
    expect(await event(1180202)).toMatchObject({ event_type: 'tornado', tornado_rating: 'EF2', severity: 'severe', lat: 33.413, lng: -97.168, radius: '2.57', dp: '2500000.00' });
    // One end only (Cape Coral): the begin point, radius 3.00 + 200/1760 = 3.11.
    expect(await event(1210105)).toMatchObject({ lat: 26.65, lng: -81.96, radius: '3.11', tornado_rating: 'EF2' });
    // Short EFU touchdown: 0.1 + 0.014 → the 1-mile minimum.
    expect(await event(1180210)).toMatchObject({ radius: '1.00', tornado_rating: 'EFU', severity: 'moderate' });

    // Hurricane Milton zone row: "2B" property + "150.00M" crops; category 3; no coordinates.
    const milton = await event(1210101);
    expect(milton).toMatchObject({ event_type: 'hurricane', severity: 'extreme', dp: '2000000000.00', dc: '150000000.00', de: '2150000000.00', lat: null, geo_lat: null, county: null, state: 'FL' });
    expect((milton.begin_at as Date).toISOString()).toBe('2024-10-09T23:00:00.000Z'); // 18:00 EST-5
    // Marine row: no state code, "other", the wind measure still kept (64 kt = 73.6 → 74 mph).
    expect(await event(1201505)).toMatchObject({ event_type: 'other', state: null, wind_speed_mph: 74, severity: null });
    expect(await event(1180211)).toMatchObject({ event_type: 'other', severity: null });

    // Old-style zones.
    const utc = async (id: number) => ((await event(id)).begin_at as Date).toISOString();
    expect(await utc(1180301)).toBe('2024-05-28T10:00:00.000Z'); // 04:00 CST
    expect(await utc(1180302)).toBe('2024-05-28T10:00:00.000Z'); // 05:00 CDT
    expect(await utc(1181310)).toBe('2024-05-31T23:00:00.000Z'); // 17:00 MDT
    expect(await utc(1180109)).toBe('2024-05-23T00:30:00.000Z'); // 18:30 "CSC"
    expect(await utc(1180110)).toBe('2024-05-23T00:45:00.000Z'); // 18:45 "SCT"
    expect(await utc(1190504)).toBe('2024-07-18T23:10:00.000Z'); // 18:10 "ESt"
    expect(await utc(1176006)).toBe('2024-04-10T17:30:00.000Z'); // 11:30 "UNK" in Louisiana → CST
    // The line break inside a quoted narrative survived.
    expect(((await event(1180212)).raw as Record<string, string>).EVENT_NARRATIVE).toBe(
      'Roofs were damaged at an apartment complex, per the fire department.\nA "significant" amount of debris was found, including shingles, gutters, and fencing.',
    );
  });

  it('keeps rows without coordinates with a null location, and locates the others in PostGIS', async () => {
    await ingestStormFile(h.ctx, { path: path.join(FIX, NEW) });
    const noGeo = await q<{ event_id: number }>('SELECT event_id FROM weather_events WHERE geog IS NULL ORDER BY event_id');
    expect(noGeo.map((r) => r.event_id)).toEqual([1180111, 1181311, 1192001, 1201501, 1201502, 1201503, 1201504, 1210101, 1210102, 1210103]);
    expect(await count('SELECT count(*) AS n FROM weather_events WHERE geog IS NOT NULL AND (ST_Y(geog::geometry) <> lat OR ST_X(geog::geometry) <> lng)')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM weather_events WHERE geog IS NOT NULL')).toBe(78);

    // seed 002 §3.1.4 matching: a point 3 miles north of the Parker hail (39.4900,-104.7600) is inside its 5-mile
    // radius; 6 miles north is inside no event's radius.
    const near = (lat: number, lng: number) =>
      q<{ event_id: number }>(
        `SELECT event_id FROM weather_events
          WHERE ST_DWithin(geog, ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography, radius_miles * 1609.344) ORDER BY event_id`,
        [lat, lng],
      );
    expect((await near(39.49 + 3 / 69.05, -104.76)).map((r) => r.event_id)).toEqual([1181302]);
    expect(await near(39.49 + 6 / 69.05, -104.76)).toEqual([]);
  });
});

describe('re-ingestion and revisions', () => {
  it('updates what NOAA revised, inserts late reports, duplicates nothing, leaves unchanged rows untouched', async () => {
    const first = await ingestStormEvents(h.ctx, { files: [path.join(FIX, OLD)] });
    expect(first).toMatchObject({ mode: 'files', inserted: 70, updated: 0, unchanged: 0, rowErrorCount: 1 });
    expect(await event(1180205)).toMatchObject({ tornado_rating: 'EF0', severity: 'moderate', dp: '0.00' });
    expect(await event(1180203)).toMatchObject({ hail: '2.25', dp: null });

    const second = await ingestStormEvents(h.ctx, { files: [path.join(FIX, NEW_GZ)] });
    // 88 good rows in the April revision: 18 new (Francine, Milton, Debby, Florida summer), 3 revised, 67 as before.
    expect(second).toMatchObject({ inserted: 18, updated: 3, unchanged: 67, eventCount: 88 });
    expect(await count('SELECT count(*) AS n FROM weather_events')).toBe(88);
    expect(await event(1180205)).toMatchObject({ tornado_rating: 'EF1', severity: 'severe', dp: '350000.00', ingested_file: NEW_GZ });
    expect(((await event(1180205)).raw as Record<string, string>).EVENT_NARRATIVE).toContain('peak winds near 100 mph');
    expect(await event(1180203)).toMatchObject({ hail: '2.50', dp: '500000.00', severity: 'severe' });
    expect(await event(1181302)).toMatchObject({ dp: '10000000.00' });
    // An unchanged event keeps the file that last changed it.
    expect(await event(1180101)).toMatchObject({ ingested_file: OLD });

    const before = await q<{ event_id: number; xmin: string }>('SELECT event_id, xmin::text AS xmin FROM weather_events ORDER BY event_id');
    const third = await ingestStormEvents(h.ctx, { files: [path.join(FIX, NEW_GZ)] });
    expect(third).toMatchObject({ inserted: 0, updated: 0, unchanged: 88 });
    // Not one row version was written by the identical re-ingestion.
    expect(await q('SELECT event_id, xmin::text AS xmin FROM weather_events ORDER BY event_id')).toEqual(before);
    expect(await count(`SELECT count(*) AS n FROM outbox WHERE topic = 'storms.ingested'`)).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM scraping_jobs WHERE job_type = 'storms' AND status = 'completed'`)).toBe(3);
  });

  it('stores only events that began in [since, until)', async () => {
    const r = await ingestStormFile(h.ctx, { path: path.join(FIX, NEW), since: new Date('2024-05-22T00:00:00Z'), until: new Date('2024-05-29T00:00:00Z') });
    // 16 events on 22 May (incl. 18:30 "CSC" = 00:30 UTC on the 23rd), 22 on 28 May.
    expect(r).toMatchObject({ rows: 89, inserted: 38, skipped: 50, rowErrorCount: 1, withoutLocation: 1, firstBeginAt: '2024-05-22T22:05:00.000Z' });
    expect(await count(`SELECT count(*) AS n FROM weather_events WHERE begin_at < '2024-05-22' OR begin_at >= '2024-05-29'`)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM weather_events')).toBe(38);

    await reset();
    // The bounds: 1180101 begins exactly at `since` (16:05 CST = 22:05Z) and is in; 1180102 begins at `until` and is out.
    await ingestStormFile(h.ctx, { path: path.join(FIX, NEW), since: new Date('2024-05-22T22:05:00Z'), until: new Date('2024-05-22T22:20:00Z') });
    expect((await q<{ event_id: number }>('SELECT event_id FROM weather_events')).map((x) => x.event_id)).toEqual([1180101]);

    await expect(ingestStormFile(h.ctx, { path: path.join(FIX, NEW), since: new Date('2024-06-01'), until: new Date('2024-05-01') })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('bad files', () => {
  it('refuses a file whose header lacks columns, naming them, and loses nothing already stored', async () => {
    await ingestStormFile(h.ctx, { path: path.join(FIX, NEW) });
    const snapshot = await q(`SELECT md5(string_agg(w::text, ',' ORDER BY event_id)) AS digest FROM weather_events w`);

    // NOAA's file with CZ_TIMEZONE and DAMAGE_CROPS cut out of every line.
    const text = await readFile(path.join(FIX, OLD), 'utf8');
    const header = text.split('\n')[0]!.split(',');
    const drop = new Set([header.indexOf('CZ_TIMEZONE'), header.indexOf('DAMAGE_CROPS')]);
    const cut = header.filter((_, i) => !drop.has(i)).join(',') + '\n' + text.split('\n').slice(1).join('\n');
    const bad = path.join(tmp, 'StormEvents_details-ftp_v1.0_d2024_c20250301.csv');
    await writeFile(bad, cut);

    const err = await ingestStormFile(h.ctx, { path: bad }).catch((e) => e);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', details: { missingColumns: ['CZ_TIMEZONE', 'DAMAGE_CROPS'] } });
    expect(err.message).toContain('the header lacks 2 of the 51 columns: CZ_TIMEZONE, DAMAGE_CROPS');
    expect(await q(`SELECT md5(string_agg(w::text, ',' ORDER BY event_id)) AS digest FROM weather_events w`)).toEqual(snapshot);
    expect(await q(`SELECT status, error_message FROM scraping_jobs WHERE config->>'file' = $1`, [path.basename(bad)])).toEqual([
      { status: 'failed', error_message: err.message },
    ]);
  });

  it('rolls back a whole file that breaks off after batches were written (truncated gzip)', async () => {
    // 2,600 rows (three batches) made from the fixture's 88 one-line records (the two-line narrative of
    // 1180212 left out) with fresh EVENT_IDs, gzipped and cut at 85%.
    const lines = (await readFile(path.join(FIX, NEW), 'utf8')).split('\n');
    const [header, ...data] = lines.filter((l, i) => i === 0 || (/^\d{6},/.test(l) && !l.includes(',1180212,')));
    expect(data).toHaveLength(88);
    const body: string[] = [];
    for (let i = 0; body.length < 2600; i++) body.push(data[i % data.length]!.replace(/^((?:[^,]*,){7})\d+/, `$1${5_000_000 + i}`));
    const gz = gzipSync(Buffer.from([header, ...body].join('\n') + '\n'));
    const truncated = path.join(tmp, 'StormEvents_details-ftp_v1.0_d2024_c20250501.csv.gz');
    await writeFile(truncated, gz.subarray(0, Math.floor(gz.length * 0.85)));

    const err = await ingestStormFile(h.ctx, { path: truncated }).catch((e) => e);
    expect(err).toMatchObject({ code: 'SOURCE_FAILED' });
    expect(err.message).toMatch(/StormEvents_details-ftp_v1\.0_d2024_c20250501\.csv\.gz: the gzip data is corrupt or truncated/);
    expect(await count('SELECT count(*) AS n FROM weather_events')).toBe(0);
    expect(await q('SELECT status, total_items > 1000 AS past_first_batch FROM scraping_jobs')).toEqual([{ status: 'failed', past_first_batch: true }]);

    const whole = path.join(tmp, 'whole.csv.gz');
    await writeFile(whole, gz);
    // Stopped after its first batch was written (the job's signal): rolled back too, recorded as failed.
    const ac = new AbortController();
    const stopped = await ingestStormFile(h.ctx, { path: whole, signal: ac.signal }, (p) => {
      if (p.phase === 'ingest') ac.abort(new Error('stop requested'));
    }).catch((e) => e);
    expect(stopped.message).toBe('stop requested');
    expect(await count('SELECT count(*) AS n FROM weather_events')).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM scraping_jobs WHERE status = 'failed' AND error_message = 'stop requested'`)).toBe(1);

    // The same file whole goes in: 2,600 events (the broken row's copies are row errors).
    const ok = await ingestStormFile(h.ctx, { path: whole });
    expect(ok.inserted + ok.rowErrorCount).toBe(2600);
    expect(ok.rowErrorCount).toBe(Math.ceil((2600 - 22) / 88)); // every 88th line from the 23rd is 1180112's copy
  });

  it('names a file that does not exist', async () => {
    await expect(ingestStormEvents(h.ctx, { files: [path.join(tmp, 'nope.csv')] })).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining('storm events file not found: nope.csv') });
    expect(await count('SELECT count(*) AS n FROM outbox')).toBe(0);
  });
});

describe('NOAA listing over HTTP', () => {
  let server: Server;
  let base: string;
  const requests: { path: string; ua: string | undefined }[] = [];
  const LISTING_PATH = '/pub/data/swdi/stormevents/csvfiles/';

  /** The Apache mod_autoindex page NCEI serves, with its sort links, parent link and sibling file kinds. */
  const listing = () => {
    const row = (name: string, date: string, size: string) =>
      `<tr><td valign="top"><img src="/icons/compressed.gif" alt="[   ]"></td><td><a href="${name}">${name}</a></td><td align="right">${date}  </td><td align="right">${size}</td><td>&nbsp;</td></tr>`;
    return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html>
 <head>
  <title>Index of /pub/data/swdi/stormevents/csvfiles</title>
 </head>
 <body>
<h1>Index of /pub/data/swdi/stormevents/csvfiles</h1>
  <table>
   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
   <tr><th colspan="5"><hr></th></tr>
<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/pub/data/swdi/stormevents/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="legacy/">legacy/</a></td><td align="right">2014-06-17 10:32  </td><td align="right">  - </td><td>&nbsp;</td></tr>
${row('StormEvents_details-ftp_v1.0_d2023_c20240816.csv.gz', '2024-08-16 10:21', '11M')}
${row('StormEvents_details-ftp_v1.0_d2023_c20250401.csv.gz', '2025-04-01 10:20', '11M')}
${row('StormEvents_details-ftp_v1.0_d2024_c20250115.csv.gz', '2025-01-15 10:20', '9.8M')}
${row('StormEvents_details-ftp_v1.0_d2024_c20250401.csv.gz', '2025-04-01 10:21', '12M')}
${row('StormEvents_fatalities-ftp_v1.0_d2024_c20250401.csv.gz', '2025-04-01 10:21', '9.4K')}
${row('StormEvents_locations-ftp_v1.0_d2024_c20250401.csv.gz', '2025-04-01 10:21', '2.1M')}
   <tr><th colspan="5"><hr></th></tr>
</table>
</body></html>`;
  };

  beforeAll(async () => {
    const gz = await readFile(path.join(FIX, NEW_GZ));
    server = createServer((req: IncomingMessage, res) => {
      const url = new URL(req.url!, 'http://x');
      requests.push({ path: url.pathname, ua: req.headers['user-agent'] });
      if (url.pathname === '/robots.txt') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private/\n');
      } else if (url.pathname === LISTING_PATH || url.pathname === '/private/') {
        res.writeHead(200, { 'content-type': 'text/html;charset=ISO-8859-1' }).end(listing());
      } else if (url.pathname === `${LISTING_PATH}${NEW_GZ}`) {
        res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': String(gz.length) }).end(gz);
      } else {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  beforeEach(() => {
    requests.length = 0;
    clearRobotsCache();
    resetHostSlots();
  });

  it('downloads the newest revision of the window’s year from the listing, with our user agent', async () => {
    const ctx: AppContext = { ...h.ctx, config: { ...h.ctx.config, NOAA_STORM_EVENTS_URL: `${base}${LISTING_PATH}`, NOAA_STORM_EVENTS_DIR: undefined } };
    // 30 days back from 1 June 2024: [2 May, 1 June) — 2024 only.
    const r = await ingestStormEvents(ctx, { lookbackDays: 30, now: new Date('2024-06-01T00:00:00Z') });
    expect(r.mode).toBe('url');
    expect(r.files.map((f) => f.file)).toEqual([NEW_GZ]);
    // 22 May: 16, 28 May: 22, 31 May: 15 (17:20 MST on the 31st is 00:20 UTC on 1 June: outside).
    expect(r).toMatchObject({ inserted: 53, skipped: 35, rowErrorCount: 1, eventCount: 53, since: '2024-05-02T00:00:00.000Z', until: '2024-06-01T00:00:00.000Z' });
    expect(await count('SELECT count(*) AS n FROM weather_events WHERE ingested_file = $1', [NEW_GZ])).toBe(53);
    expect(await count('SELECT count(*) AS n FROM weather_events WHERE event_id = 1181311')).toBe(0);

    expect(requests.map((x) => x.path)).toEqual(['/robots.txt', LISTING_PATH, `${LISTING_PATH}${NEW_GZ}`]);
    expect(new Set(requests.map((x) => x.ua))).toEqual(new Set([UA]));
    const usage = await q<{ api_provider: string; api_endpoint: string; success: boolean }>('SELECT api_provider, api_endpoint, success FROM api_usage_logs ORDER BY created_at');
    expect(usage).toEqual([
      { api_provider: 'noaa_storm_events', api_endpoint: LISTING_PATH, success: true },
      { api_provider: 'noaa_storm_events', api_endpoint: `${LISTING_PATH}${NEW_GZ}`, success: true },
    ]);
    expect(await q('SELECT topic, payload FROM outbox')).toEqual([
      { topic: 'storms.ingested', payload: { since: '2024-05-02T00:00:00.000Z', until: '2024-06-01T00:00:00.000Z', eventCount: 53, inserted: 53, updated: 0, files: [NEW_GZ] } },
    ]);
  });

  it('finds nothing for a year the listing does not have, and emits no event', async () => {
    const r = await ingestStormEvents(h.ctx, { url: `${base}${LISTING_PATH}`, lookbackDays: 7, now: new Date('2026-11-22T03:00:00Z') });
    expect(r).toMatchObject({ files: [], eventCount: 0 });
    expect(requests.map((x) => x.path)).toEqual(['/robots.txt', LISTING_PATH]);
    expect(await count('SELECT count(*) AS n FROM outbox')).toBe(0);
  });

  it('takes one file URL as it is, and reports a missing one without retrying a 404', async () => {
    const one = await ingestStormEvents(h.ctx, { url: `${base}${LISTING_PATH}${NEW_GZ}` });
    expect(one).toMatchObject({ mode: 'url', inserted: 88, since: '2024-03-14T01:20:00.000Z', until: '2024-10-10T01:00:00.001Z' });

    requests.length = 0;
    const missing = `${base}${LISTING_PATH}StormEvents_details-ftp_v1.0_d2025_c20990101.csv.gz`;
    const err = await ingestStormEvents(h.ctx, { url: missing }).catch((e) => e);
    expect(err).toMatchObject({ code: 'SOURCE_FAILED' });
    expect(err.message).toContain(`NOAA answered HTTP 404 for ${missing}`);
    expect(requests.filter((x) => x.path !== '/robots.txt')).toHaveLength(1);
  });

  it('respects robots.txt', async () => {
    await expect(ingestStormEvents(h.ctx, { url: `${base}/private/`, lookbackDays: 30, now: new Date('2024-06-01T00:00:00Z') })).rejects.toMatchObject({ code: 'ROBOTS_DISALLOWED' });
    expect(requests.map((x) => x.path)).toEqual(['/robots.txt']);
  });
});

describe('acquisition.ingest-storms job', () => {
  const runOf = (progress: number[]): JobRunContext => ({
    ctx: h.ctx,
    jobId: 'storms-test-1',
    attempt: 1,
    progress: async (pct) => {
      progress.push(pct);
    },
    log: async () => {},
    signal: new AbortController().signal,
  });

  it('is exported for the catalog and validates its payload', () => {
    expect(stormEventsJobs.map((j) => [j.name, j.queue])).toEqual([['acquisition.ingest-storms', 'acquisition']]);
    expect(ingestStormsJob.payload.safeParse({}).success).toBe(true);
    expect(ingestStormsJob.payload.safeParse({ lookbackDays: 0 }).success).toBe(false);
    expect(ingestStormsJob.payload.safeParse({ lookbackDays: 3651 }).success).toBe(false);
    expect(ingestStormsJob.payload.safeParse({ lookbackDays: 2.5 }).success).toBe(false);
    const both = ingestStormsJob.payload.safeParse({ file: 'a.csv', url: 'https://example.com/a.csv' });
    expect(both.success).toBe(false);
    expect(!both.success && both.error.issues[0]!.path).toEqual(['file']);
  });

  it('ingests a file given in the payload whole, reporting progress up to 100', async () => {
    const progress: number[] = [];
    const p = ingestStormsJob.payload.parse({ file: path.join(FIX, NEW_GZ) });
    const out = (await ingestStormsJob.handler(p, runOf(progress))) as Record<string, unknown>;
    expect(out).toMatchObject({ inserted: 88, rowErrorCount: 1, eventCount: 88 });
    expect((out.files as Record<string, unknown>[])[0]).not.toHaveProperty('rowErrors');
    expect(progress.at(-1)).toBe(100);
    expect(await q(`SELECT triggered_by FROM scraping_jobs`)).toEqual([{ triggered_by: 'acquisition.ingest-storms storms-test-1' }]);
  });
});
