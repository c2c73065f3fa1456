-- Issue 8 §5, seed 002 §3.5.4 "premium pricing for exclusivity": a lead in a live exclusive cluster is priced ×1.1
-- like one in an exclusive territory. Its price depends on its cluster and on the cluster's exclusivity, so both
-- mark the lead for rescoring.

-- PostGIS / hand-written: the score-input trigger also watches cluster_id. The column list must match
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
  OR OLD.cluster_id IS DISTINCT FROM NEW.cluster_id
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

-- PostGIS / hand-written: a cluster's exclusivity starting, ending, moving or lapsing by status marks its leads.
CREATE FUNCTION "score_inputs_touch_leads_of_clusters"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE base_leads b SET inputs_changed_at = clock_timestamp()
    FROM (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
           WHERE (n.exclusive_contractor_id, n.exclusivity_expires_at, n.status)
                 IS DISTINCT FROM (o.exclusive_contractor_id, o.exclusivity_expires_at, o.status)) x
   WHERE b.cluster_id = x.id AND b.deleted_at IS NULL;
  RETURN NULL;
END
$$;

CREATE TRIGGER "lead_clusters_score_inputs_upd" AFTER UPDATE ON "lead_clusters" REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "score_inputs_touch_leads_of_clusters"();
