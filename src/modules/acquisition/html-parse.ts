import { load, type Cheerio, type CheerioAPI } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { AppError } from '../../platform/errors.ts';
import { normalizeAddress, parseAddressLine } from './address.ts';
import {
  PERMIT_FIELDS,
  PROPERTY_FIELDS,
  type NormalizedPermit,
  type PermitField,
  type PropertyField,
  type PropertyRecord,
} from './acquisition.types.ts';

/**
 * Pure parsing for HTML permit portals and assessor sites (issue 4 §2, §4): configured selectors → strings
 * (cheerio, used for both static pages and the DOM Playwright rendered, so one selector means one thing),
 * strings → typed permit / property fields. No I/O here.
 */

export type ExtractedRow = Record<string, string | null>;

// ---------------------------------------------------------------------------------------------------------
// Strings → values
// ---------------------------------------------------------------------------------------------------------

/** Collapses whitespace; empty, dash-only and "N/A" cells are null (portals print these for "no value"). */
export function cleanText(s: string | null | undefined): string | null {
  if (s == null) return null;
  const t = s.replace(/[ \t\r\n\f\v\u00a0]+/g, ' ').trim();
  if (!t || /^(?:-+|—|–|n\/?a|none|null)$/i.test(t)) return null;
  return t;
}

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** 1–12 for a month name or its abbreviation (`Oct`, `Sept`, `October`); null for any other word. */
function monthNumber(word: string): number | null {
  const w = word.toLowerCase();
  if (w.length < 3) return null;
  const i = MONTH_NAMES.findIndex((name) => name.startsWith(w));
  return i < 0 ? null : i + 1;
}

