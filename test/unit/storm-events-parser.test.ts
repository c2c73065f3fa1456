import { describe, expect, it } from 'vitest';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { AppError } from '../../src/platform/errors.ts';
import {
  STORM_DETAIL_COLUMNS,
  knotsToMph,
  localFromParts,
  localToUtc,
  mapEventType,
  newestRevisionPerYear,
  parseDamage,
  parseDetailsFileName,
  parseNoaaDateTime,
  parseStormFile,
  parseStormRow,
  parseTornadoScale,
  resolveZoneOffset,
  severityOf,
  stateCode,
  titleCase,
  tornadoRadiusMiles,
  type NormalizedStormEvent,
  type ParsedStormRow,
  type StormRecord,
} from '../../src/modules/acquisition/storm-events.parser.ts';

/** Every expected value below is worked out by hand from the NOAA row, not by running the parser. */

/** A details record: every column empty unless given. */
function rec(fields: Partial<Record<(typeof STORM_DETAIL_COLUMNS)[number], string>>): StormRecord {
  return Object.fromEntries(STORM_DETAIL_COLUMNS.map((c) => [c, fields[c] ?? ''])) as StormRecord;
}

const HAIL = rec({
  BEGIN_YEARMONTH: '202405', BEGIN_DAY: '22', BEGIN_TIME: '1605', END_YEARMONTH: '202405', END_DAY: '22', END_TIME: '1605',
  EPISODE_ID: '190401', EVENT_ID: '1180101', STATE: 'TEXAS', STATE_FIPS: '48', YEAR: '2024', MONTH_NAME: 'May', EVENT_TYPE: 'Hail',
  CZ_TYPE: 'C', CZ_FIPS: '491', CZ_NAME: 'WILLIAMSON', WFO: 'EWX', BEGIN_DATE_TIME: '22-MAY-24 16:05:00', CZ_TIMEZONE: 'CST-6',
  END_DATE_TIME: '22-MAY-24 16:05:00', DAMAGE_PROPERTY: '25.00K', DAMAGE_CROPS: '0.00K', SOURCE: 'Trained Spotter', MAGNITUDE: '1.75',
  BEGIN_RANGE: '2', BEGIN_AZIMUTH: 'SW', BEGIN_LOCATION: 'GEORGETOWN', BEGIN_LAT: '30.6123', BEGIN_LON: '-97.7011',
  END_LAT: '30.6123', END_LON: '-97.7011', EVENT_NARRATIVE: 'Golf ball size hail, "denting" cars.', DATA_SOURCE: 'CSV',
});

function ok(record: StormRecord, row = 2): { event: NormalizedStormEvent; warnings: string[] } {
  const r = parseStormRow(record, row);
  if (!r.ok) throw new Error(`expected an event, got: ${r.error.message}`);
  return r;
}

