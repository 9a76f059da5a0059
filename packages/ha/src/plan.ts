/**
 * Changes to a job's HA completed-checkpoint store, planned before anything is written: which
 * entries go, which entry is added or un-marked, and where the checkpoint ID counter goes — for
 * `set-latest` (make a failover restore a chosen checkpoint) and `repair` (drop entries whose
 * files are missing or corrupt so Flink recovers the newest intact one). A plan is store-neutral;
 * `zookeeper-write.ts` and `configmap.ts` carry it out.
 */
import { HaError } from './errors.js';
import type { FollowedStore } from './follow.js';
import type { StoredHandle } from './handle.js';
import type { NewHaFile } from './completed-checkpoint-file.js';
import { CHECKPOINT_ID_KEY_PREFIX } from './configmap.js';
import { INITIAL_CHECKPOINT_ID, latestEntry, sortEntries, type HaEntry, type HaStore } from './store.js';

/** An entry the plan removes, and why. */
export interface PlannedRemoval {
  entry: HaEntry;
  reason: string;
}

/** What a change to the store does. */
export interface HaPlan {
  action: 'set-latest' | 'repair';
  store: HaStore;
  /** Entries removed (their HA files are left in place, so a backup can bring them back). */
  remove: PlannedRemoval[];
  /**
   * A new entry for a checkpoint without one; its `completedCheckpoint` file exists, or is
   * `create`d (written before the entry).
   */
  add?: { id: number; name: string; handle: StoredHandle; create?: NewHaFile };
  /** An entry marked for deletion that becomes recoverable again. */
  unmark?: HaEntry;
  /** The checkpoint ID counter, when it changes. */
  counter?: { before: number | null; after: number };
  /** The checkpoint a failover restores after the change (null: none — the job would start empty). */
  latestAfter: number | null;
  /** The checkpoint a failover restores now. */
  latestBefore: number | null;
}

/** Whether the plan changes nothing. */
export function isEmptyPlan(plan: HaPlan): boolean {
  return plan.remove.length === 0 && plan.add === undefined && plan.unmark === undefined && plan.counter === undefined;
}

/** The entry name Flink gives checkpoint `id` in a store of this kind (`%019d`, with the ConfigMap key prefix). */
export function entryName(kind: HaStore['kind'], id: number): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new HaError('NotFound', `checkpoint id ${id} is not a checkpoint id`);
  const digits = String(id).padStart(19, '0');
  return kind === 'kubernetes' ? `${CHECKPOINT_ID_KEY_PREFIX}${digits}` : digits;
}

/**
 * Plans `set-latest`: after the change a failover restores checkpoint `id`. Flink restores the
 * last recoverable entry by name, so every entry named after it is removed; a marked target is
 * un-marked; a target without entry gets one pointing at `handle` (its `completedCheckpoint`
 * file). The counter becomes `id + 1` as on Flink's restore, but never goes down: a lower counter
 * would hand out ids whose `chk-<n>` directories still exist (Flink does not overwrite a
 * `_metadata`, so those checkpoints would fail).
 * @throws HaError `NotFound` when the store has no such entry and no handle is given; `BadPayload`
 *   when the entry's data cannot be decoded
 */
export function planSetLatest(store: HaStore, id: number, handle?: StoredHandle, create?: NewHaFile): HaPlan {
  const name = entryName(store.kind, id);
  const existing = store.entries.find((e) => e.name === name);
  if (existing?.error !== undefined) {
    throw new HaError('BadPayload', `entry ${existing.source} cannot be decoded, so Flink cannot restore it: ${existing.error.detail}`, {
      file: existing.source,
    });
  }
  if (create !== undefined && handle === undefined) throw new HaError('NotFound', 'a new completedCheckpoint file needs its handle');
  if (existing === undefined && handle === undefined) {
    throw new HaError('NotFound', `the store ${store.location} has no checkpoint ${id} and no completedCheckpoint file for it was given`);
  }
  const remove = store.entries
    .filter((e) => e.name > name)
    .map((e) => ({ entry: e, reason: `named after checkpoint ${id}: a failover would restore it instead` }));
  // an entry whose completedCheckpoint file is gone or unreadable: replaced by one pointing at the new file
  const replace = existing !== undefined && create !== undefined;
  if (replace) remove.unshift({ entry: existing, reason: 'its completedCheckpoint file is missing or unreadable: replaced by an entry for a new one' });
  const plan: HaPlan = {
    action: 'set-latest',
    store,
    remove,
    latestAfter: id,
    latestBefore: latestEntry(store)?.id ?? null,
  };
  if (existing === undefined || replace) plan.add = { id, name, handle: handle!, ...(create !== undefined ? { create } : {}) };
  else if (existing.markedForDeletion) plan.unmark = existing;
  const next = Math.max(store.counter ?? INITIAL_CHECKPOINT_ID, id + 1);
  if (next !== store.counter) plan.counter = { before: store.counter, after: next };
  return plan;
}

/**
 * Plans `repair` from a verified store: every recoverable entry with a problem (HA file missing,
 * short or unreadable, `_metadata` or state files missing) is removed, so a failover restores
 * the newest intact one. The counter stays (it is already past every removed id).
 * @throws HaError `NotFound` when no intact entry would remain and `allowEmpty` is not set
 *   (Flink would then start the job without any state)
 */
export function planRepair(verified: FollowedStore, opts: { allowEmpty?: boolean } = {}): HaPlan {
  const store = verified.store;
  const remove = verified.entries
    .filter((f) => f.recoverable && f.problems.length > 0)
    .map((f) => ({ entry: f.entry, reason: f.problems.map((p) => `${p.kind}${p.uri ? ` ${p.uri}` : ''}`).join('; ') }));
  const gone = new Set(remove.map((r) => r.entry));
  const after = latestEntry({ ...store, entries: sortEntries(store.entries.filter((e) => !gone.has(e))) });
  if (after === undefined && remove.length > 0 && opts.allowEmpty !== true) {
    throw new HaError(
      'NotFound',
      `every checkpoint in ${store.location} is broken; removing them all would make Flink start the job without state ` +
        '(restore the job from a retained checkpoint or savepoint instead, or allow an empty store explicitly: --allow-empty)',
    );
  }
  return { action: 'repair', store, remove, latestAfter: after?.id ?? null, latestBefore: latestEntry(store)?.id ?? null };
}

/** One line per change, for dry runs and logs. */
export function describePlan(plan: HaPlan, entryPath: (name: string) => string): string[] {
  const lines: string[] = [];
  for (const r of plan.remove) lines.push(`remove  ${r.entry.source}  (checkpoint ${r.entry.id ?? '?'}: ${r.reason})`);
  if (plan.unmark !== undefined) lines.push(`unmark  ${plan.unmark.source}  (checkpoint ${plan.unmark.id} is marked for deletion)`);
  const c = plan.add?.create;
  if (c !== undefined) lines.push(`write   ${c.file}  (${c.bytes.length} bytes: Flink ${c.line}'s CompletedCheckpoint of checkpoint ${plan.add!.id} as a restore by path writes it; line from ${c.lineFrom})`);
  if (plan.add !== undefined) lines.push(`add     ${entryPath(plan.add.name)}  -> ${plan.add.handle.file} (${plan.add.handle.size} bytes)`);
  if (plan.counter !== undefined) {
    lines.push(`counter ${plan.store.counterSource}  ${plan.counter.before ?? 'none'} -> ${plan.counter.after}`);
  }
  return lines;
}
