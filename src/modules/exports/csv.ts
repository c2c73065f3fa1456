import { parse, type CsvError } from 'csv-parse/sync';
import { stringify, type Options as StringifyOptions } from 'csv-stringify/sync';

/**
 * RFC 4180 CSV, both ways, on the kept libraries (issue 8 §6: one CSV implementation): csv-stringify writes,
 * csv-parse reads. Writer: CRLF after every record; a field containing a comma, a double quote, CR or LF is
 * quoted with its quotes doubled; a record that is one empty field is written `""` so a spreadsheet does not drop
 * it as a blank line. Parser: the same grammar, strict (a stray quote is an error rather than a guess),
 * accepting LF (or CR) line ends, ragged rows and a leading UTF-8 BOM from files edited by hand.
 */
const WRITE: StringifyOptions = { record_delimiter: '\r\n', quoted_match: /[\r\n]/ };
const READ = { bom: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] };

/** A cell a spreadsheet would run as a formula: starts with =, +, -, @, tab or CR (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Neutralises spreadsheet formulas in free text taken from outside sources (permit descriptions, owner names,
 * reasoning): a leading ' makes Excel, LibreOffice and Sheets show the text instead of evaluating it. Idempotent,
 * so a file read back and merged is never prefixed twice. Only for text columns: numbers stay numbers.
 */
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function formatCsvField(value: string): string {
  return stringify([[value]], { ...WRITE, eof: false });
}

export function formatCsvRecord(fields: readonly string[]): string {
  if (fields.length === 1 && fields[0] === '') return '""';
  return stringify([[...fields]], { ...WRITE, eof: false });
}

export function toCsv(records: readonly (readonly string[])[]): string {
  let out = '';
  let run: string[][] = [];
  const flush = () => {
    if (run.length) out += stringify(run, WRITE);
    run = [];
  };
  for (const r of records) {
    if (r.length === 1 && r[0] === '') {
      flush();
      out += '""\r\n';
    } else {
      run.push([...r]);
    }
  }
  flush();
  return out;
}

export class CsvParseError extends Error {
  constructor(message: string, readonly line: number) {
    super(`${message} (line ${line})`);
    this.name = 'CsvParseError';
  }
}

/** csv-parse's error codes in the words this project's messages use. */
const PARSE_ERRORS: Readonly<Record<string, string>> = {
  INVALID_OPENING_QUOTE: 'quote inside an unquoted field',
  CSV_QUOTE_NOT_CLOSED: 'unterminated quoted field',
  CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote',
};

export function parseCsv(text: string): string[][] {
  try {
    return parse(text, READ) as string[][];
  } catch (err) {
    const e = err as CsvError & { lines?: number };
    if (typeof e.code !== 'string') throw err;
    throw new CsvParseError(PARSE_ERRORS[e.code] ?? e.message, e.lines ?? 0);
  }
}
