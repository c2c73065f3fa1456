import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local stand-ins for public permit portals, for tests and the offline demo. Each server listens on 127.0.0.1
 * (port 0), replays a given array of records in the provider's documented wire format, and logs every request.
 *
 *   const soda = await startSocrataServer({ datasets: { '3syk-w9eu': rows } });
 *   // permit_source: { kind: 'socrata', baseUrl: soda.url, datasetId: '3syk-w9eu', … }
 *   …; await soda.close();
 *
 * - Socrata SODA 2.0: GET /resource/<datasetId>.json with $where, $order, $limit, $offset (and $select of
 *   plain columns). Values go out as Socrata sends them: numbers as strings, null columns omitted.
 * - ArcGIS REST: GET <layerPath>/query with where, outFields, outSR, resultOffset, resultRecordCount, f=json;
 *   exceededTransferLimit while rows remain; geometry in Web Mercator unless outSR=4326; failures as
 *   HTTP-200 {error: {code, message, details}} bodies like ArcGIS Server.
 * - Files: fixed bodies by path (CSV exports by URL).
 * `where` / `$where` understand a SQL subset: AND / OR / NOT / parentheses, = != <> < <= > >=, LIKE (% and _),
 * IS [NOT] NULL, upper()/lower(), 'strings', numbers, TIMESTAMP '…' and DATE '…' literals. Dates compare as
 * instants whichever side is a date (floating timestamps are read as UTC). An unknown column is an error.
 * Every server serves /robots.txt from `robotsTxt` (404 without it).
 */

export interface LoggedRequest {
  method: string;
  /** Path and query as received (percent-encoded). */
  url: string;
  headers: IncomingMessage['headers'];
  /** performance.timeOrigin-relative milliseconds when the request arrived (for rate-limit measurements). */
  at: number;
}

export interface ReplayServer {
  /** Origin, e.g. http://127.0.0.1:41234 */
  url: string;
  /** path+query of every request, in arrival order (robots.txt included). */
  requests: string[];
  log: LoggedRequest[];
  close(): Promise<void>;
}

type Row = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------
// A small SQL WHERE evaluator (the subset the permit clients emit, plus simple hand-written conditions)

type Token = { t: 'str' | 'num' | 'id' | 'op' | '(' | ')' | ','; v: string };

