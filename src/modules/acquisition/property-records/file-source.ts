import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { z } from 'zod';
import { AppError } from '../../../platform/errors.ts';
import { sendRequest } from '../../../platform/http.ts';
import type { Db } from '../../../platform/db.ts';
import { type PropertyField, type PropertyRecord, type ZAssessorFileSource } from '../acquisition.types.ts';
import { normalizeAddress, parseAddressLine, toStateCode } from '../address.ts';

/**
 * Bulk assessor exports (issue 4 §4; seed 002 §3.1.2 "CSV/JSON import"): a CSV or a JSON array of records, from a
 * file, a folder of such files, or a URL, mapped through the city's fieldMap into PropertyRecords. County
 * exports are messy — "$250,000", "06/14/2019", "Y"/"N", ZIPs that lost their leading zero in a spreadsheet — so
 * every value is coerced here, and a row whose value cannot be read is reported (file, row, field) and skipped
 * without stopping the file.
 */
export type TAssessorFileSource = z.infer<typeof ZAssessorFileSource>;

export interface RowError {
  /** File name (or URL) the row came from. */
  file: string;
  /** CSV: the line number as a spreadsheet shows it (header = 1). JSON: the 1-based array position. 0 = whole file. */
  row: number;
  field: string;
  message: string;
}

export interface FileSourceOptions {
  /** Relative paths resolve against this folder (config FIXTURES_DIR). */
  fixturesDir: string;
  /** City/state for records whose row has none (a county export of one city). */
  defaultCity?: string;
  defaultState?: string;
  /** Records per yielded batch. */
  batchSize?: number;
  /** For URL sources: api_usage_logs and the request timeout. */
  usageDb?: Db | null;
  timeoutMs?: number;
  userAgent?: string;
  signal?: AbortSignal;
}

class FieldError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Value coercion: each returns null for "no value" and throws FieldError for a value it cannot read.
// ---------------------------------------------------------------------------------------------------------

const MISSING = new Set(['', 'N/A', 'NA', 'NULL', 'NONE', '-', '--']);

/** Trimmed text, or null for empty / placeholder values. */
export function readText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return null;
  const s = v.replace(/\s+/g, ' ').trim();
  return MISSING.has(s.toUpperCase()) ? null : s;
}

/** "$250,000", "250000.00", " 1,234.5 ", "(1,000)" (accounting negative) → number. */
export function readNumber(v: unknown, field: string): number | null {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FieldError(field, `${field}: not a finite number`);
    return v;
  }
  const s = readText(v);
  if (s === null) return null;
  const negative = /^\(.*\)$/.test(s);
  const cleaned = s.replace(/^\((.*)\)$/, '$1').replace(/[$,\s]/g, '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(cleaned)) throw new FieldError(field, `${field}: "${s}" is not a number`);
  const n = Number(cleaned);
  return negative ? -n : n;
}

function readBounded(v: unknown, field: string, min: number, max: number, integer: boolean): number | null {
  const n = readNumber(v, field);
  if (n === null) return null;
  if (n < min || n > max) throw new FieldError(field, `${field}: ${n} is outside ${min}..${max}`);
  if (integer && !Number.isInteger(n)) throw new FieldError(field, `${field}: ${n} is not a whole number`);
  return n;
}

/** Money in dollars, rounded to cents; negative values are no valuation. */
export function readMoney(v: unknown, field: string, below = 1e12): number | null {
  const n = readBounded(v, field, 0, below - 0.01, false);
  return n === null ? null : Math.round(n * 100) / 100;
}

const SQFT_PER_ACRE = 43_560;

