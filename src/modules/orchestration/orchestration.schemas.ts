import { z } from 'zod';
import { ZPageQuery } from '../../platform/pagination.ts';
import { QUEUE_NAMES } from '../../platform/queues.ts';

export const ZQueueName = z.enum(QUEUE_NAMES as [string, ...string[]]);
export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
export const ZJobState = z.enum(JOB_STATES);
export type TJobState = z.infer<typeof ZJobState>;

export const ZListJobsQuery = ZPageQuery.extend({
  queue: ZQueueName.optional(),
  state: ZJobState.optional(),
  name: z.string().min(1).max(100).optional().describe('exact job name, e.g. maintenance.heartbeat'),
});
export type TListJobsQuery = z.infer<typeof ZListJobsQuery>;

export const ZJobParams = z.object({ id: z.string().min(1).max(255) });

export const ZJob = z.object({
  id: z.string(),
  queue: z.string(),
  name: z.string(),
  state: z.string().describe('waiting, active, delayed, completed, failed, prioritized, waiting-children or unknown'),
  progress: z.union([z.number(), z.string(), z.boolean(), z.record(z.string(), z.unknown())]),
  attempts: z.number().int().describe('attempts made so far'),
  data: z.unknown(),
  returnValue: z.unknown(),
  failedReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  processedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type TJob = z.infer<typeof ZJob>;

export const ZJobPage = z.object({ items: z.array(ZJob), nextCursor: z.string().nullable() });

export const ZEnqueueJobBody = z.object({
  name: z.string().min(1).max(100).describe('a job name from the catalog (GET /api/v1/jobs/catalog)'),
  payload: z.record(z.string(), z.unknown()).default({}),
  delayMs: z.number().int().min(0).max(7 * 24 * 3600_000).optional().describe('run no earlier than this many ms from now'),
});
export type TEnqueueJobBody = z.infer<typeof ZEnqueueJobBody>;

export const ZCatalogEntry = z.object({
  name: z.string(),
  queue: z.string(),
  description: z.string(),
  attempts: z.number().int(),
  timeoutMs: z.number().int(),
});

export const ZSchedule = z.object({
  name: z.string(),
  cron: z.string(),
  timezone: z.string(),
  job: z.string(),
  payload: z.record(z.string(), z.unknown()),
  description: z.string(),
  paused: z.boolean(),
  implemented: z.boolean().describe('false while the job belongs to a later release; the worker skips it'),
  lastTickAt: z.iso.datetime().nullable(),
  nextRunAt: z.iso.datetime().nullable(),
});
export type TSchedule = z.infer<typeof ZSchedule>;

export const ZScheduleParams = z.object({ name: z.string().min(1).max(100) });
