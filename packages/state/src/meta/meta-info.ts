import type { ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { legacySerializers, readSnapshotEnvelope, type SerializerSnapshot } from '../serializers/snapshot.js';

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

/**
 * Meta-info encodings 6 and 7 (Flink 1.7+; identical bytes), and 5 (Flink 1.6): the same up to
 * the number of serializers, then all serializer keys and one resilience block of pairs.
 */
export function readStateMetaInfo(r: ByteReader, encoding: 5 | 6 = 6): StateMetaInfo {
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
    if (encoding === 5) {
      const keys: string[] = [];
      for (let i = 0; i < nSerializers; i++) keys.push(r.utf('serializer key'));
      const pairAt = r.offset;
      const snaps = legacySerializers.pairs(r);
      if (snaps.length !== keys.length) {
        throw new StateError('BadValue', `${keys.length} serializer keys but ${snaps.length} serializers`, { offset: r.base + pairAt, path: r.path });
      }
      keys.forEach((k, i) => serializers.push([k, snaps[i]!]));
      return { name, backendStateType, options, serializers };
    }
    for (let i = 0; i < nSerializers; i++) {
      const key = r.utf('serializer key');
      serializers.push([key, r.at(key, () => readSnapshotEnvelope(r))]);
    }
    return { name, backendStateType, options, serializers };
  });
}

/** `StateDescriptor.Type` ordinals of keyed meta info encodings 1–4. */
const DESCRIPTOR_TYPES = ['UNKNOWN', 'VALUE', 'LIST', 'REDUCING', 'FOLDING', 'AGGREGATING', 'MAP'] as const;
/** `OperatorStateHandle.Mode` ordinals of operator meta info encodings 1–3. */
const MODES = ['SPLIT_DISTRIBUTE', 'UNION', 'BROADCAST'] as const;
export const OPTION_DISTRIBUTION_MODE = 'OPERATOR_STATE_DISTRIBUTION_MODE';

/**
 * Keyed meta info encodings 1–4 (Flink 1.2–1.5): `int stateDescriptorType`, `utf name`, then the
 * namespace and state serializers — two Java-serialized serializer records (1, 2) or one
 * resilience block of two pairs (3, 4).
 */
export function readLegacyKeyedMetaInfo(r: ByteReader, encoding: 1 | 2 | 3 | 4): StateMetaInfo {
  const at = r.offset;
  const ordinal = r.i32('state descriptor type');
  const type = DESCRIPTOR_TYPES[ordinal];
  if (type === undefined) throw new StateError('BadValue', `state descriptor type ordinal ${ordinal}`, { offset: r.base + at, path: r.path });
  const name = r.utf('state name');
  return r.at(`state(${name})`, () => {
    let ns: SerializerSnapshot;
    let value: SerializerSnapshot;
    if (encoding <= 2) {
      ns = r.at(NAMESPACE_SERIALIZER, () => legacySerializers.record(r));
      value = r.at(VALUE_SERIALIZER, () => legacySerializers.record(r));
    } else {
      const pairsAt = r.offset;
      const pairs = legacySerializers.pairs(r);
      if (pairs.length !== 2) throw new StateError('BadValue', `keyed state ${name} has ${pairs.length} serializers, expected 2`, { offset: r.base + pairsAt, path: r.path });
      [ns, value] = pairs as [SerializerSnapshot, SerializerSnapshot];
    }
    return { name, backendStateType: 'KEY_VALUE', options: [[OPTION_KEYED_STATE_TYPE, type]], serializers: [[NAMESPACE_SERIALIZER, ns], [VALUE_SERIALIZER, value]] };
  });
}

/**
 * Operator meta info encodings 1–3 (Flink 1.2–1.5): `utf name`, `byte mode`, then a bare Java
 * serialization stream of the element serializer (1) or one resilience block (2, 3) with one pair
 * (list state) or two (broadcast state: key, value).
 */
export function readLegacyOperatorMetaInfo(r: ByteReader, encoding: 1 | 2 | 3): StateMetaInfo {
  const name = r.utf('state name');
  return r.at(`state(${name})`, () => {
    const at = r.offset;
    const ordinal = r.u8('distribution mode');
    const mode = MODES[ordinal];
    if (mode === undefined) throw new StateError('BadValue', `distribution mode ordinal ${ordinal}`, { offset: r.base + at, path: r.path });
    const options: [string, string][] = [[OPTION_DISTRIBUTION_MODE, mode]];
    if (encoding === 1) return { name, backendStateType: 'OPERATOR', options, serializers: [[VALUE_SERIALIZER, legacySerializers.stream(r)]] };
    const pairsAt = r.offset;
    const pairs = legacySerializers.pairs(r);
    if (pairs.length === 1) return { name, backendStateType: 'OPERATOR', options, serializers: [[VALUE_SERIALIZER, pairs[0]!]] };
    if (pairs.length === 2) return { name, backendStateType: 'BROADCAST', options, serializers: [[KEY_SERIALIZER, pairs[0]!], [VALUE_SERIALIZER, pairs[1]!]] };
    throw new StateError('BadValue', `operator state ${name} has ${pairs.length} serializers, expected 1 or 2`, { offset: r.base + pairsAt, path: r.path });
  });
}
