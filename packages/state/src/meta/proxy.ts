import { ByteWriter, type ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { readSnapshotEnvelope, type SerializerSnapshot } from '../serializers/snapshot.js';
import { readI16 } from '../serializers/data.js';
import { readStateMetaInfo, type StateMetaInfo } from './meta-info.js';

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
  return new StateError(
    'UnsupportedVersion',
    `${what} version ${version} is not supported (versions before Flink 1.7 embed Java serialization)`,
    { offset: r.base + at, path: r.path },
  );
}

export function readOperatorStateHeader(r: ByteReader): OperatorStateHeader {
  const start = r.offset;
  const version = r.i32('operator proxy version');
  if (version !== 5 && version !== 6) throw unsupported(r, 'operator backend proxy', version, start);
  const compressed = version >= 6 ? r.u8('usingStateCompression') !== 0 : false;
  const operatorStates = readStates(r, 'operatorStates');
  const broadcastStates = readStates(r, 'broadcastStates');
  return { version, compressed, operatorStates, broadcastStates, length: r.offset - start };
}

export function readKeyedStateHeader(r: ByteReader): KeyedStateHeader {
  const start = r.offset;
  const version = r.i32('keyed proxy version');
  if (version !== 6) throw unsupported(r, 'keyed backend proxy', version, start);
  const compressed = r.u8('usingKeyGroupCompression') !== 0;
  const ks = r.offset;
  const keySerializer = r.at('keySerializer', () => readSnapshotEnvelope(r));
  const keySerializerBytes = r.bytes.slice(ks, r.offset);
  const slices: Uint8Array[] = [];
  const states = readStates(r, 'states', slices);
  return { version, compressed, keySerializer, states, length: r.offset - start, raw: { version, keySerializer: keySerializerBytes, states: slices } };
}

/** Writes a keyed proxy header (version, compression flag, key serializer, states) from byte slices. */
export function writeKeyedStateHeader(raw: KeyedHeaderBytes, compressed: boolean): Uint8Array {
  const w = new ByteWriter(256);
  w.i32(raw.version);
  w.u8(compressed ? 1 : 0);
  w.raw(raw.keySerializer);
  if (raw.states.length > 0x7fff) throw new StateError('BadLength', `${raw.states.length} states do not fit a short`);
  w.u16(raw.states.length);
  for (const s of raw.states) w.raw(s);
  return w.finish();
}

function readStates(r: ByteReader, what: string, slices?: Uint8Array[]): StateMetaInfo[] {
  const at = r.offset;
  const n = readI16(r, `number of ${what}`);
  if (n < 0) throw new StateError('BadLength', `number of ${what} ${n} is negative`, { offset: r.base + at, path: r.path });
  const out: StateMetaInfo[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    out.push(r.at(`${what}[${i}]`, () => readStateMetaInfo(r)));
    slices?.push(r.bytes.slice(at, r.offset));
  }
  return out;
}
