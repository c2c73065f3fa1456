import type { z } from 'zod';
import type { ZAssessorSourceConfig, ZPermitSourceConfig } from '../../src/modules/acquisition/acquisition.types.ts';

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
 * - timeZone: the IANA zone of the city itself (El Paso and Rapid City are
 *   Mountain although their states are mostly Central; Pensacola is Central
 *   although Florida is mostly Eastern; Arizona keeps no DST → America/Phoenix).
 * - permitSource: the ZPermitSourceConfig contract of the acquisition module,
 *   filled in only where the portal, the dataset id and the column names were
 *   checked against the publisher's published schema. Every other city is
 *   stored with permit_source NULL and the reason in permit_config.unconfigured,
 *   so an activation names why it cannot run instead of scraping a guess.
 * - assessorSource: none is verified yet (NULL).
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

/** A permit source as written here; defaults (pageSize …) are filled in by ZPermitSourceConfig.parse at seed time. */
export type PermitSourceInput = z.input<typeof ZPermitSourceConfig>;
export type AssessorSourceInput = z.input<typeof ZAssessorSourceConfig>;

/** target_cities.permit_config: why a city has no source, or caveats of the one it has. */
export interface PermitConfigNotes {
  readonly unconfigured?: string;
  readonly notes?: string;
}

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
  /** null until a feed is verified; permitConfig.unconfigured then says why. */
  readonly permitSource: PermitSourceInput | null;
  readonly permitConfig: PermitConfigNotes;
  readonly assessorSource: AssessorSourceInput | null;
}

const UNCONFIGURED: PermitConfigNotes = {
  unconfigured: 'no open-data permit feed verified yet: the portal, dataset id and column names must be confirmed before a source is configured',
};

/**
 * Austin "Issued Construction Permits" (Socrata 3syk-w9eu); column names as published in the dataset's SODA schema.
 * Austin has no contractor licence column.
 */
const AUSTIN_PERMITS: PermitSourceInput = {
  kind: 'socrata',
  baseUrl: 'https://data.austintexas.gov',
  datasetId: '3syk-w9eu',
  dateField: 'issue_date',
  fieldMap: {
    permitNumber: 'permit_number',
    address: 'original_address1',
    city: 'original_city',
    state: 'original_state',
    zip: 'original_zip',
    lat: 'latitude',
    lng: 'longitude',
    permitType: 'permit_type_desc',
    permitClass: 'permit_class_mapped',
    workDescription: 'description',
    estimatedValue: 'total_job_valuation',
    contractorName: 'contractor_company_name',
    appliedDate: 'applieddate',
    issueDate: 'issue_date',
    completionDate: 'completed_date',
    permitStatus: 'status_current',
  },
};

/**
 * Orlando "Permit Applications" (Socrata ryhf-m453). The feed has no ZIP, city or scalar lat/long columns (only a
 * geocoded_column point), so addresses are geocoded downstream; plan_review_type carries Residential/Commercial.
 */
const ORLANDO_PERMITS: PermitSourceInput = {
  kind: 'socrata',
  baseUrl: 'https://data.cityoforlando.net',
  datasetId: 'ryhf-m453',
  dateField: 'issue_permit_date',
  fieldMap: {
    permitNumber: 'permit_number',
    address: 'permit_address',
    permitType: 'application_type',
    permitClass: 'plan_review_type',
    workDescription: 'project_name',
    estimatedValue: 'estimated_cost',
    contractorName: 'contractor_name',
    appliedDate: 'processed_date',
    issueDate: 'issue_permit_date',
    completionDate: 'final_date',
    permitStatus: 'application_status',
  },
};

