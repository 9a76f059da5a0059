import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ByteReader, ByteWriter, readJavaStream, SC_SERIALIZABLE, writeJavaStream, type JavaClassDesc, type JavaContent, type JavaObject } from '@ckpt/format';
import { codecFor, encodeBinaryRow, encodeValue, readVersionedSnapshot } from '../src/index.js';

// A SQL RAW type of a class of the job (as `DataTypes.RAW(Money.class, new MoneySerializer())` gives):
// the snapshot Java-serializes the RawType with the job's serializer inside; ckpt reads that part
// structurally and prints the values as their bytes plus the class name.
const TL = 'org.apache.flink.table.types.logical.';
const SC_ENUM = 0x10; // ObjectStreamConstants.SC_ENUM
const desc = (name: string, fields: JavaClassDesc['fields'], superClass: JavaClassDesc | null = null, flags = SC_SERIALIZABLE): JavaClassDesc => ({
  kind: 'classDesc', name, suid: 1n, flags, fields, superClass,
});
function obj(d: JavaClassDesc, values: Record<string, unknown>): JavaObject {
  const chain: JavaClassDesc[] = [];
  for (let x: JavaClassDesc | null = d; x; x = x.superClass) chain.unshift(x);
  return { kind: 'object', classDesc: d, classData: chain.map((c) => ({ classDesc: c, values: c.fields.map((f) => (values[f.name] ?? null) as never) })) };
}
const ENUM = { ...desc('java.lang.Enum', [], null, SC_ENUM | SC_SERIALIZABLE), suid: 0n };
const ROOT = { ...desc(`${TL}LogicalTypeRoot`, [], ENUM, SC_ENUM | SC_SERIALIZABLE), suid: 0n };
const LOGICAL = desc(`${TL}LogicalType`, [{ code: 'Z', name: 'isNullable' }, { code: 'L', name: 'typeRoot', signature: `L${TL.replaceAll('.', '/')}LogicalTypeRoot;` }]);
const RAW = desc(`${TL}RawType`, [
  { code: 'L', name: 'clazz', signature: 'Ljava/lang/Class;' },
  { code: 'L', name: 'serializer', signature: 'Lorg/apache/flink/api/common/typeutils/TypeSerializer;' },
], LOGICAL);
const ROW = desc(`${TL}RowType`, [{ code: 'L', name: 'fields', signature: 'Ljava/util/List;' }], LOGICAL);
const root = (name: string) => ({ kind: 'enum' as const, classDesc: ROOT, className: ROOT.name, constant: name });

/** A RawType of `com.acme.Money` whose serializer is the job's `com.acme.MoneySerializer` (holding a `com.acme.Rounding`). */
function rawType(serializer: JavaContent = obj(desc('com.acme.MoneySerializer', [{ code: 'L', name: 'rounding', signature: 'Lcom/acme/Rounding;' }]), {
  rounding: obj(desc('com.acme.Rounding', [{ code: 'I', name: 'scale' }]), { scale: 2 }),
})): JavaObject {
  return obj(RAW, { isNullable: true, typeRoot: root('RAW'), clazz: { kind: 'class', classDesc: desc('com.acme.Money', []) }, serializer });
}

function snapshotBytes(type: JavaObject, innerKryoClass: string): Uint8Array {
  const w = new ByteWriter(512);
  w.utf('org.apache.flink.table.runtime.typeutils.RowDataSerializer$RowDataSerializerSnapshot');
  w.i32(3);
  w.i32(1);
  w.raw(writeJavaStream(type));
  (w.i32(1333245), w.i32(1), w.i32(1)); // nested: the RAW field's RawValueDataSerializer
  w.utf('org.apache.flink.table.runtime.typeutils.RawValueDataSerializer$RawValueDataSerializerSnapshot');
  (w.i32(3), w.i32(911108), w.i32(1), w.i32(1333245), w.i32(1), w.i32(1));
  w.utf('org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot');
  w.i32(2);
  w.utf(innerKryoClass);
  for (let i = 0; i < 3; i++) (w.i64(0x4f2c69a3d70n), w.i32(0));
  return w.finish();
}

describe('RAW of a class of the job', () => {
  test('the RawType reads although its serializer is the job\'s; values print as class + bytes', () => {
    const snap = readVersionedSnapshot(new ByteReader(snapshotBytes(rawType(), 'com.acme.Money')));
    expect(snap.config).toMatchObject({ kind: 'rowData', types: [{ root: 'RAW', nullable: true, className: 'com.acme.Money' }] });
    const row = codecFor(snap);
    expect(row.type).toBe('RowData<RAW(com.acme.Money)>');
    const rawField = codecFor(snap.nested[0]!);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      const w = new ByteWriter(64);
      w.lengthPrefixed(encodeBinaryRow({ f0: bytes }, [{ root: 'RAW', nullable: true }]));
      const v = row.read(new ByteReader(w.finish())) as Record<string, unknown>;
      expect(Object.values(v)).toEqual([{ kind: 'raw', class: 'com.acme.Money', bytes }]);
      expect(encodeValue(row, v)).toEqual(w.finish());
      // the RawValueDataSerializer on its own (e.g. a ValueState<RawValueData>): length-prefixed bytes
      const one = encodeValue(rawField, { kind: 'raw', class: 'com.acme.Money', bytes });
      expect(rawField.read(new ByteReader(one))).toEqual({ kind: 'raw', class: 'com.acme.Money', bytes });
    }));
  });

  test('the job\'s classes are let in only inside a RAW type\'s serializer', () => {
    const secret = obj(desc('com.acme.Secret', []), {});
    // the same class as a row's field list element, outside any RAW serializer: refused, named
    const rowType = obj(ROW, { isNullable: true, typeRoot: root('ROW'), fields: secret });
    expect(() => readVersionedSnapshot(new ByteReader(snapshotBytes(rowType, 'com.acme.Money')))).toThrow(
      expect.objectContaining({ code: 'UnknownSerializer', message: expect.stringContaining('com.acme.Secret') }),
    );
    // a RAW type whose serializer holds it reads
    expect(() => readVersionedSnapshot(new ByteReader(snapshotBytes(rawType(secret), 'com.acme.Money')))).not.toThrow();
    // and the writer's TC_CLASS is what the reader reads
    const stream = writeJavaStream(rawType());
    expect(readJavaStream(stream, 0, '', { annotations: true, arrays: true, classes: true }).root).toMatchObject({ classDesc: { name: RAW.name } });
  });
});