function isoDay(y: number, m: number, d: number): string | null {
  const t = new Date(Date.UTC(y, m - 1, d));
  // Reject 02/30 and friends instead of letting Date roll them into March.
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Two-digit years as US portals print them: 00–69 → 20xx, 70–99 → 19xx. */
function fullYear(y: string): number {
  const n = Number(y);
  if (y.length === 4) return n;
  return n < 70 ? 2000 + n : 1900 + n;
}

/**
 * A calendar day `YYYY-MM-DD` from the date formats portals print: ISO (`2026-10-03`, with or without a time),
 * US `10/03/2026` / `10-3-26`, `Oct 3, 2026`, `3 October 2026`. null for blanks and impossible dates.
 */
export function parseDate(s: string | null | undefined): string | null {
  const t = cleanText(s);
  if (!t) return null;
  let m = /\b(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)/.exec(t);
  if (m) return isoDay(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?!\d)/.exec(t);
  if (m) return isoDay(fullYear(m[3]!), Number(m[1]), Number(m[2]));
  m = /\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b/.exec(t);
  if (m && monthNumber(m[1]!)) return isoDay(Number(m[3]), monthNumber(m[1]!)!, Number(m[2]));
  m = /\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b/.exec(t);
  if (m && monthNumber(m[2]!)) return isoDay(Number(m[3]), monthNumber(m[2]!)!, Number(m[1]));
  return null;
}

/** The first number in the text: `1,850 sq ft` → 1850, `0.25 ac` → 0.25, `-3` → -3. null when none. */
export function parseNumber(s: string | null | undefined): number | null {
  const t = cleanText(s);
  if (!t) return null;
  const m = /-?(?:\d[\d,]*(?:\.\d+)?|\.\d+)/.exec(t);
  if (!m) return null;
  const n = Number(m[0].replaceAll(',', ''));
  return Number.isFinite(n) ? n : null;
}

/** Whole numbers only (`1,998` → 1998); `3.5` is not an integer and gives null. */
export function parseInteger(s: string | null | undefined): number | null {
  const n = parseNumber(s);
  return n !== null && Number.isInteger(n) ? n : null;
}

/**
 * Dollars from money text: `$12,500.00` → 12500, `($1,000)` → -1000, `$1.2M` → 1200000, `85k` → 85000.
 * Rounded to cents; null when the text holds no amount.
 */
export function parseMoney(s: string | null | undefined): number | null {
  const t = cleanText(s);
  if (!t) return null;
  const m = /(\()?\s*(-)?\s*(?:US)?\$?\s*(\d[\d,]*(?:\.\d+)?|\.\d+)\s*([kKmM](?![a-z]))?/.exec(t);
  if (!m) return null;
  let n = Number(m[3]!.replaceAll(',', ''));
  if (!Number.isFinite(n)) return null;
  if (m[4]) n *= m[4].toLowerCase() === 'k' ? 1_000 : 1_000_000;
  if (m[1] || m[2]) n = -n;
  return Math.round(n * 100) / 100;
}

const SQFT_PER_ACRE = 43_560;

/** Lot size in acres; a lot printed in square feet (`10,890 sq ft`, `10890 SF`) is converted. */
export function parseAcres(s: string | null | undefined): number | null {
  const n = parseNumber(s);
  if (n === null) return null;
  if (/\b(?:sq\.?\s*f(?:ee|oo)?t|square\s+f(?:ee|oo)?t|sf|ft²|ft2)\b/i.test(s!)) return Math.round((n / SQFT_PER_ACRE) * 10_000) / 10_000;
  return n;
}

/** Bathrooms: `2.5` → 2.5, `2 full / 1 half` → 2.5 (a half bath counts 0.5). */
export function parseBaths(s: string | null | undefined): number | null {
  const t = cleanText(s);
  if (!t) return null;
  const full = /(\d+)\s*full/i.exec(t);
  const half = /(\d+)\s*half/i.exec(t);
  if (full || half) return Number(full?.[1] ?? 0) + 0.5 * Number(half?.[1] ?? 0);
  return parseNumber(t);
}

/** A plausible construction year, else null (assessors print 0 or 9999 for "unknown"). */
export function parseYear(s: string | null | undefined): number | null {
  const n = parseInteger(s);
  return n !== null && n >= 1600 && n <= 2100 ? n : null;
}

/** Yes/no cells: `Yes`, `Y`, `true`, `1`, `X` → true; `No`, `N`, `false`, `0` → false; anything else null. */
export function parseBool(s: string | null | undefined): boolean | null {
  const t = cleanText(s)?.toLowerCase();
  if (!t) return null;
  if (['yes', 'y', 'true', '1', 'x', '✓'].includes(t)) return true;
  if (['no', 'n', 'false', '0'].includes(t)) return false;
  return null;
}

/** A 5-digit ZIP from `78701`, `78701-1234` or `Austin, TX 78701`. */
export function parseZip(s: string | null | undefined): string | null {
  const m = /(?<!\d)(\d{5})(?:-\d{4})?(?!\d)/.exec(cleanText(s) ?? '');
  return m ? m[1]! : null;
}

/** A two-letter state code (`tx` → `TX`, `Austin, TX 78701` → `TX`). */
export function parseState(s: string | null | undefined): string | null {
  const t = cleanText(s);
  if (!t) return null;
  if (/^[A-Za-z]{2}$/.test(t)) return t.toUpperCase();
  const m = /\b([A-Z]{2})\s+\d{5}\b/.exec(t);
  return m ? m[1]! : null;
}

function parseCoordinate(s: string | null | undefined, limit: number): number | null {
  const n = parseNumber(s);
  return n !== null && Math.abs(n) <= limit ? n : null;
}

/**
 * Splits `123 Main St, Austin, TX 78701` into its parts (address.ts); null unless the line names a city, so a
 * bare street line is left as it is.
 */
export function splitAddressLine(s: string | null | undefined): { street: string; city: string; state: string | null; zip: string | null } | null {
  const t = cleanText(s);
  if (!t) return null;
  const parts = parseAddressLine(t);
  if (!parts.city || !parts.street) return null;
  return { street: parts.street, city: parts.city, state: parts.state ?? null, zip: parts.zip ?? null };
}

/**
 * Absentee owner (seed 002 §3.1.2 "owner mailing address"): tax bills go somewhere other than the property.
 * Compares the street lines by their USPS-normalized key (address.ts), so "123 North Main Street" and
 * "123 N MAIN ST, Austin TX" are the same house. null when the mailing address is unknown; a PO box is absentee.
 */
export function deriveAbsentee(mailingAddress: string | null, siteAddress: string): boolean | null {
  const mailing = cleanText(mailingAddress);
  if (!mailing) return null;
  return normalizeAddress(parseAddressLine(mailing).street) !== normalizeAddress(parseAddressLine(siteAddress).street);
}

// ---------------------------------------------------------------------------------------------------------
// Selectors → strings (cheerio)
// ---------------------------------------------------------------------------------------------------------

export interface FieldSpec {
  /** CSS selector inside the row/page; null means the row element itself (`@data-id`). */
  selector: string | null;
  /** Attribute to read instead of the text. */
  attr: string | null;
}

/** `td.value` → text of td.value; `a.permit@href` → its href; `@data-lat` → the row's own attribute. */
export function parseFieldSpec(spec: string): FieldSpec {
  // An attribute name at the very end after '@'; an '@' inside [attr*="x@y"] is followed by quotes/brackets.
  const m = /^(.*)@([A-Za-z_:][-\w:.]*)$/.exec(spec);
  if (!m) return { selector: spec.trim(), attr: null };
  const selector = m[1]!.trim();
  return { selector: selector || null, attr: m[2]! };
}

/** Line-break marker: <br> becomes ", " so "4410 Ridge Oak Dr<br>Austin, TX" keeps its lines apart. */
const BR = '\u2028';

function loadHtml(html: string): CheerioAPI {
  const $ = load(html);
  $('br').replaceWith(BR);
  $('script, style, template').remove();
  return $;
}

function textOf($el: Cheerio<AnyNode>): string | null {
  const raw = $el.first().text().replace(/[ \t\r\n\f\v\u00a0]+/g, ' ');
  return cleanText(raw.replace(new RegExp(`\\s*${BR}+\\s*`, 'g'), ', ').replace(/^, |, $/g, ''));
}

function readField($: CheerioAPI, scope: Cheerio<AnyNode> | null, spec: FieldSpec): string | null {
  const target = spec.selector === null ? scope ?? $.root() : scope ? scope.find(spec.selector) : $(spec.selector);
  if (!target || target.length === 0) return null;
  if (spec.attr) return cleanText(target.first().attr(spec.attr) ?? null);
  return textOf(target);
}

/** Throws VALIDATION_FAILED naming `<label>` when cheerio cannot parse the selector. */
export function assertSelector(selector: string, label: string): void {
  try {
    load('<p></p>')(selector);
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', {
      message: `${label}: invalid selector "${selector}": ${(err as Error).message}`,
      details: { field: label, selector },
    });
  }
}

