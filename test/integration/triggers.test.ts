import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { detectTriggers, expireTriggers, type DetectProgress } from '../../src/modules/triggers/triggers.service.ts';
import { rescoreLeads } from '../../src/modules/scoring/batch-engine.ts';
import { decodeExplanation } from '../../src/modules/scoring/score-inputs.ts';
import { roofAgeOf, roofAgeSql } from '../../src/modules/scoring/roof-age.ts';
import {
  hailStrength,
  neighborPermitsStrength,
  roofAgeStrength,
  saleStrength,
  weatherStrength,
  windMph,
  neighborPermitsStrengthSql,
  roofAgeStrengthSql,
  saleStrengthSql,
  weatherStrengthSql,
} from '../../src/modules/triggers/triggers.rules.ts';

/**
 * Trigger detection on real PostGIS with hand-placed data whose answer is known. Points are placed with
 * ST_Project (geodesic, on the spheroid ST_DWithin also uses) at exact distances from a centre O in Austin:
 *   P1 (property at O, lead L1 from roofing permit X at P1 mentioning "insurance claim # CLM-20931"),
 *   L3 (a lead without property, also at O), P2/L2 (a property 60 km away, stale neighbor counts, no triggers).
 * Dates are relative to asOf = today 12:00 UTC (d = today's date), so the scorer — which compares expiry with
 * the real now() — sees the triggers live.
 */
let h: TestHarness;
const O = { lat: 30.2672, lng: -97.7431 };
const MILE = 1609.344;
const DAY = 86_400_000;

const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
const asOf = new Date(today.getTime() + 12 * 3600_000);
const dayMinus = (n: number) => new Date(today.getTime() - n * DAY).toISOString().slice(0, 10);
const atMinus = (days: number, hours = 0) => new Date(asOf.getTime() - days * DAY + hours * 3600_000);
const plusDays = (t: Date | string, n: number) => new Date(new Date(t).getTime() + n * DAY).toISOString();
const midnight = (d: string) => `${d}T00:00:00.000Z`;
const year = asOf.getUTCFullYear();

const ids = { P1: randomUUID(), P2: randomUUID(), L1: randomUUID(), L2: randomUUID(), L3: randomUUID(), X: randomUUID(), oldRoof: randomUUID() };
const storms = { hail175: randomUUID(), hail250far: randomUUID(), hail275old: randomUUID(), wind60: randomUUID(), wind61: randomUUID(), windKt: randomUUID(), ef2: randomUUID(), hailWide: randomUUID() };

async function q<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await h.ctx.db.pool.query<T>(sql, params)).rows;
}

/** The point `miles` from O at bearing `azimuth` degrees (geodesic). */
async function place(miles: number, azimuth: number): Promise<{ lat: number; lng: number }> {
  const [r] = await q<{ lat: number; lng: number }>(
    `SELECT ST_Y(p::geometry) AS lat, ST_X(p::geometry) AS lng
       FROM (SELECT ST_Project(ST_MakePoint($1, $2)::geography, $3, radians($4)) AS p) x`,
    [O.lng, O.lat, miles * MILE, azimuth],
  );
  return r!;
}

let permitSeq = 0;
async function permit(o: { miles: number; azimuth: number; date: string; trade?: string; propertyId?: string; id?: string; text?: string }) {
  const p = o.miles === 0 ? O : await place(o.miles, o.azimuth);
  await q(
    `INSERT INTO permits (id, source, permit_number, property_id, city, state, lat, lng, trade, permit_type, work_description, issue_date, estimated_value)
     VALUES ($1, 'test', $2, $3, 'Austin', 'TX', $4, $5, $6, $7, $8, $9, 14000)`,
    [o.id ?? randomUUID(), `T-${++permitSeq}`, o.propertyId ?? null, p.lat, p.lng, o.trade ?? 'roof', o.trade === 'hvac' ? 'Mechanical' : 'Residential Re-Roof',
      o.text ?? 'Tear off and replace shingles', o.date],
  );
}

