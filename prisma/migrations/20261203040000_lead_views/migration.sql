-- Issue 8 §3, seed 002 §3.5.2 demand premium ("multiple contractors interested", ×1.15): previews are recorded
-- per contractor, one row per contractor per lead per day. Two or more distinct contractors viewing a lead in
-- 24 hours set the premium; the scoring engine counts them.
CREATE TABLE "lead_views" (
    "lead_id" UUID NOT NULL,
    "contractor_id" UUID NOT NULL,
    "viewed_on" DATE NOT NULL,
    "first_viewed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_viewed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "views" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "lead_views_pkey" PRIMARY KEY ("lead_id", "contractor_id", "viewed_on")
);

-- CreateIndex
CREATE INDEX "lead_views_lead_id_last_viewed_at_idx" ON "lead_views"("lead_id", "last_viewed_at");

-- CreateIndex
CREATE INDEX "lead_views_last_viewed_at_idx" ON "lead_views"("last_viewed_at");

-- AddForeignKey
ALTER TABLE "lead_views" ADD CONSTRAINT "lead_views_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_views" ADD CONSTRAINT "lead_views_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
