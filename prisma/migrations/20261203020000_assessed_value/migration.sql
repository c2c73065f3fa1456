-- Issue 8 §3 "inputs that tell the truth": a lead's property value is the market (appraised) value. Until now the
-- property stage copied the assessor's *assessed* value into base_leads.property_value when it had one, so a Denver
-- house with an actual value of $533,000 and an assessed value of $35,711 scored 0 for value and previewed as
-- "$0–100k". The assessed value gets its own column; the scorers estimate a market value from it (the state's
-- residential assessment ratio, prisma/seed/assessment-ratios.ts) only when no market value is known.
ALTER TABLE "base_leads" ADD COLUMN "assessed_value" DECIMAL(14,2);

-- Leads whose property_value was the property's assessed value: move it to assessed_value and put the market
-- value (or nothing) in its place. A value entered on the lead itself (it differs from the assessed one) stays.
UPDATE "base_leads" b
   SET "assessed_value" = p."assessed_value",
       "property_value" = CASE WHEN b."property_value" = p."assessed_value" THEN p."market_value" ELSE b."property_value" END
  FROM "properties" p
 WHERE p."id" = b."property_id" AND p."assessed_value" IS NOT NULL;

-- PostGIS / hand-written: the score-input trigger also watches assessed_value and state (the estimate reads both).
-- The column list must match SCORE_INPUT_COLUMNS in src/modules/scoring/score-inputs.ts (a unit test compares
-- them with the latest definition of this trigger).
DROP TRIGGER "base_leads_score_inputs_changed" ON "base_leads";
CREATE TRIGGER "base_leads_score_inputs_changed" BEFORE UPDATE ON "base_leads" FOR EACH ROW
WHEN (
     OLD.property_value IS DISTINCT FROM NEW.property_value
  OR OLD.market_value IS DISTINCT FROM NEW.market_value
  OR OLD.assessed_value IS DISTINCT FROM NEW.assessed_value
  OR OLD.state IS DISTINCT FROM NEW.state
  OR OLD.year_built IS DISTINCT FROM NEW.year_built
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
