import { TRADE_GROUP_SLUGS } from '../../../prisma/seed/taxonomy.ts';
import type { ScoreLeadsSummary } from './exports.service.ts';

/** Argument parsing and the closing summary of `npm run score-leads` (scripts/score-leads.ts), kept pure. */
export const SCORE_LEADS_USAGE = `usage: npm run score-leads -- [--limit N] [--reasoner] [--save-to-db] [--cities plano frisco ...]
                            [--retry-only FILE] [--out DIR]
       npm run score-leads -- --archive [--out DIR]

  --limit N          score at most N permits (newest first)
  --reasoner         use the configured reasoner: Ollama when OLLAMA_URL is set, else the offline rules
                     (without it: the offline rules)
  --save-to-db       upsert the scored leads into base_leads; without it nothing in the database changes
  --cities A B ...   only permits of these cities (case-insensitive; commas work too)
  --retry-only FILE  re-score only the permits listed in FILE (a retry_queue.csv); those that now score leave it
  --out DIR          export tree root (default EXPORTS_DIR, "exports")
  --archive          move the delivered tier files to DIR/_delivered/YYYY-MM-DD/ (the review and retry
                     queues stay) and score nothing`;

export interface ScoreLeadsArgs {
  limit?: number;
  reasoner: boolean;
  saveToDb: boolean;
  cities?: string[];
  retryOnly?: string;
  out?: string;
  archive: boolean;
  help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const BOOLEAN_FLAGS = { '--reasoner': 'reasoner', '--save-to-db': 'saveToDb', '--archive': 'archive', '--help': 'help', '-h': 'help' } as const;

export function parseScoreLeadsArgs(argv: readonly string[]): ScoreLeadsArgs {
  const args: ScoreLeadsArgs = { reasoner: false, saveToDb: false, archive: false, help: false };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i++;
      return v;
    };
    if (flag in BOOLEAN_FLAGS) {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      args[BOOLEAN_FLAGS[flag as keyof typeof BOOLEAN_FLAGS]] = true;
    } else if (flag === '--limit') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--limit must be a positive whole number, got "${v}"`);
      args.limit = Number(v);
    } else if (flag === '--cities') {
      const names: string[] = inline !== undefined ? [inline] : [];
      while (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) names.push(argv[++i]!);
      const cities = names.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean);
      if (!cities.length) throw new UsageError('--cities needs at least one city name');
      args.cities = [...(args.cities ?? []), ...cities];
    } else if (flag === '--retry-only') args.retryOnly = value();
    else if (flag === '--out') args.out = value();
    else if (flag.startsWith('-')) throw new UsageError(`unknown flag ${flag}`);
    else throw new UsageError(`unexpected argument "${raw}" (city names go after --cities)`);
    given.add(flag);
  }
  if (args.archive) {
    const clash = [...given].find((f) => !['--archive', '--out', '--help', '-h'].includes(f));
    if (clash) throw new UsageError(`--archive only moves delivered files; it cannot be combined with ${clash}`);
  }
  return args;
}

const pad = (s: string | number, w: number) => String(s).padStart(w);

/** Counts by trade group × tier, then flagged, retry, database and files, and the elapsed time. */
export function formatSummary(s: ScoreLeadsSummary): string {
  const w = Math.max('trade group'.length, ...TRADE_GROUP_SLUGS.map((g) => g.length));
  const lines = [`${'trade group'.padEnd(w)}  ${pad('A', 6)}  ${pad('B', 6)}  ${pad('C', 6)}  ${pad('total', 6)}`];
  const sum = { A: 0, B: 0, C: 0 };
  for (const g of TRADE_GROUP_SLUGS) {
    const c = s.byGroupTier[g] ?? { A: 0, B: 0, C: 0 };
    sum.A += c.A;
    sum.B += c.B;
    sum.C += c.C;
    lines.push(`${g.padEnd(w)}  ${pad(c.A, 6)}  ${pad(c.B, 6)}  ${pad(c.C, 6)}  ${pad(c.A + c.B + c.C, 6)}`);
  }
  lines.push(`${'total'.padEnd(w)}  ${pad(sum.A, 6)}  ${pad(sum.B, 6)}  ${pad(sum.C, 6)}  ${pad(sum.A + sum.B + sum.C, 6)}`);
  lines.push('');
  lines.push(`flagged (flagged/needs_review.csv)      ${s.flagged}`);
  lines.push(`retry (pending_retry/retry_queue.csv)   ${s.retry}`);
  lines.push(`permits scored                          ${s.permits}`);
  if (s.missing.length) lines.push(`permits not found                       ${s.missing.length} (${s.missing.slice(0, 3).join(', ')}${s.missing.length > 3 ? ', …' : ''})`);
  if (s.retryFileRemoved) lines.push(`removed from the --retry-only file      ${s.retryFileRemoved}`);
  lines.push(
    s.db
      ? `database: ${s.db.inserted} inserted, ${s.db.updated} updated, ${s.db.skipped} skipped (no full address), ${s.db.failed} failed`
      : 'database: unchanged (dry run; add --save-to-db to save the leads)',
  );
  for (const e of s.db?.errors.slice(0, 5) ?? []) lines.push(`  failed: ${e}`);
  lines.push(`files: ${s.files.written.length} written, ${s.files.removed.length} removed; rows ${s.files.added} added, ${s.files.replaced} replaced (${s.files.moved} moved)`);
  lines.push(`reasoner: ${s.reasoner}`);
  lines.push(`elapsed: ${(s.elapsedMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}