describe('CZ_TIMEZONE → UTC offset', () => {
  it('takes the number of modern zones as authoritative', () => {
    expect(resolveZoneOffset('CST-6', 'TX')).toEqual({ offsetHours: -6 });
    expect(resolveZoneOffset('EST-5', 'FL')).toEqual({ offsetHours: -5 });
    expect(resolveZoneOffset('MST-7', 'CO')).toEqual({ offsetHours: -7 });
    expect(resolveZoneOffset('PST-8', 'CA')).toEqual({ offsetHours: -8 });
    expect(resolveZoneOffset('AKST-9', 'AK')).toEqual({ offsetHours: -9 });
    expect(resolveZoneOffset('HST-10', 'HI')).toEqual({ offsetHours: -10 });
    expect(resolveZoneOffset('AST-4', 'PR')).toEqual({ offsetHours: -4 });
    expect(resolveZoneOffset('SST-11', 'AS')).toEqual({ offsetHours: -11 });
    expect(resolveZoneOffset('GST10', 'GU')).toEqual({ offsetHours: 10 });
  });

  it('maps bare standard and daylight abbreviations of old rows', () => {
    expect(resolveZoneOffset('CST', 'TX')).toEqual({ offsetHours: -6 });
    expect(resolveZoneOffset('CDT', 'TX')).toEqual({ offsetHours: -5 });
    expect(resolveZoneOffset('MDT', 'CO')).toEqual({ offsetHours: -6 });
    expect(resolveZoneOffset('EDT', 'FL')).toEqual({ offsetHours: -4 });
    expect(resolveZoneOffset('PDT', 'CA')).toEqual({ offsetHours: -7 });
    expect(resolveZoneOffset('AKST', 'AK')).toEqual({ offsetHours: -9 });
    expect(resolveZoneOffset('HST', 'HI')).toEqual({ offsetHours: -10 });
    expect(resolveZoneOffset('AST', 'PR')).toEqual({ offsetHours: -4 });
    expect(resolveZoneOffset('SST', 'AS')).toEqual({ offsetHours: -11 });
    expect(resolveZoneOffset('GST', 'GU')).toEqual({ offsetHours: 10 });
    expect(resolveZoneOffset('GMT', 'TX')).toEqual({ offsetHours: 0 });
  });

  it('repairs historic misspellings and case', () => {
    expect(resolveZoneOffset('CSC', 'TX')).toEqual({ offsetHours: -6 });
    expect(resolveZoneOffset('SCT', 'TX')).toEqual({ offsetHours: -6 });
    expect(resolveZoneOffset('ESt', 'FL')).toEqual({ offsetHours: -5 });
    expect(resolveZoneOffset('CSt', 'LA')).toEqual({ offsetHours: -6 });
    expect(resolveZoneOffset(' cst-6 ', 'TX')).toEqual({ offsetHours: -6 });
  });

  it("falls back to the state's usual standard offset with a warning", () => {
    const unk = resolveZoneOffset('UNK', 'LA');
    expect(unk?.offsetHours).toBe(-6);
    expect(unk?.warning).toBe('unknown CZ_TIMEZONE "UNK": used LA\'s standard offset UTC-6');
    const odd = resolveZoneOffset('XYZ', 'CO');
    expect(odd?.offsetHours).toBe(-7);
    expect(odd?.warning).toContain('unrecognised CZ_TIMEZONE "XYZ"');
    expect(resolveZoneOffset('', 'GU')?.offsetHours).toBe(10);
    expect(resolveZoneOffset('UNK', null)).toBeNull();
  });
});

describe('NOAA date-times', () => {
  it('reads DD-MON-YY HH:MM:SS with the century from the YYYYMM column', () => {
    expect(parseNoaaDateTime('01-APR-24 14:35:00', '202404')).toEqual({ year: 2024, month: 4, day: 1, hour: 14, minute: 35, second: 0 });
    expect(parseNoaaDateTime('15-JUN-96 03:05:00', '199606')).toEqual({ year: 1996, month: 6, day: 15, hour: 3, minute: 5, second: 0 });
    // 1950s data: without the column the pivot would say 2050.
    expect(parseNoaaDateTime('28-MAY-50 18:00:00', '195005')?.year).toBe(1950);
    expect(parseNoaaDateTime('28-MAY-50 18:00:00')?.year).toBe(1950);
    expect(parseNoaaDateTime('28-MAY-24 18:00:00')?.year).toBe(2024);
    expect(parseNoaaDateTime('01-apr-2024 14:35', '')).toEqual({ year: 2024, month: 4, day: 1, hour: 14, minute: 35, second: 0 });
  });

  it('rejects times that cannot exist', () => {
    expect(parseNoaaDateTime('31-APR-24 10:00:00', '202404')).toBeNull();
    expect(parseNoaaDateTime('30-APR-24 25:10:00', '202404')).toBeNull();
    expect(parseNoaaDateTime('29-FEB-23 10:00:00', '202302')).toBeNull();
    expect(parseNoaaDateTime('29-FEB-24 10:00:00', '202402')?.day).toBe(29);
    expect(parseNoaaDateTime('01-XYZ-24 10:00:00')).toBeNull();
    expect(parseNoaaDateTime('2024-04-01 10:00:00')).toBeNull();
  });

  it('builds the time from BEGIN_YEARMONTH/BEGIN_DAY/BEGIN_TIME (hhmm)', () => {
    expect(localFromParts('202405', '22', '1605')).toEqual({ year: 2024, month: 5, day: 22, hour: 16, minute: 5, second: 0 });
    expect(localFromParts('202405', '22', '5')).toEqual({ year: 2024, month: 5, day: 22, hour: 0, minute: 5, second: 0 });
    expect(localFromParts('202405', '22', '1675')).toBeNull();
  });

  it('converts local standard time to UTC (UTC = local − offset)', () => {
    const t = { year: 2024, month: 4, day: 1, hour: 14, minute: 35, second: 0 };
    expect(localToUtc(t, -6).toISOString()).toBe('2024-04-01T20:35:00.000Z');
    // 23:30 EST on New Year's Eve is already next year in UTC.
    expect(localToUtc({ year: 2024, month: 12, day: 31, hour: 23, minute: 30, second: 0 }, -5).toISOString()).toBe('2025-01-01T04:30:00.000Z');
    // Guam is ahead of UTC: 08:00 local on 1 July is 22:00 UTC on 30 June.
    expect(localToUtc({ year: 2024, month: 7, day: 1, hour: 8, minute: 0, second: 0 }, 10).toISOString()).toBe('2024-06-30T22:00:00.000Z');
  });
});

