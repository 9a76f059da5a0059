import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes, mergeFunctionFor, PackedPairs, stringAppend, TombstoneMap, toHex } from '@ckpt/rocksdb';

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

  it('writes the same bytes into a growing buffer after what it holds (into) as it returns', () => {
    const part = fc.uint8Array({ maxLength: 30 });
    fc.assert(
      fc.property(fc.option(part, { nil: undefined }), fc.array(part, { minLength: 1, maxLength: 6 }), part, fc.nat(40), fc.constantFrom(',', ';;', ''), (base, operands, before, room, d) => {
        const m = stringAppend(d);
        const sink = new PackedPairs(room, 1);
        sink.append(before);
        m.into!(sink, enc('k'), base, operands);
        expect([...sink.bytes.subarray(0, sink.used)]).toEqual([...before, ...m(enc('k'), base, operands)]);
      }),
    );
  });

  it('knows the operators Flink and RocksDB record, and no others', () => {
    expect(mergeFunctionFor('StringAppendTESTOperator')).toBeDefined();
    expect(mergeFunctionFor('StringAppendOperator')).toBeDefined();
    expect(mergeFunctionFor('UInt64AddOperator')).toBeUndefined();
    expect(mergeFunctionFor(undefined)).toBeUndefined();
  });
});

describe('PackedPairs', () => {
  it('gives back every committed pair, whatever buffer it starts with (growth of bytes and ends)', () => {
    const pair = fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 70 }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 60 }), fc.nat(64), fc.integer({ min: 1, max: 8 }), (pairs, bytes, slots) => {
        const p = new PackedPairs(bytes, slots);
        for (const [k, v] of pairs) {
          p.append(k);
          const keyEnd = p.used;
          p.append(v);
          p.commit(keyEnd);
        }
        expect(p.count).toBe(pairs.length);
        expect(Array.from({ length: p.count }, (_, i) => [toHex(p.key(i)), toHex(p.value(i))])).toEqual(pairs.map(([k, v]) => [toHex(k), toHex(v)]));
      }),
      { numRuns: 200 },
    );
  });
});
