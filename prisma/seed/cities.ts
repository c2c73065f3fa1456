/**
 * The 75 launch markets (seed 002 §3.1.1: 15 tier-1 premium, 35 tier-2 strong,
 * 25 tier-3 emerging) with the per-city configuration described in §9.2.
 *
 * Selection favours storm-prone, high-roofing-demand markets: the Texas /
 * Oklahoma / Kansas / Nebraska hail corridor, the Colorado Front Range, the
 * Gulf and Atlantic hurricane coasts, and large Sun Belt growth metros.
 *
 * Data notes (pure reference data, no I/O):
 * - population: city proper, approximate US Census Vintage-2023 estimates
 *   (Austin uses the seed's 978,908). Refresh from Census before publishing.
 * - medianHomeValue: rounded, approximate typical home value (USD) from
 *   public 2024-era indices; Austin uses the seed's $550,000.
 * - stormRiskScore: 0-100 editorial estimate of hail / severe-wind /
 *   hurricane exposure (hail alley and Gulf coast high, desert Southwest low).
 * - permitSource: only filled in where the open-data portal and dataset are
 *   known; everything else is `kind: 'none'` until someone verifies a feed.
 * - assessorSource: none configured yet.
 */

export type CityTier = 1 | 2 | 3;

/** States that host at least one target city. */
export type UsStateCode =
  | 'AL' | 'AZ' | 'CO' | 'FL' | 'GA' | 'IA' | 'ID' | 'IN' | 'KS' | 'KY' | 'LA' | 'MI' | 'MN'
  | 'MO' | 'MT' | 'NC' | 'ND' | 'NE' | 'NM' | 'OH' | 'OK' | 'SC' | 'SD' | 'TN' | 'TX' | 'WY';

export type CityTimeZone =
  | 'America/Chicago'
  | 'America/New_York'
  | 'America/Denver'
  | 'America/Phoenix'
  | 'America/Boise'
  | 'America/Detroit'
  | 'America/Indiana/Indianapolis'
  | 'America/Kentucky/Louisville';

export interface SocrataPermitSource {
  readonly kind: 'socrata';
  /** Portal host, no scheme, e.g. 'data.austintexas.gov'. */
  readonly domain: string;
  /** Socrata 4x4 dataset id. */
  readonly datasetId: string;
  /** Column used for incremental (date-windowed) pulls. */
  readonly dateField: string;
  readonly label?: string;
  /** Optional SoQL filter appended to every pull. */
  readonly where?: string;
}

export interface ArcgisPermitSource {
  readonly kind: 'arcgis';
  /** FeatureServer / MapServer layer URL (ending in the layer index). */
  readonly url: string;
  readonly dateField: string;
  readonly label?: string;
  readonly where?: string;
}

export interface CsvPermitSource {
  readonly kind: 'csv';
  /** Path (relative to the data directory) of a manually supplied export. */
  readonly path: string;
}

export interface HtmlPermitSource {
  readonly kind: 'html';
  readonly url: string;
  /** Selector to wait for before extracting (JS-rendered portals). */
  readonly waitFor?: string;
  readonly notes?: string;
}

export interface NoPermitSource {
  readonly kind: 'none';
  readonly reason: string;
}

export type PermitSource =
  | SocrataPermitSource
  | ArcgisPermitSource
  | CsvPermitSource
  | HtmlPermitSource
  | NoPermitSource;

export type PermitSourceKind = PermitSource['kind'];

export type AssessorSource =
  | { readonly kind: 'csv'; readonly path?: string }
  | { readonly kind: 'none'; readonly reason?: string };

export interface TargetCity {
  readonly city: string;
  readonly state: UsStateCode;
  readonly tier: CityTier;
  /** 1-100, higher runs first; tier 1 > tier 2 > tier 3. */
  readonly priority: number;
  readonly population: number;
  readonly medianHomeValue: number;
  /** 0-100 hail / wind / hurricane exposure estimate. */
  readonly stormRiskScore: number;
  /** IANA zone for scheduling local-time jobs. */
  readonly timeZone: CityTimeZone;
  /** Principal county (or parish / independent city) for assessor lookups. */
  readonly countyName: string;
  readonly permitSource: PermitSource;
  readonly assessorSource: AssessorSource;
}

