import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ByteReader, ByteWriter, SC_SERIALIZABLE, writeJavaStream, type JavaClassDesc, type JavaFieldDesc, type JavaObject } from '@ckpt/format';
import { codecFor, describeSnapshot, encodeValue, MemorySource, readKeyedStateHeader, readOperatorStateHeader, readRawKeyedTimers, type SerializerSnapshot } from '../src/index.js';

const JAVA = 'org.apache.flink.runtime.state.JavaSerializer$JavaSerializerSnapshot';

describe('JavaSerializer values', () => {
  const codec = codecFor({ className: JAVA, version: 3, nested: [] });
  test('a string reads back from the Java serialization stream it is written as, also inside a list', () => {
    const list = codecFor({ className: 'org.apache.flink.api.common.typeutils.base.ListSerializerSnapshot', version: 3, nested: [{ className: JAVA, version: 3, nested: [] }] });
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { maxLength: 4 }), (strings) => {
        for (const s of strings) {
          const bytes = encodeValue(codec, s);
          expect([...bytes.subarray(0, 5)]).toEqual([0xac, 0xed, 0x00, 0x05, 0x74]); // stream header, TC_STRING
          const r = new ByteReader(bytes);
          expect(codec.read(r)).toBe(s);
          expect(r.remaining).toBe(0);
        }
        // Java streams delimit themselves: elements back to back
        expect(list.read(new ByteReader(encodeValue(list, strings)))).toEqual(strings);
      }),
    );
  });
});

// ---- a test-side encoder of the Flink ≤ 1.6 serializer blocks (legacy.ts reads them) --------

/** A legacy config tree: a basic serializer (ParameterlessTypeSerializerConfig) or a composite config. */
type Cfg = { basic: string } | { composite: 'list' | 'map' | 'either' | 'option'; nested: Cfg[] };

const BASIC = ['Long', 'Int', 'String', 'Boolean', 'Double'];
const COMPOSITE = {
  list: ['org.apache.flink.api.common.typeutils.base.CollectionSerializerConfigSnapshot', 1, (n: string[]) => `List<${n.join(', ')}>`],
  map: ['org.apache.flink.api.common.typeutils.base.MapSerializerConfigSnapshot', 2, (n: string[]) => `Map<${n.join(', ')}>`],
  either: ['org.apache.flink.api.java.typeutils.runtime.EitherSerializerConfigSnapshot', 2, (n: string[]) => `Either<${n.join(', ')}>`],
  option: ['org.apache.flink.api.scala.typeutils.ScalaOptionSerializerConfigSnapshot', 1, (n: string[]) => `Option<${n.join(', ')}>`],
} as const;

const cfgArb: fc.Arbitrary<Cfg> = fc.letrec<{ cfg: Cfg }>((tie) => ({
  cfg: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...BASIC).map((basic) => ({ basic })),
    fc.constantFrom('list', 'map', 'either', 'option').chain((composite) =>
      fc.array(tie('cfg'), { minLength: COMPOSITE[composite][1], maxLength: COMPOSITE[composite][1] }).map((nested) => ({ composite, nested })),
    ),
  ),
})).cfg;

function expected(c: Cfg): string {
  if ('basic' in c) return c.basic;
  return COMPOSITE[c.composite][2](c.nested.map(expected));
}

/** `int 1`, `int len`, a minimal Java serialization stream (here: TC_NULL; the config decides). */
function serializerRecord(w: ByteWriter): void {
  w.i32(1);
  w.lengthPrefixed(Uint8Array.of(0xac, 0xed, 0x00, 0x05, 0x70));
}

/** A proxy-version-1 envelope of a config snapshot. */
function envelope(w: ByteWriter, c: Cfg): void {
  w.i32(1);
  if ('basic' in c) {
    w.utf('org.apache.flink.api.common.typeutils.ParameterlessTypeSerializerConfig');
    w.i32(1);
    w.utf(`org.apache.flink.api.common.typeutils.base.${c.basic === 'Int' ? 'Int' : c.basic}Serializer`);
    return;
  }
  w.utf(COMPOSITE[c.composite][0]);
  w.i32(1);
  pairs(w, c.nested);
}

