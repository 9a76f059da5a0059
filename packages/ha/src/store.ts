/**
 * The model of a job's HA completed-checkpoint store, and the choice Flink makes from it on
 * failover: entries sorted by name (`%019d` ids, so name order is id order), entries marked for
 * deletion or with undecodable data left out, the last one restored.
 */
import type { HaError } from './errors.js';
import type { StoredHandle } from './handle.js';

/** One entry of the store (a znode under `…/checkpoints/` or a `checkpointID-…` ConfigMap key). */
export interface HaEntry {
  /** Znode name (`0000000000000000042`) or ConfigMap key (`checkpointID-0000000000000000042`). */
  name: string;
  /** The checkpoint id parsed from the name, as Flink parses it; null when Flink could not (it uses -1). */
  id: number | null;
  /** Full znode path, or `<configmap>:<key>`. */
  source: string;
  /** The HA file the entry points to; absent when the data could not be decoded. */
  handle?: StoredHandle;
  /** Why the data could not be decoded (Flink skips such entries). */
  error?: HaError;
  /**
   * Marked for deletion: ZooKeeper (Flink ≥ 1.14 layout) — the entry has no child (its `locks` node
   * is gone); Kubernetes — the delete marker is set. Flink's recovery ignores such entries. The
   * pre-1.14 ZooKeeper layout has no such mark.
   */
  markedForDeletion: boolean;
  /** ZooKeeper only: the locks (one per JobManager currently holding the entry; before 1.14 the entry's children). */
  locks?: string[];
}

/** A job's HA checkpoint store as read from ZooKeeper or a ConfigMap. */
export interface HaStore {
  kind: 'zookeeper' | 'kubernetes';
  /** Job id (32 hex digits). */
  jobId: string;
  /** The checkpoints znode path, or the ConfigMap name. */
  location: string;
  /** Entries in the order Flink's recovery sorts them (by name). */
  entries: HaEntry[];
  /**
   * The checkpoint ID counter: the next id Flink hands out. Null when there is no counter yet
   * (Flink then starts at 1).
   */
  counter: number | null;
  /** Where the counter lives (znode path or `<configmap>:counter`). */
  counterSource: string;
}

/** Flink's checkpoint-id counter starts here when no counter exists. */
export const INITIAL_CHECKPOINT_ID = 1;

/** Sorts entries as Flink's recovery does: by the name string (UTF-16 order, as `String.compareTo`). */
export function sortEntries(entries: HaEntry[]): HaEntry[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The entries Flink's recovery retrieves, in its order: not marked for deletion, data decodable. */
export function recoverableEntries(store: HaStore): HaEntry[] {
  return store.entries.filter((e) => !e.markedForDeletion && e.handle !== undefined);
}

/** The entry Flink restores after a failover (the last recoverable one), if any. */
export function latestEntry(store: HaStore): HaEntry | undefined {
  return recoverableEntries(store).at(-1);
}

/**
 * Parses the id in an entry name as `Long.parseLong` does (optional sign, decimal digits, within
 * the long range); null when Flink would fail (it then uses -1 and warns).
 */
export function parseCheckpointName(name: string): number | null {
  if (!/^[+-]?\d{1,19}$/.test(name)) return null;
  const v = BigInt(name);
  if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) return null;
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) return null;
  return Number(v);
}
