import type { CheckpointMetadata, KeyedStateHandle } from '@ckpt/format';
import { describe, expect, it } from 'vitest';
import { assignStates, normalizeJob } from '../src/index.js';

const ID = '0123456789abcdef0123456789abcdef';

/** One stored operator (parallelism 2, max parallelism 4) whose keyed handles are `handle(i)`. */
function stored(handle: (i: number) => KeyedStateHandle): CheckpointMetadata {
  return {
    version: 6,
    checkpointId: 7n,
    masterStates: [],
    operators: [{
      operatorId: ID,
      parallelism: 2,
      maxParallelism: 4,
      coordinatorState: null,
      subtasks: [0, 1].map((index) => ({
        index, managedOperatorState: null, rawOperatorState: null, rawKeyedState: null, inputChannelState: [], resultSubpartitionState: [],
        managedKeyedState: handle(index),
      })),
    }],
  };
}

const valid = (i: number): KeyedStateHandle => ({
  kind: 'savepointKeyGroups', keyGroupRange: { start: i * 2, count: 2 }, offsets: [0n, 10n], delegate: { kind: 'relativeFile', relativePath: `k${i}`, size: 20n },
});

describe('assignStates: refusals are results, anything unexpected is thrown', () => {
  // parallelism 8 > the stored max parallelism 4: Flink refuses in the precondition check
  const job = normalizeJob({ vertices: [{ parallelism: 8, operators: [ID] }] });

  it('a precondition refusal is a result with the finding (the assignment still runs for the report)', () => {
    const a = assignStates(stored(valid), job);
    expect(a.ok).toBe(false);
    expect(a.error?.code).toBe('RestoredMaxParallelismBelowParallelism');
    expect(a.error?.message).toContain('The maximum parallelism (4) of the restored state is lower than the configured parallelism (8).');
    expect(a.vertices.length).toBe(1);
    expect(a.vertices[0]!.subtasks.length).toBe(8);
  });

  it('an unexpected exception in the assignment is not swallowed, also when a refusal is already known', () => {
    const broken = stored((i) => ({ ...valid(i), keyGroupRange: null }) as unknown as KeyedStateHandle);
    expect(() => assignStates(broken, job)).toThrow(TypeError);
  });
});
