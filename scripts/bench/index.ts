/**
 * npm run bench [-- <name> ...] — runs benchmarks and prints one JSON document on stdout (progress on stderr).
 * Names: the keys of BENCHES below (an unknown name prints them). Env: BENCH_LEADS, BENCH_SECONDS, BENCH_DATABASE_URL (default: DATABASE_URL + "_bench").
 */
import { existsSync } from 'node:fs';
import { benchLeadsList } from './leads-list.ts';
import { benchLeadgen } from './leadgen.ts';
import { benchPipeline } from './pipeline.ts';
import { benchScoring } from './scoring.ts';
import { benchTriggers } from './triggers.ts';

const BENCHES: Record<string, () => Promise<unknown>> = {
  'leads-list': () => benchLeadsList(),
  leadgen: () => benchLeadgen(),
  pipeline: () => benchPipeline(),
  scoring: () => benchScoring(),
  triggers: () => benchTriggers(),
};

if (existsSync('.env')) process.loadEnvFile('.env');
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = names.filter((n) => !BENCHES[n]);
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(', ')}; available: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const results: Record<string, unknown> = {};
for (const name of names.length ? names : Object.keys(BENCHES)) results[name] = await BENCHES[name]!();
console.log(JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, results }, null, 2));
process.exit(0);