describe('measures', () => {
  it('converts knots to whole mph (1 kt = 1.150779 mph)', () => {
    expect(knotsToMph(50)).toBe(58); // 57.539
    expect(knotsToMph(52)).toBe(60); // 59.841
    expect(knotsToMph(61)).toBe(70); // 70.198
    expect(knotsToMph(65)).toBe(75); // 74.801
    expect(knotsToMph(74)).toBe(85); // 85.158
    expect(knotsToMph(87)).toBe(100); // 100.118
    expect(knotsToMph(0)).toBe(0);
  });

  it('reads damage strings in dollars', () => {
    expect(parseDamage('10.00K')).toBe(10_000);
    expect(parseDamage('1.40M')).toBe(1_400_000);
    expect(parseDamage('.05K')).toBe(50);
    expect(parseDamage('2B')).toBe(2_000_000_000);
    expect(parseDamage('1.20B')).toBe(1_200_000_000);
    expect(parseDamage('0')).toBe(0);
    expect(parseDamage('0.00K')).toBe(0);
    expect(parseDamage('K')).toBe(0);
    expect(parseDamage('M')).toBe(0);
    expect(parseDamage('')).toBeNull();
    expect(parseDamage('   ')).toBeNull();
    expect(parseDamage(' 250.00k ')).toBe(250_000);
    expect(parseDamage('5H')).toBe(500);
    expect(parseDamage('12')).toBe(12);
    // Binary floats would give 1100.0000000000002 and 4.999999999999999.
    expect(parseDamage('1.1K')).toBe(1100);
    expect(parseDamage('.005K')).toBe(5);
    expect(parseDamage('1.2X')).toBeUndefined();
    expect(parseDamage('ten K')).toBeUndefined();
    expect(parseDamage('1..2K')).toBeUndefined();
  });

  it('reads F and EF tornado ratings', () => {
    expect(parseTornadoScale('EF3')).toBe('EF3');
    expect(parseTornadoScale('f2')).toBe('F2');
    expect(parseTornadoScale('EFU')).toBe('EFU');
    expect(parseTornadoScale('EF0')).toBe('EF0');
    expect(parseTornadoScale('EF6')).toBeNull();
    expect(parseTornadoScale('')).toBeNull();
  });

  it('sizes a tornado radius: length/2 + width yd→mi on the track midpoint, length + width from one end, min 1', () => {
    expect(tornadoRadiusMiles(4.8, 300, true)).toBe(2.57); // 2.4 + 300/1760 = 2.5705
    expect(tornadoRadiusMiles(12.3, 400, true)).toBe(6.38); // 6.15 + 0.2273 = 6.3773
    expect(tornadoRadiusMiles(2.1, 150, true)).toBe(1.14); // 1.05 + 0.0852 = 1.1352
    expect(tornadoRadiusMiles(3.0, 200, false)).toBe(3.11); // 3 + 0.1136
    expect(tornadoRadiusMiles(0.2, 25, true)).toBe(1); // 0.1142 → at least 1 mile
    expect(tornadoRadiusMiles(null, null, false)).toBe(1);
    expect(tornadoRadiusMiles(5000, 0, false)).toBe(999.99); // numeric(5,2) ceiling
  });
});

