import type { DistributionMode, OperatorStateHandle } from '@ckpt/format';
import { describe, expect, it } from 'vitest';
import { ambiguousOldSubtasks, javaHashMapOrder, repartitionOperatorState, rescaleMappings } from '../src/index.js';

function h(file: string, states: Record<string, number[]>, mode: DistributionMode = 'SPLIT_DISTRIBUTE'): OperatorStateHandle {
  return {
    kind: 'operatorStream',
    delegate: { kind: 'relativeFile', relativePath: file, size: 100n },
    states: Object.entries(states).map(([name, offs]) => ({ name, mode, offsets: offs.map(BigInt) })),
  };
}

/** subtask → file → name → offsets (order-insensitive view, as §5.5 says). */
function view(r: OperatorStateHandle[][]): Record<string, Record<string, number[]>>[] {
  return r.map((hs) => {
    const out: Record<string, Record<string, number[]>> = {};
    for (const x of hs) {
      const f = x.delegate.kind === 'relativeFile' ? x.delegate.relativePath : '?';
      out[f] = Object.fromEntries(x.states.map((s) => [s.name, s.offsets.map(Number)]));
    }
    return out;
  });
}

describe('operator state (spec §9.3–§9.6)', () => {
  it('§9.3 split 7 partitions 2 → 3', () => {
    const r = repartitionOperatorState([[h('H0', { buffer: [0, 10, 20, 30] })], [h('H1', { buffer: [0, 10, 20] })]], 3);
    expect(view(r)).toEqual([
      { H0: { buffer: [0, 10, 20] } },
      { H0: { buffer: [30] }, H1: { buffer: [0] } },
      { H1: { buffer: [10, 20] } },
    ]);
  });
  it('§9.4 rotation across two names', () => {
    const r = repartitionOperatorState([[h('H0', { a: [0], b: [5] })], [h('H1', { a: [0], b: [5] })]], 3);
    expect(view(r)).toEqual([{ H0: { a: [0] }, H1: { b: [5] } }, { H1: { a: [0] } }, { H0: { b: [5] } }]);
  });
  it('§9.5 empty handle attached, over-provisioning', () => {
    const r = repartitionOperatorState([[h('H0', { buffer: [0, 10] })], [h('H1', { buffer: [] })], [h('H2', { buffer: [0, 10, 20] })]], 2);
    expect(view(r)).toEqual([{ H0: { buffer: [0, 10] }, H1: { buffer: [] }, H2: { buffer: [0] } }, { H2: { buffer: [10, 20] } }]);
    const up = repartitionOperatorState([[h('H0', { buffer: [0] })], [h('H1', { buffer: [0] })]], 4);
    expect(view(up)).toEqual([{ H0: { buffer: [0] } }, { H1: { buffer: [0] } }, {}, {}]);
  });
  it('§9.6 UNION reaches every subtask, also without rescale', () => {
    const old = [[h('H0', { t: [0] }, 'UNION')], [h('H1', { t: [0] }, 'UNION')]];
    for (const p of [2, 3]) {
      const r = repartitionOperatorState(old, p);
      expect(view(r)).toEqual(Array.from({ length: p }, () => ({ H0: { t: [0] }, H1: { t: [0] } })));
    }
  });
  it('§9.6 BROADCAST 3 → 5 takes copy i mod 3', () => {
    const old = [0, 1, 2].map((i) => [h(`H${i}`, { bc: [0] }, 'BROADCAST')]);
    expect(view(repartitionOperatorState(old, 5)).map((s) => Object.keys(s))).toEqual([['H0'], ['H1'], ['H2'], ['H0'], ['H1']]);
    expect(view(repartitionOperatorState(old, 2)).map((s) => Object.keys(s))).toEqual([['H0'], ['H1']]);
  });
  it('unchanged parallelism with split state only returns the old lists', () => {
    const old = [[h('H0', { buffer: [0, 10] })], [h('H1', { buffer: [0] })]];
    const r = repartitionOperatorState(old, 2);
    expect(r[0]![0]).toBe(old[0]![0]);
  });
  it('§5.6 HashMap order of 7 names', () => {
    expect(javaHashMapOrder(['window-contents', 'buffer', 'pending-commits', 'offsets', 'c', 'b', 'a'])).toEqual([
      'a', 'b', 'c', 'offsets', 'pending-commits', 'buffer', 'window-contents',
    ]);
  });
});

describe('channel-state mappers (spec §7.6)', () => {
  const cases: [number, number, number[][], number[][], number[]][] = [
    [3, 2, [[0, 2], [1]], [[0, 1], [1, 2]], [1]],
    [2, 3, [[0], [1], []], [[0], [0, 1], [1]], [0, 1]],
    [10, 4, [[0, 4, 8], [1, 5, 9], [2, 6], [3, 7]], [[0, 1, 2], [2, 3, 4], [5, 6, 7], [7, 8, 9]], [2, 7]],
    [5, 3, [[0, 3], [1, 4], [2]], [[0, 1], [1, 2, 3], [3, 4]], [1, 3]],
    [3, 5, [[0], [1], [2], [], []], [[0], [0, 1], [1], [1, 2], [2]], [0, 1, 2]],
  ];
  for (const [o, n, rr, range, amb] of cases) {
    it(`${o} → ${n}`, () => {
      expect(rescaleMappings('ROUND_ROBIN', o, n)).toEqual(rr);
      expect(rescaleMappings('RANGE', o, n)).toEqual(range);
      expect(ambiguousOldSubtasks(rescaleMappings('RANGE', o, n))).toEqual(amb);
    });
  }
  it('FIRST / FULL / UNSUPPORTED', () => {
    expect(rescaleMappings('FIRST', 3, 2)).toEqual([[0, 1, 2], []]);
    expect(rescaleMappings('FULL', 3, 2)).toEqual([[0, 1, 2], [0, 1, 2]]);
    expect(() => rescaleMappings('UNSUPPORTED', 3, 2)).toThrow(/Cannot rescale the given pointwise partitioner/);
  });
});
