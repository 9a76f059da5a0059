import type { InputChannelStateHandle, ResultSubpartitionStateHandle } from '@ckpt/format';
import { RestoreError } from './errors.js';
import type { SubtaskStateMapperName } from './job.js';
import { keyGroupRange, operatorIndexForKeyGroup, UPPER_BOUND_MAX_PARALLELISM } from './key-groups.js';

/**
 * Channel (in-flight data) state redistribution: Flink's `SubtaskStateMapper`s and the
 * mapping-based repartitioning of input-channel and result-subpartition handles.
 */

/** Old subtasks whose channel state new subtask `n` reads, per Flink's mapper. */
export function oldSubtasksFor(
  mapper: SubtaskStateMapperName,
  newSubtask: number,
  oldParallelism: number,
  newParallelism: number,
): number[] {
  const all = (): number[] => Array.from({ length: oldParallelism }, (_, i) => i);
  switch (mapper) {
    case 'ARBITRARY':
    case 'ROUND_ROBIN': {
      const out: number[] = [];
      for (let i = newSubtask; i < oldParallelism; i += newParallelism) out.push(i);
      return out;
    }
    case 'FIRST':
      return newSubtask === 0 ? all() : [];
    case 'FULL':
      return all();
    case 'RANGE': {
      const m = UPPER_BOUND_MAX_PARALLELISM;
      const r = keyGroupRange(m, newParallelism, newSubtask);
      const s = operatorIndexForKeyGroup(m, oldParallelism, r.start);
      const e = operatorIndexForKeyGroup(m, oldParallelism, r.start + r.count - 1);
      return Array.from({ length: e - s + 1 }, (_, i) => s + i);
    }
    case 'UNSUPPORTED':
      throw new RestoreError(
        'UnsupportedRescale',
        'Cannot rescale the given pointwise partitioner.\nDid you change the partitioner to forward or rescale?\nIt may also help to add an explicit shuffle().',
      );
  }
}

/** The whole new→old table of a mapper (`RescaleMappings`), one entry per new subtask. */
export function rescaleMappings(mapper: SubtaskStateMapperName, oldParallelism: number, newParallelism: number): number[][] {
  return Array.from({ length: newParallelism }, (_, n) => oldSubtasksFor(mapper, n, oldParallelism, newParallelism));
}

/** Old subtasks that appear in the lists of more than one new subtask. */
export function ambiguousOldSubtasks(mappings: readonly (readonly number[])[]): number[] {
  const count = new Map<number, number>();
  for (const l of mappings) for (const o of l) count.set(o, (count.get(o) ?? 0) + 1);
  return [...count].filter(([, c]) => c > 1).map(([o]) => o).sort((a, b) => a - b);
}

/**
 * Splits merged channel-state handles (Flink 2.3 metadata) into one handle per channel, in blob
 * order, as Flink does when it hands channel state to the assignment (`getUnmergedHandles`).
 */
export function unmergeInputChannels(hs: readonly InputChannelStateHandle[]): InputChannelStateHandle[] {
  return hs.flatMap((h): InputChannelStateHandle[] =>
    h.kind !== 'mergedInputChannels'
      ? [h]
      : h.channels.map((c) => ({
          kind: 'inputChannel',
          subtaskIndex: h.subtaskIndex,
          gateIndex: c.infoA,
          inputChannelIndex: c.infoB,
          offsets: c.offsets,
          stateSize: c.stateSize,
          delegate: h.delegate,
        })),
  );
}

export function unmergeResultSubpartitions(hs: readonly ResultSubpartitionStateHandle[]): ResultSubpartitionStateHandle[] {
  return hs.flatMap((h): ResultSubpartitionStateHandle[] =>
    h.kind !== 'mergedResultSubpartitions'
      ? [h]
      : h.channels.map((c) => ({
          kind: 'resultSubpartition',
          subtaskIndex: h.subtaskIndex,
          partitionIndex: c.infoA,
          subpartitionIndex: c.infoB,
          offsets: c.offsets,
          stateSize: c.stateSize,
          delegate: h.delegate,
        })),
  );
}
