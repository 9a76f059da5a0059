import { describe, expect, test } from 'vitest';
import { ByteReader } from '@ckpt/format';
import { codecFor, type SerializerSnapshot } from '../src/index.js';

const KRYO: SerializerSnapshot = {
  className: 'org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot',
  version: 2,
  nested: [],
  config: { kind: 'kryo', typeClass: 'java.lang.Object', registrations: [], defaultSerializers: [], defaultSerializerClasses: [] },
};

/** Reads values back to back, as a key is read before its value in a heap savepoint. */
function readAll(bytes: number[]): unknown[] {
  const c = codecFor(KRYO);
  const r = new ByteReader(new Uint8Array(bytes));
  const out: unknown[] = [];
  while (r.remaining > 0) out.push(c.read(r));
  return out;
}

describe('Kryo values inside a stream (keys of heap savepoints)', () => {
  test("Kryo's default registrations are delimited: class tag id + 2, then the value", () => {
    expect(
      readAll([
        0x00, // null
        0x02, 0x0a, // int 5 (zigzag varint)
        0x02, 0x01, // int -1
        0x09, 0xfe, 0xff, 0xff, 0xff, 0x0f, // long 2^31 - 1 (zigzag varint)
        0x03, 0x61, 0xe2, // String "ab" (ASCII, last byte | 0x80)
        0x03, 0x81, // String "" (UTF-8 length 1)
        0x03, 0x83, 0xc3, 0xa9, 0x7a, // String "éz" (UTF-8 length 3)
        0x05, 0x01, // boolean true
        0x06, 0xff, // byte -1
        0x07, 0x00, 0x41, // char 'A'
        0x08, 0xff, 0xfe, // short -2
        0x04, 0x3f, 0x80, 0x00, 0x00, // float 1
        0x0a, 0x40, 0x00, 0, 0, 0, 0, 0, 0, // double 2
      ]),
    ).toEqual([null, 5, -1, 2147483647n, 'ab', '', 'éz', true, -1, 'A', -2, 1, 2]);
  });

  test('a class of the job is refused, naming what the class tag says', () => {
    expect(() => readAll([0x0e, 0x01])).toThrow(expect.objectContaining({ code: 'UnknownSerializer', message: expect.stringContaining('registered #12') }));
    const named = [0x01, 0x00, ...Buffer.from('com.example.Ke'), 0x80 | 'y'.charCodeAt(0), 0x00];
    expect(() => readAll(named)).toThrow(expect.objectContaining({ code: 'UnknownSerializer', message: expect.stringContaining('com.example.Key') }));
  });
});