describe('types, states and severity', () => {
  it('maps NOAA event types to ours', () => {
    expect(mapEventType('Hail')).toBe('hail');
    expect(mapEventType('Thunderstorm Wind')).toBe('wind');
    expect(mapEventType('High Wind')).toBe('wind');
    expect(mapEventType('Strong Wind')).toBe('wind');
    expect(mapEventType('Tornado')).toBe('tornado');
    expect(mapEventType('Hurricane (Typhoon)')).toBe('hurricane');
    expect(mapEventType('Hurricane')).toBe('hurricane');
    expect(mapEventType('Tropical Storm')).toBe('hurricane');
    expect(mapEventType('Flash Flood')).toBe('other');
    expect(mapEventType('Marine Hail')).toBe('other');
    expect(mapEventType('Marine Thunderstorm Wind')).toBe('other');
    expect(mapEventType('Funnel Cloud')).toBe('other');
  });

  it('maps full state names to USPS codes', () => {
    expect(stateCode('TEXAS')).toBe('TX');
    expect(stateCode('Colorado')).toBe('CO');
    expect(stateCode('DISTRICT OF COLUMBIA')).toBe('DC');
    expect(stateCode('PUERTO RICO')).toBe('PR');
    expect(stateCode('GULF OF MEXICO')).toBeNull();
    expect(titleCase('EAST BATON ROUGE')).toBe('East Baton Rouge');
    expect(titleCase('ST. LUCIE')).toBe('St. Lucie');
    expect(titleCase('MIAMI-DADE')).toBe('Miami-Dade');
  });

  const sev = (o: Partial<Parameters<typeof severityOf>[0]>) =>
    severityOf({ eventType: 'other', noaaEventType: '', hailSizeInches: null, windSpeedMph: null, tornadoRating: null, category: null, ...o });

  it('grades hail at 1, 2 and 3 inches', () => {
    expect(sev({ eventType: 'hail', hailSizeInches: 0.75 })).toBe('minor');
    expect(sev({ eventType: 'hail', hailSizeInches: 1.0 })).toBe('moderate');
    expect(sev({ eventType: 'hail', hailSizeInches: 1.99 })).toBe('moderate');
    expect(sev({ eventType: 'hail', hailSizeInches: 2.0 })).toBe('severe');
    expect(sev({ eventType: 'hail', hailSizeInches: 3.0 })).toBe('extreme');
    expect(sev({ eventType: 'hail' })).toBeNull();
  });

  it('grades wind at 58, 75 and 100 mph', () => {
    expect(sev({ eventType: 'wind', windSpeedMph: 57 })).toBe('minor');
    expect(sev({ eventType: 'wind', windSpeedMph: 58 })).toBe('moderate');
    expect(sev({ eventType: 'wind', windSpeedMph: 74 })).toBe('moderate');
    expect(sev({ eventType: 'wind', windSpeedMph: 75 })).toBe('severe');
    expect(sev({ eventType: 'wind', windSpeedMph: 100 })).toBe('extreme');
  });

  it('grades tornadoes and tropical systems', () => {
    expect(sev({ eventType: 'tornado', tornadoRating: 'EFU' })).toBe('moderate');
    expect(sev({ eventType: 'tornado', tornadoRating: 'EF0' })).toBe('moderate');
    expect(sev({ eventType: 'tornado', tornadoRating: 'EF1' })).toBe('severe');
    expect(sev({ eventType: 'tornado', tornadoRating: 'F2' })).toBe('severe');
    expect(sev({ eventType: 'tornado', tornadoRating: 'EF3' })).toBe('extreme');
    expect(sev({ eventType: 'tornado' })).toBe('moderate');
    expect(sev({ eventType: 'hurricane', noaaEventType: 'Tropical Storm' })).toBe('moderate');
    expect(sev({ eventType: 'hurricane', noaaEventType: 'Hurricane (Typhoon)', category: 2 })).toBe('severe');
    expect(sev({ eventType: 'hurricane', noaaEventType: 'Hurricane (Typhoon)', category: 3 })).toBe('extreme');
    expect(sev({ eventType: 'hurricane', noaaEventType: 'Hurricane (Typhoon)' })).toBe('severe');
    expect(sev({ eventType: 'other', noaaEventType: 'Flash Flood' })).toBeNull();
  });
});

