import { ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { SCALA } from './scala.js';
import { classChain, decodeJavaSerializer, snapshotOfJavaSerializer, type JavaSerializer, type JavaSerializerKit } from './java-serializer.js';
import { readJavaStreamAt } from './java-stream.js';
import type { SerializerSnapshot } from './snapshot.js';

/**
 * Serializers as Flink ≤ 1.6 wrote them, and as 1.7–1.16 still read them:
 * - a `TypeSerializerSerializationProxy` record: `int 1`, `int len`, the Java-serialized
 *   `TypeSerializer` (read by java-serializer.ts);
 * - "serializers and configs with resilience": `int n`, n × (`int serializerOffset`, `int
 *   configOffset`), `int length`, a buffer holding per pair the proxy record and the config
 *   snapshot in the §3.1 envelope — proxy version 1 (`utf class`, then for a
 *   `TypeSerializerConfigSnapshot` its own `write`: `int version` and its fields) or 2;
 * - adapter mode (1.7–1.16 writing a config snapshot): `utf class`, `ADAPTER_VERSION`, the proxy
 *   record, then the config's own `write`.
 * Each config snapshot is read as the current snapshot class it stands for; the Java-serialized
 * serializer decides what the config alone cannot (a Scala case class vs. a tuple, Scala vs. Java
 * `Either`) and stands in for configs ckpt does not know.
 */
export const ADAPTER_VERSION = 0x7a53c4f0;

const P = 'org.apache.flink.';
const CONFIG = {
  parameterless: `${P}api.common.typeutils.ParameterlessTypeSerializerConfig`,
  tuple: `${P}api.java.typeutils.runtime.TupleSerializerConfigSnapshot`,
  timer: `${P}streaming.api.operators.TimerSerializer$TimerSerializerConfigSnapshot`,
  either: `${P}api.java.typeutils.runtime.EitherSerializerConfigSnapshot`,
  collection: `${P}api.common.typeutils.base.CollectionSerializerConfigSnapshot`,
  map: `${P}api.common.typeutils.base.MapSerializerConfigSnapshot`,
  enum: `${P}api.common.typeutils.base.EnumSerializer$EnumSerializerConfigSnapshot`,
  kryo: `${P}api.java.typeutils.runtime.kryo.KryoSerializer$KryoSerializerConfigSnapshot`,
  scalaOption: `${P}api.scala.typeutils.ScalaOptionSerializerConfigSnapshot`,
  scalaTry: `${P}api.scala.typeutils.ScalaTrySerializerConfigSnapshot`,
  scalaEnum: `${P}api.scala.typeutils.EnumValueSerializer$ScalaEnumSerializerConfigSnapshot`,
  traversable: `${P}api.scala.typeutils.TraversableSerializerConfigSnapshot`,
} as const;
const SCALA_EITHER_SERIALIZER = `${P}api.scala.typeutils.EitherSerializer`;
const CASE_CLASS_SERIALIZER = `${P}api.scala.typeutils.CaseClassSerializer`;

export interface LegacyKit extends JavaSerializerKit {
  /** `int version` already read: the payload of a current snapshot class. */
  payload(r: ByteReader, className: string, version: number): SerializerSnapshot;
  cls: JavaSerializerKit['cls'] & { enum: string };
}

function at(r: ByteReader, offset: number): { offset: number; path: string } {
  return { offset: r.base + offset, path: r.path };
}

/** A `TypeSerializerSerializationProxy` record at `r`: the Java-serialized serializer. */
export function readSerializerRecord(r: ByteReader): JavaSerializer {
  const start = r.offset;
  const proxy = r.i32('serializer proxy version');
  if (proxy !== 1) throw new StateError('UnsupportedVersion', `Java-serialized serializer proxy version ${proxy}`, at(r, start));
  const base = r.base + r.offset + 4;
  const bytes = r.lengthPrefixed('Java-serialized serializer');
  return decodeJavaSerializer(bytes, base, r.path);
}

/**
 * A "serializers and configs with resilience" block: one snapshot per pair, from its config
 * snapshot (bounded by the next offset in the buffer), or from the Java-serialized serializer
 * where the config is one ckpt does not know.
 */
export function readSerializerPairs(r: ByteReader, kit: LegacyKit): SerializerSnapshot[] {
  // each pair's config is read from a reader of its own: the nesting is bounded here
  if (pairDepth >= MAX_PAIR_DEPTH) throw new StateError('BadValue', `serializer configs nested deeper than ${MAX_PAIR_DEPTH} levels`, at(r, r.offset));
  pairDepth++;
  try {
    return readPairs(r, kit);
  } finally {
    pairDepth--;
  }
}

const MAX_PAIR_DEPTH = 32;
let pairDepth = 0;

function readPairs(r: ByteReader, kit: LegacyKit): SerializerSnapshot[] {
  const n = r.count('serializer and config pairs', 8);
  const offsets: [number, number][] = [];
  for (let i = 0; i < n; i++) offsets.push([r.i32('serializer offset'), r.i32('config offset')]);
  const lenAt = r.offset;
  const len = r.i32('serializers and configs length');
  if (len < 0) throw new StateError('BadLength', `serializers and configs length ${len}`, at(r, lenAt));
  const bufBase = r.base + r.offset;
  const buf = r.raw(len, 'serializers and configs');
  const bounds = [...offsets.flat(), len].sort((a, b) => a - b);
  const slice = (o: number, i: number, what: string): ByteReader => {
    if (o < 0 || o > len) throw new StateError('BadValue', `${what} ${i} at ${o} is outside its ${len} bytes`, at(r, lenAt));
    const end = bounds.find((b) => b > o) ?? len;
    const sub = new ByteReader(buf.subarray(o, end), 0, bufBase + o);
    sub.path = r.path;
    return sub;
  };
  return offsets.map(([so, co], i) =>
    r.at(`[${i}]`, () => {
      const serializer = readSerializerRecord(slice(so, i, 'serializer'));
      return snapshotOfPair(slice(co, i, 'config snapshot'), serializer, kit);
    }),
  );
}

/** The snapshot of one (serializer, config) pair; the serializer stands in for an unknown config. */
function snapshotOfPair(config: ByteReader, serializer: JavaSerializer, kit: LegacyKit): SerializerSnapshot {
  try {
    return readEnvelope(config, serializer, kit);
  } catch (e) {
    if (!(e instanceof StateError) || e.code !== 'UnknownSerializer') throw e;
    try {
      return snapshotOfJavaSerializer(serializer.object, kit);
    } catch (e2) {
      const cls = classChain(serializer.object)[0];
      if (cls === undefined) throw e;
      throw new StateError('UnknownSerializer', `${e.detail}; its Java-serialized serializer ${cls} is not one ckpt knows either`, { ...(e.offset === undefined ? {} : { offset: e.offset }), ...(e.path === undefined ? {} : { path: e.path }), cause: e2 });
    }
  }
}

/** The §3.1 envelope, proxy version 1 or 2, with the pair's Java-serialized serializer. */
function readEnvelope(r: ByteReader, prior: JavaSerializer | undefined, kit: LegacyKit): SerializerSnapshot {
  const start = r.offset;
  const proxy = r.i32('snapshot proxy version');
  if (proxy !== 1 && proxy !== 2) throw new StateError('UnsupportedVersion', `serializer snapshot proxy version ${proxy}`, at(r, start));
  if (proxy === 1) return readEnvelopeV1(r, kit, prior);
  const className = r.utf('snapshot class');
  return r.at(className.slice(className.lastIndexOf('.') + 1), () => {
    const version = r.i32('snapshot version');
    return version === ADAPTER_VERSION ? readAdapterPayload(r, className, kit) : kit.payload(r, className, version);
  });
}

/** A proxy-version-1 envelope after its `int 1`: a config snapshot's own fields, or `int version` and a current payload. */
export function readEnvelopeV1(r: ByteReader, kit: LegacyKit, prior?: JavaSerializer): SerializerSnapshot {
  const className = r.utf('snapshot class');
  return r.at(className.slice(className.lastIndexOf('.') + 1), () => readConfig(r, className, prior, kit) ?? kit.payload(r, className, r.i32('snapshot version')));
}

/** The snapshot an adapter-version payload stands for (the reader is after the version). */
export function readAdapterPayload(r: ByteReader, className: string, kit: LegacyKit): SerializerSnapshot {
  const prior = readSerializerRecord(r);
  const config = readConfig(r, className, prior, kit);
  if (config) return config;
  const version = r.i32('snapshot version');
  // a configuration-free serializer named by its own class: its current simple snapshot
  const simple = kit.simpleSnapshotOf(className);
  if (simple !== undefined) return { className: simple, version: 3, nested: [] };
  return kit.payload(r, className, version);
}

/** The fields of a known `TypeSerializerConfigSnapshot` (from its `int version` on); undefined for other classes. */
function readConfig(r: ByteReader, className: string, prior: JavaSerializer | undefined, kit: LegacyKit): SerializerSnapshot | undefined {
  if (!(Object.values(CONFIG) as string[]).includes(className)) return undefined;
  const version = r.i32('config snapshot version');
  const chain = classChain(prior?.object);
  const composite = (cls: string, arity?: number): SerializerSnapshot => {
    const start = r.offset;
    const nested = readSerializerPairs(r, kit);
    if (arity !== undefined && nested.length !== arity) {
      throw new StateError('BadValue', `${className} has ${nested.length} nested serializers, expected ${arity}`, at(r, start));
    }
    return { className: cls, version: 3, nested };
  };
  switch (className) {
    case CONFIG.parameterless: {
      const id = r.utf('serializer class');
      const simple = kit.simpleSnapshotOf(id);
      if (simple === undefined) throw new StateError('UnknownSerializer', `legacy config of serializer ${id} is not one ckpt knows`, at(r, r.offset));
      return { className: simple, version: 3, nested: [] };
    }
    case CONFIG.tuple: {
      const snap = composite(kit.cls.tuple);
      const cls = readJavaStreamAt(r);
      const tupleClass = typeof cls === 'object' && cls !== null && cls.kind === 'class' ? cls.classDesc.name : '?';
      if (chain.includes(CASE_CLASS_SERIALIZER)) return { ...snap, className: SCALA.caseClass, config: { kind: 'caseClass', caseClass: tupleClass } };
      return { ...snap, config: { kind: 'tuple', tupleClass } };
    }
    case CONFIG.timer:
      return composite(kit.cls.timer, 2);
    case CONFIG.either:
      // shared by the Java and the Scala Either serializers: the serializer says which
      return composite(chain[0] === SCALA_EITHER_SERIALIZER ? SCALA.either : kit.cls.either, 2);
    case CONFIG.collection:
      return composite(kit.cls.list, 1);
    case CONFIG.map:
      return composite(kit.cls.map, 2);
    case CONFIG.scalaOption:
      return composite(SCALA.option, 1);
    case CONFIG.scalaTry:
      return composite(SCALA.try, 2);
    case CONFIG.traversable:
      return { ...composite(SCALA.traversable, 1), config: { kind: 'traversable', cbfCode: '' } };
    case CONFIG.scalaEnum: {
      if (version !== 2) throw new StateError('UnknownSerializer', `${className} v${version} names its enumeration only by Java-serialized class objects`, at(r, r.offset));
      const enumClass = r.utf('scala enum class');
      const n = r.count('scala enum constants', 6);
      const constants: { name: string; id: number }[] = [];
      for (let i = 0; i < n; i++) constants.push({ name: r.utf('scala enum constant'), id: r.i32('scala enum id') });
      return { className: SCALA.enum, version: 3, nested: [], config: { kind: 'scalaEnum', enumClass, constants } };
    }
    case CONFIG.enum: {
      const enumClass = r.utf('enum class');
      const constants: string[] = [];
      if (version === 1) {
        const arr = readJavaStreamAt(r);
        const elements = typeof arr === 'object' && arr !== null && arr.kind === 'array' && !(arr.elements instanceof Uint8Array) ? arr.elements : [];
        for (const e of elements) if (typeof e === 'object' && e !== null && !(e instanceof Uint8Array) && e.kind === 'enum') constants.push(e.constant);
      } else {
        const n = r.count('enum constants', 2);
        for (let i = 0; i < n; i++) constants.push(r.utf('enum constant'));
      }
      return { className: kit.cls.enum, version: 3, nested: [], config: { kind: 'enum', enumClass, constants } };
    }
    case CONFIG.kryo: {
      const typeClass = r.utf('kryo type class');
      const n = r.count('kryo registrations', 6);
      const registrations: string[] = [];
      for (let i = 0; i < n; i++) {
        registrations.push(r.utf('kryo registration tag'));
        r.utf('registered class');
        const type = r.i32('serializer definition type');
        if (type === 1) r.utf('kryo serializer class');
        else if (type === 2) readJavaStreamAt(r);
        else if (type !== 0) throw new StateError('BadValue', `Kryo serializer definition type ${type}`, at(r, r.offset - 4));
      }
      return { className: kit.cls.kryo, version: 2, nested: [], config: { kind: 'kryo', typeClass, registrations, defaultSerializers: [], defaultSerializerClasses: [] } };
    }
  }
  return undefined;
}
