import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ByteReader,
  ByteWriter,
  SC_SERIALIZABLE,
  SC_WRITE_METHOD,
  writeJavaStream,
  type JavaClassDesc,
  type JavaObject,
} from '@ckpt/format';
import { codecFor, encodeValue, readVersionedSnapshot } from '../src/index.js';
import { corpusKeyedState } from './support.js';

// Flink's own Scala migration savepoints (flink-tests, StatefulJobSavepointMigrationITCase, heap backend):
// a `Try` state whose Failure holds a RuntimeException, read in place from the shared corpus.
const CORPUS = '/work/shared/fixtures/flink-corpus';
const HEAP_SP = [`${CORPUS}/0562/_metadata`, `${CORPUS}/0620/_metadata`].filter((p) => existsSync(p));

const entriesOf = async (path: string) => (await corpusKeyedState(path, 'tryFailureState')).entries;

describe.skipIf(HEAP_SP.length === 0)('scala.util.Failure in real heap savepoints (Kryo → Java-serialized Throwable)', () => {
  test.each(HEAP_SP)('%s: every Failure comes out with its exception class and top frame; the entries after it too', async (path) => {
    const entries = await entriesOf(path);
    const failures = entries.filter((e) => e.state === 'tryFailureState');
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.value).toMatchObject({
        kind: 'failure',
        throwable: {
          kind: 'kryo',
          declared: 'java.lang.Throwable',
          class: 'java.lang.RuntimeException',
          exception: { class: 'java.lang.RuntimeException', message: null, at: expect.stringContaining('StatefulFlatMapper.flatMap(') },
        },
      });
    }
    // the stream went on past each Failure: states written after it in the same key group were read
    expect(new Set(entries.map((e) => e.state)).size).toBeGreaterThan(5);
  });
});

// ---- constructed Java-serialized Throwables ----

const THROWABLE: JavaClassDesc = {
  kind: 'classDesc',
  name: 'java.lang.Throwable',
  suid: -3042686055658047285n,
  flags: SC_SERIALIZABLE | SC_WRITE_METHOD,
  fields: [
    { code: 'L', name: 'cause', signature: 'Ljava/lang/Throwable;' },
    { code: 'L', name: 'detailMessage', signature: 'Ljava/lang/String;' },
    { code: 'L', name: 'suppressedExceptions', signature: 'Ljava/util/List;' },
  ],
  superClass: null,
};
const sub = (name: string, superClass: JavaClassDesc): JavaClassDesc => ({ kind: 'classDesc', name, suid: 1n, flags: SC_SERIALIZABLE, fields: [], superClass });
const EXCEPTION = sub('java.lang.Exception', THROWABLE);
const CLASSES = [sub('java.lang.RuntimeException', EXCEPTION), sub('java.lang.IllegalStateException', EXCEPTION), sub('com.acme.Boom', EXCEPTION)];

function throwable(chain: { cls: number; message: string | null }[]): JavaObject {
  let cause: JavaObject | null = null;
  for (let i = chain.length - 1; i >= 0; i--) {
    const desc = CLASSES[chain[i]!.cls]!;
    const o: JavaObject = { kind: 'object', classDesc: desc, classData: [] };
    const data = [];
    for (let d: JavaClassDesc | null = desc; d !== null; d = d.superClass) data.unshift({ classDesc: d, values: [] as never[] });
    // Throwable writes `cause == this` for "no cause"
    data[0]!.values = [cause ?? o, chain[i]!.message, null] as never[];
    o.classData = data;
    cause = o;
  }
  return cause!;
}

/** What Flink's KryoSerializer<Throwable> writes: class tag by name, reference marker, the Java stream. */
function kryoThrowable(o: JavaObject): Uint8Array {
  const w = new ByteWriter(256);
  const name = [...o.classDesc.name].map((c) => c.charCodeAt(0));
  name[name.length - 1]! |= 0x80;
  w.raw(Uint8Array.of(1, 0, ...name, 1));
  w.raw(writeJavaStream(o));
  return w.finish();
}

function snapshot(className: string, write: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter(64);
  write(w);
  return w.finish();
}

