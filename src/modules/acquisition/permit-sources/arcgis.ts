import type { z } from 'zod';
import type { AppContext } from '../../../platform/context.ts';
import { AppError } from '../../../platform/errors.ts';
import type { FetchOptions, NormalizedPermit, PermitSource, PermitWindow, ZArcgisSource } from '../acquisition.types.ts';
import { parseJson, redact, sourceGet } from './request.ts';
import { boundedSourceKey, likeWord, mapPermitRecord, windowDay, zonedMidnightUtc } from './values.ts';

/**
 * ArcGIS REST "Query (Feature Service/Layer)": `GET {layerUrl}/query?where=…&outFields=*&outSR=4326&f=json`,
 * paged with resultOffset/resultRecordCount until the answer no longer says exceededTransferLimit: true. Dates
 * (esriFieldTypeDate) arrive as epoch milliseconds; geometry as {x: lng, y: lat} in the requested outSR.
 * ArcGIS reports many failures with HTTP 200 and a body {error: {code, message, details}}: those fail too.
 */
export type TArcgisSource = z.infer<typeof ZArcgisSource>;

const PROVIDER = 'arcgis';
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

interface ArcgisFeature {
  attributes?: Record<string, unknown>;
  geometry?: { x?: unknown; y?: unknown } | null;
}

interface ArcgisQueryAnswer {
  features?: ArcgisFeature[];
  exceededTransferLimit?: boolean;
  error?: { code?: number; message?: string; details?: unknown };
}

function assertFieldName(value: string, field: string): void {
  if (!FIELD_NAME.test(value)) {
    throw new AppError('CITY_SOURCE_INVALID', { message: `permit_source.${field}: "${value}" is not an ArcGIS field name` });
  }
}

/**
 * ArcGIS standardized-SQL timestamp literal of a window bound. Date fields hold UTC instants, so a window day
 * starts at the city's local midnight expressed in UTC (Oct 2 in New York → TIMESTAMP '2026-10-02 04:00:00');
 * a permit entered at 23:30 local on the last day is then still inside the window.
 */
function timestamp(d: Date, timeZone: string): string {
  const iso = zonedMidnightUtc(windowDay(d), timeZone).toISOString();
  return `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 19)}'`;
}

export function arcgisWhere(config: TArcgisSource, window: PermitWindow, timeZone = 'UTC'): string {
  const f = config.dateField;
  const parts = [`${f} >= ${timestamp(window.since, timeZone)} AND ${f} < ${timestamp(window.until, timeZone)}`];
  const words = (config.keywords ?? []).map(likeWord).filter(Boolean);
  if (words.length) {
    if (!config.keywordField) {
      throw new AppError('CITY_SOURCE_INVALID', { message: 'permit_source.keywordField is required when keywords are set' });
    }
    parts.push(`(${words.map((w) => `UPPER(${config.keywordField}) LIKE '%${w}%'`).join(' OR ')})`);
  }
  if (config.where) parts.push(`(${config.where})`);
  return parts.join(' AND ');
}

export function arcgisQueryUrl(config: TArcgisSource, window: PermitWindow, offset: number, timeZone = 'UTC'): string {
  const u = new URL(`${config.layerUrl.replace(/\/+$/, '')}/query`);
  u.searchParams.set('where', arcgisWhere(config, window, timeZone));
  u.searchParams.set('outFields', '*');
  u.searchParams.set('returnGeometry', 'true');
  u.searchParams.set('outSR', '4326');
  u.searchParams.set('resultOffset', String(offset));
  u.searchParams.set('resultRecordCount', String(config.pageSize));
  u.searchParams.set('f', 'json');
  return u.toString();
}

/** The HTTP-200 error body of ArcGIS, as a SOURCE_FAILED naming its code, message and details. */
function arcgisFailure(answer: ArcgisQueryAnswer, url: string): AppError {
  const e = answer.error!;
  const details = Array.isArray(e.details) && e.details.length ? ` (${e.details.join('; ')})` : '';
  return new AppError('SOURCE_FAILED', {
    message: `arcgis error ${e.code ?? '?'}: ${e.message ?? 'unknown error'}${details} (${redact(url)})`,
    details: { provider: PROVIDER, arcgisCode: e.code ?? null },
  });
}

/** A layer URL's identity for permits.source: host + path after /rest/services/ (e.g. Permits/FeatureServer/0). */
export function arcgisSourceKey(layerUrl: string): string {
  const u = new URL(layerUrl);
  const path = u.pathname.replace(/\/+$/, '');
  const i = path.toLowerCase().indexOf('/rest/services/');
  return boundedSourceKey('arcgis', `${u.host}${i >= 0 ? `/${path.slice(i + '/rest/services/'.length)}` : path}`);
}

export interface ArcgisSourceOptions {
  /** The city's zone: epoch-ms dates are read as calendar days there. */
  timeZone?: string;
}

export function createArcgisPermitSource(config: TArcgisSource, ctx: Pick<AppContext, 'config' | 'db'>, opts: ArcgisSourceOptions = {}): PermitSource {
  assertFieldName(config.dateField, 'dateField');
  if (config.keywordField) assertFieldName(config.keywordField, 'keywordField');

  return {
    kind: 'arcgis',
    sourceKey: arcgisSourceKey(config.layerUrl),
    async *fetchPermits(window: PermitWindow, fetchOpts: FetchOptions = {}): AsyncIterable<NormalizedPermit[]> {
      let offset = 0;
      let received = 0;
      let retries = 0;
      for (let page = 1; ; page++) {
        const url = arcgisQueryUrl(config, window, offset, opts.timeZone);
        const res = await sourceGet(ctx, { provider: PROVIDER, url, signal: fetchOpts.signal, params: { layer: config.layerUrl, offset, count: config.pageSize } });
        retries += res.retries;
        const answer = parseJson(PROVIDER, res.text, url) as ArcgisQueryAnswer;
        if (answer && typeof answer === 'object' && answer.error) throw arcgisFailure(answer, url);
        if (!answer || !Array.isArray(answer.features)) {
          throw new AppError('SOURCE_FAILED', { message: `arcgis answer has no features array (${redact(url)})` });
        }
        const features = answer.features;
        const permits = features.map((f) =>
          mapPermitRecord({ ...(f.attributes ?? {}), ...(f.geometry ? { geometry: f.geometry } : {}) }, config.fieldMap, {
            timeZone: opts.timeZone,
            geometry: f.geometry ? { lat: f.geometry.y, lng: f.geometry.x } : null,
          }),
        );
        received += features.length;
        offset += features.length;
        fetchOpts.onProgress?.(received, { page, retries });
        if (permits.length) yield permits;
        // The server may cap resultRecordCount below pageSize (maxRecordCount); only its flag says "more".
        // An empty page that still claims more would loop forever: stop there.
        if (answer.exceededTransferLimit !== true || features.length === 0) return;
      }
    },
  };
}
