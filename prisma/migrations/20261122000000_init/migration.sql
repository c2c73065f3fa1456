CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- PostGIS / hand-written: the two extensions above (geography type; gen_random_uuid).
-- TradeLead initial schema, written by hand in the format prisma migrate generates. Everything Prisma
-- cannot express (generated geography columns, GIST indexes, partial indexes, CHECKs, storage
-- parameters) is marked "PostGIS / hand-written".

-- CreateEnum
CREATE TYPE "lead_status" AS ENUM ('processing', 'scored', 'available', 'reserved', 'sold', 'delivered', 'converted', 'unqualified', 'needs_review', 'expired', 'refunded');

-- CreateEnum
CREATE TYPE "user_role" AS ENUM ('admin', 'ops', 'contractor');

-- CreateEnum
CREATE TYPE "subscription_tier" AS ENUM ('starter', 'professional', 'enterprise');

-- CreateEnum
CREATE TYPE "territory_status" AS ENUM ('active', 'revoked', 'expired');

-- CreateTable
CREATE TABLE "verticals" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(100) NOT NULL,
    "slug" VARCHAR(100) NOT NULL,
    "trade_group" VARCHAR(50) NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "verticals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "target_cities" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "city" VARCHAR(100) NOT NULL,
    "state" VARCHAR(2) NOT NULL,
    "tier" INTEGER,
    "priority" INTEGER,
    "population" INTEGER,
    "median_home_value" DECIMAL(12,2),
    "avg_property_value" DECIMAL(12,2),
    "storm_risk_score" INTEGER,
    "contractor_density" DECIMAL(10,4),
    "time_zone" VARCHAR(64) NOT NULL DEFAULT 'America/Chicago',
    "permit_url" TEXT,
    "permit_search_strategy" VARCHAR(50),
    "permit_config" JSONB,
    "permit_source" JSONB,
    "assessor_url" TEXT,
    "assessor_search_url_template" TEXT,
    "assessor_config" JSONB,
    "assessor_source" JSONB,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "first_scraped_at" TIMESTAMPTZ(6),
    "last_scraped_at" TIMESTAMPTZ(6),
    "total_permits_found" INTEGER NOT NULL DEFAULT 0,
    "total_properties_processed" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "target_cities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "labor_rates" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "target_city_id" UUID NOT NULL,
    "trade" VARCHAR(50) NOT NULL,
    "hourly_rate" DECIMAL(8,2) NOT NULL,
    "material_cost_index" DECIMAL(5,3) NOT NULL DEFAULT 1,
    "source" TEXT,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "labor_rates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "base_leads" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "vertical_id" UUID,
    "trade" VARCHAR(50) NOT NULL,
    "trade_group" VARCHAR(50),
    "category" VARCHAR(50),
    "status" "lead_status" NOT NULL DEFAULT 'processing',
    "property_id" UUID,
    "permit_id" UUID,
    "source" VARCHAR(50),
    "address" TEXT NOT NULL,
    "city" VARCHAR(100) NOT NULL,
    "state" VARCHAR(2) NOT NULL,
    "zip" VARCHAR(10),
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "property_value" DECIMAL(12,2),
    "market_value" DECIMAL(12,2),
    "year_built" INTEGER,
    "sqft" INTEGER,
    "lot_size" DECIMAL(10,2),
    "beds" INTEGER,
    "baths" DECIMAL(3,1),
    "property_type" VARCHAR(50),
    "project_description" TEXT,
    "owner_name" VARCHAR(255),
    "owner_occupied" BOOLEAN,
    "owner_mailing_address" TEXT,
    "is_absentee" BOOLEAN,
    "owner_email_enc" TEXT,
    "owner_email_hash" VARCHAR(64),
    "owner_email_confidence" DECIMAL(5,2),
    "owner_email_source" VARCHAR(100),
    "owner_email_verified" BOOLEAN NOT NULL DEFAULT false,
    "owner_phone_enc" TEXT,
    "owner_phone_hash" VARCHAR(64),
    "owner_phone_verified" BOOLEAN NOT NULL DEFAULT false,
    "email_acquisition_cost" DECIMAL(10,4),
    "quality_score" INTEGER,
    "grade" VARCHAR(1),
    "price" DECIMAL(12,2),
    "scored_at" TIMESTAMPTZ(6),
    "scorer_version" VARCHAR(50),
    "score_inputs_hash" VARCHAR(64),
    "inputs_changed_at" TIMESTAMPTZ(6),
    "intent_score" INTEGER,
    "tier" VARCHAR(5),
    "reasoning" TEXT,
    "ideal_contractor" TEXT,
    "contact_priority" VARCHAR(10),
    "flags" TEXT[] NOT NULL DEFAULT '{}',
    "intent_scored_at" TIMESTAMPTZ(6),
    "engagement_score" INTEGER NOT NULL DEFAULT 0,
    "temperature" VARCHAR(10) NOT NULL DEFAULT 'cold',
    "qr_scan_count" INTEGER NOT NULL DEFAULT 0,
    "catalog_views" INTEGER NOT NULL DEFAULT 0,
    "messages_count" INTEGER NOT NULL DEFAULT 0,
    "voice_messages_count" INTEGER NOT NULL DEFAULT 0,
    "total_interactions" INTEGER NOT NULL DEFAULT 0,
    "last_interaction_at" TIMESTAMPTZ(6),
    "has_budget" BOOLEAN NOT NULL DEFAULT false,
    "transaction_type" VARCHAR(50),
    "payment_method" VARCHAR(50),
    "published_at" TIMESTAMPTZ(6),
    "available_from" TIMESTAMPTZ(6),
    "available_until" TIMESTAMPTZ(6),
    "reserved_by" UUID,
    "reserved_at" TIMESTAMPTZ(6),
    "reserved_until" TIMESTAMPTZ(6),
    "sold_to_contractor_id" UUID,
    "sold_to" VARCHAR(255),
    "sold_price" DECIMAL(12,2),
    "sold_at" TIMESTAMPTZ(6),
    "delivered_at" TIMESTAMPTZ(6),
    "converted_at" TIMESTAMPTZ(6),
    "refunded_at" TIMESTAMPTZ(6),
    "expired_at" TIMESTAMPTZ(6),
    "deleted_at" TIMESTAMPTZ(6),
    "version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "base_leads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
-- PostGIS / hand-written: storage parameter (fillfactor = 70) so score rewrites stay HOT updates
CREATE TABLE "score_explanations" (
    "lead_id" UUID NOT NULL,
    "scorer" VARCHAR(50) NOT NULL,
    "scorer_version" VARCHAR(50) NOT NULL,
    "score" INTEGER,
    "grade" VARCHAR(1),
    "price_cents" INTEGER,
    "factors" JSONB NOT NULL DEFAULT '[]',
    "inputs_hash" VARCHAR(64),
    "scored_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "score_explanations_pkey" PRIMARY KEY ("lead_id")
) WITH (fillfactor = 70);

