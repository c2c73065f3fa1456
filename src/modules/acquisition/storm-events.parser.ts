import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { AppError } from '../../platform/errors.ts';

/**
 * NOAA Storm Events "details" files (issue 4 §3; seed 002 §3.1.4), parsed without I/O or a database:
 * `StormEvents_details-ftp_v1.0_dYYYY_cYYYYMMDD.csv` as published at
 * https://www.ncei.noaa.gov/pub/data/swdi/stormevents/csvfiles/ (format: the Storm Data Export Format document
 * that ships next to the files). One bad row never fails the file: parseStormRow returns a row error instead.
 */

/** The 51 columns of a details file, in NOAA's order. */
export const STORM_DETAIL_COLUMNS = [
  'BEGIN_YEARMONTH', 'BEGIN_DAY', 'BEGIN_TIME', 'END_YEARMONTH', 'END_DAY', 'END_TIME', 'EPISODE_ID', 'EVENT_ID', 'STATE',
  'STATE_FIPS', 'YEAR', 'MONTH_NAME', 'EVENT_TYPE', 'CZ_TYPE', 'CZ_FIPS', 'CZ_NAME', 'WFO', 'BEGIN_DATE_TIME', 'CZ_TIMEZONE',
  'END_DATE_TIME', 'INJURIES_DIRECT', 'INJURIES_INDIRECT', 'DEATHS_DIRECT', 'DEATHS_INDIRECT', 'DAMAGE_PROPERTY', 'DAMAGE_CROPS',
  'SOURCE', 'MAGNITUDE', 'MAGNITUDE_TYPE', 'FLOOD_CAUSE', 'CATEGORY', 'TOR_F_SCALE', 'TOR_LENGTH', 'TOR_WIDTH', 'TOR_OTHER_WFO',
  'TOR_OTHER_CZ_STATE', 'TOR_OTHER_CZ_FIPS', 'TOR_OTHER_CZ_NAME', 'BEGIN_RANGE', 'BEGIN_AZIMUTH', 'BEGIN_LOCATION', 'END_RANGE',
  'END_AZIMUTH', 'END_LOCATION', 'BEGIN_LAT', 'BEGIN_LON', 'END_LAT', 'END_LON', 'EPISODE_NARRATIVE', 'EVENT_NARRATIVE',
  'DATA_SOURCE',
] as const;
export type StormColumn = (typeof STORM_DETAIL_COLUMNS)[number];
export type StormRecord = Record<string, string>;

export type StormEventType = 'hail' | 'wind' | 'tornado' | 'hurricane' | 'other';
export type StormSeverity = 'minor' | 'moderate' | 'severe' | 'extreme';

/** One details row, normalized to the weather_events columns. */
export interface NormalizedStormEvent {
  eventId: number;
  eventType: StormEventType;
  /** NOAA's EVENT_TYPE as written (also in raw). */
  noaaEventType: string;
  /** Local (CZ_TIMEZONE) calendar day and clock time as NOAA reports them: YYYY-MM-DD and HH:MM:SS. */
  eventDate: string;
  eventTime: string;
  beginAt: Date;
  endAt: Date | null;
  /** The UTC offset the times were converted with, in hours, and where it came from. */
  utcOffsetHours: number;
  city: string | null;
  state: string | null;
  county: string | null;
  lat: number | null;
  lng: number | null;
  radiusMiles: number;
  severity: StormSeverity | null;
  hailSizeInches: number | null;
  windSpeedKnots: number | null;
  windSpeedMph: number | null;
  magnitudeType: string | null;
  tornadoRating: string | null;
  /** Dollars. */
  damageProperty: number | null;
  damageCrops: number | null;
  damageEstimate: number | null;
  sourceUrl: string;
  /** Every column of the row exactly as NOAA wrote it. */
  raw: StormRecord;
}

export interface StormRowError {
  row: number;
  message: string;
}