/** "Serializers and configs with resilience": offsets, then the buffer. */
function pairs(w: ByteWriter, cfgs: Cfg[]): void {
  const buf = new ByteWriter(64);
  const offsets: number[] = [];
  for (const c of cfgs) {
    offsets.push(buf.finish().length);
    serializerRecord(buf);
    offsets.push(buf.finish().length);
    envelope(buf, c);
  }
  const bytes = buf.finish();
  w.i32(cfgs.length);
  for (const o of offsets) w.i32(o);
  w.lengthPrefixed(bytes);
}

describe('Flink ≤ 1.6 headers written by a test encoder', () => {
  test('keyed proxy v3–v5 and operator proxy v2–v4: every nested config tree reads as the snapshot it stands for', () => {
    fc.assert(
      fc.property(cfgArb, cfgArb, fc.constantFrom(3, 4, 5), fc.string({ minLength: 1, maxLength: 12 }), (key, value, version, name) => {
        const w = new ByteWriter(256);
        w.i32(version);
        if (version >= 4) w.u8(0); // compression flag
        pairs(w, [key]);
        w.u16(1);
        if (version === 5) {
          w.utf(name);
          w.i32(0); // KEY_VALUE
          w.i32(1);
          w.utf('KEYED_STATE_TYPE');
          w.utf('VALUE');
          w.i32(2);
          w.utf('NAMESPACE_SERIALIZER');
          w.utf('VALUE_SERIALIZER');
        } else {
          w.i32(1); // StateDescriptor.Type VALUE
          w.utf(name);
        }
        pairs(w, [{ basic: 'Long' }, value]);
        const bytes = w.finish();
        const h = readKeyedStateHeader(new ByteReader(bytes));
        expect(h.version).toBe(version);
        expect(h.length).toBe(bytes.length);
        expect(describeSnapshot(h.keySerializer)).toBe(expected(key));
        const s = h.states[0]!;
        expect(s.name).toBe(name);
        const byKey = Object.fromEntries(s.serializers.map(([k, v]: [string, SerializerSnapshot]) => [k, describeSnapshot(v)]));
        expect(byKey).toEqual({ NAMESPACE_SERIALIZER: 'Long', VALUE_SERIALIZER: expected(value) });

        // the same value serializer as an operator list state (proxy v2/v3) and a broadcast state (v3)
        const o = new ByteWriter(256);
        o.i32(version - 1);
        o.u16(1);
        o.utf(name);
        o.u8(1); // UNION
        pairs(o, [value]);
        if (version - 1 >= 3) {
          o.u16(1);
          o.utf(`${name}-b`);
          o.u8(2); // BROADCAST
          pairs(o, [key, value]);
        }
        if (version - 1 <= 3) {
          const oh = readOperatorStateHeader(new ByteReader(o.finish()));
          expect(oh.operatorStates[0]!.options).toEqual([['OPERATOR_STATE_DISTRIBUTION_MODE', 'UNION']]);
          expect(describeSnapshot(oh.operatorStates[0]!.serializers[0]![1])).toBe(expected(value));
          if (version - 1 === 3) expect(oh.broadcastStates[0]!.serializers.map(([k, v]) => [k, describeSnapshot(v)])).toEqual([['KEY_SERIALIZER', expected(key)], ['VALUE_SERIALIZER', expected(value)]]);
        }
      }),
      { numRuns: 200 },
    );
  });
});

// ---- keyed proxy versions 1 and 2: serializers only as Java-serialized objects ------------

type Ser = { basic: string } | { composite: keyof typeof SER_FIELDS; nested: Ser[] };

const SER_FIELDS = {
  list: ['org.apache.flink.api.common.typeutils.base.ListSerializer', ['elementSerializer'], (n: string[]) => `List<${n.join(', ')}>`],
  map: ['org.apache.flink.api.common.typeutils.base.MapSerializer', ['keySerializer', 'valueSerializer'], (n: string[]) => `Map<${n.join(', ')}>`],
  either: ['org.apache.flink.api.java.typeutils.runtime.EitherSerializer', ['leftSerializer', 'rightSerializer'], (n: string[]) => `Either<${n.join(', ')}>`],
  scalaEither: ['org.apache.flink.api.scala.typeutils.EitherSerializer', ['leftSerializer', 'rightSerializer'], (n: string[]) => `Either<${n.join(', ')}>`],
  option: ['org.apache.flink.api.scala.typeutils.OptionSerializer', ['elemSerializer'], (n: string[]) => `Option<${n.join(', ')}>`],
  try: ['org.apache.flink.api.scala.typeutils.TrySerializer', ['elemSerializer'], (n: string[]) => `Try<${n.join(', ')}>`],
} as const;

