import { z } from 'zod';

/**
 * Contracts of the acquisition module (issue 4; seed 002 §3.1): what a permit source, an assessor source and a
 * geocoder take and give. Each city's `target_cities.permit_source` / `assessor_source` JSON is validated by
 * these schemas, so a misconfigured city fails with a message naming the bad field before any request is sent.
 */

// ---------------------------------------------------------------------------------------------------------
// Permits (normalized to BLDS field meanings: https://permitdata.org — PermitNum, OriginalAddress1, IssuedDate …)
// ---------------------------------------------------------------------------------------------------------

/** One permit as every source hands it over. Dates are calendar days `YYYY-MM-DD` (permits carry no time zone). */
export interface NormalizedPermit {
  permitNumber: string;
  address: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  lat: number | null;
  lng: number | null;
  permitType: string | null;
  permitClass: string | null;
  workDescription: string | null;
  /** Dollars. */
  estimatedValue: number | null;
  contractorName: string | null;
  contractorLicense: string | null;
  appliedDate: string | null;
  issueDate: string | null;
  completionDate: string | null;
  permitStatus: string | null;
  sourceUrl: string | null;
  /** The record exactly as the source gave it, kept for audit (permits.raw). */
  raw: Record<string, unknown>;
}

/** Fields of NormalizedPermit a source maps from its own column names. */
export const PERMIT_FIELDS = [
  'permitNumber', 'address', 'city', 'state', 'zip', 'lat', 'lng', 'permitType', 'permitClass', 'workDescription',
  'estimatedValue', 'contractorName', 'contractorLicense', 'appliedDate', 'issueDate', 'completionDate', 'permitStatus',
] as const;
export type PermitField = (typeof PERMIT_FIELDS)[number];

/** Source column for each permit field; permitNumber is required, the rest optional. */
export const ZPermitFieldMap = z
  .object(Object.fromEntries(PERMIT_FIELDS.map((f) => [f, z.string().min(1).optional()])) as Record<PermitField, z.ZodOptional<z.ZodString>>)
  .refine((m) => !!m.permitNumber, { message: 'fieldMap.permitNumber is required', path: ['permitNumber'] });
export type TPermitFieldMap = z.infer<typeof ZPermitFieldMap>;

/** BLDS core column names (permitdata.org), the default mapping of CSV/BLDS files. */
export const BLDS_FIELD_MAP: TPermitFieldMap = {
  permitNumber: 'PermitNum',
  address: 'OriginalAddress1',
  city: 'OriginalCity',
  state: 'OriginalState',
  zip: 'OriginalZip',
  lat: 'Latitude',
  lng: 'Longitude',
  permitType: 'PermitType',
  permitClass: 'PermitClass',
  workDescription: 'Description',
  estimatedValue: 'EstProjectCost',
  contractorName: 'ContractorCompanyName',
  contractorLicense: 'ContractorLicNum',
  appliedDate: 'AppliedDate',
  issueDate: 'IssuedDate',
  completionDate: 'CompletedDate',
  permitStatus: 'StatusCurrent',
};

const keywords = z.array(z.string().min(1)).max(50).optional()
  .describe('case-insensitive words; a permit is kept when keywordField contains any of them');

/** Socrata SODA (e.g. https://data.austintexas.gov/resource/3syk-w9eu.json). */
export const ZSocrataSource = z.object({
  kind: z.literal('socrata'),
  /** Portal origin, e.g. https://data.austintexas.gov */
  baseUrl: z.url(),
  /** Dataset 4x4 id, e.g. 3syk-w9eu */
  datasetId: z.string().regex(/^[a-z0-9]{4}-[a-z0-9]{4}$/, 'must be a Socrata 4x4 id like 3syk-w9eu'),
  /** Floating-timestamp column the date window applies to (Austin: issue_date). */
  dateField: z.string().min(1),
  keywordField: z.string().min(1).optional(),
  keywords,
  /** Extra SoQL condition ANDed to the window, e.g. "permittype = 'BP'". */
  where: z.string().min(1).optional(),
  pageSize: z.number().int().min(1).max(50_000).default(1000),
  fieldMap: ZPermitFieldMap,
});

