import { describe, expect, test } from 'vitest';
import { ByteReader, ByteWriter, type JavaClassDesc, type JavaObject } from '@ckpt/format';
import { writeJavaStream } from '@ckpt/format';
import { readVersionedSnapshot } from '../src/index.js';

const ROW_DATA = 'org.apache.flink.table.runtime.typeutils.RowDataSerializer$RowDataSerializerSnapshot';

function objectOf(name: string): JavaObject {
  const desc: JavaClassDesc = { kind: 'classDesc', name, suid: 1n, flags: 0x02, fields: [], superClass: null };
  return { kind: 'object', classDesc: desc, classData: [{ classDesc: desc, values: [] }] };
}

/** A RowDataSerializer snapshot whose one field type is the Java-serialized `type`. */
function rowDataSnapshot(type: JavaObject): Uint8Array {
  const w = new ByteWriter(256);
  w.utf(ROW_DATA);
  w.i32(3);
  w.i32(1);
  w.raw(writeJavaStream(type));
  w.i32(1333245); // nested serializers block: magic, version, none
  w.i32(1);
  w.i32(0);
  return w.finish();
}

describe('RowDataSerializer snapshot: Java-serialized logical types behind an allow-list', () => {
  test('a class outside Flink\'s type classes is refused, naming the class', () => {
    const bytes = rowDataSnapshot(objectOf('com.example.Secret'));
    expect(() => readVersionedSnapshot(new ByteReader(bytes))).toThrow(
      expect.objectContaining({ code: 'UnknownSerializer', message: expect.stringContaining('com.example.Secret') }),
    );
  });

  test('an allowed class that is not a logical type is a typed error, not a crash', () => {
    const bytes = rowDataSnapshot(objectOf('org.apache.flink.table.types.logical.NotAType'));
    expect(() => readVersionedSnapshot(new ByteReader(bytes))).toThrow(expect.objectContaining({ code: 'BadValue' }));
  });

  test('a serializable lambda (a nested RowDataSerializer\'s field getter) is read; what it captures is still checked', () => {
    // (the real serial form holds the captured arguments in an Object[]; the test's writer has no
    // arrays, so the argument sits in an Object field: the check walks fields and elements alike)
    const desc: JavaClassDesc = {
      kind: 'classDesc', name: 'java.lang.invoke.SerializedLambda', suid: 1n, flags: 0x02, superClass: null,
      fields: [{ code: 'L', name: 'capturedArg', signature: 'Ljava/lang/Object;' }, { code: 'L', name: 'implMethodName', signature: 'Ljava/lang/String;' }],
    };
    const lambda = (captured: JavaObject): JavaObject => ({
      kind: 'object', classDesc: desc, classData: [{ classDesc: desc, values: [captured, 'lambda$createFieldGetter$1'] }],
    });
    // allowed: past the allow-list, then refused only as not being a logical type
    expect(() => readVersionedSnapshot(new ByteReader(rowDataSnapshot(lambda(objectOf('org.apache.flink.table.types.logical.IntType')))))).toThrow(
      expect.objectContaining({ code: 'BadValue' }),
    );
    expect(() => readVersionedSnapshot(new ByteReader(rowDataSnapshot(lambda(objectOf('com.example.Secret')))))).toThrow(
      expect.objectContaining({ code: 'UnknownSerializer', message: expect.stringContaining('com.example.Secret') }),
    );
  });

  test('every truncation of the snapshot is refused with a typed error', () => {
    const bytes = rowDataSnapshot(objectOf('com.example.Secret'));
    for (let n = 0; n < bytes.length; n++) {
      expect(() => readVersionedSnapshot(new ByteReader(bytes.subarray(0, n)))).toThrow(expect.objectContaining({ code: expect.any(String) }));
    }
  });
});