/** Validates every `fields` selector up front, so a typo fails before any request is sent. */
export function assertFieldSpecs(fields: Record<string, string>, label = 'fields'): void {
  for (const [name, spec] of Object.entries(fields)) {
    const { selector } = parseFieldSpec(spec);
    if (selector !== null) assertSelector(selector, `${label}.${name}`);
  }
}

/** Every row matching `rowSelector`, each as field → cleaned string (null when the cell is missing/blank). */
export function extractRows(html: string, rowSelector: string, fields: Record<string, string>): ExtractedRow[] {
  const $ = loadHtml(html);
  const specs = Object.entries(fields).map(([name, spec]) => [name, parseFieldSpec(spec)] as const);
  return $(rowSelector)
    .toArray()
    .map((el) => {
      const row = $(el);
      return Object.fromEntries(specs.map(([name, spec]) => [name, readField($, row, spec)]));
    });
}

/** Page-level fields (a parcel page): field → cleaned string. */
export function extractFields(html: string, fields: Record<string, string>): ExtractedRow {
  const $ = loadHtml(html);
  return Object.fromEntries(Object.entries(fields).map(([name, spec]) => [name, readField($, null, parseFieldSpec(spec))]));
}

export function countMatches(html: string, selector: string): number {
  return load(html)(selector).length;
}

/** The first element matching `selector`: whether it is there, disabled (attribute, aria, class), and its href. */
export function findLink(html: string, selector: string): { present: boolean; disabled: boolean; href: string | null } {
  const $ = load(html);
  const el = $(selector).first();
  if (el.length === 0) return { present: false, disabled: false, href: null };
  const disabled =
    el.is('[disabled]') || el.attr('aria-disabled') === 'true' || /(?:^|\s)disabled(?:\s|$)/.test(el.attr('class') ?? '');
  return { present: true, disabled, href: cleanText(el.attr('href') ?? null) };
}

// ---------------------------------------------------------------------------------------------------------
// Strings → NormalizedPermit / PropertyRecord
// ---------------------------------------------------------------------------------------------------------

