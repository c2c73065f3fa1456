/**
 * npm run demo — one command from a fresh clone to TradeLead running on real-format public data:
 *   1. .env with fresh secrets (first run only); PostgreSQL + PostGIS and Redis reachable
 *   2. migrate, seed reference data (19 trades, 75 target cities, labor rates), demo admin
 *   3. three demo contractors (one per subscription tier) with logins and exclusive territories
 *   4. the bundled fixtures of three cities (test/fixtures/demo), dates moved to today: Austin permits from a
 *      Socrata endpoint, Denver's from an ArcGIS FeatureServer (both local replay servers speaking the real wire
 *      formats), Dallas's from BLDS CSV files; each city's assessor export; a NOAA Storm Events details file
 *   5. the nightly pipeline: assessor records → NOAA storms → permit scrapes (90 days) → the outbox chain
 *      (permit.scraped → lead.created → property/images/enrichment → inference → validation → triggers → score →
 *      cluster → price → publish) run by the worker in this process → clusters → the CSV export tree
 *   6. what came out: permits, storms, properties, triggers by type, leads by grade and tier, the top ten leads
 *      with their reasons, clusters, export paths
 *   7. the API and worker keep running; URLs and logins printed. Ctrl-C stops both.
 * Flags: --no-serve (run the pipeline, print the summary and exit).
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { ensureEnvFile } from './lib/env-file.ts';
import { ensureServices } from './lib/services.ts';
import { prepareDemoFixtures, REPLAY_PLACEHOLDER, type PreparedDemoCity } from './lib/demo-fixtures.ts';
import { startArcgisServer, startSocrataServer, type ReplayServer } from './lib/replay-servers.ts';

const args = process.argv.slice(2);
const serve = !args.includes('--no-serve');
const STEPS = 7;
const step = (n: number, msg: string) => console.log(`\n[${n}/${STEPS}] ${msg}`);
const fmt = (n: number) => n.toLocaleString('en-US');

if (ensureEnvFile()) console.log('created .env from .env.example with fresh secrets');
const { getConfigOrExit } = await import('../src/config.ts');
const config = getConfigOrExit();

step(1, 'checking PostgreSQL + PostGIS and Redis');
try {
  await ensureServices({ databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL, log: (m) => console.log(`  ${m}`) });
} catch (err) {
  console.error(`\n${(err as Error).message}`);
  process.exit(1);
}

step(2, 'migrating and seeding reference data');
const { ensureDatabase, migrate } = await import('../src/platform/migrations.ts');
if (await ensureDatabase(config.DATABASE_URL)) console.log(`  created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
const mig = await migrate(config.DATABASE_URL, { log: (m) => console.log(`  ${m}`) });
console.log(`  migrations: ${mig.applied.length} applied, ${mig.skipped.length} already applied`);

const { createContext } = await import('../src/platform/bootstrap.ts');
const { seedReferenceData } = await import('../prisma/seed/index.ts');
const { ensureUser } = await import('../src/modules/auth/auth.service.ts');
const { createContractor } = await import('../src/modules/contractors/contractors.service.ts');
const { assignTerritory } = await import('../src/modules/territories/territories.service.ts');
const ctx = createContext(config, { role: 'demo', logLevel: 'warn' });
const db = ctx.db.prisma;
const counts = await seedReferenceData(ctx.db.pool);
console.log(`  ${counts.verticals} verticals, ${counts.cities} target cities, ${counts.laborRates} labor rates`);
const admin = await ensureUser(ctx, { email: config.DEMO_ADMIN_EMAIL, password: config.DEMO_ADMIN_PASSWORD, role: 'admin' });
const adminPrincipal = { kind: 'user' as const, id: admin.id, role: 'admin' as const, contractorId: null };

step(3, 'demo contractors, logins and territories');
const DEMO_PASSWORD = 'contractor-demo';
const demoContractors = [
  { companyName: 'Lone Star Roofing', email: 'starter@demo.tradelead.local', city: 'Austin', state: 'TX', zip: '78704', subscriptionTier: 'starter' as const, zips: [] as string[] },
  { companyName: 'Big D Exteriors', email: 'pro@demo.tradelead.local', city: 'Dallas', state: 'TX', zip: '75214', subscriptionTier: 'professional' as const, zips: ['75214', '75218', '75206'] },
  { companyName: 'Front Range Roof Co', email: 'enterprise@demo.tradelead.local', city: 'Denver', state: 'CO', zip: '80210', subscriptionTier: 'enterprise' as const, zips: ['80210', '80220', '80211', '80207'] },
];
for (const d of demoContractors) {
  const { zips, ...body } = d;
  const existing = await db.contractor.findFirst({ where: { email: d.email, deletedAt: null } });
  const c = existing ?? (await createContractor(ctx, adminPrincipal, body));
  await ensureUser(ctx, { email: d.email, password: DEMO_PASSWORD, role: 'contractor', contractorId: c.id });
  for (const zip of zips) {
    const held = await db.territory.findFirst({ where: { zip, trade: 'roof', status: 'active', exclusive: true } });
    if (!held) await assignTerritory(ctx, adminPrincipal, { contractorId: c.id, kind: 'zip', zip, trade: 'roof', exclusive: true, force: false });
  }
  console.log(`  ${d.subscriptionTier.padEnd(12)} ${d.companyName.padEnd(22)} ${d.email}  territories: ${zips.length ? zips.map((z) => `${z}/roof`).join(', ') : 'none (buys shared leads)'}`);
}

step(4, 'bundled fixtures for Austin (Socrata), Denver (ArcGIS) and Dallas (BLDS CSV), dated to today');
const prepared = await prepareDemoFixtures({ fixturesDir: config.FIXTURES_DIR, outDir: path.resolve('.data/demo-fixtures'), today: new Date() });
console.log(`  ${prepared.outDir}: reference date ${prepared.referenceDate} moved ${prepared.shiftDays >= 0 ? '+' : ''}${prepared.shiftDays} days to ${prepared.today}`);
const servers: ReplayServer[] = [];
/** The city's permit source with the placeholder origin swapped for its local replay server. */
async function liveSource(c: PreparedDemoCity) {
  const src = c.permitSource;
  if (src.kind === 'socrata' && c.socrataRecords) {
    const s = await startSocrataServer({ datasets: { [src.datasetId]: c.socrataRecords } });
    servers.push(s);
    console.log(`  ${c.city.padEnd(8)} Socrata SODA replay   ${s.url}/resource/${src.datasetId}.json  (${fmt(c.socrataRecords.length)} records)`);
    return { ...src, baseUrl: src.baseUrl.replace(REPLAY_PLACEHOLDER, s.url) };
  }
  if (src.kind === 'arcgis' && c.arcgisFeatures) {
    // The layer path of a real FeatureServer when the fixture names none.
    const given = new URL(src.layerUrl).pathname.replace(/\/+$/, '');
    const layerPath = given || '/arcgis/rest/services/Permits/FeatureServer/0';
    const s = await startArcgisServer({ layers: { [layerPath]: c.arcgisFeatures }, dateFields: c.dateFields });
    servers.push(s);
    console.log(`  ${c.city.padEnd(8)} ArcGIS FeatureServer  ${s.url}${layerPath}/query  (${fmt(c.arcgisFeatures.length)} features)`);
    return { ...src, layerUrl: `${s.url}${layerPath}` };
  }
  console.log(`  ${c.city.padEnd(8)} BLDS CSV export       ${src.kind === 'csv' ? src.path : ''}`);
  return src;
}
for (const c of prepared.cities) {
  const permitSource = await liveSource(c);
  const n = await db.targetCity.updateMany({
    where: { city: c.city, state: c.state },
    data: { permitSource: permitSource as object, assessorSource: c.assessorSource as object, active: true },
  });
  if (n.count !== 1) throw new Error(`demo city ${c.city}, ${c.state} is not in the seeded target cities`);
}

