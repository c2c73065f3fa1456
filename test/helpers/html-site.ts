import http from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * A local web server for the HTML fixtures (test/fixtures/html): a JavaScript permit portal, a static paged
 * permit list and a county assessor site (search form → result list → parcel page), plus robots.txt.
 * It records every request (path, user agent, time) so tests can prove what was — and was not — fetched.
 * Everything under /private/ serves the same pages; robots.txt disallows it.
 */
export interface SiteRequest {
  path: string;
  userAgent: string | undefined;
  at: number;
}

export interface HtmlSite {
  url: string;
  requests: SiteRequest[];
  robots: string;
  paths(): string[];
  close(): Promise<void>;
}

const FIXTURES = path.resolve('test/fixtures/html');

export const DEFAULT_ROBOTS = ['User-agent: *', 'Disallow: /private/', 'Disallow: /assessor/admin', ''].join('\n');

interface Parcel {
  id: string;
  situs: string;
  zip: string;
  owner: string;
  href: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const squash = (s: string) => s.toUpperCase().replace(/[^A-Z0-9 ]/g, ' ').replace(/\s+/g, ' ').trim();

/** The assessor's search: situs addresses containing the query (what county sites do), optionally by ZIP. */
async function renderSearch(query: string, zip: string): Promise<string> {
  const parcels = JSON.parse(await readFile(path.join(FIXTURES, 'assessor/parcels.json'), 'utf8')) as Parcel[];
  const q = squash(query);
  const hits = q ? parcels.filter((p) => squash(p.situs).includes(q) && (!zip || p.zip === zip)) : [];
  const results = hits.length
    ? `<p class="result-count">${hits.length} propert${hits.length === 1 ? 'y' : 'ies'} found</p>
  <table class="results">
    <thead><tr><th>Property ID</th><th>Situs Address</th><th>Owner</th></tr></thead>
    <tbody>
${hits.map((p) => `      <tr><td><a class="parcel-link" href="${p.href}">${p.id}</a></td><td>${escapeHtml(p.situs)} ${p.zip}</td><td>${escapeHtml(p.owner)}</td></tr>`).join('\n')}
    </tbody>
  </table>`
    : '<p class="no-results">No properties matched your search. Check the spelling of the street name.</p>';
  const template = await readFile(path.join(FIXTURES, 'assessor/results.html'), 'utf8');
  return template.replace('{{QUERY}}', escapeHtml(query)).replace('{{RESULTS}}', results);
}

/** Path (without any /private prefix) → fixture HTML, or null for 404. */
async function route(u: URL): Promise<string | null> {
  const p = u.pathname.replace(/^\/private(?=\/)/, '');
  const file = (rel: string) => readFile(path.join(FIXTURES, rel), 'utf8').catch(() => null);
  if (p === '/portal/permits') return file('permit-portal.html');
  if (p === '/static/permits') return file(`static/permits-page-${Number(u.searchParams.get('page') ?? '1')}.html`);
  if (p === '/assessor/' || p === '/assessor') return file('assessor/search.html');
  if (p === '/assessor/search') return renderSearch(u.searchParams.get('situs') ?? '', u.searchParams.get('zip') ?? '');
  const parcel = /^\/assessor\/parcel\/(\d+)$/.exec(p) ?? /^\/parcel\/(\d+)$/.exec(p);
  if (parcel) return file(`assessor/parcel-${parcel[1]}.html`);
  return null;
}

export async function startHtmlSite(): Promise<HtmlSite> {
  const site: HtmlSite = {
    url: '',
    requests: [],
    robots: DEFAULT_ROBOTS,
    paths: () => site.requests.map((r) => r.path),
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    site.requests.push({ path: `${u.pathname}${u.search}`, userAgent: req.headers['user-agent'], at: performance.now() });
    if (u.pathname === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(site.robots);
      return;
    }
    route(u).then(
      (body) => {
        if (body === null) res.writeHead(404, { 'content-type': 'text/html' }).end('<!doctype html><title>Not found</title><h1>404 Not Found</h1>');
        else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}
