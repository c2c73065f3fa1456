import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ZAssessorFileSource, ZPermitSourceConfig, type TPermitSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';
import { formatCsvField, parseCsv, toCsv } from '../../src/modules/exports/csv.ts';
import { STORM_DETAIL_COLUMNS } from '../../src/modules/acquisition/storm-events.parser.ts';

/**
 * The bundled demo data set (issue 4 §7) and its loader. `test/fixtures/demo/` holds three cities' permits in three
 * source formats (Socrata records, ArcGIS features, BLDS CSV files), their assessor exports and one NOAA Storm Events
 * details file, all dated relative to a fixed reference date. prepareDemoFixtures copies the set to a work folder
 * with every date moved by the whole number of days between that reference date and "today", so a demo run on any
 * day sees fresh permits and recent storms. Pure data work: no network, no database.
 */

/** The placeholder origin of the Socrata/ArcGIS configs; the demo swaps in the URL of its local replay server. */
export const REPLAY_PLACEHOLDER = 'http://replay.invalid';

/** Written into a prepared folder's manifest, so a later run may replace that folder (and no other). */
const PREPARED_MARKER = 'prepareDemoFixtures';

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------------------
// Manifest
// ---------------------------------------------------------------------------------------------------------

const ZYmd = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a calendar date YYYY-MM-DD');

/** A path inside the fixtures folder: relative, forward slashes, never climbing out of it. */
const ZRelPath = z
  .string()
  .min(1)
  .refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'), 'must be a relative path inside the fixtures folder');

export const ZDemoCluster = z.object({
  name: z.string().min(1),
  center: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }),
  /** Roofing permits of one neighbourhood wave (issue 4 neighbour-permit trigger: ≥5 within 0.25 mi in 30 days). */
  permitNumbers: z.array(z.string().min(1)).min(5),
});

export const ZDemoCity = z.object({
  city: z.string().min(1),
  state: z.string().length(2),
  /** Folder of the city's files, e.g. austin-tx. */
  slug: z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and dashes'),
  permitSource: ZPermitSourceConfig,
  assessorSource: ZAssessorFileSource,
  /** The permit files the replay server or CSV source reads. */
  permitsFiles: z.array(ZRelPath).min(1),
  clusters: z.array(ZDemoCluster).default([]),
});

export const ZDemoManifest = z.object({
  referenceDate: ZYmd,
  seed: z.number().int().optional(),
  cities: z.array(ZDemoCity).min(1),
  noaaFiles: z.array(ZRelPath).min(1),
  /** Present only in a folder written by prepareDemoFixtures. */
  prepared: z.object({ by: z.literal(PREPARED_MARKER), fromReferenceDate: ZYmd, shiftDays: z.number().int() }).optional(),
});
export type TDemoManifest = z.infer<typeof ZDemoManifest>;
export type TDemoCity = z.infer<typeof ZDemoCity>;
type TAssessorFileSource = z.infer<typeof ZAssessorFileSource>;

/** One Socrata (SODA 2) record: every value a string, absent fields omitted, as the JSON endpoint returns them. */
export type SocrataRecord = Record<string, string>;
/** One ArcGIS feature with outSR 4326 geometry; date attributes are epoch milliseconds. */
export interface ArcgisFeature {
  attributes: Record<string, string | number | null>;
  geometry: { x: number; y: number } | null;
}

export class DemoFixtureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoFixtureError';
  }
}