step(5, 'the nightly pipeline');
const { startWorkers } = await import('../src/modules/orchestration/worker.ts');
const workerCtx = createContext(config, { role: 'worker', logLevel: 'warn' });
const workers = await startWorkers(workerCtx, {});
const { importPropertyRecords } = await import('../src/modules/acquisition/properties.service.ts');
const { ingestStormEvents } = await import('../src/modules/acquisition/storm-events.service.ts');
const { scrapeCityPermits } = await import('../src/modules/acquisition/permits.service.ts');
const { clusterLeads } = await import('../src/modules/clustering/clustering.service.ts');
const { scoreLeadsExport } = await import('../src/modules/exports/exports.service.ts');
const { rulesReasoner } = await import('../src/modules/scoring/permit-intent.reasoner.ts');

const bar = (label: string, total: number) => {
  // noTTYOutput: piped into a file or CI log, the bar still prints a line every few seconds.
  const b = new cliProgress.SingleBar(
    { format: `  ${label.padEnd(22)} {bar} {value}/{total} {info}`, hideCursor: true, clearOnComplete: false, noTTYOutput: true, notTTYSchedule: 5000 },
    cliProgress.Presets.shades_classic,
  );
  b.start(Math.max(1, total), 0, { info: '' });
  return b;
};

const assessorBar = bar('assessor records', prepared.cities.length * 100);
let propertiesImported = 0;
for (const [i, c] of prepared.cities.entries()) {
  const r = await importPropertyRecords(ctx, { city: c.city, state: c.state, triggeredBy: 'demo' }, (p) => assessorBar.update(i * 100 + Math.round(p.fraction * 100), { info: `${c.city}: ${fmt(p.received)} parcels` }));
  propertiesImported += r.inserted + r.updated + r.unchanged;
  assessorBar.update((i + 1) * 100, { info: `${c.city}: ${fmt(r.received)} parcels, ${r.failed} bad rows` });
}
assessorBar.stop();