async function storm(id: string, o: { type: string; miles: number; azimuth: number; at: Date; hail?: number; mph?: number; knots?: number; rating?: string; radius?: number }) {
  const p = await place(o.miles, o.azimuth);
  await q(
    `INSERT INTO weather_events (id, event_type, begin_at, event_date, city, state, lat, lng, hail_size_inches, wind_speed_mph, wind_speed_knots, tornado_rating, radius_miles, source)
     VALUES ($1, $2, $3, ($3::timestamptz AT TIME ZONE 'UTC')::date, 'Austin', 'TX', $4, $5, $6, $7, $8, $9, $10, 'NOAA')`,
    [id, o.type, o.at.toISOString(), p.lat, p.lng, o.hail ?? null, o.mph ?? null, o.knots ?? null, o.rating ?? null, o.radius ?? null],
  );
}

type TriggerRow = {
  lead: string;
  trigger_type: string;
  source_key: string;
  trigger_date: string;
  trigger_strength: number;
  trigger_details: Record<string, unknown>;
  active: boolean;
  expires_at: string | null;
  expired_at: string | null;
  xmin: string;
};
async function triggers(): Promise<TriggerRow[]> {
  return q<TriggerRow>(
    `SELECT CASE base_lead_id WHEN $1 THEN 'L1' WHEN $2 THEN 'L2' WHEN $3 THEN 'L3' END AS lead, trigger_type, source_key,
            to_char(trigger_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"') AS trigger_date, trigger_strength, trigger_details, active,
            to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"') AS expires_at,
            to_char(expired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"') AS expired_at, xmin::text AS xmin
       FROM lead_triggers ORDER BY 1, 2, 3`,
    [ids.L1, ids.L2, ids.L3],
  );
}
const find = (rows: TriggerRow[], lead: string, type: string, key: string) => {
  const r = rows.find((x) => x.lead === lead && x.trigger_type === type && x.source_key === key);
  if (!r) throw new Error(`no ${type}/${key} trigger for ${lead}: ${JSON.stringify(rows.map((x) => [x.lead, x.trigger_type, x.source_key]))}`);
  return r;
};
const iso = (d: Date) => d.toISOString();

