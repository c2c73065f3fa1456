/**
 * RFC 4180 CSV, both ways. Writer: CRLF after every record; a field containing a comma, a double quote, CR
 * or LF is quoted with its quotes doubled; a record that is one empty field is written `""` so it does not
 * read back as a blank line. Parser: the same grammar, strict (a stray quote is an error rather than a
 * guess), accepting LF line ends and a leading UTF-8 BOM from files edited by hand.
 */
const NEEDS_QUOTES = /[",\r\n]/;

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
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function formatCsvRecord(fields: readonly string[]): string {
  if (fields.length === 1 && fields[0] === '') return '""';
  return fields.map(formatCsvField).join(',');
}

export function toCsv(records: readonly (readonly string[])[]): string {
  let out = '';
  for (const r of records) out += `${formatCsvRecord(r)}\r\n`;
  return out;
}

export class CsvParseError extends Error {
  constructor(message: string, readonly line: number) {
    super(`${message} (line ${line})`);
    this.name = 'CsvParseError';
  }
}

export function parseCsv(text: string): string[][] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let i = 0;
  const n = s.length;
  const endRecord = () => {
    record.push(field);
    records.push(record);
    record = [];
    field = '';
  };
  while (i < n) {
    const c = s[i]!;
    if (c === '"') {
      if (field !== '') throw new CsvParseError('quote inside an unquoted field', line);
      // Quoted field: runs to the next quote that is not doubled.
      i++;
      const startLine = line;
      for (;;) {
        if (i >= n) throw new CsvParseError('unterminated quoted field', startLine);
        const q = s[i]!;
        if (q === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        field += q;
        i++;
      }
      const next = s[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
        throw new CsvParseError('text after a closing quote', line);
      }
      // An empty quoted field must survive as a field even if the record ends here.
      if (next === undefined) {
        endRecord();
        return records;
      }
      if (next === ',') {
        record.push(field);
        field = '';
        i++;
        if (i >= n) {
          endRecord();
          return records;
        }
      }
      continue;
    }
    if (c === ',') {
      record.push(field);
      field = '';
      i++;
      if (i >= n) endRecord();
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    field += c;
    i++;
    if (i >= n) endRecord();
  }
  return records;
}
