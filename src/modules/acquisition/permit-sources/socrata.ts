import type { z } from 'zod';
import type { AppContext } from '../../../platform/context.ts';
import { AppError } from '../../../platform/errors.ts';
import type { FetchOptions, NormalizedPermit, PermitSource, PermitWindow, ZSocrataSource } from '../acquisition.types.ts';
import { parseJson, sourceGet } from './request.ts';
import { boundedSourceKey, likeWord, mapPermitRecord, windowDay } from './values.ts';

/**
 * Socrata SODA 2.0 (`GET {baseUrl}/resource/{datasetId}.json`), e.g. Austin's Issued Construction Permits
 * (3syk-w9eu, date column issue_date). Paging follows the SODA docs: `$limit` + `$offset` always with an
 * `$order` (`:id`, the row identifier, so pages neither overlap nor skip rows while the dataset grows).
 * The window and the keywords go into `$where`; an app token, when configured, is sent as X-App-Token.
 * SODA returns numbers as strings and dates as floating timestamps; values.ts reads both.
 */
export type TSocrataSource = z.infer<typeof ZSocrataSource>;

const PROVIDER = 'socrata';

/** SoQL column names are identifiers; anything else in a config would be injected into $where. */
const SOQL_IDENTIFIER = /^[A-Za-z_:@][A-Za-z0-9_]*$/;

function assertIdentifier(value: string, field: string): void {
  if (!SOQL_IDENTIFIER.test(value)) {
    throw new AppError('CITY_SOURCE_INVALID', { message: `permit_source.${field}: "${value}" is not a SoQL column name` });
  }
}

/** Floating timestamp literal of a window bound: the calendar day at 00:00 (floating = city-local). */
const floating = (d: Date) => `'${windowDay(d)}T00:00:00.000'`;

/** `$where` for the window, the keywords (an OR-group of upper(col) like '%KW%'), and the city's own condition. */
export function socrataWhere(config: TSocrataSource, window: PermitWindow): string {
  const f = config.dateField;
  const parts = [`${f} >= ${floating(window.since)} AND ${f} < ${floating(window.until)}`];
  const words = (config.keywords ?? []).map(likeWord).filter(Boolean);
  if (words.length) {
    if (!config.keywordField) {
      throw new AppError('CITY_SOURCE_INVALID', { message: 'permit_source.keywordField is required when keywords are set' });
    }
    parts.push(`(${words.map((w) => `upper(${config.keywordField}) like '%${w}%'`).join(' OR ')})`);
  }
  if (config.where) parts.push(`(${config.where})`);
  return parts.join(' AND ');
}

export function socrataPageUrl(config: TSocrataSource, window: PermitWindow, offset: number): string {
  const u = new URL(`/resource/${config.datasetId}.json`, config.baseUrl);
  u.searchParams.set('$where', socrataWhere(config, window));
  u.searchParams.set('$order', ':id');
  u.searchParams.set('$limit', String(config.pageSize));
  u.searchParams.set('$offset', String(offset));
  return u.toString();
}

/** A SODA URL answering exactly this permit's row (simple filter on the permit-number column), for audit. */
export function socrataRowUrl(config: TSocrataSource, permitNumber: string): string {
  const u = new URL(`/resource/${config.datasetId}.json`, config.baseUrl);
  u.searchParams.set(config.fieldMap.permitNumber!, permitNumber);
  return u.toString();
}

export interface SocrataSourceOptions {
  /** The city's zone, for instants with an offset (floating timestamps are taken as written). */
  timeZone?: string;
}

export function createSocrataPermitSource(config: TSocrataSource, ctx: Pick<AppContext, 'config' | 'db'>, opts: SocrataSourceOptions = {}): PermitSource {
  assertIdentifier(config.dateField, 'dateField');
  if (config.keywordField) assertIdentifier(config.keywordField, 'keywordField');
  const token = ctx.config.SOCRATA_APP_TOKEN;

  return {
    kind: 'socrata',
    sourceKey: boundedSourceKey('socrata', config.datasetId),
    async *fetchPermits(window: PermitWindow, fetchOpts: FetchOptions = {}): AsyncIterable<NormalizedPermit[]> {
      let offset = 0;
      let received = 0;
      let retries = 0;
      for (let page = 1; ; page++) {
        const url = socrataPageUrl(config, window, offset);
        const res = await sourceGet(ctx, {
          provider: PROVIDER,
          url,
          headers: token ? { 'X-App-Token': token } : undefined,
          signal: fetchOpts.signal,
          params: { dataset: config.datasetId, offset, limit: config.pageSize },
        });
        retries += res.retries;
        const body = parseJson(PROVIDER, res.text, url);
        if (!Array.isArray(body)) {
          throw new AppError('SOURCE_FAILED', { message: `socrata ${config.datasetId}: expected a JSON array of rows, got ${typeof body}` });
        }
        const rows = body as Record<string, unknown>[];
        const permits = rows.map((r) => {
          const p = mapPermitRecord(r, config.fieldMap, { timeZone: opts.timeZone });
          return { ...p, sourceUrl: p.permitNumber ? socrataRowUrl(config, p.permitNumber) : null };
        });
        received += rows.length;
        offset += rows.length;
        fetchOpts.onProgress?.(received, { page, retries });
        if (permits.length) yield permits;
        // A short page is the last one (SODA has no total count in the answer).
        if (rows.length < config.pageSize) return;
      }
    },
  };
}
