import type { OperatorState } from '@ckpt/format';
import { flattenBatches } from '../io/flatten.js';
import type { HandleResolver } from '../io/resolve.js';
import { KeyedStateFile } from '../keyed/keyed-state.js';
import { OperatorStateFile } from '../operator/operator-state.js';
import { RocksDbKeyedState } from '../rocksdb/keyed.js';
import { ChangelogKeyedState } from '../changelog/replay.js';
import type { SerializerSnapshot } from '../serializers/snapshot.js';

/** Inclusive key-group bounds `[first, last]`. */
export type KeyGroupBounds = readonly [number, number];

/** One item of {@link operatorEntries}: an entry of a subtask's state, or a note on state it does not decode. */
export type OperatorEntryItem = { subtask: number; note: string } | ({ subtask: number } & Record<string, unknown>);

/**
 * Every entry of an operator's managed state, subtask by subtask: keyed entries (heap / canonical
 * files, RocksDB / ForSt native savepoints and checkpoints through their SSTs), then operator state
 * elements. With `keyGroups` only those key groups are read (ranged reads by the handle's offsets)
 * and operator state is left out. Changelog keyed state is the materialized part with the logged
 * changes replayed on it; `keySerializer` names the key type of a log without a materialized part.
 */
export function operatorEntries(op: OperatorState, resolver: HandleResolver, opts: OperatorEntriesOptions = {}): AsyncGenerator<OperatorEntryItem, void, undefined> {
  return flattenBatches(operatorEntryBatches(op, resolver, opts));
}

export interface OperatorEntriesOptions {
  keyGroups?: KeyGroupBounds;
  keySerializer?: SerializerSnapshot;
}

/**
 * The items of {@link operatorEntries} in arrays (RocksDB keyed state: one per decoded batch of a
 * key group; else one item an array): one promise per array instead of one per entry.
 */
export async function* operatorEntryBatches(op: OperatorState, resolver: HandleResolver, opts: OperatorEntriesOptions = {}): AsyncGenerator<OperatorEntryItem[], void, undefined> {
  const range = opts.keyGroups;
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (h?.kind === 'incremental') {
      const rs = await RocksDbKeyedState.open(h, (x) => resolver.resolve(x), { maxParallelism: op.maxParallelism });
      for await (const group of rs.keyGroupEntries(range ? { start: range[0], end: range[1] } : undefined)) {
        yield group.map((e) => ({ subtask: s.index, ...e }));
      }
    } else if (h?.kind === 'changelog') {
      const keySerializer = opts.keySerializer;
      const cs = await ChangelogKeyedState.open(h, resolver, { maxParallelism: op.maxParallelism, ...(keySerializer ? { keySerializer } : {}) });
      for (const e of cs.entries()) if (!range || (e.keyGroup >= range[0] && e.keyGroup <= range[1])) yield [{ subtask: s.index, ...e }];
    } else if (h && h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups') {
      yield [{ subtask: s.index, note: `${h.kind} keyed state: entries are not decoded (changelog state-change files)` }];
    } else if (h) {
      const kf = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
      const start = h.keyGroupRange.start;
      const end = start + h.keyGroupRange.count - 1;
      const wanted = range
        ? Array.from({ length: Math.max(0, Math.min(end, range[1]) - Math.max(start, range[0]) + 1) }, (_, i) => Math.max(start, range[0]) + i)
        : undefined;
      if (!wanted || wanted.length > 0) {
        for await (const group of kf.keyGroupEntries(wanted)) yield group.map((e) => ({ subtask: s.index, ...e }));
      }
    }
    const oh = s.managedOperatorState;
    if (range || oh === null) continue;
    const of = await OperatorStateFile.open(oh, resolver.resolve(oh.delegate));
    for await (const e of of.entries()) yield [{ subtask: s.index, ...e }];
  }
}