beforeAll(async () => {
  h = await createHarness();
  const far = await place(37.3, 90); // ~60 km east: nothing reaches it
  await q(
    `INSERT INTO properties (id, normalized_address, address, city, state, lat, lng, year_built, last_sale_date, last_sale_price)
     VALUES ($1, '100 OAK ST', '100 Oak St', 'Austin', 'TX', $2, $3, 1990, $4, 410000)`,
    [ids.P1, O.lat, O.lng, dayMinus(90)],
  );
  await q(
    `INSERT INTO properties (id, normalized_address, address, city, state, lat, lng, year_built, neighbor_permits_30d, neighbor_permits_60d, neighbor_permits_90d)
     VALUES ($1, '9 FAR RD', '9 Far Rd', 'Austin', 'TX', $2, $3, ${year - 16}, 3, 3, 3)`,
    [ids.P2, far.lat, far.lng],
  );
  // L1's own permit X (roofing, at P1, 5 days ago): not a neighbor of P1, not evidence of a replaced roof for
  // L1 (it is the job the lead is about), but an insurance claim with a claim number.
  await permit({ id: ids.X, miles: 0, azimuth: 0, date: dayMinus(5), propertyId: ids.P1, text: 'Re-roof after hail, insurance claim # CLM-20931' });
  // The roof was last replaced 26 years ago.
  await permit({ id: ids.oldRoof, miles: 0, azimuth: 0, date: `${year - 26}-05-01`, propertyId: ids.P1 });
  // Five roofing permits at 0.2 mi within the last 30 days …
  for (const [i, n] of [1, 3, 5, 10, 20].entries()) await permit({ miles: 0.2, azimuth: i * 72, date: dayMinus(n) });
  // … one exactly 30 days old (60-day window only), 45 and 75 days old, one 95 days old (none), one at 0.3 mi
  // (too far), and an HVAC permit at 0.1 mi (not roofing).
  await permit({ miles: 0.2, azimuth: 30, date: dayMinus(30) });
  await permit({ miles: 0.2, azimuth: 100, date: dayMinus(45) });
  await permit({ miles: 0.2, azimuth: 200, date: dayMinus(75) });
  await permit({ miles: 0.2, azimuth: 300, date: dayMinus(95) });
  await permit({ miles: 0.3, azimuth: 10, date: dayMinus(2) });
  await permit({ miles: 0.1, azimuth: 50, date: dayMinus(2), trade: 'hvac' });

  await storm(storms.hail175, { type: 'hail', miles: 4.9, azimuth: 45, at: atMinus(36), hail: 1.75 });
  await storm(storms.hail250far, { type: 'hail', miles: 5.1, azimuth: 135, at: atMinus(34), hail: 2.5 });
  await storm(storms.hail275old, { type: 'hail', miles: 3, azimuth: 180, at: atMinus(95), hail: 2.75 });
  await storm(storms.wind60, { type: 'wind', miles: 1, azimuth: 0, at: atMinus(14), mph: 60 });
  await storm(storms.wind61, { type: 'wind', miles: 2, azimuth: 90, at: atMinus(13), mph: 61 });
  await storm(storms.windKt, { type: 'wind', miles: 3, azimuth: 270, at: atMinus(20), knots: 55 }); // 63.29 mph
  await storm(storms.ef2, { type: 'tornado', miles: 2, azimuth: 220, at: atMinus(56), rating: 'EF2' });
  await storm(storms.hailWide, { type: 'hail', miles: 8, azimuth: 10, at: atMinus(10), hail: 1.0, radius: 10 });

  await q(
    `INSERT INTO base_leads (id, trade, address, city, state, zip, lat, lng, property_id, permit_id, year_built, property_value, status)
     VALUES ($1, 'roof', '100 Oak St', 'Austin', 'TX', '78701', $4, $5, $2, $3, 1990, 410000, 'scored'),
            ($6, 'roof', '9 Far Rd', 'Austin', 'TX', '78702', $7, $8, $9, NULL, ${year - 16}, 300000, 'scored'),
            ($10, 'roof', '100 Oak St Unit B', 'Austin', 'TX', '78701', $4, $5, NULL, NULL, 1995, 380000, 'scored')`,
    [ids.L1, ids.P1, ids.X, O.lat, O.lng, ids.L2, far.lat, far.lng, ids.P2, ids.L3],
  );
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('detectTriggers on hand-placed data', () => {
  let first: Awaited<ReturnType<typeof detectTriggers>>;
  const progress: DetectProgress[] = [];

  it('stores 30/60/90-day neighbor counts on properties (0.25 mi, roofing only, own permit excluded, stale counts zeroed)', async () => {
    first = await detectTriggers(h.ctx, { asOf }, (p) => void progress.push(p));
    const rows = await q<{ id: string; c30: number; c60: number; c90: number }>(
      `SELECT id, neighbor_permits_30d AS c30, neighbor_permits_60d AS c60, neighbor_permits_90d AS c90 FROM properties ORDER BY year_built`,
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id, [r.c30, r.c60, r.c90]]));
    expect(byId[ids.P1]).toEqual([5, 7, 8]);
    expect(byId[ids.P2]).toEqual([0, 0, 0]);
    expect(first.leads).toBe(3);
    expect(first.propertiesUpdated).toBe(2);
    expect([...new Set(progress.map((p) => p.phase))]).toEqual(['changed', 'leads', 'neighbors', 'weather', 'rows', 'upsert', 'done']);
    expect(progress.at(-1)!.pct).toBe(100);
  });

  it('writes exactly the expected triggers, strengths and expiry dates', async () => {
    const rows = await triggers();
    expect(rows.map((r) => `${r.lead} ${r.trigger_type} ${r.source_key} ${r.trigger_strength}`)).toEqual([
      `L1 insurance_claim ${ids.X} 100`,
      'L1 neighbor_permits roof:0.25mi 70',
      'L1 property_sale  55',
      'L1 roof_age  55',
      'L1 weather_event hail 89',
      'L1 weather_event tornado 88',
      'L1 weather_event wind 81',
      'L3 neighbor_permits roof:0.25mi 75',
      'L3 roof_age  61',
      'L3 weather_event hail 89',
      'L3 weather_event tornado 88',
      'L3 weather_event wind 81',
    ]);
    expect(rows.every((r) => r.active && r.expired_at === null)).toBe(true);

    // Neighbor permits: 5 in 30 days → 70 (L3 also counts permit X, 6 → 75); expires 90 days after the newest (d−1).
    const nb = find(rows, 'L1', 'neighbor_permits', 'roof:0.25mi');
    expect(nb.trigger_details).toEqual({ count: 5, radius_miles: 0.25, window_days: 30, trade: 'roof', newest_permit_date: dayMinus(1), avg_value: 14000 });
    expect(nb.trigger_date).toBe(midnight(dayMinus(1)));
    expect(nb.expires_at).toBe(plusDays(midnight(dayMinus(1)), 90));
    expect(find(rows, 'L3', 'neighbor_permits', 'roof:0.25mi').trigger_details.count).toBe(6);

    // Hail: the 1.75" stone at 4.9 mi (89) is the strongest hit; 2.5" at 5.1 mi and 2.75" 95 days ago are not
    // hits; the 1.0" storm 8 mi away reaches O through its own 10-mile radius and is the latest (10 days ago).
    const hail = find(rows, 'L1', 'weather_event', 'hail');
    expect(hail.trigger_details).toMatchObject({ event_type: 'hail', event_id: storms.hail175, hail_size_inches: 1.75, distance_miles: 4.9, radius_miles: 5, events: 2 });
    expect(hail.trigger_date).toBe(iso(atMinus(10)));
    expect(hail.expires_at).toBe(plusDays(atMinus(10), 180));

    // Wind: 60 mph is not over 60; 61 mph (80) and 55 kt = 63.29 mph (81) are; the strongest wins, the latest dates it.
    const wind = find(rows, 'L1', 'weather_event', 'wind');
    expect(wind.trigger_details).toMatchObject({ event_type: 'wind', event_id: storms.windKt, wind_speed_mph: 63.3, events: 2 });
    expect(wind.trigger_date).toBe(iso(atMinus(13)));
    expect(wind.expires_at).toBe(plusDays(atMinus(13), 180));

    const ef2 = find(rows, 'L1', 'weather_event', 'tornado');
    expect(ef2.trigger_details).toMatchObject({ event_type: 'tornado', tornado_rating: 'EF2', distance_miles: 2, events: 1 });
    expect(ef2.expires_at).toBe(plusDays(atMinus(56), 180));

    // Roof age: L1's roof was replaced 26 years ago (→ 55); L3 has only year_built 1995.
    const roof = find(rows, 'L1', 'roof_age', '');
    expect(roof.trigger_details).toEqual({ age_years: 26, basis: 'roof_permit', since_year: year - 26 });
    expect(roof.expires_at).toBeNull();
    expect(find(rows, 'L3', 'roof_age', '').trigger_details).toEqual({ age_years: year - 1995, basis: 'year_built', since_year: 1995 });
    expect(find(rows, 'L3', 'roof_age', '').trigger_strength).toBe(roofAgeStrength(year - 1995));

    // Sale 90 days ago → 60 − 90·20/365 = 55.07 → 55, expires a year after the sale.
    const sale = find(rows, 'L1', 'property_sale', '');
    expect(sale.trigger_details).toEqual({ sale_date: dayMinus(90), sale_price: 410000 });
    expect(sale.expires_at).toBe(plusDays(midnight(dayMinus(90)), 365));

    // Insurance: permit X states a claim number → 100; expires 365 days after the permit.
    const claim = find(rows, 'L1', 'insurance_claim', ids.X);
    expect(claim.trigger_details).toMatchObject({ permit_id: ids.X, claim_number: 'claim # CLM-20931', permit_date: dayMinus(5) });
    expect(claim.expires_at).toBe(plusDays(midnight(dayMinus(5)), 365));

    expect(first.byType).toEqual({ weather_event: 6, neighbor_permits: 2, roof_age: 2, property_sale: 1, insurance_claim: 1 });
    expect(first.leadsWithTriggers).toBe(2);
    expect(first.inserted).toBe(12);
    expect(first.storms).toBe(6); // in the window and triggers: 1.75", 2.5" far, 61 mph, 55 kt, EF2, 1.0" wide
  });

  it('a re-run changes nothing: no row rewritten, no lead stamped for rescoring', async () => {
    const before = await triggers();
    const leadsBefore = await q(`SELECT id, inputs_changed_at::text AS t, xmin::text AS x FROM base_leads ORDER BY id`);
    const propsBefore = await q(`SELECT id, xmin::text AS x, updated_at::text AS u FROM properties ORDER BY id`);
    // A full re-run (an incremental one re-derives nothing here: triggers-incremental.test.ts).
    const again = await detectTriggers(h.ctx, { asOf, full: true });
    expect(again.inserted).toBe(0);
    expect(again.updated).toBe(0);
    expect(again.propertiesUpdated).toBe(0);
    expect(again.byType).toEqual(first.byType);
    expect(await triggers()).toEqual(before);
    expect(await q(`SELECT id, inputs_changed_at::text AS t, xmin::text AS x FROM base_leads ORDER BY id`)).toEqual(leadsBefore);
    expect(await q(`SELECT id, xmin::text AS x, updated_at::text AS u FROM properties ORDER BY id`)).toEqual(propsBefore);
  });

  it('a change rewrites only the affected rows and stamps only that lead', async () => {
    const before = await triggers();
    const [l3Before] = await q<{ t: string }>(`SELECT inputs_changed_at::text AS t FROM base_leads WHERE id = $1`, [ids.L3]);
    // A stronger hail storm 1 mile from O, yesterday: both leads' hail rows move to it; L3 gets a new weather signal.
    await storm(randomUUID(), { type: 'hail', miles: 1, azimuth: 0, at: atMinus(1), hail: 2.75 });
    const r = await detectTriggers(h.ctx, { asOf, leadIds: [ids.L3] });
    expect(r.leads).toBe(1);
    expect(r.updated).toBe(1);
    expect(r.inserted).toBe(0);
    const after = await triggers();
    const changed = after.filter((a) => before.find((b) => b.lead === a.lead && b.trigger_type === a.trigger_type && b.source_key === a.source_key)?.xmin !== a.xmin);
    expect(changed.map((c) => `${c.lead} ${c.source_key} ${c.trigger_strength}`)).toEqual(['L3 hail 100']);
    const [l3After] = await q<{ t: string }>(`SELECT inputs_changed_at::text AS t FROM base_leads WHERE id = $1`, [ids.L3]);
    expect(l3After!.t).not.toBe(l3Before!.t);
  });

  it('an update stamps the lead only when it changes what the scoring engine reads of a trigger', async () => {
    const stamp = async () => (await q<{ t: string }>(`SELECT inputs_changed_at::text AS t FROM base_leads WHERE id = $1`, [ids.L1]))[0]!.t;
    const original = await q<{ id: string; d: unknown }>(`SELECT id, trigger_details AS d FROM lead_triggers WHERE base_lead_id = $1`, [ids.L1]);
    const t0 = await stamp();
    // Bookkeeping only (distance, storm count): no rescore signal.
    await q(`UPDATE lead_triggers SET trigger_details = trigger_details || '{"distance_miles": 9.99, "events": 42}' WHERE base_lead_id = $1 AND trigger_type = 'weather_event'`, [ids.L1]);
    expect(await stamp()).toBe(t0);
    // The storm kind the engine maps to a factor: a signal.
    await q(`UPDATE lead_triggers SET trigger_details = trigger_details || '{"event_type": "wind"}' WHERE base_lead_id = $1 AND trigger_type = 'weather_event' AND source_key = 'hail'`, [ids.L1]);
    const t1 = await stamp();
    expect(t1).not.toBe(t0);
    // Back to the stored rows (for the tests that follow): event_type returns to hail, a signal again.
    for (const r of original) await q(`UPDATE lead_triggers SET trigger_details = $2::jsonb WHERE id = $1`, [r.id, JSON.stringify(r.d)]);
    expect(await stamp()).not.toBe(t1);
  });

  it('expiry flips active when expires_at passes, and only then', async () => {
    const nbExpiry = plusDays(midnight(dayMinus(1)), 90);
    const justBefore = await expireTriggers(h.ctx, new Date(new Date(nbExpiry).getTime() - 1000));
    expect(justBefore.expired).toBe(0);
    const [lead] = await q<{ t: string }>(`SELECT inputs_changed_at::text AS t FROM base_leads WHERE id = $1`, [ids.L1]);
    const r = await expireTriggers(h.ctx, new Date(nbExpiry));
    expect(r).toEqual({ expired: 2, byType: { neighbor_permits: 2 } });
    const rows = await triggers();
    for (const l of ['L1', 'L3']) {
      const nb = find(rows, l, 'neighbor_permits', 'roof:0.25mi');
      expect(nb.active).toBe(false);
      expect(nb.expired_at).toBe(nbExpiry);
    }
    expect(rows.filter((x) => x.trigger_type !== 'neighbor_permits').every((x) => x.active)).toBe(true);
    const [leadAfter] = await q<{ t: string }>(`SELECT inputs_changed_at::text AS t FROM base_leads WHERE id = $1`, [ids.L1]);
    expect(leadAfter!.t).not.toBe(lead!.t);
    // Detecting again at the original asOf revives both (their evidence is still inside the window then), and
    // moves L1's hail row to yesterday's 2.75" storm, which the L3-only run above did not look at for L1.
    const again = await detectTriggers(h.ctx, { asOf });
    expect(again.updated).toBe(3);
    expect(find(await triggers(), 'L1', 'neighbor_permits', 'roof:0.25mi').active).toBe(true);
  });

  it('withdraws a roof-age trigger when a newer roof permit appears', async () => {
    await permit({ miles: 0, azimuth: 0, date: `${year - 3}-03-01`, propertyId: ids.P1, text: 'Full re-roof' });
    const r = await detectTriggers(h.ctx, { asOf, leadIds: [ids.L1] });
    expect(r.withdrawn).toBe(1);
    const roof = find(await triggers(), 'L1', 'roof_age', '');
    expect(roof.active).toBe(false);
    expect(roof.expired_at).toBe(iso(asOf));
  });

  it('rejects an invalid asOf by name and changes nothing', async () => {
    const before = await triggers();
    await expect(detectTriggers(h.ctx, { asOf: new Date('not a date') })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('asOf') });
    expect(await triggers()).toEqual(before);
  });

  it('the scoring engine scores the detected triggers', async () => {
    await rescoreLeads(h.ctx, { force: true, filter: { ids: [ids.L1, ids.L2, ids.L3] }, by: 'test' });
    const ex = await q<{ lead_id: string; factors: unknown }>(`SELECT lead_id, factors FROM score_explanations`);
    const factor = (id: string) => decodeExplanation(ex.find((e) => e.lead_id === id)!.factors)!;
    // L1: hail 15 + wind 10 + neighbor permits 10 + insurance claim 15, capped at 25 (seed 002 §3.5.1 factor 3).
    expect(factor(ids.L1).inputs.triggers).toEqual(['hail', 'wind', 'neighbor_permits', 'insurance_claim']);
    expect(factor(ids.L1).points[2]).toBe(25);
    expect(factor(ids.L2).inputs.triggers).toEqual([]);
    expect(factor(ids.L2).points[2]).toBe(0);
  });
});

