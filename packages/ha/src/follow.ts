/**
 * Follows the store's entries to the `completedCheckpoint` files in the HA storage directory,
 * and (verify) checks that every file behind them exists: the HA file itself (with the size
 * Flink recorded), the checkpoint's `_metadata`, and every file its state handles reference.
 */
import { CkptError } from '@ckpt/format';
import { Storages, mapLimit, verifyCheckpoint, withStorages, type StorageOptions } from '@ckpt/storage';
import { readCompletedCheckpoint, type StoredCompletedCheckpoint } from './completed-checkpoint.js';
import { latestEntry, recoverableEntries, type HaEntry, type HaStore } from './store.js';

export interface FollowOptions extends StorageOptions {
  /** Share a storage cache (else one is opened and closed per call). */
  storages?: Storages;
  /** Parallel reads / file checks (default 8). */
  concurrency?: number;
}

/** What was found for one problem. */
export interface EntryProblem {
  kind:
    | 'BadEntry'
    | 'HaFileMissing'
    | 'HaFileSizeMismatch'
    | 'HaFileUnreadable'
    | 'IdMismatch'
    | 'JobMismatch'
    | 'MetadataMissing'
    | 'FileMissing'
    | 'FileTooShort'
    | 'FileUnreadable';
  uri?: string;
  detail: string;
}

/** One entry with the stored checkpoint it points to. */
export interface FollowedEntry {
  entry: HaEntry;
  /** Whether Flink's recovery would retrieve this entry (not marked, data decodable). */
  recoverable: boolean;
  checkpoint?: StoredCompletedCheckpoint;
  problems: EntryProblem[];
  /** verify only: files checked (HA file, `_metadata`, state files). */
  checkedFiles?: number;
}

/** The store with every entry followed; `latest` is the one a failover restores. */
export interface FollowedStore {
  store: HaStore;
  entries: FollowedEntry[];
  latest?: FollowedEntry;
  /** verify only: no problem in any recoverable entry. */
  ok: boolean;
}

const message = (e: unknown): string => (e instanceof CkptError ? e.message : e instanceof Error ? e.message : String(e));

async function follow(entry: HaEntry, store: HaStore, storages: Storages): Promise<FollowedEntry> {
  const recoverable = recoverableEntries(store).includes(entry);
  const out: FollowedEntry = { entry, recoverable, problems: [] };
  if (entry.error !== undefined) {
    out.problems.push({ kind: 'BadEntry', detail: entry.error.message });
    return out;
  }
  const h = entry.handle!;
  try {
    const { storage, path } = await storages.locate(h.file);
    const st = await storage.stat(path);
    if (st === undefined || st.isDirectory) {
      out.problems.push({ kind: 'HaFileMissing', uri: h.file, detail: 'the completedCheckpoint file does not exist' });
      return out;
    }
    if (st.size !== h.size) {
      out.problems.push({ kind: 'HaFileSizeMismatch', uri: h.file, detail: `${st.size} bytes, Flink recorded ${h.size}` });
    }
    out.checkpoint = readCompletedCheckpoint(await storage.readRange(path, 0), h.file);
  } catch (e) {
    out.problems.push({ kind: 'HaFileUnreadable', uri: h.file, detail: message(e) });
    return out;
  }
  const cp = out.checkpoint;
  if (entry.id !== null && cp.checkpointId !== entry.id) {
    out.problems.push({ kind: 'IdMismatch', uri: h.file, detail: `entry ${entry.name} holds checkpoint ${cp.checkpointId}` });
  }
  if (store.jobId !== '' && cp.jobId !== store.jobId) {
    out.problems.push({ kind: 'JobMismatch', uri: h.file, detail: `the stored checkpoint belongs to job ${cp.jobId}` });
  }
  return out;
}

/** Reads the `completedCheckpoint` file of every entry (problems are recorded, not thrown). */
export async function followStore(store: HaStore, opts: FollowOptions = {}): Promise<FollowedStore> {
  return withStorages(opts, async (storages) => {
    const entries = await mapLimit(store.entries, opts.concurrency ?? 8, (e) => follow(e, store, storages));
    const latest = latestEntry(store);
    const followedLatest = entries.find((f) => f.entry === latest);
    const ok = entries.every((f) => !f.recoverable || f.problems.length === 0);
    return followedLatest === undefined ? { store, entries, ok } : { store, entries, latest: followedLatest, ok };
  });
}

/**
 * {@link followStore} plus a check of every file behind each recoverable entry: `_metadata`
 * (and every file it references, via `@ckpt/storage`'s verify) and every file the stored
 * `CompletedCheckpoint`'s own handles name. `ok` is false when anything is missing.
 */
export async function verifyStore(store: HaStore, opts: FollowOptions = {}): Promise<FollowedStore> {
  return withStorages(opts, async (storages) => {
    const followed = await followStore(store, { ...opts, storages });
    for (const f of followed.entries) {
      if (!f.recoverable || f.checkpoint === undefined) continue;
      const cp = f.checkpoint;
      const checked = new Set<string>([f.entry.handle!.file]);
      if (cp.externalPointer !== null) {
        try {
          const report = await verifyCheckpoint(cp.externalPointer, { storages, concurrency: opts.concurrency });
          checked.add(report.resolved.metadataUri);
          for (const file of report.files) checked.add(file.uri);
          for (const p of report.problems) {
            const kind = p.problem === 'NotFound' ? 'FileMissing' : p.problem === 'TooShort' ? 'FileTooShort' : 'FileUnreadable';
            f.problems.push({ kind, uri: p.uri, detail: p.detail ?? p.problem ?? '' });
          }
        } catch (e) {
          f.problems.push({ kind: 'MetadataMissing', uri: cp.metadataFile ?? cp.externalPointer, detail: message(e) });
        }
      }
      const rest = cp.files.filter((u) => !checked.has(u) && !f.problems.some((p) => p.uri === u));
      const found = await mapLimit(rest, opts.concurrency ?? 8, async (uri) => {
        try {
          const { storage, path } = await storages.locate(uri);
          const st = await storage.stat(path);
          return st !== undefined && !st.isDirectory ? undefined : ({ kind: 'FileMissing', uri, detail: 'does not exist' } as const);
        } catch (e) {
          return { kind: 'FileUnreadable', uri, detail: message(e) } as const;
        }
      });
      for (const p of found) if (p !== undefined) f.problems.push(p);
      f.checkedFiles = checked.size + rest.length;
    }
    followed.ok = followed.entries.every((f) => !f.recoverable || f.problems.length === 0);
    return followed;
  });
}
