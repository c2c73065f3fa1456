import type pg from 'pg';
import type { FieldCipher } from '../../src/platform/crypto.ts';
import { gradeForScore } from '../../src/modules/scoring/grade.ts';
import { priceLead } from '../../src/modules/scoring/pricing.ts';
import { tradeGroupOf } from '../../prisma/seed/taxonomy.js';

/**
 * Deterministic synthetic leads for the demo and the benchmarks: plausible addresses in real ZIP codes of
 * three markets, owners with reserved-for-documentation contacts (example.com, 555-01xx), scores spread over
 * 40–100 and prices from the seed 002 §3.5.2 formula. Same seed → same rows.
 */
export const DEMO_MARKETS = [
  { city: 'Austin', state: 'TX', lat: 30.2672, lng: -97.7431, zips: ['78701', '78702', '78703', '78704', '78705', '78745', '78748', '78749', '78750', '78759'] },
  { city: 'Dallas', state: 'TX', lat: 32.7767, lng: -96.797, zips: ['75201', '75204', '75205', '75206', '75214', '75218', '75225', '75230', '75238', '75248'] },
  { city: 'Denver', state: 'CO', lat: 39.7392, lng: -104.9903, zips: ['80202', '80205', '80206', '80209', '80210', '80218', '80220', '80224', '80230', '80238'] },
] as const;

const STREETS = ['Oak', 'Maple', 'Cedar', 'Pecan', 'Elm', 'Willow', 'Magnolia', 'Juniper', 'Sycamore', 'Hickory', 'Aspen', 'Bluebonnet', 'Mesquite', 'Cottonwood', 'Ridge', 'Lakeview', 'Hillcrest', 'Sunset', 'Park', 'Meadow'];
const SUFFIXES = ['St', 'Ave', 'Dr', 'Ln', 'Ct', 'Blvd', 'Way', 'Trl', 'Pl', 'Cir'];
const FIRST = ['James', 'Maria', 'Robert', 'Linda', 'Michael', 'Patricia', 'David', 'Jennifer', 'Carlos', 'Susan', 'Daniel', 'Karen', 'Wei', 'Aisha', 'Thomas', 'Nancy'];
const LAST = ['Garcia', 'Smith', 'Johnson', 'Nguyen', 'Martinez', 'Brown', 'Davis', 'Lopez', 'Wilson', 'Anderson', 'Patel', 'Taylor', 'Moore', 'Jackson', 'Lee', 'Harris'];
/** Mostly roofing (the launch vertical), with a tail of other trades. */
const TRADES = ['roof', 'roof', 'roof', 'roof', 'roof', 'roof', 'hvac', 'plumbing', 'siding', 'windows', 'electrical', 'pool'];

/** mulberry32: small, fast, seedable PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoLead {
  address: string;
  city: string;
  state: string;
  zip: string;
  lat: number;
  lng: number;
  trade: string;
  tradeGroup: string;
  propertyValue: number;
  yearBuilt: number;
  sqft: number;
  ownerName: string;
  ownerEmail: string;
  ownerPhone: string;
  qualityScore: number;
  grade: string | null;
  price: number | null;
  status: 'available' | 'unqualified';
  createdAt: Date;
}

export function generateDemoLeads(count: number, seed = 42, now = Date.now()): DemoLead[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: DemoLead[] = [];
  for (let i = 0; i < count; i++) {
    const m = DEMO_MARKETS[i % DEMO_MARKETS.length]!;
    const trade = pick(TRADES);
    // Scores skew high (leads reach the marketplace after qualification), with a share below 60.
    const qualityScore = Math.min(100, Math.max(40, Math.round(72 + (rnd() + rnd() + rnd() - 1.5) * 30)));
    const price = priceLead({ score: qualityScore, urgentTrigger: rnd() < 0.25, exclusiveTerritory: false }).priceCents;
    const first = pick(FIRST);
    const last = pick(LAST);
    out.push({
      // House number from the index keeps (address, city, state) unique for any count.
      address: `${100 + i} ${pick(STREETS)} ${pick(SUFFIXES)}`,
      city: m.city,
      state: m.state,
      zip: pick(m.zips),
      lat: m.lat + (rnd() - 0.5) * 0.25,
      lng: m.lng + (rnd() - 0.5) * 0.3,
      trade,
      tradeGroup: tradeGroupOf(trade) ?? 'other',
      propertyValue: Math.round((180_000 + rnd() * 720_000) / 1000) * 1000,
      yearBuilt: 1960 + Math.floor(rnd() * 60),
      sqft: 1100 + Math.floor(rnd() * 2900),
      ownerName: `${first} ${last}`,
      ownerEmail: `${first}.${last}.${i}@example.com`.toLowerCase(),
      ownerPhone: `512-555-01${String(i % 100).padStart(2, '0')}`,
      qualityScore,
      grade: gradeForScore(qualityScore),
      price: price === null ? null : price / 100,
      status: price === null ? 'unqualified' : 'available',
      createdAt: new Date(now - Math.floor(rnd() * 30 * 86400_000)),
    });
  }
  return out;
}

/**
 * Bulk insert with one `INSERT … SELECT FROM unnest(...)` per chunk (Prisma's createMany cannot encrypt per row
 * or skip duplicates by the natural key as cheaply). Existing (address, city, state, trade) rows are left alone.
 */
export async function insertLeads(pool: pg.Pool, cipher: FieldCipher, leads: DemoLead[], opts: { chunk?: number; onProgress?: (done: number) => void } = {}): Promise<number> {
  const chunk = opts.chunk ?? 5000;
  let inserted = 0;
  for (let i = 0; i < leads.length; i += chunk) {
    const part = leads.slice(i, i + chunk);
    const col = <K extends keyof DemoLead>(k: K) => part.map((l) => l[k]);
    const r = await pool.query(
      `INSERT INTO base_leads (address, city, state, zip, lat, lng, trade, trade_group, property_value, year_built, sqft,
         owner_name, owner_email_enc, owner_email_hash, owner_phone_enc, owner_phone_hash, quality_score, grade, price,
         status, published_at, created_at, updated_at, source, scored_at, scorer_version)
       SELECT a, c, s, z, la, ln, t, tg, pv, yb, sq, onm, ee, eh, pe, ph, qs, g, p, st::lead_status,
              CASE WHEN st = 'available' THEN ca END, ca, ca, 'demo', ca, 'demo-1'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[], $8::text[],
                   $9::numeric[], $10::int[], $11::int[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
                   $17::int[], $18::text[], $19::numeric[], $20::text[], $21::timestamptz[])
            AS x(a, c, s, z, la, ln, t, tg, pv, yb, sq, onm, ee, eh, pe, ph, qs, g, p, st, ca)
       ON CONFLICT (address, city, state, trade) DO NOTHING`,
      [
        col('address'), col('city'), col('state'), col('zip'), col('lat'), col('lng'), col('trade'), col('tradeGroup'),
        col('propertyValue'), col('yearBuilt'), col('sqft'), col('ownerName'),
        part.map((l) => cipher.encrypt(l.ownerEmail)), part.map((l) => cipher.blindIndex('email', l.ownerEmail)),
        part.map((l) => cipher.encrypt(l.ownerPhone)), part.map((l) => cipher.blindIndex('phone', l.ownerPhone)),
        col('qualityScore'), col('grade'), col('price'), col('status'), col('createdAt'),
      ],
    );
    inserted += r.rowCount ?? 0;
    opts.onProgress?.(Math.min(i + chunk, leads.length));
  }
  return inserted;
}