describe('the SQL strength formulas equal the TS rules', () => {
  it('over the whole input range', async () => {
    const hail = Array.from({ length: 500 }, (_, i) => Math.round(i + 1) / 100);
    const mph = Array.from({ length: 200 }, (_, i) => i);
    const ratings = ['EF0', 'EF1', 'EF2', 'EF3', 'EF4', 'EF5', 'F0', 'F3', 'EFU', 'ef-2', null];
    const events: [string, number | null, number | null, number | null, string | null][] = [
      ...hail.map((s) => ['hail', s, null, null, null] as [string, number, null, null, null]),
      ['hail', null, null, null, null],
      ...mph.flatMap((m) => [['wind', null, m, null, null], ['wind', null, null, m, null], ['hurricane', null, m, null, null]] as [string, null, number | null, number | null, null][]),
      ['hurricane', null, null, null, null],
      ...ratings.map((r) => ['tornado', null, null, null, r] as [string, null, null, null, string | null]),
      ['other', null, 90, null, null],
    ];
    const sql = await q<{ s: number | null }>(
      `SELECT ${weatherStrengthSql('w')} AS s
         FROM ROWS FROM (unnest($1::text[]), unnest($2::numeric(3,2)[]), unnest($3::int[]), unnest($4::numeric(6,2)[]), unnest($5::text[]))
              AS w(event_type, hail_size_inches, wind_speed_mph, wind_speed_knots, tornado_rating)`,
      [events.map((e) => e[0]), events.map((e) => e[1]), events.map((e) => e[2]), events.map((e) => e[3]), events.map((e) => e[4])],
    );
    const ts = events.map(([kind, hailSize, m, kt, rating]) => weatherStrength({ kind, hailSizeInches: hailSize, windMph: windMph(m, kt), tornadoRating: rating }));
    expect(sql.map((r) => r.s)).toEqual(ts);
    expect(hailStrength(1.75)).toBe(89);

    const n = Array.from({ length: 500 }, (_, i) => i - 10);
    const [o] = await q<{ nb: number[]; roof: number[]; sale: number[] }>(
      `SELECT array_agg(${neighborPermitsStrengthSql('x')} ORDER BY x) AS nb, array_agg(${roofAgeStrengthSql('x')} ORDER BY x) AS roof,
              array_agg(${saleStrengthSql('x')} ORDER BY x) AS sale FROM unnest($1::int[]) x`,
      [n],
    );
    const inRange = <T,>(xs: number[], f: (x: number) => T | null, vals: number[]) => xs.map((x, i) => [f(x), vals[i]]).filter(([v]) => v !== null);
    for (const [ts1, sql1] of inRange(n, neighborPermitsStrength, o!.nb)) expect(sql1).toBe(ts1);
    for (const [ts1, sql1] of inRange(n, roofAgeStrength, o!.roof)) expect(sql1).toBe(ts1);
    for (const [ts1, sql1] of inRange(n, saleStrength, o!.sale)) expect(sql1).toBe(ts1);
  });
});

