import { keyGroupForKeyHash, keyGroupRange } from '@ckpt/restore';
import { StateError } from '../errors.js';
import type { RawKeyedEntry } from '../keyed/canonical-stream.js';
import type { KeyedStateHeader, KeyedHeaderBytes } from '../meta/proxy.js';
import { VALUE_SERIALIZER, serializer } from '../meta/meta-info.js';
import { CLS } from '../serializers/snapshot.js';
import { keyHasher } from './java-key.js';

/** The raw key groups of one old keyed state file, with its header. */
export interface RawKeyedSource {
  name: string;
  header: KeyedStateHeader;
  keyGroups: AsyncIterable<{ keyGroup: number; entries: RawKeyedEntry[] }>;
}

/** A header that covers the states of several files, and each file's state id → merged id. */
export interface MergedHeader {
  raw: KeyedHeaderBytes;
  /** `idMaps[file][oldStateId]` = state id in {@link raw}. */
  idMaps: number[][];
  compressed: boolean;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Merges the headers of the files of one operator: one key serializer (identical bytes required),
 * the union of the states by name (identical meta-info bytes required), in first-seen order.
 */
export function mergeKeyedHeaders(sources: readonly { name: string; header: KeyedStateHeader }[]): MergedHeader {
  if (sources.length === 0) throw new StateError('MissingState', 'no keyed state files to merge');
  const first = sources[0]!.header;
  const legacy = sources.find((s) => s.header.version !== 6);
  if (legacy) {
    throw new StateError(
      'UnsupportedVersion',
      `${legacy.name} has keyed backend proxy version ${legacy.header.version} (Flink ≤ 1.6): ckpt reads it but writes only version 6; restore it in Flink 1.7–1.16 and take a new savepoint to re-key it`,
      { file: legacy.name },
    );
  }
  const states: Uint8Array[] = [];
  const names: string[] = [];
  const idMaps = sources.map(({ name, header }) => {
    if (header.raw.version !== first.raw.version || !sameBytes(header.raw.keySerializer, first.raw.keySerializer)) {
      throw new StateError('BadValue', `the key serializer of ${name} differs from that of ${sources[0]!.name}`, { file: name });
    }
    return header.states.map((meta, i) => {
      const bytes = header.raw.states[i]!;
      const at = names.indexOf(meta.name);
      if (at >= 0) {
        if (!sameBytes(states[at]!, bytes)) {
          throw new StateError('BadValue', `state ${meta.name} has different meta info in ${name} than in another subtask`, { file: name });
        }
        return at;
      }
      names.push(meta.name);
      states.push(bytes);
      return states.length - 1;
    });
  });
  return {
    raw: { version: first.raw.version, keySerializer: first.raw.keySerializer, states },
    idMaps,
    compressed: sources.some((s) => s.header.compressed),
  };
}

/** Timer elements: `long timestamp`, then the key (then the namespace). */
const TIMER_KEY_OFFSET = 8;

/** The Java hashCode of the key of one raw entry: the composite key's key, or a timer's key. */
function keyHashOf(header: KeyedStateHeader): (e: RawKeyedEntry) => number {
  const hash = keyHasher(header.keySerializer);
  const offsets = header.states.map((meta) => {
    if (meta.backendStateType !== 'PRIORITY_QUEUE') return 0;
    const snap = serializer(meta, VALUE_SERIALIZER);
    if (snap?.className !== CLS.timer) {
      throw new StateError('UnsupportedKey', `priority queue ${meta.name} holds ${snap?.className ?? 'unknown'} elements, not timers; their key cannot be found`);
    }
    return TIMER_KEY_OFFSET;
  });
  return (e) => {
    const at = offsets[e.stateId];
    if (at === undefined) throw new StateError('BadValue', `state id ${e.stateId} is not in the header`, { offset: e.keyAt });
    return hash(e.key, at);
  };
}

/** An old file's pairs as the new file holds them: their new key group and merged state id. */
export function mover(src: RawKeyedSource, idMap: readonly number[], maxParallelism: number) {
  const hashOf = keyHashOf(src.header);
  return {
    keyGroup: (e: RawKeyedEntry) => keyGroupForKeyHash(hashOf(e), maxParallelism),
    entry: (e: RawKeyedEntry): RawKeyedEntry => ({ stateId: idMap[e.stateId]!, key: e.key, value: e.value }),
  };
}

/** A key group's pairs ordered by merged state id, in reading order otherwise (the sort is stable). */
export function byStateId(list: RawKeyedEntry[]): RawKeyedEntry[] {
  return list.sort((a, b) => a.stateId - b.stateId);
}

/** The entries of one new subtask: its key-group range and the entries per key group. */
export interface RekeyedSubtask {
  index: number;
  start: number;
  count: number;
  keyGroups: Map<number, RawKeyedEntry[]>;
}

export interface MovedEntries {
  header: MergedHeader;
  subtasks: RekeyedSubtask[];
  entries: number;
}

/**
 * Moves every pair of the sources into the key group its key has under `maxParallelism`, and
 * splits the key groups over `parallelism` subtasks by Flink's range formula. Pairs keep their
 * bytes (values are never decoded); within a key group they are ordered by merged state id, in
 * reading order otherwise. Keys whose Java hashCode ckpt cannot compute are an `UnsupportedKey`
 * error. With `only`, just those new subtasks are built (one shard of a conversion): pairs of
 * other subtasks are dropped as they are read, and `entries` counts the kept ones.
 */
export async function moveEntries(sources: readonly RawKeyedSource[], maxParallelism: number, parallelism: number, only?: readonly number[]): Promise<MovedEntries> {
  const header = mergeKeyedHeaders(sources);
  const indices = only ?? Array.from({ length: parallelism }, (_, i) => i);
  const ranges = indices.map((index) => ({ index, ...keyGroupRange(maxParallelism, parallelism, index) }));
  const wanted = new Uint8Array(maxParallelism);
  for (const r of ranges) wanted.fill(1, r.start, r.start + r.count);
  const byGroup = new Map<number, RawKeyedEntry[]>();
  let entries = 0;
  for (const [i, src] of sources.entries()) {
    const move = mover(src, header.idMaps[i]!, maxParallelism);
    for await (const { entries: list } of src.keyGroups) {
      for (const e of list) {
        const kg = move.keyGroup(e);
        if (wanted[kg] !== 1) continue;
        let bucket = byGroup.get(kg);
        if (!bucket) byGroup.set(kg, (bucket = []));
        bucket.push(move.entry(e));
        entries++;
      }
    }
  }
  for (const list of byGroup.values()) byStateId(list);
  const subtasks: RekeyedSubtask[] = ranges.map(({ index, start, count }) => {
    const keyGroups = new Map<number, RawKeyedEntry[]>();
    for (let kg = start; kg < start + count; kg++) {
      const list = byGroup.get(kg);
      if (list) keyGroups.set(kg, list);
    }
    return { index, start, count, keyGroups };
  });
  return { header, subtasks, entries };
}
