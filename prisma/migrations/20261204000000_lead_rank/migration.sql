-- Issue 8 §7: a rescore that changes every score must not rewrite every index of base_leads. An UPDATE that
-- changes no indexed column and finds room on its page is a HOT update: a new row version on the same page and
-- no index entry at all. A rescore writes quality_score, grade, price, scored_at, scorer_version and
-- score_inputs_hash; four indexes read one of them, so every score change was a full rewrite into all 16
-- indexes (measured on 1M leads: ~29k rows/s in-database, 2–4k/s from the engine). After this migration none
-- of base_leads' indexes reads a column a rescore writes (status moves aside), and pages keep room for HOT:
--   - the listing's order moves to lead_rank, a narrow table kept in step with base_leads (below);
--   - "is this lead pending?" is a stored generated column, so the pending index changes only when the answer
--     does, not whenever scored_at moves;
--   - "does any lead carry an older engine version?" reads score_explanations, which carries the same version.

-- PostGIS / hand-written: room on every page for a new row version (existing pages get it as rows move; the
-- ADD COLUMN below rewrites the table, so every page of an existing table gets it now).
ALTER TABLE "base_leads" SET (fillfactor = 80);

-- PostGIS / hand-written: pending = never scored, or an input changed since (the old index predicate).
DROP INDEX "base_leads_score_pending_idx";
ALTER TABLE "base_leads" ADD COLUMN "score_pending" boolean
  GENERATED ALWAYS AS ("scored_at" IS NULL OR "inputs_changed_at" > "scored_at") STORED;
CREATE INDEX "base_leads_score_pending_idx" ON "base_leads" ("id")
  WHERE "deleted_at" IS NULL
    AND "status" IN ('processing', 'scored', 'available', 'unqualified', 'needs_review')
    AND "score_pending";

-- PostGIS / hand-written: engine versions are probed on score_explanations (written in the same statement as
-- base_leads.scorer_version, to the same value). COLLATE "C" so a version prefix is an index range.
DROP INDEX "base_leads_engine_scorer_version_idx";
CREATE INDEX "score_explanations_engine_version_idx" ON "score_explanations" ("scorer_version" COLLATE "C")
  WHERE "scorer_version" LIKE 'property-quality@%' OR "scorer_version" LIKE 'trade-quality@%';

-- lead_rank: one row per live (not deleted) lead with what the listing filters and sorts on first. Narrow, so a
-- score change rewrites three small index entries instead of a wide row's sixteen.
CREATE TABLE "lead_rank" (
    "lead_id" UUID NOT NULL,
    "status" "lead_status" NOT NULL,
    "quality_score" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "lead_rank_pkey" PRIMARY KEY ("lead_id"),
    CONSTRAINT "lead_rank_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE
) WITH (fillfactor = 90);

INSERT INTO "lead_rank" ("lead_id", "status", "quality_score", "created_at")
SELECT "id", "status", "quality_score", "created_at" FROM "base_leads" WHERE "deleted_at" IS NULL;

DROP INDEX "base_leads_status_quality_score_created_at_id_idx";
DROP INDEX "base_leads_quality_score_idx";
-- The contractor listing (status = 'available') and the staff listing (any status, unscored last).
CREATE INDEX "lead_rank_status_score_idx" ON "lead_rank" ("status", "quality_score" DESC, "created_at" DESC, "lead_id" DESC);
CREATE INDEX "lead_rank_score_idx" ON "lead_rank" ("quality_score" DESC NULLS LAST, "created_at" DESC, "lead_id" DESC);

-- PostGIS / hand-written: every writer of base_leads keeps lead_rank in step, in its own statement. The batch
-- engine writes both tables itself, set-based, and says so with SET LOCAL tradelead.rank_sync = 'engine'; the
-- WHEN clause then skips the per-row function (WHEN is evaluated without calling it, so an engine chunk pays
-- nothing for the trigger).
CREATE FUNCTION "lead_rank_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."deleted_at" IS NOT NULL THEN
    DELETE FROM "lead_rank" WHERE "lead_id" = NEW."id";
  ELSE
    INSERT INTO "lead_rank" ("lead_id", "status", "quality_score", "created_at")
    VALUES (NEW."id", NEW."status", NEW."quality_score", NEW."created_at")
    ON CONFLICT ("lead_id") DO UPDATE
      SET "status" = EXCLUDED."status", "quality_score" = EXCLUDED."quality_score", "created_at" = EXCLUDED."created_at";
  END IF;
  RETURN NULL;
END
$$;

-- Inserts arrive in bulk (lead creation from a page of permits): one set-based statement per INSERT.
CREATE FUNCTION "lead_rank_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "lead_rank" ("lead_id", "status", "quality_score", "created_at")
  SELECT n."id", n."status", n."quality_score", n."created_at" FROM new_rows n WHERE n."deleted_at" IS NULL
  ON CONFLICT ("lead_id") DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER "base_leads_rank_ins" AFTER INSERT ON "base_leads" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "lead_rank_insert"();
CREATE TRIGGER "base_leads_rank_upd" AFTER UPDATE OF "status", "quality_score", "created_at", "deleted_at" ON "base_leads"
  FOR EACH ROW
  WHEN ((OLD."status", OLD."quality_score", OLD."created_at", OLD."deleted_at")
          IS DISTINCT FROM (NEW."status", NEW."quality_score", NEW."created_at", NEW."deleted_at")
        AND current_setting('tradelead.rank_sync', true) IS DISTINCT FROM 'engine')
  EXECUTE FUNCTION "lead_rank_sync"();