export type StormRowResult =
  | { ok: true; event: NormalizedStormEvent; warnings: string[] }
  | { ok: false; error: StormRowError };

// ---------------------------------------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------------------------------------

/**
 * CZ_TIMEZONE → UTC offset in hours. Since about 2006 NOAA writes the zone with its standard offset
 * (`CST-6`, `EST-5`, `AKST-9`, `GST10`); the number is then authoritative. Older rows carry a bare
 * abbreviation, sometimes a daylight one, sometimes misspelled. Daylight abbreviations are taken at their word
 * (`CDT` = UTC-5): NOAA's own export keeps them when the office entered the time in daylight time.
 */
export const ZONE_OFFSETS: Readonly<Record<string, number>> = {
  EST: -5, EDT: -4, // Eastern
  CST: -6, CDT: -5, // Central
  MST: -7, MDT: -6, // Mountain
  PST: -8, PDT: -7, // Pacific
  AKST: -9, AKDT: -8, // Alaska
  HST: -10, HDT: -9, // Hawaii–Aleutian
  AST: -4, ADT: -3, // Atlantic (Puerto Rico, US Virgin Islands)
  SST: -11, // Samoa
  GST: 10, ChST: 10, // Guam / Chamorro (NOAA writes GST10)
  GMT: 0, UTC: 0, Z: 0,
};

/**
 * Historic misspellings seen in old details files, mapped to what the office evidently meant. Case is
 * ignored before this lookup, so `ESt`/`CSt` are already EST/CST.
 */
export const ZONE_MISSPELLINGS: Readonly<Record<string, string>> = {
  CSC: 'CST', // C-S-C: the T key missed, next to CST rows of the same office
  SCT: 'CST', // letters transposed
  CTS: 'CST', // letters transposed
  ESY: 'EST', // Y for T (adjacent keys)
  MSY: 'MST', // Y for T (adjacent keys)
  CSDT: 'CDT', // both letters typed
};

/** Zones that say "no idea": resolved from the state instead, with a warning. */
const UNKNOWN_ZONES = new Set(['', 'UNK', 'UNKNOWN', 'NA', 'N/A']);

/** Each state's usual standard-time offset (the zone most of its population lives in), the fallback for an unknown zone. */
export const STATE_STANDARD_OFFSET: Readonly<Record<string, number>> = {
  AL: -6, AK: -9, AZ: -7, AR: -6, CA: -8, CO: -7, CT: -5, DE: -5, DC: -5, FL: -5, GA: -5, HI: -10, ID: -7, IL: -6,
  IN: -5, IA: -6, KS: -6, KY: -5, LA: -6, ME: -5, MD: -5, MA: -5, MI: -5, MN: -6, MS: -6, MO: -6, MT: -7, NE: -6,
  NV: -8, NH: -5, NJ: -5, NM: -7, NY: -5, NC: -5, ND: -6, OH: -5, OK: -6, OR: -8, PA: -5, RI: -5, SC: -5, SD: -6,
  TN: -6, TX: -6, UT: -7, VT: -5, VA: -5, WA: -8, WV: -5, WI: -6, WY: -7, PR: -4, VI: -4, GU: 10, AS: -11, MP: 10,
};

export type ZoneResolution = { offsetHours: number; warning?: string };

/** The UTC offset of a CZ_TIMEZONE value; an unknown zone falls back to the state's usual standard offset. */
export function resolveZoneOffset(zone: string, stateCode: string | null): ZoneResolution | null {
  const z = zone.trim().toUpperCase();
  const withOffset = /^([A-Z]{1,5})([+-]?\d{1,2})$/.exec(z);
  if (withOffset) {
    const hours = Number(withOffset[2]);
    if (hours >= -12 && hours <= 14) return { offsetHours: hours };
  }
  const name = ZONE_MISSPELLINGS[z] ?? (z === 'CHST' ? 'ChST' : z);
  const known = ZONE_OFFSETS[name];
  if (known !== undefined) return { offsetHours: known };
  const fallback = stateCode ? STATE_STANDARD_OFFSET[stateCode] : undefined;
  if (fallback === undefined) return null;
  const what = UNKNOWN_ZONES.has(z) ? `unknown CZ_TIMEZONE "${zone}"` : `unrecognised CZ_TIMEZONE "${zone}"`;
  return { offsetHours: fallback, warning: `${what}: used ${stateCode}'s standard offset UTC${fallback >= 0 ? '+' : ''}${fallback}` };
}