const stormBar = bar('NOAA storm events', 100);
const storms = await ingestStormEvents(ctx, { files: prepared.noaaFiles }, (pct, info) => stormBar.update(Math.round(pct), { info: String(info.file ?? '') }));
stormBar.update(100, { info: `${fmt(storms.eventCount)} events, ${fmt(storms.withoutLocation)} without a location` });
stormBar.stop();

const permitBar = bar('permit scrapes (90 d)', prepared.cities.length);
const scraped: { city: string; source: string; received: number; inserted: number }[] = [];
for (const [i, c] of prepared.cities.entries()) {
  permitBar.update(i, { info: `${c.city}…` });
  const r = await scrapeCityPermits(ctx, { city: c.city, state: c.state, days: 90, triggeredBy: 'demo' }, (p) => permitBar.update(i, { info: `${c.city}: ${fmt(p.received)} permits` }));
  scraped.push({ city: c.city, source: r.source, received: r.received, inserted: r.inserted });
  permitBar.update(i + 1, { info: `${c.city}: ${fmt(r.received)} permits (${fmt(r.inserted)} new)` });
}
permitBar.stop();

// The chain runs in the worker started above; follow it until every lead of the three cities passed the last stage
// and the queues are empty.
const cityFilter = prepared.cities.map((c) => ({ city: c.city, state: c.state }));
const leadWhere = { OR: cityFilter, source: 'permit', deletedAt: null };
const chainBar = bar('lead pipeline', 1);
const started = Date.now();
let lastFinished = -1;
let idleSince = Date.now();
for (;;) {
  const [leads, finished, pendingOutbox, counts] = await Promise.all([
    db.baseLead.count({ where: leadWhere }),
    db.baseLead.count({ where: { ...leadWhere, stageRuns: { some: { stage: 'publish' } } } }),
    db.outbox.count({ where: { relayedAt: null } }),
    Promise.all(ctx.queues.all().map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized'))),
  ]);
  const busy = counts.reduce((s, c) => s + (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0), 0);
  chainBar.setTotal(Math.max(1, leads));
  chainBar.update(finished, { info: `leads through publish · ${busy} jobs queued · ${pendingOutbox} events to relay` });
  if (leads > 0 && finished === leads && pendingOutbox === 0 && busy === 0) break;
  // Nothing queued, nothing to relay and no lead moving for a minute: the chain is stuck, not slow.
  if (finished !== lastFinished || busy > 0 || pendingOutbox > 0) idleSince = Date.now();
  lastFinished = finished;
  if (Date.now() - idleSince > 60_000 || Date.now() - started > 15 * 60_000) {
    chainBar.stop();
    console.error(`\n  the lead pipeline stopped with ${finished} of ${leads} leads through; see GET /api/v1/jobs?state=failed and pipeline_stage_runs`);
    break;
  }
  await new Promise((r) => setTimeout(r, 500));
}
chainBar.stop();

const clusterBar = bar('geographic clusters', 1);
const clusters = await clusterLeads(ctx, { by: 'demo' });
clusterBar.update(1, { info: `${clusters.clusters} clusters over ${clusters.markets} markets, ${fmt(clusters.clustered)} leads clustered` });
clusterBar.stop();

const permitIds = (await db.baseLead.findMany({ where: { ...leadWhere, permitId: { not: null } }, select: { permitId: true } })).map((l) => l.permitId!);
const exportBar = bar('CSV export tree', permitIds.length);
const exportRun = await scoreLeadsExport(ctx, { outDir: config.EXPORTS_DIR, permitIds, saveToDb: false, reasoner: rulesReasoner, onProgress: (d) => exportBar.update(d) });
exportBar.stop();

step(6, 'what came out');
const sql = <T>(q: TemplateStringsArray, ...v: unknown[]) => db.$queryRaw<T[]>(q, ...v);
const [stormTypes, triggerTypes, grades, tiers, statuses, stages, byTrade] = await Promise.all([
  sql<{ t: string; n: number }>`SELECT coalesce(event_type, '?') AS t, count(*)::int AS n FROM weather_events GROUP BY 1 ORDER BY 2 DESC`,
  sql<{ t: string; n: number }>`SELECT trigger_type AS t, count(*)::int AS n FROM lead_triggers WHERE active GROUP BY 1 ORDER BY 2 DESC`,
  sql<{ g: string; n: number }>`SELECT coalesce(grade, 'not for sale (<60)') AS g, count(*)::int AS n FROM base_leads WHERE source = 'permit' AND deleted_at IS NULL GROUP BY 1 ORDER BY 1`,
  sql<{ t: string; n: number }>`SELECT coalesce(tier, '-') AS t, count(*)::int AS n FROM base_leads WHERE source = 'permit' AND deleted_at IS NULL GROUP BY 1 ORDER BY 1`,
  sql<{ s: string; n: number }>`SELECT status::text AS s, count(*)::int AS n FROM base_leads WHERE source = 'permit' AND deleted_at IS NULL GROUP BY 1 ORDER BY 2 DESC`,
  sql<{ stage: string; status: string; n: number }>`SELECT stage, status, count(*)::int AS n FROM pipeline_stage_runs GROUP BY 1, 2 ORDER BY 1, 2`,
  // Each trade by its own scorer (issue 8 §2): roof by seed 002 §3.5.1, the rest by the trade quality score.
  sql<{ trade: string; scorer: string; n: number; sellable: number; best: number | null }>`
    SELECT trade, coalesce(split_part(scorer_version, '+', 1), '-') AS scorer, count(*)::int AS n,
           count(*) FILTER (WHERE quality_score >= 60)::int AS sellable, max(quality_score) AS best
      FROM base_leads WHERE source = 'permit' AND deleted_at IS NULL GROUP BY 1, 2 ORDER BY 5 DESC NULLS LAST, 1`,
]);
const list = (rows: { n: number }[], key: (r: never) => string) => rows.map((r) => `${key(r as never)} ${fmt(r.n)}`).join(' · ') || 'none';
console.log(`  permits      ${scraped.map((s) => `${s.city} ${fmt(s.received)} (${s.source})`).join(' · ')}`);
console.log(`  storms       ${fmt(storms.eventCount)} NOAA events: ${list(stormTypes, (r: { t: string }) => r.t)}`);
console.log(`  properties   ${fmt(propertiesImported)} assessor parcels; ${fmt(await db.property.count())} properties in all`);
console.log(`  triggers     ${list(triggerTypes, (r: { t: string }) => r.t)}`);
console.log(`  leads        ${list(statuses, (r: { s: string }) => r.s)}`);
console.log(`  grades       ${list(grades, (r: { g: string }) => r.g)}   (no roof imagery or owner contacts yet)`);
console.log('  by trade     each scored by its own rules (docs/scoring.md): trade, scorer, leads, sellable (60+), best');
for (const t of byTrade) console.log(`               ${t.trade.padEnd(18)} ${t.scorer.padEnd(20)} ${String(t.n).padStart(4)} ${String(t.sellable).padStart(4)}   ${t.best ?? '-'}`);
console.log(`  intent tiers ${list(tiers, (r: { t: string }) => r.t)}`);
const stageLine = new Map<string, string[]>();
for (const r of stages) stageLine.set(r.stage, [...(stageLine.get(r.stage) ?? []), `${r.status} ${fmt(r.n)}`]);
console.log(`  stages       ${[...stageLine].map(([s, v]) => `${s}: ${v.join('/')}`).join(' · ')}`);

const top = await db.baseLead.findMany({
  where: { ...leadWhere, qualityScore: { not: null } },
  orderBy: [{ qualityScore: 'desc' }, { intentScore: 'desc' }, { id: 'asc' }],
  take: 10,
  include: { triggers: { where: { active: true }, orderBy: { triggerStrength: 'desc' } } },
});
console.log('\n  top ten leads');
for (const [i, l] of top.entries()) {
  const price = l.price === null ? 'not for sale' : `$${Number(l.price).toFixed(2)}`;
  console.log(`  ${String(i + 1).padStart(2)}. ${l.qualityScore} ${l.grade ?? '-'}  ${price.padEnd(12)} ${l.trade.padEnd(8)} ${l.address}, ${l.city} ${l.state} ${l.zip ?? ''}  [${l.status}; ${(l.scorerVersion ?? '-').split('+')[0]}]`);
  const why = l.triggers.map((t) => `${t.triggerType} ${t.triggerStrength ?? ''}`.trim());
  console.log(`      triggers: ${why.join(', ') || 'none'}; built ${l.yearBuilt ?? '?'}; tier ${l.tier ?? '-'}: ${(l.reasoning ?? '').slice(0, 110)}`);
}

const clusterRows = await db.leadCluster.findMany({ where: { status: 'active', leadCount: { gt: 0 } }, orderBy: [{ leadCount: 'desc' }], take: 8 });
console.log(`\n  clusters     ${clusters.clusters} (DBSCAN 2 mi, min 10 leads, EPSG:5070)`);
for (const c of clusterRows) {
  console.log(`    ${(c.clusterName ?? c.id).padEnd(34)} ${String(c.leadCount).padStart(4)} leads  avg score ${c.avgQualityScore?.toString() ?? '-'}  ${c.leadsAvailable} on sale`);
}
console.log(`\n  export tree  ${path.resolve(config.EXPORTS_DIR)} (${exportRun.permits} permits scored; A/B/C by trade, flagged ${exportRun.flagged}, retry ${exportRun.retry})`);
for (const f of exportRun.files.written.slice(0, 12)) console.log(`    ${f}`);
if (exportRun.files.written.length > 12) console.log(`    … ${exportRun.files.written.length - 12} more`);

if (!serve) {
  await workers.close();
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all([ctx.close(), workerCtx.close()]);
  step(7, 'done (--no-serve)');
  process.exit(0);
}

step(7, 'TradeLead is running');
// API and worker in this process (not child processes), so stopping the demo by any means stops both. In
// production they are separate processes: `npm start` and `npm run worker`.
const { buildApp } = await import('../src/app.ts');
const closeWithGrace = (await import('close-with-grace')).default;
const apiCtx = createContext(config, { role: 'api' });
const app = await buildApp(apiCtx);
closeWithGrace({ delay: 15_000 }, async () => {
  await app.close();
  await workers.close();
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all([apiCtx.close(), workerCtx.close(), ctx.close()]);
});
try {
  await app.listen({ host: config.HOST, port: config.PORT });
} catch (err) {
  console.error(`\ncould not listen on ${config.HOST}:${config.PORT}: ${(err as Error).message}\n(is another TradeLead running? stop it or set PORT in .env)`);
  process.exit(1);
}
const base = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
console.log(`
  API          ${base}/api/v1
  API docs     ${base}/docs
  Queues       ${base}/admin/queues   (admin; browser asks for the admin email/password)
  Metrics      ${base}/metrics
  Health       ${base}/health · ${base}/ready

  Admin        ${config.DEMO_ADMIN_EMAIL} / ${config.DEMO_ADMIN_PASSWORD}
  Contractors  ${demoContractors.map((d) => d.email).join(', ')}  (password: ${DEMO_PASSWORD})

  Try:
    TOKEN=$(curl -s ${base}/api/v1/auth/login -H 'content-type: application/json' \\
      -d '{"email":"pro@demo.tradelead.local","password":"${DEMO_PASSWORD}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
    curl -s "${base}/api/v1/leads?limit=5&city=Dallas" -H "authorization: Bearer $TOKEN"
    ADMIN=$(curl -s ${base}/api/v1/auth/login -H 'content-type: application/json' \\
      -d '{"email":"${config.DEMO_ADMIN_EMAIL}","password":"${config.DEMO_ADMIN_PASSWORD}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
    curl -s ${base}/api/v1/cities/TX/austin/progress -H "authorization: Bearer $ADMIN"

  Ctrl-C stops the API and the worker.`);
