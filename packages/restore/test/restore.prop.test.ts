import type { CheckpointMetadata, DistributionMode, KeyGroupRange, KeyedStateHandle, OperatorStateHandle } from '@ckpt/format';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignStates,
  keyGroupForKeyHash,
  keyGroupPartitions,
  keyGroupRange,
  keyedHandlesForRange,
  keyedHandlesForRanges,
  normalizeJob,
  operatorIndexForKeyGroup,
  repartitionOperatorState,
  restorePlan,
} from '../src/index.js';

const mp = fc.integer({ min: 1, max: 32768 }).chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 1, max: Math.min(m, 300) })));

describe('key-group properties', () => {
  it('ranges partition [0, m) and agree with operatorIndexForKeyGroup', () => {
    fc.assert(
      fc.property(mp, ([m, p]) => {
        let next = 0;
        for (let i = 0; i < p; i++) {
          const r = keyGroupRange(m, p, i);
          expect(r.start).toBe(next);
          expect(r.count === Math.floor(m / p) || r.count === Math.ceil(m / p)).toBe(true);
          expect(operatorIndexForKeyGroup(m, p, r.start)).toBe(i);
          expect(operatorIndexForKeyGroup(m, p, r.start + r.count - 1)).toBe(i);
          next += r.count;
        }
        expect(next).toBe(m);
      }),
    );
  });
  it('key group of any hash is in [0, m)', () => {
    fc.assert(fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), fc.integer({ min: 1, max: 32768 }), (h, m) => {
      const kg = keyGroupForKeyHash(h, m);
      return kg >= 0 && kg < m;
    }));
  });
  it('every key group is assigned exactly once after rescaling full-snapshot handles', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), (m, a, b) => {
        const pOld = Math.min(a, m);
        const pNew = Math.min(b, m);
        const old: KeyedStateHandle[][] = keyGroupPartitions(m, pOld).map((r, i) => [{
          kind: 'keyGroups', keyGroupRange: r, offsets: Array.from({ length: r.count }, (_, k) => BigInt(k * 10)),
          delegate: { kind: 'relativeFile', relativePath: `f${i}`, size: BigInt(r.count * 10) },
        }]);
        const seen = new Array<number>(m).fill(0);
        for (const r of keyGroupPartitions(m, pNew)) {
          for (const h of keyedHandlesForRange(old, r)) {
            expect(h.keyGroupRange.start).toBeGreaterThanOrEqual(r.start);
            expect(h.kind === 'keyGroups' && h.offsets.length === h.keyGroupRange.count).toBe(true);
            for (let k = 0; k < h.keyGroupRange.count; k++) seen[h.keyGroupRange.start + k]!++;
          }
        }
        expect(seen.every((c) => c === 1)).toBe(true);
      }),
    );
  });
});

const oldStates = fc.array(
  fc.record({
    split: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 6 }),
    names: fc.subarray(['a', 'b', 'offsets', 'buffer'], { minLength: 1 }),
  }),
  { minLength: 1, maxLength: 6 },
);

function handles(spec: { split: number[]; names: string[] }[], mode: DistributionMode): OperatorStateHandle[][] {
  return spec.map((s, i) => [{
    kind: 'operatorStream',
    delegate: { kind: 'relativeFile', relativePath: `h${i}`, size: 1000n },
    states: s.names.map((name) => ({ name, mode, offsets: s.split.map(BigInt) })),
  }]);
}

