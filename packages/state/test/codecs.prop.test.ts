import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ByteReader, ByteWriter } from '@ckpt/format';
import { codecFor, encodeValue, readStringValue, writeStringValue, type SerializerSnapshot } from '../src/index.js';

const B = 'org.apache.flink.api.common.typeutils.base.';
const simple = (t: string): SerializerSnapshot => ({ className: `${B}${t}Serializer$${t}SerializerSnapshot`, version: 3, nested: [] });
const comp = (className: string, nested: SerializerSnapshot[], config?: SerializerSnapshot['config']): SerializerSnapshot => ({
  className, version: 3, nested, ...(config ? { config } : {}),
});
const long = simple('Long');
const str = simple('String');
const int = simple('Int');

const f32 = fc.float({ noNaN: true }).map((x) => Math.fround(x));
const cases: [string, SerializerSnapshot, fc.Arbitrary<unknown>][] = [
  ['Int', int, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })],
  ['Long', long, fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })],
  ['Short', simple('Short'), fc.integer({ min: -32768, max: 32767 })],
  ['Byte', simple('Byte'), fc.integer({ min: -128, max: 127 })],
  ['Boolean', simple('Boolean'), fc.boolean()],
  ['Char', simple('Char'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))],
  ['Float', simple('Float'), f32],
  ['Double', simple('Double'), fc.double({ noNaN: true })],
  ['String', str, fc.option(fc.string({ unit: 'binary', maxLength: 50 }), { nil: null })],
  ['byte[]', { className: `${B}array.BytePrimitiveArraySerializer$BytePrimitiveArraySerializerSnapshot`, version: 3, nested: [] }, fc.uint8Array({ maxLength: 40 })],
  ['List<Long>', comp(`${B}ListSerializerSnapshot`, [long]), fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }))],
  ['Map<Long,String>', comp(`${B}MapSerializerSnapshot`, [long, str]), fc.uniqueArray(fc.tuple(fc.bigInt({ min: 0n, max: 1000n }), fc.option(fc.string(), { nil: null })), { selector: (x) => x[0] }).map((e) => new Map(e))],
  ['Tuple2<Int,String>', comp('org.apache.flink.api.java.typeutils.runtime.TupleSerializerSnapshot', [int, str], { kind: 'tuple', tupleClass: 'org.apache.flink.api.java.tuple.Tuple2' }), fc.tuple(fc.integer(), fc.string())],
  ['Row<Int,String>', comp('org.apache.flink.api.java.typeutils.runtime.RowSerializer$RowSerializerSnapshot', [int, str], { kind: 'row', supportsRowKind: true }), fc.record({ kind: fc.constant('row'), rowKind: fc.constantFrom('INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE'), fields: fc.tuple(fc.option(fc.integer(), { nil: null }), fc.option(fc.string(), { nil: null })) })],
  ['POJO', { className: 'org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot', version: 2, nested: [], config: { kind: 'pojo', pojoClass: 'x.P', fields: [{ name: 'a', snapshot: long }, { name: 'b', snapshot: str }] } }, fc.option(fc.record({ a: fc.option(fc.bigInt({ min: 0n, max: 99n }), { nil: null }), b: fc.option(fc.string(), { nil: null }) }), { nil: null })],
  ['TTL<Long>', comp('org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializerSnapshot', [long, long]), fc.record({ kind: fc.constant('ttl'), value: fc.bigInt({ min: 0n, max: 10n ** 12n }), lastAccessTimestamp: fc.bigInt({ min: 0n, max: 10n ** 13n }) })],
  ['Timer<String,VoidNamespace>', comp('org.apache.flink.streaming.api.operators.TimerSerializerSnapshot', [str, { className: 'org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot', version: 3, nested: [] }]), fc.record({ kind: fc.constant('timer'), timestamp: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), key: fc.string(), namespace: fc.constant(null) })],
  ['Enum', { className: `${B}EnumSerializer$EnumSerializerSnapshot`, version: 3, nested: [], config: { kind: 'enum', enumClass: 'x.E', constants: ['A', 'B', 'C'] } }, fc.constantFrom('A', 'B', 'C')],
];

describe('value codecs round trip', () => {
  for (const [name, snap, arb] of cases) {
    test(name, () => {
      const c = codecFor(snap);
      expect(c.opaque).toBe(false);
      fc.assert(
        fc.property(arb, (v) => {
          const bytes = encodeValue(c, v);
          const r = new ByteReader(bytes);
          expect(c.read(r)).toEqual(v);
          expect(r.remaining).toBe(0);
        }),
        { numRuns: 150 },
      );
    });
  }

  test('StringValue matches the spec examples and round-trips any UTF-16', () => {
    const w = new ByteWriter();
    writeStringValue(w, 'é€\uffff');
    expect([...w.finish()]).toEqual([0x04, 0xe9, 0x01, 0xac, 0x41, 0xff, 0xff, 0x03]);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const w2 = new ByteWriter();
        writeStringValue(w2, s);
        expect(readStringValue(new ByteReader(w2.finish()))).toBe(s);
      }),
    );
  });

  test('an unknown serializer gives an opaque codec instead of a crash', () => {
    const c = codecFor({ className: 'com.example.MySerializerSnapshot', version: 1, nested: [] });
    expect(c.opaque).toBe(true);
    expect(() => c.read(new ByteReader(new Uint8Array(4)))).toThrow(expect.objectContaining({ code: 'UnknownSerializer' }));
    const list = codecFor(comp(`${B}ListSerializerSnapshot`, [{ className: 'com.example.X', version: 1, nested: [] }]));
    expect(list.opaque).toBe(true);
  });
});