/** Baton Rouge "EBR Building Permits" (Socrata 7fq7-8j7r, City-Parish portal); designation is Residential/Commercial. */
const BATON_ROUGE_PERMITS: PermitSourceInput = {
  kind: 'socrata',
  baseUrl: 'https://data.brla.gov',
  datasetId: '7fq7-8j7r',
  dateField: 'issueddate',
  fieldMap: {
    permitNumber: 'permitnumber',
    address: 'streetaddress',
    city: 'city1',
    state: 'state1',
    zip: 'zip',
    permitType: 'permittype',
    permitClass: 'designation',
    workDescription: 'projectdescription',
    estimatedValue: 'projectvalue',
    contractorName: 'contractorname',
    appliedDate: 'creationdate',
    issueDate: 'issueddate',
  },
};

/** Kansas City "Permits - CPD" (Socrata ntw8-aacc), published in the BLDS core layout with lower-cased column names. */
const KANSAS_CITY_PERMITS: PermitSourceInput = {
  kind: 'socrata',
  baseUrl: 'https://data.kcmo.org',
  datasetId: 'ntw8-aacc',
  dateField: 'issueddate',
  fieldMap: {
    permitNumber: 'permitnum',
    address: 'originaladdress1',
    zip: 'originalzip',
    permitType: 'permittypedesc',
    permitClass: 'workclassmapped',
    workDescription: 'description',
    estimatedValue: 'estprojectcost',
    contractorName: 'contractorcompanyname',
    issueDate: 'issueddate',
    permitStatus: 'statuscurrent',
  },
};

/** Raleigh "Building Permits" ArcGIS FeatureServer layer (BLDS-style lower-cased columns; issueddate is an esri date). */
const RALEIGH_PERMITS: PermitSourceInput = {
  kind: 'arcgis',
  layerUrl: 'https://services.arcgis.com/v400IkDOw1ad7Yad/arcgis/rest/services/Building_Permits/FeatureServer/0',
  dateField: 'issueddate',
  fieldMap: {
    permitNumber: 'permitnum',
    address: 'originaladdress1',
    city: 'originalcity',
    zip: 'originalzip',
    lat: 'latitude_perm',
    lng: 'longitude_perm',
    permitType: 'permittypemapped',
    permitClass: 'permitclassmapped',
    workDescription: 'proposedworkdescription',
    estimatedValue: 'estprojectcost',
    contractorName: 'contractorcompanyname',
    contractorLicense: 'contractorlicnum',
    appliedDate: 'applieddate',
    issueDate: 'issueddate',
    permitStatus: 'statuscurrent',
  },
};

