-- Issue 8 §7: a daily trigger run re-derives only what can have changed since the previous whole run. Each whole
-- (unscoped) run that finishes records here the instant it detected as of and the transaction horizon it started
-- at: every row any writer committed after that start carries a newer xmin, so the next run finds what changed
-- (new or edited permits, storms, properties, leads, roof analyses) without relying on each writer's updated_at.
CREATE TABLE "trigger_runs" (
    "id" BIGSERIAL NOT NULL,
    "as_of" TIMESTAMPTZ(6) NOT NULL,
    "mode" VARCHAR(12) NOT NULL,
    -- triggers.rules DETECTION_RULES_VERSION: a run under other rules is never the base of an incremental one.
    "rules_version" VARCHAR(50) NOT NULL,
    -- pg_snapshot_xmin(pg_current_snapshot()) at the run's start: the oldest transaction still running then.
    "start_xid" BIGINT NOT NULL,
    -- The run's own write transactions (32-bit xids): what it wrote itself is not a change for the next run.
    "own_xids" BIGINT[] NOT NULL DEFAULT '{}',
    "started_at" TIMESTAMPTZ(6) NOT NULL,
    "finished_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    "result" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "trigger_runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "trigger_runs_mode_check" CHECK ("mode" IN ('full', 'incremental'))
);
