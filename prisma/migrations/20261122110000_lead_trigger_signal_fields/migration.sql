-- PostGIS / hand-written: an UPDATE of lead_triggers is a scoring signal only when it changes what the batch
-- engine reads of a trigger (scoring.repository: trigger_type, trigger_details->>'event_type' / 'damage_type' /
-- 'count', active, expires_at) or moves it to another lead. The generic side-table function of 20261122030000
-- compared the whole trigger_details, so the nightly detection's bookkeeping (a storm count, the distance, the
-- latest report) stamped hundreds of thousands of leads a day for a rescore that changes nothing — and every stamp
-- rewrites a base_leads row with all its indexes (measured: 35 s of a 92 s run at 1M leads).
CREATE FUNCTION "score_inputs_touch_leads_of_trigger_updates"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE base_leads b SET inputs_changed_at = clock_timestamp()
    FROM (SELECT n.base_lead_id AS id FROM new_rows n JOIN old_rows o ON o.id = n.id
           WHERE ROW(n.base_lead_id, n.trigger_type, n.active, n.expires_at, n.trigger_details->>'event_type',
                     n.trigger_details->>'damage_type', n.trigger_details->>'count')
                 IS DISTINCT FROM
                 ROW(o.base_lead_id, o.trigger_type, o.active, o.expires_at, o.trigger_details->>'event_type',
                     o.trigger_details->>'damage_type', o.trigger_details->>'count')
          UNION
          SELECT o.base_lead_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.base_lead_id <> o.base_lead_id) x
   WHERE b.id = x.id;
  RETURN NULL;
END
$$;

DROP TRIGGER "lead_triggers_score_inputs_upd" ON "lead_triggers";
CREATE TRIGGER "lead_triggers_score_inputs_upd" AFTER UPDATE ON "lead_triggers" REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "score_inputs_touch_leads_of_trigger_updates"();
