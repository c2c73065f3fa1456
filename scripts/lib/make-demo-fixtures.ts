/**
 * Generates the bundled demo data set under test/fixtures/demo/ (issue 4 §7): for Austin TX (Socrata records of
 * dataset 3syk-w9eu), Denver CO (ArcGIS FeatureServer features) and Dallas TX (two BLDS CSV export files) about 350
 * permits over the 120 days before REFERENCE_DATE, a county assessor export of ~700 parcels per city, and one NOAA
 * Storm Events details file with hail, wind and a tornado over those cities and elsewhere in the plains.
 *
 * Deterministic: one seeded PRNG, no clock, no network, so a regenerated set is byte-identical. Street names, ZIP
 * codes and neighbourhood centres are real; people and companies are invented (owner names are deliberately
 * whimsical so nobody mistakes them for real owners).
 *
 *   npx tsx scripts/lib/make-demo-fixtures.ts [outDir]     (default test/fixtures/demo)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BLDS_FIELD_MAP, type TPermitSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';
import { toCsv } from '../../src/modules/exports/csv.ts';
import { prng } from './demo-data.ts';
import {
  MONTH_NAMES, NOAA_DETAIL_COLUMNS, REPLAY_PLACEHOLDER, addDaysYmd, formatNoaaCsv, formatNoaaDateTime, jsonLines, noaaFileName, parseYmd, ymdOf,
  type ArcgisFeature, type NoaaColumn, type NoaaRow, type SocrataRecord, type TDemoManifest,
} from './demo-fixtures.ts';

export const REFERENCE_DATE = '2026-11-01';
export const DEFAULT_SEED = 20261101;
/** Permits are issued in the 120 days before the reference date; city storms fall in the last 90. */
const PERMIT_WINDOW_DAYS = 120;

type Rnd = () => number;
type Dir = 'N' | 'S' | 'E' | 'W';
type Trade = 'roof' | 'hvac' | 'plumbing' | 'electrical' | 'solar' | 'windows' | 'remodel' | 'pool' | 'fence' | 'new' | 'commercial';

interface Street { pre?: Dir; name: string; suffix?: string; from: number; to: number }
interface Neighborhood {
  name: string;
  zip: string;
  lat: number;
  lng: number;
  /** Metres around the centre where its houses lie. */
  radius: number;
  /** Typical market value and the years most houses were built. */
  value: number;
  built: [number, number];
  streets: Street[];
}
/**
 * A neighbourhood wave of roofing permits. `size` is at least 6: the neighbour-permit trigger (seed 002 §3.1.5,
 * threshold 5 within 0.25 mi in 30 days) excludes the subject's own permit, so each permitted house in the wave
 * needs five others for its own lead to carry the trigger.
 */
interface ClusterSpec { hood: string; street: string; size: number; stormDaysBefore: number; label: string }
interface CitySpec {
  city: string;
  state: 'TX' | 'CO';
  slug: string;
  lat: number;
  lng: number;
  hoods: Neighborhood[];
  clusters: ClusterSpec[];
}

/** "N Lamar Blvd" → street parts. */
function st(text: string, from: number, to: number): Street {
  const words = text.split(' ');
  const pre = /^[NSEW]$/.test(words[0]!) ? (words.shift() as Dir) : undefined;
  const last = words[words.length - 1]!;
  const suffix = SUFFIX_WORDS[last] ? words.pop() : undefined;
  return { pre, name: words.join(' '), suffix, from, to };
}

const SUFFIX_WORDS: Record<string, string> = {
  St: 'Street', Ave: 'Avenue', Blvd: 'Boulevard', Dr: 'Drive', Ln: 'Lane', Rd: 'Road', Pkwy: 'Parkway', Way: 'Way', Ct: 'Court',
};
const DIR_WORDS: Record<Dir, string> = { N: 'North', S: 'South', E: 'East', W: 'West' };

const AUSTIN: CitySpec = {
  city: 'Austin', state: 'TX', slug: 'austin-tx', lat: 30.2672, lng: -97.7431,
  hoods: [
    { name: 'Hyde Park', zip: '78751', lat: 30.3065, lng: -97.729, radius: 700, value: 860_000, built: [1922, 1952],
      streets: [st('Duval St', 4000, 4700), st('Avenue G', 4000, 4700), st('Avenue D', 4000, 4600), st('Speedway', 4000, 4700), st('E 43rd St', 100, 900), st('E 45th St', 100, 900)] },
    { name: 'Crestview', zip: '78757', lat: 30.345, lng: -97.733, radius: 800, value: 640_000, built: [1950, 1966],
      streets: [st('Woodrow Ave', 6800, 7800), st('Arroyo Seco', 6600, 7400), st('Grover Ave', 6400, 7600), st('Justin Ln', 1800, 2200), st('Brentwood St', 1800, 2200)] },
    { name: 'Allandale', zip: '78757', lat: 30.356, lng: -97.748, radius: 800, value: 790_000, built: [1955, 1972],
      streets: [st('Shoal Creek Blvd', 6500, 7500), st('Greenlawn Pkwy', 6400, 7000), st('Rockwood Ln', 6600, 7200), st('Allandale Rd', 2400, 2900), st('W Anderson Ln', 2200, 2700)] },
    { name: 'Brentwood', zip: '78756', lat: 30.328, lng: -97.74, radius: 700, value: 700_000, built: [1940, 1960],
      streets: [st('N Lamar Blvd', 5000, 5600), st('W North Loop Blvd', 1000, 1600), st('Joe Sayers Ave', 5400, 5800), st('W Koenig Ln', 1400, 2000)] },
    { name: 'Windsor Park', zip: '78723', lat: 30.311, lng: -97.69, radius: 900, value: 520_000, built: [1950, 1966],
      streets: [st('Berkman Dr', 5200, 6200), st('Westminster Dr', 5800, 6600), st('Wheless Ln', 5000, 5800), st('Patton Ln', 6200, 6800)] },
    { name: 'Holly', zip: '78702', lat: 30.26, lng: -97.721, radius: 700, value: 650_000, built: [1928, 2018],
      streets: [st('Holly St', 2000, 2600), st('Chicon St', 1100, 2200), st('E Cesar Chavez St', 2100, 2900), st('Canterbury St', 1800, 2400)] },
    { name: 'Tarrytown', zip: '78703', lat: 30.296, lng: -97.771, radius: 800, value: 1_450_000, built: [1935, 1995],
      streets: [st('Exposition Blvd', 1800, 3000), st('Windsor Rd', 2200, 2800), st('Enfield Rd', 2200, 2900), st('Pecos St', 2600, 3500)] },
    { name: 'Barton Hills', zip: '78704', lat: 30.255, lng: -97.772, radius: 800, value: 960_000, built: [1952, 1985],
      streets: [st('Barton Hills Dr', 2000, 2700), st('Bluebonnet Ln', 1800, 2300), st('Kinney Ave', 1600, 2300), st('S Lamar Blvd', 1400, 2600)] },
    { name: 'Circle C', zip: '78749', lat: 30.22, lng: -97.848, radius: 1100, value: 600_000, built: [1988, 2012],
      streets: [st('Brodie Ln', 8400, 9800), st('Davis Ln', 4200, 5400), st('Convict Hill Rd', 5600, 6400), st('Escarpment Blvd', 6000, 7000)] },
  ],
  clusters: [
    { hood: 'Crestview', street: 'Woodrow Ave', size: 8, stormDaysBefore: 27, label: 'Crestview hail wave (Woodrow Ave)' },
    { hood: 'Allandale', street: 'Shoal Creek Blvd', size: 6, stormDaysBefore: 27, label: 'Allandale hail wave (Shoal Creek Blvd)' },
    { hood: 'Hyde Park', street: 'Avenue G', size: 6, stormDaysBefore: 27, label: 'Hyde Park hail wave (Avenue G)' },
  ],
};

const DALLAS: CitySpec = {
  city: 'Dallas', state: 'TX', slug: 'dallas-tx', lat: 32.7767, lng: -96.797,
  hoods: [
    { name: 'Lakewood', zip: '75214', lat: 32.814, lng: -96.749, radius: 800, value: 950_000, built: [1924, 1952],
      streets: [st('Lakewood Blvd', 6900, 7400), st('Tokalon Dr', 6900, 7300), st('Gaston Ave', 6000, 6600), st('Paulus Ave', 700, 1200), st('Lindsley Ave', 6000, 6600), st('Abrams Rd', 6200, 6900)] },
    { name: 'M Streets', zip: '75206', lat: 32.828, lng: -96.772, radius: 700, value: 900_000, built: [1924, 1946],
      streets: [st('Monticello Ave', 5200, 5900), st('McCommas Blvd', 5200, 5900), st('Mercedes Ave', 5200, 5900), st('Morningside Ave', 5300, 5900), st('Vanderbilt Ave', 5400, 6000)] },
    { name: 'Preston Hollow', zip: '75225', lat: 32.872, lng: -96.806, radius: 1200, value: 1_900_000, built: [1950, 2016],
      streets: [st('Walnut Hill Ln', 5000, 6000), st('Royal Ln', 4400, 5600), st('Park Ln', 4500, 5500), st('Deloache Ave', 4500, 5500), st('Inwood Rd', 6000, 7000)] },
    { name: 'Lake Highlands', zip: '75238', lat: 32.878, lng: -96.715, radius: 1000, value: 480_000, built: [1960, 1976],
      streets: [st('Ferndale Rd', 9000, 10600), st('Church Rd', 9000, 10400), st('Kingsley Rd', 9000, 10200), st('Whitehurst Dr', 9000, 10000), st('Shiloh Rd', 9000, 10200)] },
    { name: 'Kessler Park', zip: '75208', lat: 32.756, lng: -96.846, radius: 800, value: 560_000, built: [1925, 1962],
      streets: [st('Kessler Pkwy', 1000, 1600), st('N Winnetka Ave', 400, 1000), st('N Edgefield Ave', 400, 1000), st('W Davis St', 1800, 2600), st('N Clinton Ave', 400, 900)] },
    { name: 'Kiest Park', zip: '75224', lat: 32.711, lng: -96.846, radius: 1000, value: 235_000, built: [1948, 1970],
      streets: [st('W Kiest Blvd', 1600, 2800), st('S Hampton Rd', 2600, 3400), st('S Polk St', 2400, 3300), st('W Illinois Ave', 1800, 2600)] },
    { name: 'Casa Linda', zip: '75218', lat: 32.841, lng: -96.693, radius: 900, value: 480_000, built: [1948, 1966],
      streets: [st('Lochwood Blvd', 10000, 10600), st('Garland Rd', 9000, 9800), st('Peavy Rd', 1600, 2400), st('San Medina Ave', 10000, 10600)] },
    { name: 'Far North Dallas', zip: '75248', lat: 32.969, lng: -96.793, radius: 1200, value: 470_000, built: [1974, 1992],
      streets: [st('Frankford Rd', 5000, 7000), st('Hillcrest Rd', 17000, 18500), st('Meandering Way', 16000, 17000), st('Campbell Rd', 5000, 6800)] },
  ],
  clusters: [
    { hood: 'Lake Highlands', street: 'Ferndale Rd', size: 9, stormDaysBefore: 18, label: 'Lake Highlands EF1 tornado path (Ferndale Rd)' },
    { hood: 'Lakewood', street: 'Tokalon Dr', size: 6, stormDaysBefore: 24, label: 'Lakewood hail wave (Tokalon Dr)' },
    { hood: 'M Streets', street: 'Monticello Ave', size: 7, stormDaysBefore: 24, label: 'M Streets hail wave (Monticello Ave)' },
  ],
};

