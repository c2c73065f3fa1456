/**
 * Lead generation and clustering on 100,000 leads (BENCH_LEADS). Target (seed 000): 1,000 leads generated —
 * selected, deduplicated, published with their audit rows and outbox events, and cluster-assigned — in under
 * 5 s. Runs:
 *   1. generate 1,000 roofing leads from a scored backlog, before any cluster exists;
 *   2. cluster every lead of every market (DBSCAN + k-means in PostGIS), then the same run again (unchanged);
 *   3. insert 5,000 freshly scored fence leads (unclustered) and generate 1,000 of them: every one is published
 *      and then cluster-assigned, the worst case for the assignment that follows publishing.
 * Uses its own database (the bench database's name + "_leadgen"), so it never clobbers another benchmark.
 */
import { loadavg } from 'node:os';
import { parseConfig } from '../../src/config.ts';
import { createContext } from '../../src/platform/bootstrap.ts';
import { runLeadGeneration } from '../../src/modules/leads/lead-generation.service.ts';
import { clusterLeads } from '../../src/modules/clustering/clustering.service.ts';
import { generateDemoLeads, insertLeads, type DemoLead } from '../lib/demo-data.ts';
import { tradeGroupOf } from '../../prisma/seed/taxonomy.ts';
import { benchDatabaseUrl, benchEnv, freshBenchDatabase, log, round } from './lib.ts';

const TARGET_MS = 5000;

const LONG: Record<string, string> = { St: 'Street', Ave: 'Avenue', Dr: 'Drive', Ln: 'Lane', Ct: 'Court', Blvd: 'Boulevard', Trl: 'Trail', Pl: 'Place', Cir: 'Circle' };
/** A second spelling of an address ("100 Oak St" → "100 Oak Street", "7 Elm Way" → "7 ELM WAY"): one property. */
const respell = (l: DemoLead): DemoLead => {
  const m = / (\w+)$/.exec(l.address);
  const long = m && LONG[m[1]!];
  return { ...l, address: long ? l.address.replace(/ \w+$/, ` ${long}`) : l.address.toUpperCase(), qualityScore: Math.min(100, l.qualityScore + 1) };
};
/** Matches exactly the respelled addresses (demo addresses end in an abbreviation and are mixed case). */
const RESPELLED = `(address ~ '(Street|Avenue|Drive|Lane|Court|Boulevard|Trail|Place|Circle)$' OR address = upper(address))`;

export async function benchLeadgen(opts: { leads?: number } = {}) {
  const leads = opts.leads ?? Number(process.env.BENCH_LEADS ?? 100_000);
  const u = new URL(benchDatabaseUrl());
  u.pathname = `${u.pathname}_leadgen`;
  const dbUrl = u.toString();
  const config = parseConfig(benchEnv(dbUrl, { DATABASE_POOL_MAX: '10' }));

  log(`leadgen: preparing ${leads.toLocaleString()} leads in ${u.pathname.slice(1)}`);
  await freshBenchDatabase(dbUrl, config.REDIS_URL);
  const ctx = createContext(config, { role: 'bench', logLevel: 'warn' });
  try {
    const t0 = performance.now();
    const demo = generateDemoLeads(leads, 11);
    // 2% second spellings of existing addresses: generation must publish only one lead per address.
    const dups = demo.filter((l) => l.status === 'available').slice(0, Math.floor(leads * 0.02)).map(respell);
    await insertLeads(ctx.db.pool, ctx.cipher, [...demo, ...dups], { chunk: 5000 });
    // A scored backlog: four in five sellable leads wait to be published, the rest are on the market; every
    // second spelling is scored (and scores one point higher), so only deduplication keeps it off the market.
    await ctx.db.pool.query(`UPDATE base_leads SET status = 'scored', published_at = NULL
                              WHERE status = 'available' AND (abs(hashtext(address)) % 5 <> 0 OR ${RESPELLED})`);
    await ctx.db.pool.query('VACUUM ANALYZE base_leads');
    const counts = (await ctx.db.pool.query<{ status: string; n: number }>(`SELECT status::text, count(*)::int AS n FROM base_leads GROUP BY 1 ORDER BY 1`)).rows;
    const loadSeconds = (performance.now() - t0) / 1000;
    log(`leadgen: loaded in ${round(loadSeconds, 1)} s: ${counts.map((c) => `${c.status} ${c.n}`).join(', ')}`);

    const generate = async (label: string, trade: string) => {
      const t = performance.now();
      const r = await runLeadGeneration(ctx, { trade, minScore: 60, maxLeads: 1000, by: 'bench' });
      const ms = performance.now() - t;
      log(`leadgen: ${label}: ${r.generated} leads (${r.published} published, ${r.clustered} clustered) in ${round(ms, 0)} ms`);
      return { label, ms: round(ms, 0), generated: r.generated, published: r.published, clustered: r.clustered, underTarget: ms < TARGET_MS };
    };
    const cluster = async (label: string) => {
      const t = performance.now();
      const r = await clusterLeads(ctx, { by: 'bench' });
      const ms = performance.now() - t;
      log(`leadgen: ${label}: ${r.leads} leads → ${r.clusters} clusters in ${round(ms, 0)} ms`);
      return { label, ms: round(ms, 0), ...r };
    };

    const first = await generate('generate 1,000 roofing leads (no clusters yet)', 'roof');
    const clustering = await cluster(`cluster ${leads.toLocaleString()}+ leads, 3 markets`);
    const recluster = await cluster('re-cluster, nothing changed');

    // 5,000 freshly scored fence leads in the same markets, no cluster yet: all 1,000 picked get published and
    // cluster-assigned.
    const fresh = generateDemoLeads(5000, 12).map((l, i) => ({
      ...l, address: `${l.address} Bldg ${i}`, trade: 'fence', tradeGroup: tradeGroupOf('fence') ?? 'other', price: l.price ?? 150, status: 'available' as const,
    }));
    await insertLeads(ctx.db.pool, ctx.cipher, fresh, { chunk: 5000 });
    await ctx.db.pool.query(`UPDATE base_leads SET status = 'scored', published_at = NULL WHERE source = 'demo' AND address LIKE '% Bldg %'`);
    await ctx.db.pool.query('ANALYZE base_leads');
    const second = await generate('generate 1,000 fresh fence leads (published, then cluster-assigned)', 'fence');

    const dupPublished = (await ctx.db.pool.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM (
        SELECT lead_address_key(address, city, state) FROM base_leads WHERE trade = 'roof' AND status = 'available'
         GROUP BY 1 HAVING count(*) > 1) d`)).rows[0]!.n;

    return {
      bench: 'leadgen',
      leads: leads + dups.length,
      duplicateSpellings: dups.length,
      loadSeconds: round(loadSeconds, 1),
      targetMs: TARGET_MS,
      generation: [first, second],
      clustering: [clustering, recluster],
      duplicateAddressesOnSale: dupPublished,
      loadAverage: loadavg().map((n) => round(n, 2)),
    };
  } finally {
    await ctx.close();
  }
}
