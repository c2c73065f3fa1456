import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsvParseError, formatCsvField, formatCsvRecord, neutralizeFormula, parseCsv, toCsv } from '../../src/modules/exports/csv.ts';
import { treePathFor, isTreeFile } from '../../src/modules/exports/export-tree.ts';
import { EXPORT_COLUMNS } from '../../src/modules/exports/exports.schemas.ts';
import { formatSummary, parseScoreLeadsArgs, UsageError } from '../../src/modules/exports/score-leads.cli.ts';
import type { ScoreLeadsSummary } from '../../src/modules/exports/exports.service.ts';

describe('spreadsheet formula neutralisation', () => {
  it('prefixes text a spreadsheet would evaluate, and nothing else', () => {
    expect(neutralizeFormula('=HYPERLINK("http://x","click")')).toBe(`'=HYPERLINK("http://x","click")`);
    expect(neutralizeFormula('+1 555 0100')).toBe("'+1 555 0100");
    expect(neutralizeFormula('-2+3')).toBe("'-2+3");
    expect(neutralizeFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralizeFormula('\t=1')).toBe("'\t=1");
    expect(neutralizeFormula('Reroof 2,400 sq ft')).toBe('Reroof 2,400 sq ft');
    expect(neutralizeFormula('')).toBe('');
    expect(neutralizeFormula('a=b')).toBe('a=b');
  });
  it('is idempotent', () => {
    fc.assert(fc.property(fc.string(), (s) => neutralizeFormula(neutralizeFormula(s)) === neutralizeFormula(s)));
  });
});

describe('CSV writer (RFC 4180)', () => {
  it('quotes only fields with a comma, quote, CR or LF, doubling quotes', () => {
    expect(formatCsvField('plain text')).toBe('plain text');
    expect(formatCsvField('')).toBe('');
    expect(formatCsvField('a,b')).toBe('"a,b"');
    expect(formatCsvField('6\' "privacy" fence')).toBe('"6\' ""privacy"" fence"');
    expect(formatCsvField('line1\nline2')).toBe('"line1\nline2"');
    expect(formatCsvField('cr\r')).toBe('"cr\r"');
    expect(formatCsvField(' padded ')).toBe(' padded ');
  });

  it('ends every record with CRLF and keeps a lone empty field visible', () => {
    expect(toCsv([['a', 'b'], ['1', '']])).toBe('a,b\r\n1,\r\n');
    expect(formatCsvRecord([''])).toBe('""');
    expect(toCsv([])).toBe('');
  });
});

