-- Lead pipeline stage runs (DESIGN.md "Pipeline": stages are idempotent, keyed by lead id and stage version,
-- and record their runs). One row per (lead, stage, version): done, skipped (with the reason: a stage owned by a
-- later issue, or nothing to do) or failed (retried by the 04:00 sweep, given up after 3 attempts).
CREATE TABLE "pipeline_stage_runs" (
    "base_lead_id" UUID NOT NULL,
    "stage" VARCHAR(40) NOT NULL,
    "stage_version" VARCHAR(40) NOT NULL,
    "status" VARCHAR(10) NOT NULL,
    "reason" TEXT,
    "details" JSONB,
    "job_id" VARCHAR(200),
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    "completed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),

    CONSTRAINT "pipeline_stage_runs_pkey" PRIMARY KEY ("base_lead_id", "stage", "stage_version"),
    CONSTRAINT "pipeline_stage_runs_status_check" CHECK ("status" IN ('done', 'skipped', 'failed'))
);

CREATE INDEX "pipeline_stage_runs_stage_status_idx" ON "pipeline_stage_runs"("stage", "status");

ALTER TABLE "pipeline_stage_runs" ADD CONSTRAINT "pipeline_stage_runs_base_lead_id_fkey"
    FOREIGN KEY ("base_lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;