describe('roof age: the SQL twin equals roofAgeOf (factor 2 and the trigger read one definition)', () => {
  it('over permits, analyses and build years around the current year', async () => {
    const years = [null, 1950, 1999, 2025, 2026, 2027];
    const ages = [null, -1, 0, 3, 40];
    const cases: [number | null, number | null, number | null][] = [];
    for (const p of years) for (const a of ages) for (const b of years) cases.push([p, a, b]);
    const age = roofAgeSql('x.permit_date', 'x.analysis_age', 'x.year_built', '2026');
    const sql = await q<{ years: number | null; basis: string | null }>(
      `SELECT ${age.years} AS years, ${age.basis} AS basis
         FROM ROWS FROM (unnest($1::date[]), unnest($2::int[]), unnest($3::int[])) AS x(permit_date, analysis_age, year_built)`,
      [cases.map(([p]) => (p === null ? null : `${p}-06-15`)), cases.map(([, a]) => a), cases.map(([, , b]) => b)],
    );
    const ts = cases.map(([p, a, b]) => roofAgeOf({ lastRoofPermitYear: p, analysisAge: a, yearBuilt: b }, 2026));
    expect(sql.map((r) => (r.years === null ? null : { years: r.years, basis: r.basis }))).toEqual(ts);
  });
});
