/**
 * npm run job -- <name|alias> [--payload '<json>'] [--<field> <value> …] [--no-wait] [--timeout <seconds>]
 * npm run job -- --list
 *
 * Enqueues any catalog job (payload validated against its schema), then follows it with a progress bar
 * until it completes (exit 0, prints the return value) or fails (exit 1, prints the reason). Usage errors
 * — unknown job, bad JSON, invalid payload — exit 2. Extra `--field value` flags are merged into the
 * payload (values parsed as JSON when they can be), so short forms like `scrape-permits --city Austin` work.
 */
import cliProgress from 'cli-progress';
import type { Job, Queue } from 'bullmq';
import { getConfigOrExit } from '../src/config.ts';
import { createContext } from '../src/platform/bootstrap.ts';
import { isAppError } from '../src/platform/errors.ts';
import { QUEUES } from '../src/platform/queues.ts';
import { JOB_ALIASES, JOBS, findJob, jobNames } from '../src/modules/orchestration/job-catalog.ts';
import { enqueueJob, validateJobPayload } from '../src/modules/orchestration/orchestration.service.ts';

const USAGE = `usage: npm run job -- <name|alias> [--payload '<json>'] [--<field> <value> ...] [--no-wait] [--timeout <seconds>]
       npm run job -- --list`;

interface CliArgs {
  name?: string;
  payloadJson?: string;
  fields: Record<string, unknown>;
  wait: boolean;
  list: boolean;
  help: boolean;
  timeoutSeconds: number;
}

class UsageError extends Error {}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function parseCliArgs(argv: string[]): CliArgs {
  const args: CliArgs = { fields: {}, wait: true, list: false, help: false, timeoutSeconds: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--list') args.list = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--no-wait') args.wait = false;
    else if (a === '--payload') args.payloadJson = next();
    else if (a === '--timeout') args.timeoutSeconds = Number(next());
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = a.slice(2, eq > 0 ? eq : undefined).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      const value = eq > 0 ? a.slice(eq + 1) : argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? next() : 'true';
      args.fields[key] = parseValue(value);
    } else if (!args.name) args.name = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!Number.isFinite(args.timeoutSeconds) || args.timeoutSeconds < 0) throw new UsageError('--timeout must be a number of seconds');
  return args;
}

function printCatalog() {
  const aliases = Object.entries(JOB_ALIASES);
  const width = Math.max(...jobNames().map((n) => n.length));
  for (const name of jobNames()) {
    const d = JOBS.get(name)!;
    const alias = aliases.filter(([, v]) => v === name).map(([k]) => k);
    process.stdout.write(`${name.padEnd(width)}  [${d.queue}]  ${d.description}${alias.length ? `  (alias: ${alias.join(', ')})` : ''}\n`);
  }
}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const progressPct = (p: unknown): number => {
  if (typeof p === 'number') return p;
  if (p && typeof p === 'object' && typeof (p as { pct?: unknown }).pct === 'number') return (p as { pct: number }).pct;
  return 0;
};

async function follow(queue: Queue, job: Job, timeoutSeconds: number): Promise<{ state: string; job: Job }> {
  const bar = new cliProgress.SingleBar(
    { format: ` {bar} {percentage}% | {state}`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { state: 'waiting' });
  const deadline = timeoutSeconds ? Date.now() + timeoutSeconds * 1000 : Infinity;
  try {
    for (;;) {
      // State before data: a job read before it finished would carry no return value yet.
      const state = await queue.getJobState(job.id!);
      const fresh = await queue.getJob(job.id!);
      if (!fresh) return { state: 'removed', job };
      bar.update(Math.round(progressPct(fresh.progress)), { state });
      if (state === 'completed' || state === 'failed') {
        if (state === 'completed') bar.update(100, { state });
        return { state, job: fresh };
      }
      if (Date.now() > deadline) return { state: `still ${state} after ${timeoutSeconds} s`, job: fresh };
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    bar.stop();
  }
}

async function main() {
  let args: CliArgs;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.list) {
    printCatalog();
    return;
  }
  if (!args.name) fail(`no job name given\n${USAGE}\nknown jobs: ${jobNames().join(', ')}`, 2);
  const def = findJob(args.name);
  if (!def) fail(`unknown job "${args.name}"; known jobs: ${jobNames().join(', ')}${Object.keys(JOB_ALIASES).length ? `; aliases: ${Object.keys(JOB_ALIASES).join(', ')}` : ''}`, 2);

  let payload: Record<string, unknown> = {};
  if (args.payloadJson !== undefined) {
    try {
      payload = JSON.parse(args.payloadJson);
    } catch (err) {
      fail(`--payload is not valid JSON: ${(err as Error).message}`, 2);
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) fail('--payload must be a JSON object', 2);
  }
  payload = { ...payload, ...args.fields };
  try {
    validateJobPayload(def, payload);
  } catch (err) {
    if (isAppError(err)) fail(err.message, 2);
    throw err;
  }

  const config = getConfigOrExit();
  const ctx = createContext(config, { role: 'cli', logLevel: 'warn' });
  try {
    const { job } = await enqueueJob(ctx, { name: def.name, payload });
    process.stdout.write(`enqueued ${def.name} on queue ${def.queue} as job ${job.id}\n`);
    if (!args.wait) return;
    const attempts = def.attempts ?? QUEUES[def.queue].attempts;
    const r = await follow(ctx.queues.get(def.queue), job, args.timeoutSeconds);
    if (r.state === 'completed') {
      process.stdout.write(`completed: ${JSON.stringify(r.job.returnvalue ?? null)}\n`);
    } else if (r.state === 'failed') {
      process.stderr.write(`failed after ${r.job.attemptsMade}/${attempts} attempt(s): ${r.job.failedReason}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`job ${job.id} ${r.state}\n`);
      process.exitCode = 1;
    }
  } catch (err) {
    process.stderr.write(`${isAppError(err) ? err.message : (err as Error).stack}\n`);
    process.exitCode = 1;
  } finally {
    await ctx.close();
  }
}

await main();
