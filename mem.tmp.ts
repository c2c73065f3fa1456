import { createDatabase } from './src/platform/db.ts';
import { createLogger } from './src/platform/logger.ts';
import { rescoreLeads } from './src/modules/scoring/batch-engine.ts';
import { LEAD_STATUSES } from './src/modules/leads/leads.lifecycle.ts';
const db = createDatabase('postgresql://postgres@127.0.0.1:5432/tradelead_bench_scoring', { max: 4 });
const max = Number(process.argv[2] ?? 1e6);
const r = await rescoreLeads({ db, log: createLogger('warn') }, { force: true, maxLeads: max, filter: { statuses: [...LEAD_STATUSES] }, chunkSize: Number(process.argv[3] ?? 10000), onChunk: (p) => {
  if (p.chunks % 10 === 0) { const m = process.memoryUsage(); console.log(p.chunks, 'rss', Math.round(m.rss / 1048576), 'heapUsed', Math.round(m.heapUsed / 1048576), 'heapTotal', Math.round(m.heapTotal / 1048576), 'ext', Math.round(m.external / 1048576), 'ab', Math.round(m.arrayBuffers / 1048576), p.rowsPerSecond); }
} });
console.log(r.elapsedMs, r.rowsPerSecond);
await db.close();
