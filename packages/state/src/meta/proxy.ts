import type { ByteReader } from '@ckpt/format';
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
  const keySerializer = r.at('keySerializer', () => readSnapshotEnvelope(r));
  const states = readStates(r, 'states');
  return { version, compressed, keySerializer, states, length: r.offset - start };
}

function readStates(r: ByteReader, what: string): StateMetaInfo[] {
  const at = r.offset;
  const n = readI16(r, `number of ${what}`);
  if (n < 0) throw new StateError('BadLength', `number of ${what} ${n} is negative`, { offset: r.base + at, path: r.path });
  const out: StateMetaInfo[] = [];
  for (let i = 0; i < n; i++) out.push(r.at(`${what}[${i}]`, () => readStateMetaInfo(r)));
  return out;
}
