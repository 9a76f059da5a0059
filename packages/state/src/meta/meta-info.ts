import type { ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { readSnapshotEnvelope, type SerializerSnapshot } from '../serializers/snapshot.js';

/** `StateMetaInfoSnapshot.BackendStateType`, written as its ordinal. */
export type BackendStateType = 'KEY_VALUE' | 'OPERATOR' | 'BROADCAST' | 'PRIORITY_QUEUE' | 'KEY_VALUE_V2';
const BACKEND_STATE_TYPES: readonly BackendStateType[] = ['KEY_VALUE', 'OPERATOR', 'BROADCAST', 'PRIORITY_QUEUE', 'KEY_VALUE_V2'];

/** Option keys and serializer keys Flink writes. */
export const OPTION_KEYED_STATE_TYPE = 'KEYED_STATE_TYPE';
export const KEY_SERIALIZER = 'KEY_SERIALIZER';
export const VALUE_SERIALIZER = 'VALUE_SERIALIZER';
export const NAMESPACE_SERIALIZER = 'NAMESPACE_SERIALIZER';

/** One state's meta info (name, type, options, serializer snapshots), in file order. */
export interface StateMetaInfo {
  name: string;
  backendStateType: BackendStateType;
  /** Options in file (Java HashMap) order. */
  options: [string, string][];
  /** Serializer snapshots by key (`VALUE_SERIALIZER`, ...), in file order. */
  serializers: [string, SerializerSnapshot][];
}

export function option(meta: StateMetaInfo, key: string): string | undefined {
  return meta.options.find(([k]) => k === key)?.[1];
}

export function serializer(meta: StateMetaInfo, key: string): SerializerSnapshot | undefined {
  return meta.serializers.find(([k]) => k === key)?.[1];
}

/** Like {@link serializer} but a missing snapshot is a typed error. */
export function requireSerializer(meta: StateMetaInfo, key: string): SerializerSnapshot {
  const s = serializer(meta, key);
  if (!s) throw new StateError('BadValue', `state ${meta.name} has no ${key}`);
  return s;
}

/** Meta-info encodings 6 and 7 (Flink 1.7+; identical bytes). */
export function readStateMetaInfo(r: ByteReader): StateMetaInfo {
  const name = r.utf('state name');
  return r.at(`state(${name})`, () => {
    const at = r.offset;
    const ordinal = r.i32('backend state type');
    const backendStateType = BACKEND_STATE_TYPES[ordinal];
    if (backendStateType === undefined) {
      throw new StateError('BadValue', `backend state type ordinal ${ordinal}`, { offset: r.base + at, path: r.path });
    }
    const nOptions = r.count('options', 4);
    const options: [string, string][] = [];
    for (let i = 0; i < nOptions; i++) options.push([r.utf('option key'), r.utf('option value')]);
    const nSerializers = r.count('serializers', 10);
    const serializers: [string, SerializerSnapshot][] = [];
    for (let i = 0; i < nSerializers; i++) {
      const key = r.utf('serializer key');
      serializers.push([key, r.at(key, () => readSnapshotEnvelope(r))]);
    }
    return { name, backendStateType, options, serializers };
  });
}