// ---------------------------------------------------------------------------------------------------------
// States
// ---------------------------------------------------------------------------------------------------------

/** NOAA's STATE (full upper-case name) → USPS code. Marine areas (GULF OF MEXICO, LAKE MICHIGAN …) have none. */
export const STATE_CODES: Readonly<Record<string, string>> = {
  ALABAMA: 'AL', ALASKA: 'AK', ARIZONA: 'AZ', ARKANSAS: 'AR', CALIFORNIA: 'CA', COLORADO: 'CO', CONNECTICUT: 'CT',
  DELAWARE: 'DE', 'DISTRICT OF COLUMBIA': 'DC', FLORIDA: 'FL', GEORGIA: 'GA', HAWAII: 'HI', IDAHO: 'ID', ILLINOIS: 'IL',
  INDIANA: 'IN', IOWA: 'IA', KANSAS: 'KS', KENTUCKY: 'KY', LOUISIANA: 'LA', MAINE: 'ME', MARYLAND: 'MD',
  MASSACHUSETTS: 'MA', MICHIGAN: 'MI', MINNESOTA: 'MN', MISSISSIPPI: 'MS', MISSOURI: 'MO', MONTANA: 'MT',
  NEBRASKA: 'NE', NEVADA: 'NV', 'NEW HAMPSHIRE': 'NH', 'NEW JERSEY': 'NJ', 'NEW MEXICO': 'NM', 'NEW YORK': 'NY',
  'NORTH CAROLINA': 'NC', 'NORTH DAKOTA': 'ND', OHIO: 'OH', OKLAHOMA: 'OK', OREGON: 'OR', PENNSYLVANIA: 'PA',
  'RHODE ISLAND': 'RI', 'SOUTH CAROLINA': 'SC', 'SOUTH DAKOTA': 'SD', TENNESSEE: 'TN', TEXAS: 'TX', UTAH: 'UT',
  VERMONT: 'VT', VIRGINIA: 'VA', WASHINGTON: 'WA', 'WEST VIRGINIA': 'WV', WISCONSIN: 'WI', WYOMING: 'WY',
  'PUERTO RICO': 'PR', 'VIRGIN ISLANDS': 'VI', GUAM: 'GU', 'AMERICAN SAMOA': 'AS', 'NORTHERN MARIANA ISLANDS': 'MP',
};

export function stateCode(name: string): string | null {
  return STATE_CODES[name.trim().toUpperCase()] ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------

const MONTHS: Readonly<Record<string, number>> = { JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12 };

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * `01-APR-24 14:35:00` (DD-MON-YY HH:MM:SS; also a four-digit year). The century of a two-digit year comes from
 * the row's YYYYMM column (BEGIN_YEARMONTH / END_YEARMONTH), else 19xx for 50–99 and 20xx below.
 */
export function parseNoaaDateTime(text: string, yearMonth?: string): LocalDateTime | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const month = MONTHS[m[2]!.toUpperCase()];
  if (!month) return null;
  let year = Number(m[3]);
  if (m[3]!.length === 2) {
    const ym = /^(\d{4})\d{2}$/.exec(yearMonth?.trim() ?? '');
    const fromColumn = ym ? Number(ym[1]) : NaN;
    year = Number.isFinite(fromColumn) && fromColumn % 100 === year ? fromColumn : year >= 50 ? 1900 + year : 2000 + year;
  }
  const v = { year, month, day: Number(m[1]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6] ?? 0) };
  return isValidLocal(v) ? v : null;
}

