-- seed 001 permit intent: which classifier + reasoner produced intent_score/tier, so a rescoring run can
-- tell leads scored by an older rule set or model apart.
ALTER TABLE "base_leads" ADD COLUMN "intent_scorer_version" VARCHAR(100);
