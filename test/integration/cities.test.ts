import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { ensureUser } from '../../src/modules/auth/auth.service.ts';
import { seedReferenceData } from '../../prisma/seed/index.ts';
import { TARGET_CITIES } from '../../prisma/seed/cities.ts';

/**
 * Cities API on a real database seeded with the 75 target cities: listing and lookup, the one-transaction
 * activation (flag + system event + outbox event), roles, and the seed 002 §6.2 progress read from the rows each
 * stage leaves behind.
 */
let h: TestHarness;
let contractorAuth: { authorization: string };
let opsAuth: { authorization: string };

const get = (url: string, headers = h.adminAuth) => h.app.inject({ method: 'GET', url, headers });
const post = (url: string, payload?: object, headers = h.adminAuth) => h.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await h.ctx.db.pool.query(sql, params)).rows as T[];
const count = async (sql: string, params: unknown[] = []) => Number((await q<{ n: string }>(sql, params))[0]!.n);
const cityId = async (city: string, state: string) => (await q<{ id: string }>('SELECT id FROM target_cities WHERE city = $1 AND state = $2', [city, state]))[0]!.id;
const eventsOf = (id: string) => q<{ event_name: string; event_data: Record<string, unknown> }>(
  `SELECT event_name, event_data FROM system_events WHERE entity_type = 'target_city' AND entity_id = $1 ORDER BY created_at`, [id]);
const outboxOf = (id: string) => q<{ topic: string; payload: Record<string, unknown> }>(`SELECT topic, payload FROM outbox WHERE payload->>'cityId' = $1 ORDER BY id`, [id]);

beforeAll(async () => {
  h = await createHarness();
  await seedReferenceData(h.ctx.db.pool);
  const contractor = await h.ctx.db.prisma.contractor.create({ data: { companyName: 'Roof Co', email: 'roof@co.test', city: 'Austin', state: 'TX' } });
  await ensureUser(h.ctx, { email: 'c@cities.test', password: 'password123', role: 'contractor', contractorId: contractor.id });
  await ensureUser(h.ctx, { email: 'ops@cities.test', password: 'password123', role: 'ops' });
  contractorAuth = await h.login('c@cities.test');
  opsAuth = await h.login('ops@cities.test');
});
afterAll(async () => {
  await h?.close();
});