const DENVER: CitySpec = {
  city: 'Denver', state: 'CO', slug: 'denver-co', lat: 39.7392, lng: -104.9903,
  hoods: [
    { name: 'Park Hill', zip: '80207', lat: 39.754, lng: -104.925, radius: 900, value: 790_000, built: [1910, 1952],
      streets: [st('Dexter St', 1600, 2900), st('Elm St', 1600, 2900), st('Glencoe St', 1600, 2900), st('Holly St', 1600, 2900), st('Montview Blvd', 4200, 5500), st('E 23rd Ave', 4200, 5600)] },
    { name: 'Washington Park', zip: '80209', lat: 39.7, lng: -104.971, radius: 800, value: 1_250_000, built: [1905, 1950],
      streets: [st('S Downing St', 400, 1300), st('S Gaylord St', 400, 1300), st('S Franklin St', 400, 1300), st('S Williams St', 400, 1300), st('E Virginia Ave', 600, 1200)] },
    { name: 'Highland', zip: '80211', lat: 39.762, lng: -105.011, radius: 800, value: 900_000, built: [1890, 2016],
      streets: [st('Tejon St', 3000, 3800), st('Zuni St', 3000, 3800), st('Vallejo St', 3000, 3800), st('Clay St', 3000, 3800), st('W 32nd Ave', 1800, 2900)] },
    { name: 'Congress Park', zip: '80206', lat: 39.734, lng: -104.95, radius: 700, value: 980_000, built: [1900, 1940],
      streets: [st('Josephine St', 900, 1300), st('Columbine St', 900, 1300), st('Milwaukee St', 900, 1300), st('Fillmore St', 900, 1300), st('E 12th Ave', 2800, 3900), st('E 10th Ave', 2800, 3900)] },
    { name: 'Central Park', zip: '80238', lat: 39.76, lng: -104.888, radius: 900, value: 720_000, built: [2003, 2020],
      streets: [st('Valentia St', 2200, 3400), st('Uinta St', 2200, 3400), st('Xenia St', 2200, 3400), st('Yosemite St', 2200, 3400), st('E 29th Ave', 8000, 9200), st('Central Park Blvd', 2400, 3600)] },
    { name: 'University', zip: '80210', lat: 39.68, lng: -104.961, radius: 800, value: 820_000, built: [1920, 1960],
      streets: [st('S Clarkson St', 1800, 2800), st('S Josephine St', 1800, 2800), st('S Columbine St', 1800, 2800), st('E Iliff Ave', 1800, 2400)] },
    { name: 'Harvey Park', zip: '80219', lat: 39.676, lng: -105.04, radius: 900, value: 520_000, built: [1950, 1962],
      streets: [st('S Lowell Blvd', 2000, 3000), st('S Raleigh St', 2000, 3000), st('S Utica St', 2000, 3000), st('W Jewell Ave', 3000, 4200), st('W Harvard Ave', 3000, 4200)] },
    { name: 'Virginia Village', zip: '80222', lat: 39.685, lng: -104.918, radius: 900, value: 620_000, built: [1950, 1962],
      streets: [st('S Dahlia St', 1200, 2000), st('S Holly St', 1200, 2000), st('S Fairfax St', 1200, 2000), st('E Mexico Ave', 5000, 6000), st('S Monaco Pkwy', 1200, 2000)] },
  ],
  clusters: [
    { hood: 'Park Hill', street: 'Glencoe St', size: 7, stormDaysBefore: 29, label: 'Park Hill hail wave (Glencoe St)' },
    { hood: 'Congress Park', street: 'Milwaukee St', size: 6, stormDaysBefore: 29, label: 'Congress Park hail wave (Milwaukee St)' },
    { hood: 'Central Park', street: 'Valentia St', size: 6, stormDaysBefore: 29, label: 'Central Park hail wave (Valentia St)' },
  ],
};

export const DEMO_CITY_SPECS: readonly CitySpec[] = [AUSTIN, DENVER, DALLAS];

// ---------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------

