-- Trigger detection (issue 4 §5, seed 002 §3.5.3).

-- PostGIS / hand-written: partial index — expiry (seed 002 §3.5.3 "Trigger Expiration") sets active = false on
-- rows whose expires_at has passed; only active rows with an expiry are in it, so the daily expiry reads the
-- few due rows instead of scanning every trigger ever detected.
CREATE INDEX "lead_triggers_expiry_idx" ON "lead_triggers" ("expires_at") WHERE "active" AND "expires_at" IS NOT NULL;