describe('GET /api/v1/cities', () => {
  it('pages through all 75 cities by priority with a cursor, no repeats', async () => {
    const seen: string[] = [];
    const priorities: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/v1/cities?limit=20${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.items.map((c: { id: string }) => c.id));
      priorities.push(...body.items.map((c: { priority: number }) => c.priority));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(75);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));

    const first = (await get('/api/v1/cities?limit=1')).json();
    expect(first.items[0]).toMatchObject({
      city: 'Austin', state: 'TX', slug: 'austin', url: '/api/v1/cities/TX/austin', tier: 1, priority: 100, population: 978908,
      timeZone: 'America/Chicago', active: false, permitSourceKind: 'socrata', unconfiguredReason: null, assessorSourceKind: null,
      firstScrapedAt: null, lastScrapedAt: null, totalPermitsFound: 0, totalPropertiesProcessed: 0,
    });
  });

  it('filters by state, tier and configured', async () => {
    const tx = (await get('/api/v1/cities?state=tx&limit=200')).json().items;
    expect(tx).toHaveLength(TARGET_CITIES.filter((c) => c.state === 'TX').length);
    expect(tx.every((c: { state: string }) => c.state === 'TX')).toBe(true);

    expect((await get('/api/v1/cities?tier=1&limit=200')).json().items).toHaveLength(15);
    expect((await get('/api/v1/cities?tier=3&state=TX&limit=200')).json().items.map((c: { city: string }) => c.city).sort())
      .toEqual(TARGET_CITIES.filter((c) => c.tier === 3 && c.state === 'TX').map((c) => c.city).sort());

    const configured = (await get('/api/v1/cities?configured=true')).json().items;
    expect(configured.map((c: { city: string; permitSourceKind: string }) => `${c.city}:${c.permitSourceKind}`).sort())
      .toEqual(['Austin:socrata', 'Baton Rouge:socrata', 'Kansas City:socrata', 'Orlando:socrata', 'Raleigh:arcgis']);
    const unconfigured = (await get('/api/v1/cities?configured=false&limit=200')).json().items;
    expect(unconfigured).toHaveLength(70);
    expect(unconfigured.find((c: { city: string }) => c.city === 'Dallas')).toMatchObject({ permitSourceKind: null, unconfiguredReason: expect.stringMatching(/e7gq-4sah/) });
    expect(unconfigured.every((c: { unconfiguredReason: string | null }) => (c.unconfiguredReason ?? '').length > 20)).toBe(true);
  });

  it('rejects a bad filter or cursor with a problem naming it', async () => {
    const bad = await get('/api/v1/cities?tier=4');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'querystring.tier' }] });
    expect((await get('/api/v1/cities?active=yes')).json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'querystring.active' }] });
    expect((await get('/api/v1/cities?cursor=garbage')).json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('GET /api/v1/cities/:state/:city', () => {
  it('finds a city however the URL spells it', async () => {
    const id = await cityId('Fort Worth', 'TX');
    for (const url of ['/api/v1/cities/TX/fort-worth', '/api/v1/cities/tx/Fort%20Worth', '/api/v1/cities/Tx/FORT-WORTH', '/api/v1/cities/TX/fort%20%20worth']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.json().id).toBe(id);
    }
    const stPete = await cityId('St. Petersburg', 'FL');
    for (const url of ['/api/v1/cities/FL/st-petersburg', '/api/v1/cities/fl/St.%20Petersburg']) expect((await get(url)).json().id).toBe(stPete);
    expect((await get('/api/v1/cities/FL/st-petersburg')).json().url).toBe('/api/v1/cities/FL/st-petersburg');
  });

  it('returns the full stored source configuration', async () => {
    const austin = (await get('/api/v1/cities/TX/austin')).json();
    expect(austin).toMatchObject({
      city: 'Austin', countyName: 'Travis', medianHomeValue: 550000, permitSourceError: null, permitConfig: {}, assessorSource: null,
      lastActivatedAt: null, progressUrl: '/api/v1/cities/TX/austin/progress',
      permitSource: { kind: 'socrata', baseUrl: 'https://data.austintexas.gov', datasetId: '3syk-w9eu', dateField: 'issue_date', pageSize: 1000 },
    });
    expect(austin.permitSource.fieldMap).toMatchObject({ permitNumber: 'permit_number', contractorName: 'contractor_company_name', estimatedValue: 'total_job_valuation' });
    const houston = (await get('/api/v1/cities/TX/houston')).json();
    expect(houston).toMatchObject({ permitSource: null, permitSourceKind: null, permitConfig: { unconfigured: expect.stringMatching(/Houston/) } });
  });

  it('masks credentials a source URL carries', async () => {
    const id = await cityId('Tulsa', 'OK');
    await q(`UPDATE target_cities SET permit_source = $2 WHERE id = $1`, [id, JSON.stringify({ kind: 'csv', url: 'https://files.example.com/permits.csv?api_key=s3cret&year=2026', fieldMap: { permitNumber: 'PermitNum' } })]);
    const tulsa = (await get('/api/v1/cities/OK/tulsa')).json();
    expect(tulsa.permitSource.url).toBe('https://files.example.com/permits.csv?api_key=***&year=2026');
    expect(JSON.stringify(tulsa)).not.toContain('s3cret');
    await q(`UPDATE target_cities SET permit_source = NULL WHERE id = $1`, [id]);
  });

  it('answers 404 CITY_NOT_FOUND for an unknown city and 400 for a malformed state', async () => {
    const res = await get('/api/v1/cities/TX/gotham');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'CITY_NOT_FOUND', detail: expect.stringMatching(/gotham/) });
    expect((await get('/api/v1/cities/OK/austin')).json().code).toBe('CITY_NOT_FOUND'); // right name, wrong state
    expect((await get('/api/v1/cities/T1/austin')).json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'params.state' }] });
  });
});

