import type { JobDefinition } from '../../platform/queues.ts';
import { orchestrationJobs } from './orchestration.jobs.ts';
import { clusteringJobs } from '../clustering/clustering.jobs.ts';
import { leadsJobs } from '../leads/leads.jobs.ts';
import { exportsJobs } from '../exports/exports.jobs.ts';
import { pipelineJobs } from '../engagement/pipeline.jobs.ts';
import { scoringJobs } from '../scoring/scoring.jobs.ts';
import { leadPipelineJobs, LEAD_PIPELINE_ROUTES } from './lead-pipeline.jobs.ts';
import { activationJobs } from '../acquisition/activation.jobs.ts';
import { permitsJobs } from '../acquisition/permits.jobs.ts';
import { stormEventsJobs } from '../acquisition/storm-events.jobs.ts';
import { propertiesJobs } from '../acquisition/properties.jobs.ts';
import { triggersJobs } from '../triggers/triggers.jobs.ts';

/**
 * Every job the workers know, assembled from each module's `<module>.jobs.ts`. A new job is one entry in
 * its module's list; a new module's list is an import and one spread line here.
 */
const MODULE_JOBS: JobDefinition[] = [
  ...orchestrationJobs,
  ...clusteringJobs,
  ...leadsJobs,
  ...exportsJobs,
  ...pipelineJobs,
  ...scoringJobs,
  ...leadPipelineJobs,
  ...activationJobs,
  ...permitsJobs,
  ...stormEventsJobs,
  ...propertiesJobs,
  ...triggersJobs,
];

function buildCatalog(defs: JobDefinition[]): ReadonlyMap<string, JobDefinition> {
  const map = new Map<string, JobDefinition>();
  for (const d of defs) {
    if (map.has(d.name)) throw new Error(`job ${d.name} is defined twice in the catalog`);
    map.set(d.name, d);
  }
  return map;
}

export const JOBS: ReadonlyMap<string, JobDefinition> = buildCatalog(MODULE_JOBS);

/** Short names for `npm run job -- <alias>`. */
export const JOB_ALIASES: Readonly<Record<string, string>> = {
  heartbeat: 'maintenance.heartbeat',
  'retry-failed-leads': 'exports.retry-failed',
  rescore: 'scoring.rescore-batch',
  'scrape-permits': 'acquisition.scrape-permits',
  'scrape-permits-all': 'acquisition.scrape-permits-all',
  'ingest-storms': 'acquisition.ingest-storms',
  'detect-triggers': 'scoring.detect-triggers',
  'import-properties': 'acquisition.import-properties',
  'expand-cities': 'acquisition.expand-cities',
  'activate-city': 'acquisition.activate-city',
  'process-new-permits': 'acquisition.process-new-permits',
};

/**
 * Outbox topic → jobs that handle it (DESIGN.md "Pipeline": each arrow is an outbox event relayed to a
 * queue). A topic may fan out to several jobs; an unknown topic is marked relayed with 'no route'.
 */
export const EVENT_ROUTES: Readonly<Record<string, readonly string[]>> = {
  ...LEAD_PIPELINE_ROUTES,
  'city.activated': ['acquisition.activate-city'],
  // New storm reports: match them to properties and leads (seed 002 §3.1.4 "create triggers for affected properties").
  'storms.ingested': ['scoring.detect-triggers'],
  'lead.published': ['leads.notify-contractors', 'clustering.assign-lead'],
  'lead.sold': ['marketplace.lead-sold', 'clustering.refresh-stats'],
};

export function findJob(nameOrAlias: string): JobDefinition | undefined {
  return JOBS.get(nameOrAlias) ?? JOBS.get(JOB_ALIASES[nameOrAlias] ?? '');
}

export const jobNames = (): string[] => [...JOBS.keys()].sort();