describe('keyed handles for all new subtasks at once', () => {
  // Valid handles (one offset per key group of the range) and an expectation computed key group by
  // key group, independently of intersectKeyGroupRanges and of the batched binary search.
  type Kind = 'keyGroups' | 'savepointKeyGroups' | 'incremental';
  /** The offset of key group `kg` in handle `id`: distinct, so a wrong slice shows. */
  const offsetOf = (id: string, kg: number) => BigInt(kg * 1000 + ([...id].reduce((a, c) => a * 31 + c.charCodeAt(0), 0) % 997));

  function handle(kind: Kind, id: string, range: KeyGroupRange, withId: boolean): KeyedStateHandle {
    const delegate = { kind: 'relativeFile' as const, relativePath: id, size: BigInt(range.count * 1000 + 1000) };
    if (kind === 'incremental') {
      return { kind, checkpointId: 3n, backendId: `backend-${id}`, keyGroupRange: range, metaStateHandle: delegate, sharedState: [], privateState: [] };
    }
    const offsets = Array.from({ length: range.count }, (_, i) => offsetOf(id, range.start + i));
    if (kind === 'savepointKeyGroups') return { kind, keyGroupRange: range, offsets, delegate };
    return { kind, keyGroupRange: range, offsets, delegate, ...(withId ? { stateHandleId: `id-${id}` } : {}) };
  }

  /** What Flink gives a new subtask of range `r`: handle by handle, old-subtask order, clipped to `r`. */
  function expectedFor(old: KeyedStateHandle[][], r: KeyGroupRange): unknown[] {
    const out: unknown[] = [];
    for (const hs of old) {
      for (const h of hs) {
        const kgs: number[] = [];
        for (let kg = h.keyGroupRange.start; kg < h.keyGroupRange.start + h.keyGroupRange.count; kg++) {
          if (kg >= r.start && kg < r.start + r.count) kgs.push(kg);
        }
        if (kgs.length === 0) continue;
        if (h.kind === 'incremental') {
          out.push(h); // the whole handle: the backend clips on restore
        } else if (h.kind === 'keyGroups' || h.kind === 'savepointKeyGroups') {
          const id = h.delegate.kind === 'relativeFile' ? h.delegate.relativePath : '';
          // a new handle: intersected range, its offsets, no stateHandleId (Flink makes a new random one)
          out.push({ kind: h.kind, keyGroupRange: { start: kgs[0], count: kgs.length }, offsets: kgs.map((kg) => offsetOf(id, kg)), delegate: h.delegate });
        }
      }
    }
    return out;
  }

  const kind = fc.constantFrom<Kind>('keyGroups', 'savepointKeyGroups', 'incremental');
  /** What Flink writes: old subtask j holds key groups keyGroupRange(m, pOld, j), in 0–2 handles. */
  const ordered = fc.integer({ min: 1, max: 384 }).chain((m) =>
    fc.tuple(
      fc.constant(m),
      fc.array(fc.record({ kind, handles: fc.integer({ min: 0, max: 2 }), withId: fc.boolean() }), { minLength: 1, maxLength: Math.min(m, 12) }),
      fc.integer({ min: 1, max: Math.min(m, 20) }),
    ),
  );
  /** Anything valid: overlapping, unordered, empty ranges. */
  const arbitrary = fc.tuple(
    fc.array(fc.array(fc.record({ start: fc.integer({ min: 0, max: 300 }), count: fc.integer({ min: 0, max: 80 }), kind, withId: fc.boolean() }), { maxLength: 3 }), { maxLength: 12 }),
    fc.integer({ min: 1, max: 20 }),
  );

  function check(old: KeyedStateHandle[][], ranges: KeyGroupRange[]): void {
    const got = keyedHandlesForRanges(old, ranges);
    expect(got).toEqual(ranges.map((r) => expectedFor(old, r)));
    for (const [i, r] of ranges.entries()) expect(keyedHandlesForRange(old, r)).toEqual(got[i]);
  }

  it('ascending, disjoint old subtasks (the binary-search path) give every new subtask its clipped handles', () => {
    fc.assert(
      fc.property(ordered, ([m, olds, newP]) => {
        const old = olds.map((o, j) => {
          const range = keyGroupRange(m, olds.length, j);
          const half = Math.floor(range.count / 2);
          // two handles split the subtask's range (as two files would); one covers all of it
          const parts = o.handles === 2 ? [{ start: range.start, count: half }, { start: range.start + half, count: range.count - half }] : o.handles === 1 ? [range] : [];
          return parts.map((p, k) => handle(o.kind, `f${j}-${k}`, p, o.withId));
        });
        check(old, keyGroupPartitions(m, newP));
      }),
    );
  });

  it('arbitrary old handles (overlapping, unordered, empty) give the same', () => {
    fc.assert(
      fc.property(arbitrary, ([olds, newP]) => {
        const old = olds.map((hs, j) => hs.map((h, k) => handle(h.kind, `f${j}-${k}`, { start: h.start, count: h.count }, h.withId)));
        check(old, keyGroupPartitions(384, newP));
      }),
    );
  });

  it('a worked example: two old subtasks of 8 key groups onto three new ones', () => {
    const old = [[handle('keyGroups', 'a', { start: 0, count: 4 }, true)], [handle('savepointKeyGroups', 'b', { start: 4, count: 4 }, false)]];
    const got = keyedHandlesForRanges(old, keyGroupPartitions(8, 3));
    expect(got.map((hs) => hs.map((h) => [h.kind, h.keyGroupRange.start, h.keyGroupRange.count, (h as { offsets: bigint[] }).offsets.map(Number)]))).toEqual([
      [['keyGroups', 0, 3, [97, 1097, 2097]]], // 'a' is 97
      [['keyGroups', 3, 1, [3097]], ['savepointKeyGroups', 4, 2, [4098, 5098]]],
      [['savepointKeyGroups', 6, 2, [6098, 7098]]],
    ]);
    expect(got[0]![0]).not.toHaveProperty('stateHandleId');
  });
});

