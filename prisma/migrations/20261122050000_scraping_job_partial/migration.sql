-- A scrape run that finished but could not store every record it received (rows without a permit number,
-- duplicates within a page) is 'partial': neither a clean 'completed' nor a 'failed' run.
ALTER TABLE "scraping_jobs" DROP CONSTRAINT "scraping_jobs_status_check";
ALTER TABLE "scraping_jobs" ADD CONSTRAINT "scraping_jobs_status_check" CHECK ("status" IN ('pending', 'running', 'completed', 'partial', 'failed', 'cancelled'));
