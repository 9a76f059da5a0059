import { UsageError } from '@ckpt/format';
import { executeGc, planGc } from '@ckpt/storage';
import { noProgress, type ProgressRunner } from '../progress.js';
import { humanBytes } from '../table.js';

export interface GcCommandOptions {
  delete?: boolean;
  olderThan?: string;
  json?: boolean;
}

/** `7d`, `12h`, `30m`, `45s` → milliseconds. */
function parseAge(s: string): number {
  const m = /^(\d+)\s*([smhd])$/.exec(s.trim());
  if (!m) throw new UsageError('BadArgument', `--older-than expects a number and s, m, h or d (e.g. 7d), got ${s}`);
  return Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/**
 * `ckpt gc <checkpoint-dir>`: files under a checkpoint directory that no retained checkpoint or
 * savepoint references. Dry run unless `--delete`; deleting re-plans first and deletes only what is
 * still unreferenced.
 */
export async function gc(dir: string, opts: GcCommandOptions, out: (s: string) => void, progress: ProgressRunner = noProgress): Promise<number> {
  const o = opts.olderThan ? { olderThan: new Date(Date.now() - parseAge(opts.olderThan)) } : {};
  const plan = await progress('gc: reading checkpoints', (onProgress) => planGc(dir, { ...o, onProgress }));
  const deleted = opts.delete ? await progress('gc: deleting', (onProgress) => executeGc(plan, { ...o, onProgress })) : 0;
  if (opts.json) {
    out(JSON.stringify({ ...plan, deleted, dryRun: !opts.delete }, null, 2));
  } else {
    out(`${plan.retained.length} retained checkpoints/savepoints reference ${plan.referenced} files` +
      (plan.inProgress.length ? `; ${plan.inProgress.length} possibly in progress, left alone` : ''));
    for (const f of plan.unreferenced) out(`  ${opts.delete ? 'deleted' : 'unreferenced'} ${f.uri} (${humanBytes(f.size)})`);
    out(`${plan.unreferenced.length} unreferenced files, ${humanBytes(plan.bytes)}` + (opts.delete ? `; ${deleted} deleted` : ' (dry run: add --delete to delete them)'));
  }
  return 0;
}
