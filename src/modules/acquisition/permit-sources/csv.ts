import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { z } from 'zod';
import type { AppContext } from '../../../platform/context.ts';
import { AppError } from '../../../platform/errors.ts';
import type { FetchOptions, NormalizedPermit, PermitSource, PermitWindow, ZCsvSource } from '../acquisition.types.ts';
import { sourceGet } from './request.ts';
import { boundedSourceKey, mapPermitRecord, windowDay } from './values.ts';

/**
 * CSV permit exports: BLDS files (permitdata.org core columns: PermitNum, IssuedDate, OriginalAddress1 …) or a
 * portal's own export with a field map. One file, a folder of *.csv files (read in name order), or a URL.
 * Files are streamed through csv-parse, so a 500 MB export never sits in memory. A file carries no query, so the
 * date window (on IssuedDate, else AppliedDate) and the keywords are applied here; undated rows are kept.
 */
export type TCsvSource = z.infer<typeof ZCsvSource>;

const PAGE_SIZE = 1000;

export interface CsvSourceOptions {
  timeZone?: string;
}

interface CsvInput {
  name: string;
  open(signal?: AbortSignal): Promise<NodeJS.ReadableStream>;
}

/** A configured path against FIXTURES_DIR (relative paths) → the files to read, with a clear error when absent. */
export async function listCsvFiles(configured: string, fixturesDir: string): Promise<string[]> {
  const full = path.resolve(fixturesDir, configured);
  const info = await stat(full).catch(() => null);
  if (!info) throw new AppError('SOURCE_FAILED', { message: `permit_source.path: ${full} does not exist` });
  if (info.isFile()) return [full];
  const names = (await readdir(full)).filter((n) => n.toLowerCase().endsWith('.csv')).sort();
  if (!names.length) throw new AppError('SOURCE_FAILED', { message: `permit_source.path: folder ${full} holds no .csv files` });
  return names.map((n) => path.join(full, n));
}

function keepByWindow(p: NormalizedPermit, since: string, until: string): boolean {
  const day = p.issueDate ?? p.appliedDate;
  return day === null || (day >= since && day < until);
}

function keepByKeywords(record: Record<string, unknown>, config: TCsvSource): boolean {
  const words = (config.keywords ?? []).map((w) => w.toLowerCase());
  if (!words.length) return true;
  const value = String(record[config.keywordField!] ?? '').toLowerCase();
  return words.some((w) => value.includes(w));
}

export function createCsvPermitSource(config: TCsvSource, ctx: Pick<AppContext, 'config' | 'db'>, opts: CsvSourceOptions = {}): PermitSource {
  if (config.keywords?.length && !config.keywordField) {
    throw new AppError('CITY_SOURCE_INVALID', { message: 'permit_source.keywordField is required when keywords are set' });
  }
  const identity = config.url ?? config.path!;

  async function inputs(signal?: AbortSignal): Promise<{ inputs: CsvInput[]; retries: number }> {
    if (config.url) {
      const res = await sourceGet(ctx, { provider: 'csv', url: config.url, accept: 'text/csv, text/plain, */*', signal, params: { url: config.url } });
      return { inputs: [{ name: config.url, open: async () => Readable.from([res.text]) }], retries: res.retries };
    }
    const files = await listCsvFiles(config.path!, ctx.config.FIXTURES_DIR);
    return { inputs: files.map((f) => ({ name: f, open: async () => createReadStream(f) })), retries: 0 };
  }

  return {
    kind: 'csv',
    sourceKey: boundedSourceKey('csv', identity),
    async *fetchPermits(window: PermitWindow, fetchOpts: FetchOptions = {}): AsyncIterable<NormalizedPermit[]> {
      const since = windowDay(window.since);
      const until = windowDay(window.until);
      const { inputs: files, retries } = await inputs(fetchOpts.signal);
      let received = 0;
      for (const file of files) {
        const parser = (await file.open(fetchOpts.signal)).pipe(
          parse({ columns: true, bom: true, delimiter: config.delimiter, skip_empty_lines: true, trim: true }),
        );
        let page: NormalizedPermit[] = [];
        let checkedHeader = false;
        try {
          for await (const record of parser as AsyncIterable<Record<string, string>>) {
            if (fetchOpts.signal?.aborted) throw fetchOpts.signal.reason;
            if (!checkedHeader) {
              assertHasColumn(record, config.fieldMap.permitNumber!, file.name);
              checkedHeader = true;
            }
            received++;
            if (!keepByKeywords(record, config)) continue;
            const p = mapPermitRecord(record, config.fieldMap, { timeZone: opts.timeZone, sourceUrl: config.url ?? null });
            if (!keepByWindow(p, since, until)) continue;
            page.push(p);
            if (page.length >= PAGE_SIZE) {
              yield page;
              page = [];
              fetchOpts.onProgress?.(received, { file: file.name, retries });
            }
          }
        } catch (err) {
          if (err instanceof AppError || fetchOpts.signal?.aborted) throw err;
          throw new AppError('SOURCE_FAILED', { message: `csv ${file.name}: ${(err as Error).message}`, cause: err });
        }
        if (page.length) yield page;
        fetchOpts.onProgress?.(received, { file: file.name, retries });
      }
    },
  };
}

function assertHasColumn(record: Record<string, string>, column: string, file: string): void {
  if (column in record) return;
  const have = Object.keys(record).slice(0, 20).join(', ');
  throw new AppError('SOURCE_FAILED', {
    message: `csv ${file}: column "${column}" (fieldMap.permitNumber) is not in the header; columns are: ${have}`,
  });
}