describe('operator-state properties', () => {
  it('SPLIT_DISTRIBUTE: partitions preserved in total and in order', () => {
    fc.assert(fc.property(oldStates, fc.integer({ min: 1, max: 9 }), (spec, p) => {
      const old = handles(spec, 'SPLIT_DISTRIBUTE');
      const res = repartitionOperatorState(old, p);
      expect(res.length).toBe(p);
      for (const name of ['a', 'b', 'offsets', 'buffer']) {
        const before = old.flatMap((hs) => hs.flatMap((h) => h.states.filter((s) => s.name === name).map((s) => s.offsets.map((o) => `${h.delegate.kind === 'relativeFile' ? h.delegate.relativePath : ''}@${o}`)))).flat();
        const pieces = res.flatMap((hs) => hs.flatMap((h) => h.states.filter((s) => s.name === name).map((s) => s.offsets.map((o) => `${h.delegate.kind === 'relativeFile' ? h.delegate.relativePath : ''}@${o}`))));
        // every chunk is a contiguous slice; concatenated in (file, offset-position) order they give the input
        expect(pieces.flat().sort()).toEqual([...before].sort());
        const totals = res.map((hs) => hs.reduce((n, h) => n + h.states.filter((s) => s.name === name).reduce((k, s) => k + s.offsets.length, 0), 0));
        if (p !== old.length) expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(1);
      }
    }));
  });
  it('UNION reaches every subtask with every partition', () => {
    fc.assert(fc.property(oldStates, fc.integer({ min: 1, max: 9 }), (spec, p) => {
      const old = handles(spec, 'UNION');
      const res = repartitionOperatorState(old, p);
      const all = old.flat().flatMap((h) => h.states.map((s) => `${h.delegate.kind === "relativeFile" ? h.delegate.relativePath : ""}/${s.name}`)).sort();
      for (const hs of res) expect(hs.flatMap((h) => h.states.map((s) => `${h.delegate.kind === "relativeFile" ? h.delegate.relativePath : ""}/${s.name}`)).sort()).toEqual(all);
    }));
  });
  it('BROADCAST: every subtask gets exactly one copy per name', () => {
    fc.assert(fc.property(oldStates, fc.integer({ min: 1, max: 9 }), (spec, p) => {
      const res = repartitionOperatorState(handles(spec, 'BROADCAST'), p);
      const names = new Set(spec.flatMap((s) => s.names));
      for (const hs of res) {
        const got = hs.flatMap((h) => h.states.map((s) => s.name));
        if (p !== spec.length) expect(got.sort()).toEqual([...names].sort());
      }
    }));
  });
});

describe('restore plan properties', () => {
  it('attributed bytes of all subtasks add up to the stored keyed bytes', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 }), (m, a, b) => {
      const pOld = Math.min(a, m);
      const pNew = Math.min(b, m);
      let total = 0n;
      const meta: CheckpointMetadata = {
        version: 6, checkpointId: 7n, masterStates: [],
        operators: [{
          operatorId: '0123456789abcdef0123456789abcdef', parallelism: pOld, maxParallelism: m, coordinatorState: null,
          subtasks: keyGroupPartitions(m, pOld).map((r, i) => {
            const size = BigInt(20 + r.count * 7);
            total += size;
            return {
              index: i, managedOperatorState: null, rawOperatorState: null, rawKeyedState: null, inputChannelState: [], resultSubpartitionState: [],
              managedKeyedState: { kind: 'savepointKeyGroups', keyGroupRange: r, offsets: Array.from({ length: r.count }, (_, k) => BigInt(20 + k * 7)), delegate: { kind: 'relativeFile', relativePath: `k${i}`, size } },
            };
          }),
        }],
      };
      const job = normalizeJob({ vertices: [{ parallelism: pNew, maxParallelism: m, operators: ['0123456789abcdef0123456789abcdef'] }] });
      const a1 = assignStates(meta, job);
      expect(a1.ok).toBe(true);
      const plan = restorePlan(meta, a1);
      expect(plan.totalBytes).toBe(total);
    }));
  });
});