/** ArcGIS FeatureServer / MapServer layer query endpoint. */
export const ZArcgisSource = z.object({
  kind: z.literal('arcgis'),
  /** Layer URL, e.g. https://services.arcgis.com/…/FeatureServer/0 (…/query is appended). */
  layerUrl: z.url(),
  /** esriFieldTypeDate column (epoch milliseconds) the date window applies to. */
  dateField: z.string().min(1),
  keywordField: z.string().min(1).optional(),
  keywords,
  where: z.string().min(1).optional(),
  pageSize: z.number().int().min(1).max(10_000).default(1000),
  fieldMap: ZPermitFieldMap,
});

/** A CSV/BLDS export: one file or a folder of *.csv files (relative paths resolve against FIXTURES_DIR), or a URL. */
export const ZCsvSource = z
  .object({
    kind: z.literal('csv'),
    path: z.string().min(1).optional(),
    url: z.url().optional(),
    delimiter: z.string().length(1).default(','),
    keywordField: z.string().min(1).optional(),
    keywords,
    /** Defaults to the BLDS core column names. */
    fieldMap: ZPermitFieldMap.default(BLDS_FIELD_MAP),
  })
  .refine((s) => !!s.path !== !!s.url, { message: 'set exactly one of path or url', path: ['path'] });

/** An HTML search portal. `playwright` drives the system Chromium; `static` fetches pages and parses them with cheerio. */
export const ZHtmlSource = z.object({
  kind: z.literal('html'),
  mode: z.enum(['playwright', 'static']).default('playwright'),
  /** Search page URL. Static mode may use {since} / {until} (YYYY-MM-DD) and {page} (1-based) placeholders. */
  url: z.url(),
  /** Playwright: form inputs to fill, selector → value; values may use {since} / {until}. */
  form: z.record(z.string(), z.string()).optional(),
  /** Playwright: the button that submits the search form. */
  submitSelector: z.string().min(1).optional(),
  /** One result row. */
  rowSelector: z.string().min(1),
  /** Permit field → selector inside the row (its text is taken; `selector@attr` takes an attribute). */
  fields: z.record(z.string(), z.string().min(1)).refine((f) => !!f.permitNumber, { message: 'fields.permitNumber is required' }),
  /** The "next page" link/button; paging stops when it is missing or disabled. */
  nextSelector: z.string().min(1).optional(),
  maxPages: z.number().int().min(1).max(1000).default(50),
  /** Shown instead of rows when the search matched nothing ("No records found"); without it an empty search is an error. */
  noResultsSelector: z.string().min(1).optional(),
  /** Playwright: how long to wait for rows (or noResultsSelector) after each submit / next click. */
  timeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
  /**
   * Playwright mode's fallback (seed 002 §3.1.1 "httpx + BeautifulSoup (static HTML)"): when Chromium cannot be
   * started, the same run fetches these server-rendered pages and reads them with cheerio. `url` may use {since},
   * {until} and {page}; selectors not given here are the ones above.
   */
  staticFallback: z
    .object({
      url: z.url(),
      rowSelector: z.string().min(1).optional(),
      fields: z.record(z.string(), z.string().min(1)).optional(),
      nextSelector: z.string().min(1).optional(),
      noResultsSelector: z.string().min(1).optional(),
    })
    .optional(),
  /** Default city/state for rows that carry only a street address. */
  defaultCity: z.string().min(1).optional(),
  defaultState: z.string().length(2).optional(),
});

export const ZPermitSourceConfig = z.discriminatedUnion('kind', [ZSocrataSource, ZArcgisSource, ZCsvSource, ZHtmlSource]);
export type TPermitSourceConfig = z.infer<typeof ZPermitSourceConfig>;

export interface PermitWindow {
  /** Inclusive, start of day. */
  since: Date;
  /** Exclusive. */
  until: Date;
}

export interface FetchOptions {
  signal?: AbortSignal;
  /** Called after each page (or file) with the running count of records received. */
  onProgress?: (received: number, info?: Record<string, unknown>) => void;
}

/** A configured source: yields pages of normalized permits for a date window. */
export interface PermitSource {
  readonly kind: TPermitSourceConfig['kind'];
  /** Stored in permits.source together with the permit number as the idempotency key, e.g. "socrata:3syk-w9eu". */
  readonly sourceKey: string;
  fetchPermits(window: PermitWindow, opts?: FetchOptions): AsyncIterable<NormalizedPermit[]>;
}