describe('parseStormRow', () => {
  it('normalizes a hail report', () => {
    const { event, warnings } = ok(HAIL);
    expect(warnings).toEqual([]);
    expect(event).toMatchObject({
      eventId: 1180101, eventType: 'hail', noaaEventType: 'Hail', eventDate: '2024-05-22', eventTime: '16:05:00', utcOffsetHours: -6,
      city: 'Georgetown', state: 'TX', county: 'Williamson', lat: 30.6123, lng: -97.7011, radiusMiles: 5, severity: 'moderate',
      hailSizeInches: 1.75, windSpeedKnots: null, windSpeedMph: null, magnitudeType: null, tornadoRating: null,
      damageProperty: 25_000, damageCrops: 0, damageEstimate: 25_000,
      sourceUrl: 'https://www.ncdc.noaa.gov/stormevents/eventdetails.jsp?id=1180101',
    });
    expect(event.beginAt.toISOString()).toBe('2024-05-22T22:05:00.000Z'); // 16:05 CST-6
    expect(event.endAt?.toISOString()).toBe('2024-05-22T22:05:00.000Z');
    expect(event.raw).toEqual(HAIL);
    expect(Object.keys(event.raw)).toHaveLength(51);
  });

  it('normalizes a measured wind gust in an eastern zone', () => {
    const { event } = ok({ ...HAIL, EVENT_ID: '1190501', STATE: 'FLORIDA', EVENT_TYPE: 'Thunderstorm Wind', CZ_TIMEZONE: 'EST-5', MAGNITUDE: '61.00', MAGNITUDE_TYPE: 'mg', BEGIN_DATE_TIME: '18-JUL-24 15:40:00', BEGIN_YEARMONTH: '202407', END_DATE_TIME: '18-JUL-24 15:50:00', END_YEARMONTH: '202407' });
    expect(event).toMatchObject({ eventType: 'wind', windSpeedKnots: 61, windSpeedMph: 70, magnitudeType: 'MG', hailSizeInches: null, severity: 'moderate', state: 'FL' });
    expect(event.beginAt.toISOString()).toBe('2024-07-18T20:40:00.000Z');
    expect(event.endAt?.toISOString()).toBe('2024-07-18T20:50:00.000Z');
  });

  it('puts a tornado with both track ends on the midpoint', () => {
    const { event } = ok({
      ...HAIL, EVENT_TYPE: 'Tornado', MAGNITUDE: '', TOR_F_SCALE: 'EF2', TOR_LENGTH: '4.80', TOR_WIDTH: '300', DAMAGE_PROPERTY: '2.50M',
      BEGIN_LAT: '33.4710', BEGIN_LON: '-97.1410', END_LAT: '33.3550', END_LON: '-97.1950',
    });
    expect(event).toMatchObject({ eventType: 'tornado', tornadoRating: 'EF2', severity: 'severe', lat: 33.413, lng: -97.168, radiusMiles: 2.57, damageProperty: 2_500_000 });
  });

  it('keeps a tornado with one end on that end, with the whole length as radius', () => {
    const { event } = ok({ ...HAIL, EVENT_TYPE: 'Tornado', MAGNITUDE: '', TOR_F_SCALE: 'EF2', TOR_LENGTH: '3.00', TOR_WIDTH: '200', BEGIN_LAT: '26.6500', BEGIN_LON: '-81.9600', END_LAT: '', END_LON: '' });
    expect(event).toMatchObject({ lat: 26.65, lng: -81.96, radiusMiles: 3.11 });
  });

  it('keeps a row without coordinates, without a location', () => {
    const r = ok({ ...HAIL, BEGIN_LAT: '', BEGIN_LON: '', END_LAT: '', END_LON: '' });
    expect(r.warnings).toEqual([]);
    expect(r.event).toMatchObject({ lat: null, lng: null, eventId: 1180101 });
  });

  it('uses the end point when the begin point is missing, and warns about an impossible one', () => {
    expect(ok({ ...HAIL, BEGIN_LAT: '', BEGIN_LON: '', END_LAT: '30.5', END_LON: '-97.5' }).event).toMatchObject({ lat: 30.5, lng: -97.5 });
    const bad = ok({ ...HAIL, BEGIN_LAT: '95.1', BEGIN_LON: '-97.7', END_LAT: '30.5', END_LON: '-97.5' });
    expect(bad.event).toMatchObject({ lat: 30.5, lng: -97.5 });
    expect(bad.warnings).toEqual(['BEGIN_LAT/BEGIN_LON "95.1, -97.7" is not a valid point']);
    expect(ok({ ...HAIL, BEGIN_LAT: '0', BEGIN_LON: '0', END_LAT: '0', END_LON: '0' }).event.lat).toBeNull();
  });

  it('converts old-style zones', () => {
    // 05:00 CDT = 10:00 UTC; 17:00 MDT = 23:00 UTC; 18:30 "CSC" (CST) = 00:30 UTC next day.
    expect(ok({ ...HAIL, CZ_TIMEZONE: 'CDT', BEGIN_DATE_TIME: '28-MAY-24 05:00:00' }).event.beginAt.toISOString()).toBe('2024-05-28T10:00:00.000Z');
    expect(ok({ ...HAIL, STATE: 'COLORADO', CZ_TIMEZONE: 'MDT', BEGIN_DATE_TIME: '31-MAY-24 17:00:00' }).event.beginAt.toISOString()).toBe('2024-05-31T23:00:00.000Z');
    const csc = ok({ ...HAIL, CZ_TIMEZONE: 'CSC', BEGIN_DATE_TIME: '22-MAY-24 18:30:00' });
    expect(csc.event.beginAt.toISOString()).toBe('2024-05-23T00:30:00.000Z');
    expect(csc.event.eventDate).toBe('2024-05-22'); // NOAA's local day
    const unk = ok({ ...HAIL, STATE: 'LOUISIANA', CZ_TIMEZONE: 'UNK', BEGIN_DATE_TIME: '10-APR-24 11:30:00', BEGIN_YEARMONTH: '202404' });
    expect(unk.event.beginAt.toISOString()).toBe('2024-04-10T17:30:00.000Z');
    expect(unk.warnings).toEqual(['unknown CZ_TIMEZONE "UNK": used LA\'s standard offset UTC-6']);
  });

  it('falls back to BEGIN_YEARMONTH/BEGIN_DAY/BEGIN_TIME when BEGIN_DATE_TIME is empty', () => {
    expect(ok({ ...HAIL, BEGIN_DATE_TIME: '', END_DATE_TIME: '' }).event.beginAt.toISOString()).toBe('2024-05-22T22:05:00.000Z');
  });

  it('stores only the county of county rows (CZ_TYPE C), not forecast zones', () => {
    expect(ok({ ...HAIL, CZ_TYPE: 'Z', CZ_NAME: 'COASTAL HILLSBOROUGH' }).event.county).toBeNull();
  });

  it('turns an unreadable value into a warning and a null, not an error', () => {
    const r = ok({ ...HAIL, DAMAGE_PROPERTY: 'unknown', MAGNITUDE: 'big', TOR_F_SCALE: 'EF9', END_DATE_TIME: '99-ZZZ-24' });
    expect(r.event).toMatchObject({ damageProperty: null, damageCrops: 0, damageEstimate: 0, hailSizeInches: null, tornadoRating: null, endAt: null, severity: null });
    expect(r.warnings).toEqual([
      'END_DATE_TIME "99-ZZZ-24" is not a DD-MON-YY HH:MM:SS time; end left empty',
      'MAGNITUDE "big" is not a number',
      'TOR_F_SCALE "EF9" is not an F/EF rating',
      'DAMAGE_PROPERTY "unknown" is not a damage amount like 10.00K',
    ]);
  });

  it('refuses hail sizes that are not inches, even after rounding into numeric(3,2)', () => {
    expect(ok({ ...HAIL, MAGNITUDE: '9.99' }).event.hailSizeInches).toBe(9.99);
    const big = ok({ ...HAIL, MAGNITUDE: '9.996' });
    expect(big.event.hailSizeInches).toBeNull();
    expect(big.warnings).toEqual(['hail MAGNITUDE 9.996 is not a stone diameter in inches (0–10)']);
    expect(ok({ ...HAIL, MAGNITUDE: '0' }).event.hailSizeInches).toBeNull();
  });

  it('leaves damage_estimate null past numeric(12,2), the split columns keep the amounts', () => {
    const { event } = ok({ ...HAIL, DAMAGE_PROPERTY: '9.5B', DAMAGE_CROPS: '600.00M' });
    expect(event).toMatchObject({ damageProperty: 9_500_000_000, damageCrops: 600_000_000, damageEstimate: null });
    expect(ok({ ...HAIL, DAMAGE_PROPERTY: '', DAMAGE_CROPS: '' }).event.damageEstimate).toBeNull();
  });

  it('reports a row that cannot be an event, naming the column', () => {
    expect(parseStormRow({ ...HAIL, EVENT_ID: 'abc' }, 7)).toEqual({ ok: false, error: { row: 7, message: 'EVENT_ID "abc" is not a positive whole number' } });
    expect(parseStormRow({ ...HAIL, BEGIN_DATE_TIME: '31-APR-24 25:10:00' }, 9)).toEqual({
      ok: false, error: { row: 9, message: 'BEGIN_DATE_TIME "31-APR-24 25:10:00" is not a DD-MON-YY HH:MM:SS time' },
    });
    const r = parseStormRow({ ...HAIL, STATE: 'ATLANTIC NORTH', CZ_TIMEZONE: 'UNK' }, 4);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toContain('CZ_TIMEZONE "UNK"');
  });
});