const serArb: fc.Arbitrary<Ser> = fc.letrec<{ ser: Ser }>((tie) => ({
  ser: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...BASIC).map((basic) => ({ basic })),
    fc.constantFrom(...(Object.keys(SER_FIELDS) as (keyof typeof SER_FIELDS)[])).chain((composite) =>
      fc.array(tie('ser'), { minLength: SER_FIELDS[composite][1].length, maxLength: SER_FIELDS[composite][1].length }).map((nested) => ({ composite, nested })),
    ),
  ),
})).ser;

const desc = (name: string, fields: JavaFieldDesc[], superClass: JavaClassDesc | null): JavaClassDesc => ({ kind: 'classDesc', name, suid: 1n, flags: SC_SERIALIZABLE, fields, superClass });
const TYPE_SERIALIZER = desc('org.apache.flink.api.common.typeutils.TypeSerializer', [], null);
const SINGLETON = desc('org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton', [], TYPE_SERIALIZER);

/** The object `ObjectOutputStream` writes for a serializer: class chain, the nested serializers in object fields. */
function javaObject(s: Ser): JavaObject {
  if ('basic' in s) {
    const d = desc(`org.apache.flink.api.common.typeutils.base.${s.basic}Serializer`, [], SINGLETON);
    return { kind: 'object', classDesc: d, classData: [TYPE_SERIALIZER, SINGLETON, d].map((classDesc) => ({ classDesc, values: [] })) };
  }
  const [name, fields] = SER_FIELDS[s.composite];
  const d = desc(name, fields.map((f) => ({ code: 'L', name: f, signature: 'Lorg/apache/flink/api/common/typeutils/TypeSerializer;' })), TYPE_SERIALIZER);
  return { kind: 'object', classDesc: d, classData: [{ classDesc: TYPE_SERIALIZER, values: [] }, { classDesc: d, values: s.nested.map(javaObject) }] };
}

function serExpected(s: Ser): string {
  return 'basic' in s ? s.basic : SER_FIELDS[s.composite][2](s.nested.map(serExpected));
}

describe('keyed proxy versions 1 and 2, operator proxy version 1, written by a test encoder', () => {
  test('Java-serialized key, namespace, state and operator state serializers read as the snapshots of their classes', () => {
    fc.assert(
      fc.property(serArb, serArb, fc.constantFrom(1, 2), (key, value, version) => {
        const record = (w: ByteWriter, s: Ser) => {
          w.i32(1);
          w.lengthPrefixed(writeJavaStream(javaObject(s)));
        };
        const w = new ByteWriter(256);
        w.i32(version);
        record(w, key);
        w.u16(1);
        w.i32(2); // StateDescriptor.Type LIST
        w.utf('s');
        record(w, { basic: 'Long' });
        record(w, value);
        const bytes = w.finish();
        const h = readKeyedStateHeader(new ByteReader(bytes));
        expect(h.length).toBe(bytes.length);
        expect(describeSnapshot(h.keySerializer)).toBe(serExpected(key));
        expect(h.states[0]!.options).toEqual([['KEYED_STATE_TYPE', 'LIST']]);
        expect(h.states[0]!.serializers.map(([k, v]) => [k, describeSnapshot(v)])).toEqual([['NAMESPACE_SERIALIZER', 'Long'], ['VALUE_SERIALIZER', serExpected(value)]]);

        // operator proxy version 1 (Flink 1.2): name, mode, then the bare Java stream of the serializer
        const o = new ByteWriter(256);
        o.i32(1);
        o.u16(2);
        for (const [name, s] of [['a', key], ['b', value]] as const) {
          o.utf(name);
          o.u8(0); // SPLIT_DISTRIBUTE
          o.raw(writeJavaStream(javaObject(s)));
        }
        const ob = o.finish();
        const oh = readOperatorStateHeader(new ByteReader(ob));
        expect(oh.length).toBe(ob.length);
        expect(oh.broadcastStates).toEqual([]);
        expect(oh.operatorStates.map((m) => [m.name, m.options, describeSnapshot(m.serializers[0]![1])])).toEqual([
          ['a', [['OPERATOR_STATE_DISTRIBUTION_MODE', 'SPLIT_DISTRIBUTE']], serExpected(key)],
          ['b', [['OPERATOR_STATE_DISTRIBUTION_MODE', 'SPLIT_DISTRIBUTE']], serExpected(value)],
        ]);
      }),
      { numRuns: 150 },
    );
  });

  test('a serializer class ckpt does not know is refused, naming it', () => {
    const d = desc('com.example.MySerializer', [], TYPE_SERIALIZER);
    const w = new ByteWriter(256);
    w.i32(1);
    w.i32(1);
    w.lengthPrefixed(writeJavaStream({ kind: 'object', classDesc: d, classData: [{ classDesc: TYPE_SERIALIZER, values: [] }, { classDesc: d, values: [] }] }));
    expect(() => readKeyedStateHeader(new ByteReader(w.finish()))).toThrow(expect.objectContaining({ code: 'UnknownSerializer', message: expect.stringContaining('com.example.MySerializer') }));
  });
});

