-- Listing performance (measured by `npm run bench -- leads-list`, 100k leads, 50 clients).
--
-- 1. Staff list all leads ordered by (quality_score DESC NULLS LAST, created_at DESC, id DESC). No index had that
--    order, so every request sorted the whole table (~50 ms of CPU each, p95 4.3 s under load). The seed's
--    single-column score index becomes the full ordered index; partial, since soft-deleted leads are never listed.
DROP INDEX IF EXISTS "base_leads_quality_score_idx";
CREATE INDEX "base_leads_quality_score_idx" ON "base_leads" ("quality_score" DESC NULLS LAST, "created_at" DESC, "id" DESC)
  WHERE "deleted_at" IS NULL;

-- 2. The city filter is case-insensitive (lower(city) = lower($1)). Without statistics on that expression the
--    planner guessed 0.5% selectivity (82 rows for 10,582), preferred a bitmap scan plus sort over walking the
--    ordered index, and filtered listings took ~50 ms each. Expression statistics fix the estimate without an index.
CREATE STATISTICS IF NOT EXISTS "base_leads_lower_city_stats" ON (lower("city")) FROM "base_leads";
ANALYZE "base_leads";