const M_PER_DEG_LAT = 111_320;
function offset(lat: number, lng: number, northM: number, eastM: number): { lat: number; lng: number } {
  return { lat: lat + northM / M_PER_DEG_LAT, lng: lng + eastM / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180)) };
}
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const int = (rnd: Rnd, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
/** Rounded to a plausible estimate: contractors quote in hundreds. */
const money = (rnd: Rnd, lo: number, hi: number) => Math.round((lo + rnd() * (hi - lo)) / 100) * 100;

function streetText(s: Street): string {
  return [s.pre, s.name, s.suffix].filter(Boolean).join(' ');
}

// ---------------------------------------------------------------------------------------------------------
// Parcels
// ---------------------------------------------------------------------------------------------------------

interface Parcel {
  id: number;
  number: number;
  street: Street;
  hood: Neighborhood;
  lat: number;
  lng: number;
  commercial: boolean;
  /** Set when a permit was drawn for this parcel. */
  permitted: boolean;
}

const PARCELS_PER_CITY = 700;

function parcelKey(n: number, s: Street): string {
  return `${n} ${streetText(s)}`;
}

interface ClusterPlan { spec: ClusterSpec; center: { lat: number; lng: number }; parcels: Parcel[] }

/**
 * The cluster's houses sit on one street, 36 m apart along it (a typical lot frontage) with a few metres of
 * jitter, so nine houses span under 300 m: every pair is within the 0.25 mi (402 m) of the neighbour trigger.
 */
function clusterParcels(rnd: Rnd, spec: ClusterSpec, hood: Neighborhood, nextId: () => number, taken: Set<string>): ClusterPlan {
  const street = hood.streets.find((s) => streetText(s) === spec.street);
  if (!street) throw new Error(`cluster street ${spec.street} is not a street of ${hood.name}`);
  const center = offset(hood.lat, hood.lng, (rnd() - 0.5) * hood.radius * 0.6, (rnd() - 0.5) * hood.radius * 0.6);
  const northSouth = rnd() < 0.5;
  const count = spec.size + 3; // three neighbours without a permit, for the assessor file
  let base = street.from + 2 * int(rnd, 10, Math.floor((street.to - street.from) / 2) - 4 * count - 10);
  base -= base % 2;
  const parcels: Parcel[] = [];
  for (let k = 0; k < count; k++) {
    const along = (k - (count - 1) / 2) * 36;
    const across = (k % 2 === 0 ? 1 : -1) * (9 + rnd() * 4);
    const p = northSouth ? offset(center.lat, center.lng, along, across) : offset(center.lat, center.lng, across, along);
    const number = base + 4 * k;
    taken.add(parcelKey(number, street));
    parcels.push({ id: nextId(), number, street, hood, lat: round(p.lat, 6), lng: round(p.lng, 6), commercial: false, permitted: false });
  }
  return { spec, center: { lat: round(center.lat, 6), lng: round(center.lng, 6) }, parcels };
}

function randomParcel(rnd: Rnd, city: CitySpec, id: number, taken: Set<string>, commercial: boolean): Parcel {
  for (;;) {
    const hood = pick(rnd, city.hoods);
    const street = pick(rnd, hood.streets);
    const number = street.from + 2 * Math.floor((rnd() * (street.to - street.from)) / 2) + (rnd() < 0.5 ? 1 : 0);
    const key = parcelKey(number, street);
    if (taken.has(key)) continue;
    taken.add(key);
    // Uniform over the neighbourhood's disc.
    const r = hood.radius * Math.sqrt(rnd());
    const a = rnd() * 2 * Math.PI;
    const p = offset(hood.lat, hood.lng, r * Math.cos(a), r * Math.sin(a));
    return { id, number, street, hood, lat: round(p.lat, 6), lng: round(p.lng, 6), commercial, permitted: false };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Permits (source-neutral; formatted per city below)
// ---------------------------------------------------------------------------------------------------------

interface Permit {
  seq: number;
  parcel: Parcel;
  trade: Trade;
  description: string;
  value: number | null;
  contractor: Contractor | null;
  applied: string;
  appliedTime: string;
  issued: string;
  completed: string | null;
  /** Coordinates withheld by the source (the pipeline geocodes these). */
  noCoords: boolean;
}

interface Contractor { company: string; person: string; license: string }

/** Share of each trade among the non-cluster permits; roofing, with the clusters, comes to about half. */
const TRADE_MIX: ReadonlyArray<[Trade, number]> = [
  ['roof', 46], ['hvac', 10], ['plumbing', 7], ['electrical', 6], ['solar', 4], ['windows', 5], ['remodel', 7],
  ['pool', 3], ['fence', 5], ['new', 4], ['commercial', 3],
];

function pickTrade(rnd: Rnd): Trade {
  const total = TRADE_MIX.reduce((a, [, w]) => a + w, 0);
  let x = rnd() * total;
  for (const [t, w] of TRADE_MIX) {
    x -= w;
    if (x < 0) return t;
  }
  return 'roof';
}

const claim = (rnd: Rnd) => `${pick(rnd, ['HC', 'CLM', 'PR', 'WX'])}-${int(rnd, 10_000, 99_999)}-${int(rnd, 10, 99)}`;

const DESCRIPTIONS: Record<Trade, Array<(rnd: Rnd) => string>> = {
  roof: [
    () => 'Reroof',
    (r) => `REROOF - TEAR OFF AND REPLACE COMPOSITION SHINGLES, ${int(r, 18, 42)} SQ`,
    () => 'Re-roof, tear off and replace shingles',
    (r) => `Roof repair hail damage insurance claim #${claim(r)}`,
    (r) => `Residential re-roof: remove existing shingles, install class 4 impact resistant shingles, ${int(r, 20, 40)} squares`,
    () => 'Roof replacement - architectural shingles, new drip edge, ridge vent and underlayment',
    () => 'Replace damaged roof decking and shingles after wind storm',
    () => 'Re-roof with standing seam metal roof over new synthetic underlayment',
  ],
  hvac: [
    (r) => `Change out ${int(r, 2, 5)} ton AC unit and furnace, like for like`,
    (r) => `Replace HVAC system: ${int(r, 3, 5)} ton heat pump and air handler in attic`,
    () => 'Install ductless mini-split system in converted sunroom',
    () => 'Replace condenser and evaporator coil, new refrigerant lines',
    () => 'HVAC replacement with new ductwork throughout',
  ],
  plumbing: [
    (r) => `Replace ${pick(r, [40, 50, 75])} gal gas water heater in garage`,
    () => 'Install tankless water heater, upsize gas line',
    () => 'Repipe house with PEX, replace shut-off valves',
    () => 'Replace sewer line from house to city tap',
  ],
  electrical: [
    () => 'Service upgrade 100 amp to 200 amp, replace main panel',
    () => 'Install Level 2 EV charger in attached garage, 60 amp circuit',
    () => 'Install 22 kW standby generator with automatic transfer switch',
    () => 'Rewire residence, replace knob and tube wiring',
  ],
  solar: [
    (r) => `Install roof mounted solar PV system ${round(int(r, 50, 120) / 10, 1)} kW, ${int(r, 14, 32)} modules, new 200A main breaker`,
    (r) => `Photovoltaic system ${round(int(r, 60, 110) / 10, 1)} kW DC with battery storage`,
  ],
  windows: [
    (r) => `Replace ${int(r, 6, 22)} windows, same size, no structural changes`,
    () => 'Replace windows and sliding patio door with low-E vinyl units',
    () => 'Window replacement, energy efficient double pane, retrofit install',
  ],
  remodel: [
    () => 'Interior remodel of kitchen and primary bathroom',
    () => 'Remodel 2 bathrooms, no structural work',
    () => 'Kitchen renovation, relocate sink, new cabinets and counters',
  ],
  pool: [
    () => 'New in-ground gunite swimming pool with attached spa',
    () => 'Install fiberglass pool, equipment pad and safety barrier',
  ],
  fence: [
    (r) => `New ${pick(r, [6, 8])} ft cedar privacy fence along rear property line`,
    () => 'Replace existing wood fence with 6\' board-on-board fence, 160 LF',
  ],
  new: [
    (r) => `New single family residence, 2 story, ${int(r, 24, 46)}00 sf with attached 2-car garage`,
    () => 'New construction single family home with covered front porch',
  ],
  commercial: [
    () => 'Tenant finish-out for retail suite, new storefront',
    () => 'Commercial reroof of restaurant building, TPO membrane',
    () => 'Replace rooftop units on office building, 3 RTUs',
  ],
};

/** Hail-wave permits read like the insurance-driven jobs that follow a storm. */
const CLUSTER_DESCRIPTIONS: Array<(rnd: Rnd) => string> = [
  (r) => `Roof repair hail damage insurance claim #${claim(r)}`,
  (r) => `Tear off and reroof due to hail damage, insurance claim #${claim(r)}`,
  () => 'Re-roof, tear off and replace shingles',
  (r) => `REROOF - TEAR OFF AND REPLACE COMPOSITION SHINGLES, ${int(r, 22, 38)} SQ, HAIL CLAIM`,
];

const VALUE_RANGE: Record<Trade, [number, number]> = {
  roof: [7_500, 38_000], hvac: [6_000, 18_000], plumbing: [1_500, 12_000], electrical: [1_200, 9_000], solar: [18_000, 45_000],
  windows: [6_000, 30_000], remodel: [25_000, 180_000], pool: [45_000, 120_000], fence: [2_500, 12_000], new: [280_000, 950_000],
  commercial: [40_000, 600_000],
};

const CONTRACTOR_WORDS = {
  roof: ['Hailstone Roofing', 'Copperline Roof Co', 'Ridgecap Exteriors', 'True North Roofing', 'Shingle & Slate Works', 'Peakview Roofing', 'Stormguard Roof Systems', 'Gable & Valley Roofing'],
  hvac: ['Coolbreeze Air & Heat', 'Polar Comfort HVAC', 'Thermostat Bros Mechanical'],
  plumbing: ['Clearwater Plumbing Co', 'Pipeline Pros Plumbing'],
  electrical: ['Brightwire Electric', 'Voltline Electrical Services'],
  solar: ['Sunfield Solar Installers', 'Photon Roof & Power'],
  windows: ['Clearview Window Works'],
  remodel: ['Hearthstone Remodeling', 'Blueprint Builders'],
  pool: ['Bluewave Pools & Spas'],
  fence: ['Picket & Post Fence Co'],
  new: ['Oakline Custom Homes', 'Cornerstone Homebuilders'],
  commercial: ['Meridian Commercial Builders'],
} as const satisfies Record<Trade, readonly string[]>;

const PEOPLE_FIRST = ['Avery', 'Blake', 'Casey', 'Dana', 'Elliot', 'Frankie', 'Jordan', 'Kendall', 'Morgan', 'Reese', 'Riley', 'Taylor'];
const PEOPLE_LAST = ['Ashby', 'Brightwater', 'Coldwell', 'Dunmore', 'Everly', 'Fairbanks', 'Greaves', 'Holloway', 'Kingsley', 'Larkin', 'Merriweather', 'Pembrook'];

function contractorsFor(rnd: Rnd, city: CitySpec): Record<Trade, Contractor[]> {
  const out = {} as Record<Trade, Contractor[]>;
  let n = 0;
  for (const [trade, names] of Object.entries(CONTRACTOR_WORDS) as Array<[Trade, readonly string[]]>) {
    out[trade] = names.map((name) => {
      n++;
      const company = `${name} ${pick(rnd, name.endsWith(' Co') ? ['LLC', 'Inc'] : ['LLC', 'Inc', 'LLC', 'Co'])}`;
      const license = city.slug === 'dallas-tx' ? `CR-${int(rnd, 100_000, 999_999)}` : city.state === 'CO' ? `${pick(rnd, ['A', 'B', 'C'])}${int(rnd, 10_000, 99_999)}` : `TX-${int(rnd, 10_000, 99_999)}`;
      return { company, person: `${pick(rnd, PEOPLE_FIRST)} ${pick(rnd, PEOPLE_LAST)}`, license: `${license}-${n}` };
    });
  }
  return out;
}

function hhmmss(rnd: Rnd): string {
  return `${String(int(rnd, 7, 16)).padStart(2, '0')}:${String(int(rnd, 0, 59)).padStart(2, '0')}:${String(int(rnd, 0, 59)).padStart(2, '0')}`;
}

function makePermit(rnd: Rnd, seq: number, parcel: Parcel, trade: Trade, issuedDaysBefore: number, contractors: Record<Trade, Contractor[]>, description?: string): Permit {
  const issued = addDaysYmd(REFERENCE_DATE, -issuedDaysBefore);
  // Trade permits are issued within days of application; bigger projects wait for plan review.
  const review = trade === 'new' || trade === 'commercial' || trade === 'pool' ? int(rnd, 14, 45) : trade === 'remodel' ? int(rnd, 3, 20) : int(rnd, 0, 6);
  const applied = addDaysYmd(issued, -review);
  const doneAfter = trade === 'new' ? 400 : trade === 'pool' ? 70 : int(rnd, 4, 35);
  const completed = rnd() < 0.6 && issuedDaysBefore - doneAfter > 1 ? addDaysYmd(issued, doneAfter) : null;
  const [lo, hi] = VALUE_RANGE[trade];
  return {
    seq,
    parcel,
    trade,
    description: description ?? pick(rnd, DESCRIPTIONS[trade])(rnd),
    value: rnd() < 0.03 ? null : money(rnd, lo, hi),
    contractor: rnd() < 0.07 ? null : pick(rnd, contractors[trade]),
    applied,
    appliedTime: hhmmss(rnd),
    issued,
    completed,
    noCoords: rnd() < 0.03,
  };
}

interface CityData {
  spec: CitySpec;
  parcels: Parcel[];
  permits: Permit[];
  clusters: Array<ClusterPlan & { permits: Permit[] }>;
}

const PERMITS_PER_CITY = 350;

function buildCity(rnd: Rnd, spec: CitySpec): CityData {
  let id = 0;
  const nextId = () => ++id;
  const taken = new Set<string>();
  const plans = spec.clusters.map((c) => clusterParcels(rnd, c, spec.hoods.find((h) => h.name === c.hood)!, nextId, taken));
  const parcels: Parcel[] = plans.flatMap((p) => p.parcels);
  while (parcels.length < PARCELS_PER_CITY) parcels.push(randomParcel(rnd, spec, nextId(), taken, rnd() < 0.03));

  const contractors = contractorsFor(rnd, spec);
  const permits: Permit[] = [];
  const clusters = plans.map((plan) => {
    const roofers = contractors.roof;
    const clusterPermits = plan.parcels.slice(0, plan.spec.size).map((parcel) => {
      parcel.permitted = true;
      // After the storm: claims are filed within days and permits follow over the next three weeks.
      const daysBefore = int(rnd, 1, plan.spec.stormDaysBefore - 3);
      const p = makePermit(rnd, 0, parcel, 'roof', daysBefore, contractors, pick(rnd, CLUSTER_DESCRIPTIONS)(rnd));
      // Storm chasers and locals both work a hail wave; every permit keeps its coordinates.
      p.contractor = pick(rnd, roofers);
      p.noCoords = false;
      p.value = money(rnd, 12_000, 32_000);
      if (p.applied <= addDaysYmd(REFERENCE_DATE, -plan.spec.stormDaysBefore)) p.applied = addDaysYmd(REFERENCE_DATE, -plan.spec.stormDaysBefore + 1);
      return p;
    });
    permits.push(...clusterPermits);
    return { ...plan, permits: clusterPermits };
  });

  const pool = parcels.filter((p) => !p.permitted && !plans.some((pl) => pl.parcels.includes(p)));
  const residential = pool.filter((p) => !p.commercial);
  const commercial = pool.filter((p) => p.commercial);
  while (permits.length < PERMITS_PER_CITY) {
    const trade = pickTrade(rnd);
    const permitted = permits.filter((p) => !p.parcel.commercial);
    // About one house in ten has a second permit (a roof and an AC the same summer).
    const parcel = trade === 'commercial'
      ? (commercial.shift() ?? residential.shift()!)
      : rnd() < 0.1 && permitted.length > 0 ? pick(rnd, permitted).parcel : residential.shift()!;
    if (trade === 'commercial') parcel.commercial = true;
    parcel.permitted = true;
    permits.push(makePermit(rnd, 0, parcel, trade, int(rnd, 1, PERMIT_WINDOW_DAYS), contractors));
  }
  // Numbers follow application order, as a permit office assigns them.
  permits.sort((a, b) => (a.applied + a.appliedTime).localeCompare(b.applied + b.appliedTime) || a.parcel.id - b.parcel.id);
  permits.forEach((p, i) => (p.seq = i));
  return { spec, parcels, permits, clusters };
}

// ---------------------------------------------------------------------------------------------------------
// Permit formats
// ---------------------------------------------------------------------------------------------------------

function austinPermitNumber(p: Permit, code: string): string {
  return `${p.applied.slice(0, 4)}-${String(104_512 + p.seq * 7 + (p.seq % 5))} ${code}`;
}

const AUSTIN_TYPE: Record<Trade, { code: string; desc: string; klass: string; work: string }> = {
  roof: { code: 'BP', desc: 'Building Permit', klass: 'R- 434 Addition & Alterations', work: 'Repair' },
  hvac: { code: 'MP', desc: 'Mechanical Permit', klass: 'R- 434 Addition & Alterations', work: 'Replacement' },
  plumbing: { code: 'PP', desc: 'Plumbing Permit', klass: 'R- 434 Addition & Alterations', work: 'Repair' },
  electrical: { code: 'EP', desc: 'Electrical Permit', klass: 'R- 434 Addition & Alterations', work: 'Upgrade' },
  solar: { code: 'EP', desc: 'Electrical Permit', klass: 'R- 434 Addition & Alterations', work: 'Auxiliary Power' },
  windows: { code: 'BP', desc: 'Building Permit', klass: 'R- 434 Addition & Alterations', work: 'Repair' },
  remodel: { code: 'BP', desc: 'Building Permit', klass: 'R- 434 Addition & Alterations', work: 'Remodel' },
  pool: { code: 'BP', desc: 'Building Permit', klass: 'R- 329 Res Structures Other Than Bldg', work: 'New' },
  fence: { code: 'BP', desc: 'Building Permit', klass: 'R- 329 Res Structures Other Than Bldg', work: 'New' },
  new: { code: 'BP', desc: 'Building Permit', klass: 'R- 101 Single Family Houses', work: 'New' },
  commercial: { code: 'BP', desc: 'Building Permit', klass: 'C- 437 Addition & Alterations', work: 'Remodel' },
};

/** Austin's dataset writes addresses upper-case, as typed at the counter. */
function austinRecord(p: Permit, city: CitySpec): SocrataRecord {
  const t = AUSTIN_TYPE[p.trade];
  const r: SocrataRecord = {
    permittype: t.code,
    permit_type_desc: t.desc,
    permit_number: austinPermitNumber(p, t.code),
    permit_class_mapped: p.trade === 'commercial' ? 'Commercial' : 'Residential',
    permit_class: t.klass,
    work_class: t.work,
    description: p.description,
    applieddate: `${p.applied}T${p.appliedTime}.000`,
    issue_date: `${p.issued}T00:00:00.000`,
  };
  if (p.completed) r.completed_date = `${p.completed}T00:00:00.000`;
  r.status_current = p.completed ? 'Final' : 'Active';
  r.original_address1 = parcelKey(p.parcel.number, p.parcel.street).toUpperCase();
  r.original_city = city.city.toUpperCase();
  r.original_state = city.state;
  r.original_zip = p.parcel.hood.zip;
  if (!p.noCoords) {
    r.latitude = p.parcel.lat.toFixed(6);
    r.longitude = p.parcel.lng.toFixed(6);
  }
  if (p.value !== null) r.total_job_valuation = String(p.value);
  if (p.contractor) {
    r.contractor_company_name = p.contractor.company.toUpperCase();
    r.contractor_full_name = p.contractor.person;
  }
  return r;
}

const DENVER_TYPE: Record<Trade, { type: string; code: string }> = {
  roof: { type: 'Residential Roofing', code: 'RFG' },
  hvac: { type: 'Residential Mechanical', code: 'MEC' },
  plumbing: { type: 'Residential Plumbing', code: 'PLM' },
  electrical: { type: 'Residential Electrical', code: 'ELE' },
  solar: { type: 'Residential Electrical', code: 'ELE' },
  windows: { type: 'Residential Building', code: 'RES' },
  remodel: { type: 'Residential Building', code: 'RES' },
  pool: { type: 'Residential Building', code: 'RES' },
  fence: { type: 'Residential Zoning', code: 'ZON' },
  new: { type: 'Residential New Building', code: 'NEW' },
  commercial: { type: 'Commercial Building', code: 'COM' },
};

/**
 * esriFieldTypeDate is epoch milliseconds in UTC. Denver's layer stamps the time the permit was keyed in; between
 * 14:00 and 22:59 UTC that is 07:00–16:59 local in both MST and MDT, so the UTC day is also the local day.
 */
function epochAt(ymd: string, rnd: Rnd): number {
  return parseYmd(ymd) + int(rnd, 14, 22) * 3_600_000 + int(rnd, 0, 59) * 60_000;
}

function denverPermitNumber(p: Permit): string {
  return `${p.applied.slice(0, 4)}-${DENVER_TYPE[p.trade].code}-${String(8_214 + p.seq * 3).padStart(7, '0')}`;
}

function denverFeature(rnd: Rnd, p: Permit): ArcgisFeature {
  const t = DENVER_TYPE[p.trade];
  return {
    attributes: {
      OBJECTID: 880_000 + p.seq,
      PERMIT_NUM: denverPermitNumber(p),
      ADDRESS: parcelKey(p.parcel.number, p.parcel.street),
      ZIP: p.parcel.hood.zip,
      NEIGHBORHOOD: p.parcel.hood.name,
      CLASS: p.trade === 'commercial' ? 'Commercial' : 'Residential',
      PERMIT_TYPE: t.type,
      WORK_DESC: p.description,
      VALUATION: p.value,
      CONTRACTOR_NAME: p.contractor?.company ?? null,
      CONTRACTOR_LICENSE: p.contractor?.license ?? null,
      APPLIED_DATE: epochAt(p.applied, rnd),
      ISSUE_DATE: epochAt(p.issued, rnd),
      COMPLETED_DATE: p.completed ? epochAt(p.completed, rnd) : null,
      STATUS: p.completed ? 'Finaled' : 'Issued',
    },
    geometry: p.noCoords ? null : { x: p.parcel.lng, y: p.parcel.lat },
  };
}

const DALLAS_TYPE: Record<Trade, string> = {
  roof: 'Roofing', hvac: 'Mechanical', plumbing: 'Plumbing', electrical: 'Electrical', solar: 'Electrical', windows: 'Building',
  remodel: 'Building', pool: 'Swimming Pool', fence: 'Fence', new: 'Building', commercial: 'Building',
};

const BLDS_COLUMNS = [
  'PermitNum', 'Description', 'AppliedDate', 'IssuedDate', 'CompletedDate', 'OriginalAddress1', 'OriginalCity', 'OriginalState',
  'OriginalZip', 'PermitClass', 'PermitType', 'StatusCurrent', 'Latitude', 'Longitude', 'EstProjectCost', 'ContractorCompanyName',
  'ContractorLicNum',
] as const;

/** Dallas numbers carry the application day (YYMMDD) and a sequence. */
function dallasPermitNumber(p: Permit): string {
  return `${p.applied.slice(2).replaceAll('-', '')}${String(1001 + (p.seq % 900)).padStart(4, '0')}`;
}

function dallasRow(p: Permit, city: CitySpec): string[] {
  const num = dallasPermitNumber(p);
  const row: Record<(typeof BLDS_COLUMNS)[number], string> = {
    PermitNum: num,
    Description: p.description,
    AppliedDate: p.applied,
    IssuedDate: p.issued,
    CompletedDate: p.completed ?? '',
    OriginalAddress1: parcelKey(p.parcel.number, p.parcel.street),
    OriginalCity: city.city,
    OriginalState: city.state,
    OriginalZip: p.parcel.hood.zip,
    PermitClass: p.trade === 'commercial' ? 'Commercial' : 'Residential',
    PermitType: DALLAS_TYPE[p.trade],
    StatusCurrent: p.completed ? 'Final' : 'Issued',
    Latitude: p.noCoords ? '' : p.parcel.lat.toFixed(6),
    Longitude: p.noCoords ? '' : p.parcel.lng.toFixed(6),
    EstProjectCost: p.value === null ? '' : p.value.toFixed(2),
    ContractorCompanyName: p.contractor?.company ?? '',
    ContractorLicNum: p.contractor?.license ?? '',
  };
  return BLDS_COLUMNS.map((c) => row[c]);
}

function permitNumberOf(city: CitySpec, p: Permit): string {
  if (city.slug === 'austin-tx') return austinPermitNumber(p, AUSTIN_TYPE[p.trade].code);
  if (city.slug === 'dallas-tx') return dallasPermitNumber(p);
  return denverPermitNumber(p);
}

// ---------------------------------------------------------------------------------------------------------
// Assessor exports
// ---------------------------------------------------------------------------------------------------------

const OWNER_FIRST = ['Percival', 'Octavia', 'Thaddeus', 'Wilhelmina', 'Barnaby', 'Clementine', 'Horatio', 'Isolde', 'Mortimer', 'Lavinia', 'Fennimore', 'Griselda', 'Zebedee', 'Rosalind', 'Ignatius', 'Marigold', 'Cornelius', 'Philippa', 'Archibald', 'Henrietta'];
const OWNER_LAST = ['Quillfeather', 'Bumblecroft', 'Fiddlesworth', 'Puddingstone', 'Thistlewood', 'Applethwaite', 'Nettlefield', 'Kettleby', 'Larkspur', 'Gooseberry', 'Hollyhock', 'Marblehead', 'Dunderwick', 'Snickerby', 'Wafflethorpe', 'Crumpetson', 'Pebblesworth', 'Moonwhistle', 'Tumbleweed', 'Featherbottom'];
const OWNER_LLC = ['Fictitious Rentals', 'Make-Believe Holdings', 'Imaginary Properties', 'Pretend Homes', 'Demo Dwellings'];
const ELSEWHERE = [
  { city: 'HOUSTON', state: 'TX', zip: '77002' }, { city: 'SAN ANTONIO', state: 'TX', zip: '78205' }, { city: 'PHOENIX', state: 'AZ', zip: '85004' },
  { city: 'CHICAGO', state: 'IL', zip: '60601' }, { city: 'SAN DIEGO', state: 'CA', zip: '92101' }, { city: 'BOULDER', state: 'CO', zip: '80302' },
  { city: 'PLANO', state: 'TX', zip: '75024' }, { city: 'SEATTLE', state: 'WA', zip: '98101' }, { city: 'TULSA', state: 'OK', zip: '74103' },
  { city: 'SANTA FE', state: 'NM', zip: '87501' }, { city: 'NEW YORK', state: 'NY', zip: '10016' }, { city: 'COLORADO SPRINGS', state: 'CO', zip: '80903' },
];
const MAIL_STREETS = ['Imaginary Ln', 'Pretend Pl', 'Placeholder Ave', 'Sample St', 'Example Blvd'];

/**
 * How the county writes the house (the assessor's own spelling). A third of the permitted houses are spelled out
 * or punctuated differently from the permit ("1234 N Lamar Blvd" vs "1234 NORTH LAMAR BOULEVARD"), as real county
 * files are, so the pipeline's address normalization has to join them.
 */
function assessorAddress(rnd: Rnd, p: Parcel): { text: string; variant: boolean } {
  const s = p.street;
  const standard = parcelKey(p.number, s).toUpperCase();
  if (!p.permitted || (!s.pre && !s.suffix) || rnd() >= 1 / 3) return { text: standard, variant: false };
  const form = int(rnd, 0, 2);
  const pre = s.pre ? (form === 1 ? `${s.pre}.` : DIR_WORDS[s.pre]) : undefined;
  const suffix = s.suffix ? (form === 1 ? `${s.suffix}.` : SUFFIX_WORDS[s.suffix]) : undefined;
  const text = [String(p.number), pre, s.name, suffix].filter(Boolean).join(' ');
  return { text: form === 0 ? text.toUpperCase() : text, variant: true };
}

interface AssessorFacts {
  parcel: Parcel;
  address: string;
  variant: boolean;
  ownerLast: string;
  ownerFirst: string;
  coOwner: string | null;
  llc: string | null;
  mailing: string;
  absentee: boolean;
  market: number;
  yearBuilt: number | null;
  sqft: number;
  acres: number;
  beds: number;
  baths: number;
  saleDate: string | null;
  salePrice: number | null;
}

function assessorFacts(rnd: Rnd, p: Parcel, city: CitySpec): AssessorFacts {
  const { text: address, variant } = assessorAddress(rnd, p);
  const absentee = rnd() < 0.2;
  const llc = absentee && rnd() < 0.35 ? `${pick(rnd, OWNER_LLC)} ${pick(rnd, ['LLC', 'LP', 'Trust'])}` : null;
  const elsewhere = pick(rnd, ELSEWHERE.filter((e) => e.city !== city.city.toUpperCase()));
  const mailing = absentee
    ? `${rnd() < 0.3 ? `PO BOX ${int(rnd, 100, 9999)}` : `${int(rnd, 100, 9899)} ${pick(rnd, MAIL_STREETS).toUpperCase()}`}, ${elsewhere.city}, ${elsewhere.state} ${elsewhere.zip}`
    : `${address.toUpperCase()}, ${city.city.toUpperCase()}, ${city.state} ${p.hood.zip}`;
  // Log-normal spread around the neighbourhood's typical value.
  const market = Math.round((p.hood.value * Math.exp((rnd() + rnd() + rnd() - 1.5) * 0.45)) / 1000) * 1000 * (p.commercial ? 3 : 1);
  const sqft = Math.round((Math.max(850, Math.min(6800, 900 + market / 420 + (rnd() - 0.5) * 700)) / 10)) * 10;
  const beds = Math.max(2, Math.min(6, Math.round(sqft / 650)));
  const baths = Math.max(1, Math.min(5, Math.round((sqft / 900) * 2) / 2));
  const yearBuilt = rnd() < 0.02 ? null : int(rnd, p.hood.built[0], p.hood.built[1]);
  const acres = round(p.hood.value > 1_500_000 ? 0.45 + rnd() * 1.1 : 0.11 + rnd() * 0.3, 3);
  let saleDate: string | null = null;
  let salePrice: number | null = null;
  const r = rnd();
  if (r < 0.1) {
    saleDate = addDaysYmd(REFERENCE_DATE, -int(rnd, 10, 360));
    salePrice = Math.round((market * (0.93 + rnd() * 0.12)) / 500) * 500;
  } else if (r < 0.95) {
    const year = int(rnd, Math.max(1986, yearBuilt ?? 1986), 2025);
    saleDate = ymdOf(Date.UTC(year, int(rnd, 0, 11), int(rnd, 1, 28)));
    if (saleDate > addDaysYmd(REFERENCE_DATE, -366)) saleDate = addDaysYmd(REFERENCE_DATE, -int(rnd, 400, 700));
    // House prices rose about 5% a year on average; older sales were for much less.
    const years = (parseYmd(REFERENCE_DATE) - parseYmd(saleDate)) / (365.25 * 86_400_000);
    salePrice = Math.round((market / 1.05 ** years) / 500) * 500;
  }
  return {
    parcel: p, address, variant, ownerLast: pick(rnd, OWNER_LAST), ownerFirst: pick(rnd, OWNER_FIRST),
    coOwner: rnd() < 0.45 ? pick(rnd, OWNER_FIRST) : null, llc, mailing, absentee, market, yearBuilt, sqft, acres, beds, baths, saleDate, salePrice,
  };
}

/** Texas appraisal districts cap a homestead's taxable value; the assessed figure trails the market. */
const texasAssessed = (rnd: Rnd, market: number) => Math.round(market * (0.82 + rnd() * 0.18));

function travisRows(rnd: Rnd, facts: AssessorFacts[]): string[][] {
  const header = ['PROP_ID', 'GEO_ID', 'SITUS_ADDRESS', 'SITUS_CITY', 'SITUS_STATE', 'SITUS_ZIP', 'OWNER_NAME', 'MAILING_ADDRESS', 'MARKET_VALUE', 'ASSESSED_VALUE', 'YR_BUILT', 'LIVING_AREA_SQFT', 'LAND_ACRES', 'BEDROOMS', 'BATHROOMS', 'STATE_CD_DESC', 'DEED_DATE', 'SALE_PRICE', 'EST_TAXES', 'LATITUDE', 'LONGITUDE'];
  const rows = facts.map((f) => {
    const assessed = texasAssessed(rnd, f.market);
    const owner = f.llc ? f.llc.toUpperCase() : `${f.ownerLast} ${f.ownerFirst}${f.coOwner ? ` & ${f.coOwner}` : ''}`.toUpperCase();
    return [
      String(100_000 + f.parcel.id * 13), `0${String(2_191_203_00 + f.parcel.id * 7)}`, f.address, 'AUSTIN', 'TX', f.parcel.hood.zip, owner, f.mailing,
      String(f.market), String(assessed), f.yearBuilt === null ? '' : String(f.yearBuilt), String(f.sqft), f.acres.toFixed(3), String(f.beds), String(f.baths),
      f.parcel.commercial ? 'F1 - COMMERCIAL REAL PROPERTY' : 'A1 - SINGLE FAMILY RESIDENCE', f.saleDate ?? '', f.salePrice === null ? '' : String(f.salePrice),
      (assessed * 0.0198).toFixed(2), f.parcel.lat.toFixed(6), f.parcel.lng.toFixed(6),
    ];
  });
  return [header, ...rows];
}

function dallasCadRows(rnd: Rnd, facts: AssessorFacts[]): string[][] {
  const header = ['ACCOUNT_NUM', 'SITUS_ADDRESS', 'PROPERTY_CITY', 'PROPERTY_STATE', 'PROPERTY_ZIP', 'OWNER_NAME1', 'OWNER_MAILING_ADDRESS', 'TOT_VAL', 'APPRAISED_VAL', 'YR_BUILT', 'TOT_LIVING_AREA_SF', 'LAND_ACRES', 'NUM_BEDROOMS', 'NUM_BATHS', 'SPTD_DESC', 'DEED_TXFR_DATE', 'SALE_PRICE', 'TAX_LEVY', 'LATITUDE', 'LONGITUDE'];
  const rows = facts.map((f) => {
    const assessed = texasAssessed(rnd, f.market);
    const owner = f.llc ? f.llc.toUpperCase() : `${f.ownerLast} ${f.ownerFirst}${f.coOwner ? ` & ${f.coOwner}` : ''}`.toUpperCase();
    return [
      `000${String(5_210_000_000 + f.parcel.id * 1_117).padStart(11, '0')}000`, f.address, 'DALLAS', 'TX', f.parcel.hood.zip, owner, f.mailing,
      String(f.market), String(assessed), f.yearBuilt === null ? '' : String(f.yearBuilt), String(f.sqft), f.acres.toFixed(3), String(f.beds), String(f.baths),
      f.parcel.commercial ? 'COMMERCIAL IMPROVEMENTS' : 'SINGLE FAMILY RESIDENCES', f.saleDate ?? '', f.salePrice === null ? '' : String(f.salePrice),
      (assessed * 0.0221).toFixed(2), f.parcel.lat.toFixed(6), f.parcel.lng.toFixed(6),
    ];
  });
  return [header, ...rows];
}

/** Colorado assesses residential property at 6.7% of actual value (2025 rate); the mill levy applies to that. */
function denverRecords(facts: AssessorFacts[]): Array<Record<string, string | number | null>> {
  return facts.map((f) => {
    const assessed = Math.round(f.market * 0.067);
    return {
      SCHEDNUM: `0${String(2_273_040_070 + f.parcel.id * 1_009)}00`,
      SITUS_ADDRESS: f.address,
      SITUS_CITY: 'DENVER',
      SITUS_STATE: 'CO',
      SITUS_ZIP: f.parcel.hood.zip,
      OWNER_NAME: f.llc ? f.llc.toUpperCase() : `${f.ownerLast}, ${f.ownerFirst}${f.coOwner ? ` & ${f.coOwner}` : ''}`.toUpperCase(),
      OWNER_MAILING: f.mailing,
      ACTUAL_VALUE: f.market,
      ASSESSED_VALUE: assessed,
      CCYRBLT: f.yearBuilt,
      AREA_ABG: f.sqft,
      LAND_ACRES: f.acres,
      BED_RMS: f.beds,
      BATHS: f.baths,
      PROP_CLASS: f.parcel.commercial ? 'Commercial' : 'Single Family Residential',
      SALE_DATE: f.saleDate,
      SALE_PRICE: f.salePrice,
      TAX_AMOUNT: round(assessed * 0.0785, 2),
      LATITUDE: f.parcel.lat,
      LONGITUDE: f.parcel.lng,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// NOAA Storm Events
// ---------------------------------------------------------------------------------------------------------

interface Place { town: string; state: string; stateName: string; stateFips: number; county: string; countyFips: number; wfo: string; tz: string; lat: number; lng: number }

const TX = { state: 'TX', stateName: 'TEXAS', stateFips: 48, tz: 'CST-6' };
const CO = { state: 'CO', stateName: 'COLORADO', stateFips: 8, tz: 'MST-7' };
const OK = { state: 'OK', stateName: 'OKLAHOMA', stateFips: 40, tz: 'CST-6' };
const KS = { state: 'KS', stateName: 'KANSAS', stateFips: 20, tz: 'CST-6' };

const CITY_PLACES: Record<string, Place> = {
  'austin-tx': { town: 'AUSTIN', ...TX, county: 'TRAVIS', countyFips: 453, wfo: 'EWX', lat: 30.2672, lng: -97.7431 },
  'dallas-tx': { town: 'DALLAS', ...TX, county: 'DALLAS', countyFips: 113, wfo: 'FWD', lat: 32.7767, lng: -96.797 },
  'denver-co': { town: 'DENVER', ...CO, county: 'DENVER', countyFips: 31, wfo: 'BOU', lat: 39.7392, lng: -104.9903 },
};

const ELSEWHERE_PLACES: Place[] = [
  { town: 'GEORGETOWN', ...TX, county: 'WILLIAMSON', countyFips: 491, wfo: 'EWX', lat: 30.6333, lng: -97.677 },
  { town: 'SAN ANTONIO', ...TX, county: 'BEXAR', countyFips: 29, wfo: 'EWX', lat: 29.4241, lng: -98.4936 },
  { town: 'FORT WORTH', ...TX, county: 'TARRANT', countyFips: 439, wfo: 'FWD', lat: 32.7555, lng: -97.3308 },
  { town: 'MCKINNEY', ...TX, county: 'COLLIN', countyFips: 85, wfo: 'FWD', lat: 33.1972, lng: -96.6398 },
  { town: 'LUBBOCK', ...TX, county: 'LUBBOCK', countyFips: 303, wfo: 'LUB', lat: 33.5779, lng: -101.8552 },
  { town: 'AMARILLO', ...TX, county: 'POTTER', countyFips: 375, wfo: 'AMA', lat: 35.222, lng: -101.8313 },
  { town: 'COLORADO SPGS', ...CO, county: 'EL PASO', countyFips: 41, wfo: 'PUB', lat: 38.8339, lng: -104.8214 },
  { town: 'FT COLLINS', ...CO, county: 'LARIMER', countyFips: 69, wfo: 'BOU', lat: 40.5853, lng: -105.0844 },
  { town: 'GREELEY', ...CO, county: 'WELD', countyFips: 123, wfo: 'BOU', lat: 40.4233, lng: -104.7091 },
  { town: 'CASTLE ROCK', ...CO, county: 'DOUGLAS', countyFips: 35, wfo: 'BOU', lat: 39.3722, lng: -104.8561 },
  { town: 'OKLAHOMA CITY', ...OK, county: 'OKLAHOMA', countyFips: 109, wfo: 'OUN', lat: 35.4676, lng: -97.5164 },
  { town: 'NORMAN', ...OK, county: 'CLEVELAND', countyFips: 27, wfo: 'OUN', lat: 35.2226, lng: -97.4395 },
  { town: 'TULSA', ...OK, county: 'TULSA', countyFips: 143, wfo: 'TSA', lat: 36.154, lng: -95.9928 },
  { town: 'WICHITA', ...KS, county: 'SEDGWICK', countyFips: 173, wfo: 'ICT', lat: 37.6872, lng: -97.3301 },
  { town: 'OLATHE', ...KS, county: 'JOHNSON', countyFips: 91, wfo: 'EAX', lat: 38.8814, lng: -94.8191 },
];

const HAIL_WORDS: Record<string, string> = { '1.00': 'Quarter', '1.25': 'Half dollar', '1.50': 'Ping pong ball', '1.75': 'Golf ball', '2.00': 'Hen egg', '2.50': 'Tennis ball' };
const HAIL_SIZES = ['1.00', '1.25', '1.50', '1.75', '2.00', '2.50'] as const;
const SOURCES = ['Trained Spotter', 'Public', 'Mesonet', 'Law Enforcement', 'Emergency Manager', 'Social Media', 'Storm Chaser', 'Amateur Radio'];
const AZIMUTHS = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE', 'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'];

function haversineMiles(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const toRad = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(toRad(b.lat - a.lat) / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(toRad(b.lng - a.lng) / 2) ** 2;
  return 3958.8 * 2 * Math.asin(Math.sqrt(h));
}

/** NOAA locates a report as range (miles) and 16-point azimuth from a named place. */
function rangeFrom(place: Place, p: { lat: number; lng: number }): { range: string; azimuth: string } {
  const miles = haversineMiles(place, p);
  const y = Math.sin(((p.lng - place.lng) * Math.PI) / 180) * Math.cos((p.lat * Math.PI) / 180);
  const x = Math.cos((place.lat * Math.PI) / 180) * Math.sin((p.lat * Math.PI) / 180) - Math.sin((place.lat * Math.PI) / 180) * Math.cos((p.lat * Math.PI) / 180) * Math.cos(((p.lng - place.lng) * Math.PI) / 180);
  const bearing = ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
  return { range: String(Math.round(miles)), azimuth: AZIMUTHS[Math.round(bearing / 22.5) % 16]! };
}

const hhmm = (h: number, m: number) => `${h}${String(m).padStart(2, '0')}`;
const clock = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;

function emptyRow(): NoaaRow {
  return Object.fromEntries(NOAA_DETAIL_COLUMNS.map((c) => [c, ''])) as NoaaRow;
}

interface StormReport {
  place: Place;
  episodeId: number;
  episodeNarrative: string;
  ymd: string;
  h: number;
  m: number;
  durationMin: number;
  type: 'Hail' | 'Thunderstorm Wind' | 'Tornado' | 'High Wind' | 'Strong Wind';
  point: { lat: number; lng: number } | null;
  end?: { lat: number; lng: number };
  magnitude: string;
  magnitudeType: string;
  source: string;
  damage: string;
  narrative: string;
  zone?: { fips: number; name: string };
  tornado?: { scale: string; length: string; width: string };
}

function noaaRow(r: StormReport, eventId: number): NoaaRow {
  const row = emptyRow();
  const endTotal = r.h * 60 + r.m + r.durationMin;
  const endYmd = endTotal >= 24 * 60 ? addDaysYmd(r.ymd, 1) : r.ymd;
  const eh = Math.floor(endTotal / 60) % 24;
  const em = endTotal % 60;
  const [y, mo, d] = r.ymd.split('-').map(Number) as [number, number, number];
  const [ey, emo, ed] = endYmd.split('-').map(Number) as [number, number, number];
  const begin = r.point ? rangeFrom(r.place, r.point) : null;
  const end = r.point ? rangeFrom(r.place, r.end ?? r.point) : null;
  const set = (c: NoaaColumn, v: string) => (row[c] = v);
  set('BEGIN_YEARMONTH', `${y}${String(mo).padStart(2, '0')}`);
  set('BEGIN_DAY', String(d));
  set('BEGIN_TIME', hhmm(r.h, r.m));
  set('END_YEARMONTH', `${ey}${String(emo).padStart(2, '0')}`);
  set('END_DAY', String(ed));
  set('END_TIME', hhmm(eh, em));
  set('EPISODE_ID', String(r.episodeId));
  set('EVENT_ID', String(eventId));
  set('STATE', r.place.stateName);
  set('STATE_FIPS', String(r.place.stateFips));
  set('YEAR', String(y));
  set('MONTH_NAME', MONTH_NAMES[mo - 1]!);
  set('EVENT_TYPE', r.type);
  set('CZ_TYPE', r.zone ? 'Z' : 'C');
  set('CZ_FIPS', String(r.zone?.fips ?? r.place.countyFips));
  set('CZ_NAME', r.zone?.name ?? r.place.county);
  set('WFO', r.place.wfo);
  set('BEGIN_DATE_TIME', formatNoaaDateTime(r.ymd, clock(r.h, r.m)));
  set('CZ_TIMEZONE', r.place.tz);
  set('END_DATE_TIME', formatNoaaDateTime(endYmd, clock(eh, em)));
  for (const c of ['INJURIES_DIRECT', 'INJURIES_INDIRECT', 'DEATHS_DIRECT', 'DEATHS_INDIRECT'] as const) set(c, '0');
  set('DAMAGE_PROPERTY', r.damage);
  set('DAMAGE_CROPS', '0.00K');
  set('SOURCE', r.source);
  set('MAGNITUDE', r.magnitude);
  set('MAGNITUDE_TYPE', r.magnitudeType);
  set('TOR_F_SCALE', r.tornado?.scale ?? '');
  set('TOR_LENGTH', r.tornado?.length ?? '');
  set('TOR_WIDTH', r.tornado?.width ?? '');
  if (begin && end && r.point) {
    set('BEGIN_RANGE', begin.range);
    set('BEGIN_AZIMUTH', begin.azimuth);
    set('BEGIN_LOCATION', r.place.town);
    set('END_RANGE', end.range);
    set('END_AZIMUTH', end.azimuth);
    set('END_LOCATION', r.place.town);
    set('BEGIN_LAT', r.point.lat.toFixed(4));
    set('BEGIN_LON', r.point.lng.toFixed(4));
    set('END_LAT', (r.end ?? r.point).lat.toFixed(4));
    set('END_LON', (r.end ?? r.point).lng.toFixed(4));
  }
  set('EPISODE_NARRATIVE', r.episodeNarrative);
  set('EVENT_NARRATIVE', r.narrative);
  set('DATA_SOURCE', 'CSV');
  return row;
}

const EPISODE_TEXT = [
  (region: string) => `A cold front interacting with a moist and unstable airmass produced scattered supercells across ${region} during the late afternoon and evening. Large hail and damaging winds were reported.`,
  (region: string) => `An upper-level disturbance moved over ${region}, where strong instability and deep-layer shear supported organized thunderstorms. Several storms produced hail up to tennis ball size, along with damaging gusts.`,
  (region: string) => `A dryline and outflow boundary focused thunderstorm development over ${region}. Storms quickly became severe, with large hail, wind damage to trees and roofs, and localized power outages.`,
];

function hailReport(rnd: Rnd, place: Place, episodeId: number, episode: string, ymd: string, h: number, m: number, point: { lat: number; lng: number }, sizes: readonly string[]): StormReport {
  const size = pick(rnd, sizes);
  const word = HAIL_WORDS[size]!;
  const narrative = pick(rnd, [
    `${word} size hail was reported near ${pick(rnd, ['the intersection of two main roads', 'a shopping center', 'an elementary school', 'a city park'])}.`,
    `A spotter reported "${word.toLowerCase()}" size hail, covering the ground and damaging vehicles.`,
    `Hail up to ${size} inches in diameter fell for about ten minutes, stripping leaves and denting gutters, siding and roofs.`,
  ]);
  return {
    place, episodeId, episodeNarrative: episode, ymd, h, m, durationMin: int(rnd, 0, 6), type: 'Hail', point,
    magnitude: size, magnitudeType: '', source: pick(rnd, SOURCES), damage: rnd() < 0.5 ? '0.00K' : `${int(rnd, 5, 80)}.00K`, narrative,
  };
}

function windReport(rnd: Rnd, place: Place, episodeId: number, episode: string, ymd: string, h: number, m: number, point: { lat: number; lng: number } | null): StormReport {
  const kt = int(rnd, 55, 75);
  const measured = rnd() < 0.35;
  const mph = Math.round(kt * 1.150779);
  const narrative = measured
    ? `A mesonet station measured a ${kt} knot gust. Large tree limbs were blown down nearby and shingles were torn from several homes.`
    : `Emergency management estimated winds near ${mph} mph, which uprooted trees, downed power lines and damaged roofs, fences and a carport.`;
  return {
    place, episodeId, episodeNarrative: episode, ymd, h, m, durationMin: int(rnd, 0, 5), type: 'Thunderstorm Wind', point,
    magnitude: `${kt}.00`, magnitudeType: measured ? 'MG' : 'EG', source: measured ? 'Mesonet' : pick(rnd, SOURCES),
    damage: `${int(rnd, 2, 60)}.00K`, narrative,
  };
}

function scatter(rnd: Rnd, around: { lat: number; lng: number }, maxM: number): { lat: number; lng: number } {
  const r = maxM * Math.sqrt(rnd());
  const a = rnd() * 2 * Math.PI;
  return offset(around.lat, around.lng, r * Math.cos(a), r * Math.sin(a));
}

function stormReports(rnd: Rnd, cities: CityData[]): StormReport[] {
  let episodeId = 201_873;
  const reports: StormReport[] = [];
  const episode = (region: string) => ({ id: ++episodeId, text: pick(rnd, EPISODE_TEXT)(region) });

  for (const c of cities) {
    const place = CITY_PLACES[c.spec.slug]!;
    const region = `${c.spec.city} and the surrounding metro`;
    // Two earlier storm days over random neighbourhoods (30–90 days before the reference date).
    for (const daysBefore of [int(rnd, 70, 85), int(rnd, 40, 55)]) {
      const ep = episode(region);
      const ymd = addDaysYmd(REFERENCE_DATE, -daysBefore);
      let h = int(rnd, 14, 18);
      let m = int(rnd, 0, 50);
      for (let k = 0; k < 7; k++) {
        const hood = pick(rnd, c.spec.hoods);
        const point = scatter(rnd, hood, 2500);
        reports.push(k % 3 === 2 ? windReport(rnd, place, ep.id, ep.text, ymd, h, m, point) : hailReport(rnd, place, ep.id, ep.text, ymd, h, m, point, HAIL_SIZES.slice(0, 4)));
        m += int(rnd, 4, 12);
        if (m >= 60) { h++; m -= 60; }
      }
    }
    // The storm behind each neighbourhood wave: big hail within a mile or two of every cluster.
    const waveDays = [...new Set(c.spec.clusters.filter((s) => !s.label.includes('tornado')).map((s) => s.stormDaysBefore))];
    for (const daysBefore of waveDays) {
      const ep = episode(region);
      const ymd = addDaysYmd(REFERENCE_DATE, -daysBefore);
      let h = int(rnd, 15, 17);
      let m = int(rnd, 0, 30);
      for (const cl of c.clusters.filter((x) => x.spec.stormDaysBefore === daysBefore && !x.spec.label.includes('tornado'))) {
        for (let k = 0; k < 2; k++) {
          reports.push(hailReport(rnd, place, ep.id, ep.text, ymd, h, m, scatter(rnd, cl.center, 1800), HAIL_SIZES.slice(2)));
          m += int(rnd, 3, 9);
          if (m >= 60) { h++; m -= 60; }
        }
      }
      for (let k = 0; k < 3; k++) {
        reports.push(windReport(rnd, place, ep.id, ep.text, ymd, h, m, scatter(rnd, pick(rnd, c.spec.hoods), 2500)));
        m += int(rnd, 5, 15);
        if (m >= 60) { h++; m -= 60; }
      }
    }
  }

  // The EF1 tornado through Lake Highlands that set off the Dallas tornado wave.
  const dallas = cities.find((c) => c.spec.slug === 'dallas-tx');
  const tornadoCluster = dallas?.clusters.find((x) => x.spec.label.includes('tornado'));
  if (dallas && tornadoCluster) {
    const ep = episode('North Texas including Dallas County');
    const ymd = addDaysYmd(REFERENCE_DATE, -tornadoCluster.spec.stormDaysBefore);
    const start = offset(tornadoCluster.center.lat, tornadoCluster.center.lng, -1800, -2600);
    const end = offset(tornadoCluster.center.lat, tornadoCluster.center.lng, 1200, 1700);
    const length = haversineMiles(start, end);
    reports.push({
      place: CITY_PLACES['dallas-tx']!, episodeId: ep.id, episodeNarrative: ep.text, ymd, h: 16, m: 35, durationMin: 9, type: 'Tornado',
      point: { lat: round(start.lat, 4), lng: round(start.lng, 4) }, end: { lat: round(end.lat, 4), lng: round(end.lng, 4) },
      magnitude: '', magnitudeType: '', source: 'NWS Storm Survey', damage: '450.00K',
      narrative: 'A National Weather Service survey found EF1 damage with peak winds estimated near 100 mph. Dozens of homes lost shingles and roof decking, and numerous large trees were uprooted along the path through the Lake Highlands neighborhood.',
      tornado: { scale: 'EF1', length: length.toFixed(2), width: '250' },
    });
    for (let k = 0; k < 3; k++) {
      reports.push(hailReport(rnd, CITY_PLACES['dallas-tx']!, ep.id, ep.text, ymd, 16, 20 + k * 4, scatter(rnd, tornadoCluster.center, 3000), HAIL_SIZES.slice(0, 4)));
    }
  }

  // Elsewhere in the plains, June through October: storms that must not touch the demo cities (every place is
  // 25+ km from the nearest demo neighbourhood and reports scatter at most 8 km).
  for (const place of ELSEWHERE_PLACES) {
    const ep = episode(`${place.county.toLowerCase().replace(/\b\w/g, (x) => x.toUpperCase())} County`);
    const ymd = addDaysYmd(REFERENCE_DATE, -int(rnd, 5, 150));
    let h = int(rnd, 13, 20);
    let m = int(rnd, 0, 40);
    const n = int(rnd, 2, 4);
    for (let k = 0; k < n; k++) {
      const point = scatter(rnd, place, 8_000);
      reports.push(rnd() < 0.6 ? hailReport(rnd, place, ep.id, ep.text, ymd, h, m, point, HAIL_SIZES) : windReport(rnd, place, ep.id, ep.text, ymd, h, m, point));
      m += int(rnd, 5, 20);
      if (m >= 60) { h++; m -= 60; }
    }
  }

  // Zone-based wind events and a county report without a location: rows with no coordinates.
  const zones: Array<{ place: Place; fips: number; name: string; type: 'High Wind' | 'Strong Wind' }> = [
    { place: ELSEWHERE_PLACES[7]!, fips: 38, name: 'LARIMER COUNTY BELOW 6000 FEET/NORTHWEST WELD COUNTY', type: 'High Wind' },
    { place: ELSEWHERE_PLACES[4]!, fips: 35, name: 'LUBBOCK', type: 'High Wind' },
    { place: ELSEWHERE_PLACES[13]!, fips: 83, name: 'SEDGWICK', type: 'Strong Wind' },
    { place: ELSEWHERE_PLACES[6]!, fips: 84, name: 'COLORADO SPRINGS VICINITY/SOUTHERN EL PASO COUNTY/RAMPART RANGE BELOW 7400 FT', type: 'High Wind' },
  ];
  for (const z of zones) {
    const ep = episode('the region');
    const kt = int(rnd, 50, 68);
    reports.push({
      place: z.place, episodeId: ep.id, episodeNarrative: 'Strong westerly winds mixed down behind a departing surface low, with gusts over 60 mph at several automated stations.',
      ymd: addDaysYmd(REFERENCE_DATE, -int(rnd, 10, 140)), h: int(rnd, 9, 15), m: int(rnd, 0, 59), durationMin: int(rnd, 120, 420), type: z.type, point: null,
      magnitude: `${kt}.00`, magnitudeType: 'MG', source: 'ASOS', damage: '0.00K', narrative: `The automated station measured a peak gust of ${kt} knots.`,
      zone: { fips: z.fips, name: z.name },
    });
  }
  const okc = ELSEWHERE_PLACES[10]!;
  const ep = episode('central Oklahoma');
  reports.push({ ...windReport(rnd, okc, ep.id, ep.text, addDaysYmd(REFERENCE_DATE, -33), 21, 5, null), narrative: 'Trees were reported down across the county; no specific location was given.' });
  return reports;
}

function noaaRows(rnd: Rnd, cities: CityData[]): NoaaRow[] {
  const reports = stormReports(rnd, cities).sort((a, b) => `${a.ymd} ${clock(a.h, a.m)}`.localeCompare(`${b.ymd} ${clock(b.h, b.m)}`) || a.episodeId - b.episodeId);
  let eventId = 1_245_017;
  return reports.map((r) => noaaRow(r, (eventId += int(rnd, 1, 9))));
}

// ---------------------------------------------------------------------------------------------------------
// Manifest configs
// ---------------------------------------------------------------------------------------------------------

function austinSource(): TPermitSourceConfig {
  return {
    kind: 'socrata', baseUrl: REPLAY_PLACEHOLDER, datasetId: '3syk-w9eu', dateField: 'issue_date', pageSize: 100,
    fieldMap: {
      permitNumber: 'permit_number', address: 'original_address1', city: 'original_city', state: 'original_state', zip: 'original_zip',
      lat: 'latitude', lng: 'longitude', permitType: 'permit_type_desc', permitClass: 'permit_class_mapped', workDescription: 'description',
      estimatedValue: 'total_job_valuation', contractorName: 'contractor_company_name', appliedDate: 'applieddate', issueDate: 'issue_date',
      completionDate: 'completed_date', permitStatus: 'status_current',
    },
  };
}

function denverSource(): TPermitSourceConfig {
  return {
    kind: 'arcgis', layerUrl: REPLAY_PLACEHOLDER, dateField: 'ISSUE_DATE', pageSize: 100,
    fieldMap: {
      permitNumber: 'PERMIT_NUM', address: 'ADDRESS', zip: 'ZIP', permitType: 'PERMIT_TYPE', permitClass: 'CLASS', workDescription: 'WORK_DESC',
      estimatedValue: 'VALUATION', contractorName: 'CONTRACTOR_NAME', contractorLicense: 'CONTRACTOR_LICENSE', appliedDate: 'APPLIED_DATE',
      issueDate: 'ISSUE_DATE', completionDate: 'COMPLETED_DATE', permitStatus: 'STATUS',
    },
  };
}

function dallasSource(): TPermitSourceConfig {
  return { kind: 'csv', path: 'dallas-tx/permits', delimiter: ',', fieldMap: BLDS_FIELD_MAP };
}

const ASSESSOR_SOURCES = {
  'austin-tx': {
    kind: 'csv' as const, path: 'austin-tx/assessor.csv',
    fieldMap: {
      parcelId: 'PROP_ID', address: 'SITUS_ADDRESS', city: 'SITUS_CITY', state: 'SITUS_STATE', zip: 'SITUS_ZIP', ownerName: 'OWNER_NAME',
      ownerMailingAddress: 'MAILING_ADDRESS', marketValue: 'MARKET_VALUE', assessedValue: 'ASSESSED_VALUE', yearBuilt: 'YR_BUILT',
      sqft: 'LIVING_AREA_SQFT', lotSize: 'LAND_ACRES', beds: 'BEDROOMS', baths: 'BATHROOMS', propertyType: 'STATE_CD_DESC',
      lastSaleDate: 'DEED_DATE', lastSalePrice: 'SALE_PRICE', taxAmount: 'EST_TAXES', lat: 'LATITUDE', lng: 'LONGITUDE',
    },
  },
  'dallas-tx': {
    kind: 'csv' as const, path: 'dallas-tx/assessor.csv',
    fieldMap: {
      parcelId: 'ACCOUNT_NUM', address: 'SITUS_ADDRESS', city: 'PROPERTY_CITY', state: 'PROPERTY_STATE', zip: 'PROPERTY_ZIP', ownerName: 'OWNER_NAME1',
      ownerMailingAddress: 'OWNER_MAILING_ADDRESS', marketValue: 'TOT_VAL', assessedValue: 'APPRAISED_VAL', yearBuilt: 'YR_BUILT',
      sqft: 'TOT_LIVING_AREA_SF', lotSize: 'LAND_ACRES', beds: 'NUM_BEDROOMS', baths: 'NUM_BATHS', propertyType: 'SPTD_DESC',
      lastSaleDate: 'DEED_TXFR_DATE', lastSalePrice: 'SALE_PRICE', taxAmount: 'TAX_LEVY', lat: 'LATITUDE', lng: 'LONGITUDE',
    },
  },
  'denver-co': {
    kind: 'json' as const, path: 'denver-co/assessor.json',
    fieldMap: {
      parcelId: 'SCHEDNUM', address: 'SITUS_ADDRESS', city: 'SITUS_CITY', state: 'SITUS_STATE', zip: 'SITUS_ZIP', ownerName: 'OWNER_NAME',
      ownerMailingAddress: 'OWNER_MAILING', marketValue: 'ACTUAL_VALUE', assessedValue: 'ASSESSED_VALUE', yearBuilt: 'CCYRBLT',
      sqft: 'AREA_ABG', lotSize: 'LAND_ACRES', beds: 'BED_RMS', baths: 'BATHS', propertyType: 'PROP_CLASS',
      lastSaleDate: 'SALE_DATE', lastSalePrice: 'SALE_PRICE', taxAmount: 'TAX_AMOUNT', lat: 'LATITUDE', lng: 'LONGITUDE',
    },
  },
};

// ---------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------

export interface GeneratedFixtures {
  outDir: string;
  /** Paths relative to outDir, with their sizes in bytes. */
  files: Array<{ path: string; bytes: number }>;
  counts: Record<string, { permits: number; parcels: number; roofing: number; variants: number }>;
  noaaRows: number;
}

/** Writes the whole fixture set into outDir (files are overwritten; nothing else in the folder is touched). */
export async function writeDemoFixtures(outDir: string, { seed = DEFAULT_SEED }: { seed?: number } = {}): Promise<GeneratedFixtures> {
  const rnd = prng(seed);
  const cities = DEMO_CITY_SPECS.map((spec) => buildCity(rnd, spec));
  const files = new Map<string, string>();
  const counts: GeneratedFixtures['counts'] = {};
  const manifest: TDemoManifest = { referenceDate: REFERENCE_DATE, seed, cities: [], noaaFiles: [] };

  for (const c of cities) {
    const { spec } = c;
    const facts = c.parcels.map((p) => assessorFacts(rnd, p, spec));
    let permitsFiles: string[];
    let permitSource: TPermitSourceConfig;
    if (spec.slug === 'austin-tx') {
      permitsFiles = ['austin-tx/socrata-3syk-w9eu.json'];
      files.set(permitsFiles[0]!, jsonLines(c.permits.map((p) => austinRecord(p, spec))));
      files.set('austin-tx/assessor.csv', toCsv(travisRows(rnd, facts)));
      permitSource = austinSource();
    } else if (spec.slug === 'denver-co') {
      permitsFiles = ['denver-co/arcgis-features.json'];
      files.set(permitsFiles[0]!, jsonLines(c.permits.map((p) => denverFeature(rnd, p))));
      files.set('denver-co/assessor.json', jsonLines(denverRecords(facts)));
      permitSource = denverSource();
    } else {
      // Two export files, as the portal splits a long date range: older and newer half of the window.
      const split = addDaysYmd(REFERENCE_DATE, -PERMIT_WINDOW_DAYS / 2);
      permitsFiles = ['dallas-tx/permits/blds-export-1.csv', 'dallas-tx/permits/blds-export-2.csv'];
      files.set(permitsFiles[0]!, toCsv([[...BLDS_COLUMNS], ...c.permits.filter((p) => p.issued < split).map((p) => dallasRow(p, spec))]));
      files.set(permitsFiles[1]!, toCsv([[...BLDS_COLUMNS], ...c.permits.filter((p) => p.issued >= split).map((p) => dallasRow(p, spec))]));
      files.set('dallas-tx/assessor.csv', toCsv(dallasCadRows(rnd, facts)));
      permitSource = dallasSource();
    }
    manifest.cities.push({
      city: spec.city, state: spec.state, slug: spec.slug, permitSource,
      assessorSource: ASSESSOR_SOURCES[spec.slug as keyof typeof ASSESSOR_SOURCES],
      permitsFiles,
      clusters: c.clusters.map((cl) => ({ name: cl.spec.label, center: cl.center, permitNumbers: cl.permits.map((p) => permitNumberOf(spec, p)) })),
    });
    counts[spec.slug] = {
      permits: c.permits.length,
      parcels: c.parcels.length,
      roofing: c.permits.filter((p) => p.trade === 'roof').length,
      variants: facts.filter((f) => f.variant).length,
    };
  }

  const rows = noaaRows(rnd, cities);
  const noaaFile = `noaa/${noaaFileName(Number(REFERENCE_DATE.slice(0, 4)), REFERENCE_DATE)}`;
  files.set(noaaFile, formatNoaaCsv(rows));
  manifest.noaaFiles.push(noaaFile);
  files.set('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);

  const written: GeneratedFixtures['files'] = [];
  for (const [rel, content] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const file = path.join(outDir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    written.push({ path: rel, bytes: Buffer.byteLength(content) });
  }
  return { outDir, files: written, counts, noaaRows: rows.length };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const outDir = path.resolve(process.argv[2] ?? 'test/fixtures/demo');
  const result = await writeDemoFixtures(outDir);
  for (const f of result.files) console.log(`${String(f.bytes).padStart(9)}  ${f.path}`);
  const total = result.files.reduce((a, f) => a + f.bytes, 0);
  console.log(`${String(total).padStart(9)}  total in ${outDir}`);
  for (const [slug, c] of Object.entries(result.counts)) {
    console.log(`${slug}: ${c.permits} permits (${c.roofing} roofing), ${c.parcels} parcels, ${c.variants} assessor addresses spelled differently`);
  }
  console.log(`noaa: ${result.noaaRows} storm events`);
}
