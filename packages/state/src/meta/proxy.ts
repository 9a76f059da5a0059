import { ByteWriter, type ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { legacySerializers, readSnapshotEnvelope, type SerializerSnapshot } from '../serializers/snapshot.js';
import { readI16 } from '../serializers/data.js';
import { readLegacyKeyedMetaInfo, readLegacyOperatorMetaInfo, readStateMetaInfo, type StateMetaInfo } from './meta-info.js';

/** `OperatorBackendSerializationProxy`: the uncompressed header of an operator state file. */
export interface OperatorStateHeader {
  version: number;
  /** Snapshot compression (Snappy framing) of the element data; proxy version 6 only. */
  compressed: boolean;
  operatorStates: StateMetaInfo[];
  broadcastStates: StateMetaInfo[];
  /** Bytes the header occupies. */
  length: number;
}

/** `KeyedBackendSerializationProxy`: the header of keyed state files and RocksDB meta files. */
export interface KeyedStateHeader {
  version: number;
  compressed: boolean;
  keySerializer: SerializerSnapshot;
  /** State id = index in this list. */
  states: StateMetaInfo[];
  length: number;
  /** The header's own bytes, split for re-writing: the key serializer snapshot and each state's meta info. */
  raw: KeyedHeaderBytes;
}

/** Byte slices of a keyed proxy header, enough to write it again (or a merge of several). */
export interface KeyedHeaderBytes {
  version: number;
  keySerializer: Uint8Array;
  /** One slice per state, in id order. */
  states: Uint8Array[];
}

function unsupported(r: ByteReader, what: string, version: number, at: number): StateError {
  return new StateError('UnsupportedVersion', `${what} version ${version} is unknown (Flink writes 1 to 6)`, { offset: r.base + at, path: r.path });
}

/**
 * Operator proxy versions 1–6 (§1.2): meta-info encoding 1, 2, 3 (Flink 1.2–1.5; version 3 adds
 * broadcast states), 5 (1.6), 6 (1.7–1.17), 6 + compression flag (1.18+).
 */
export function readOperatorStateHeader(r: ByteReader): OperatorStateHeader {
  const start = r.offset;
  const version = r.i32('operator proxy version');
  if (version < 1 || version > 6) throw unsupported(r, 'operator backend proxy', version, start);
  const compressed = version >= 6 ? r.u8('usingStateCompression') !== 0 : false;
  const read: MetaReader = version <= 3 ? (r) => readLegacyOperatorMetaInfo(r, version as 1 | 2 | 3) : (r) => readStateMetaInfo(r, version === 4 ? 5 : 6);
  const operatorStates = readStates(r, 'operatorStates', read);
  const broadcastStates = version >= 3 ? readStates(r, 'broadcastStates', read) : [];
  return { version, compressed, operatorStates, broadcastStates, length: r.offset - start };
}

/**
 * Keyed proxy versions 1–6 (§2.1.1): the compression flag from 4 on; the key serializer as a
 * Java-serialized record (1, 2), a resilience block of one pair (3–5) or a snapshot (6); meta
 * info in the encoding of the same number (6 = current).
 */
export function readKeyedStateHeader(r: ByteReader): KeyedStateHeader {
  const start = r.offset;
  const version = r.i32('keyed proxy version');
  if (version < 1 || version > 6) throw unsupported(r, 'keyed backend proxy', version, start);
  const compressed = version >= 4 ? r.u8('usingKeyGroupCompression') !== 0 : false;
  const ks = r.offset;
  const keySerializer = r.at('keySerializer', () => (version >= 6 ? readSnapshotEnvelope(r) : version >= 3 ? onePair(r) : legacySerializers.record(r)));
  const keySerializerBytes = r.bytes.slice(ks, r.offset);
  const slices: Uint8Array[] = [];
  const read: MetaReader = version <= 4 ? (r) => readLegacyKeyedMetaInfo(r, version as 1 | 2 | 3 | 4) : (r) => readStateMetaInfo(r, version === 5 ? 5 : 6);
  const states = readStates(r, 'states', read, slices);
  return { version, compressed, keySerializer, states, length: r.offset - start, raw: { version, keySerializer: keySerializerBytes, states: slices } };
}

type MetaReader = (r: ByteReader) => StateMetaInfo;

function onePair(r: ByteReader): SerializerSnapshot {
  const at = r.offset;
  const pairs = legacySerializers.pairs(r);
  if (pairs.length !== 1) throw new StateError('BadValue', `${pairs.length} key serializers, expected 1`, { offset: r.base + at, path: r.path });
  return pairs[0]!;
}

/** Writes a keyed proxy header (version 6: version, compression flag, key serializer, states) from byte slices. */
export function writeKeyedStateHeader(raw: KeyedHeaderBytes, compressed: boolean): Uint8Array {
  if (raw.version !== 6) {
    throw new StateError('UnsupportedVersion', `keyed backend proxy version ${raw.version} (Flink ≤ 1.6) is read only: ckpt writes version 6; restore it in Flink 1.7–1.16 and take a new savepoint first`);
  }
  const w = new ByteWriter(256);
  w.i32(raw.version);
  w.u8(compressed ? 1 : 0);
  w.raw(raw.keySerializer);
  if (raw.states.length > 0x7fff) throw new StateError('BadLength', `${raw.states.length} states do not fit a short`);
  w.u16(raw.states.length);
  for (const s of raw.states) w.raw(s);
  return w.finish();
}

function readStates(r: ByteReader, what: string, read: MetaReader, slices?: Uint8Array[]): StateMetaInfo[] {
  const at = r.offset;
  const n = readI16(r, `number of ${what}`);
  if (n < 0) throw new StateError('BadLength', `number of ${what} ${n} is negative`, { offset: r.base + at, path: r.path });
  const out: StateMetaInfo[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    out.push(r.at(`${what}[${i}]`, () => read(r)));
    slices?.push(r.bytes.slice(at, r.offset));
  }
  return out;
}
