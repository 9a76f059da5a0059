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

type ChannelHandle = InputChannelStateHandle | ResultSubpartitionStateHandle;

/** Gate index (input) or partition index (output) of a handle; `undefined` for merged handles. */
function channelGroup(h: ChannelHandle): number | undefined {
  switch (h.kind) {
    case 'inputChannel':
      return h.gateIndex;
    case 'resultSubpartition':
      return h.partitionIndex;
    default:
      return undefined;
  }
}

/**
 * Redistributes one kind of channel state of one operator. `perOld[j]` = old subtask j's handles;
 * `mappers[g]` = mapper of gate / partition `g`. Unchanged parallelism: verbatim per subtask.
 */
export function repartitionChannelState<T extends ChannelHandle>(
  perOld: readonly (readonly T[])[],
  newParallelism: number,
  mappers: readonly SubtaskStateMapperName[],
): T[][] {
  if (perOld.length === newParallelism) return perOld.map((hs) => [...hs]);
  const out: T[][] = Array.from({ length: newParallelism }, () => []);
  mappers.forEach((mapper, g) => {
    const selected = perOld.map((hs) =>
      mappers.length === 1
        ? [...hs]
        : hs.filter((h) => {
            const group = channelGroup(h);
            if (group === undefined) {
              throw new RestoreError('UnsupportedHandle', 'merged channel-state handles with several gates/partitions are not supported yet');
            }
            return group === g;
          }),
    );
    // A gate without in-flight data needs no mapping (Flink never asks its mapper).
    if (selected.every((hs) => hs.length === 0)) return;
    for (let n = 0; n < newParallelism; n++) {
      for (const old of oldSubtasksFor(mapper, n, perOld.length, newParallelism)) out[n]!.push(...selected[old]!);
    }
  });
  return out;
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
