-- Issue 8 §2: every trade scored by its own rules, triggers applied by trade.

-- PostGIS / hand-written: the score-input trigger also watches intent_score, which the trade quality scorer
-- reads (its factor "intent"). The column list must match SCORE_INPUT_COLUMNS in
-- src/modules/scoring/score-inputs.ts (a unit test compares them with the latest definition of this trigger).
DROP TRIGGER "base_leads_score_inputs_changed" ON "base_leads";
CREATE TRIGGER "base_leads_score_inputs_changed" BEFORE UPDATE ON "base_leads" FOR EACH ROW
WHEN (
     OLD.property_value IS DISTINCT FROM NEW.property_value
  OR OLD.market_value IS DISTINCT FROM NEW.market_value
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

-- PostGIS / hand-written: partial index of engine-written versions, now of both scorers (roof:
-- property-quality@…, every other trade: trade-quality@…), for the after-a-bump "anything outdated?" probe.
DROP INDEX "base_leads_engine_scorer_version_idx";
CREATE INDEX "base_leads_engine_scorer_version_idx" ON "base_leads" ("scorer_version")
  WHERE "scorer_version" LIKE 'property-quality@%' OR "scorer_version" LIKE 'trade-quality@%';

-- Triggers detected before they applied by trade (src/modules/scoring/triggers.rules.ts TRIGGER_TRADES): storms
-- only for roof, siding, windows and fence leads; roof age only for roof leads; insurance claims for roof, siding
-- and windows; neighbour permits only when they counted the lead's own trade (rows from before carried the
-- roofing count, details.trade = 'roof'). The rest are withdrawn, not deleted: the history stays, the lead stops
-- showing them, and the statement trigger on lead_triggers marks those leads for rescoring.
UPDATE "lead_triggers" t
   SET "active" = false, "expired_at" = now()
  FROM "base_leads" b
 WHERE b."id" = t."base_lead_id" AND t."active"
   AND (   (t."trigger_type" = 'weather_event' AND b."trade" NOT IN ('roof', 'siding', 'windows', 'fence'))
        OR (t."trigger_type" = 'roof_age' AND b."trade" <> 'roof')
        OR (t."trigger_type" = 'insurance_claim' AND b."trade" NOT IN ('roof', 'siding', 'windows'))
        OR (t."trigger_type" = 'neighbor_permits' AND coalesce(t."trigger_details"->>'trade', 'roof') <> b."trade"));