describe('POST /api/v1/cities/:state/:city/activate', () => {
  it('flips active, writes one system event and one outbox event, and answers 202 with the progress URL', async () => {
    const id = await cityId('Austin', 'TX');
    const res = await post('/api/v1/cities/tx/austin/activate');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ alreadyActive: false, days: 90, storms: true, progressUrl: '/api/v1/cities/TX/austin/progress', city: { id, active: true } });
    expect((await q<{ active: boolean }>('SELECT active FROM target_cities WHERE id = $1', [id]))[0]!.active).toBe(true);
    expect(await outboxOf(id)).toEqual([{ topic: 'city.activated', payload: { cityId: id, days: 90, storms: true } }]);
    const events = await eventsOf(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event_name: 'city.activated', event_data: { days: 90, storms: true, reactivation: false } });
    expect(typeof events[0]!.event_data.by).toBe('string');
    expect((await get('/api/v1/cities?active=true')).json().items.map((c: { city: string }) => c.city)).toEqual(['Austin']);
  });

  it('leaves an active city alone (200, no event) unless forced', async () => {
    const id = await cityId('Austin', 'TX');
    const again = await post('/api/v1/cities/TX/austin/activate', { days: 30 });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ alreadyActive: true });
    expect(await outboxOf(id)).toHaveLength(1);
    expect(await eventsOf(id)).toHaveLength(1);

    const forced = await post('/api/v1/cities/TX/austin/activate', { force: true, days: 30, storms: false });
    expect(forced.statusCode).toBe(202);
    expect(await outboxOf(id)).toEqual([
      { topic: 'city.activated', payload: { cityId: id, days: 90, storms: true } },
      { topic: 'city.activated', payload: { cityId: id, days: 30, storms: false } },
    ]);
    expect((await eventsOf(id)).at(-1)).toMatchObject({ event_data: { days: 30, storms: false, reactivation: true } });
  });

  it('validates the body and names the bad field', async () => {
    for (const [payload, path] of [[{ days: 0 }, 'body.days'], [{ days: 366 }, 'body.days'], [{ storms: 'yes' }, 'body.storms']] as const) {
      const res = await post('/api/v1/cities/FL/orlando/activate', payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path }] });
    }
    expect(await outboxOf(await cityId('Orlando', 'FL'))).toEqual([]);
  });

  it('refuses a city without a permit source: 422 CITY_NOT_CONFIGURED with the reason, nothing changed', async () => {
    const id = await cityId('Houston', 'TX');
    const res = await post('/api/v1/cities/TX/houston/activate');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'CITY_NOT_CONFIGURED', detail: expect.stringMatching(/Houston, TX has no permit source: Houston publishes no bulk permit feed/) });
    expect((await q<{ active: boolean }>('SELECT active FROM target_cities WHERE id = $1', [id]))[0]!.active).toBe(false);
    expect(await eventsOf(id)).toEqual([]);
    expect(await outboxOf(id)).toEqual([]);
  });

  it('refuses a stored source that breaks the contract: 422 CITY_SOURCE_INVALID naming the field', async () => {
    const id = await cityId('Raleigh', 'NC');
    const [{ permit_source: good }] = await q<{ permit_source: Record<string, unknown> }>('SELECT permit_source FROM target_cities WHERE id = $1', [id]) as [{ permit_source: Record<string, unknown> }];
    await q('UPDATE target_cities SET permit_source = $2 WHERE id = $1', [id, JSON.stringify({ ...good, layerUrl: 'not a url' })]);
    const res = await post('/api/v1/cities/NC/raleigh/activate');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'CITY_SOURCE_INVALID', detail: expect.stringMatching(/permitSource\.layerUrl/), field: 'permitSource.layerUrl' });
    expect((await get('/api/v1/cities/NC/raleigh')).json().permitSourceError).toMatch(/^permitSource\.layerUrl: /);
    expect(await outboxOf(id)).toEqual([]);
    await q('UPDATE target_cities SET permit_source = $2 WHERE id = $1', [id, JSON.stringify(good)]);
  });

  it('writes nothing when the transaction fails part-way (the outbox insert is made to fail)', async () => {
    const id = await cityId('Baton Rouge', 'LA');
    const eventsBefore = await count('SELECT count(*) AS n FROM system_events');
    await q(`CREATE FUNCTION fail_city_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.topic = 'city.activated' THEN RAISE EXCEPTION 'outbox unavailable'; END IF; RETURN NEW; END $$`);
    await q('CREATE TRIGGER fail_city_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_city_outbox()');
    try {
      const res = await post('/api/v1/cities/LA/baton-rouge/activate');
      expect(res.statusCode).toBe(500);
      expect(res.json().detail ?? '').not.toMatch(/outbox unavailable/); // 5xx messages stay hidden
    } finally {
      await q('DROP TRIGGER fail_city_outbox ON outbox');
      await q('DROP FUNCTION fail_city_outbox()');
    }
    expect((await q<{ active: boolean }>('SELECT active FROM target_cities WHERE id = $1', [id]))[0]!.active).toBe(false);
    expect(await count('SELECT count(*) AS n FROM system_events')).toBe(eventsBefore);
    expect(await outboxOf(id)).toEqual([]);
    // The same request succeeds once the outbox accepts writes again.
    expect((await post('/api/v1/cities/LA/baton-rouge/activate')).statusCode).toBe(202);
    expect(await outboxOf(id)).toHaveLength(1);
  });

  it('lets exactly one of several concurrent activations start the workflow', async () => {
    const id = await cityId('Orlando', 'FL');
    const codes = (await Promise.all(Array.from({ length: 5 }, () => post('/api/v1/cities/FL/orlando/activate')))).map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 200, 200, 200, 202]);
    expect(await outboxOf(id)).toHaveLength(1);
    expect(await eventsOf(id)).toHaveLength(1);
  });
});

