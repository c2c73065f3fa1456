/**
 * npm run score-leads -- [--limit N] [--reasoner] [--save-to-db] [--cities plano frisco] [--retry-only FILE]
 *                        [--out DIR] [--archive]
 *
 * seed 001 "Running the Export": scores permits into the export tree with a progress bar (stderr) and a
 * closing summary (stdout). Usage errors name the flag and exit 2; a failed run exits 1.
 * The logic lives in src/modules/exports (exports.service.ts, export-tree.ts, score-leads.cli.ts).
 */
import cliProgress from 'cli-progress';
import { stat } from 'node:fs/promises';
import { getConfigOrExit } from '../src/config.ts';
import { createContext } from '../src/platform/bootstrap.ts';
import { createIntentReasoner } from '../src/modules/scoring/permit-intent.reasoner.ts';
import { archiveExports, readPermitIds, scoreLeadsExport } from '../src/modules/exports/exports.service.ts';
import { ExportFileError } from '../src/modules/exports/export-tree.ts';
import { formatSummary, parseScoreLeadsArgs, SCORE_LEADS_USAGE, UsageError, type ScoreLeadsArgs } from '../src/modules/exports/score-leads.cli.ts';
import { CsvParseError } from '../src/modules/exports/csv.ts';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function main() {
  let args: ScoreLeadsArgs;
  try {
    args = parseScoreLeadsArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message}\n${SCORE_LEADS_USAGE}`, 2);
    throw err;
  }
  if (args.help) {
    process.stdout.write(`${SCORE_LEADS_USAGE}\n`);
    return;
  }
  const config = getConfigOrExit();
  const outDir = args.out ?? config.EXPORTS_DIR;

  if (args.archive) {
    const r = await archiveExports(outDir);
    for (const f of r.moved) process.stdout.write(`archived ${f} → ${outDir}/_delivered/${r.day}/${f}\n`);
    process.stdout.write(`${r.moved.length} file(s) archived to ${outDir}/_delivered/${r.day}/\n`);
    return;
  }

  let permitIds: string[] | undefined;
  if (args.retryOnly) {
    const ok = await stat(args.retryOnly).then((s) => s.isFile(), () => false);
    if (!ok) fail(`--retry-only: ${args.retryOnly} is not a file`, 2);
    try {
      permitIds = await readPermitIds(args.retryOnly);
    } catch (err) {
      if (err instanceof ExportFileError || err instanceof CsvParseError) fail(`--retry-only: ${err.message}`, 2);
      throw err;
    }
    if (!permitIds.length) {
      process.stdout.write(`${args.retryOnly} lists no permits; nothing to retry\n`);
      return;
    }
  }

  const ctx = createContext(config, { role: 'cli', logLevel: 'warn' });
  const reasoner = createIntentReasoner(config, args.reasoner ? 'configured' : 'rules');
  const bar = new cliProgress.SingleBar(
    { format: ` {bar} {percentage}% | {value}/{total} permits | {eta_formatted} left`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  // First Ctrl-C: stop after the current permit and still write what was scored; a second one exits at once.
  const abort = new AbortController();
  process.on('SIGINT', () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\ninterrupted: writing what was scored so far (Ctrl-C again to quit now)\n');
    abort.abort(new Error('interrupted'));
  });
  try {
    process.stderr.write(`scoring with ${reasoner.version}${args.saveToDb ? ', saving to the database' : ' (dry run: the database is not changed)'}\n`);
    const summary = await scoreLeadsExport(ctx, {
      outDir,
      limit: args.limit,
      cities: args.cities,
      permitIds,
      retryFile: args.retryOnly,
      saveToDb: args.saveToDb,
      reasoner,
      signal: abort.signal,
      onProgress: (done, total) => {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
    });
    if (started) bar.stop();
    process.stdout.write(`\n${formatSummary(summary)}`);
    if (summary.db?.failed) process.exitCode = 1;
  } catch (err) {
    if (started) bar.stop();
    if (abort.signal.aborted) {
      process.stderr.write('interrupted: the export tree holds the permits scored before the interrupt\n');
      process.exitCode = 130;
    } else {
      process.stderr.write(`${err instanceof ExportFileError ? err.message : (err as Error).stack}\n`);
      process.exitCode = 1;
    }
  } finally {
    await ctx.close();
  }
}

await main();
