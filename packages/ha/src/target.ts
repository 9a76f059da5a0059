/**
 * Which checkpoint `set-latest` means: an id in the store, a checkpoint directory / `_metadata`
 * (matched against the external pointers of the stored checkpoints, then against the
 * `completedCheckpoint` files left in the HA storage directory, else a new `completedCheckpoint`
 * file is built from its `_metadata`), or a `completedCheckpoint` file.
 */
import { resolve } from 'node:path';
import { Storages, withStorages, type StorageOptions } from '@ckpt/storage';
import { readCompletedCheckpoint, type StoredCompletedCheckpoint } from './completed-checkpoint.js';
import { newCompletedCheckpointFile, type NewHaFile } from './completed-checkpoint-file.js';
import { HaError } from './errors.js';
import { followStore } from './follow.js';
import type { StoredHandle } from './handle.js';
import type { HaStore } from './store.js';

/** The checkpoint `set-latest` makes the latest. */
export interface ResolvedTarget {
  id: number;
  /** Its `completedCheckpoint` file (needed when the store has no entry for it). */
  handle?: StoredHandle;
  checkpoint?: StoredCompletedCheckpoint;
  /** How it was found; `metadata`: no completedCheckpoint file exists, {@link create} is the new one. */
  via: 'id' | 'entry' | 'ha-file' | 'ha-dir' | 'metadata';
  /** The `completedCheckpoint` file to write before the entry (a snapshot that had none). */
  create?: NewHaFile;
}

export interface ResolveOptions extends StorageOptions {
  /** `high-availability.storageDir/<cluster-id>` to search; default: the directory of the store's HA files. */
  haDir?: string;
  storages?: Storages;
  /** The cluster's Flink version, for a new completedCheckpoint file (default: from the store's HA files). */
  flinkVersion?: string;
  /** Ids Flink would draw at random when loading the snapshot (tests). */
  randomUuid?: () => string;
}

const HA_FILE = /(^|\/)completedCheckpoint[0-9a-f]+$/;

/** A URI as Flink's `Path` writes a local path (`file:/…`, made absolute); other URIs unchanged. */
export function flinkUri(p: string): string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(p)) return `file:${resolve(p)}`;
  return p.replace(/^file:\/\/(?=\/)/, 'file:');
}

/** Checkpoint directory of a pointer / `_metadata` path, in Flink's URI form, without a trailing slash. */
function pointerKey(p: string): string {
  return flinkUri(p).replace(/\/+$/, '').replace(/\/_metadata$/, '');
}

/**
 * Resolves the argument of `set-latest`.
 * @throws HaError `NotFound` when nothing matches, `UnexpectedClass` / `BadPayload` for a file that is not a
 *   `completedCheckpoint` of this job
 */
export async function resolveTarget(store: HaStore, arg: string, opts: ResolveOptions = {}): Promise<ResolvedTarget> {
  if (/^\d{1,16}$/.test(arg)) return { id: Number(arg), via: 'id' };
  return withStorages(opts, async (storages) => {
    const readHa = async (uri: string): Promise<{ handle: StoredHandle; checkpoint: StoredCompletedCheckpoint }> => {
      const { storage, path } = await storages.locate(uri);
      const bytes = await storage.readRange(path, 0);
      const checkpoint = readCompletedCheckpoint(bytes, uri);
      if (store.jobId !== '' && checkpoint.jobId !== store.jobId) {
        throw new HaError('NotFound', `${uri} holds a checkpoint of job ${checkpoint.jobId}, not ${store.jobId}`, { file: uri });
      }
      return { handle: { file: flinkUri(uri), size: bytes.length }, checkpoint };
    };
    if (HA_FILE.test(arg)) {
      const { handle, checkpoint } = await readHa(arg);
      return { id: checkpoint.checkpointId, handle, checkpoint, via: 'ha-file' };
    }
    const key = pointerKey(arg);
    const followed = await followStore(store, { storages });
    const hit = followed.entries.find((f) => f.checkpoint?.externalPointer != null && pointerKey(f.checkpoint.externalPointer) === key);
    if (hit !== undefined && hit.entry.id !== null) return { id: hit.entry.id, checkpoint: hit.checkpoint!, via: 'entry' };
    // a checkpoint whose entry is gone but whose completedCheckpoint file is still in the HA directory
    const dirs = new Set<string>();
    if (opts.haDir !== undefined) dirs.add(opts.haDir.replace(/\/+$/, ''));
    else for (const e of store.entries) if (e.handle !== undefined) dirs.add(e.handle.file.slice(0, e.handle.file.lastIndexOf('/')));
    const known = new Set(store.entries.map((e) => e.handle?.file));
    for (const dir of dirs) {
      const { storage, path } = await storages.locate(dir);
      for await (const f of storage.list(path)) {
        const uri = `${dir}/${f.path.slice(f.path.lastIndexOf('/') + 1)}`;
        if (f.isDirectory || !HA_FILE.test(uri) || known.has(flinkUri(uri))) continue;
        try {
          const { handle, checkpoint } = await readHa(uri);
          if (checkpoint.externalPointer !== null && pointerKey(checkpoint.externalPointer) === key) {
            return { id: checkpoint.checkpointId, handle, checkpoint, via: 'ha-dir' };
          }
        } catch (e) {
          if (!(e instanceof HaError)) throw e; // another job's or a broken file: not this one
        }
      }
    }
    // none: build the file Flink writes when it restores the snapshot by path
    const made = await newCompletedCheckpointFile(store, key, {
      storages,
      ...(opts.haDir !== undefined ? { haDir: flinkUri(opts.haDir) } : {}),
      ...(opts.flinkVersion !== undefined ? { flinkVersion: opts.flinkVersion } : {}),
      ...(opts.randomUuid !== undefined ? { randomUuid: opts.randomUuid } : {}),
    });
    return { ...made, via: 'metadata' };
  });
}