export const TARGET_CITIES: readonly TargetCity[] = [
  // Tier 1 — premium markets (15)
  {
    city: 'Austin', state: 'TX', tier: 1, priority: 100,
    population: 978908, medianHomeValue: 550000, stormRiskScore: 70,
    timeZone: 'America/Chicago', countyName: 'Travis',
    permitSource: AUSTIN_PERMITS, permitConfig: {},
    assessorSource: null,
  },
  {
    city: 'Dallas', state: 'TX', tier: 1, priority: 99,
    population: 1302868, medianHomeValue: 310000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Dallas',
    permitSource: null,
    permitConfig: { unconfigured: 'Dallas OpenData Socrata e7gq-4sah is reported to stop at 2019-12-31; needs a current feed' },
    assessorSource: null,
  },
  {
    city: 'Houston', state: 'TX', tier: 1, priority: 98,
    population: 2314157, medianHomeValue: 270000, stormRiskScore: 82,
    timeZone: 'America/Chicago', countyName: 'Harris',
    permitSource: null,
    permitConfig: { unconfigured: 'Houston publishes no bulk permit feed (monthly aggregate spreadsheets only); needs a records request or an HTML source' },
    assessorSource: null,
  },
  {
    city: 'Phoenix', state: 'AZ', tier: 1, priority: 97,
    population: 1650070, medianHomeValue: 420000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Maricopa',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Denver', state: 'CO', tier: 1, priority: 96,
    population: 716577, medianHomeValue: 560000, stormRiskScore: 85,
    timeZone: 'America/Denver', countyName: 'Denver',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'San Antonio', state: 'TX', tier: 1, priority: 95,
    population: 1495295, medianHomeValue: 260000, stormRiskScore: 75,
    timeZone: 'America/Chicago', countyName: 'Bexar',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Oklahoma City', state: 'OK', tier: 1, priority: 94,
    population: 702767, medianHomeValue: 215000, stormRiskScore: 95,
    timeZone: 'America/Chicago', countyName: 'Oklahoma',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Atlanta', state: 'GA', tier: 1, priority: 93,
    population: 510823, medianHomeValue: 390000, stormRiskScore: 55,
    timeZone: 'America/New_York', countyName: 'Fulton',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Charlotte', state: 'NC', tier: 1, priority: 92,
    population: 911311, medianHomeValue: 380000, stormRiskScore: 52,
    timeZone: 'America/New_York', countyName: 'Mecklenburg',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Nashville', state: 'TN', tier: 1, priority: 91,
    population: 687788, medianHomeValue: 440000, stormRiskScore: 65,
    timeZone: 'America/Chicago', countyName: 'Davidson',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Kansas City', state: 'MO', tier: 1, priority: 90,
    population: 510704, medianHomeValue: 230000, stormRiskScore: 80,
    timeZone: 'America/Chicago', countyName: 'Jackson',
    permitSource: KANSAS_CITY_PERMITS,
    permitConfig: { notes: 'kcmo.gov announced a pause of this feed in March 2024 for server updates; check the newest issueddate before relying on it' },
    assessorSource: null,
  },
  {
    city: 'Minneapolis', state: 'MN', tier: 1, priority: 89,
    population: 425115, medianHomeValue: 320000, stormRiskScore: 70,
    timeZone: 'America/Chicago', countyName: 'Hennepin',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Jacksonville', state: 'FL', tier: 1, priority: 88,
    population: 985843, medianHomeValue: 280000, stormRiskScore: 65,
    timeZone: 'America/New_York', countyName: 'Duval',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Raleigh', state: 'NC', tier: 1, priority: 87,
    population: 482295, medianHomeValue: 440000, stormRiskScore: 55,
    timeZone: 'America/New_York', countyName: 'Wake',
    permitSource: RALEIGH_PERMITS, permitConfig: {},
    assessorSource: null,
  },
  {
    city: 'Miami', state: 'FL', tier: 1, priority: 86,
    population: 455924, medianHomeValue: 580000, stormRiskScore: 85,
    timeZone: 'America/New_York', countyName: 'Miami-Dade',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  // Tier 2 — strong markets (35)
  {
    city: 'Fort Worth', state: 'TX', tier: 2, priority: 80,
    population: 978468, medianHomeValue: 300000, stormRiskScore: 92,
    timeZone: 'America/Chicago', countyName: 'Tarrant',
    permitSource: null,
    permitConfig: { unconfigured: 'Socrata quz7-xnsy was retired when Fort Worth moved to ArcGIS Hub, whose development-permit view publishes no street address' },
    assessorSource: null,
  },
  {
    city: 'Colorado Springs', state: 'CO', tier: 2, priority: 79,
    population: 488664, medianHomeValue: 440000, stormRiskScore: 85,
    timeZone: 'America/Denver', countyName: 'El Paso',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Tampa', state: 'FL', tier: 2, priority: 78,
    population: 403364, medianHomeValue: 420000, stormRiskScore: 80,
    timeZone: 'America/New_York', countyName: 'Hillsborough',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Plano', state: 'TX', tier: 2, priority: 77,
    population: 290190, medianHomeValue: 500000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Collin',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Frisco', state: 'TX', tier: 2, priority: 76,
    population: 225007, medianHomeValue: 650000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Collin',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'McKinney', state: 'TX', tier: 2, priority: 75,
    population: 213509, medianHomeValue: 480000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Collin',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Arlington', state: 'TX', tier: 2, priority: 74,
    population: 398431, medianHomeValue: 310000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Tarrant',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Irving', state: 'TX', tier: 2, priority: 73,
    population: 254715, medianHomeValue: 330000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Dallas',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Aurora', state: 'CO', tier: 2, priority: 72,
    population: 400136, medianHomeValue: 470000, stormRiskScore: 85,
    timeZone: 'America/Denver', countyName: 'Arapahoe',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Tulsa', state: 'OK', tier: 2, priority: 71,
    population: 411938, medianHomeValue: 200000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Tulsa',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Wichita', state: 'KS', tier: 2, priority: 70,
    population: 396119, medianHomeValue: 200000, stormRiskScore: 90,
    timeZone: 'America/Chicago', countyName: 'Sedgwick',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Omaha', state: 'NE', tier: 2, priority: 69,
    population: 483335, medianHomeValue: 270000, stormRiskScore: 85,
    timeZone: 'America/Chicago', countyName: 'Douglas',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Mesa', state: 'AZ', tier: 2, priority: 68,
    population: 511648, medianHomeValue: 430000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Maricopa',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Scottsdale', state: 'AZ', tier: 2, priority: 67,
    population: 244394, medianHomeValue: 800000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Maricopa',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Chandler', state: 'AZ', tier: 2, priority: 66,
    population: 280711, medianHomeValue: 520000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Maricopa',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Tucson', state: 'AZ', tier: 2, priority: 65,
    population: 547239, medianHomeValue: 320000, stormRiskScore: 35,
    timeZone: 'America/Phoenix', countyName: 'Pima',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Albuquerque', state: 'NM', tier: 2, priority: 64,
    population: 560326, medianHomeValue: 320000, stormRiskScore: 45,
    timeZone: 'America/Denver', countyName: 'Bernalillo',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'El Paso', state: 'TX', tier: 2, priority: 63,
    population: 678958, medianHomeValue: 210000, stormRiskScore: 40,
    timeZone: 'America/Denver', countyName: 'El Paso',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Orlando', state: 'FL', tier: 2, priority: 62,
    population: 320742, medianHomeValue: 370000, stormRiskScore: 70,
    timeZone: 'America/New_York', countyName: 'Orange',
    permitSource: ORLANDO_PERMITS, permitConfig: { notes: 'no ZIP or coordinates in the feed: every permit is geocoded' },
    assessorSource: null,
  },
  {
    city: 'St. Petersburg', state: 'FL', tier: 2, priority: 61,
    population: 263553, medianHomeValue: 400000, stormRiskScore: 82,
    timeZone: 'America/New_York', countyName: 'Pinellas',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Fort Collins', state: 'CO', tier: 2, priority: 60,
    population: 170376, medianHomeValue: 540000, stormRiskScore: 78,
    timeZone: 'America/Denver', countyName: 'Larimer',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Louisville', state: 'KY', tier: 2, priority: 59,
    population: 622981, medianHomeValue: 240000, stormRiskScore: 60,
    timeZone: 'America/Kentucky/Louisville', countyName: 'Jefferson',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Indianapolis', state: 'IN', tier: 2, priority: 58,
    population: 880621, medianHomeValue: 230000, stormRiskScore: 62,
    timeZone: 'America/Indiana/Indianapolis', countyName: 'Marion',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Memphis', state: 'TN', tier: 2, priority: 57,
    population: 618639, medianHomeValue: 140000, stormRiskScore: 68,
    timeZone: 'America/Chicago', countyName: 'Shelby',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Birmingham', state: 'AL', tier: 2, priority: 56,
    population: 196644, medianHomeValue: 120000, stormRiskScore: 72,
    timeZone: 'America/Chicago', countyName: 'Jefferson',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'New Orleans', state: 'LA', tier: 2, priority: 55,
    population: 364136, medianHomeValue: 250000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Orleans Parish',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Baton Rouge', state: 'LA', tier: 2, priority: 54,
    population: 219573, medianHomeValue: 210000, stormRiskScore: 78,
    timeZone: 'America/Chicago', countyName: 'East Baton Rouge Parish',
    permitSource: BATON_ROUGE_PERMITS, permitConfig: { notes: 'parish-wide feed (East Baton Rouge): rows outside the city keep their own city1 value' },
    assessorSource: null,
  },
  {
    city: 'St. Louis', state: 'MO', tier: 2, priority: 53,
    population: 281754, medianHomeValue: 180000, stormRiskScore: 72,
    timeZone: 'America/Chicago', countyName: 'St. Louis City',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Overland Park', state: 'KS', tier: 2, priority: 52,
    population: 197106, medianHomeValue: 420000, stormRiskScore: 80,
    timeZone: 'America/Chicago', countyName: 'Johnson',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Corpus Christi', state: 'TX', tier: 2, priority: 51,
    population: 316804, medianHomeValue: 230000, stormRiskScore: 85,
    timeZone: 'America/Chicago', countyName: 'Nueces',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Charleston', state: 'SC', tier: 2, priority: 50,
    population: 155369, medianHomeValue: 500000, stormRiskScore: 78,
    timeZone: 'America/New_York', countyName: 'Charleston',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Lincoln', state: 'NE', tier: 2, priority: 49,
    population: 294757, medianHomeValue: 270000, stormRiskScore: 82,
    timeZone: 'America/Chicago', countyName: 'Lancaster',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Columbus', state: 'OH', tier: 2, priority: 48,
    population: 913175, medianHomeValue: 250000, stormRiskScore: 52,
    timeZone: 'America/New_York', countyName: 'Franklin',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Detroit', state: 'MI', tier: 2, priority: 47,
    population: 633218, medianHomeValue: 80000, stormRiskScore: 50,
    timeZone: 'America/Detroit', countyName: 'Wayne',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Greensboro', state: 'NC', tier: 2, priority: 46,
    population: 301115, medianHomeValue: 260000, stormRiskScore: 55,
    timeZone: 'America/New_York', countyName: 'Guilford',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  // Tier 3 — emerging markets (25)
  {
    city: 'Boise', state: 'ID', tier: 3, priority: 40,
    population: 237446, medianHomeValue: 480000, stormRiskScore: 30,
    timeZone: 'America/Boise', countyName: 'Ada',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Fargo', state: 'ND', tier: 3, priority: 39,
    population: 133188, medianHomeValue: 290000, stormRiskScore: 65,
    timeZone: 'America/Chicago', countyName: 'Cass',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Lubbock', state: 'TX', tier: 3, priority: 38,
    population: 266878, medianHomeValue: 210000, stormRiskScore: 85,
    timeZone: 'America/Chicago', countyName: 'Lubbock',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Amarillo', state: 'TX', tier: 3, priority: 37,
    population: 201291, medianHomeValue: 200000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Potter',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Midland', state: 'TX', tier: 3, priority: 36,
    population: 134445, medianHomeValue: 300000, stormRiskScore: 78,
    timeZone: 'America/Chicago', countyName: 'Midland',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Norman', state: 'OK', tier: 3, priority: 35,
    population: 130046, medianHomeValue: 250000, stormRiskScore: 92,
    timeZone: 'America/Chicago', countyName: 'Cleveland',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Sioux Falls', state: 'SD', tier: 3, priority: 34,
    population: 213891, medianHomeValue: 310000, stormRiskScore: 75,
    timeZone: 'America/Chicago', countyName: 'Minnehaha',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Wichita Falls', state: 'TX', tier: 3, priority: 33,
    population: 102988, medianHomeValue: 150000, stormRiskScore: 88,
    timeZone: 'America/Chicago', countyName: 'Wichita',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Abilene', state: 'TX', tier: 3, priority: 32,
    population: 127385, medianHomeValue: 190000, stormRiskScore: 82,
    timeZone: 'America/Chicago', countyName: 'Taylor',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Waco', state: 'TX', tier: 3, priority: 31,
    population: 144816, medianHomeValue: 240000, stormRiskScore: 78,
    timeZone: 'America/Chicago', countyName: 'McLennan',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Tyler', state: 'TX', tier: 3, priority: 30,
    population: 110444, medianHomeValue: 260000, stormRiskScore: 70,
    timeZone: 'America/Chicago', countyName: 'Smith',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Rapid City', state: 'SD', tier: 3, priority: 29,
    population: 78824, medianHomeValue: 320000, stormRiskScore: 80,
    timeZone: 'America/Denver', countyName: 'Pennington',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Cheyenne', state: 'WY', tier: 3, priority: 28,
    population: 65130, medianHomeValue: 340000, stormRiskScore: 85,
    timeZone: 'America/Denver', countyName: 'Laramie',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Billings', state: 'MT', tier: 3, priority: 27,
    population: 119960, medianHomeValue: 340000, stormRiskScore: 72,
    timeZone: 'America/Denver', countyName: 'Yellowstone',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Topeka', state: 'KS', tier: 3, priority: 26,
    population: 125475, medianHomeValue: 160000, stormRiskScore: 80,
    timeZone: 'America/Chicago', countyName: 'Shawnee',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Springfield', state: 'MO', tier: 3, priority: 25,
    population: 170188, medianHomeValue: 220000, stormRiskScore: 78,
    timeZone: 'America/Chicago', countyName: 'Greene',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Des Moines', state: 'IA', tier: 3, priority: 24,
    population: 210381, medianHomeValue: 200000, stormRiskScore: 70,
    timeZone: 'America/Chicago', countyName: 'Polk',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Huntsville', state: 'AL', tier: 3, priority: 23,
    population: 225564, medianHomeValue: 300000, stormRiskScore: 72,
    timeZone: 'America/Chicago', countyName: 'Madison',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Mobile', state: 'AL', tier: 3, priority: 22,
    population: 182595, medianHomeValue: 170000, stormRiskScore: 82,
    timeZone: 'America/Chicago', countyName: 'Mobile',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Lafayette', state: 'LA', tier: 3, priority: 21,
    population: 120610, medianHomeValue: 220000, stormRiskScore: 80,
    timeZone: 'America/Chicago', countyName: 'Lafayette Parish',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Shreveport', state: 'LA', tier: 3, priority: 20,
    population: 180153, medianHomeValue: 140000, stormRiskScore: 72,
    timeZone: 'America/Chicago', countyName: 'Caddo Parish',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Pensacola', state: 'FL', tier: 3, priority: 19,
    population: 54390, medianHomeValue: 320000, stormRiskScore: 85,
    timeZone: 'America/Chicago', countyName: 'Escambia',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Greeley', state: 'CO', tier: 3, priority: 18,
    population: 111669, medianHomeValue: 400000, stormRiskScore: 82,
    timeZone: 'America/Denver', countyName: 'Weld',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Pueblo', state: 'CO', tier: 3, priority: 17,
    population: 111748, medianHomeValue: 280000, stormRiskScore: 72,
    timeZone: 'America/Denver', countyName: 'Pueblo',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
  },
  {
    city: 'Bismarck', state: 'ND', tier: 3, priority: 16,
    population: 75092, medianHomeValue: 320000, stormRiskScore: 65,
    timeZone: 'America/Chicago', countyName: 'Burleigh',
    permitSource: null, permitConfig: UNCONFIGURED,
    assessorSource: null,
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

/** Cities whose permit feed is configured. */
export function citiesWithPermitSource(): readonly TargetCity[] {
  return TARGET_CITIES.filter((c) => c.permitSource !== null);
}