/** Acres; "10,890 sq ft" / "10890 SF" is converted (county exports give either). */
export function readAcres(v: unknown, field = 'lotSize'): number | null {
  const s = typeof v === 'number' ? String(v) : readText(v);
  if (s === null) return null;
  const sqft = s.match(/^(.*?)\s*(sq\.?\s*ft\.?|sqft|sf)$/i);
  if (sqft) {
    const n = readBounded(sqft[1], field, 0, 1e9, false);
    return n === null ? null : Math.round((n / SQFT_PER_ACRE) * 100) / 100;
  }
  const n = readBounded(s.replace(/\s*(acres?|ac)\.?$/i, ''), field, 0, 1e7, false);
  return n === null ? null : Math.round(n * 100) / 100;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function calendarDay(y: number, m: number, d: number, field: string, raw: string): string {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d || y < 1700 || y > 2200) {
    throw new FieldError(field, `${field}: "${raw}" is not a calendar date`);
  }
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** MM/DD/YYYY (or M/D/YY), YYYY-MM-DD with or without a time, or epoch milliseconds → YYYY-MM-DD. */
export function readDate(v: unknown, field: string): string | null {
  if (typeof v === 'number') {
    const d = new Date(v);
    if (!Number.isFinite(v) || Number.isNaN(d.getTime())) throw new FieldError(field, `${field}: ${v} is not a timestamp`);
    return d.toISOString().slice(0, 10);
  }
  const s = readText(v);
  if (s === null) return null;
  let m = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/);
  if (m) return calendarDay(Number(m[1]), Number(m[2]), Number(m[3]), field, s);
  m = s.match(/^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?: [\d:]+(?: ?[AP]M)?)?$/i);
  if (m) {
    // Two-digit years: sales and permits are in the past, so "19" is 2019 and "85" is 1985.
    const yy = Number(m[3]);
    const year = m[3]!.length === 4 ? yy : yy + (yy <= (new Date().getUTCFullYear() % 100) ? 2000 : 1900);
    return calendarDay(year, Number(m[1]), Number(m[2]), field, s);
  }
  if (/^\d{12,13}$/.test(s)) return readDate(Number(s), field);
  throw new FieldError(field, `${field}: "${s}" is not a date (expected MM/DD/YYYY or YYYY-MM-DD)`);
}

const TRUE_WORDS = new Set(['Y', 'YES', 'TRUE', 'T', '1', 'X']);
const FALSE_WORDS = new Set(['N', 'NO', 'FALSE', 'F', '0']);

export function readBoolean(v: unknown, field: string): boolean | null {
  if (typeof v === 'boolean') return v;
  const s = readText(v);
  if (s === null) return null;
  if (TRUE_WORDS.has(s.toUpperCase())) return true;
  if (FALSE_WORDS.has(s.toUpperCase())) return false;
  throw new FieldError(field, `${field}: "${s}" is not yes/no`);
}

/** ZIP5 from "78701", "78701-1234", or a spreadsheet-mangled 2134 (→ "02134"). */
export function readZip(v: unknown, field = 'zip'): string | null {
  const s = typeof v === 'number' ? String(v) : readText(v);
  if (s === null) return null;
  const m = s.match(/^(\d{3,5})(?:-\d{4})?$/);
  if (!m) throw new FieldError(field, `${field}: "${s}" is not a ZIP code`);
  return m[1]!.padStart(5, '0');
}

function readState(v: unknown, field = 'state'): string | null {
  const s = readText(v);
  if (s === null) return null;
  const code = toStateCode(s);
  if (!code) throw new FieldError(field, `${field}: "${s}" is not a US state`);
  return code;
}

// ---------------------------------------------------------------------------------------------------------
// Row mapping
// ---------------------------------------------------------------------------------------------------------

/** Column lookup: exact name, then case/space-insensitive; "A+B+C" joins several columns with ", ". */
function columnValue(row: Record<string, unknown>, spec: string): unknown {
  if (spec in row) return row[spec];
  if (spec.includes('+')) {
    const parts = spec.split('+').map((c) => readText(columnValue(row, c.trim()))).filter((p): p is string => !!p);
    return parts.length ? parts.join(', ') : null;
  }
  const want = spec.trim().toLowerCase();
  const key = Object.keys(row).find((k) => k.trim().toLowerCase() === want);
  return key === undefined ? undefined : row[key];
}

/**
 * Absentee owner (seed 002 §3.1.2): the tax bill goes elsewhere than the house. The mailing line is parsed and
 * its street compared by normalized key; a known and different ZIP also counts as elsewhere.
 */
export function deriveAbsentee(site: { address: string; zip: string | null }, mailing: string | null): boolean | null {
  if (!mailing) return null;
  const m = parseAddressLine(mailing);
  if (!m.street) return null;
  if (sameHouseKey(m.street) !== sameHouseKey(site.address)) return true;
  return !!(m.zip && site.zip && m.zip !== site.zip);
}

/** The normalized key with any unit designator read as UNIT: "APT 5" on the roll and "UNIT 5" on the bill are one home. */
function sameHouseKey(street: string): string {
  return normalizeAddress(street).replace(/ (APT|UNIT|STE|RM|SPC|LOT|BLDG|FL|TRLR|PH|OFC) (?=\S+$)/, ' UNIT ');
}