-- CreateTable
CREATE TABLE "lead_interactions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "lead_id" UUID NOT NULL,
    "kind" VARCHAR(30) NOT NULL,
    "metadata" JSONB,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "lead_interactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "roofing_leads" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "base_lead_id" UUID NOT NULL,
    "vertical_id" UUID,
    "estimated_roof_age" INTEGER,
    "roof_type" VARCHAR(50),
    "roof_sqft" INTEGER,
    "roof_pitch" VARCHAR(50),
    "last_roof_permit" DATE,
    "neighbor_permits_30d" INTEGER NOT NULL DEFAULT 0,
    "neighbor_permits_60d" INTEGER NOT NULL DEFAULT 0,
    "neighbor_permits_90d" INTEGER NOT NULL DEFAULT 0,
    "hail_event_30d" BOOLEAN NOT NULL DEFAULT false,
    "hail_event_90d" BOOLEAN NOT NULL DEFAULT false,
    "wind_event_30d" BOOLEAN NOT NULL DEFAULT false,
    "trigger_event" VARCHAR(100),
    "trigger_details" JSONB,
    "satellite_image_url" TEXT,
    "street_view_urls" TEXT[] NOT NULL DEFAULT '{}',
    "ai_roof_analysis" JSONB,
    "ai_insights" JSONB,
    "damage_detected" TEXT[] NOT NULL DEFAULT '{}',
    "damage_severity" JSONB,
    "repair_cost_estimate" JSONB,
    "replacement_cost_estimate" JSONB,
    "data_sources" TEXT[] NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "roofing_leads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "roofing_permits" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "permit_number" VARCHAR(100),
    "address" TEXT NOT NULL,
    "city" VARCHAR(100),
    "state" VARCHAR(2),
    "zip" VARCHAR(10),
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "permit_type" VARCHAR(100),
    "work_description" TEXT,
    "estimated_value" DECIMAL(12,2),
    "contractor_name" VARCHAR(255),
    "contractor_license" VARCHAR(100),
    "issue_date" DATE,
    "completion_date" DATE,
    "permit_status" VARCHAR(50),
    "source" VARCHAR(100),
    "source_url" TEXT,
    "scraped_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "roofing_permits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "permits" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "source" VARCHAR(100) NOT NULL,
    "permit_number" VARCHAR(100) NOT NULL,
    "target_city_id" UUID,
    "property_id" UUID,
    "address" TEXT,
    "normalized_address" TEXT,
    "city" VARCHAR(100),
    "state" VARCHAR(2),
    "zip" VARCHAR(10),
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "permit_type" VARCHAR(100),
    "permit_class" VARCHAR(50),
    "work_description" TEXT,
    "estimated_value" DECIMAL(14,2),
    "trade" VARCHAR(50),
    "trade_group" VARCHAR(50),
    "contractor_name" VARCHAR(255),
    "contractor_license" VARCHAR(100),
    "applied_date" DATE,
    "issue_date" DATE,
    "completion_date" DATE,
    "permit_status" VARCHAR(50),
    "source_url" TEXT,
    "raw" JSONB,
    "scraped_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "permits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "properties" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "parcel_id" VARCHAR(100),
    "normalized_address" TEXT NOT NULL,
    "address" TEXT,
    "city" VARCHAR(100) NOT NULL,
    "state" VARCHAR(2) NOT NULL,
    "zip" VARCHAR(10),
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "geocode_precision" VARCHAR(20),
    "geocode_source" VARCHAR(30),
    "owner_name" VARCHAR(255),
    "owner_mailing_address" TEXT,
    "is_absentee" BOOLEAN,
    "assessed_value" DECIMAL(14,2),
    "market_value" DECIMAL(14,2),
    "year_built" INTEGER,
    "sqft" INTEGER,
    "lot_size" DECIMAL(10,2),
    "beds" INTEGER,
    "baths" DECIMAL(3,1),
    "property_type" VARCHAR(50),
    "last_sale_date" DATE,
    "last_sale_price" DECIMAL(14,2),
    "tax_amount" DECIMAL(12,2),
    "neighbor_permits_30d" INTEGER NOT NULL DEFAULT 0,
    "neighbor_permits_60d" INTEGER NOT NULL DEFAULT 0,
    "neighbor_permits_90d" INTEGER NOT NULL DEFAULT 0,
    "source" VARCHAR(50),
    "raw" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "properties_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "property_images" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "base_lead_id" UUID NOT NULL,
    "image_type" VARCHAR(50),
    "view_angle" VARCHAR(50),
    "original_url" TEXT,
    "s3_url" TEXT,
    "s3_key" TEXT,
    "s3_bucket" VARCHAR(100),
    "capture_date" DATE,
    "image_width" INTEGER,
    "image_height" INTEGER,
    "file_size_bytes" INTEGER,
    "format" VARCHAR(10),
    "quality_score" INTEGER,
    "usable_for_analysis" BOOLEAN NOT NULL DEFAULT true,
    "processed" BOOLEAN NOT NULL DEFAULT false,
    "processed_at" TIMESTAMPTZ(6),
    "processing_config" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "property_images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "roof_analysis" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "base_lead_id" UUID NOT NULL,
    "overall_condition" VARCHAR(50),
    "confidence_score" DECIMAL(5,2),
    "damage_detected" BOOLEAN,
    "damage_types" TEXT[] NOT NULL DEFAULT '{}',
    "damage_severity" JSONB,
    "damage_locations" JSONB,
    "damage_areas_sqft" JSONB,
    "roof_sqft" INTEGER,
    "roof_pitch" VARCHAR(50),
    "roof_type" VARCHAR(50),
    "estimated_age" INTEGER,
    "estimated_remaining_life" INTEGER,
    "repair_cost_low" DECIMAL(12,2),
    "repair_cost_high" DECIMAL(12,2),
    "replacement_cost_low" DECIMAL(12,2),
    "replacement_cost_high" DECIMAL(12,2),
    "roi_for_replacement" DECIMAL(5,2),
    "classifier_model" VARCHAR(100),
    "classifier_version" VARCHAR(50),
    "detector_model" VARCHAR(100),
    "detector_version" VARCHAR(50),
    "segmentor_model" VARCHAR(100),
    "segmentor_version" VARCHAR(50),
    "validation_status" VARCHAR(50),
    "validation_confidence" DECIMAL(5,2),
    "human_validated" BOOLEAN NOT NULL DEFAULT false,
    "human_validator_id" UUID,
    "validation_notes" TEXT,
    "validation_date" TIMESTAMPTZ(6),
    "analyzed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "roof_analysis_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "weather_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "event_id" BIGINT,
    "event_type" VARCHAR(50),
    "event_date" DATE,
    "event_time" TIME(6),
    "begin_at" TIMESTAMPTZ(6),
    "end_at" TIMESTAMPTZ(6),
    "city" VARCHAR(100),
    "state" VARCHAR(2),
    "county" VARCHAR(100),
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "radius_miles" DECIMAL(5,2),
    "severity" VARCHAR(50),
    "hail_size_inches" DECIMAL(3,2),
    "wind_speed_mph" INTEGER,
    "wind_speed_knots" DECIMAL(6,2),
    "magnitude_type" VARCHAR(5),
    "tornado_rating" VARCHAR(10),
    "source" VARCHAR(100),
    "source_url" TEXT,
    "external_id" VARCHAR(255),
    "ingested_file" TEXT,
    "raw" JSONB,
    "properties_affected_estimate" INTEGER,
    "insurance_claims_filed" INTEGER,
    "damage_estimate" DECIMAL(12,2),
    "damage_property" DECIMAL(14,2),
    "damage_crops" DECIMAL(14,2),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "weather_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lead_triggers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "base_lead_id" UUID NOT NULL,
    "trigger_type" VARCHAR(50) NOT NULL,
    "source_key" VARCHAR(100) NOT NULL DEFAULT '',
    "trigger_date" TIMESTAMPTZ(6),
    "trigger_strength" INTEGER,
    "trigger_details" JSONB,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "expires_at" TIMESTAMPTZ(6),
    "expired_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "lead_triggers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lead_clusters" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "cluster_name" VARCHAR(255),
    "market" VARCHAR(100),
    "city" VARCHAR(100),
    "state" VARCHAR(2),
    "center_lat" DOUBLE PRECISION,
    "center_lng" DOUBLE PRECISION,
    "radius_miles" DECIMAL(5,2),
    "lead_count" INTEGER NOT NULL DEFAULT 0,
    "avg_quality_score" DECIMAL(5,2),
    "total_value" DECIMAL(12,2),
    "leads_available" INTEGER NOT NULL DEFAULT 0,
    "leads_sold" INTEGER NOT NULL DEFAULT 0,
    "status" VARCHAR(20) NOT NULL DEFAULT 'active',
    "exclusive_contractor_id" UUID,
    "assigned_at" TIMESTAMPTZ(6),
    "exclusivity_expires_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "lead_clusters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lead_assignments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "base_lead_id" UUID NOT NULL,
    "contractor_id" UUID NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'active',
    "assigned_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "price_paid" DECIMAL(12,2),
    "idempotency_key" VARCHAR(255),
    "viewed" BOOLEAN NOT NULL DEFAULT false,
    "viewed_at" TIMESTAMPTZ(6),
    "contacted" BOOLEAN NOT NULL DEFAULT false,
    "contacted_at" TIMESTAMPTZ(6),
    "contact_method" VARCHAR(50),
    "appointment_scheduled" BOOLEAN NOT NULL DEFAULT false,
    "appointment_date" TIMESTAMPTZ(6),
    "quote_provided" BOOLEAN NOT NULL DEFAULT false,
    "quote_amount" DECIMAL(12,2),
    "quote_date" TIMESTAMPTZ(6),
    "converted" BOOLEAN NOT NULL DEFAULT false,
    "converted_at" TIMESTAMPTZ(6),
    "job_value" DECIMAL(12,2),
    "close_date" DATE,
    "contractor_rating" INTEGER,
    "contractor_feedback" TEXT,
    "lead_quality_rating" INTEGER,
    "refunded_at" TIMESTAMPTZ(6),
    "refund_reason" TEXT,
    "health_score" INTEGER,
    "velocity_score" INTEGER,
    "ai_priority" INTEGER,
    "conversion_probability" DECIMAL(5,2),
    "churn_risk" VARCHAR(10),
    "follow_up_status" VARCHAR(12),
    "overdue_days" INTEGER NOT NULL DEFAULT 0,
    "next_follow_up_at" TIMESTAMPTZ(6),
    "recommendation" JSONB,
    "scores_last_updated" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "lead_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lead_velocity_snapshots" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "assignment_id" UUID NOT NULL,
    "lead_id" UUID NOT NULL,
    "snapshot_date" DATE NOT NULL,
    "health_score" INTEGER,
    "velocity_score" INTEGER,
    "stage" VARCHAR(30),
    "days_in_stage" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "lead_velocity_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contractors" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "company_name" VARCHAR(255) NOT NULL,
    "owner_name" VARCHAR(255),
    "email" VARCHAR(255),
    "phone" VARCHAR(50),
    "website" VARCHAR(500),
    "address" TEXT,
    "city" VARCHAR(100),
    "state" VARCHAR(2),
    "zip" VARCHAR(10),
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "service_areas" JSONB,
    "license_number" VARCHAR(100),
    "license_state" VARCHAR(2),
    "license_status" VARCHAR(50),
    "license_expiration" DATE,
    "years_in_business" INTEGER,
    "employee_count_range" VARCHAR(50),
    "annual_revenue_range" VARCHAR(50),
    "services_offered" TEXT[] NOT NULL DEFAULT '{}',
    "roof_types" TEXT[] NOT NULL DEFAULT '{}',
    "certifications" TEXT[] NOT NULL DEFAULT '{}',
    "insurance_types" TEXT[] NOT NULL DEFAULT '{}',
    "google_rating" DECIMAL(3,2),
    "google_review_count" INTEGER,
    "google_place_id" VARCHAR(255),
    "yelp_rating" DECIMAL(3,2),
    "yelp_review_count" INTEGER,
    "yelp_business_id" VARCHAR(255),
    "bbb_rating" VARCHAR(5),
    "bbb_accredited" BOOLEAN,
    "social_media" JSONB,
    "fit_score" INTEGER,
    "conversion_likelihood" INTEGER,
    "ltv_estimate" DECIMAL(12,2),
    "priority_score" DECIMAL(5,2),
    "acquisition_status" VARCHAR(50) NOT NULL DEFAULT 'discovered',
    "current_stage" VARCHAR(50),
    "first_contact_date" TIMESTAMPTZ(6),
    "last_contact_date" TIMESTAMPTZ(6),
    "total_touchpoints" INTEGER NOT NULL DEFAULT 0,
    "response_rate" DECIMAL(5,2),
    "status" VARCHAR(20) NOT NULL DEFAULT 'active',
    "signed_up_at" TIMESTAMPTZ(6),
    "subscription_tier" "subscription_tier" NOT NULL DEFAULT 'starter',
    "monthly_fee" DECIMAL(12,2),
    "leads_per_month" INTEGER,
    "leads_this_month" INTEGER NOT NULL DEFAULT 0,
    "quota_period_start" DATE,
    "contract_start_date" DATE,
    "contract_end_date" DATE,
    "auto_renew" BOOLEAN NOT NULL DEFAULT true,
    "total_leads_purchased" INTEGER NOT NULL DEFAULT 0,
    "total_leads_contacted" INTEGER NOT NULL DEFAULT 0,
    "total_leads_converted" INTEGER NOT NULL DEFAULT 0,
    "total_revenue_generated" DECIMAL(12,2) NOT NULL DEFAULT 0,
    "avg_lead_quality_rating" DECIMAL(3,2),
    "conversion_rate" DECIMAL(5,2),
    "avg_time_to_contact_hours" DECIMAL(6,2),
    "source" VARCHAR(100),
    "discovered_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notes" TEXT,
    "custom_fields" JSONB,
    "deleted_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "contractors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "territories" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contractor_id" UUID NOT NULL,
    "zip" VARCHAR(10) NOT NULL,
    "trade" VARCHAR(50) NOT NULL,
    "exclusive" BOOLEAN NOT NULL DEFAULT true,
    "status" "territory_status" NOT NULL DEFAULT 'active',
    "starts_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "territories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outreach_campaigns" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(255) NOT NULL,
    "type" VARCHAR(50),
    "target_city" VARCHAR(100),
    "target_state" VARCHAR(2),
    "target_criteria" JSONB,
    "channels" TEXT[] NOT NULL DEFAULT '{}',
    "sequence_steps" JSONB,
    "status" VARCHAR(50) NOT NULL DEFAULT 'draft',
    "started_at" TIMESTAMPTZ(6),
    "completed_at" TIMESTAMPTZ(6),
    "contractors_targeted" INTEGER NOT NULL DEFAULT 0,
    "emails_sent" INTEGER NOT NULL DEFAULT 0,
    "emails_delivered" INTEGER NOT NULL DEFAULT 0,
    "emails_opened" INTEGER NOT NULL DEFAULT 0,
    "emails_clicked" INTEGER NOT NULL DEFAULT 0,
    "emails_replied" INTEGER NOT NULL DEFAULT 0,
    "calls_made" INTEGER NOT NULL DEFAULT 0,
    "calls_answered" INTEGER NOT NULL DEFAULT 0,
    "calls_interested" INTEGER NOT NULL DEFAULT 0,
    "sms_sent" INTEGER NOT NULL DEFAULT 0,
    "sms_delivered" INTEGER NOT NULL DEFAULT 0,
    "sms_replied" INTEGER NOT NULL DEFAULT 0,
    "meetings_booked" INTEGER NOT NULL DEFAULT 0,
    "signups_generated" INTEGER NOT NULL DEFAULT 0,
    "total_cost" DECIMAL(12,2) NOT NULL DEFAULT 0,
    "total_revenue" DECIMAL(12,2) NOT NULL DEFAULT 0,
    "roi" DECIMAL(10,2),
    "cost_per_acquisition" DECIMAL(12,2),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "outreach_campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outreach_touchpoints" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contractor_id" UUID,
    "campaign_id" UUID,
    "channel" VARCHAR(50),
    "touchpoint_type" VARCHAR(50),
    "sequence_step" INTEGER,
    "subject" TEXT,
    "message" TEXT,
    "template_used" VARCHAR(100),
    "status" VARCHAR(50),
    "scheduled_for" TIMESTAMPTZ(6),
    "sent_at" TIMESTAMPTZ(6),
    "delivered_at" TIMESTAMPTZ(6),
    "opened_at" TIMESTAMPTZ(6),
    "clicked_at" TIMESTAMPTZ(6),
    "replied_at" TIMESTAMPTZ(6),
    "failed_at" TIMESTAMPTZ(6),
    "contractor_responded" BOOLEAN NOT NULL DEFAULT false,
    "response_text" TEXT,
    "response_sentiment" VARCHAR(20),
    "ai_next_action" TEXT,
    "ai_sentiment_analysis" JSONB,
    "ai_insights" JSONB,
    "external_id" VARCHAR(255),
    "cost" DECIMAL(10,4),
    "metadata" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "outreach_touchpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ai_call_logs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contractor_id" UUID,
    "campaign_id" UUID,
    "touchpoint_id" UUID,
    "call_provider" VARCHAR(50),
    "external_call_id" VARCHAR(255),
    "phone_number" VARCHAR(50),
    "status" VARCHAR(50),
    "duration_seconds" INTEGER,
    "full_transcript" TEXT,
    "summary" TEXT,
    "key_points" TEXT[] NOT NULL DEFAULT '{}',
    "sentiment" VARCHAR(50),
    "interest_level" INTEGER,
    "objections_raised" TEXT[] NOT NULL DEFAULT '{}',
    "questions_asked" TEXT[] NOT NULL DEFAULT '{}',
    "next_action" VARCHAR(255),
    "probability_to_convert" INTEGER,
    "wants_demo" BOOLEAN NOT NULL DEFAULT false,
    "demo_scheduled_for" TIMESTAMPTZ(6),
    "wants_callback" BOOLEAN NOT NULL DEFAULT false,
    "callback_time" TIMESTAMPTZ(6),
    "not_interested" BOOLEAN NOT NULL DEFAULT false,
    "not_interested_reason" TEXT,
    "recording_url" TEXT,
    "call_metadata" JSONB,
    "cost" DECIMAL(10,4),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ai_call_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "demo_meetings" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contractor_id" UUID,
    "scheduled_at" TIMESTAMPTZ(6),
    "duration_minutes" INTEGER NOT NULL DEFAULT 30,
    "meeting_url" TEXT,
    "meeting_provider" VARCHAR(50),
    "status" VARCHAR(50) NOT NULL DEFAULT 'scheduled',
    "reminder_sent" BOOLEAN NOT NULL DEFAULT false,
    "reminder_sent_at" TIMESTAMPTZ(6),
    "attended" BOOLEAN,
    "outcome" VARCHAR(50),
    "follow_up_date" TIMESTAMPTZ(6),
    "follow_up_notes" TEXT,
    "demo_notes" TEXT,
    "contractor_questions" TEXT[] NOT NULL DEFAULT '{}',
    "objections" TEXT[] NOT NULL DEFAULT '{}',
    "interest_level" INTEGER,
    "recording_url" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "demo_meetings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scraping_jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "job_type" VARCHAR(50),
    "source" VARCHAR(50),
    "city" VARCHAR(100),
    "state" VARCHAR(2),
    "config" JSONB,
    "status" VARCHAR(50) NOT NULL DEFAULT 'pending',
    "started_at" TIMESTAMPTZ(6),
    "completed_at" TIMESTAMPTZ(6),
    "duration_seconds" INTEGER,
    "total_items" INTEGER NOT NULL DEFAULT 0,
    "processed_items" INTEGER NOT NULL DEFAULT 0,
    "succeeded_items" INTEGER NOT NULL DEFAULT 0,
    "failed_items" INTEGER NOT NULL DEFAULT 0,
    "results" JSONB,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "error_message" TEXT,
    "error_stack" TEXT,
    "retry_count" INTEGER NOT NULL DEFAULT 0,
    "max_retries" INTEGER NOT NULL DEFAULT 3,
    "next_retry_at" TIMESTAMPTZ(6),
    "triggered_by" VARCHAR(100),
    "parent_job_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scraping_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrichment_jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "base_lead_id" UUID,
    "enrichment_type" VARCHAR(50),
    "status" VARCHAR(50) NOT NULL DEFAULT 'pending',
    "started_at" TIMESTAMPTZ(6),
    "completed_at" TIMESTAMPTZ(6),
    "data_found" BOOLEAN,
    "confidence_score" DECIMAL(5,2),
    "cost" DECIMAL(10,4),
    "api_calls_made" INTEGER NOT NULL DEFAULT 0,
    "sources_tried" TEXT[] NOT NULL DEFAULT '{}',
    "successful_source" VARCHAR(100),
    "enrichment_data" JSONB,
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "enrichment_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ml_inference_jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "base_lead_id" UUID,
    "property_image_id" UUID,
    "model_type" VARCHAR(50),
    "model_name" VARCHAR(100),
    "model_version" VARCHAR(50),
    "status" VARCHAR(50) NOT NULL DEFAULT 'pending',
    "started_at" TIMESTAMPTZ(6),
    "completed_at" TIMESTAMPTZ(6),
    "duration_seconds" INTEGER,
    "gpu_used" BOOLEAN,
    "gpu_id" INTEGER,
    "memory_used_mb" INTEGER,
    "inference_results" JSONB,
    "confidence_score" DECIMAL(5,2),
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ml_inference_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "system_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "event_type" VARCHAR(100),
    "event_name" VARCHAR(255),
    "service" VARCHAR(50),
    "entity_type" VARCHAR(50),
    "entity_id" UUID,
    "event_data" JSONB,
    "severity" VARCHAR(20),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "system_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_usage_logs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "api_provider" VARCHAR(100),
    "api_endpoint" VARCHAR(255),
    "request_method" VARCHAR(10),
    "request_params" JSONB,
    "response_status" INTEGER,
    "response_time_ms" INTEGER,
    "response_body" JSONB,
    "cost" DECIMAL(10,6),
    "service" VARCHAR(50),
    "entity_type" VARCHAR(50),
    "entity_id" UUID,
    "success" BOOLEAN,
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "api_usage_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scheduled_touchpoints" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contractor_id" UUID,
    "campaign_id" UUID,
    "channel" VARCHAR(50),
    "template" VARCHAR(100),
    "sequence_step" INTEGER,
    "scheduled_for" TIMESTAMPTZ(6) NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 50,
    "status" VARCHAR(50) NOT NULL DEFAULT 'scheduled',
    "sent_at" TIMESTAMPTZ(6),
    "failed_at" TIMESTAMPTZ(6),
    "touchpoint_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scheduled_touchpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "email" VARCHAR(255) NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "user_role" NOT NULL,
    "contractor_id" UUID,
    "disabled_at" TIMESTAMPTZ(6),
    "last_login_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refresh_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "revoked_at" TIMESTAMPTZ(6),
    "replaced_by_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "key_hash" VARCHAR(64) NOT NULL,
    "role" "user_role" NOT NULL,
    "contractor_id" UUID,
    "created_by_user_id" UUID,
    "last_used_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "scope" VARCHAR(100) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "request_hash" VARCHAR(64) NOT NULL,
    "status_code" INTEGER,
    "response" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "topic" VARCHAR(100) NOT NULL,
    "payload" JSONB NOT NULL,
    "dedupe_key" VARCHAR(255),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "relayed_at" TIMESTAMPTZ(6),
    "last_error" TEXT,
    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contractor_id" UUID,
    "user_id" UUID,
    "kind" VARCHAR(50) NOT NULL,
    "lead_id" UUID,
    "channel" VARCHAR(20) NOT NULL DEFAULT 'in_app',
    "payload" JSONB,
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(6),
    "read_at" TIMESTAMPTZ(6),
    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suppression_list" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "channel" VARCHAR(10) NOT NULL,
    "value_hash" VARCHAR(64) NOT NULL,
    "reason" VARCHAR(50),
    "source" VARCHAR(50),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "suppression_list_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(100) NOT NULL,
    "run_key" VARCHAR(255) NOT NULL,
    "bullmq_job_id" VARCHAR(255),
    "status" VARCHAR(20) NOT NULL DEFAULT 'running',
    "progress" INTEGER NOT NULL DEFAULT 0,
    "counts" JSONB NOT NULL DEFAULT '{}',
    "error" TEXT,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    CONSTRAINT "job_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedule_states" (
    "name" VARCHAR(100) NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "last_tick_at" TIMESTAMPTZ(6),
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "schedule_states_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "verticals_name_key" ON "verticals"("name");

-- CreateIndex
CREATE UNIQUE INDEX "verticals_slug_key" ON "verticals"("slug");

-- CreateIndex
CREATE INDEX "verticals_trade_group_idx" ON "verticals"("trade_group");

-- CreateIndex
CREATE UNIQUE INDEX "target_cities_city_state_key" ON "target_cities"("city", "state");

-- CreateIndex
CREATE INDEX "target_cities_active_idx" ON "target_cities"("active");

-- CreateIndex
CREATE INDEX "target_cities_tier_idx" ON "target_cities"("tier");

-- CreateIndex
CREATE INDEX "target_cities_priority_idx" ON "target_cities"("priority" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "labor_rates_target_city_id_trade_key" ON "labor_rates"("target_city_id", "trade");

-- CreateIndex
CREATE UNIQUE INDEX "base_leads_address_city_state_key" ON "base_leads"("address", "city", "state");

-- CreateIndex
CREATE INDEX "base_leads_status_quality_score_created_at_id_idx" ON "base_leads"("status", "quality_score" DESC, "created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "base_leads_trade_zip_status_idx" ON "base_leads"("trade", "zip", "status");

-- CreateIndex
CREATE INDEX "base_leads_city_state_idx" ON "base_leads"("city", "state");

-- CreateIndex
CREATE INDEX "base_leads_quality_score_idx" ON "base_leads"("quality_score" DESC);

-- CreateIndex
CREATE INDEX "base_leads_owner_email_hash_idx" ON "base_leads"("owner_email_hash");

-- CreateIndex
CREATE INDEX "base_leads_owner_phone_hash_idx" ON "base_leads"("owner_phone_hash");

-- CreateIndex
CREATE INDEX "base_leads_sold_to_contractor_id_idx" ON "base_leads"("sold_to_contractor_id");

-- CreateIndex
CREATE INDEX "base_leads_vertical_id_idx" ON "base_leads"("vertical_id");

-- CreateIndex
CREATE INDEX "base_leads_property_id_idx" ON "base_leads"("property_id");

-- CreateIndex
CREATE INDEX "base_leads_permit_id_idx" ON "base_leads"("permit_id");

-- CreateIndex
CREATE INDEX "lead_interactions_lead_id_occurred_at_idx" ON "lead_interactions"("lead_id", "occurred_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "roofing_leads_base_lead_id_key" ON "roofing_leads"("base_lead_id");

-- CreateIndex
CREATE INDEX "roofing_leads_vertical_id_idx" ON "roofing_leads"("vertical_id");

-- CreateIndex
CREATE UNIQUE INDEX "roofing_permits_permit_number_key" ON "roofing_permits"("permit_number");

-- CreateIndex
CREATE INDEX "roofing_permits_city_state_idx" ON "roofing_permits"("city", "state");

-- CreateIndex
CREATE INDEX "roofing_permits_issue_date_idx" ON "roofing_permits"("issue_date" DESC);

-- CreateIndex
CREATE INDEX "roofing_permits_address_idx" ON "roofing_permits"("address");

-- CreateIndex
CREATE UNIQUE INDEX "permits_source_permit_number_key" ON "permits"("source", "permit_number");

-- CreateIndex
CREATE INDEX "permits_city_state_idx" ON "permits"("city", "state");

-- CreateIndex
CREATE INDEX "permits_issue_date_idx" ON "permits"("issue_date" DESC);

-- CreateIndex
CREATE INDEX "permits_trade_issue_date_idx" ON "permits"("trade", "issue_date" DESC);

-- CreateIndex
CREATE INDEX "permits_normalized_address_idx" ON "permits"("normalized_address");

-- CreateIndex
CREATE INDEX "permits_property_id_idx" ON "permits"("property_id");

-- CreateIndex
CREATE INDEX "permits_target_city_id_idx" ON "permits"("target_city_id");

-- CreateIndex
CREATE UNIQUE INDEX "properties_normalized_address_city_state_key" ON "properties"("normalized_address", "city", "state");

-- CreateIndex
CREATE INDEX "properties_parcel_id_idx" ON "properties"("parcel_id");

-- CreateIndex
CREATE INDEX "property_images_base_lead_id_idx" ON "property_images"("base_lead_id");

-- CreateIndex
CREATE INDEX "property_images_image_type_idx" ON "property_images"("image_type");

-- CreateIndex
CREATE INDEX "roof_analysis_base_lead_id_idx" ON "roof_analysis"("base_lead_id");

-- CreateIndex
CREATE INDEX "roof_analysis_overall_condition_idx" ON "roof_analysis"("overall_condition");

-- CreateIndex
CREATE INDEX "roof_analysis_confidence_score_idx" ON "roof_analysis"("confidence_score" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "weather_events_event_id_key" ON "weather_events"("event_id");

-- CreateIndex
CREATE INDEX "weather_events_city_state_idx" ON "weather_events"("city", "state");

-- CreateIndex
CREATE INDEX "weather_events_event_date_idx" ON "weather_events"("event_date" DESC);

-- CreateIndex
CREATE INDEX "weather_events_event_type_idx" ON "weather_events"("event_type");

-- CreateIndex
CREATE UNIQUE INDEX "lead_triggers_base_lead_id_trigger_type_source_key_key" ON "lead_triggers"("base_lead_id", "trigger_type", "source_key");

-- CreateIndex
CREATE INDEX "lead_triggers_trigger_type_idx" ON "lead_triggers"("trigger_type");

-- CreateIndex
CREATE INDEX "lead_triggers_trigger_strength_idx" ON "lead_triggers"("trigger_strength" DESC);

-- CreateIndex
CREATE INDEX "lead_clusters_city_state_idx" ON "lead_clusters"("city", "state");

-- CreateIndex
CREATE INDEX "lead_clusters_exclusive_contractor_id_idx" ON "lead_clusters"("exclusive_contractor_id");

-- CreateIndex
CREATE INDEX "lead_clusters_market_status_idx" ON "lead_clusters"("market", "status");

-- CreateIndex
CREATE INDEX "lead_assignments_base_lead_id_idx" ON "lead_assignments"("base_lead_id");

-- CreateIndex
CREATE INDEX "lead_assignments_contractor_id_idx" ON "lead_assignments"("contractor_id");

-- CreateIndex
CREATE INDEX "lead_assignments_converted_idx" ON "lead_assignments"("converted");

-- CreateIndex
CREATE UNIQUE INDEX "lead_velocity_snapshots_assignment_id_snapshot_date_key" ON "lead_velocity_snapshots"("assignment_id", "snapshot_date");

-- CreateIndex
CREATE INDEX "lead_velocity_snapshots_lead_id_idx" ON "lead_velocity_snapshots"("lead_id");

-- CreateIndex
CREATE INDEX "contractors_city_state_idx" ON "contractors"("city", "state");

-- CreateIndex
CREATE INDEX "contractors_acquisition_status_idx" ON "contractors"("acquisition_status");

-- CreateIndex
CREATE INDEX "contractors_priority_score_idx" ON "contractors"("priority_score" DESC);

-- CreateIndex
CREATE INDEX "contractors_email_idx" ON "contractors"("email");

-- CreateIndex
CREATE INDEX "contractors_subscription_tier_idx" ON "contractors"("subscription_tier");

-- CreateIndex
CREATE INDEX "territories_contractor_id_idx" ON "territories"("contractor_id");

-- CreateIndex
CREATE INDEX "territories_zip_trade_idx" ON "territories"("zip", "trade");

-- CreateIndex
CREATE INDEX "outreach_campaigns_status_idx" ON "outreach_campaigns"("status");

-- CreateIndex
CREATE INDEX "outreach_touchpoints_contractor_id_idx" ON "outreach_touchpoints"("contractor_id");

-- CreateIndex
CREATE INDEX "outreach_touchpoints_campaign_id_idx" ON "outreach_touchpoints"("campaign_id");

-- CreateIndex
CREATE INDEX "outreach_touchpoints_external_id_idx" ON "outreach_touchpoints"("external_id");

-- CreateIndex
CREATE INDEX "ai_call_logs_contractor_id_idx" ON "ai_call_logs"("contractor_id");

-- CreateIndex
CREATE INDEX "ai_call_logs_status_idx" ON "ai_call_logs"("status");

-- CreateIndex
CREATE INDEX "ai_call_logs_interest_level_idx" ON "ai_call_logs"("interest_level" DESC);

-- CreateIndex
CREATE INDEX "ai_call_logs_campaign_id_idx" ON "ai_call_logs"("campaign_id");

-- CreateIndex
CREATE INDEX "ai_call_logs_touchpoint_id_idx" ON "ai_call_logs"("touchpoint_id");

-- CreateIndex
CREATE INDEX "ai_call_logs_external_call_id_idx" ON "ai_call_logs"("external_call_id");

-- CreateIndex
CREATE INDEX "demo_meetings_contractor_id_idx" ON "demo_meetings"("contractor_id");

-- CreateIndex
CREATE INDEX "demo_meetings_scheduled_at_idx" ON "demo_meetings"("scheduled_at");

-- CreateIndex
CREATE INDEX "scraping_jobs_status_idx" ON "scraping_jobs"("status");

-- CreateIndex
CREATE INDEX "scraping_jobs_city_state_idx" ON "scraping_jobs"("city", "state");

-- CreateIndex
CREATE INDEX "scraping_jobs_job_type_idx" ON "scraping_jobs"("job_type");

-- CreateIndex
CREATE INDEX "scraping_jobs_created_at_idx" ON "scraping_jobs"("created_at" DESC);

-- CreateIndex
CREATE INDEX "scraping_jobs_parent_job_id_idx" ON "scraping_jobs"("parent_job_id");

-- CreateIndex
CREATE INDEX "enrichment_jobs_base_lead_id_idx" ON "enrichment_jobs"("base_lead_id");

-- CreateIndex
CREATE INDEX "enrichment_jobs_status_idx" ON "enrichment_jobs"("status");

-- CreateIndex
CREATE INDEX "ml_inference_jobs_base_lead_id_idx" ON "ml_inference_jobs"("base_lead_id");

-- CreateIndex
CREATE INDEX "ml_inference_jobs_property_image_id_idx" ON "ml_inference_jobs"("property_image_id");

-- CreateIndex
CREATE INDEX "ml_inference_jobs_status_idx" ON "ml_inference_jobs"("status");

-- CreateIndex
CREATE INDEX "system_events_event_type_idx" ON "system_events"("event_type");

-- CreateIndex
CREATE INDEX "system_events_created_at_idx" ON "system_events"("created_at" DESC);

-- CreateIndex
CREATE INDEX "system_events_severity_idx" ON "system_events"("severity");

-- CreateIndex
CREATE INDEX "system_events_entity_type_entity_id_idx" ON "system_events"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "api_usage_logs_api_provider_created_at_idx" ON "api_usage_logs"("api_provider", "created_at" DESC);

-- CreateIndex
CREATE INDEX "scheduled_touchpoints_contractor_id_idx" ON "scheduled_touchpoints"("contractor_id");

-- CreateIndex
CREATE INDEX "scheduled_touchpoints_campaign_id_idx" ON "scheduled_touchpoints"("campaign_id");

-- CreateIndex
CREATE INDEX "scheduled_touchpoints_touchpoint_id_idx" ON "scheduled_touchpoints"("touchpoint_id");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "users_contractor_id_idx" ON "users"("contractor_id");

-- CreateIndex
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "refresh_tokens_family_id_idx" ON "refresh_tokens"("family_id");

-- CreateIndex
CREATE INDEX "refresh_tokens_user_id_idx" ON "refresh_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_contractor_id_idx" ON "api_keys"("contractor_id");

-- CreateIndex
CREATE INDEX "api_keys_created_by_user_id_idx" ON "api_keys"("created_by_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "idempotency_keys_scope_key_key" ON "idempotency_keys"("scope", "key");

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_contractor_id_kind_lead_id_key" ON "notifications"("contractor_id", "kind", "lead_id");

-- CreateIndex
CREATE INDEX "notifications_contractor_id_created_at_idx" ON "notifications"("contractor_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "notifications_user_id_idx" ON "notifications"("user_id");

-- CreateIndex
CREATE INDEX "notifications_lead_id_idx" ON "notifications"("lead_id");

-- CreateIndex
CREATE UNIQUE INDEX "suppression_list_channel_value_hash_key" ON "suppression_list"("channel", "value_hash");

-- CreateIndex
CREATE UNIQUE INDEX "job_runs_run_key_key" ON "job_runs"("run_key");

-- CreateIndex
CREATE INDEX "job_runs_name_started_at_idx" ON "job_runs"("name", "started_at" DESC);

-- AddForeignKey
ALTER TABLE "labor_rates" ADD CONSTRAINT "labor_rates_target_city_id_fkey" FOREIGN KEY ("target_city_id") REFERENCES "target_cities"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_vertical_id_fkey" FOREIGN KEY ("vertical_id") REFERENCES "verticals"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_property_id_fkey" FOREIGN KEY ("property_id") REFERENCES "properties"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_permit_id_fkey" FOREIGN KEY ("permit_id") REFERENCES "permits"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_sold_to_contractor_id_fkey" FOREIGN KEY ("sold_to_contractor_id") REFERENCES "contractors"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "score_explanations" ADD CONSTRAINT "score_explanations_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_interactions" ADD CONSTRAINT "lead_interactions_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roofing_leads" ADD CONSTRAINT "roofing_leads_base_lead_id_fkey" FOREIGN KEY ("base_lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roofing_leads" ADD CONSTRAINT "roofing_leads_vertical_id_fkey" FOREIGN KEY ("vertical_id") REFERENCES "verticals"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "permits" ADD CONSTRAINT "permits_target_city_id_fkey" FOREIGN KEY ("target_city_id") REFERENCES "target_cities"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "permits" ADD CONSTRAINT "permits_property_id_fkey" FOREIGN KEY ("property_id") REFERENCES "properties"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "property_images" ADD CONSTRAINT "property_images_base_lead_id_fkey" FOREIGN KEY ("base_lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roof_analysis" ADD CONSTRAINT "roof_analysis_base_lead_id_fkey" FOREIGN KEY ("base_lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_triggers" ADD CONSTRAINT "lead_triggers_base_lead_id_fkey" FOREIGN KEY ("base_lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_clusters" ADD CONSTRAINT "lead_clusters_exclusive_contractor_id_fkey" FOREIGN KEY ("exclusive_contractor_id") REFERENCES "contractors"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_base_lead_id_fkey" FOREIGN KEY ("base_lead_id") REFERENCES "base_leads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_velocity_snapshots" ADD CONSTRAINT "lead_velocity_snapshots_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "lead_assignments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_velocity_snapshots" ADD CONSTRAINT "lead_velocity_snapshots_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "base_leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "territories" ADD CONSTRAINT "territories_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outreach_touchpoints" ADD CONSTRAINT "outreach_touchpoints_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outreach_touchpoints" ADD CONSTRAINT "outreach_touchpoints_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "outreach_campaigns"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ai_call_logs" ADD CONSTRAINT "ai_call_logs_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ai_call_logs" ADD CONSTRAINT "ai_call_logs_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "outreach_campaigns"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ai_call_logs" ADD CONSTRAINT "ai_call_logs_touchpoint_id_fkey" FOREIGN KEY ("touchpoint_id") REFERENCES "outreach_touchpoints"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "demo_meetings" ADD CONSTRAINT "demo_meetings_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scraping_jobs" ADD CONSTRAINT "scraping_jobs_parent_job_id_fkey" FOREIGN KEY ("parent_job_id") REFERENCES "scraping_jobs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrichment_jobs" ADD CONSTRAINT "enrichment_jobs_base_lead_id_fkey" FOREIGN KEY ("base_lead_id") REFERENCES "base_leads"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ml_inference_jobs" ADD CONSTRAINT "ml_inference_jobs_base_lead_id_fkey" FOREIGN KEY ("base_lead_id") REFERENCES "base_leads"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ml_inference_jobs" ADD CONSTRAINT "ml_inference_jobs_property_image_id_fkey" FOREIGN KEY ("property_image_id") REFERENCES "property_images"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scheduled_touchpoints" ADD CONSTRAINT "scheduled_touchpoints_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scheduled_touchpoints" ADD CONSTRAINT "scheduled_touchpoints_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "outreach_campaigns"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scheduled_touchpoints" ADD CONSTRAINT "scheduled_touchpoints_touchpoint_id_fkey" FOREIGN KEY ("touchpoint_id") REFERENCES "outreach_touchpoints"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_user_id_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_contractor_id_fkey" FOREIGN KEY ("contractor_id") REFERENCES "contractors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "base_leads"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- PostGIS / hand-written: geography points generated from lat/lng (NULL until both are known).
-- Prisma sees these as Unsupported("geography(Point,4326)")? and never writes them.
ALTER TABLE "base_leads" ADD COLUMN "geog" geography(Point,4326) GENERATED ALWAYS AS (CASE WHEN "lat" IS NOT NULL AND "lng" IS NOT NULL THEN ST_SetSRID(ST_MakePoint("lng", "lat"), 4326)::geography END) STORED;
ALTER TABLE "roofing_permits" ADD COLUMN "geog" geography(Point,4326) GENERATED ALWAYS AS (CASE WHEN "lat" IS NOT NULL AND "lng" IS NOT NULL THEN ST_SetSRID(ST_MakePoint("lng", "lat"), 4326)::geography END) STORED;
ALTER TABLE "permits" ADD COLUMN "geog" geography(Point,4326) GENERATED ALWAYS AS (CASE WHEN "lat" IS NOT NULL AND "lng" IS NOT NULL THEN ST_SetSRID(ST_MakePoint("lng", "lat"), 4326)::geography END) STORED;
ALTER TABLE "properties" ADD COLUMN "geog" geography(Point,4326) GENERATED ALWAYS AS (CASE WHEN "lat" IS NOT NULL AND "lng" IS NOT NULL THEN ST_SetSRID(ST_MakePoint("lng", "lat"), 4326)::geography END) STORED;
ALTER TABLE "weather_events" ADD COLUMN "geog" geography(Point,4326) GENERATED ALWAYS AS (CASE WHEN "lat" IS NOT NULL AND "lng" IS NOT NULL THEN ST_SetSRID(ST_MakePoint("lng", "lat"), 4326)::geography END) STORED;
ALTER TABLE "lead_clusters" ADD COLUMN "geog" geography(Point,4326) GENERATED ALWAYS AS (CASE WHEN "center_lat" IS NOT NULL AND "center_lng" IS NOT NULL THEN ST_SetSRID(ST_MakePoint("center_lng", "center_lat"), 4326)::geography END) STORED;
ALTER TABLE "contractors" ADD COLUMN "geog" geography(Point,4326) GENERATED ALWAYS AS (CASE WHEN "lat" IS NOT NULL AND "lng" IS NOT NULL THEN ST_SetSRID(ST_MakePoint("lng", "lat"), 4326)::geography END) STORED;

-- PostGIS / hand-written: GIST indexes on the geography columns (declared in schema.prisma as type: Gist)
CREATE INDEX "base_leads_geog_idx" ON "base_leads" USING GIST ("geog");
CREATE INDEX "roofing_permits_geog_idx" ON "roofing_permits" USING GIST ("geog");
CREATE INDEX "permits_geog_idx" ON "permits" USING GIST ("geog");
CREATE INDEX "properties_geog_idx" ON "properties" USING GIST ("geog");
CREATE INDEX "weather_events_geog_idx" ON "weather_events" USING GIST ("geog");
CREATE INDEX "lead_clusters_geog_idx" ON "lead_clusters" USING GIST ("geog");
CREATE INDEX "contractors_geog_idx" ON "contractors" USING GIST ("geog");

-- PostGIS / hand-written: partial indexes (Prisma cannot express WHERE on an index)
CREATE INDEX "lead_triggers_active_true_idx" ON "lead_triggers"("active") WHERE "active" = true;
CREATE UNIQUE INDEX "lead_assignments_one_active_sale" ON "lead_assignments"("base_lead_id") WHERE "refunded_at" IS NULL;
CREATE UNIQUE INDEX "territories_one_active_exclusive" ON "territories"("zip", "trade") WHERE "exclusive" AND "status" = 'active';
CREATE INDEX "outreach_touchpoints_scheduled_due_idx" ON "outreach_touchpoints"("scheduled_for") WHERE "status" = 'scheduled';
CREATE INDEX "scheduled_touchpoints_due_idx" ON "scheduled_touchpoints"("scheduled_for") WHERE "status" = 'scheduled';
CREATE INDEX "outbox_unrelayed_idx" ON "outbox"("id") WHERE "relayed_at" IS NULL;

-- PostGIS / hand-written: CHECK constraints
ALTER TABLE "target_cities" ADD CONSTRAINT "target_cities_tier_check" CHECK ("tier" BETWEEN 1 AND 3);
ALTER TABLE "target_cities" ADD CONSTRAINT "target_cities_priority_check" CHECK ("priority" BETWEEN 1 AND 100);
ALTER TABLE "target_cities" ADD CONSTRAINT "target_cities_storm_risk_score_check" CHECK ("storm_risk_score" BETWEEN 0 AND 100);
ALTER TABLE "labor_rates" ADD CONSTRAINT "labor_rates_hourly_rate_check" CHECK ("hourly_rate" >= 0);
ALTER TABLE "labor_rates" ADD CONSTRAINT "labor_rates_material_cost_index_check" CHECK ("material_cost_index" > 0);
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_quality_score_check" CHECK ("quality_score" BETWEEN 0 AND 100);
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_intent_score_check" CHECK ("intent_score" BETWEEN -1 AND 100);
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_engagement_score_check" CHECK ("engagement_score" BETWEEN 0 AND 100);
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_owner_email_confidence_check" CHECK ("owner_email_confidence" BETWEEN 0 AND 100);
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_grade_check" CHECK ("grade" IN ('A', 'B', 'C', 'D'));
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_tier_check" CHECK ("tier" IN ('A', 'B', 'C', 'RETRY'));
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_contact_priority_check" CHECK ("contact_priority" IN ('call', 'email', 'skip'));
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_temperature_check" CHECK ("temperature" IN ('burning', 'hot', 'warm', 'cold'));
ALTER TABLE "base_leads" ADD CONSTRAINT "base_leads_version_check" CHECK ("version" >= 0);
ALTER TABLE "score_explanations" ADD CONSTRAINT "score_explanations_score_check" CHECK ("score" BETWEEN 0 AND 100);
ALTER TABLE "score_explanations" ADD CONSTRAINT "score_explanations_grade_check" CHECK ("grade" IN ('A', 'B', 'C', 'D'));
ALTER TABLE "score_explanations" ADD CONSTRAINT "score_explanations_price_cents_check" CHECK ("price_cents" >= 0);
ALTER TABLE "lead_interactions" ADD CONSTRAINT "lead_interactions_kind_check" CHECK ("kind" IN ('qr_scan', 'catalog_view', 'message', 'voice_message', 'email_open', 'email_click', 'reply', 'call_answered'));
ALTER TABLE "properties" ADD CONSTRAINT "properties_geocode_precision_check" CHECK ("geocode_precision" IN ('rooftop', 'interpolated', 'zip_centroid'));
ALTER TABLE "property_images" ADD CONSTRAINT "property_images_quality_score_check" CHECK ("quality_score" BETWEEN 0 AND 100);
ALTER TABLE "roof_analysis" ADD CONSTRAINT "roof_analysis_confidence_score_check" CHECK ("confidence_score" BETWEEN 0 AND 100);
ALTER TABLE "roof_analysis" ADD CONSTRAINT "roof_analysis_validation_confidence_check" CHECK ("validation_confidence" BETWEEN 0 AND 100);
ALTER TABLE "roof_analysis" ADD CONSTRAINT "roof_analysis_overall_condition_check" CHECK ("overall_condition" IN ('excellent', 'good', 'fair', 'poor', 'critical'));
ALTER TABLE "roof_analysis" ADD CONSTRAINT "roof_analysis_validation_status_check" CHECK ("validation_status" IN ('pending', 'approved', 'needs_review'));
ALTER TABLE "weather_events" ADD CONSTRAINT "weather_events_severity_check" CHECK ("severity" IN ('minor', 'moderate', 'severe', 'extreme'));
ALTER TABLE "lead_triggers" ADD CONSTRAINT "lead_triggers_trigger_strength_check" CHECK ("trigger_strength" BETWEEN 0 AND 100);
ALTER TABLE "lead_clusters" ADD CONSTRAINT "lead_clusters_avg_quality_score_check" CHECK ("avg_quality_score" BETWEEN 0 AND 100);
ALTER TABLE "lead_clusters" ADD CONSTRAINT "lead_clusters_status_check" CHECK ("status" IN ('active', 'archived'));
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_contractor_rating_check" CHECK ("contractor_rating" BETWEEN 1 AND 5);
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_lead_quality_rating_check" CHECK ("lead_quality_rating" BETWEEN 1 AND 5);
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_health_score_check" CHECK ("health_score" BETWEEN 0 AND 100);
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_velocity_score_check" CHECK ("velocity_score" BETWEEN 0 AND 100);
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_ai_priority_check" CHECK ("ai_priority" BETWEEN 0 AND 100);
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_conversion_probability_check" CHECK ("conversion_probability" BETWEEN 0 AND 100);
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_status_check" CHECK ("status" IN ('active', 'refunded'));
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_churn_risk_check" CHECK ("churn_risk" IN ('low', 'medium', 'high', 'critical'));
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_follow_up_status_check" CHECK ("follow_up_status" IN ('none', 'overdue', 'today', 'this_week', 'scheduled'));
ALTER TABLE "lead_assignments" ADD CONSTRAINT "lead_assignments_overdue_days_check" CHECK ("overdue_days" >= 0);
ALTER TABLE "lead_velocity_snapshots" ADD CONSTRAINT "lead_velocity_snapshots_health_score_check" CHECK ("health_score" BETWEEN 0 AND 100);
ALTER TABLE "lead_velocity_snapshots" ADD CONSTRAINT "lead_velocity_snapshots_velocity_score_check" CHECK ("velocity_score" BETWEEN 0 AND 100);
ALTER TABLE "lead_velocity_snapshots" ADD CONSTRAINT "lead_velocity_snapshots_days_in_stage_check" CHECK ("days_in_stage" >= 0);
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_fit_score_check" CHECK ("fit_score" BETWEEN 0 AND 100);
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_conversion_likelihood_check" CHECK ("conversion_likelihood" BETWEEN 0 AND 100);
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_response_rate_check" CHECK ("response_rate" BETWEEN 0 AND 100);
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_conversion_rate_check" CHECK ("conversion_rate" BETWEEN 0 AND 100);
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_google_rating_check" CHECK ("google_rating" BETWEEN 1 AND 5);
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_yelp_rating_check" CHECK ("yelp_rating" BETWEEN 1 AND 5);
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_avg_lead_quality_rating_check" CHECK ("avg_lead_quality_rating" BETWEEN 1 AND 5);
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_acquisition_status_check" CHECK ("acquisition_status" IN ('discovered', 'contacted', 'interested', 'demo_scheduled', 'negotiating', 'onboarded', 'active', 'churned'));
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_status_check" CHECK ("status" IN ('active', 'paused', 'cancelled'));
ALTER TABLE "contractors" ADD CONSTRAINT "contractors_leads_this_month_check" CHECK ("leads_this_month" >= 0);
ALTER TABLE "outreach_campaigns" ADD CONSTRAINT "outreach_campaigns_status_check" CHECK ("status" IN ('draft', 'active', 'paused', 'completed'));
ALTER TABLE "outreach_touchpoints" ADD CONSTRAINT "outreach_touchpoints_status_check" CHECK ("status" IN ('scheduled', 'sent', 'delivered', 'opened', 'clicked', 'replied', 'failed'));
ALTER TABLE "outreach_touchpoints" ADD CONSTRAINT "outreach_touchpoints_response_sentiment_check" CHECK ("response_sentiment" IN ('positive', 'neutral', 'negative'));
ALTER TABLE "ai_call_logs" ADD CONSTRAINT "ai_call_logs_interest_level_check" CHECK ("interest_level" BETWEEN 0 AND 100);
ALTER TABLE "ai_call_logs" ADD CONSTRAINT "ai_call_logs_probability_to_convert_check" CHECK ("probability_to_convert" BETWEEN 0 AND 100);
ALTER TABLE "ai_call_logs" ADD CONSTRAINT "ai_call_logs_status_check" CHECK ("status" IN ('initiated', 'ringing', 'answered', 'completed', 'failed', 'no_answer', 'voicemail', 'busy'));
ALTER TABLE "ai_call_logs" ADD CONSTRAINT "ai_call_logs_sentiment_check" CHECK ("sentiment" IN ('very_positive', 'positive', 'neutral', 'negative', 'very_negative'));
ALTER TABLE "demo_meetings" ADD CONSTRAINT "demo_meetings_interest_level_check" CHECK ("interest_level" BETWEEN 0 AND 100);
ALTER TABLE "demo_meetings" ADD CONSTRAINT "demo_meetings_status_check" CHECK ("status" IN ('scheduled', 'confirmed', 'completed', 'no_show', 'cancelled', 'rescheduled'));
ALTER TABLE "demo_meetings" ADD CONSTRAINT "demo_meetings_outcome_check" CHECK ("outcome" IN ('signed_up', 'needs_time', 'not_interested', 'follow_up'));
ALTER TABLE "scraping_jobs" ADD CONSTRAINT "scraping_jobs_status_check" CHECK ("status" IN ('pending', 'running', 'completed', 'failed', 'cancelled'));
ALTER TABLE "enrichment_jobs" ADD CONSTRAINT "enrichment_jobs_confidence_score_check" CHECK ("confidence_score" BETWEEN 0 AND 100);
ALTER TABLE "enrichment_jobs" ADD CONSTRAINT "enrichment_jobs_status_check" CHECK ("status" IN ('pending', 'running', 'completed', 'failed'));
ALTER TABLE "ml_inference_jobs" ADD CONSTRAINT "ml_inference_jobs_confidence_score_check" CHECK ("confidence_score" BETWEEN 0 AND 100);
ALTER TABLE "ml_inference_jobs" ADD CONSTRAINT "ml_inference_jobs_status_check" CHECK ("status" IN ('pending', 'running', 'completed', 'failed'));
ALTER TABLE "system_events" ADD CONSTRAINT "system_events_severity_check" CHECK ("severity" IN ('debug', 'info', 'warning', 'error', 'critical'));
ALTER TABLE "scheduled_touchpoints" ADD CONSTRAINT "scheduled_touchpoints_priority_check" CHECK ("priority" BETWEEN 1 AND 100);
ALTER TABLE "scheduled_touchpoints" ADD CONSTRAINT "scheduled_touchpoints_status_check" CHECK ("status" IN ('scheduled', 'processing', 'sent', 'failed', 'cancelled'));
ALTER TABLE "users" ADD CONSTRAINT "users_contractor_binding_check" CHECK ("role" <> 'contractor' OR "contractor_id" IS NOT NULL);
ALTER TABLE "users" ADD CONSTRAINT "users_email_lowercase_check" CHECK ("email" = lower("email"));
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_contractor_binding_check" CHECK ("role" <> 'contractor' OR "contractor_id" IS NOT NULL);
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_channel_check" CHECK ("channel" IN ('in_app', 'email', 'sms', 'webhook'));
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_status_check" CHECK ("status" IN ('pending', 'sent', 'failed', 'cancelled'));
ALTER TABLE "suppression_list" ADD CONSTRAINT "suppression_list_channel_check" CHECK ("channel" IN ('email', 'phone', 'all'));
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_status_check" CHECK ("status" IN ('running', 'completed', 'failed', 'skipped'));
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_progress_check" CHECK ("progress" BETWEEN 0 AND 100);
