import { listCheckpoints, newestComplete, Storages, StorageError, type CheckpointEntry } from '@ckpt/storage';

export interface LatestOptions {
  json?: boolean;
  all?: boolean;
}

/**
 * `ckpt latest <checkpoint-dir>`: the newest complete retained checkpoint (`chk-<n>` with a
 * `_metadata`) under a checkpoint directory (also one level down, in job-id directories).
 * With `--all`, every checkpoint and savepoint found. Exit 5 when there is none.
 */
export async function latest(dir: string, opts: LatestOptions, out: (s: string) => void): Promise<number> {
  const entries = await listCheckpoints(dir);
  if (entries.length === 0) await mustExist(dir);
  if (opts.all) {
    out(opts.json ? JSON.stringify(entries, null, 2) : entries.map(describe).join('\n') || 'no checkpoints');
    return entries.length ? 0 : 5;
  }
  const newest = newestComplete(entries);
  if (!newest) {
    out(opts.json ? 'null' : `no complete checkpoint under ${dir}`);
    return 5;
  }
  out(opts.json ? JSON.stringify(newest, null, 2) : newest.uri);
  return 0;
}

function describe(e: CheckpointEntry): string {
  return `${e.kind.padEnd(10)} ${e.complete ? 'complete  ' : 'incomplete'} ${e.jobId ?? ''.padEnd(32)} ${e.uri}`;
}

/** A directory that does not exist is a wrong path, not an empty checkpoint directory. */
async function mustExist(dir: string): Promise<void> {
  const storages = new Storages();
  try {
    const { storage, path } = await storages.locate(dir);
    if ((await storage.stat(path)) === undefined) throw new StorageError('NotFound', `no such checkpoint directory: ${dir}`, { uri: dir, operation: 'list' });
  } finally {
    await storages.close();
  }
}