describe('parseStormFile', () => {
  const HEADER = STORM_DETAIL_COLUMNS.join(',');
  const line = (r: StormRecord) => STORM_DETAIL_COLUMNS.map((c) => `"${r[c]!.replaceAll('"', '""')}"`).join(',');
  const collect = async (text: string) => {
    const out: ParsedStormRow[] = [];
    for await (const r of parseStormFile(Readable.from([Buffer.from(text)]))) out.push(r);
    return out;
  };

  it('reads quoted commas, doubled quotes and line breaks (RFC 4180), after a BOM', async () => {
    const narrative = 'Hail, then wind.\nA "significant" amount of debris.';
    const rows = await collect(`\uFEFF${HEADER}\r\n${line({ ...HAIL, EVENT_NARRATIVE: narrative })}\r\n${line({ ...HAIL, EVENT_ID: '1180102' })}\r\n`);
    expect(rows.map((r) => r.rowNumber)).toEqual([2, 3]);
    const first = rows[0]!.result;
    expect(first.ok && first.event.raw.EVENT_NARRATIVE).toBe(narrative);
    expect(rows[1]!.result.ok && rows[1]!.result.event.eventId).toBe(1180102);
  });

  it('refuses a header missing columns, naming them', async () => {
    const cols = STORM_DETAIL_COLUMNS.filter((c) => c !== 'CZ_TIMEZONE' && c !== 'EVENT_ID');
    const err = await collect(`${cols.join(',')}\n${cols.map(() => '""').join(',')}\n`).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toBe('not a NOAA Storm Events details file: the header lacks 2 of the 51 columns: EVENT_ID, CZ_TIMEZONE');
    expect(err.details).toEqual({ missingColumns: ['EVENT_ID', 'CZ_TIMEZONE'] });
    const empty = await collect('').catch((e) => e);
    expect(empty.message).toContain('it is empty');
  });

  it('makes a short row a row error and carries on', async () => {
    const rows = await collect(`${HEADER}\n"202405","22"\n${line(HAIL)}\n`);
    expect(rows[0]!.result).toEqual({ ok: false, error: { row: 2, message: 'row has 2 fields, the header has 51' } });
    expect(rows[1]!.result.ok).toBe(true);
  });

  it('reads the 2024 fixture: 89 rows, one impossible time, seven old-style zone rows', async () => {
    const rows: ParsedStormRow[] = [];
    for await (const r of parseStormFile(createReadStream('test/fixtures/noaa/StormEvents_details-ftp_v1.0_d2024_c20250401.csv'))) rows.push(r);
    expect(rows).toHaveLength(89);
    const errors = rows.filter((r) => !r.result.ok);
    expect(errors.map((r) => !r.result.ok && r.result.error.message)).toEqual(['BEGIN_DATE_TIME "31-APR-24 25:10:00" is not a DD-MON-YY HH:MM:SS time']);
    const zones = rows.map((r) => r.result.ok && r.result.event.raw.CZ_TIMEZONE).filter((z) => z && !/-\d+$/.test(z));
    expect(zones.sort()).toEqual(['CDT', 'CSC', 'CST', 'ESt', 'MDT', 'SCT', 'UNK']);
  });
});

