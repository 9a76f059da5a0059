import { readU32 } from './coding.js';
import { RocksError } from './errors.js';

/** RocksDB's value types that can appear in a table (db/dbformat.h ValueType). */
export const ValueType = {
  deletion: 0x0,
  value: 0x1,
  merge: 0x2,
  singleDeletion: 0x7,
  rangeDeletion: 0xf,
  blobIndex: 0x11,
  deletionWithTimestamp: 0x14,
  wideColumnEntity: 0x16,
  valuePreferredSeqno: 0x18,
} as const;

/** The kind of an internal entry, as `ckpt sst scan` prints it. */
export type EntryType = 'put' | 'delete' | 'singleDelete' | 'merge' | 'rangeDelete';

/** The largest sequence number (2^56 − 1). */
export const MAX_SEQUENCE = (1n << 56n) - 1n;

/** One internal entry of a table: user key, sequence number and type, value. */
export interface InternalEntry {
  /** The user key (the internal key without its 8-byte trailer). */
  key: Uint8Array;
  seq: bigint;
  type: EntryType;
  /** The value; for a range deletion, the (exclusive) end user key. */
  value: Uint8Array;
}

const TYPES: Record<number, EntryType> = {
  [ValueType.deletion]: 'delete',
  [ValueType.value]: 'put',
  [ValueType.merge]: 'merge',
  [ValueType.singleDeletion]: 'singleDelete',
  [ValueType.rangeDeletion]: 'rangeDelete',
};

const UNSUPPORTED: Record<number, string> = {
  [ValueType.blobIndex]: 'a blob index (BlobDB: the value lives in a blob file)',
  [ValueType.deletionWithTimestamp]: 'a deletion with a user-defined timestamp',
  [ValueType.wideColumnEntity]: 'a wide-column entity',
  [ValueType.valuePreferredSeqno]: 'a value with a preferred sequence number',
};

/**
 * The entry type of an internal key's type byte; types this reader does not decode (blob
 * indexes, wide columns, timestamps) are a typed `Unsupported` error, unknown ones `BadValue`.
 */
export function entryType(code: number, file: string | undefined, offset: number): EntryType {
  const t = TYPES[code];
  if (t !== undefined) return t;
  const what = UNSUPPORTED[code];
  if (what !== undefined) throw new RocksError('Unsupported', `the entry is ${what}, which is not read`, { file, offset });
  throw new RocksError('BadValue', `unknown value type 0x${code.toString(16)} in an internal key`, { file, offset });
}

/** The type byte of an internal key (its trailer's low byte). */
export function typeCode(ikey: Uint8Array): number {
  return ikey[ikey.length - 8]!;
}

/** The sequence number of an internal key: the trailer's upper 56 bits. */
export function sequenceOf(ikey: Uint8Array): bigint {
  const p = ikey.length - 8;
  const lo = readU32(ikey, p);
  const hi = readU32(ikey, p + 4);
  return (BigInt(hi) << 24n) | BigInt(lo >>> 8);
}

/** An internal key: user key + little-endian `(seq << 8) | type`. */
export function makeInternalKey(userKey: Uint8Array, seq: bigint, type: number): Uint8Array {
  const out = new Uint8Array(userKey.length + 8);
  out.set(userKey);
  const trailer = (seq << 8n) | BigInt(type);
  const v = new DataView(out.buffer, out.byteOffset + userKey.length, 8);
  v.setBigUint64(0, trailer, true);
  return out;
}

/** The smallest internal key of `userKey` in internal order (what a seek to `userKey` targets). */
export function seekKey(userKey: Uint8Array): Uint8Array {
  return makeInternalKey(userKey, MAX_SEQUENCE, ValueType.valuePreferredSeqno);
}

/** Bytewise order of the user-key parts of two internal keys. */
export function compareUserKeys(a: Uint8Array, aLen: number, b: Uint8Array, bLen: number): number {
  const n = aLen < bLen ? aLen : bLen;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return aLen - bLen;
}

/**
 * RocksDB's InternalKeyComparator over the bytewise comparator: user key ascending, then the
 * 8-byte trailer (sequence number, type) descending — newest first.
 */
export function compareInternalKeys(a: Uint8Array, b: Uint8Array): number {
  return compareInternalPrefixes(a, a.length, b, b.length);
}

/** {@link compareInternalKeys} over the first `aLength` / `bLength` bytes of two buffers. */
export function compareInternalPrefixes(a: Uint8Array, aLength: number, b: Uint8Array, bLength: number): number {
  const al = aLength - 8;
  const bl = bLength - 8;
  const c = compareUserKeys(a, al, b, bl);
  if (c !== 0) return c;
  for (let i = 7; i >= 0; i--) {
    const d = b[bl + i]! - a[al + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Index comparator when index keys are user keys: the user key of `target` against `key`. */
export function compareIndexUserKey(key: Uint8Array, target: Uint8Array): number {
  return compareUserKeys(key, key.length, target, target.length - 8);
}