describe('POST /api/v1/cities/:state/:city/deactivate', () => {
  it('deactivates once and is idempotent after that', async () => {
    const id = await cityId('Orlando', 'FL');
    const first = await post('/api/v1/cities/FL/orlando/deactivate');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ wasActive: true, city: { id, active: false } });
    const second = await post('/api/v1/cities/FL/orlando/deactivate');
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ wasActive: false, city: { active: false } });
    expect((await eventsOf(id)).map((e) => e.event_name)).toEqual(['city.activated', 'city.deactivated']);
    expect(await outboxOf(id)).toHaveLength(1); // deactivation starts nothing
    expect((await post('/api/v1/cities/TX/gotham/deactivate')).statusCode).toBe(404);
  });
});

describe('roles', () => {
  it('keeps contractors out (403) and lets ops read but not activate', async () => {
    for (const [method, url] of [['GET', '/api/v1/cities'], ['GET', '/api/v1/cities/TX/austin'], ['GET', '/api/v1/cities/TX/austin/progress'],
      ['POST', '/api/v1/cities/TX/dallas/activate'], ['POST', '/api/v1/cities/TX/austin/deactivate']] as const) {
      const res = await h.app.inject({ method, url, headers: contractorAuth });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
      expect((await h.app.inject({ method, url })).statusCode, `anonymous ${method} ${url}`).toBe(401);
    }
    expect((await get('/api/v1/cities', opsAuth)).statusCode).toBe(200);
    expect((await get('/api/v1/cities/TX/austin/progress', opsAuth)).statusCode).toBe(200);
    const ops = await post('/api/v1/cities/MO/kansas-city/activate', undefined, opsAuth);
    expect(ops.statusCode).toBe(403);
    expect((await post('/api/v1/cities/MO/kansas-city/deactivate', undefined, opsAuth)).statusCode).toBe(403);
    expect(await outboxOf(await cityId('Kansas City', 'MO'))).toEqual([]);
  });
});

