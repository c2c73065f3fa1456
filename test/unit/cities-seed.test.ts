import { describe, expect, it } from 'vitest';
import { EXPECTED_TIER_COUNTS, TARGET_CITIES, citiesWithPermitSource, citySlug, findTargetCity } from '../../prisma/seed/cities.ts';
import { storedSources } from '../../prisma/seed/index.ts';
import { ZAssessorSourceConfig, ZPermitSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';

/** Throws RangeError for a zone the runtime's ICU data does not know. */
const isValidZone = (timeZone: string) => {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
};

/** UTC offset in hours of a zone at an instant, from the runtime's tz database. */
const offsetAt = (timeZone: string, iso: string) => {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(iso))
    .find((p) => p.type === 'timeZoneName')!.value; // "GMT-07:00"
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) + Number(m[3]) / 60) : 0;
};

describe('target cities reference data', () => {
  it('has 75 unique cities in the seed 002 §3.1.1 tier split', () => {
    expect(TARGET_CITIES).toHaveLength(75);
    expect(new Set(TARGET_CITIES.map(citySlug)).size).toBe(75);
    for (const tier of [1, 2, 3] as const) expect(TARGET_CITIES.filter((c) => c.tier === tier)).toHaveLength(EXPECTED_TIER_COUNTS[tier]);
  });

  it('gives every city a valid IANA time zone', () => {
    const bad = TARGET_CITIES.filter((c) => !isValidZone(c.timeZone)).map((c) => `${c.city}: ${c.timeZone}`);
    expect(bad).toEqual([]);
    expect(isValidZone('America/Nowhere')).toBe(false); // the check itself can fail
  });

  it('puts the border cities in the right zone (offsets from the tz database, January and July)', () => {
    const zone = (city: string, state: string) => findTargetCity(city, state)!.timeZone;
    // Arizona: MST all year, no DST.
    for (const c of ['Phoenix', 'Tucson', 'Mesa', 'Scottsdale', 'Chandler']) {
      expect([offsetAt(zone(c, 'AZ'), '2026-01-15T12:00:00Z'), offsetAt(zone(c, 'AZ'), '2026-07-15T12:00:00Z')]).toEqual([-7, -7]);
    }
    // Mountain with DST, although Texas / South Dakota are mostly Central.
    for (const [c, s] of [['El Paso', 'TX'], ['Rapid City', 'SD'], ['Denver', 'CO'], ['Albuquerque', 'NM'], ['Boise', 'ID'], ['Billings', 'MT']] as const) {
      expect([offsetAt(zone(c, s), '2026-01-15T12:00:00Z'), offsetAt(zone(c, s), '2026-07-15T12:00:00Z')]).toEqual([-7, -6]);
    }
    // Central although Florida is mostly Eastern; Eastern although Indiana / Kentucky / Michigan border Central.
    expect(offsetAt(zone('Pensacola', 'FL'), '2026-01-15T12:00:00Z')).toBe(-6);
    for (const [c, s] of [['Indianapolis', 'IN'], ['Louisville', 'KY'], ['Detroit', 'MI'], ['Miami', 'FL']] as const) {
      expect(offsetAt(zone(c, s), '2026-01-15T12:00:00Z')).toBe(-5);
    }
    for (const [c, s] of [['Fargo', 'ND'], ['Bismarck', 'ND'], ['Amarillo', 'TX'], ['Midland', 'TX']] as const) {
      expect(offsetAt(zone(c, s), '2026-01-15T12:00:00Z')).toBe(-6);
    }
  });

  it('every configured permit source passes ZPermitSourceConfig; every other city says why it has none', () => {
    for (const c of TARGET_CITIES) {
      if (c.permitSource) {
        const r = ZPermitSourceConfig.safeParse(c.permitSource);
        expect(r.success, `${c.city}, ${c.state}: ${r.error?.message}`).toBe(true);
        expect(c.permitConfig.unconfigured).toBeUndefined();
      } else {
        expect(c.permitConfig.unconfigured?.length ?? 0, `${c.city} has no source and no reason`).toBeGreaterThan(20);
      }
      if (c.assessorSource) expect(ZAssessorSourceConfig.safeParse(c.assessorSource).success).toBe(true);
    }
    expect(citiesWithPermitSource().map((c) => `${c.city}, ${c.state}`).sort()).toEqual(
      ['Austin, TX', 'Baton Rouge, LA', 'Kansas City, MO', 'Orlando, FL', 'Raleigh, NC'],
    );
  });

  it('stores sources parsed (defaults filled in) and nulls as null; a malformed source names the city and field', () => {
    const austin = storedSources(findTargetCity('austin', 'tx')!);
    expect(JSON.parse(austin.permitSource!)).toMatchObject({ kind: 'socrata', datasetId: '3syk-w9eu', pageSize: 1000 });
    expect(austin.assessorSource).toBeNull();
    const raleigh = JSON.parse(storedSources(findTargetCity('Raleigh', 'NC')!).permitSource!);
    expect(raleigh).toMatchObject({ kind: 'arcgis', dateField: 'issueddate', pageSize: 1000 });
    expect(storedSources(findTargetCity('Houston', 'TX')!).permitSource).toBeNull();

    const broken = { ...findTargetCity('Austin', 'TX')!, permitSource: { kind: 'socrata', baseUrl: 'https://x.example', datasetId: 'not-an-id', dateField: 'd', fieldMap: { permitNumber: 'n' } } as const };
    expect(() => storedSources(broken)).toThrow(/^Austin, TX: permitSource\.datasetId: must be a Socrata 4x4 id/);
  });
});
