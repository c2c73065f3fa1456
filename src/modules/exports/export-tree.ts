import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { TRADE_GROUPS, isTradeGroupSlug } from '../../../prisma/seed/taxonomy.ts';
import { parseCsv, toCsv } from './csv.ts';
import { EXPORT_COLUMNS, type ExportRow } from './exports.schemas.ts';

/**
 * The seed 001 export tree on disk: `<trade_group>/<category>/tier_a|b|c.csv`, `flagged/needs_review.csv`,
 * `pending_retry/retry_queue.csv`, and `_delivered/YYYY-MM-DD/…` for archived files. Every file has the 17
 * columns; a permit appears in at most one live file (rows are merged by permit_id, never appended).
 */
export const REVIEW_FILE = 'flagged/needs_review.csv';
export const RETRY_FILE = 'pending_retry/retry_queue.csv';
export const DELIVERED_DIR = '_delivered';
const LOCK_FILE = '.score-leads.lock';

/** Where a scored row lives: RETRY first (it has no tier yet), then review, then its tier file. */
export function treePathFor(r: { tier: string; tradeGroup: string; category: string; needsReview: boolean }): string {
  if (r.tier === 'RETRY') return RETRY_FILE;
  if (r.needsReview) return REVIEW_FILE;
  return `${r.tradeGroup}/${r.category}/tier_${r.tier.toLowerCase()}.csv`;
}

/** Only files the pipeline writes belong to the tree; anything else in the folder is left alone. */
export function isTreeFile(rel: string): boolean {
  const p = rel.split(path.sep).join('/');
  if (p === REVIEW_FILE || p === RETRY_FILE) return true;
  const m = /^([a-z_]+)\/([a-z_]+)\/tier_[abc]\.csv$/.exec(p);
  return !!m && isTradeGroupSlug(m[1]!) && (TRADE_GROUPS[m[1]!] as readonly string[]).includes(m[2]!);
}

export class ExportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportFileError';
  }
}

const exists = (p: string) => stat(p).then(() => true, () => false);

export async function readExportFile(file: string): Promise<ExportRow[]> {
  const records = parseCsv(await readFile(file, 'utf8')).filter((r) => !(r.length === 1 && r[0] === ''));
  if (!records.length) return [];
  const [header, ...rows] = records;
  if (header!.join(',') !== EXPORT_COLUMNS.join(',')) {
    throw new ExportFileError(`${file}: the header is not the ${EXPORT_COLUMNS.length} export columns (${EXPORT_COLUMNS.join(',')})`);
  }
  return rows.map((r, i) => {
    if (r.length !== EXPORT_COLUMNS.length) throw new ExportFileError(`${file}: record ${i + 2} has ${r.length} fields, expected ${EXPORT_COLUMNS.length}`);
    return Object.fromEntries(EXPORT_COLUMNS.map((c, j) => [c, r[j]!])) as ExportRow;
  });
}

/** Best lead first; permit_id breaks ties so a re-run writes byte-identical files. */
function sortRows(rows: ExportRow[]): ExportRow[] {
  return rows.sort((a, b) => Number(b.score) - Number(a.score) || (a.permit_id < b.permit_id ? -1 : a.permit_id > b.permit_id ? 1 : 0));
}

/** Written beside the target and renamed over it, so a reader never sees half a file. */
export async function writeExportFile(file: string, rows: ExportRow[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, toCsv([EXPORT_COLUMNS, ...sortRows(rows).map((r) => EXPORT_COLUMNS.map((c) => r[c]))]), 'utf8');
  await rename(tmp, file);
}

/** Relative paths of the tree's files under `root` (skipping _delivered and anything unrecognised). */
export async function listTreeFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try {
      entries = await readdir(path.join(root, dir), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!dir && e.name === DELIVERED_DIR) continue;
        await walk(rel);
      } else if (e.isFile() && isTreeFile(rel)) out.push(rel);
    }
  };
  await walk('');
  return out.sort();
}

async function removeEmptyDirs(root: string, rel: string): Promise<void> {
  let dir = path.dirname(rel);
  while (dir && dir !== '.') {
    try {
      await rmdir(path.join(root, dir));
    } catch {
      return; // not empty (or gone): stop climbing
    }
    dir = path.dirname(dir);
  }
}

export interface PlacedRow {
  path: string;
  row: ExportRow;
}

export interface MergeResult {
  added: number;
  replaced: number;
  /** Rows whose file changed (tier move, into or out of review/retry). */
  moved: number;
  written: string[];
  removed: string[];
}