/** Reads and validates `<fixturesDir>/manifest.json`; a bad field is named with its path. */
export async function readDemoManifest(fixturesDir: string): Promise<TDemoManifest> {
  const file = path.join(fixturesDir, 'manifest.json');
  const json = parseJson(await readText(file), file);
  const parsed = ZDemoManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DemoFixtureError(`${file}: ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------

function utcDay(y: number, m: number, d: number): number | null {
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? t : null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function ymdOf(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function parseYmd(ymd: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  const t = m ? utcDay(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  if (t === null) throw new DemoFixtureError(`"${ymd}" is not a calendar date YYYY-MM-DD`);
  return t;
}

export function addDaysYmd(ymd: string, days: number): string {
  return ymdOf(parseYmd(ymd) + days * DAY_MS);
}

/** Whole days from the reference date to today's UTC calendar day (negative when today is earlier). */
export function shiftDaysFor(referenceDate: string, today: Date): number {
  if (Number.isNaN(today.getTime())) throw new DemoFixtureError('today is an invalid Date');
  const todayUtc = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((todayUtc - parseYmd(referenceDate)) / DAY_MS);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})((?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?)$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})((?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?)$/i;

/**
 * Moves a date written as text by `days` calendar days and keeps everything else as written: `2026-10-03`,
 * Socrata floating timestamps `2026-10-03T00:00:00.000`, ISO instants, and `10/03/2026` (US exports). The time of
 * day does not change, so a floating timestamp stays what the portal would have written on the shifted day.
 * Returns null for text that is none of these.
 */
export function shiftDateText(value: string, days: number): string | null {
  const iso = ISO_DATE.exec(value);
  if (iso) {
    const t = utcDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return t === null ? null : ymdOf(t + days * DAY_MS) + iso[4];
  }
  const us = US_DATE.exec(value);
  if (us) {
    const t = utcDay(Number(us[3]), Number(us[1]), Number(us[2]));
    if (t === null) return null;
    const d = new Date(t + days * DAY_MS);
    const [mm, dd] = us[1]!.length === 2 ? [pad(d.getUTCMonth() + 1), pad(d.getUTCDate())] : [String(d.getUTCMonth() + 1), String(d.getUTCDate())];
    return `${mm}/${dd}/${d.getUTCFullYear()}${us[4]}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// NOAA Storm Events details files
// ---------------------------------------------------------------------------------------------------------

/** The 51 columns of a Storm Events details file, in NOAA's order: the ingester's own list. */
export const NOAA_DETAIL_COLUMNS = STORM_DETAIL_COLUMNS;
export type NoaaColumn = (typeof NOAA_DETAIL_COLUMNS)[number];
export type NoaaRow = Record<NoaaColumn, string>;

/**
 * Columns NCEI writes bare; every other column is written in double quotes even when it needs none, as in the
 * published files. Both are RFC 4180.
 */
const NOAA_BARE = new Set<NoaaColumn>([
  'BEGIN_YEARMONTH', 'BEGIN_DAY', 'BEGIN_TIME', 'END_YEARMONTH', 'END_DAY', 'END_TIME', 'EPISODE_ID', 'EVENT_ID', 'STATE_FIPS',
  'YEAR', 'CZ_FIPS', 'INJURIES_DIRECT', 'INJURIES_INDIRECT', 'DEATHS_DIRECT', 'DEATHS_INDIRECT', 'MAGNITUDE', 'TOR_LENGTH',
  'TOR_WIDTH', 'BEGIN_RANGE', 'END_RANGE', 'BEGIN_LAT', 'BEGIN_LON', 'END_LAT', 'END_LON',
]);

export function formatNoaaCsv(rows: readonly NoaaRow[]): string {
  let out = `${NOAA_DETAIL_COLUMNS.join(',')}\r\n`;
  for (const r of rows) {
    out += NOAA_DETAIL_COLUMNS.map((c) => (NOAA_BARE.has(c) ? formatCsvField(r[c]) : `"${r[c].replaceAll('"', '""')}"`)).join(',');
    out += '\r\n';
  }
  return out;
}

/** Parses a details file; the header must be the 51 columns in order and every row must have 51 fields. */
export function parseNoaaCsv(text: string, file: string): NoaaRow[] {
  const records = parseCsv(text).filter((r) => !(r.length === 1 && r[0] === ''));
  const header = records[0] ?? [];
  NOAA_DETAIL_COLUMNS.forEach((c, i) => {
    if (header[i] !== c) throw new DemoFixtureError(`${file}: header column ${i + 1} is "${header[i] ?? ''}", expected ${c}`);
  });
  if (header.length !== NOAA_DETAIL_COLUMNS.length) throw new DemoFixtureError(`${file}: header has ${header.length} columns, expected 51`);
  return records.slice(1).map((r, i) => {
    if (r.length !== NOAA_DETAIL_COLUMNS.length) throw new DemoFixtureError(`${file}: row ${i + 2} has ${r.length} fields, expected 51`);
    return Object.fromEntries(NOAA_DETAIL_COLUMNS.map((c, j) => [c, r[j]!])) as NoaaRow;
  });
}

const MONTH_ABBR = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** `14-OCT-26 16:35:00`: local calendar day and clock time of the event's CZ_TIMEZONE. */
export function formatNoaaDateTime(ymd: string, hms: string): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return `${pad(d)}-${MONTH_ABBR[m - 1]}-${pad(y % 100)} ${hms}`;
}

/** One end (BEGIN or END) of a row: the calendar day and the clock time it was written with. */
function noaaMoment(row: NoaaRow, end: 'BEGIN' | 'END', where: string): { ymd: string; hms: string } | null {
  const dt = row[`${end}_DATE_TIME`].trim();
  const ym = /^(\d{4})(\d{2})$/.exec(row[`${end}_YEARMONTH`].trim());
  const day = row[`${end}_DAY`].trim();
  if (!dt && !ym) return null;
  if (!ym || !/^\d{1,2}$/.test(day)) throw new DemoFixtureError(`${where}: ${end}_YEARMONTH "${row[`${end}_YEARMONTH`]}" / ${end}_DAY "${day}" is not a date`);
  const t = utcDay(Number(ym[1]), Number(ym[2]), Number(day));
  if (t === null) throw new DemoFixtureError(`${where}: ${end}_YEARMONTH ${ym[0]} and ${end}_DAY ${day} are not a calendar day`);
  let hms = '00:00:00';
  if (dt) {
    // The two-digit year and the day in BEGIN_DATE_TIME must agree with the YEARMONTH/DAY columns.
    const m = /^(\d{1,2})-([A-Z]{3})-(\d{2}) (\d{2}:\d{2}:\d{2})$/i.exec(dt);
    const expected = formatNoaaDateTime(ymdOf(t), m?.[4] ?? '');
    if (!m || expected.toUpperCase() !== dt.toUpperCase()) {
      throw new DemoFixtureError(`${where}: ${end}_DATE_TIME "${dt}" does not match ${end}_YEARMONTH ${ym[0]} and ${end}_DAY ${day}`);
    }
    hms = m[4]!;
  }
  return { ymd: ymdOf(t), hms };
}

function writeNoaaMoment(row: NoaaRow, end: 'BEGIN' | 'END', ymd: string, hms: string, hadDateTime: boolean): void {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  row[`${end}_YEARMONTH`] = `${y}${pad(m)}`;
  row[`${end}_DAY`] = String(d);
  if (hadDateTime) row[`${end}_DATE_TIME`] = formatNoaaDateTime(ymd, hms);
}

/**
 * Moves one details row by `days`: BEGIN/END_YEARMONTH, BEGIN/END_DAY, BEGIN/END_DATE_TIME, and YEAR and
 * MONTH_NAME, which NOAA derives from the begin day. BEGIN_TIME/END_TIME (local hhmm) do not change.
 */
export function shiftNoaaRow(row: NoaaRow, days: number, where = 'NOAA row'): NoaaRow {
  const out = { ...row };
  const begin = noaaMoment(row, 'BEGIN', where);
  if (!begin) throw new DemoFixtureError(`${where}: BEGIN_YEARMONTH and BEGIN_DATE_TIME are empty`);
  const end = noaaMoment(row, 'END', where);
  const newBegin = addDaysYmd(begin.ymd, days);
  writeNoaaMoment(out, 'BEGIN', newBegin, begin.hms, !!row.BEGIN_DATE_TIME.trim());
  if (end) writeNoaaMoment(out, 'END', addDaysYmd(end.ymd, days), end.hms, !!row.END_DATE_TIME.trim());
  const [y, m] = newBegin.split('-').map(Number) as [number, number];
  out.YEAR = String(y);
  out.MONTH_NAME = MONTH_NAMES[m - 1]!;
  return out;
}

const NOAA_FILE = /^StormEvents_details-ftp_v1\.0_d(\d{4})_c(\d{8})\.csv$/;

/** NCEI's name: one file per data year, stamped with the day it was created. */
export function noaaFileName(dataYear: number, created: string): string {
  return `StormEvents_details-ftp_v1.0_d${dataYear}_c${created.replaceAll('-', '')}.csv`;
}

// ---------------------------------------------------------------------------------------------------------
// Permit and assessor records
// ---------------------------------------------------------------------------------------------------------

/** The source columns holding dates, from the source's own field map (so new date columns need no code). */
function permitDateColumns(src: TPermitSourceConfig): string[] {
  if (src.kind === 'html') return [];
  const m = src.fieldMap;
  return [m.appliedDate, m.issueDate, m.completionDate].filter((c): c is string => !!c);
}

function shiftTextOrThrow(value: string, days: number, where: string): string {
  const shifted = shiftDateText(value, days);
  if (shifted === null) throw new DemoFixtureError(`${where} "${value}" is not a date (YYYY-MM-DD, floating timestamp or MM/DD/YYYY)`);
  return shifted;
}

export function shiftSocrataRecords(records: unknown, dateColumns: readonly string[], days: number, file: string): SocrataRecord[] {
  if (!Array.isArray(records)) throw new DemoFixtureError(`${file}: expected a JSON array of Socrata records`);
  return records.map((rec, i) => {
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) throw new DemoFixtureError(`${file}: record ${i} is not an object`);
    const out: SocrataRecord = {};
    for (const [k, v] of Object.entries(rec as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new DemoFixtureError(`${file}: record ${i} field ${k} is not a string (SODA returns every value as text)`);
      out[k] = dateColumns.includes(k) && v !== '' ? shiftTextOrThrow(v, days, `${file}: record ${i} ${k}`) : v;
    }
    return out;
  });
}

export function shiftArcgisFeatures(features: unknown, dateColumns: readonly string[], days: number, file: string): ArcgisFeature[] {
  if (!Array.isArray(features)) throw new DemoFixtureError(`${file}: expected a JSON array of ArcGIS features`);
  return features.map((f, i) => {
    const attrs = (f as ArcgisFeature | null)?.attributes;
    if (!attrs || typeof attrs !== 'object') throw new DemoFixtureError(`${file}: feature ${i} has no attributes object`);
    const out: ArcgisFeature = { attributes: { ...attrs }, geometry: (f as ArcgisFeature).geometry ?? null };
    for (const c of dateColumns) {
      const v = attrs[c];
      if (v === null || v === undefined) continue;
      // esriFieldTypeDate is epoch milliseconds (UTC); whole days keep the clock time.
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new DemoFixtureError(`${file}: feature ${i} ${c} "${String(v)}" is not epoch milliseconds`);
      out.attributes[c] = v + days * DAY_MS;
    }
    return out;
  });
}

/** A CSV file with a header row: the named date columns (which must exist) are shifted, everything else kept. */
export function shiftCsvText(text: string, dateColumns: readonly string[], days: number, file: string): string {
  const records = parseCsv(text).filter((r) => !(r.length === 1 && r[0] === ''));
  const header = records[0];
  if (!header) throw new DemoFixtureError(`${file}: empty CSV file`);
  const indexes = dateColumns.map((c) => {
    const i = header.indexOf(c);
    if (i < 0) throw new DemoFixtureError(`${file}: date column ${c} (from the field map) is not in the header`);
    return i;
  });
  const rows = records.slice(1).map((r, n) => {
    if (r.length !== header.length) throw new DemoFixtureError(`${file}: row ${n + 2} has ${r.length} fields, the header ${header.length}`);
    const out = [...r];
    for (const i of indexes) {
      if (out[i] !== '') out[i] = shiftTextOrThrow(out[i]!, days, `${file}: row ${n + 2} ${header[i]}`);
    }
    return out;
  });
  return toCsv([header, ...rows]);
}

export function shiftJsonRecords(records: unknown, dateColumns: readonly string[], days: number, file: string): Record<string, unknown>[] {
  if (!Array.isArray(records)) throw new DemoFixtureError(`${file}: expected a JSON array of records`);
  return records.map((rec, i) => {
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) throw new DemoFixtureError(`${file}: record ${i} is not an object`);
    const out = { ...(rec as Record<string, unknown>) };
    for (const c of dateColumns) {
      const v = out[c];
      if (v === null || v === undefined || v === '') continue;
      if (typeof v !== 'string') throw new DemoFixtureError(`${file}: record ${i} ${c} is not a date string`);
      out[c] = shiftTextOrThrow(v, days, `${file}: record ${i} ${c}`);
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------------------
// prepareDemoFixtures
// ---------------------------------------------------------------------------------------------------------

export interface PreparedDemoCity {
  city: string;
  state: string;
  slug: string;
  /** Socrata/ArcGIS: still pointing at REPLAY_PLACEHOLDER. CSV: `path` is the absolute folder of shifted files. */
  permitSource: TPermitSourceConfig;
  /** `path` is absolute, inside outDir. */
  assessorSource: TAssessorFileSource;
  socrataRecords?: SocrataRecord[];
  arcgisFeatures?: ArcgisFeature[];
  /** Absolute folder holding the city's shifted CSV permit files. */
  csvDir?: string;
  /** The source's date columns (from its field map): the ArcGIS replay server lists them as esriFieldTypeDate. */
  dateFields: string[];
  clusters: TDemoCity['clusters'];
}

export interface PreparedDemo {
  /** The fixture set's own reference date, e.g. 2026-11-01. */
  referenceDate: string;
  /** today's UTC calendar day, the reference date of the prepared copy. */
  today: string;
  shiftDays: number;
  /** Absolute; also a valid fixtures folder (its manifest.json describes the shifted files). */
  outDir: string;
  cities: PreparedDemoCity[];
  /** Absolute paths of the shifted NOAA details files (one per data year). */
  noaaFiles: string[];
}

/**
 * Copies the fixture set in `fixturesDir` to `outDir` with every date moved by the whole days between the manifest's
 * referenceDate and `today` (UTC day). The copy is built in a sibling staging folder and renamed into place, so a
 * bad input leaves any previous `outDir` untouched. `outDir` may be replaced only when it is missing, empty, or an
 * earlier output of this function.
 */
export async function prepareDemoFixtures({ fixturesDir, outDir, today, onProgress }: {
  fixturesDir: string;
  outDir: string;
  today: Date;
  /** Called after each city and after the storm files: done of total steps, and what was just finished. */
  onProgress?: (done: number, total: number, step: string) => void;
}): Promise<PreparedDemo> {
  const src = path.resolve(fixturesDir);
  const dest = path.resolve(outDir);
  if (dest === src || src.startsWith(dest + path.sep)) throw new DemoFixtureError(`outDir ${dest} would overwrite the fixtures in ${src}`);
  const manifest = await readDemoManifest(src);
  const shiftDays = shiftDaysFor(manifest.referenceDate, today);
  const todayYmd = addDaysYmd(manifest.referenceDate, shiftDays);
  await assertReplaceable(dest);

  const staging = `${dest}.partial-${process.pid}-${Date.now()}`;
  await rm(staging, { recursive: true, force: true });
  try {
    const cities: PreparedDemoCity[] = [];
    const total = manifest.cities.length + 1;
    for (const city of manifest.cities) {
      cities.push(await prepareCity(city, src, staging, dest, shiftDays));
      onProgress?.(cities.length, total, `${city.city}, ${city.state}`);
    }
    const noaaRel = await prepareNoaa(manifest.noaaFiles, src, staging, shiftDays);
    onProgress?.(total, total, 'NOAA storm events');
    const out: TDemoManifest = {
      ...manifest,
      referenceDate: todayYmd,
      noaaFiles: noaaRel,
      // Relative to the generated set, so a copy of a copy still says how far it moved in total.
      prepared: { by: PREPARED_MARKER, fromReferenceDate: manifest.prepared?.fromReferenceDate ?? manifest.referenceDate, shiftDays: (manifest.prepared?.shiftDays ?? 0) + shiftDays },
    };
    await writeFile(path.join(staging, 'manifest.json'), `${JSON.stringify(out, null, 2)}\n`);
    await rm(dest, { recursive: true, force: true });
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(staging, dest);
    return { referenceDate: manifest.referenceDate, today: todayYmd, shiftDays, outDir: dest, cities, noaaFiles: noaaRel.map((f) => path.join(dest, f)) };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

async function assertReplaceable(dest: string): Promise<void> {
  const entries = await readdir(dest).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (!entries || entries.length === 0) return;
  const prior = await readFile(path.join(dest, 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as { prepared?: { by?: string } }).catch(() => null);
  if (prior?.prepared?.by !== PREPARED_MARKER) {
    throw new DemoFixtureError(`outDir ${dest} is not empty and was not written by prepareDemoFixtures; refusing to replace it`);
  }
}

async function prepareCity(city: TDemoCity, src: string, staging: string, dest: string, days: number): Promise<PreparedDemoCity> {
  const source = city.permitSource;
  const dateColumns = permitDateColumns(source);
  const prepared: PreparedDemoCity = {
    city: city.city,
    state: city.state,
    slug: city.slug,
    permitSource: source,
    assessorSource: { ...city.assessorSource, path: path.join(dest, city.assessorSource.path ?? '') },
    dateFields: dateColumns,
    clusters: city.clusters,
  };
  for (const rel of city.permitsFiles) {
    const file = path.join(src, rel);
    if (source.kind === 'socrata') {
      const records = shiftSocrataRecords(parseJson(await readText(file), file), dateColumns, days, rel);
      (prepared.socrataRecords ??= []).push(...records);
      await writeOut(staging, rel, jsonLines(records));
    } else if (source.kind === 'arcgis') {
      const features = shiftArcgisFeatures(parseJson(await readText(file), file), dateColumns, days, rel);
      (prepared.arcgisFeatures ??= []).push(...features);
      await writeOut(staging, rel, jsonLines(features));
    } else if (source.kind === 'csv') {
      if (!source.path) throw new DemoFixtureError(`${city.slug}: permitSource.path is required for the demo (url sources are not bundled)`);
      await writeOut(staging, rel, shiftCsvText(await readText(file), dateColumns, days, rel));
    } else {
      throw new DemoFixtureError(`${city.slug}: permitSource.kind ${source.kind} cannot be replayed from fixture files`);
    }
  }
  if (source.kind === 'csv') {
    const csvDir = path.join(dest, source.path!);
    prepared.csvDir = csvDir;
    prepared.permitSource = { ...source, path: csvDir };
  }
  await prepareAssessor(city, src, staging, days);
  return prepared;
}

async function prepareAssessor(city: TDemoCity, src: string, staging: string, days: number): Promise<void> {
  const a = city.assessorSource;
  if (!a.path) throw new DemoFixtureError(`${city.slug}: assessorSource.path is required for the demo`);
  const saleColumns = a.fieldMap.lastSaleDate ? [a.fieldMap.lastSaleDate] : [];
  const root = path.join(src, a.path);
  const files = (await stat(root)).isDirectory()
    ? (await readdir(root)).filter((f) => f.endsWith(`.${a.kind}`)).sort().map((f) => path.posix.join(a.path!, f))
    : [a.path];
  for (const rel of files) {
    const text = await readText(path.join(src, rel));
    const shifted = a.kind === 'csv'
      ? shiftCsvText(text, saleColumns, days, rel)
      : jsonLines(shiftJsonRecords(parseJson(text, rel), saleColumns, days, rel));
    await writeOut(staging, rel, shifted);
  }
}

/** Shifts every row, then writes one file per data year (a shift can carry December storms into January). */
async function prepareNoaa(files: readonly string[], src: string, staging: string, days: number): Promise<string[]> {
  const byFile = new Map<string, NoaaRow[]>();
  for (const rel of files) {
    const name = path.posix.basename(rel);
    const m = NOAA_FILE.exec(name);
    if (!m) throw new DemoFixtureError(`${rel}: not a Storm Events details file name (StormEvents_details-ftp_v1.0_dYYYY_cYYYYMMDD.csv)`);
    const created = addDaysYmd(`${m[2]!.slice(0, 4)}-${m[2]!.slice(4, 6)}-${m[2]!.slice(6)}`, days);
    const rows = parseNoaaCsv(await readText(path.join(src, rel)), rel);
    rows.forEach((row, i) => {
      const shifted = shiftNoaaRow(row, days, `${rel} row ${i + 2}`);
      const out = path.posix.join(path.posix.dirname(rel), noaaFileName(Number(shifted.YEAR), created));
      const list = byFile.get(out) ?? [];
      list.push(shifted);
      byFile.set(out, list);
    });
  }
  const out = [...byFile.keys()].sort();
  for (const rel of out) await writeOut(staging, rel, formatNoaaCsv(byFile.get(rel)!));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// I/O helpers
// ---------------------------------------------------------------------------------------------------------

/** A JSON array with one element per line: diff-friendly and still small. */
export function jsonLines(items: readonly unknown[]): string {
  return items.length === 0 ? '[]\n' : `[\n${items.map((x) => JSON.stringify(x)).join(',\n')}\n]\n`;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new DemoFixtureError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DemoFixtureError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function writeOut(root: string, rel: string, content: string): Promise<void> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}