// ---- heap timers in raw keyed state, in the three layouts of InternalTimerServiceSerializationProxy

describe('timers in raw keyed state written by a test encoder', () => {
  const LONG_SNAPSHOT = 'org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot';
  const timerArb = fc.record({ key: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), namespace: fc.bigInt({ min: 0n, max: 1000n }), timestamp: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }) });
  const groupArb = fc.array(fc.record({ service: fc.string({ minLength: 1, maxLength: 8 }), event: fc.array(timerArb, { maxLength: 3 }), processing: fc.array(timerArb, { maxLength: 3 }) }), { maxLength: 2 });

  test('pre-versioned, v1 and v2 key groups read back as _timer_state/event_|processing_<service> entries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(groupArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 100 }), async (groups, version, start) => {
        const w = new ByteWriter(256);
        const offsets: bigint[] = [];
        for (const services of groups) {
          offsets.push(BigInt(w.finish().length));
          if (version > 0) {
            w.raw(Uint8Array.of(0xf1, 0xcd, 0x85, 0x9f));
            w.i32(version);
          }
          w.i32(services.length);
          for (const s of services) {
            w.utf(s.service);
            if (version === 0) for (let i = 0; i < 2; i++) w.raw(writeJavaStream(javaObject({ basic: 'Long' })));
            else if (version === 1) pairs(w, [{ basic: 'Long' }, { basic: 'Long' }]);
            else for (let i = 0; i < 2; i++) (w.utf(LONG_SNAPSHOT), w.i32(3));
            for (const list of [s.event, s.processing]) {
              w.i32(list.length);
              for (const t of list) (w.i64(t.key), w.i64(t.namespace), w.i64(t.timestamp));
            }
          }
        }
        const bytes = w.finish();
        const handle = { kind: 'keyGroups' as const, keyGroupRange: { start, count: groups.length }, offsets, delegate: { kind: 'byteStream' as const, name: 'raw', data: bytes } };
        const got = await readRawKeyedTimers(handle, new MemorySource(bytes, 'raw'));
        const want = groups.flatMap((services, i) =>
          services.flatMap((s) =>
            (['event', 'processing'] as const).flatMap((d) =>
              (d === 'event' ? s.event : s.processing).map((t) => ({ keyGroup: start + i, state: `_timer_state/${d}_${s.service}`, value: { kind: 'timer', ...t } })),
            ),
          ),
        );
        expect(got.map((e) => ({ keyGroup: e.keyGroup, state: e.state, value: e.value }))).toEqual(want);
        // a byte more in the last key group is not the timer layout
        const longer = Uint8Array.of(...bytes, 0);
        await expect(readRawKeyedTimers({ ...handle, delegate: { ...handle.delegate, data: longer } }, new MemorySource(longer, 'raw'))).rejects.toMatchObject({ code: 'BadValue' });
      }),
      { numRuns: 100 },
    );
  });
});