/** Throws VALIDATION_FAILED naming the first `fields` key that is not one of `known`. */
export function assertKnownFields(fields: Record<string, string>, known: readonly string[], label = 'fields'): void {
  for (const name of Object.keys(fields)) {
    if (!known.includes(name)) {
      throw new AppError('VALIDATION_FAILED', {
        message: `${label}.${name} is not a known field (expected one of: ${known.join(', ')})`,
        details: { field: `${label}.${name}` },
      });
    }
  }
}

const PERMIT_DATES = new Set<PermitField>(['appliedDate', 'issueDate', 'completionDate']);

/**
 * One extracted row → NormalizedPermit, or null when it has no permit number (a header or summary row).
 * A street line that carries `, City, ST ZIP` fills city/state/zip the row did not give.
 */
export function mapPermitRow(
  row: ExtractedRow,
  opts: { defaultCity?: string | null; defaultState?: string | null; sourceUrl?: string | null } = {},
): NormalizedPermit | null {
  const permitNumber = cleanText(row.permitNumber);
  if (!permitNumber) return null;
  const p = Object.fromEntries(PERMIT_FIELDS.map((f) => [f, null])) as unknown as NormalizedPermit;
  for (const f of PERMIT_FIELDS) {
    const v = row[f];
    if (v === undefined) continue;
    if (PERMIT_DATES.has(f)) (p as unknown as Record<string, unknown>)[f] = parseDate(v);
    else if (f === 'estimatedValue') p.estimatedValue = parseMoney(v);
    else if (f === 'lat') p.lat = parseCoordinate(v, 90);
    else if (f === 'lng') p.lng = parseCoordinate(v, 180);
    else if (f === 'zip') p.zip = parseZip(v);
    else if (f === 'state') p.state = parseState(v);
    else (p as unknown as Record<string, unknown>)[f] = cleanText(v);
  }
  p.permitNumber = permitNumber;
  const split = splitAddressLine(p.address);
  if (split) {
    p.address = split.street;
    p.city ??= split.city;
    p.state ??= split.state;
    p.zip ??= split.zip;
  }
  p.city ??= opts.defaultCity ?? null;
  p.state ??= opts.defaultState ?? null;
  p.sourceUrl = opts.sourceUrl ?? null;
  p.raw = { ...row };
  return p;
}

/** The calendar day a permit's window applies to: issued, else applied (YYYY-MM-DD or null). */
export function permitWindowDay(p: NormalizedPermit): string | null {
  return p.issueDate ?? p.appliedDate;
}

const PROPERTY_PARSERS: Partial<Record<PropertyField, (s: string | null) => unknown>> = {
  isAbsentee: parseBool,
  assessedValue: parseMoney,
  marketValue: parseMoney,
  lastSalePrice: parseMoney,
  taxAmount: parseMoney,
  yearBuilt: parseYear,
  sqft: parseInteger,
  lotSize: parseAcres,
  beds: parseInteger,
  baths: parseBaths,
  lastSaleDate: parseDate,
  zip: parseZip,
  state: parseState,
  lat: (s) => parseCoordinate(s, 90),
  lng: (s) => parseCoordinate(s, 180),
};

/**
 * A parcel page's fields → PropertyRecord. The searched address fills what the page does not show; absentee
 * comes from the page when it says so, else from comparing the mailing address to the site address.
 */
export function mapPropertyFields(
  extracted: ExtractedRow,
  searched: { address: string; city: string; state: string; zip?: string | null },
): PropertyRecord {
  const r = Object.fromEntries(PROPERTY_FIELDS.map((f) => [f, null])) as unknown as PropertyRecord;
  for (const f of PROPERTY_FIELDS) {
    const v = extracted[f];
    if (v === undefined) continue;
    const parse = PROPERTY_PARSERS[f];
    (r as unknown as Record<string, unknown>)[f] = parse ? parse(v) : cleanText(v);
  }
  const split = splitAddressLine(r.address);
  if (split) {
    r.address = split.street;
    r.city ??= split.city;
    r.state ??= split.state ?? searched.state.toUpperCase();
    r.zip ??= split.zip;
  }
  r.address ??= searched.address;
  r.city ??= searched.city;
  r.state ??= searched.state.toUpperCase();
  r.zip ??= searched.zip ?? null;
  r.isAbsentee ??= deriveAbsentee(r.ownerMailingAddress, r.address);
  r.raw = { ...extracted };
  return r;
}