describe('CSV parser', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(parseCsv('id,desc\r\n1,"Pool, spa and ""luxury"" deck\r\nphase 2"\r\n2,x\r\n')).toEqual([
      ['id', 'desc'],
      ['1', 'Pool, spa and "luxury" deck\r\nphase 2'],
      ['2', 'x'],
    ]);
  });

  it('accepts LF line ends, a BOM, no final line break, and trailing empty fields', () => {
    expect(parseCsv('\uFEFFa,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('a,\r\n"",""\r\n')).toEqual([['a', ''], ['', '']]);
    expect(parseCsv('"x",')).toEqual([['x', '']]);
    expect(parseCsv('')).toEqual([]);
  });

  it('rejects what RFC 4180 does not allow, naming the line', () => {
    expect(() => parseCsv('a,b"c\r\n')).toThrow(CsvParseError);
    expect(() => parseCsv('a\r\n"open')).toThrow(/unterminated quoted field \(line 2\)/);
    expect(() => parseCsv('"a"b,c')).toThrow(/text after a closing quote/);
  });

  it('round-trips any table (fast-check)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\r', '\n', 'é', '|', '0', '\t') , maxLength: 12 });
    const anyText = fc.oneof(text, fc.string({ unit: 'grapheme', maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(fc.array(anyText, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), (rows) => {
        expect(parseCsv(toCsv(rows))).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });
});

describe('export tree paths (seed 001 directory structure)', () => {
  it('RETRY → retry queue, flagged → review, else trade group/category/tier', () => {
    expect(treePathFor({ tier: 'RETRY', tradeGroup: 'luxury_outdoor', category: 'pool', needsReview: true })).toBe('pending_retry/retry_queue.csv');
    expect(treePathFor({ tier: 'A', tradeGroup: 'luxury_outdoor', category: 'pool', needsReview: true })).toBe('flagged/needs_review.csv');
    expect(treePathFor({ tier: 'A', tradeGroup: 'luxury_outdoor', category: 'pool', needsReview: false })).toBe('luxury_outdoor/pool/tier_a.csv');
    expect(treePathFor({ tier: 'C', tradeGroup: 'other', category: 'other', needsReview: false })).toBe('other/other/tier_c.csv');
  });

  it('recognises only the files the pipeline writes', () => {
    expect(isTreeFile('commercial/commercial_hvac/tier_b.csv')).toBe(true);
    expect(isTreeFile('luxury_outdoor/roof/tier_a.csv')).toBe(false); // roof is not a luxury_outdoor category
    expect(isTreeFile('luxury_outdoor/pool/tier_d.csv')).toBe(false);
    expect(isTreeFile('luxury_outdoor/pool/notes.csv')).toBe(false);
    expect(isTreeFile('flagged/needs_review.csv')).toBe(true);
  });

  it('has the 17 seed 001 columns in order', () => {
    expect(EXPORT_COLUMNS.join(',')).toBe(
      'permit_id,city,property_address,owner_name,project_description,market_value,days_old,is_absentee,score,tier,trade_group,category,reasoning,ideal_contractor,contact_priority,flags,scored_at',
    );
  });
});

describe('score-leads arguments', () => {
  it('parses every flag', () => {
    expect(parseScoreLeadsArgs(['--limit', '100', '--reasoner', '--save-to-db', '--cities', 'plano', 'Fort Worth', '--out', '/tmp/x'])).toEqual({
      limit: 100, reasoner: true, saveToDb: true, cities: ['plano', 'Fort Worth'], out: '/tmp/x', archive: false, help: false,
    });
    expect(parseScoreLeadsArgs(['--cities=plano,frisco', '--retry-only', 'q.csv', '--limit=5'])).toMatchObject({ cities: ['plano', 'frisco'], retryOnly: 'q.csv', limit: 5 });
    expect(parseScoreLeadsArgs(['--archive', '--out', 'e'])).toMatchObject({ archive: true, out: 'e' });
    expect(parseScoreLeadsArgs([])).toEqual({ reasoner: false, saveToDb: false, archive: false, help: false });
  });

  it('names the bad flag', () => {
    const bad: Array<[string[], RegExp]> = [
      [['--bogus'], /^unknown flag --bogus$/],
      [['--limit', 'ten'], /^--limit must be a positive whole number, got "ten"$/],
      [['--limit', '0'], /--limit must be/],
      [['--limit'], /^--limit needs a value$/],
      [['--cities'], /^--cities needs at least one city name$/],
      [['--retry-only', '--reasoner'], /^--retry-only needs a value$/],
      [['--reasoner=yes'], /^--reasoner takes no value$/],
      [['plano'], /^unexpected argument "plano"/],
      [['--archive', '--save-to-db'], /^--archive only moves delivered files; it cannot be combined with --save-to-db$/],
    ];
    for (const [argv, msg] of bad) {
      expect(() => parseScoreLeadsArgs(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parseScoreLeadsArgs(argv), argv.join(' ')).toThrow(msg);
    }
  });

  it('prints the trade group × tier table with totals', () => {
    const s: ScoreLeadsSummary = {
      reasoner: 'permit-intent-rules@1', permits: 6,
      byGroupTier: { luxury_outdoor: { A: 1, B: 2, C: 0 }, home_exterior: { A: 0, B: 0, C: 1 } },
      flagged: 1, retry: 1, missing: [], db: null,
      files: { added: 6, replaced: 0, moved: 0, written: ['a', 'b'], removed: [] }, retryFileRemoved: 0, elapsedMs: 1234,
    };
    const out = formatSummary(s);
    expect(out).toContain('trade group          A       B       C   total\n');
    expect(out).toContain('luxury_outdoor       1       2       0       3\n');
    expect(out).toContain('home_systems         0       0       0       0\n');
    expect(out).toContain('total                1       2       1       4\n');
    expect(out).toContain('flagged (flagged/needs_review.csv)      1\n');
    expect(out).toContain('retry (pending_retry/retry_queue.csv)   1\n');
    expect(out).toContain('database: unchanged (dry run; add --save-to-db to save the leads)\n');
    expect(out).toContain('elapsed: 1.2 s\n');
  });
});