/** Maps one source row through the fieldMap. Throws FieldError naming the first field it cannot read. */
export function mapPropertyRow(
  row: Record<string, unknown>,
  fieldMap: Partial<Record<PropertyField, string>>,
  defaults: { city?: string; state?: string } = {},
): PropertyRecord {
  const get = (f: PropertyField) => (fieldMap[f] ? columnValue(row, fieldMap[f]!) : undefined);
  let address = readText(get('address'));
  if (!address) throw new FieldError('address', `address: column "${fieldMap.address}" is empty`);
  let city = readText(get('city'));
  let state = readState(get('state'));
  let zip = readZip(get('zip'));
  // A one-line situs address ("1234 Oak St, Austin, TX 78701") also fills the columns a row lacks.
  if (address.includes(',')) {
    const p = parseAddressLine(address);
    address = p.street || address;
    city ??= p.city ?? null;
    state ??= p.state ?? null;
    zip ??= p.zip ?? null;
  }
  city ??= defaults.city ?? null;
  state ??= defaults.state ? (toStateCode(defaults.state) ?? null) : null;
  if (!city) throw new FieldError('city', 'city: the row has no city and the import has no default');
  if (!state) throw new FieldError('state', 'state: the row has no state and the import has no default');

  const lat = readBounded(get('lat'), 'lat', -90, 90, false);
  const lng = readBounded(get('lng'), 'lng', -180, 180, false);
  const hasPoint = lat !== null && lng !== null && !(lat === 0 && lng === 0);
  const ownerMailingAddress = readText(get('ownerMailingAddress'));
  const flagged = readBoolean(get('isAbsentee'), 'isAbsentee');
  const yearMax = new Date().getUTCFullYear() + 2;

  return {
    parcelId: readText(get('parcelId')),
    address,
    city,
    state,
    zip,
    ownerName: readText(get('ownerName')),
    ownerMailingAddress,
    isAbsentee: flagged ?? deriveAbsentee({ address, zip }, ownerMailingAddress),
    assessedValue: readMoney(get('assessedValue'), 'assessedValue'),
    marketValue: readMoney(get('marketValue'), 'marketValue'),
    yearBuilt: zeroAsNull(readBounded(get('yearBuilt'), 'yearBuilt', 0, yearMax, true)),
    sqft: zeroAsNull(readBounded(get('sqft'), 'sqft', 0, 10_000_000, true)),
    lotSize: readAcres(get('lotSize')),
    beds: readBounded(get('beds'), 'beds', 0, 200, true),
    baths: readBounded(get('baths'), 'baths', 0, 99, false),
    propertyType: readText(get('propertyType'))?.slice(0, 50) ?? null,
    lastSaleDate: readDate(get('lastSaleDate'), 'lastSaleDate'),
    lastSalePrice: readMoney(get('lastSalePrice'), 'lastSalePrice'),
    taxAmount: readMoney(get('taxAmount'), 'taxAmount', 1e10),
    lat: hasPoint ? lat : null,
    lng: hasPoint ? lng : null,
    raw: row,
  };
}

/** County exports write 0 for "unknown" year built or area. */
function zeroAsNull(n: number | null): number | null {
  return n === 0 ? null : n;
}

// ---------------------------------------------------------------------------------------------------------
// Reading files
// ---------------------------------------------------------------------------------------------------------

interface RawRow {
  file: string;
  row: number;
  /** JSON: elements in the file (for progress). */
  total?: number;
  /** null: a JSON element that is not an object. */
  values: Record<string, unknown> | null;
}

async function* csvRows(file: string, input: Readable): AsyncGenerator<RawRow> {
  const parser = input.pipe(
    parse({ columns: (h: string[]) => h.map((c) => c.trim()), bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }),
  );
  for await (const rec of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number } }>) {
    yield { file, row: rec.info.lines, values: rec.record };
  }
}