const KRYO_THROWABLE = readVersionedSnapshot(new ByteReader(snapshot('kryo', (w) => {
  w.utf('org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot');
  w.i32(2);
  w.utf('java.lang.Throwable');
  for (let i = 0; i < 3; i++) (w.i64(0x4f2c69a3d70n), w.i32(0));
})));
const LIST_OF_TRY = readVersionedSnapshot(new ByteReader(snapshot('list', (w) => {
  w.utf('org.apache.flink.api.common.typeutils.base.ListSerializerSnapshot');
  w.i32(3);
  w.i32(911108); // composite magic
  w.i32(1);
  (w.i32(1333245), w.i32(1), w.i32(1)); // one nested: Try<Long>
  w.utf('org.apache.flink.api.scala.typeutils.ScalaTrySerializerSnapshot');
  w.i32(3);
  (w.i32(911108), w.i32(1), w.i32(1333245), w.i32(1), w.i32(2));
  w.utf('org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot');
  w.i32(3);
  w.raw(snapshot('kryo', (x) => {
    x.utf('org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot');
    x.i32(2);
    x.utf('java.lang.Throwable');
    for (let i = 0; i < 3; i++) (x.i64(0x4f2c69a3d70n), x.i32(0));
  }));
})));

const chainArb = fc.array(fc.record({ cls: fc.integer({ min: 0, max: CLASSES.length - 1 }), message: fc.option(fc.string(), { nil: null }) }), { minLength: 1, maxLength: 4 });

describe('Kryo Throwables delimit themselves (Java serialization inside Kryo)', () => {
  test('property: a List<Try<Long>> of Failures and Successes reads back every exception, message and cause, and encodes to the same bytes', () => {
    const codec = codecFor(LIST_OF_TRY);
    expect(codec.opaque).toBe(false);
    const item = fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((v) => ({ ok: v })), chainArb.map((chain) => ({ chain })));
    fc.assert(fc.property(fc.array(item, { maxLength: 5 }), (items) => {
      const w = new ByteWriter(256);
      w.i32(items.length);
      for (const it of items) {
        if ('ok' in it) (w.u8(1), w.i64(it.ok));
        else (w.u8(0), w.raw(kryoThrowable(throwable(it.chain))));
      }
      const bytes = w.finish();
      const r = new ByteReader(bytes);
      const v = codec.read(r) as { kind: string; value?: bigint; throwable?: { exception: unknown } }[];
      expect(r.remaining).toBe(0);
      items.forEach((it, i) => {
        if ('ok' in it) return expect(v[i]).toEqual({ kind: 'success', value: it.ok });
        let expected: unknown;
        for (const c of [...it.chain].reverse()) expected = { class: CLASSES[c.cls]!.name, message: c.message, ...(expected ? { cause: expected } : {}) };
        expect(v[i]!.throwable!.exception).toEqual(expected);
      });
      expect(encodeValue(codec, v)).toEqual(bytes);
    }));
  });

  test('a cut or damaged stream is refused naming the class, never read as something else', () => {
    const codec = codecFor(KRYO_THROWABLE);
    const good = kryoThrowable(throwable([{ cls: 2, message: 'boom' }]));
    expect(codec.read(new ByteReader(good))).toMatchObject({ class: 'com.acme.Boom', exception: { class: 'com.acme.Boom', message: 'boom' } });
    for (let cut = 1; cut < good.length; cut += 7) {
      expect(() => codec.read(new ByteReader(good.subarray(0, cut)))).toThrow();
    }
    const notJava = Uint8Array.of(...good.subarray(0, good.indexOf(0xac)), 0x05, 0x06, 0x07);
    expect(() => codec.read(new ByteReader(notJava))).toThrow(expect.objectContaining({ code: 'UnknownSerializer', message: expect.stringContaining('com.acme.Boom') }));
    // a Java stream whose object is not a Throwable is not what Flink's Kryo Java-serializes
    const base: JavaClassDesc = { ...THROWABLE, name: 'com.acme.Base', fields: [] };
    const pojo = sub('com.acme.Pojo', base);
    const other = kryoThrowable({ kind: 'object', classDesc: pojo, classData: [{ classDesc: base, values: [] }, { classDesc: pojo, values: [] }] });
    expect(() => codec.read(new ByteReader(other))).toThrow(expect.objectContaining({ code: 'UnknownSerializer' }));
  });
});
