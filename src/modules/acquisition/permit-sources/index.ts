import type { AppContext } from '../../../platform/context.ts';
import { AppError } from '../../../platform/errors.ts';
import type { PermitSource, TPermitSourceConfig } from '../acquisition.types.ts';
import { createArcgisPermitSource } from './arcgis.ts';
import { createCsvPermitSource } from './csv.ts';
import { createHtmlPermitSource } from './html.ts';
import { createSocrataPermitSource } from './socrata.ts';

export interface PermitSourceOptions {
  /** The city's IANA time zone (target_cities.time_zone): instants (epoch ms, ISO with offset) become its days. */
  timeZone?: string;
}

/**
 * The client for a validated `target_cities.permit_source` (ZPermitSourceConfig). Construction checks what the
 * schema cannot (column names safe to put in a query, keywords without keywordField) and sends no request.
 */
export function createPermitSource(config: TPermitSourceConfig, ctx: AppContext, opts: PermitSourceOptions = {}): PermitSource {
  switch (config.kind) {
    case 'socrata':
      return createSocrataPermitSource(config, ctx, opts);
    case 'arcgis':
      return createArcgisPermitSource(config, ctx, opts);
    case 'csv':
      return createCsvPermitSource(config, ctx, opts);
    case 'html':
      return createHtmlPermitSource(config, ctx);
    default:
      throw new AppError('SOURCE_NOT_SUPPORTED', { message: `permit_source.kind "${(config as { kind: string }).kind}" has no client` });
  }
}
