import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from '../helpers/db.ts';
import { readSchemaModels } from '../helpers/prisma-schema.ts';
import { listMigrations, migrate } from '../../src/platform/migrations.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

/** Tables the schema does not model on purpose. */
const INFRA_TABLES = new Set(['_prisma_migrations', 'spatial_ref_sys']);

const SEED_002_TABLES = [
  'verticals', 'target_cities', 'base_leads', 'roofing_leads', 'roofing_permits', 'property_images', 'roof_analysis',
  'weather_events', 'lead_triggers', 'lead_clusters', 'lead_assignments', 'contractors', 'outreach_campaigns',
  'outreach_touchpoints', 'ai_call_logs', 'demo_meetings', 'scraping_jobs', 'enrichment_jobs', 'ml_inference_jobs',
  'system_events', 'api_usage_logs', 'scheduled_touchpoints',
];
const DESIGN_TABLES = [
  'territories', 'permits', 'properties', 'score_explanations', 'users', 'refresh_tokens', 'api_keys', 'outbox',
  'notifications', 'suppression_list', 'lead_velocity_snapshots',
];

describe('schema.prisma and the migrated database agree', () => {
  const models = readSchemaModels();

  it('models every table of seed 002 §4 and the DESIGN.md additions', () => {
    const tables = models.map((m) => m.table);
    expect(tables).toEqual(expect.arrayContaining([...SEED_002_TABLES, ...DESIGN_TABLES]));
  });

  it('every model is a table and every field a column, and nothing extra exists', async () => {
    const r = await client.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'`,
    );
    const db = new Map<string, Set<string>>();
    for (const row of r.rows) {
      if (!db.has(row.table_name)) db.set(row.table_name, new Set());
      db.get(row.table_name)!.add(row.column_name);
    }
    const problems: string[] = [];
    for (const m of models) {
      const cols = db.get(m.table);
      if (!cols) {
        problems.push(`model ${m.model}: table ${m.table} missing`);
        continue;
      }
      for (const c of m.columns) if (!cols.has(c.column)) problems.push(`${m.model}.${c.field}: column ${m.table}.${c.column} missing`);
      const modelled = new Set(m.columns.map((c) => c.column));
      for (const col of cols) if (!modelled.has(col)) problems.push(`${m.table}.${col} exists in the database but not in schema.prisma`);
    }
    const modelledTables = new Set(models.map((m) => m.table));
    for (const t of db.keys()) if (!modelledTables.has(t) && !INFRA_TABLES.has(t)) problems.push(`table ${t} is not modelled`);
    expect(problems).toEqual([]);
  });

  it('locations are geography(Point,4326) with GIST indexes, computed from lat/lng', async () => {
    const geo = await client.query<{ table_name: string }>(
      `SELECT f_table_name AS table_name FROM geography_columns WHERE type = 'Point' AND srid = 4326`,
    );
    const geoTables = geo.rows.map((r) => r.table_name);
    expect(geoTables).toEqual(expect.arrayContaining(['base_leads', 'permits', 'properties', 'weather_events', 'contractors']));
    for (const t of geoTables) {
      const idx = await client.query(`SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexdef ILIKE '%USING gist%'`, [t]);
      expect(idx.rowCount, `GIST index on ${t}`).toBeGreaterThan(0);
    }
    await client.query(`INSERT INTO properties (normalized_address, address, city, state, lat, lng) VALUES ('1 MAIN ST', '1 Main St', 'Austin', 'TX', 30.2672, -97.7431)`);
    const p = await client.query(`SELECT ST_Y(geog::geometry) AS lat, ST_X(geog::geometry) AS lng FROM properties`);
    expect(p.rows[0]).toEqual({ lat: 30.2672, lng: -97.7431 });
  });

  it('CHECK constraints reject out-of-range scores', async () => {
    await expect(
      client.query(`INSERT INTO base_leads (address, city, state, trade, quality_score) VALUES ('9 A St', 'Austin', 'TX', 'roof', 101)`),
    ).rejects.toThrow(/check constraint/);
    await expect(
      client.query(`INSERT INTO contractors (company_name, fit_score) VALUES ('X', -5)`),
    ).rejects.toThrow(/check constraint/);
  });

  it('at most one active exclusive territory per (zip, trade), enforced by the database', async () => {
    const a = await client.query(`INSERT INTO contractors (company_name) VALUES ('A') RETURNING id`);
    const b = await client.query(`INSERT INTO contractors (company_name) VALUES ('B') RETURNING id`);
    await client.query(`INSERT INTO territories (contractor_id, zip, trade, exclusive) VALUES ($1, '78701', 'roof', true)`, [a.rows[0].id]);
    await expect(
      client.query(`INSERT INTO territories (contractor_id, zip, trade, exclusive) VALUES ($1, '78701', 'roof', true)`, [b.rows[0].id]),
    ).rejects.toThrow(/territories_one_active_exclusive/);
    // Non-exclusive and revoked rows do not count.
    await client.query(`INSERT INTO territories (contractor_id, zip, trade, exclusive) VALUES ($1, '78701', 'roof', false)`, [b.rows[0].id]);
    await client.query(`INSERT INTO territories (contractor_id, zip, trade, exclusive, status) VALUES ($1, '78701', 'roof', true, 'revoked')`, [b.rows[0].id]);
  });

  it('the migration runner records _prisma_migrations like prisma migrate deploy and is idempotent', async () => {
    const rows = await client.query(`SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM _prisma_migrations ORDER BY migration_name`);
    const files = await listMigrations();
    expect(rows.rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.rows.entries()) {
      expect(row.checksum).toBe(files[i]!.checksum);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
    }
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
    expect(again.skipped).toEqual(files.map((f) => f.name));
  });
});
