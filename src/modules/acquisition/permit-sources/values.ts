import { createHash } from 'node:crypto';
import { toStateCode } from '../address.ts';
import type { NormalizedPermit, TPermitFieldMap } from '../acquisition.types.ts';

/**
 * Value coercion shared by every permit source. Portals hand over the same facts in different shapes: Socrata
 * sends every number as a string and dates as floating timestamps ("2026-10-03T00:00:00.000"), ArcGIS sends
 * dates as epoch milliseconds, CSV exports as "10/03/2026" or "$12,500.00". Everything here is pure.
 */

/** Trimmed text; empty, whitespace-only, and non-scalar values → null. */
export function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return null;
  const s = v.replace(/\s+/g, ' ').trim();
  return s === '' ? null : s;
}

/** A number from a number or a numeric string ("12500", "$12,500.00", " 3.5 "); anything else → null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim().replace(/^\$/, '').replace(/,/g, '').replace(/^\(\$?(.*)\)$/, '-$1');
  if (s === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Dollars for permits.estimated_value (numeric(14,2)): negative or ≥ 10^12 is not a valuation → null. */
export function toDollars(v: unknown): number | null {
  const n = toNumber(v);
  if (n === null || n < 0 || n >= 1e12) return null;
  return Math.round(n * 100) / 100;
}

/** A latitude/longitude in range; (0, 0)-style placeholders are handled by toLatLng. */
export function toCoordinate(v: unknown, axis: 'lat' | 'lng'): number | null {
  const n = toNumber(v);
  if (n === null) return null;
  const limit = axis === 'lat' ? 90 : 180;
  return Math.abs(n) <= limit ? n : null;
}

