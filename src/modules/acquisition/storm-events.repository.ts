import type pg from 'pg';
import type { Db } from '../../platform/db.ts';
import type { NormalizedStormEvent } from './storm-events.parser.ts';
import { openScrapingJob } from './scraping-jobs.repository.ts';

/** weather_events.source of every row this module writes. */
export const STORM_SOURCE = 'noaa_storm_events';

/** A pooled connection or the pool itself (a file's batches share one connection so they share its transaction). */
type Queryable = pg.Pool | pg.PoolClient;

/** The columns a re-ingest compares: a row whose values all match is left alone (no dead tuple, no index churn). */
const COMPARED = [
  'event_type', 'event_date', 'event_time', 'begin_at', 'end_at', 'city', 'state', 'county', 'lat', 'lng', 'radius_miles',
  'severity', 'hail_size_inches', 'wind_speed_mph', 'wind_speed_knots', 'magnitude_type', 'tornado_rating', 'source',
  'source_url', 'external_id', 'raw', 'damage_property', 'damage_crops', 'damage_estimate',
] as const;

const UPSERT_SQL = `
  INSERT INTO weather_events (event_id, ingested_file, ${COMPARED.join(', ')})
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::date[], $5::time[], $6::timestamptz[], $7::timestamptz[],
                       $8::text[], $9::text[], $10::text[], $11::float8[], $12::float8[], $13::numeric[], $14::text[],
                       $15::numeric[], $16::int[], $17::numeric[], $18::text[], $19::text[], $20::text[], $21::text[],
                       $22::text[], $23::jsonb[], $24::numeric[], $25::numeric[], $26::numeric[])
  ON CONFLICT (event_id) DO UPDATE SET ingested_file = EXCLUDED.ingested_file,
    ${COMPARED.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
  WHERE (${COMPARED.map((c) => `weather_events.${c}`).join(', ')}) IS DISTINCT FROM (${COMPARED.map((c) => `EXCLUDED.${c}`).join(', ')})
  RETURNING (xmax = 0) AS inserted`;

/**
 * Upserts one batch keyed by NOAA's EVENT_ID (weather_events_event_id_key): new events are inserted, events
 * NOAA revised are updated in place (ON CONFLICT DO UPDATE), identical ones are untouched. Raw SQL because the
 * batch goes in as one `INSERT … SELECT FROM unnest` and Prisma cannot say ON CONFLICT … WHERE or read xmax.
 * A batch must not hold one EVENT_ID twice (PostgreSQL refuses to update a row twice in one statement).
 */
export async function upsertWeatherEvents(
  db: Queryable,
  events: readonly NormalizedStormEvent[],
  ingestedFile: string,
): Promise<{ inserted: number; updated: number; unchanged: number }> {
  if (!events.length) return { inserted: 0, updated: 0, unchanged: 0 };
  const col = <T>(f: (e: NormalizedStormEvent) => T) => events.map(f);
  const r = await db.query<{ inserted: boolean }>(UPSERT_SQL, [
    col((e) => e.eventId),
    col(() => ingestedFile),
    col((e) => e.eventType),
    col((e) => e.eventDate),
    col((e) => e.eventTime),
    col((e) => e.beginAt.toISOString()),
    col((e) => e.endAt?.toISOString() ?? null),
    col((e) => e.city),
    col((e) => e.state),
    col((e) => e.county),
    col((e) => e.lat),
    col((e) => e.lng),
    col((e) => e.radiusMiles),
    col((e) => e.severity),
    col((e) => e.hailSizeInches),
    col((e) => e.windSpeedMph),
    col((e) => e.windSpeedKnots),
    col((e) => e.magnitudeType),
    col((e) => e.tornadoRating),
    col(() => STORM_SOURCE),
    col((e) => e.sourceUrl),
    col((e) => String(e.eventId)),
    col((e) => JSON.stringify(e.raw)),
    col((e) => e.damageProperty),
    col((e) => e.damageCrops),
    col((e) => e.damageEstimate),
  ]);
  const inserted = r.rows.filter((x) => x.inserted).length;
  const updated = r.rows.length - inserted;
  return { inserted, updated, unchanged: events.length - r.rows.length };
}

/** The scraping_jobs row of one file's ingestion, opened before the first row is read. */
export const openStormScrapingJob = (db: Db, d: { file: string; since?: Date; until?: Date; triggeredBy?: string }): Promise<string> =>
  openScrapingJob(db, {
    jobType: 'storms',
    source: STORM_SOURCE,
    config: { file: d.file, since: d.since?.toISOString() ?? null, until: d.until?.toISOString() ?? null },
    triggeredBy: d.triggeredBy ?? null,
  });

export async function closeStormScrapingJob(
  db: Db,
  id: string,
  d: {
    status: 'completed' | 'failed';
    startedAt: number;
    rows: number;
    stored: number;
    failed: number;
    results?: Record<string, unknown>;
    errors?: unknown[];
    error?: Error;
  },
): Promise<void> {
  await db.scrapingJob.update({
    where: { id },
    data: {
      status: d.status,
      completedAt: new Date(),
      durationSeconds: Math.round((Date.now() - d.startedAt) / 1000),
      totalItems: d.rows,
      processedItems: d.rows,
      succeededItems: d.stored,
      failedItems: d.failed,
      results: (d.results ?? undefined) as object | undefined,
      errors: (d.errors ?? []) as object,
      errorMessage: d.error?.message.slice(0, 2000) ?? null,
      errorStack: d.error?.stack?.slice(0, 8000) ?? null,
    },
  });
}

/** One api_usage_logs row for a NOAA download (the shared HTTP helper reads text bodies; these are files). */
export async function logNoaaDownload(
  db: Db,
  d: { url: string; status: number | null; latencyMs: number; bytes?: number; success: boolean; error?: string },
): Promise<void> {
  let endpoint = d.url;
  try {
    endpoint = new URL(d.url).pathname;
  } catch {
    /* keep the raw string */
  }
  await db.apiUsageLog
    .create({
      data: {
        apiProvider: STORM_SOURCE,
        apiEndpoint: endpoint.slice(0, 255),
        requestMethod: 'GET',
        responseStatus: d.status,
        responseTimeMs: Math.round(d.latencyMs),
        responseBody: d.bytes === undefined ? undefined : { bytes: d.bytes },
        cost: 0,
        service: 'acquisition',
        success: d.success,
        errorMessage: d.error?.slice(0, 2000) ?? null,
      },
    })
    // Usage accounting must not fail a download that worked.
    .catch(() => {});
}