export class WhereError extends Error {}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new WhereError('unterminated string literal');
        if (src[i] === "'" && src[i + 1] === "'") { s += "'"; i += 2; continue; }
        if (src[i] === "'") { i++; break; }
        s += src[i++];
      }
      out.push({ t: 'str', v: s });
      continue;
    }
    if (c === '(' || c === ')' || c === ',') { out.push({ t: c, v: c }); i++; continue; }
    const op = /^(<=|>=|<>|!=|=|<|>)/.exec(src.slice(i));
    if (op) { out.push({ t: 'op', v: op[1]! }); i += op[1]!.length; continue; }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num) { out.push({ t: 'num', v: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_:@][A-Za-z0-9_.]*/.exec(src.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    throw new WhereError(`unexpected character "${c}" at ${i}`);
  }
  return out;
}

type Operand =
  | { kind: 'col'; name: string }
  | { kind: 'lit'; value: string | number | null; date?: boolean }
  | { kind: 'fn'; name: 'upper' | 'lower'; arg: Operand };
type Cond =
  | { kind: 'and' | 'or'; a: Cond; b: Cond }
  | { kind: 'not'; a: Cond }
  | { kind: 'cmp'; op: string; l: Operand; r: Operand }
  | { kind: 'like'; l: Operand; pattern: string; negate: boolean }
  | { kind: 'null'; l: Operand; negate: boolean };

export function parseWhere(src: string): Cond {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const kw = (w: string) => peek()?.t === 'id' && peek()!.v.toUpperCase() === w;
  const expect = (t: Token['t']) => {
    const tok = toks[p++];
    if (!tok || tok.t !== t) throw new WhereError(`expected ${t} at token ${p}`);
    return tok;
  };
  const operand = (): Operand => {
    const tok = toks[p++];
    if (!tok) throw new WhereError('unexpected end of condition');
    if (tok.t === 'str') return { kind: 'lit', value: tok.v };
    if (tok.t === 'num') return { kind: 'lit', value: Number(tok.v) };
    if (tok.t === 'id') {
      const up = tok.v.toUpperCase();
      if ((up === 'TIMESTAMP' || up === 'DATE') && peek()?.t === 'str') return { kind: 'lit', value: toks[p++]!.v, date: true };
      if (up === 'NULL') return { kind: 'lit', value: null };
      if ((up === 'UPPER' || up === 'LOWER') && peek()?.t === '(') {
        p++;
        const arg = operand();
        expect(')');
        return { kind: 'fn', name: up.toLowerCase() as 'upper' | 'lower', arg };
      }
      return { kind: 'col', name: tok.v };
    }
    throw new WhereError(`unexpected "${tok.v}"`);
  };
  const primary = (): Cond => {
    if (kw('NOT')) { p++; return { kind: 'not', a: primary() }; }
    if (peek()?.t === '(') {
      p++;
      const c = or();
      expect(')');
      return c;
    }
    const l = operand();
    if (kw('IS')) {
      p++;
      const negate = kw('NOT') ? (p++, true) : false;
      if (!kw('NULL')) throw new WhereError('expected NULL after IS');
      p++;
      return { kind: 'null', l, negate };
    }
    const negate = kw('NOT') ? (p++, true) : false;
    if (kw('LIKE')) {
      p++;
      const pat = expect('str');
      return { kind: 'like', l, pattern: pat.v, negate };
    }
    const op = expect('op');
    return { kind: 'cmp', op: op.v, l, r: operand() };
  };
  const and = (): Cond => {
    let c = primary();
    while (kw('AND')) { p++; c = { kind: 'and', a: c, b: primary() }; }
    return c;
  };
  const or = (): Cond => {
    let c = and();
    while (kw('OR')) { p++; c = { kind: 'or', a: c, b: and() }; }
    return c;
  };
  const cond = or();
  if (p < toks.length) throw new WhereError(`unexpected "${toks[p]!.v}" after the condition`);
  return cond;
}

/** Column names a condition reads (to reject unknown columns as the real servers do). */
export function columnsOf(c: Cond): string[] {
  const ops = (o: Operand): string[] => (o.kind === 'col' ? [o.name] : o.kind === 'fn' ? ops(o.arg) : []);
  switch (c.kind) {
    case 'and': case 'or': return [...columnsOf(c.a), ...columnsOf(c.b)];
    case 'not': return columnsOf(c.a);
    case 'cmp': return [...ops(c.l), ...ops(c.r)];
    default: return ops(c.l);
  }
}

type Val = { v: unknown; date?: boolean };

function valueOf(o: Operand, row: Row): Val {
  if (o.kind === 'lit') return { v: o.value, date: o.date };
  if (o.kind === 'col') return { v: row[o.name] };
  const inner = valueOf(o.arg, row).v;
  if (inner === null || inner === undefined) return { v: null };
  return { v: o.name === 'upper' ? String(inner).toUpperCase() : String(inner).toLowerCase() };
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}/;
function asInstant(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  if (/^-?\d{9,}$/.test(v)) return Number(v);
  if (!ISO_DAY.test(v)) return null;
  const s = v.replace(' ', 'T');
  const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s}${s.length === 10 ? 'T00:00:00' : ''}Z`);
  return Number.isNaN(t) ? null : t;
}

function compare(a: Val, b: Val): number | null {
  if (a.v === null || a.v === undefined || b.v === null || b.v === undefined) return null;
  if (a.date || b.date) {
    const x = asInstant(a.v);
    const y = asInstant(b.v);
    return x === null || y === null ? null : x - y;
  }
  const na = typeof a.v === 'number' ? a.v : Number(a.v);
  const nb = typeof b.v === 'number' ? b.v : Number(b.v);
  if ((typeof a.v === 'number' || typeof b.v === 'number') && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const sa = String(a.v);
  const sb = String(b.v);
  if (ISO_DAY.test(sa) && ISO_DAY.test(sb)) return (asInstant(sa) ?? 0) - (asInstant(sb) ?? 0);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function likeRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 's');
}

export function evaluate(c: Cond, row: Row): boolean {
  switch (c.kind) {
    case 'and': return evaluate(c.a, row) && evaluate(c.b, row);
    case 'or': return evaluate(c.a, row) || evaluate(c.b, row);
    case 'not': return !evaluate(c.a, row);
    case 'null': {
      const v = valueOf(c.l, row).v;
      return (v === null || v === undefined) !== c.negate;
    }
    case 'like': {
      const v = valueOf(c.l, row).v;
      if (v === null || v === undefined) return false;
      return likeRegex(c.pattern).test(String(v)) !== c.negate;
    }
    case 'cmp': {
      const d = compare(valueOf(c.l, row), valueOf(c.r, row));
      if (d === null) return false;
      switch (c.op) {
        case '=': return d === 0;
        case '!=': case '<>': return d !== 0;
        case '<': return d < 0;
        case '<=': return d <= 0;
        case '>': return d > 0;
        default: return d >= 0;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// HTTP plumbing

type Handler = (req: IncomingMessage, url: URL, res: ServerResponse) => void | Promise<void>;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function listen(robotsTxt: string | undefined, handle: Handler): Promise<ReplayServer> {
  const requests: string[] = [];
  const log: LoggedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const at = performance.now();
    requests.push(req.url ?? '/');
    log.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, at });
    const url = new URL(req.url ?? '/', 'http://replay.local');
    if (url.pathname === '/robots.txt') {
      if (robotsTxt === undefined) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(robotsTxt);
      return;
    }
    Promise.resolve(handle(req, url, res)).catch((err) => {
      if (!res.headersSent) json(res, 500, { error: true, message: String(err) });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    log,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Socrata SODA 2.0

export interface SocrataServerOptions {
  /** Dataset 4x4 id → rows (as the portal holds them; numbers are sent as strings either way). */
  datasets: Record<string, Row[]>;
  /** When set, a request with a different X-App-Token is refused 403 like SODA does for unknown tokens. */
  appToken?: string;
  robotsTxt?: string;
  /** The first N data requests answer 429 Too Many Requests with Retry-After. */
  failFirstWith429?: number;
  /** Retry-After seconds on those 429s (default 1). */
  retryAfterSeconds?: number;
  /** Data requests after the first N answer `status` (default 500) — a portal failing mid-run. */
  failAfterRequests?: { requests: number; status?: number };
  /** Paging ($offset > 0) without $order is refused 400, stricter than SODA, to catch unstable paging. */
  requireOrderWhenPaging?: boolean;
}

function socrataError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { code, error: true, message, data: {} }, headers);
}

/** SODA's JSON form of a row: numbers and booleans as strings, absent/null columns left out. */
function sodaRow(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  }
  return out;
}

function sortRows(rows: { row: Row; id: number }[], order: string): { row: Row; id: number }[] {
  const keys = order.split(',').map((part) => {
    const [col, dir] = part.trim().split(/\s+/);
    return { col: col!, desc: (dir ?? '').toUpperCase() === 'DESC' };
  });
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const d = k.col === ':id' ? a.id - b.id : compare({ v: a.row[k.col] }, { v: b.row[k.col] }) ?? 0;
      if (d !== 0) return k.desc ? -d : d;
    }
    return 0;
  });
}

export async function startSocrataServer(opts: SocrataServerOptions): Promise<ReplayServer & { dataRequests: () => number }> {
  let dataRequests = 0;
  let throttled = 0;
  const server = await listen(opts.robotsTxt, (req, url, res) => {
    const m = /^\/resource\/([a-z0-9]{4}-[a-z0-9]{4})\.json$/.exec(url.pathname);
    if (!m) return socrataError(res, 404, 'not_found', `No such resource ${url.pathname}`);
    const token = req.headers['x-app-token'];
    if (opts.appToken && token !== undefined && token !== opts.appToken) {
      return socrataError(res, 403, 'permission_denied', 'Invalid app_token specified');
    }
    if (throttled < (opts.failFirstWith429 ?? 0)) {
      throttled++;
      return socrataError(res, 429, 'too_many_requests', 'Too many requests', { 'retry-after': String(opts.retryAfterSeconds ?? 1) });
    }
    dataRequests++;
    if (opts.failAfterRequests && dataRequests > opts.failAfterRequests.requests) {
      return socrataError(res, opts.failAfterRequests.status ?? 500, 'internal_error', 'Internal error');
    }
    const rows = opts.datasets[m[1]!];
    if (!rows) return socrataError(res, 404, 'dataset.missing', `Cannot find view with id ${m[1]}`);
    const columns = new Set(rows.flatMap((r) => Object.keys(r)));
    const q = url.searchParams;
    let selected = rows.map((row, id) => ({ row, id }));
    const where = q.get('$where');
    if (where) {
      let cond: Cond;
      try {
        cond = parseWhere(where);
      } catch (err) {
        return socrataError(res, 400, 'query.compiler.malformed', `Could not parse SoQL query "${where}": ${(err as Error).message}`);
      }
      const unknown = columnsOf(cond).find((c) => !columns.has(c) && c !== ':id');
      if (unknown) return socrataError(res, 400, 'query.soql.no-such-column', `No such column: ${unknown}`);
      selected = selected.filter((r) => evaluate(cond, r.row));
    }
    const order = q.get('$order');
    const offset = Number(q.get('$offset') ?? 0);
    const limit = Number(q.get('$limit') ?? 1000);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0 || limit > 50_000) {
      return socrataError(res, 400, 'query.execution.invalid', 'Invalid $limit or $offset');
    }
    if (offset > 0 && !order && opts.requireOrderWhenPaging !== false) {
      return socrataError(res, 400, 'query.paging.unordered', 'Paging with $offset requires $order for a stable order');
    }
    if (order) selected = sortRows(selected, order);
    let page = selected.slice(offset, offset + limit).map((r) => sodaRow(r.row));
    const select = q.get('$select');
    if (select) {
      const cols = select.split(',').map((s) => s.trim());
      page = page.map((r) => Object.fromEntries(cols.filter((c) => c in r).map((c) => [c, r[c]])));
    }
    json(res, 200, page, { 'x-soda2-fields': JSON.stringify([...columns]) });
  });
  return { ...server, dataRequests: () => dataRequests };
}

// ---------------------------------------------------------------------------------------------------------
// ArcGIS REST FeatureServer / MapServer layer query

export interface ArcgisFeature {
  attributes: Row;
  /** WGS84 (x = longitude, y = latitude); the server reprojects to Web Mercator unless outSR=4326. */
  geometry?: { x: number; y: number } | null;
}

export interface ArcgisServerOptions {
  /** Layer path (e.g. /arcgis/rest/services/Permits/FeatureServer/0) → features. */
  layers: Record<string, ArcgisFeature[]>;
  /** The layer's maxRecordCount: resultRecordCount above it is capped (default 1000). */
  maxRecordCount?: number;
  /** Attributes of type esriFieldTypeDate (epoch ms), for the fields list. */
  dateFields?: string[];
  robotsTxt?: string;
  /** Queries after the first N answer an HTTP-200 error body — a service failing mid-run. */
  errorAfterQueries?: number;
  /** Every query answers this HTTP-200 error body. */
  errorBody?: { code: number; message: string; details?: string[] };
}

/** WGS84 → Web Mercator (EPSG:3857), what a layer stored in 102100 answers without outSR. */
function toWebMercator(lng: number, lat: number): { x: number; y: number } {
  const R = 6378137;
  return { x: (R * lng * Math.PI) / 180, y: R * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) };
}

function esriType(name: string, sample: unknown, dateFields: Set<string>): string {
  if (dateFields.has(name)) return 'esriFieldTypeDate';
  if (name.toUpperCase() === 'OBJECTID') return 'esriFieldTypeOID';
  if (typeof sample === 'number') return Number.isInteger(sample) ? 'esriFieldTypeInteger' : 'esriFieldTypeDouble';
  return 'esriFieldTypeString';
}

export async function startArcgisServer(opts: ArcgisServerOptions): Promise<ReplayServer & { queries: () => number }> {
  let queries = 0;
  const dateFields = new Set(opts.dateFields ?? []);
  const server = await listen(opts.robotsTxt, (_req, url, res) => {
    const m = /^(.*)\/query$/.exec(url.pathname);
    const features = m ? opts.layers[m[1]!] : undefined;
    if (!m || !features) return json(res, 200, { error: { code: 400, message: 'Invalid URL', details: ['Invalid URL'] } });
    queries++;
    const q = url.searchParams;
    if ((q.get('f') ?? 'html') !== 'json' && q.get('f') !== 'pjson') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Query (Feature Service/Layer) — HTML form</body></html>');
      return;
    }
    if (opts.errorBody) return json(res, 200, { error: { details: [], ...opts.errorBody } });
    if (opts.errorAfterQueries !== undefined && queries > opts.errorAfterQueries) {
      return json(res, 200, { error: { code: 500, message: 'Error performing query operation', details: [] } });
    }
    const columns = new Set(features.flatMap((f) => Object.keys(f.attributes)));
    let cond: Cond;
    try {
      cond = parseWhere(q.get('where') ?? '1=1');
    } catch {
      return json(res, 200, { error: { code: 400, message: 'Unable to complete operation.', details: ['Unable to perform query operation.', 'Invalid query'] } });
    }
    const unknown = columnsOf(cond).find((c) => !columns.has(c));
    if (unknown) {
      return json(res, 200, { error: { code: 400, message: 'Unable to complete operation.', details: [`'${unknown}' is not a valid field name.`, 'Invalid query'] } });
    }
    const matched = features.filter((f) => evaluate(cond, f.attributes));
    const max = opts.maxRecordCount ?? 1000;
    const offset = Number(q.get('resultOffset') ?? 0);
    const count = Math.min(Number(q.get('resultRecordCount') ?? max), max);
    const page = matched.slice(offset, offset + count);
    const outFields = (q.get('outFields') ?? '*').split(',').map((s) => s.trim());
    const wgs84 = q.get('outSR') === '4326';
    const returnGeometry = q.get('returnGeometry') !== 'false';
    const sample = features[0]?.attributes ?? {};
    const body: Record<string, unknown> = {
      objectIdFieldName: 'OBJECTID',
      uniqueIdField: { name: 'OBJECTID', isSystemMaintained: true },
      globalIdFieldName: '',
      geometryType: 'esriGeometryPoint',
      spatialReference: wgs84 ? { wkid: 4326, latestWkid: 4326 } : { wkid: 102100, latestWkid: 3857 },
      fields: [...columns]
        .filter((c) => outFields.includes('*') || outFields.includes(c))
        .map((c) => ({ name: c, type: esriType(c, sample[c], dateFields), alias: c })),
      features: page.map((f) => {
        const attributes = outFields.includes('*') ? f.attributes : Object.fromEntries(outFields.filter((c) => c in f.attributes).map((c) => [c, f.attributes[c]]));
        const g = f.geometry;
        const geometry = !returnGeometry || !g ? undefined : wgs84 ? { x: g.x, y: g.y } : toWebMercator(g.x, g.y);
        return geometry ? { attributes, geometry } : { attributes };
      }),
    };
    if (offset + page.length < matched.length) body.exceededTransferLimit = true;
    json(res, 200, body);
  });
  return { ...server, queries: () => queries };
}

// ---------------------------------------------------------------------------------------------------------
// Plain files (CSV exports by URL)

export interface FileServerOptions {
  files: Record<string, { body: string; contentType?: string }>;
  robotsTxt?: string;
}

export async function startFileServer(opts: FileServerOptions): Promise<ReplayServer> {
  return listen(opts.robotsTxt, (_req, url, res) => {
    const f = opts.files[url.pathname];
    if (!f) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': f.contentType ?? 'text/csv; charset=utf-8' });
    res.end(f.body);
  });
}
