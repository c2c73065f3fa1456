import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from '../helpers/db.ts';
import { seedReferenceData } from '../../prisma/seed/index.ts';
import { TARGET_CITIES } from '../../prisma/seed/cities.ts';

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

const count = async (sql: string) => Number((await client.query(sql)).rows[0].n);

describe('npm run seed (reference data)', () => {
  it('loads the taxonomy, 75 cities (15/35/25) and 750 labor rates', async () => {
    await seedReferenceData(client);
    expect(await count('SELECT count(*) AS n FROM verticals')).toBe(19);
    const groups = await client.query(`SELECT trade_group, array_agg(slug ORDER BY slug) AS slugs FROM verticals GROUP BY 1 ORDER BY 1`);
    expect(Object.fromEntries(groups.rows.map((r) => [r.trade_group, r.slugs]))).toEqual({
      commercial: ['commercial_electrical', 'commercial_hvac', 'commercial_plumbing', 'commercial_pool'],
      home_exterior: ['concrete', 'roof', 'siding', 'windows'],
      home_systems: ['electrical', 'hvac', 'plumbing'],
      luxury_outdoor: ['fence', 'outdoor_living', 'pool'],
      other: ['other'],
      structural: ['addition', 'foundation', 'new_construction', 'remodel'],
    });
    const tiers = await client.query(`SELECT tier, count(*)::int AS n FROM target_cities GROUP BY 1 ORDER BY 1`);
    expect(tiers.rows).toEqual([{ tier: 1, n: 15 }, { tier: 2, n: 35 }, { tier: 3, n: 25 }]);
    const austin = await client.query(`SELECT * FROM target_cities WHERE city = 'Austin' AND state = 'TX'`);
    expect(austin.rows[0]).toMatchObject({ tier: 1, priority: 100, population: 978908, time_zone: 'America/Chicago', active: false });
    expect(Number(austin.rows[0].median_home_value)).toBe(550000);
    expect(austin.rows[0].permit_source).toMatchObject({ kind: 'socrata', baseUrl: 'https://data.austintexas.gov', datasetId: '3syk-w9eu', dateField: 'issue_date', pageSize: 1000 });
    expect(austin.rows[0].permit_source.fieldMap).toMatchObject({ permitNumber: 'permit_number', address: 'original_address1', issueDate: 'issue_date' });
    // An unconfigured city is SQL NULL with the reason kept beside it, not a JSON placeholder.
    const houston = (await client.query(`SELECT permit_source, permit_config, assessor_source, permit_search_strategy FROM target_cities WHERE city = 'Houston'`)).rows[0];
    expect(houston.permit_source).toBeNull();
    expect(houston.assessor_source).toBeNull();
    expect(houston.permit_search_strategy).toBeNull();
    expect(houston.permit_config.unconfigured).toMatch(/no bulk permit feed/);
    expect(await count(`SELECT count(*) AS n FROM target_cities WHERE city = 'Phoenix' AND time_zone = 'America/Phoenix'`)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM labor_rates')).toBe(750);
    expect(await count('SELECT count(*) AS n FROM labor_rates WHERE hourly_rate <= 0')).toBe(0);
  });

  it('is idempotent and keeps operational state (a city activated by ops stays active)', async () => {
    await client.query(`UPDATE target_cities SET active = true, total_permits_found = 42, permit_config = permit_config || '{"cursor": "2026-01-01"}' WHERE city = 'Dallas'`);
    const before = await client.query(`SELECT id FROM target_cities ORDER BY city, state`);
    await seedReferenceData(client);
    await seedReferenceData(client);
    expect(await count('SELECT count(*) AS n FROM verticals')).toBe(19);
    expect(await count('SELECT count(*) AS n FROM target_cities')).toBe(TARGET_CITIES.length);
    expect(await count('SELECT count(*) AS n FROM labor_rates')).toBe(750);
    expect((await client.query(`SELECT id FROM target_cities ORDER BY city, state`)).rows).toEqual(before.rows);
    expect((await client.query(`SELECT active, total_permits_found FROM target_cities WHERE city = 'Dallas'`)).rows[0]).toEqual({ active: true, total_permits_found: 42 });
    const dallasConfig = (await client.query(`SELECT permit_config FROM target_cities WHERE city = 'Dallas'`)).rows[0].permit_config;
    expect(dallasConfig).toMatchObject({ cursor: '2026-01-01' });
    expect(dallasConfig.unconfigured).toMatch(/e7gq-4sah/);
  });
});