/** BEGIN_YEARMONTH + BEGIN_DAY + BEGIN_TIME (hhmm), used when BEGIN_DATE_TIME is empty. */
export function localFromParts(yearMonth: string, day: string, hhmm: string): LocalDateTime | null {
  const ym = /^(\d{4})(\d{2})$/.exec(yearMonth.trim());
  const t = /^\d{1,4}$/.exec(hhmm.trim());
  if (!ym || !/^\d{1,2}$/.test(day.trim()) || !t) return null;
  const n = Number(hhmm);
  const v = { year: Number(ym[1]), month: Number(ym[2]), day: Number(day), hour: Math.floor(n / 100), minute: n % 100, second: 0 };
  return isValidLocal(v) ? v : null;
}

function isValidLocal(v: LocalDateTime): boolean {
  if (v.month < 1 || v.month > 12 || v.hour > 23 || v.minute > 59 || v.second > 59 || v.day < 1) return false;
  const daysInMonth = new Date(Date.UTC(v.year, v.month, 0)).getUTCDate();
  return v.day <= daysInMonth;
}

/** Local clock time at `offsetHours` from UTC → the UTC instant (local = UTC + offset). */
export function localToUtc(v: LocalDateTime, offsetHours: number): Date {
  return new Date(Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second) - offsetHours * 3_600_000);
}

// ---------------------------------------------------------------------------------------------------------
// Measures
// ---------------------------------------------------------------------------------------------------------

/** International knot in statute miles per hour (1852 m / 1609.344 m). */
export const MPH_PER_KNOT = 1.150779;

/** Wind MAGNITUDE (knots) → whole mph, the unit of weather_events.wind_speed_mph and seed 002 §3.5.3 ("Wind >60 mph"). */
export function knotsToMph(knots: number): number {
  return Math.round(knots * MPH_PER_KNOT);
}

const DAMAGE_MULTIPLIER: Readonly<Record<string, number>> = { '': 0, H: 2, K: 3, M: 6, B: 9 };

/**
 * DAMAGE_PROPERTY / DAMAGE_CROPS → dollars. NOAA writes a number with a unit letter: `10.00K` = 10,000,
 * `1.40M` = 1,400,000, `.05K` = 50, `2B` = 2,000,000,000, `0` = 0; a bare `K` (no amount entered) is 0 and an
 * empty cell is "not reported" (null). `H` (hundreds) appears in very old rows. Decimal-exact: the amount is
 * scaled by rewriting it in e-notation rather than multiplying floats (1.1 × 1000 ≠ 1100 in binary).
 * Returns undefined for text that is not a damage amount.
 */
export function parseDamage(text: string): number | null | undefined {
  const s = text.trim().toUpperCase();
  if (s === '') return null;
  const m = /^(\d+\.?\d*|\.\d+)?\s*([HKMB]?)$/.exec(s);
  if (!m) return undefined;
  if (m[1] === undefined) return m[2] ? 0 : undefined;
  const dollars = Number(`${m[1]}e${DAMAGE_MULTIPLIER[m[2]!]}`);
  return Math.round(dollars * 100) / 100;
}

/** TOR_F_SCALE → rating: `F2`, `EF3`, `EFU` (unknown), upper-cased; anything else null. */
export function parseTornadoScale(text: string): string | null {
  const s = text.trim().toUpperCase();
  return /^E?F[0-5U]$/.test(s) ? s : null;
}

// ---------------------------------------------------------------------------------------------------------
// Event types, radius, severity
// ---------------------------------------------------------------------------------------------------------

/**
 * NOAA EVENT_TYPE → our event_type (seed 002 §3.1.4: hail, wind, tornado, hurricane). Marine events happen over
 * water and touch no property, so they stay "other", as do funnel clouds and waterspouts (no ground contact).
 * Tropical storms are "hurricane" with a lower severity: their wind still takes shingles off.
 */