/** Both coordinates or neither: portals use 0/0 (or one missing half) for "not geocoded". */
export function toLatLng(lat: unknown, lng: unknown): { lat: number | null; lng: number | null } {
  const a = toCoordinate(lat, 'lat');
  const b = toCoordinate(lng, 'lng');
  if (a === null || b === null || (a === 0 && b === 0)) return { lat: null, lng: null };
  return { lat: a, lng: b };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function validDay(y: number, m: number, d: number): string | null {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  if (y < 1800 || y > 2200) return null;
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** The calendar day of an instant in a time zone (IANA name); UTC when none is given. */
export function dayInZone(instant: Date, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * The instant a calendar day starts in a time zone, e.g. 2026-10-03 in America/New_York → 2026-10-03T04:00Z.
 * The zone's offset is read at the guessed instant and once more after moving, which settles DST days.
 */
export function zonedMidnightUtc(day: string, timeZone = 'UTC'): Date {
  const base = Date.parse(`${day}T00:00:00.000Z`);
  if (Number.isNaN(base)) throw new Error(`zonedMidnightUtc: not a YYYY-MM-DD day: ${day}`);
  const offsetAt = (t: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(t));
    const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - t;
  };
  let t = base - offsetAt(base);
  t = base - offsetAt(t);
  return new Date(t);
}

/**
 * ArcGIS esriFieldTypeDate (epoch milliseconds, UTC) → the calendar day in `timeZone`. Portals store a local
 * date as local midnight, so a Central-time permit of Oct 3 arrives as 2026-10-03T05:00Z; read in the city's
 * zone it stays Oct 3 even when the stored time is late in the evening.
 */
export function epochMsToDay(ms: number, timeZone = 'UTC'): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  return dayInZone(new Date(ms), timeZone);
}

/**
 * Any date a portal sends → YYYY-MM-DD, or null:
 * - Socrata floating timestamps and ISO dates without a zone ("2026-10-03T00:00:00.000", "2026-10-03"): the
 *   day as written (floating means local to the city, so no conversion);
 * - ISO instants with a zone ("2026-10-03T05:00:00Z", "…-05:00"): the day in `timeZone`;
 * - US "MM/DD/YYYY" (optionally with a time) and compact "YYYYMMDD";
 * - numbers and all-digit strings: epoch milliseconds (ArcGIS).
 */
export function toDay(v: unknown, timeZone = 'UTC'): string | null {
  if (typeof v === 'number') return epochMsToDay(v, timeZone);
  const s = toText(v);
  if (!s) return null;
  if (/^-?\d{9,}$/.test(s)) return epochMsToDay(Number(s), timeZone);
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (compact) return validDay(Number(compact[1]), Number(compact[2]), Number(compact[3]));
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m) {
    if (m[7]) {
      const t = Date.parse(s.replace(' ', 'T'));
      return Number.isNaN(t) ? null : dayInZone(new Date(t), timeZone);
    }
    return validDay(Number(m[1]), Number(m[2]), Number(m[3]));
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$/i.exec(s);
  if (m) return validDay(Number(m[3]), Number(m[1]), Number(m[2]));
  return null;
}

/** ZIP or ZIP+4 as text; numeric ZIPs that lost their leading zeros (2134 → "02134") are padded. */
export function toZip(v: unknown): string | null {
  const s = toText(v);
  if (!s) return null;
  const m = /^(\d{3,5})(?:[-\s]?(\d{4}))?$/.exec(s);
  if (!m) return null;
  const five = m[1]!.padStart(5, '0');
  return m[2] ? `${five}-${m[2]}` : five;
}

/** Two-letter state code from a code or a name ("tx", "Texas"); null when unrecognised. */
export function toState(v: unknown): string | null {
  const s = toText(v);
  return s ? (toStateCode(s) ?? null) : null;
}

/** Text clipped to a column width (varchar(n)), so one long portal value cannot fail a whole page. */
export function clip(s: string | null, max: number): string | null {
  if (s === null) return null;
  return s.length <= max ? s : s.slice(0, max);
}

/** A value by column name, or by a dotted path into nested objects ("location.latitude"). */
export function pick(record: Record<string, unknown>, column: string | undefined): unknown {
  if (!column) return undefined;
  if (column in record) return record[column];
  if (!column.includes('.')) return undefined;
  let cur: unknown = record;
  for (const part of column.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface MapOptions {
  /** IANA zone for instants (epoch ms, ISO with offset); floating dates are taken as written. */
  timeZone?: string;
  /** Coordinates from outside the attributes (ArcGIS geometry), used when the field map names none. */
  geometry?: { lat: unknown; lng: unknown } | null;
  sourceUrl?: string | null;
}

/**
 * One source record → NormalizedPermit through the city's field map. A record without a permit number keeps
 * permitNumber '' and is skipped (and counted) by the service, so the count of received records stays honest.
 */
export function mapPermitRecord(record: Record<string, unknown>, map: TPermitFieldMap, opts: MapOptions = {}): NormalizedPermit {
  const tz = opts.timeZone;
  const text = (f: keyof TPermitFieldMap) => toText(pick(record, map[f]));
  const coords = map.lat || map.lng || !opts.geometry
    ? toLatLng(pick(record, map.lat), pick(record, map.lng))
    : toLatLng(opts.geometry.lat, opts.geometry.lng);
  return {
    permitNumber: text('permitNumber') ?? '',
    address: text('address'),
    city: text('city'),
    state: toState(pick(record, map.state)),
    zip: toZip(pick(record, map.zip)),
    lat: coords.lat,
    lng: coords.lng,
    permitType: text('permitType'),
    permitClass: text('permitClass'),
    workDescription: text('workDescription'),
    estimatedValue: toDollars(pick(record, map.estimatedValue)),
    contractorName: text('contractorName'),
    contractorLicense: text('contractorLicense'),
    appliedDate: toDay(pick(record, map.appliedDate), tz),
    issueDate: toDay(pick(record, map.issueDate), tz),
    completionDate: toDay(pick(record, map.completionDate), tz),
    permitStatus: text('permitStatus'),
    sourceUrl: opts.sourceUrl ?? null,
    raw: record,
  };
}

/** YYYY-MM-DD of a window bound (windows are built on UTC day boundaries by the service). */
export const windowDay = (d: Date): string => d.toISOString().slice(0, 10);

/** permits.source is varchar(100): a long identity keeps its readable head and gets a short hash. */
export function boundedSourceKey(kind: string, identity: string): string {
  const key = `${kind}:${identity}`;
  if (key.length <= 100) return key;
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  return `${key.slice(0, 100 - hash.length - 1)}~${hash}`;
}

/** Words safe inside a SoQL / ArcGIS SQL LIKE literal: quotes doubled, LIKE wildcards dropped, uppercased. */
export function likeWord(word: string): string {
  return word.replace(/[%_]/g, '').replace(/'/g, "''").toUpperCase();
}
