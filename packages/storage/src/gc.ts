import { StorageError } from './errors.js';
import { listCheckpoints, loadCheckpoint, type CheckpointAccessOptions, type CheckpointEntry } from './checkpoint.js';
import { Storages } from './open.js';
import { formatUri, parseUri } from './uri.js';
import { collectFileReferences } from './verify.js';

export interface GcOptions extends CheckpointAccessOptions {
  /** Only files last modified before this moment are candidates (files without a known time are kept). */
  olderThan?: Date;
}

export interface GcCandidate {
  uri: string;
  size: number;
}

export interface GcPlan {
  directory: string;
  /** Complete checkpoints and savepoints whose files are kept. */
  retained: CheckpointEntry[];
  /** `chk-<n>` directories without `_metadata` newer than the newest complete one (maybe still being written). */
  inProgress: CheckpointEntry[];
  /** Files under the directory that no retained checkpoint references. */
  unreferenced: GcCandidate[];
  bytes: number;
  /** Files referenced by retained checkpoints (canonical URIs). */
  referenced: number;
}

const canonical = (uri: string) => Storages.canonical(uri);
const under = (uri: string, dir: string) => uri === dir || uri.startsWith(`${dir}/`);

/**
 * Which files under a checkpoint directory no retained checkpoint or savepoint references (for
 * example shared incremental files of subsumed checkpoints, or files of failed checkpoints).
 * Never proposes: a file referenced by any complete checkpoint/savepoint found under the
 * directory, anything inside such a checkpoint's own directory, anything inside a possibly
 * in-progress `chk-<n>`, or any `_metadata`. Refuses a directory that holds no checkpoint.
 */
export async function planGc(dir: string, opts: GcOptions = {}): Promise<GcPlan> {
  const storages = opts.storages ?? new Storages(opts);
  try {
    const given = formatUri(parseUri(dir));
    const base = canonical(given);
    const o = { ...opts, storages };
    const entries = await listCheckpoints(dir, o);
    const complete = entries.filter((e) => e.complete);
    if (complete.length === 0) {
      throw new StorageError('InvalidPointer', `${dir} holds no complete checkpoint or savepoint: not a checkpoint directory, refusing to collect garbage`, {
        uri: dir,
        operation: 'list',
      });
    }
    const newest = Math.max(-1, ...complete.filter((e) => e.id !== undefined).map((e) => e.id!));
    const inProgress = entries.filter((e) => !e.complete && (e.id === undefined || e.id > newest));
    const referenced = new Set<string>();
    for (const [i, e] of complete.entries()) {
      const { resolved, metadata } = await loadCheckpoint(e.uri, o);
      for (const r of collectFileReferences(metadata, resolved.directory)) referenced.add(canonical(r.uri));
      opts.onProgress?.({ unit: 'checkpoints', done: i + 1, total: complete.length, item: e.uri });
    }
    const protectedDirs = [...complete, ...inProgress].map((e) => canonical(e.uri));
    const { storage, path } = await storages.locate(dir);
    const unreferenced: GcCandidate[] = [];
    for await (const f of storage.list(path, { recursive: true })) {
      if (f.isDirectory) continue;
      const located = storage.toUri(f.path);
      const uri = canonical(located);
      if (!under(uri, base) || uri.endsWith('/_metadata') || referenced.has(uri)) continue;
      if (protectedDirs.some((d) => under(uri, d))) continue;
      if (opts.olderThan) {
        const st = await storage.stat(f.path);
        if (!st?.mtime || st.mtime >= opts.olderThan) continue;
      }
      // the URI as the storage spells it (webhdfs:// stays webhdfs://), so it can be opened again
      unreferenced.push({ uri: located, size: f.size });
    }
    return {
      directory: given,
      retained: complete,
      inProgress,
      unreferenced,
      bytes: unreferenced.reduce((n, f) => n + f.size, 0),
      referenced: referenced.size,
    };
  } finally {
    if (opts.storages === undefined) await storages.close();
  }
}

/** Deletes the files of a plan (after re-checking that each is still not referenced). */
export async function executeGc(plan: GcPlan, opts: GcOptions = {}): Promise<number> {
  const storages = opts.storages ?? new Storages(opts);
  try {
    const { onProgress, ...rest } = opts;
    const fresh = await planGc(plan.directory, { ...rest, storages });
    const still = new Set(fresh.unreferenced.map((f) => canonical(f.uri)));
    let n = 0;
    for (const [i, f] of plan.unreferenced.entries()) {
      if (still.has(canonical(f.uri))) {
        const { storage, path } = await storages.locate(f.uri);
        await storage.delete(path);
        n++;
      }
      onProgress?.({ unit: 'files', done: i + 1, total: plan.unreferenced.length, item: f.uri });
    }
    return n;
  } finally {
    if (opts.storages === undefined) await storages.close();
  }
}

