-- Issue 8 §3 "engagement is never stale": the seed 004 engagement score and temperature change in the same request
-- as an edit of the fields they read, and the 30-minute job repairs any row whose inputs changed some other way.
-- engagement_scored_at is set by every writer of the score; a change of an input column in an UPDATE that does
-- not also set it marks the row stale (engagement_stale), and scoring.refresh-engagement rescores the stale rows.
-- A new row is stale until a writer scores it (an API create does so in its request; a bulk insert waits for the job).
ALTER TABLE "base_leads" ADD COLUMN "engagement_stale" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "base_leads" ADD COLUMN "engagement_scored_at" TIMESTAMPTZ(6);

-- PostGIS / hand-written: the marker. The column list is what seed 004 reads (src/modules/scoring/engagement.repository.ts
-- ENGAGEMENT_COLUMNS; a unit test compares them).
CREATE FUNCTION "engagement_inputs_mark_stale"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.engagement_stale := true;
  RETURN NEW;
END
$$;

CREATE TRIGGER "base_leads_engagement_inputs_changed" BEFORE UPDATE ON "base_leads" FOR EACH ROW
WHEN (
  NEW.engagement_scored_at IS NOT DISTINCT FROM OLD.engagement_scored_at AND (
       OLD.qr_scan_count IS DISTINCT FROM NEW.qr_scan_count
    OR OLD.catalog_views IS DISTINCT FROM NEW.catalog_views
    OR OLD.messages_count IS DISTINCT FROM NEW.messages_count
    OR OLD.voice_messages_count IS DISTINCT FROM NEW.voice_messages_count
    OR OLD.last_interaction_at IS DISTINCT FROM NEW.last_interaction_at
    OR OLD.owner_phone_enc IS DISTINCT FROM NEW.owner_phone_enc
    OR OLD.has_budget IS DISTINCT FROM NEW.has_budget
    OR OLD.transaction_type IS DISTINCT FROM NEW.transaction_type
    OR OLD.property_type IS DISTINCT FROM NEW.property_type
    OR OLD.zip IS DISTINCT FROM NEW.zip
    OR OLD.city IS DISTINCT FROM NEW.city
    OR OLD.payment_method IS DISTINCT FROM NEW.payment_method
  )
)
EXECUTE FUNCTION "engagement_inputs_mark_stale"();

-- PostGIS / hand-written: partial index — the stale rows the 30-minute job repairs.
CREATE INDEX "base_leads_engagement_stale_idx" ON "base_leads" ("id") WHERE "engagement_stale";

-- Every live lead was scored (if at all) only on events, so the qualification part (phone, location, property
-- type…) of a lead that never had one is missing from its stored 0: all are stale once.
UPDATE "base_leads" SET "engagement_stale" = true WHERE "deleted_at" IS NULL;