/**
 * Puts each row in its file, removing the permit from whichever file held it before: re-running replaces a
 * row instead of appending, and a permit whose tier changed moves. Files left empty are deleted.
 */
export async function mergeIntoTree(root: string, placed: PlacedRow[]): Promise<MergeResult> {
  const files = new Map<string, Map<string, ExportRow>>();
  const where = new Map<string, string>();
  for (const rel of await listTreeFiles(root)) {
    const rows = new Map<string, ExportRow>();
    for (const r of await readExportFile(path.join(root, rel))) {
      rows.set(r.permit_id, r);
      where.set(r.permit_id, rel);
    }
    files.set(rel, rows);
  }
  const dirty = new Set<string>();
  const result: MergeResult = { added: 0, replaced: 0, moved: 0, written: [], removed: [] };
  for (const p of placed) {
    const id = p.row.permit_id;
    const before = where.get(id);
    if (before === undefined) result.added++;
    else {
      result.replaced++;
      if (before !== p.path) {
        result.moved++;
        files.get(before)!.delete(id);
        dirty.add(before);
      }
    }
    let target = files.get(p.path);
    if (!target) files.set(p.path, (target = new Map()));
    target.set(id, p.row);
    where.set(id, p.path);
    dirty.add(p.path);
  }
  for (const rel of [...dirty].sort()) {
    const rows = [...files.get(rel)!.values()];
    const abs = path.join(root, rel);
    if (rows.length) {
      await writeExportFile(abs, rows);
      result.written.push(rel);
    } else {
      await rm(abs, { force: true });
      await removeEmptyDirs(root, rel);
      result.removed.push(rel);
    }
  }
  return result;
}

/** Rewrites one file without the given permits (a --retry-only file outside the tree); deletes it when empty. */
export async function removeFromFile(file: string, permitIds: ReadonlySet<string>): Promise<number> {
  const rows = await readExportFile(file);
  const kept = rows.filter((r) => !permitIds.has(r.permit_id));
  if (kept.length === rows.length) return 0;
  await writeExportFile(file, kept);
  return rows.length - kept.length;
}

/**
 * seed 001 workflow step 5 "Archive: move delivered CSVs": moves every tier file (what is delivered to buyers) to
 * `_delivered/<day>/` keeping its place in the tree. `flagged/needs_review.csv` and `pending_retry/retry_queue.csv`
 * are work queues, not deliveries — the reviewer and the 06:00 retry job read them where they are — so they stay.
 * Archiving twice on one day merges into the archived file (by permit_id, the newer row wins).
 */
export async function archiveTree(root: string, day: string): Promise<string[]> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new ExportFileError(`archive day must be YYYY-MM-DD, got ${day}`);
  const moved: string[] = [];
  for (const rel of await listTreeFiles(root)) {
    if (rel === REVIEW_FILE || rel === RETRY_FILE) continue;
    const src = path.join(root, rel);
    const dest = path.join(root, DELIVERED_DIR, day, rel);
    if (await exists(dest)) {
      const merged = new Map<string, ExportRow>();
      for (const r of await readExportFile(dest)) merged.set(r.permit_id, r);
      for (const r of await readExportFile(src)) merged.set(r.permit_id, r);
      await writeExportFile(dest, [...merged.values()]);
      await unlink(src);
    } else {
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(src, dest);
    }
    await removeEmptyDirs(root, rel);
    moved.push(rel);
  }
  return moved;
}

/**
 * One writer per tree: the CLI and the 06:00 retry job both rewrite files, so the second waits for nothing
 * and fails with who holds the lock. A lock left by a dead process on this host is taken over.
 */
export async function lockTree(root: string): Promise<() => Promise<void>> {
  await mkdir(root, { recursive: true });
  const file = path.join(root, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
      await fh.close();
      return async () => {
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; host?: string; at?: string } = {};
      try {
        holder = JSON.parse(await readFile(file, 'utf8'));
      } catch {
        /* unreadable: treat as held */
      }
      if (attempt === 0 && holder.host === hostname() && typeof holder.pid === 'number' && !isAlive(holder.pid)) {
        await rm(file, { force: true });
        continue;
      }
      throw new ExportFileError(
        `export tree ${root} is being written by pid ${holder.pid ?? '?'} on ${holder.host ?? '?'} since ${holder.at ?? '?'}; ` +
          `if no run is active, delete ${file}`,
      );
    }
  }
  throw new ExportFileError(`could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