describe('file names', () => {
  it('reads year and revision', () => {
    expect(parseDetailsFileName('StormEvents_details-ftp_v1.0_d2024_c20250401.csv.gz')).toEqual({ year: 2024, revision: '20250401', gzip: true });
    expect(parseDetailsFileName('StormEvents_details-ftp_v1.0_d1996_c20170717.csv')).toEqual({ year: 1996, revision: '20170717', gzip: false });
    expect(parseDetailsFileName('StormEvents_fatalities-ftp_v1.0_d2024_c20250401.csv.gz')).toBeNull();
    expect(parseDetailsFileName('StormEvents_locations-ftp_v1.0_d2024_c20250401.csv.gz')).toBeNull();
  });

  it('keeps the newest revision of each year, plain over gzip for one revision, limited to the years asked', () => {
    const names = [
      'StormEvents_details-ftp_v1.0_d2024_c20250115.csv.gz',
      'StormEvents_details-ftp_v1.0_d2024_c20250401.csv.gz',
      'StormEvents_details-ftp_v1.0_d2024_c20250401.csv',
      'StormEvents_details-ftp_v1.0_d2023_c20250401.csv.gz',
      'StormEvents_details-ftp_v1.0_d2023_c20240816.csv.gz',
      'StormEvents_fatalities-ftp_v1.0_d2024_c20250501.csv.gz',
      'README',
    ];
    expect([...newestRevisionPerYear(names)]).toEqual([
      [2023, 'StormEvents_details-ftp_v1.0_d2023_c20250401.csv.gz'],
      [2024, 'StormEvents_details-ftp_v1.0_d2024_c20250401.csv'],
    ]);
    expect([...newestRevisionPerYear(names, new Set([2024, 2025]))]).toEqual([[2024, 'StormEvents_details-ftp_v1.0_d2024_c20250401.csv']]);
  });
});
