import { describe, expect, it } from 'vitest';
import { Crc32c, forEachStreamHandle, keyGroupByteRanges, type CheckpointMetadata, type SubtaskState } from '../src/index.js';

const file = (path: string) => ({ kind: 'file' as const, path, size: 100n });

describe('keyGroupByteRanges: the one byte range of a key group', () => {
  it('runs from a key group offset to the next larger one (shared offsets, unordered, 0 = empty)', () => {
    const h = { keyGroupRange: { start: 10, count: 6 }, offsets: [40n, 40n, 0n, 90n, 65n, 120n] };
    expect(keyGroupByteRanges(h)).toEqual([
      { offset: 40, length: 25 },
      { offset: 40, length: 25 },
      { offset: 0, length: 0 },
      { offset: 90, length: 30 },
      { offset: 65, length: 25 },
      { offset: 120, length: undefined },
    ]);
  });
});

describe('forEachStreamHandle: every stream handle once, with what the handle pointing into it needs', () => {
  it('sees delegates, shared/private files, changelog segments and channel delegates', () => {
    const subtask: SubtaskState = {
      index: 0,
      managedOperatorState: { kind: 'operatorStream', states: [{ name: 's', mode: 'UNION', offsets: [7n, 31n] }, { name: 't', mode: 'BROADCAST', offsets: [12n] }], delegate: file('op') },
      rawOperatorState: null,
      managedKeyedState: { kind: 'savepointKeyGroups', keyGroupRange: { start: 0, count: 2 }, offsets: [0n, 55n], delegate: { kind: 'relativeFile', relativePath: 'kg', size: 60n } },
      rawKeyedState: {
        kind: 'changelogFile',
        keyGroupRange: { start: 0, count: 2 },
        segments: [{ offset: 17n, handle: file('log') }],
        stateSize: 3n,
      },
      inputChannelState: [{ kind: 'inputChannel', gateIndex: 0, inputChannelIndex: 1, offsets: [3n, 9n], stateSize: 5n, delegate: file('ch') }],
      resultSubpartitionState: [],
    };
    const meta = {
      version: 5,
      checkpointId: 1n,
      masterStates: [],
      operators: [{ operatorId: '0'.repeat(32), parallelism: 1, maxParallelism: 2, coordinatorState: { kind: 'byteStream', name: 'c', data: new Uint8Array(1) }, subtasks: [subtask] }],
    } as unknown as CheckpointMetadata;
    const seen: [string, string, bigint][] = [];
    forEachStreamHandle(meta, (h, path, need) => seen.push([h.kind, path, need]));
    expect(seen).toEqual([
      ['byteStream', 'operators[0].coordinatorState', 0n],
      ['file', 'operators[0].subtasks[0].managedOperatorState.delegate', 31n],
      ['relativeFile', 'operators[0].subtasks[0].managedKeyedState.delegate', 55n],
      ['file', 'operators[0].subtasks[0].rawKeyedState.segments[0].handle', 17n],
      ['file', 'operators[0].subtasks[0].inputChannelState[0].delegate', 9n],
    ]);
  });
});

describe('Crc32c: the one CRC-32C', () => {
  it('gives the Castagnoli check value and the Snappy mask', async () => {
    const c = await Crc32c.create();
    const nine = new TextEncoder().encode('123456789');
    expect(c.crc(nine)).toBe(0xe3069283);
    expect(c.hex([nine.subarray(0, 4), nine.subarray(4)])).toBe('e3069283');
    // rotr15(0xe3069283) + 0xa282ead8 mod 2^32, computed independently
    expect(c.masked(nine)).toBe(3347755237);
  });
});