const EVENT_TYPES: Readonly<Record<string, StormEventType>> = {
  HAIL: 'hail',
  'THUNDERSTORM WIND': 'wind',
  'THUNDERSTORM WINDS': 'wind',
  'HIGH WIND': 'wind',
  'STRONG WIND': 'wind',
  TORNADO: 'tornado',
  'HURRICANE': 'hurricane',
  'HURRICANE (TYPHOON)': 'hurricane',
  'TROPICAL STORM': 'hurricane',
};

export function mapEventType(noaa: string): StormEventType {
  return EVENT_TYPES[noaa.trim().toUpperCase()] ?? 'other';
}

/** Matching radius of hail, wind and every other event: seed 002 §3.1.4 "Radius: 5-mile radius from property". */
export const DEFAULT_RADIUS_MILES = 5;
export const YARDS_PER_MILE = 1760;

/**
 * A tornado's affected radius around its point. With both track ends known the point is the track's midpoint,
 * so half the path length reaches either end, plus the full path width (TOR_WIDTH, yards) as margin for the
 * damage swath: TOR_LENGTH / 2 + TOR_WIDTH / 1760. With one end only, the whole length (the track may run any
 * way from it). At least 1 mile, so a short touchdown still reaches its neighbours. Two decimals (radius_miles).
 */
export function tornadoRadiusMiles(lengthMiles: number | null, widthYards: number | null, centredOnTrack: boolean): number {
  const reach = (lengthMiles ?? 0) / (centredOnTrack ? 2 : 1) + (widthYards ?? 0) / YARDS_PER_MILE;
  return Math.min(999.99, Math.max(1, Math.round(reach * 100) / 100));
}

/**
 * Severity (weather_events.severity: minor | moderate | severe | extreme), from NWS/SPC thresholds:
 *  - hail: below 1.00 in minor (sub-severe); 1.00 in (NWS severe) moderate; 2.00 in (SPC "significant") severe;
 *    3.00 in and up extreme;
 *  - wind: below 58 mph (50 kt, NWS severe) minor; 58 moderate; 75 mph (65 kt, SPC "significant") severe;
 *    100 mph and up extreme;
 *  - tornado: EFU/EF0/F0 moderate (a tornado always damages something), EF1–EF2 severe, EF3+ extreme;
 *  - hurricane: tropical storm moderate, hurricane severe, category 3+ (major) extreme;
 *  - anything without a measure: null.
 */