function* jsonRows(file: string, text: string): Generator<RawRow> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FieldError('(file)', `not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new FieldError('(file)', 'a JSON assessor export must be an array of records');
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    const isRecord = v !== null && typeof v === 'object' && !Array.isArray(v);
    yield { file, row: i + 1, total: data.length, values: isRecord ? (v as Record<string, unknown>) : null };
  }
}

/**
 * A configured assessor export. `records()` yields batches of PropertyRecords; rows it could not read are in
 * `errors` (all of them counted in `failed`, the first 1000 kept with file, row and field).
 */
export class AssessorFileSource {
  readonly errors: RowError[] = [];
  failed = 0;
  received = 0;
  private totalBytes = 0;
  private doneBytes = 0;
  private currentBytes: () => number = () => 0;

  constructor(
    readonly config: TAssessorFileSource,
    private readonly o: FileSourceOptions,
  ) {}

  /** Stored in properties.source: "csv:<file or folder name>" / "json:<host>/<file name>". */
  get sourceKey(): string {
    const url = this.config.url ? new URL(this.config.url) : null;
    const where = url ? `${url.host}/${path.posix.basename(url.pathname)}` : path.basename(this.config.path!);
    return `${this.config.kind}:${where}`.slice(0, 50);
  }

  private fail(file: string, row: number, field: string, message: string) {
    this.failed++;
    if (this.errors.length < 1000) this.errors.push({ file, row, field, message });
  }

  /** The files a path names: the file itself, or the folder's *.csv / *.json (by kind), sorted. */
  async files(): Promise<string[]> {
    const p = path.resolve(this.o.fixturesDir, this.config.path!);
    const info = await stat(p).catch(() => null);
    if (!info) throw new AppError('VALIDATION_FAILED', { message: `path: ${p} does not exist`, details: { field: 'path' } });
    if (info.isFile()) {
      this.totalBytes = info.size;
      return [p];
    }
    const ext = `.${this.config.kind}`;
    const names = (await readdir(p)).filter((n) => n.toLowerCase().endsWith(ext)).sort();
    if (names.length === 0) throw new AppError('VALIDATION_FAILED', { message: `path: folder ${p} has no *${ext} files`, details: { field: 'path' } });
    const files = names.map((n) => path.join(p, n));
    for (const f of files) this.totalBytes += (await stat(f)).size;
    return files;
  }

  /** Share of the input read so far, 0–1, by bytes (the row count of a file is unknown until it is read). */
  fractionRead(): number {
    if (this.totalBytes === 0) return 0;
    return Math.min(1, (this.doneBytes + this.currentBytes()) / this.totalBytes);
  }

  private async *rawRows(): AsyncGenerator<RawRow> {
    if (this.config.url) {
      const res = await sendRequest({
        provider: 'assessor_export',
        url: this.config.url,
        timeoutMs: this.o.timeoutMs ?? 120_000,
        headers: { accept: this.config.kind === 'csv' ? 'text/csv, */*' : 'application/json', ...(this.o.userAgent ? { 'user-agent': this.o.userAgent } : {}) },
        signal: this.o.signal,
        usage: this.o.usageDb ? { db: this.o.usageDb, service: 'acquisition', requestParams: { url: this.config.url } } : null,
      });
      this.totalBytes = Buffer.byteLength(res.text);
      yield* this.fileRows(this.config.url, async () => res.text);
      return;
    }
    for (const file of await this.files()) yield* this.fileRows(path.basename(file), () => readFile(file, 'utf8'), file);
  }

  /** Rows of one file; a file that cannot be parsed at all is one error, and the next file still runs. */
  private async *fileRows(name: string, text: () => Promise<string>, filePath?: string): AsyncGenerator<RawRow> {
    try {
      if (this.config.kind === 'json') {
        const body = await text();
        const size = Buffer.byteLength(body);
        for (const row of jsonRows(name, body)) {
          this.currentBytes = () => (size * row.row) / Math.max(1, row.total ?? 1);
          yield row;
        }
      } else if (filePath) {
        const stream = createReadStream(filePath);
        this.currentBytes = () => stream.bytesRead;
        yield* csvRows(name, stream);
      } else {
        const body = await text();
        let read = 0;
        this.currentBytes = () => read;
        yield* csvRows(name, Readable.from([body]));
        read = Buffer.byteLength(body);
      }
    } catch (err) {
      const e = err as Error & { lines?: number; row?: number; field?: string };
      this.fail(name, e.row ?? e.lines ?? 0, e instanceof FieldError ? e.field : '(file)', `${name}: ${e.message}`);
    } finally {
      this.doneBytes += this.currentBytes();
      this.currentBytes = () => 0;
    }
  }

  async *records(): AsyncGenerator<PropertyRecord[]> {
    const batchSize = this.o.batchSize ?? 500;
    const fieldMap = this.config.fieldMap as Partial<Record<PropertyField, string>>;
    let batch: PropertyRecord[] = [];
    for await (const raw of this.rawRows()) {
      if (this.o.signal?.aborted) throw this.o.signal.reason;
      this.received++;
      if (!raw.values) {
        this.fail(raw.file, raw.row, '(record)', 'not an object');
        continue;
      }
      try {
        batch.push(mapPropertyRow(raw.values, fieldMap, { city: this.o.defaultCity, state: this.o.defaultState }));
      } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        this.fail(raw.file, raw.row, err.field, err.message);
        continue;
      }
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
}
