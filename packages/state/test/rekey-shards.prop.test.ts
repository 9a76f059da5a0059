import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { UsageError } from '@ckpt/format';
import { keyGroupRange, murmurHash } from '@ckpt/restore';
import { ownedSubtasks, parseShard, sourceKeyGroupSpans } from '../src/index.js';

const inSpans = (spans: { start: number; end: number }[], k: number) => spans.some((s) => k >= s.start && k <= s.end);

describe('shards of a conversion', () => {
  test('the shards own every new subtask once, in contiguous runs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 40 }), (p, n) => {
        const owned = [...Array(n).keys()].map((index) => ownedSubtasks(p, { index, count: n }));
        expect(owned.flat()).toEqual([...Array(p).keys()]);
        for (const o of owned) if (o.length) expect(o[o.length - 1]! - o[0]!).toBe(o.length - 1);
      }),
    );
  });

  test('the old key groups a slice reads hold every key of its new key groups, and no old key group is read in vain', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2048 }),
        fc.integer({ min: 1, max: 2048 }),
        fc.integer({ min: 1, max: 16 }),
        fc.nat(),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 50, maxLength: 50 }),
        (from, to, p0, i0, hashes) => {
          const p = Math.min(p0, to);
          const r = keyGroupRange(to, p, i0 % p);
          const wanted = [{ start: r.start, end: r.start + r.count - 1 }];
          const spans = sourceKeyGroupSpans(from, to, wanted);
          for (const h of hashes) {
            const m = murmurHash(h);
            if (inSpans(wanted, m % to)) expect(inSpans(spans, m % from)).toBe(true);
          }
          // each old key group read can hold a key of a wanted new one: k ≡ g (mod gcd), and by the
          // Chinese remainder theorem some murmur value below from·to has both
          for (const s of spans) {
            for (const k of [s.start, s.end]) {
              let found = false;
              for (let m = k; m < from * to && !found; m += from) found = inSpans(wanted, m % to);
              expect(found).toBe(true);
            }
          }
          // ascending, disjoint, not touching
          spans.forEach((s, j) => j > 0 && expect(s.start).toBeGreaterThan(spans[j - 1]!.end + 1));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('the same max parallelism reads exactly the same key groups', () => {
    expect(sourceKeyGroupSpans(128, 128, [{ start: 32, end: 63 }])).toEqual([{ start: 32, end: 63 }]);
    expect(sourceKeyGroupSpans(256, 128, [{ start: 0, end: 9 }])).toEqual([{ start: 0, end: 9 }, { start: 128, end: 137 }]);
    expect(sourceKeyGroupSpans(127, 128, [{ start: 0, end: 0 }])).toEqual([{ start: 0, end: 126 }]);
  });

  test('--shard i/n parses 0-based and refuses the rest', () => {
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/4', 'a/b', '1', '1/4/5']) expect(() => parseShard(bad)).toThrow(UsageError);
  });
});