export function severityOf(e: { eventType: StormEventType; noaaEventType: string; hailSizeInches: number | null; windSpeedMph: number | null; tornadoRating: string | null; category: number | null }): StormSeverity | null {
  switch (e.eventType) {
    case 'hail':
      if (e.hailSizeInches === null) return null;
      return e.hailSizeInches >= 3 ? 'extreme' : e.hailSizeInches >= 2 ? 'severe' : e.hailSizeInches >= 1 ? 'moderate' : 'minor';
    case 'wind':
      if (e.windSpeedMph === null) return null;
      return e.windSpeedMph >= 100 ? 'extreme' : e.windSpeedMph >= 75 ? 'severe' : e.windSpeedMph >= 58 ? 'moderate' : 'minor';
    case 'tornado': {
      const n = e.tornadoRating ? Number(e.tornadoRating.replace(/^E?F/, '')) : NaN;
      if (!Number.isFinite(n)) return 'moderate';
      return n >= 3 ? 'extreme' : n >= 1 ? 'severe' : 'moderate';
    }
    case 'hurricane':
      if (e.noaaEventType.trim().toUpperCase() === 'TROPICAL STORM') return 'moderate';
      return e.category !== null && e.category >= 3 ? 'extreme' : 'severe';
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------------------

/** A finite number, or null for an empty cell; undefined for text that is not a number. */
function num(text: string | undefined): number | null | undefined {
  const s = (text ?? '').trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function validPoint(latText: string | undefined, lonText: string | undefined): { lat: number; lng: number } | null {
  const lat = num(latText);
  const lng = num(lonText);
  if (lat == null || lng == null) return null;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) return null;
  return { lat, lng };
}

/** "ROUND ROCK" → "Round Rock": BEGIN_LOCATION / CZ_NAME are upper-case; leads and properties are not. */
export function titleCase(text: string): string | null {
  const s = text.trim().replace(/\s+/g, ' ');
  if (!s) return null;
  return s.toLowerCase().replace(/(^|[\s\-/(.'])([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase()).slice(0, 100);
}

const NOAA_EVENT_URL = 'https://www.ncdc.noaa.gov/stormevents/eventdetails.jsp?id=';

/**
 * One details record (column name → cell) → a normalized event, or a row error when the row cannot be an
 * event at all (no usable EVENT_ID or begin time). Anything else questionable becomes a warning and a null.
 * `rowNumber` is the record's position in the file counting the header as row 1 (what a spreadsheet shows).
 */
export function parseStormRow(record: StormRecord, rowNumber: number): StormRowResult {
  const fail = (message: string): StormRowResult => ({ ok: false, error: { row: rowNumber, message } });
  const warnings: string[] = [];
  const get = (c: StormColumn) => (record[c] ?? '').trim();

  const eventIdText = get('EVENT_ID');
  if (!/^\d{1,15}$/.test(eventIdText)) return fail(`EVENT_ID "${eventIdText}" is not a positive whole number`);
  const eventId = Number(eventIdText);

  const state = stateCode(get('STATE'));
  const zone = resolveZoneOffset(get('CZ_TIMEZONE'), state);
  if (!zone) return fail(`CZ_TIMEZONE "${get('CZ_TIMEZONE')}" is not a known time zone and STATE "${get('STATE')}" gives no fallback`);
  if (zone.warning) warnings.push(zone.warning);

  const begin = get('BEGIN_DATE_TIME')
    ? parseNoaaDateTime(get('BEGIN_DATE_TIME'), get('BEGIN_YEARMONTH'))
    : localFromParts(get('BEGIN_YEARMONTH'), get('BEGIN_DAY'), get('BEGIN_TIME'));
  if (!begin) return fail(`BEGIN_DATE_TIME "${get('BEGIN_DATE_TIME')}" is not a DD-MON-YY HH:MM:SS time`);
  let end: LocalDateTime | null = null;
  if (get('END_DATE_TIME') || get('END_YEARMONTH')) {
    end = get('END_DATE_TIME')
      ? parseNoaaDateTime(get('END_DATE_TIME'), get('END_YEARMONTH'))
      : localFromParts(get('END_YEARMONTH'), get('END_DAY'), get('END_TIME'));
    if (!end) warnings.push(`END_DATE_TIME "${get('END_DATE_TIME')}" is not a DD-MON-YY HH:MM:SS time; end left empty`);
  }

  const noaaEventType = get('EVENT_TYPE');
  const eventType = mapEventType(noaaEventType);
  const magnitude = num(get('MAGNITUDE'));
  if (magnitude === undefined) warnings.push(`MAGNITUDE "${get('MAGNITUDE')}" is not a number`);
  const magnitudeValue = magnitude ?? null;

  // Hail MAGNITUDE is the stone diameter in inches; wind MAGNITUDE is knots (Storm Data Export Format). Marine
  // hail and wind keep their measure too, though they stay "other".
  const isHail = /HAIL/i.test(noaaEventType);
  const isWind = /WIND/i.test(noaaEventType) && !/CHILL/i.test(noaaEventType);
  let hailSizeInches: number | null = null;
  let windSpeedKnots: number | null = null;
  if (isHail && magnitudeValue !== null) {
    // hail_size_inches is numeric(3,2): 9.99 at most, after rounding.
    const inches = Math.round(magnitudeValue * 100) / 100;
    if (inches > 0 && inches < 10) hailSizeInches = inches;
    else warnings.push(`hail MAGNITUDE ${magnitudeValue} is not a stone diameter in inches (0–10)`);
  }
  if (isWind && magnitudeValue !== null) {
    if (magnitudeValue > 0 && magnitudeValue < 300) windSpeedKnots = Math.round(magnitudeValue * 100) / 100;
    else warnings.push(`wind MAGNITUDE ${magnitudeValue} is not a speed in knots (0–300)`);
  }
  const windSpeedMph = windSpeedKnots === null ? null : knotsToMph(windSpeedKnots);
  const magnitudeType = get('MAGNITUDE_TYPE').toUpperCase().slice(0, 5) || null;

  const tornadoRating = parseTornadoScale(get('TOR_F_SCALE'));
  if (get('TOR_F_SCALE') && !tornadoRating) warnings.push(`TOR_F_SCALE "${get('TOR_F_SCALE')}" is not an F/EF rating`);

  const damage = (c: 'DAMAGE_PROPERTY' | 'DAMAGE_CROPS') => {
    const v = parseDamage(get(c));
    if (v === undefined) {
      warnings.push(`${c} "${get(c)}" is not a damage amount like 10.00K`);
      return null;
    }
    if (v !== null && v >= 1e12) {
      warnings.push(`${c} "${get(c)}" is beyond $1 trillion`);
      return null;
    }
    return v;
  };
  const damageProperty = damage('DAMAGE_PROPERTY');
  const damageCrops = damage('DAMAGE_CROPS');
  const total = damageProperty === null && damageCrops === null ? null : (damageProperty ?? 0) + (damageCrops ?? 0);
  // damage_estimate is numeric(12,2) (seed 002 §4.3.1): a total of $10 billion or more stays only in the split columns.
  const damageEstimate = total !== null && total < 1e10 ? Math.round(total * 100) / 100 : null;

  const beginPoint = validPoint(record.BEGIN_LAT, record.BEGIN_LON);
  const endPoint = validPoint(record.END_LAT, record.END_LON);
  if ((get('BEGIN_LAT') || get('BEGIN_LON')) && !beginPoint) warnings.push(`BEGIN_LAT/BEGIN_LON "${get('BEGIN_LAT')}, ${get('BEGIN_LON')}" is not a valid point`);
  let point = beginPoint ?? endPoint;
  let radiusMiles = DEFAULT_RADIUS_MILES;
  if (eventType === 'tornado') {
    const length = num(get('TOR_LENGTH')) ?? null;
    const width = num(get('TOR_WIDTH')) ?? null;
    const centred = !!(beginPoint && endPoint);
    if (beginPoint && endPoint) point = { lat: round6((beginPoint.lat + endPoint.lat) / 2), lng: round6((beginPoint.lng + endPoint.lng) / 2) };
    radiusMiles = tornadoRadiusMiles(length, width, centred);
  }

  const category = num(get('CATEGORY')) ?? null;
  const severity = severityOf({ eventType, noaaEventType, hailSizeInches, windSpeedMph, tornadoRating, category });

  return {
    ok: true,
    warnings,
    event: {
      eventId,
      eventType,
      noaaEventType,
      eventDate: `${pad(begin.year, 4)}-${pad(begin.month)}-${pad(begin.day)}`,
      eventTime: `${pad(begin.hour)}:${pad(begin.minute)}:${pad(begin.second)}`,
      beginAt: localToUtc(begin, zone.offsetHours),
      endAt: end ? localToUtc(end, zone.offsetHours) : null,
      utcOffsetHours: zone.offsetHours,
      city: titleCase(get('BEGIN_LOCATION')) ?? titleCase(get('END_LOCATION')),
      state,
      // CZ_TYPE C = county/parish; Z = forecast zone and M = marine zone, which are not counties.
      county: get('CZ_TYPE').toUpperCase() === 'C' ? titleCase(get('CZ_NAME')) : null,
      lat: point?.lat ?? null,
      lng: point?.lng ?? null,
      radiusMiles,
      severity,
      hailSizeInches,
      windSpeedKnots,
      windSpeedMph,
      magnitudeType,
      tornadoRating,
      damageProperty,
      damageCrops,
      damageEstimate,
      sourceUrl: `${NOAA_EVENT_URL}${eventId}`,
      raw: { ...record },
    },
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

// ---------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------

/** The header's missing details columns (an empty list means the file can be read). */
export function missingColumns(header: readonly string[]): string[] {
  const present = new Set(header.map((h) => h.trim().toUpperCase()));
  return STORM_DETAIL_COLUMNS.filter((c) => !present.has(c));
}

export interface ParsedStormRow {
  rowNumber: number;
  result: StormRowResult;
}

/**
 * Streams a details CSV (RFC 4180, as NOAA writes it: text quoted, quotes doubled) and yields each data row's
 * result. The header is checked first: a file missing any of the 51 columns fails with VALIDATION_FAILED naming
 * them, before a single row is yielded. A row whose field count differs from the header's is a row error.
 */
export async function* parseStormFile(input: Readable): AsyncGenerator<ParsedStormRow> {
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, trim: false }));
  // A read error on the source (truncated gzip, I/O) must end the loop below, not vanish in the pipe.
  input.once('error', (err) => parser.destroy(err));
  let header: string[] | null = null;
  let rowNumber = 1;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = checkHeader(cells);
        continue;
      }
      rowNumber++;
      if (cells.length !== header.length) {
        yield { rowNumber, result: { ok: false, error: { row: rowNumber, message: `row has ${cells.length} fields, the header has ${header.length}` } } };
        continue;
      }
      const record: StormRecord = {};
      header.forEach((h, i) => (record[h] = cells[i]!));
      yield { rowNumber, result: parseStormRow(record, rowNumber) };
    }
  } finally {
    // Stopped early (bad header, caller broke off, abort): release the file instead of leaving it half read.
    if (!input.readableEnded) input.destroy();
    parser.destroy();
  }
  if (!header) throw new AppError('VALIDATION_FAILED', { message: 'not a NOAA Storm Events details file: it is empty (no header row)' });
}

/** The header's column names, upper-cased; VALIDATION_FAILED naming every missing details column. */
function checkHeader(cells: string[]): string[] {
  const header = cells.map((h) => h.trim().toUpperCase());
  const missing = missingColumns(header);
  if (missing.length) {
    throw new AppError('VALIDATION_FAILED', {
      message: `not a NOAA Storm Events details file: the header lacks ${missing.length} of the ${STORM_DETAIL_COLUMNS.length} columns: ${missing.join(', ')}`,
      details: { missingColumns: missing },
    });
  }
  return header;
}

/** `StormEvents_details-ftp_v1.0_d2024_c20250401.csv(.gz)` → its data year and revision date (YYYYMMDD). */
export function parseDetailsFileName(name: string): { year: number; revision: string; gzip: boolean } | null {
  const m = /^StormEvents_details-ftp_v1\.0_d(\d{4})_c(\d{8})\.csv(\.gz)?$/.exec(name);
  return m ? { year: Number(m[1]), revision: m[2]!, gzip: !!m[3] } : null;
}

/**
 * The newest revision of each year among file names (NOAA re-publishes a year as new cYYYYMMDD files when
 * late reports arrive). For one revision present both plain and gzipped, the plain file wins (no inflating).
 */
export function newestRevisionPerYear(names: Iterable<string>, years?: ReadonlySet<number>): Map<number, string> {
  const best = new Map<number, { name: string; revision: string; gzip: boolean }>();
  for (const name of names) {
    const f = parseDetailsFileName(name);
    if (!f || (years && !years.has(f.year))) continue;
    const cur = best.get(f.year);
    if (!cur || f.revision > cur.revision || (f.revision === cur.revision && cur.gzip && !f.gzip)) best.set(f.year, { name, ...f });
  }
  return new Map([...best].sort((a, b) => a[0] - b[0]).map(([y, v]) => [y, v.name]));
}
