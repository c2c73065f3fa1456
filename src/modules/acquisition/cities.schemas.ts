import { z } from 'zod';
import { ZPage, ZPageQuery } from '../../platform/pagination.ts';

/** `true` / `false` in a query string (z.coerce.boolean would read "false" as true). */
const ZQueryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Two-letter state, any case in the URL; stored upper case. */
const ZStateParam = z.string().regex(/^[A-Za-z]{2}$/, 'state must be a two-letter code such as TX').transform((s) => s.toUpperCase());

export const ZCityParams = z.object({
  state: ZStateParam,
  city: z.string().trim().min(1, 'city is required').max(100).describe('city name, any case; spaces may be written as hyphens (fort-worth)'),
});

export const ZListCitiesQuery = ZPageQuery.extend({
  state: ZStateParam.optional(),
  tier: z.coerce.number().int().min(1, 'tier must be 1, 2 or 3').max(3, 'tier must be 1, 2 or 3').optional(),
  active: ZQueryBool.optional(),
  configured: ZQueryBool.optional().describe('true: has a permit source; false: has none'),
});

export const ZActivateBody = z.object({
  days: z.number().int().min(1, 'days must be 1..365').max(365, 'days must be 1..365').default(90).describe('initial permit scrape window (seed 002 §6.2 step 2)'),
  storms: z.boolean().default(true).describe('also backfill NOAA storm events over the same window'),
  force: z.boolean().default(false).describe('activate again (new event, new workflow run) even when the city is already active'),
});

export const ZCitySummary = z.object({
  id: z.uuid(),
  city: z.string(),
  state: z.string(),
  slug: z.string().describe('URL form of the name, e.g. fort-worth'),
  url: z.string().describe('this city in the API'),
  tier: z.number().int().nullable(),
  priority: z.number().int().nullable(),
  population: z.number().int().nullable(),
  timeZone: z.string(),
  active: z.boolean(),
  permitSourceKind: z.string().nullable().describe('socrata | arcgis | csv | html; null when no source is configured'),
  unconfiguredReason: z.string().nullable().describe('why the city has no permit source'),
  assessorSourceKind: z.string().nullable(),
  firstScrapedAt: z.iso.datetime().nullable(),
  lastScrapedAt: z.iso.datetime().nullable(),
  totalPermitsFound: z.number().int(),
  totalPropertiesProcessed: z.number().int(),
});

const ZJsonObject = z.record(z.string(), z.unknown());

export const ZCityDetail = ZCitySummary.extend({
  countyName: z.string().nullable(),
  medianHomeValue: z.number().nullable(),
  stormRiskScore: z.number().int().nullable(),
  permitSource: ZJsonObject.nullable().describe('the stored ZPermitSourceConfig; secrets in URLs are masked'),
  permitSourceError: z.string().nullable().describe('set when the stored source fails ZPermitSourceConfig (names the bad field)'),
  permitConfig: ZJsonObject.nullable(),
  assessorSource: ZJsonObject.nullable(),
  lastActivatedAt: z.iso.datetime().nullable(),
  progressUrl: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const ZCityPage = ZPage(ZCitySummary);

export const ZActivateResult = z.object({
  city: ZCitySummary,
  alreadyActive: z.boolean().describe('true: nothing was changed and no workflow was started'),
  days: z.number().int(),
  storms: z.boolean(),
  progressUrl: z.string(),
});

export const ZDeactivateResult = z.object({
  city: ZCitySummary,
  wasActive: z.boolean(),
});

export const STEP_STATUSES = ['done', 'running', 'pending', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Seed 002 §6.2 City Activation Workflow, with the storm backfill of issue 4 after permit processing. */
export const ACTIVATION_STEPS = [
  'activate', 'permit_scrape', 'process_permits', 'storm_backfill',
  'contractor_discovery', 'contractor_enrichment', 'outreach_campaign', 'launch_outreach',
] as const;
export type ActivationStep = (typeof ACTIVATION_STEPS)[number];

export const ZProgressStep = z.object({
  step: z.enum(ACTIVATION_STEPS),
  title: z.string(),
  status: z.enum(STEP_STATUSES),
  detail: z.string(),
  startedAt: z.iso.datetime().nullable(),
  completedAt: z.iso.datetime().nullable(),
});
export type TProgressStep = z.infer<typeof ZProgressStep>;

export const ZCityProgress = z.object({
  cityId: z.uuid(),
  city: z.string(),
  state: z.string(),
  active: z.boolean(),
  steps: z.array(ZProgressStep),
  totals: z.object({
    permits: z.number().int(),
    permitsLast30Days: z.number().int().describe('issued (or applied, when no issue date) in the last 30 days'),
    permitsByTrade: z.array(z.object({ trade: z.string(), count: z.number().int() })).describe('top 5; untradeable permits count as "unclassified"'),
    properties: z.number().int(),
    leads: z.number().int(),
    leadsByStatus: z.record(z.string(), z.number().int()),
    leadsByGrade: z.record(z.string(), z.number().int()).describe('ungraded leads count under "ungraded"'),
  }),
  lastError: z.object({ at: z.iso.datetime(), jobType: z.string().nullable(), message: z.string() }).nullable(),
});

export type TCitySummary = z.infer<typeof ZCitySummary>;
export type TCityDetail = z.infer<typeof ZCityDetail>;
export type TCityProgress = z.infer<typeof ZCityProgress>;
export type TListCitiesQuery = z.infer<typeof ZListCitiesQuery>;
export type TActivateBody = z.infer<typeof ZActivateBody>;
