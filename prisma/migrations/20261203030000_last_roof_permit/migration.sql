-- Issue 8 §3: roof age is the years since the latest roof permit on the property (other than the lead's own: a
-- roof was replaced then), else the roof model's estimate, else the year built — one definition
-- (src/modules/scoring/roof-age.ts) read by the roof scorer's factor 2 and by the roof-age trigger. The permit's date
-- is kept on the lead by trigger detection; this backfills it for the leads there are.
ALTER TABLE "base_leads" ADD COLUMN "last_roof_permit_date" DATE;

UPDATE "base_leads" b
   SET "last_roof_permit_date" = x."issue_date"
  FROM (SELECT DISTINCT ON (l."id") l."id", p."issue_date"
          FROM "base_leads" l
          JOIN "permits" p ON p."property_id" = l."property_id" AND p."trade" = 'roof' AND p."issue_date" IS NOT NULL
                          AND p."id" IS DISTINCT FROM l."permit_id"
         WHERE l."trade" = 'roof' AND l."deleted_at" IS NULL
         ORDER BY l."id", p."issue_date" DESC) x
 WHERE b."id" = x."id";

-- PostGIS / hand-written: the score-input trigger also watches last_roof_permit_date. The column list must match
-- SCORE_INPUT_COLUMNS in src/modules/scoring/score-inputs.ts (a unit test compares them with the latest definition).
DROP TRIGGER "base_leads_score_inputs_changed" ON "base_leads";
CREATE TRIGGER "base_leads_score_inputs_changed" BEFORE UPDATE ON "base_leads" FOR EACH ROW
WHEN (
     OLD.property_value IS DISTINCT FROM NEW.property_value
  OR OLD.market_value IS DISTINCT FROM NEW.market_value
  OR OLD.assessed_value IS DISTINCT FROM NEW.assessed_value
  OR OLD.state IS DISTINCT FROM NEW.state
  OR OLD.year_built IS DISTINCT FROM NEW.year_built
  OR OLD.last_roof_permit_date IS DISTINCT FROM NEW.last_roof_permit_date
  OR OLD.sqft IS DISTINCT FROM NEW.sqft
  OR OLD.property_type IS DISTINCT FROM NEW.property_type
  OR OLD.zip IS DISTINCT FROM NEW.zip
  OR OLD.trade IS DISTINCT FROM NEW.trade
  OR OLD.lat IS DISTINCT FROM NEW.lat
  OR OLD.lng IS DISTINCT FROM NEW.lng
  OR OLD.owner_name IS DISTINCT FROM NEW.owner_name
  OR OLD.owner_email_enc IS DISTINCT FROM NEW.owner_email_enc
  OR OLD.owner_email_verified IS DISTINCT FROM NEW.owner_email_verified
  OR OLD.owner_phone_enc IS DISTINCT FROM NEW.owner_phone_enc
  OR OLD.owner_phone_verified IS DISTINCT FROM NEW.owner_phone_verified
  OR OLD.intent_score IS DISTINCT FROM NEW.intent_score
)
EXECUTE FUNCTION "score_inputs_touch_lead"();
