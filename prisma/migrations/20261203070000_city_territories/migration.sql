-- Issue 8 §5, seed 002 §3.6.6 subscription tiers: enterprise contractors can hold city-wide exclusivity per trade.
-- A territory has a kind: 'zip' (one ZIP, shared or exclusive) or 'city' (a whole city, always exclusive).
ALTER TABLE "territories" ADD COLUMN "kind" VARCHAR(10) NOT NULL DEFAULT 'zip';
ALTER TABLE "territories" ADD COLUMN "city" VARCHAR(100);
ALTER TABLE "territories" ADD COLUMN "state" VARCHAR(2);
ALTER TABLE "territories" ALTER COLUMN "zip" DROP NOT NULL;

-- PostGIS / hand-written: CHECK — a ZIP claim names its ZIP; a city claim names its city and state, no ZIP, and is exclusive.
ALTER TABLE "territories" ADD CONSTRAINT "territories_kind_check" CHECK (
     ("kind" = 'zip' AND "zip" IS NOT NULL)
  OR ("kind" = 'city' AND "zip" IS NULL AND "city" IS NOT NULL AND "state" IS NOT NULL AND "exclusive"));

-- PostGIS / hand-written: partial unique index — at most one active city-wide claim per (city, state, trade), enforced
-- by the database like the ZIP one (territories_one_active_exclusive).
CREATE UNIQUE INDEX "territories_one_active_city" ON "territories" (lower("city"), "state", "trade") WHERE "kind" = 'city' AND "status" = 'active';

-- PostGIS / hand-written: the exclusivity premium of every lead of the city now depends on a city claim too.
CREATE OR REPLACE FUNCTION "score_inputs_touch_leads_of_territories"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE base_leads b SET inputs_changed_at = clock_timestamp()
      FROM (SELECT DISTINCT kind, zip, lower(city) AS city, state, trade FROM new_rows WHERE exclusive) x
     WHERE b.trade = x.trade AND b.deleted_at IS NULL
       AND ((x.kind = 'zip' AND b.zip = x.zip) OR (x.kind = 'city' AND lower(b.city) = x.city AND b.state = x.state));
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE base_leads b SET inputs_changed_at = clock_timestamp()
      FROM (SELECT DISTINCT kind, zip, lower(city) AS city, state, trade FROM old_rows WHERE exclusive) x
     WHERE b.trade = x.trade AND b.deleted_at IS NULL
       AND ((x.kind = 'zip' AND b.zip = x.zip) OR (x.kind = 'city' AND lower(b.city) = x.city AND b.state = x.state));
  ELSE
    UPDATE base_leads b SET inputs_changed_at = clock_timestamp()
      FROM (SELECT n.kind, n.zip, lower(n.city) AS city, n.state, n.trade FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.exclusive OR o.exclusive)
               AND (n.zip, n.city, n.trade, n.exclusive, n.status, n.expires_at) IS DISTINCT FROM (o.zip, o.city, o.trade, o.exclusive, o.status, o.expires_at)
            UNION
            SELECT o.kind, o.zip, lower(o.city), o.state, o.trade FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE o.exclusive AND (n.zip, n.city, n.trade) IS DISTINCT FROM (o.zip, o.city, o.trade)) x
     WHERE b.trade = x.trade AND b.deleted_at IS NULL
       AND ((x.kind = 'zip' AND b.zip = x.zip) OR (x.kind = 'city' AND lower(b.city) = x.city AND b.state = x.state));
  END IF;
  RETURN NULL;
END
$$;