const NOT_CONFIGURED: NoPermitSource = { kind: 'none', reason: 'source not configured yet' };
const NO_ASSESSOR: AssessorSource = { kind: 'none', reason: 'source not configured yet' };

export const TARGET_CITIES: readonly TargetCity[] = [
  // Tier 1 — premium markets (15)
  {
    city: 'Austin', state: 'TX', tier: 1, priority: 100,
    population: 978908, medianHomeValue: 550000, stormRiskScore: 70,
    timeZone: 'America/Chicago', countyName: 'Travis',
    permitSource: { kind: 'socrata', domain: 'data.austintexas.gov', datasetId: '3syk-w9eu', dateField: 'issue_date', label: 'Issued Construction Permits' },
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Dallas', state: 'TX', tier: 1, priority: 99,
    population: 1302868, medianHomeValue: 310000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Dallas',
    permitSource: { kind: 'none', reason: 'source not configured yet (Dallas OpenData Socrata e7gq-4sah is reported to stop at 2019-12-31; needs a current feed)' },
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Houston', state: 'TX', tier: 1, priority: 98,
    population: 2314157, medianHomeValue: 270000, stormRiskScore: 82,
    timeZone: 'America/Chicago', countyName: 'Harris',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Phoenix', state: 'AZ', tier: 1, priority: 97,
    population: 1650070, medianHomeValue: 420000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Maricopa',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Denver', state: 'CO', tier: 1, priority: 96,
    population: 716577, medianHomeValue: 560000, stormRiskScore: 85,
    timeZone: 'America/Denver', countyName: 'Denver',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'San Antonio', state: 'TX', tier: 1, priority: 95,
    population: 1495295, medianHomeValue: 260000, stormRiskScore: 75,
    timeZone: 'America/Chicago', countyName: 'Bexar',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Oklahoma City', state: 'OK', tier: 1, priority: 94,
    population: 702767, medianHomeValue: 215000, stormRiskScore: 95,
    timeZone: 'America/Chicago', countyName: 'Oklahoma',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Atlanta', state: 'GA', tier: 1, priority: 93,
    population: 510823, medianHomeValue: 390000, stormRiskScore: 55,
    timeZone: 'America/New_York', countyName: 'Fulton',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Charlotte', state: 'NC', tier: 1, priority: 92,
    population: 911311, medianHomeValue: 380000, stormRiskScore: 52,
    timeZone: 'America/New_York', countyName: 'Mecklenburg',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Nashville', state: 'TN', tier: 1, priority: 91,
    population: 687788, medianHomeValue: 440000, stormRiskScore: 65,
    timeZone: 'America/Chicago', countyName: 'Davidson',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Kansas City', state: 'MO', tier: 1, priority: 90,
    population: 510704, medianHomeValue: 230000, stormRiskScore: 80,
    timeZone: 'America/Chicago', countyName: 'Jackson',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Minneapolis', state: 'MN', tier: 1, priority: 89,
    population: 425115, medianHomeValue: 320000, stormRiskScore: 70,
    timeZone: 'America/Chicago', countyName: 'Hennepin',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Jacksonville', state: 'FL', tier: 1, priority: 88,
    population: 985843, medianHomeValue: 280000, stormRiskScore: 65,
    timeZone: 'America/New_York', countyName: 'Duval',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Raleigh', state: 'NC', tier: 1, priority: 87,
    population: 482295, medianHomeValue: 440000, stormRiskScore: 55,
    timeZone: 'America/New_York', countyName: 'Wake',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Miami', state: 'FL', tier: 1, priority: 86,
    population: 455924, medianHomeValue: 580000, stormRiskScore: 85,
    timeZone: 'America/New_York', countyName: 'Miami-Dade',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  // Tier 2 — strong markets (35)
  {
    city: 'Fort Worth', state: 'TX', tier: 2, priority: 80,
    population: 978468, medianHomeValue: 300000, stormRiskScore: 92,
    timeZone: 'America/Chicago', countyName: 'Tarrant',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Colorado Springs', state: 'CO', tier: 2, priority: 79,
    population: 488664, medianHomeValue: 440000, stormRiskScore: 85,
    timeZone: 'America/Denver', countyName: 'El Paso',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Tampa', state: 'FL', tier: 2, priority: 78,
    population: 403364, medianHomeValue: 420000, stormRiskScore: 80,
    timeZone: 'America/New_York', countyName: 'Hillsborough',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Plano', state: 'TX', tier: 2, priority: 77,
    population: 290190, medianHomeValue: 500000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Collin',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Frisco', state: 'TX', tier: 2, priority: 76,
    population: 225007, medianHomeValue: 650000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Collin',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'McKinney', state: 'TX', tier: 2, priority: 75,
    population: 213509, medianHomeValue: 480000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Collin',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Arlington', state: 'TX', tier: 2, priority: 74,
    population: 398431, medianHomeValue: 310000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Tarrant',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Irving', state: 'TX', tier: 2, priority: 73,
    population: 254715, medianHomeValue: 330000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Dallas',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Aurora', state: 'CO', tier: 2, priority: 72,
    population: 400136, medianHomeValue: 470000, stormRiskScore: 85,
    timeZone: 'America/Denver', countyName: 'Arapahoe',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Tulsa', state: 'OK', tier: 2, priority: 71,
    population: 411938, medianHomeValue: 200000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Tulsa',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Wichita', state: 'KS', tier: 2, priority: 70,
    population: 396119, medianHomeValue: 200000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Sedgwick',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Omaha', state: 'NE', tier: 2, priority: 69,
    population: 483335, medianHomeValue: 270000, stormRiskScore: 85,
    timeZone: 'America/Chicago', countyName: 'Douglas',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Mesa', state: 'AZ', tier: 2, priority: 68,
    population: 511648, medianHomeValue: 430000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Maricopa',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Scottsdale', state: 'AZ', tier: 2, priority: 67,
    population: 244394, medianHomeValue: 800000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Maricopa',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Chandler', state: 'AZ', tier: 2, priority: 66,
    population: 280711, medianHomeValue: 520000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Maricopa',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Tucson', state: 'AZ', tier: 2, priority: 65,
    population: 547239, medianHomeValue: 320000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Pima',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Albuquerque', state: 'NM', tier: 2, priority: 64,
    population: 560326, medianHomeValue: 320000, stormRiskScore: 45,
    timeZone: 'America/Denver', countyName: 'Bernalillo',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'El Paso', state: 'TX', tier: 2, priority: 63,
    population: 678958, medianHomeValue: 210000, stormRiskScore: 40,
    timeZone: 'America/Denver', countyName: 'El Paso',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Orlando', state: 'FL', tier: 2, priority: 62,
    population: 320742, medianHomeValue: 370000, stormRiskScore: 70,
    timeZone: 'America/New_York', countyName: 'Orange',
    permitSource: { kind: 'socrata', domain: 'data.cityoforlando.net', datasetId: 'ryhf-m453', dateField: 'issue_permit_date', label: 'Permit Applications' },
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'St. Petersburg', state: 'FL', tier: 2, priority: 61,
    population: 263553, medianHomeValue: 400000, stormRiskScore: 82,
    timeZone: 'America/New_York', countyName: 'Pinellas',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Fort Collins', state: 'CO', tier: 2, priority: 60,
    population: 170376, medianHomeValue: 540000, stormRiskScore: 78,
    timeZone: 'America/Denver', countyName: 'Larimer',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Louisville', state: 'KY', tier: 2, priority: 59,
    population: 622981, medianHomeValue: 240000, stormRiskScore: 60,
    timeZone: 'America/Kentucky/Louisville', countyName: 'Jefferson',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Indianapolis', state: 'IN', tier: 2, priority: 58,
    population: 880621, medianHomeValue: 230000, stormRiskScore: 62,
    timeZone: 'America/Indiana/Indianapolis', countyName: 'Marion',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Memphis', state: 'TN', tier: 2, priority: 57,
    population: 618639, medianHomeValue: 140000, stormRiskScore: 68,
    timeZone: 'America/Chicago', countyName: 'Shelby',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Birmingham', state: 'AL', tier: 2, priority: 56,
    population: 196644, medianHomeValue: 120000, stormRiskScore: 72,
    timeZone: 'America/Chicago', countyName: 'Jefferson',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'New Orleans', state: 'LA', tier: 2, priority: 55,
    population: 364136, medianHomeValue: 250000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Orleans Parish',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Baton Rouge', state: 'LA', tier: 2, priority: 54,
    population: 219573, medianHomeValue: 210000, stormRiskScore: 78,
    timeZone: 'America/Chicago', countyName: 'East Baton Rouge Parish',
    permitSource: { kind: 'socrata', domain: 'data.brla.gov', datasetId: '7fq7-8j7r', dateField: 'issueddate', label: 'EBR Building Permits' },
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'St. Louis', state: 'MO', tier: 2, priority: 53,
    population: 281754, medianHomeValue: 180000, stormRiskScore: 72,
    timeZone: 'America/Chicago', countyName: 'St. Louis City',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Overland Park', state: 'KS', tier: 2, priority: 52,
    population: 197106, medianHomeValue: 420000, stormRiskScore: 80,
    timeZone: 'America/Chicago', countyName: 'Johnson',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Corpus Christi', state: 'TX', tier: 2, priority: 51,
    population: 316804, medianHomeValue: 230000, stormRiskScore: 85,
    timeZone: 'America/Chicago', countyName: 'Nueces',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Charleston', state: 'SC', tier: 2, priority: 50,
    population: 155369, medianHomeValue: 500000, stormRiskScore: 78,
    timeZone: 'America/New_York', countyName: 'Charleston',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Lincoln', state: 'NE', tier: 2, priority: 49,
    population: 294757, medianHomeValue: 270000, stormRiskScore: 82,
    timeZone: 'America/Chicago', countyName: 'Lancaster',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Columbus', state: 'OH', tier: 2, priority: 48,
    population: 913175, medianHomeValue: 250000, stormRiskScore: 52,
    timeZone: 'America/New_York', countyName: 'Franklin',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Detroit', state: 'MI', tier: 2, priority: 47,
    population: 633218, medianHomeValue: 80000, stormRiskScore: 50,
    timeZone: 'America/Detroit', countyName: 'Wayne',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Greensboro', state: 'NC', tier: 2, priority: 46,
    population: 301115, medianHomeValue: 260000, stormRiskScore: 55,
    timeZone: 'America/New_York', countyName: 'Guilford',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  // Tier 3 — emerging markets (25)
  {
    city: 'Boise', state: 'ID', tier: 3, priority: 40,
    population: 237446, medianHomeValue: 480000, stormRiskScore: 30,
    timeZone: 'America/Boise', countyName: 'Ada',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Fargo', state: 'ND', tier: 3, priority: 39,
    population: 133188, medianHomeValue: 290000, stormRiskScore: 65,
    timeZone: 'America/Chicago', countyName: 'Cass',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Lubbock', state: 'TX', tier: 3, priority: 38,
    population: 266878, medianHomeValue: 210000, stormRiskScore: 85,
    timeZone: 'America/Chicago', countyName: 'Lubbock',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Amarillo', state: 'TX', tier: 3, priority: 37,
    population: 201291, medianHomeValue: 200000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Potter',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Midland', state: 'TX', tier: 3, priority: 36,
    population: 134445, medianHomeValue: 300000, stormRiskScore: 78,
    timeZone: 'America/Chicago', countyName: 'Midland',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Norman', state: 'OK', tier: 3, priority: 35,
    population: 130046, medianHomeValue: 250000, stormRiskScore: 92,
    timeZone: 'America/Chicago', countyName: 'Cleveland',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Sioux Falls', state: 'SD', tier: 3, priority: 34,
    population: 213891, medianHomeValue: 310000, stormRiskScore: 75,
    timeZone: 'America/Chicago', countyName: 'Minnehaha',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Wichita Falls', state: 'TX', tier: 3, priority: 33,
    population: 102988, medianHomeValue: 150000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Wichita',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Abilene', state: 'TX', tier: 3, priority: 32,
    population: 127385, medianHomeValue: 190000, stormRiskScore: 82,
    timeZone: 'America/Chicago', countyName: 'Taylor',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Waco', state: 'TX', tier: 3, priority: 31,
    population: 144816, medianHomeValue: 240000, stormRiskScore: 78,
    timeZone: 'America/Chicago', countyName: 'McLennan',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Tyler', state: 'TX', tier: 3, priority: 30,
    population: 110444, medianHomeValue: 260000, stormRiskScore: 70,
    timeZone: 'America/Chicago', countyName: 'Smith',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Rapid City', state: 'SD', tier: 3, priority: 29,
    population: 78824, medianHomeValue: 320000, stormRiskScore: 80,
    timeZone: 'America/Denver', countyName: 'Pennington',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Cheyenne', state: 'WY', tier: 3, priority: 28,
    population: 65130, medianHomeValue: 340000, stormRiskScore: 85,
    timeZone: 'America/Denver', countyName: 'Laramie',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Billings', state: 'MT', tier: 3, priority: 27,
    population: 119960, medianHomeValue: 340000, stormRiskScore: 72,
    timeZone: 'America/Denver', countyName: 'Yellowstone',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Topeka', state: 'KS', tier: 3, priority: 26,
    population: 125475, medianHomeValue: 160000, stormRiskScore: 80,
    timeZone: 'America/Chicago', countyName: 'Shawnee',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Springfield', state: 'MO', tier: 3, priority: 25,
    population: 170188, medianHomeValue: 220000, stormRiskScore: 78,
    timeZone: 'America/Chicago', countyName: 'Greene',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Des Moines', state: 'IA', tier: 3, priority: 24,
    population: 210381, medianHomeValue: 200000, stormRiskScore: 70,
    timeZone: 'America/Chicago', countyName: 'Polk',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Huntsville', state: 'AL', tier: 3, priority: 23,
    population: 225564, medianHomeValue: 300000, stormRiskScore: 72,
    timeZone: 'America/Chicago', countyName: 'Madison',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Mobile', state: 'AL', tier: 3, priority: 22,
    population: 182595, medianHomeValue: 170000, stormRiskScore: 82,
    timeZone: 'America/Chicago', countyName: 'Mobile',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Lafayette', state: 'LA', tier: 3, priority: 21,
    population: 120610, medianHomeValue: 220000, stormRiskScore: 80,
    timeZone: 'America/Chicago', countyName: 'Lafayette Parish',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Shreveport', state: 'LA', tier: 3, priority: 20,
    population: 180153, medianHomeValue: 140000, stormRiskScore: 72,
    timeZone: 'America/Chicago', countyName: 'Caddo Parish',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Pensacola', state: 'FL', tier: 3, priority: 19,
    population: 54390, medianHomeValue: 320000, stormRiskScore: 85,
    timeZone: 'America/Chicago', countyName: 'Escambia',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Greeley', state: 'CO', tier: 3, priority: 18,
    population: 111669, medianHomeValue: 400000, stormRiskScore: 82,
    timeZone: 'America/Denver', countyName: 'Weld',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Pueblo', state: 'CO', tier: 3, priority: 17,
    population: 111748, medianHomeValue: 280000, stormRiskScore: 72,
    timeZone: 'America/Denver', countyName: 'Pueblo',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
  {
    city: 'Bismarck', state: 'ND', tier: 3, priority: 16,
    population: 75092, medianHomeValue: 320000, stormRiskScore: 65,
    timeZone: 'America/Chicago', countyName: 'Burleigh',
    permitSource: NOT_CONFIGURED,
    assessorSource: NO_ASSESSOR,
  },
];

/** Expected tier sizes from seed 002 §3.1.1. */
export const EXPECTED_TIER_COUNTS: Readonly<Record<CityTier, number>> = { 1: 15, 2: 35, 3: 25 };

/** Stable identifier, e.g. 'st-petersburg-fl'. */
export function citySlug(city: Pick<TargetCity, 'city' | 'state'>): string {
  const name = city.city
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${name}-${city.state.toLowerCase()}`;
}

const CITY_BY_KEY: ReadonlyMap<string, TargetCity> = new Map(
  TARGET_CITIES.map((c): [string, TargetCity] => [`${c.city.toLowerCase()}|${c.state}`, c]),
);

/** Case-insensitive lookup by city name and 2-letter state. */
export function findTargetCity(city: string, state: string): TargetCity | undefined {
  return CITY_BY_KEY.get(`${city.trim().toLowerCase()}|${state.trim().toUpperCase()}`);
}

export function citiesByTier(tier: CityTier): readonly TargetCity[] {
  return TARGET_CITIES.filter((c) => c.tier === tier);
}

/** Cities whose permit feed is configured (anything but `kind: 'none'`). */
export function citiesWithPermitSource(): readonly TargetCity[] {
  return TARGET_CITIES.filter((c) => c.permitSource.kind !== 'none');
}
