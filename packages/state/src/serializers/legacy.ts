import { ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { readJavaObject } from './table-types.js';
import type { SerializerSnapshot } from './snapshot.js';

/**
 * Serializer config snapshots of Flink ≤ 1.6 (`TypeSerializerConfigSnapshot`), as Flink 1.7–1.16
 * still write them when a job restored from an old savepoint keeps its serializers: the snapshot
 * version is `ADAPTER_VERSION` (0x7A53C4F0), then a `TypeSerializerSerializationProxy` (`int 1`,
 * `int length`, the Java-serialized serializer — skipped), then the config's own `write`: `int
 * version` and its fields. Read here, each as the current snapshot class it stands for:
 * - `ParameterlessTypeSerializerConfig`: `utf` serializer class → that serializer's simple snapshot;
 * - `CompositeTypeSerializerConfigSnapshot` subclasses — `TupleSerializerConfigSnapshot` (then the
 *   Java-serialized tuple `Class`) and `TimerSerializerConfigSnapshot` — whose nested config
 *   snapshots are in a "resilient" block: `int n`, n × (`int serializerOffset`, `int configOffset`),
 *   `int length`, the buffer, each config an enveloped snapshot at its offset.
 * Any other class in adapter mode that is not a config snapshot: `int version`, then its payload.
 */
export const ADAPTER_VERSION = 0x7a53c4f0;

const P = 'org.apache.flink.';
const TUPLE = `${P}api.java.typeutils.runtime.TupleSerializerConfigSnapshot`;
const TIMER = `${P}streaming.api.operators.TimerSerializer$TimerSerializerConfigSnapshot`;
const PARAMETERLESS = `${P}api.common.typeutils.ParameterlessTypeSerializerConfig`;

export interface LegacyKit {
  envelope(r: ByteReader): SerializerSnapshot;
  payload(r: ByteReader, className: string, version: number): SerializerSnapshot;
  simple: Record<string, string>;
  tupleClass: string;
  timerClass: string;
}

function resilientNested(r: ByteReader, kit: LegacyKit): SerializerSnapshot[] {
  const n = r.count('nested config snapshots', 8);
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) {
    r.i32('serializer offset');
    offsets.push(r.i32('config offset'));
  }
  const at = r.offset;
  const len = r.i32('nested configs length');
  if (len < 0) throw new StateError('BadLength', `nested configs length ${len}`, { offset: r.base + at, path: r.path });
  const buf = r.raw(len, 'nested configs');
  return offsets.map((o, i) => {
    if (o < 0 || o >= buf.length) throw new StateError('BadValue', `nested config ${i} at ${o} is outside its ${buf.length} bytes`, { offset: r.base + at, path: r.path });
    return r.at(`[${i}]`, () => kit.envelope(new ByteReader(buf.subarray(o))));
  });
}

/** The snapshot an adapter-version payload stands for (the reader is after the version). */
export function readAdapterPayload(r: ByteReader, className: string, kit: LegacyKit): SerializerSnapshot {
  const at = r.offset;
  const proxy = r.i32('serializer proxy version');
  if (proxy !== 1) throw new StateError('UnsupportedVersion', `Java-serialized serializer proxy version ${proxy}`, { offset: r.base + at, path: r.path });
  r.lengthPrefixed('Java-serialized serializer');
  const version = r.i32('config snapshot version');
  switch (className) {
    case PARAMETERLESS: {
      const id = r.utf('serializer class');
      const modern = simpleSnapshotOf(id, kit);
      if (modern === undefined) {
        throw new StateError('UnknownSerializer', `legacy config of serializer ${id} is not one ckpt knows`, { offset: r.base + at, path: r.path });
      }
      return { className: modern, version: 3, nested: [] };
    }
    case TUPLE: {
      const nested = resilientNested(r, kit);
      const cls = readJavaObject(r, 'tuple class');
      const tupleClass = typeof cls === 'object' && cls !== null && cls.kind === 'class' ? cls.classDesc.name : '?';
      return { className: kit.tupleClass, version: 3, nested, config: { kind: 'tuple', tupleClass } };
    }
    case TIMER:
      return { className: kit.timerClass, version: 3, nested: resilientNested(r, kit) };
  }
  // a configuration-free serializer named by its own class: its current simple snapshot
  const simple = simpleSnapshotOf(className, kit);
  if (simple !== undefined) return { className: simple, version: 3, nested: [] };
  return kit.payload(r, className, version);
}

/** The simple (configuration-free) snapshot class of a serializer class, e.g. `…LongSerializer$LongSerializerSnapshot`. */
function simpleSnapshotOf(serializerClass: string, kit: LegacyKit): string | undefined {
  return Object.keys(kit.simple).find((k) => k.startsWith(`${serializerClass}$`) && !k.slice(serializerClass.length + 1).includes('.'));
}