// ---------------------------------------------------------------------------------------------------------
// Property records (seed 002 §3.1.2)
// ---------------------------------------------------------------------------------------------------------

export interface PropertyRecord {
  parcelId: string | null;
  address: string;
  city: string;
  state: string;
  zip: string | null;
  ownerName: string | null;
  ownerMailingAddress: string | null;
  /** From the data when the source says so; otherwise derived by comparing the mailing address to the site address. */
  isAbsentee: boolean | null;
  assessedValue: number | null;
  marketValue: number | null;
  yearBuilt: number | null;
  sqft: number | null;
  /** Acres. */
  lotSize: number | null;
  beds: number | null;
  baths: number | null;
  propertyType: string | null;
  lastSaleDate: string | null;
  lastSalePrice: number | null;
  taxAmount: number | null;
  lat: number | null;
  lng: number | null;
  raw: Record<string, unknown>;
}

export const PROPERTY_FIELDS = [
  'parcelId', 'address', 'city', 'state', 'zip', 'ownerName', 'ownerMailingAddress', 'isAbsentee', 'assessedValue',
  'marketValue', 'yearBuilt', 'sqft', 'lotSize', 'beds', 'baths', 'propertyType', 'lastSaleDate', 'lastSalePrice',
  'taxAmount', 'lat', 'lng',
] as const;
export type PropertyField = (typeof PROPERTY_FIELDS)[number];

export const ZPropertyFieldMap = z
  .object(Object.fromEntries(PROPERTY_FIELDS.map((f) => [f, z.string().min(1).optional()])) as Record<PropertyField, z.ZodOptional<z.ZodString>>)
  .refine((m) => !!m.address, { message: 'fieldMap.address is required', path: ['address'] });

/** Bulk assessor export (CSV or JSON array), a file or folder (relative to FIXTURES_DIR) or a URL. */
export const ZAssessorFileSource = z
  .object({
    kind: z.enum(['csv', 'json']),
    path: z.string().min(1).optional(),
    url: z.url().optional(),
    fieldMap: ZPropertyFieldMap,
  })
  .refine((s) => !!s.path !== !!s.url, { message: 'set exactly one of path or url', path: ['path'] });

/** Address search on a county assessor site (seed 002 §3.1.2 "address-based search"), driven by Playwright. */
export const ZAssessorHtmlSource = z.object({
  kind: z.literal('html'),
  mode: z.enum(['playwright', 'static']).default('playwright'),
  /** Search URL; static mode may use {address} / {zip} placeholders (URL-encoded). */
  url: z.url(),
  /** Playwright: the address input and the submit button. */
  addressSelector: z.string().min(1).optional(),
  submitSelector: z.string().min(1).optional(),
  /** Optional: first search result link to follow to the parcel page. */
  resultLinkSelector: z.string().min(1).optional(),
  /** Property field → selector on the parcel page (`selector@attr` for an attribute). */
  fields: z.record(z.string(), z.string().min(1)),
  /** Shown when the address matched no parcel; lookups then return null instead of failing. */
  noResultsSelector: z.string().min(1).optional(),
  /** Playwright: how long to wait for results or the parcel page after submit. */
  timeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
});

export const ZAssessorSourceConfig = z.union([ZAssessorFileSource, ZAssessorHtmlSource]);
export type TAssessorSourceConfig = z.infer<typeof ZAssessorSourceConfig>;

// ---------------------------------------------------------------------------------------------------------
// Geocoding (seed 002 §3.2.3)
// ---------------------------------------------------------------------------------------------------------

export type GeocodePrecision = 'rooftop' | 'interpolated' | 'street' | 'zip_centroid';

export interface GeocodeQuery {
  street: string;
  city: string;
  state: string;
  zip?: string | null;
}

export interface GeocodeResult {
  lat: number;
  lng: number;
  precision: GeocodePrecision;
  /** Provider name stored in properties.geocode_source: census | mapbox | google | zip_centroid. */
  source: string;
  matchedAddress?: string;
  zip?: string | null;
}

export interface Geocoder {
  readonly name: string;
  /** null when the provider found no match; throws only on transport/provider failure. */
  geocode(q: GeocodeQuery, opts?: { signal?: AbortSignal }): Promise<GeocodeResult | null>;
}
