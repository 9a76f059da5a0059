import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes, mergeFunctionFor, stringAppend, TombstoneMap, toHex } from '@ckpt/rocksdb';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('TombstoneMap', () => {
  const bytes = fc.uint8Array({ minLength: 0, maxLength: 3, max: 4 });
  const tombstone = fc.record({ start: bytes, end: bytes, seq: fc.bigInt({ min: 1n, max: 50n }) });

  it('gives, for any key, the highest sequence number of the tombstones covering it', () => {
    fc.assert(
      fc.property(fc.array(tombstone, { maxLength: 8 }), fc.array(bytes, { minLength: 1, maxLength: 20 }), (ts, keys) => {
        const map = new TombstoneMap(ts);
        for (const k of keys) {
          let expected = -1n;
          for (const t of ts) if (compareBytes(t.start, k) <= 0 && compareBytes(k, t.end) < 0 && t.seq > expected) expected = t.seq;
          expect(map.coveringSeq(k), `key ${toHex(k)}`).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('fragments overlapping tombstones into disjoint sorted intervals', () => {
    const map = new TombstoneMap([
      { start: enc('a'), end: enc('m'), seq: 5n },
      { start: enc('f'), end: enc('z'), seq: 9n },
      { start: enc('q'), end: enc('q'), seq: 99n },
    ]);
    expect(map.fragments().map((f) => [dec(f.start), dec(f.end), f.seq])).toEqual([
      ['a', 'f', 5n],
      ['f', 'z', 9n],
    ]);
  });
});

describe('merge operators', () => {
  it("string append joins base and operands oldest first with ',' as RocksDB's StringAppendTESTOperator", () => {
    const m = stringAppend();
    expect(dec(m(enc('k'), enc('a'), [enc('b'), enc('c')]))).toBe('a,b,c');
    expect(dec(m(enc('k'), undefined, [enc('b'), enc('c')]))).toBe('b,c');
    expect(dec(m(enc('k'), undefined, [enc('x')]))).toBe('x');
    expect(dec(m(enc('k'), enc(''), [enc('')]))).toBe(',');
  });

  it('knows the operators Flink and RocksDB record, and no others', () => {
    expect(mergeFunctionFor('StringAppendTESTOperator')).toBeDefined();
    expect(mergeFunctionFor('StringAppendOperator')).toBeDefined();
    expect(mergeFunctionFor('UInt64AddOperator')).toBeUndefined();
    expect(mergeFunctionFor(undefined)).toBeUndefined();
  });
});