describe('GET /api/v1/cities/:state/:city/progress', () => {
  const progress = async () => {
    const res = await get('/api/v1/cities/MO/kansas-city/progress');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    return { ...body, by: Object.fromEntries(body.steps.map((s: { step: string }) => [s.step, s])) };
  };

  it('shows every step pending before activation and the outreach steps as not built', async () => {
    const p = await progress();
    expect(p.steps.map((s: { step: string }) => s.step)).toEqual([
      'activate', 'permit_scrape', 'process_permits', 'storm_backfill', 'contractor_discovery', 'contractor_enrichment', 'outreach_campaign', 'launch_outreach',
    ]);
    expect(p.active).toBe(false);
    expect(p.by.activate).toMatchObject({ status: 'pending', detail: 'not active', startedAt: null });
    expect(p.by.permit_scrape).toMatchObject({ status: 'pending', detail: 'starts when the city is activated' });
    expect(p.by.process_permits).toMatchObject({ status: 'pending' });
    for (const s of ['contractor_discovery', 'contractor_enrichment', 'outreach_campaign', 'launch_outreach']) {
      expect(p.by[s]).toMatchObject({ status: 'skipped', detail: 'not built yet (outreach issue)' });
    }
    expect(p.totals).toEqual({ permits: 0, permitsLast30Days: 0, permitsByTrade: [], properties: 0, leads: 0, leadsByStatus: {}, leadsByGrade: {} });
    expect(p.lastError).toBeNull();
  });

  it('follows the scraping_jobs rows, permits, properties and leads of the city', async () => {
    const id = await cityId('Kansas City', 'MO');
    expect((await post('/api/v1/cities/MO/kansas-city/activate', { days: 60 })).statusCode).toBe(202);
    let p = await progress();
    expect(p.by.activate).toMatchObject({ status: 'done', detail: expect.stringMatching(/60 days, storms on/) });
    expect(p.by.activate.completedAt).not.toBeNull();
    expect(p.by.permit_scrape).toMatchObject({ status: 'pending', detail: 'waiting for the activation job' });
    expect(p.by.storm_backfill).toMatchObject({ status: 'pending' });

    // Another city's job and an older storm run (before activation) must not count.
    await q(`INSERT INTO scraping_jobs (job_type, city, state, status, total_items) VALUES ('permits', 'Wichita', 'KS', 'completed', 999)`);
    await q(`INSERT INTO scraping_jobs (job_type, status, created_at) VALUES ('storms', 'completed', now() - interval '1 day')`);
    const [{ id: jobId }] = await q<{ id: string }>(
      `INSERT INTO scraping_jobs (job_type, source, city, state, status, started_at, total_items, succeeded_items)
       VALUES ('permits', 'socrata:ntw8-aacc', 'kansas city', 'MO', 'running', now(), 120, 100) RETURNING id`) as [{ id: string }];
    p = await progress();
    expect(p.by.permit_scrape).toMatchObject({ status: 'running', detail: 'running: 120 received, 100 stored, 0 skipped so far', completedAt: null });
    expect(p.by.storm_backfill.status).toBe('pending');

    await q(`UPDATE scraping_jobs SET status = 'completed', completed_at = now(), total_items = 250, succeeded_items = 240, failed_items = 10 WHERE id = $1`, [jobId]);
    await q(`INSERT INTO scraping_jobs (job_type, source, status, started_at, completed_at, total_items, succeeded_items) VALUES ('storms', 'noaa', 'completed', now(), now(), 5000, 4800)`);
    // Permits: 3 roofing (2 recent), 2 hvac, 1 untraded (by name, no target_city_id), 1 in another city.
    const permit = (n: string, trade: string | null, daysAgo: number, byId = true) => q(
      `INSERT INTO permits (source, permit_number, target_city_id, city, state, trade, issue_date) VALUES ('socrata:ntw8-aacc', $1, $2, 'Kansas City', 'MO', $3, current_date - $4::int)`,
      [n, byId ? id : null, trade, daysAgo]);
    await permit('P1', 'roof', 3); await permit('P2', 'roof', 10); await permit('P3', 'roof', 50);
    await permit('P4', 'hvac', 5); await permit('P5', 'hvac', 40); await permit('P6', null, 1, false);
    await q(`INSERT INTO permits (source, permit_number, city, state, trade, issue_date) VALUES ('x', 'W1', 'Wichita', 'KS', 'roof', current_date)`);
    await q(`INSERT INTO properties (normalized_address, city, state) VALUES ('1 MAIN ST', 'Kansas City', 'MO'), ('2 MAIN ST', 'KANSAS CITY', 'MO'), ('3 MAIN ST', 'Kansas City', 'KS')`);
    const lead = (n: number, status: string, grade: string | null) =>
      q(`INSERT INTO base_leads (trade, address, city, state, status, grade) VALUES ('roof', $1, 'Kansas City', 'MO', $2::lead_status, $3)`, [`${n} Main St`, status, grade]);
    await lead(1, 'available', 'A'); await lead(2, 'available', 'B'); await lead(3, 'sold', 'A'); await lead(4, 'processing', null);

    p = await progress();
    expect(p.by.permit_scrape).toMatchObject({ status: 'done', detail: '250 received, 240 stored, 10 skipped' });
    expect(p.by.permit_scrape.completedAt).not.toBeNull();
    expect(p.by.storm_backfill).toMatchObject({ status: 'done', detail: '5000 received, 4800 stored, 0 skipped' });
    expect(p.by.process_permits).toMatchObject({ status: 'running', detail: '6 permits, 2 properties, 4 leads (1 processing)' });
    expect(p.totals).toEqual({
      permits: 6,
      permitsLast30Days: 4,
      permitsByTrade: [{ trade: 'roof', count: 3 }, { trade: 'hvac', count: 2 }, { trade: 'unclassified', count: 1 }],
      properties: 2,
      leads: 4,
      leadsByStatus: { available: 2, sold: 1, processing: 1 },
      leadsByGrade: { A: 2, B: 1, ungraded: 1 },
    });

    await q(`UPDATE base_leads SET status = 'unqualified' WHERE status = 'processing' AND city = 'Kansas City'`);
    expect((await progress()).by.process_permits.status).toBe('done');
  });

  it('reports failures and the last error, and outreach steps once their data exists', async () => {
    await q(`INSERT INTO scraping_jobs (job_type, city, state, status, started_at, completed_at, error_message)
             VALUES ('permits', 'Kansas City', 'MO', 'failed', now(), now(), 'SOURCE_FAILED: data.kcmo.org answered 503')`);
    await q(`INSERT INTO contractors (company_name, city, state, fit_score) VALUES ('KC Roofing', 'Kansas City', 'MO', 70)`);
    await q(`INSERT INTO outreach_campaigns (name, target_city, target_state, status, started_at) VALUES ('KC launch', 'Kansas City', 'MO', 'active', now())`);
    const p = await progress();
    expect(p.by.permit_scrape).toMatchObject({ status: 'failed', detail: expect.stringMatching(/^failed: SOURCE_FAILED: data.kcmo.org answered 503/) });
    expect(p.lastError).toMatchObject({ jobType: 'permits', message: 'SOURCE_FAILED: data.kcmo.org answered 503' });
    expect(p.by.contractor_discovery).toMatchObject({ status: 'done', detail: '1 contractors in the city' });
    expect(p.by.contractor_enrichment).toMatchObject({ status: 'done' });
    expect(p.by.outreach_campaign).toMatchObject({ status: 'done', detail: '1 campaigns' });
    expect(p.by.launch_outreach).toMatchObject({ status: 'done' });
  });

  it('marks the storm backfill skipped when the activation did not ask for it', async () => {
    await post('/api/v1/cities/TX/austin/activate', { force: true, storms: false });
    const res = (await get('/api/v1/cities/TX/austin/progress')).json();
    expect(res.steps.find((s: { step: string }) => s.step === 'storm_backfill')).toMatchObject({ status: 'skipped', detail: 'not requested at activation' });
    expect((await get('/api/v1/cities/TX/nowhere/progress')).statusCode).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('documents the cities routes', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/v1/cities', '/api/v1/cities/{state}/{city}', '/api/v1/cities/{state}/{city}/activate',
      '/api/v1/cities/{state}/{city}/deactivate', '/api/v1/cities/{state}/{city}/progress',
    ]));
  });
});
