import { ByteReader } from '@ckpt/format';
import { javaHashCode, keyGroupForKeyHash, longHashCode, type JavaKey } from '@ckpt/restore';
import { codecFor } from '../serializers/codecs.js';
import { StateError } from '../errors.js';
import { CLS, SIMPLE, describeSnapshot, type SerializerSnapshot } from '../serializers/snapshot.js';
import type { RowValue } from '../serializers/values.js';
import { rowDataKeyHash } from './row-data-hash.js';

/** Turns a decoded key value into the Java object whose `hashCode()` Flink hashes. */
export type JavaKeyOf = (v: unknown) => JavaKey;

const SIMPLE_KEYS: Record<string, (v: unknown) => JavaKey> = {
  String: (v) => ({ type: 'String', value: v as string }),
  Int: (v) => ({ type: 'Integer', value: v as number }),
  Short: (v) => ({ type: 'Short', value: v as number }),
  Byte: (v) => ({ type: 'Byte', value: v as number }),
  Long: (v) => ({ type: 'Long', value: v as bigint }),
  Boolean: (v) => ({ type: 'Boolean', value: v as boolean }),
  Char: (v) => ({ type: 'Character', value: v as string }),
  Double: (v) => ({ type: 'Double', value: v as number }),
  Float: (v) => ({ type: 'Float', value: v as number }),
};

function unsupported(s: SerializerSnapshot, why: string): StateError {
  return new StateError(
    'UnsupportedKey',
    `keys written by ${describeSnapshot(s)} (${s.className}) cannot be re-keyed: ${why}`,
  );
}

function nullable(f: JavaKeyOf): (v: unknown) => JavaKey | null {
  return (v) => (v === null ? null : f(v));
}

/**
 * Builds the key → Java object mapping for a key serializer snapshot: the boxed primitives and
 * String, Flink tuples and rows of them. Anything else (POJOs, enums — identity hash —, arrays,
 * Kryo, Avro, unknown serializers) is a typed `UnsupportedKey` error naming the serializer.
 */
export function javaKeyOf(s: SerializerSnapshot): JavaKeyOf {
  const simple = SIMPLE[s.className];
  if (simple !== undefined) {
    const f = SIMPLE_KEYS[simple];
    if (!f) throw unsupported(s, `Java's hashCode of ${simple} is not computed by ckpt`);
    return (v) => {
      if (v === null) throw new StateError('BadValue', 'a key is null');
      return f(v);
    };
  }
  const cfg = s.config;
  if (cfg?.kind === 'tuple') {
    const fields = s.nested.map((n) => nullable(javaKeyOf(n)));
    return (v) => ({ type: 'Tuple', fields: fields.map((f, i) => f((v as unknown[])[i])) });
  }
  if (cfg?.kind === 'row') {
    const fields = s.nested.map((n) => nullable(javaKeyOf(n)));
    return (v) => {
      const row = v as RowValue;
      return { type: 'Row', kind: row.rowKind, fields: fields.map((f, i) => f(row.fields[i])) };
    };
  }
  if (cfg?.kind === 'enum') throw unsupported(s, 'enum keys hash by object identity, which differs in every JVM');
  if (s.className === CLS.kryo || s.className === CLS.avro) throw unsupported(s, 'the hashCode of the key class is user code');
  if (cfg?.kind === 'pojo') throw unsupported(s, 'the hashCode of a POJO key is user code');
  throw unsupported(s, 'no Java hashCode is known for this serializer');
}

/** Key group of a decoded key under `maxParallelism`, as Flink's `KeyGroupRangeAssignment` computes it. */
export function keyGroupOfKey(toJava: JavaKeyOf, key: unknown, maxParallelism: number): number {
  return keyGroupForKeyHash(javaHashCode(toJava(key)), maxParallelism);
}

/** Java hashCode of the key serialized at `offset` of `bytes`. */
export type KeyHasher = (bytes: Uint8Array, offset: number) => number;

const STRING = 'String';

function truncated(what: string): StateError {
  return new StateError('Truncated', `${what} runs past the end of the key`);
}

/** `String.hashCode` straight from Flink's `StringValue` bytes (no string is built). */
function stringValueHash(b: Uint8Array, offset: number): number {
  let p = offset;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= b.length) throw truncated('string key');
      const x = b[p++]!;
      v += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return v;
    }
    throw new StateError('BadValue', 'string key varint longer than 5 bytes');
  };
  const len = varint();
  if (len === 0) throw new StateError('BadValue', 'a key is null');
  let h = 0;
  for (let i = 1; i < len; i++) h = (Math.imul(31, h) + varint()) | 0;
  return h;
}

function int32(b: Uint8Array, p: number): number {
  if (p + 4 > b.length) throw truncated('int key');
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

/**
 * The key hash for a key serializer, reading the key's bytes directly: fast paths for String,
 * Integer and Long keys, decoding through the codec and {@link javaKeyOf} otherwise. Throws
 * `UnsupportedKey` (naming the serializer) when the hash cannot be computed.
 */
export function keyHasher(s: SerializerSnapshot): KeyHasher {
  // SQL keys: BinaryRowData, whose hashCode is a hash of its bytes
  if (s.config?.kind === 'rowData' || s.config?.kind === 'binaryRow') return rowDataKeyHash;
  const toJava = javaKeyOf(s);
  const simple = SIMPLE[s.className];
  if (simple === STRING) return stringValueHash;
  if (simple === 'Int') return int32;
  if (simple === 'Long') {
    return (b, p) => {
      if (p + 8 > b.length) throw truncated('long key');
      return longHashCode((BigInt(int32(b, p)) << 32n) | BigInt(int32(b, p + 4) >>> 0));
    };
  }
  const codec = codecFor(s);
  return (b, p) => javaHashCode(toJava(codec.read(new ByteReader(b, p))));
}
