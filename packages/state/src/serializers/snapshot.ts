import { ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { readStringValue } from './data.js';
import { SCALA, describeScala, readScalaEnum, readScalaOuter, type ScalaConfig } from './scala.js';
import { describeTable, readTablePayload, type TableConfig } from './table.js';
import { ADAPTER_VERSION, readAdapterPayload, readEnvelopeV1, readSerializerPairs, readSerializerRecord, type LegacyKit } from './legacy.js';
import { CEP, CEP_NESTED_ARITY, CEP_SIMPLE, describeCep, readCepOuter, type CepConfig } from './cep.js';
import { snapshotOfJavaSerializer } from './java-serializer.js';
import { readJavaStreamAt } from './java-stream.js';

/**
 * A parsed `TypeSerializerSnapshot`: class, version, the nested snapshots of composite
 * serializers and the class-specific configuration (`config`) that value decoding needs.
 */
export interface SerializerSnapshot {
  className: string;
  version: number;
  nested: SerializerSnapshot[];
  config?: SnapshotConfig;
}

export type SnapshotConfig =
  | { kind: 'tuple'; tupleClass: string }
  | { kind: 'row'; supportsRowKind: boolean }
  | { kind: 'enum'; enumClass: string; constants: string[] }
  | { kind: 'pojo'; pojoClass: string; fields: { name: string; snapshot: SerializerSnapshot | null }[] }
  | { kind: 'kryo'; typeClass: string; registrations: string[]; defaultSerializers: string[]; defaultSerializerClasses: string[] }
  | { kind: 'avro'; runtimeClass: string | null; schema: string }
  | ScalaConfig
  | TableConfig
  | CepConfig
  | { kind: 'outer'; bytes: Uint8Array };

const COMPOSITE_MAGIC = 911108;
const NESTED_MAGIC = 1333245;
const OPTIONAL_MAP_HEADER = 0x4f2c69a3d70n;

const P = 'org.apache.flink.';
export const CLS = {
  tuple: `${P}api.java.typeutils.runtime.TupleSerializerSnapshot`,
  row: `${P}api.java.typeutils.runtime.RowSerializer$RowSerializerSnapshot`,
  pojo: `${P}api.java.typeutils.runtime.PojoSerializerSnapshot`,
  kryo: `${P}api.java.typeutils.runtime.kryo.KryoSerializerSnapshot`,
  avro: `${P}formats.avro.typeutils.AvroSerializerSnapshot`,
  enum: `${P}api.common.typeutils.base.EnumSerializer$EnumSerializerSnapshot`,
  list: `${P}api.common.typeutils.base.ListSerializerSnapshot`,
  arrayList: `${P}runtime.state.ArrayListSerializerSnapshot`,
  map: `${P}api.common.typeutils.base.MapSerializerSnapshot`,
  ttl: `${P}runtime.state.ttl.TtlStateFactory$TtlSerializerSnapshot`,
  timer: `${P}streaming.api.operators.TimerSerializerSnapshot`,
  either: `${P}api.java.typeutils.runtime.JavaEitherSerializerSnapshot`,
  /** The 1.7 `Either` snapshot (version 1: nested pairs with resilience; 2: nested block), read as `either`. */
  oldEither: `${P}api.java.typeutils.runtime.EitherSerializerSnapshot`,
} as const;

/** Composite snapshots whose outer snapshot is empty, with the number of nested serializers each has. */
const NESTED_ARITY = new Map<string, number>([
  [CLS.list, 1],
  [CLS.arrayList, 1],
  [CLS.map, 2],
  [CLS.ttl, 2],
  [CLS.timer, 2],
  [CLS.either, 2],
  [SCALA.option, 1],
  [SCALA.either, 2],
  [SCALA.try, 2],
  [SCALA.traversable, 1],
  ...CEP_NESTED_ARITY,
]);
/** Composite snapshots whose outer snapshot is read by a module of their own. */
const OWN_OUTER = new Set<string>([SCALA.traversable, CEP.nfaState]);
const EMPTY_OUTER = new Set<string>([...NESTED_ARITY.keys()].filter((c) => !OWN_OUTER.has(c)));

/** Simple (configuration-free) snapshots by class; payload empty (v3+) or one `utf` (v2). */
export const SIMPLE: Record<string, string> = {};
for (const t of ['Int', 'Long', 'Short', 'Byte', 'Boolean', 'Char', 'Float', 'Double', 'String', 'Void', 'BigInt', 'BigDec']) {
  SIMPLE[`${P}api.common.typeutils.base.${t}Serializer$${t}SerializerSnapshot`] = t;
}
for (const t of ['Byte', 'Int', 'Long', 'Short', 'Boolean', 'Char', 'Float', 'Double']) {
  SIMPLE[`${P}api.common.typeutils.base.array.${t}PrimitiveArraySerializer$${t}PrimitiveArraySerializerSnapshot`] =
    `${t}[]`;
}
SIMPLE[SCALA.unit] = 'Unit';
for (const [cls, name] of CEP_SIMPLE) SIMPLE[cls] = name;
SIMPLE[`${P}runtime.state.JavaSerializer$JavaSerializerSnapshot`] = 'JavaSerialized';
SIMPLE[`${P}runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot`] = 'VoidNamespace';
SIMPLE[`${P}streaming.api.windowing.windows.TimeWindow$Serializer$TimeWindowSerializerSnapshot`] = 'TimeWindow';
SIMPLE[`${P}streaming.api.windowing.windows.GlobalWindow$Serializer$GlobalWindowSerializerSnapshot`] = 'GlobalWindow';
// Table runtime: windows of the (legacy) group-window operators, the upsert materializer's sorted longs
SIMPLE[`${P}table.runtime.operators.window.TimeWindow$Serializer$TimeWindowSerializerSnapshot`] = 'TimeWindow';
SIMPLE[`${P}table.runtime.operators.window.CountWindow$Serializer$CountWindowSerializerSnapshot`] = 'CountWindow';
SIMPLE[`${P}table.runtime.operators.sink.SortedLongSerializer$SortedLongSerializerSnapshot`] = 'SortedLong';

/**
 * The snapshot of one of Flink's basic serializers by type name (`String`, `Long`, `Int`, …,
 * `BigDec`), for keys whose serializer a snapshot does not name (a changelog without materialized
 * state). Undefined for other names.
 */
export function basicSerializerSnapshot(type: string): SerializerSnapshot | undefined {
  const className = `${P}api.common.typeutils.base.${type}Serializer$${type}SerializerSnapshot`;
  return SIMPLE[className] === undefined ? undefined : { className, version: 3, nested: [] };
}

/** The §3.1 envelope: `int proxyVersion` (2; 1 = Flink ≤ 1.6, see legacy.ts), then a versioned snapshot. */
export function readSnapshotEnvelope(r: ByteReader): SerializerSnapshot {
  const at = r.offset;
  const proxyVersion = r.i32('snapshot proxy version');
  if (proxyVersion === 1) return r.nested(() => readEnvelopeV1(r, LEGACY));
  if (proxyVersion !== 2) {
    throw new StateError('UnsupportedVersion', `serializer snapshot proxy version ${proxyVersion} is not 1 or 2`, {
      offset: r.base + at,
      path: r.path,
    });
  }
  return readVersionedSnapshot(r);
}

/** `utf className`, `int version`, payload (how nested snapshots are written). */
export function readVersionedSnapshot(r: ByteReader): SerializerSnapshot {
  return r.nested(() => {
    const className = r.utf('snapshot class');
    const version = r.i32('snapshot version');
    return r.at(className.slice(className.lastIndexOf('.') + 1), () => readPayload(r, className, version));
  });
}

function readPayload(r: ByteReader, className: string, version: number): SerializerSnapshot {
  if (version === ADAPTER_VERSION) return readAdapterPayload(r, className, LEGACY);
  const snap: SerializerSnapshot = { className, version, nested: [] };
  if (SIMPLE[className] !== undefined) {
    if (version <= 2) r.utf('serializer class');
    return snap;
  }
  if (readTablePayload(r, snap, { nestedBlock: readNestedBlock })) return snap;
  switch (className) {
    case CLS.pojo:
      snap.config = readPojo(r, className, version);
      return snap;
    case CLS.kryo: {
      const typeClass = r.utf('kryo type class');
      // registrations, default serializers, default serializer classes: keyed by class name
      const [registrations, defaultSerializers, defaultSerializerClasses] = [0, 1, 2].map(() => optionalMapKeys(r));
      snap.config = { kind: 'kryo', typeClass, registrations: registrations!, defaultSerializers: defaultSerializers!, defaultSerializerClasses: defaultSerializerClasses! };
      return snap;
    }
    case CLS.avro: {
      if (version >= 3) {
        const runtimeClass = readStringValue(r, 'avro class');
        snap.config = { kind: 'avro', runtimeClass, schema: readStringValue(r, 'avro schema') ?? '' };
      } else if (version === 2) {
        const runtimeClass = r.utf('avro class');
        snap.config = { kind: 'avro', runtimeClass, schema: r.utf('avro schema') };
      } else {
        snap.config = { kind: 'avro', runtimeClass: null, schema: r.utf('avro schema') };
      }
      return snap;
    }
    case CLS.enum: {
      const enumClass = r.utf('enum class');
      const n = r.count('enum constants', 2);
      const constants: string[] = [];
      for (let i = 0; i < n; i++) constants.push(r.utf('enum constant'));
      snap.config = { kind: 'enum', enumClass, constants };
      return snap;
    }
    case SCALA.enum:
      snap.config = readScalaEnum(r, className, version);
      return snap;
    case CLS.oldEither:
      return { className: CLS.either, version, nested: version === 1 ? readSerializerPairs(r, LEGACY) : readNestedBlock(r) };
  }
  // composite serializers (and unknown classes that use the composite layout)
  const start = r.offset;
  const isComposite = version >= 3 && r.remaining >= 4 && r.i32('magic') === COMPOSITE_MAGIC;
  if (!isComposite) r.offset = start;
  if (isComposite || (version <= 2 && EMPTY_OUTER.has(className))) {
    const outerVersion = isComposite ? r.i32('outer snapshot version') : version;
    snap.config = readOuter(r, className, outerVersion);
    const at = r.offset;
    snap.nested = readNestedBlock(r);
    const arity = NESTED_ARITY.get(className);
    if (arity !== undefined && snap.nested.length !== arity) {
      throw new StateError('BadValue', `${className} has ${snap.nested.length} nested serializers, expected ${arity}`, {
        offset: r.base + at,
        path: r.path,
      });
    }
    return snap;
  }
  if (className === CLS.tuple || className === CLS.row) {
    snap.config = readOuter(r, className, version);
    snap.nested = readNestedBlock(r);
    return snap;
  }
  throw new StateError('UnknownSerializer', `serializer snapshot ${className} v${version} is unknown; the rest of the header cannot be parsed`, {
    offset: r.base + start,
    path: r.path,
  });
}

const LEGACY: LegacyKit = {
  payload: (r, className, version) => readPayload(r, className, version),
  simpleSnapshotOf,
  cls: CLS,
};

/**
 * The serializer blocks of Flink ≤ 1.6 meta info (legacy.ts), as snapshots: a resilience block
 * of (serializer, config) pairs; one Java-serialized serializer record (`int 1`, `int len`,
 * bytes); a bare Java serialization stream of a serializer (operator meta info V1).
 */
export const legacySerializers = {
  pairs: (r: ByteReader): SerializerSnapshot[] => readSerializerPairs(r, LEGACY),
  record: (r: ByteReader): SerializerSnapshot => {
    const s = readSerializerRecord(r);
    if (s.object === undefined) throw s.error!;
    return snapshotOfJavaSerializer(s.object, LEGACY);
  },
  stream: (r: ByteReader): SerializerSnapshot => snapshotOfJavaSerializer(readJavaStreamAt(r), LEGACY),
};

/** The simple (configuration-free) snapshot class of a serializer class, e.g. `…LongSerializer$LongSerializerSnapshot`. */
function simpleSnapshotOf(serializerClass: string): string | undefined {
  const prefix = `${serializerClass}$`;
  return Object.keys(SIMPLE).find((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('.'));
}

function readOuter(r: ByteReader, className: string, outerVersion: number): SnapshotConfig | undefined {
  if (EMPTY_OUTER.has(className)) return undefined;
  const scala = readScalaOuter(r, className);
  if (scala) return scala;
  const cep = readCepOuter(r, className, outerVersion);
  if (cep) return cep;
  if (className === CLS.tuple) return { kind: 'tuple', tupleClass: r.utf('tuple class') };
  if (className === CLS.row) {
    const supportsRowKind = outerVersion < 3 ? false : outerVersion === 3 ? true : r.u8('row kind flag') !== 0;
    return { kind: 'row', supportsRowKind };
  }
  // unknown outer snapshot: it ends where the nested-serializers block starts
  const from = r.offset;
  for (let p = from; p + 8 <= r.bytes.length; p++) {
    if (readInt(r.bytes, p) === NESTED_MAGIC && readInt(r.bytes, p + 4) === 1) {
      r.offset = p;
      return { kind: 'outer', bytes: r.bytes.slice(from, p) };
    }
  }
  throw new StateError('UnknownSerializer', `cannot find the nested serializers of ${className}`, {
    offset: r.base + from,
    path: r.path,
  });
}

function readInt(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) | 0;
}

function readNestedBlock(r: ByteReader): SerializerSnapshot[] {
  const at = r.offset;
  const magic = r.i32('nested magic');
  if (magic !== NESTED_MAGIC) {
    throw new StateError('BadValue', `nested serializers magic ${magic}, expected ${NESTED_MAGIC}`, { offset: r.base + at, path: r.path });
  }
  const v = r.i32('nested version');
  if (v !== 1) throw new StateError('UnsupportedVersion', `nested serializers version ${v}`, { offset: r.base + at + 4, path: r.path });
  const n = r.count('nested serializers', 6);
  const out: SerializerSnapshot[] = [];
  for (let i = 0; i < n; i++) out.push(r.at(`[${i}]`, () => readVersionedSnapshot(r)));
  return out;
}

/** Flink's LinkedOptionalMap framing; calls `value` with a reader over each present value. */
function readOptionalMap(
  r: ByteReader,
  onEntry: (name: string, key: Uint8Array | null, value: Uint8Array | null) => void,
): void {
  const at = r.offset;
  const header = r.i64('optional map header');
  if (header !== OPTIONAL_MAP_HEADER) {
    throw new StateError('BadValue', `optional map header 0x${header.toString(16)}`, { offset: r.base + at, path: r.path });
  }
  const n = r.count('optional map size', 4);
  for (let i = 0; i < n; i++) {
    const name = r.utf('optional map key name');
    const key = r.u8('key present') !== 0 ? r.lengthPrefixed('optional map key') : null;
    const value = r.u8('value present') !== 0 ? r.lengthPrefixed('optional map value') : null;
    onEntry(name, key, value);
  }
}

function optionalMapKeys(r: ByteReader): string[] {
  const names: string[] = [];
  readOptionalMap(r, (name) => names.push(name));
  return names;
}

function skipOptionalMap(r: ByteReader): void {
  readOptionalMap(r, () => undefined);
}

function readPojo(r: ByteReader, className: string, version: number): SnapshotConfig {
  if (version !== 2) {
    throw new StateError('UnsupportedVersion', `${className} version ${version}`, { offset: r.base + r.offset, path: r.path });
  }
  const pojoClass = r.utf('pojo class');
  const fields: { name: string; snapshot: SerializerSnapshot | null }[] = [];
  readOptionalMap(r, (name, _key, value) => {
    fields.push({ name, snapshot: value === null ? null : readVersionedSnapshot(new ByteReader(value)) });
  });
  skipOptionalMap(r); // registered subclasses
  skipOptionalMap(r); // non-registered subclasses
  return { kind: 'pojo', pojoClass, fields };
}

/** Short type name for display, e.g. `Long`, `List<String>`, `Map<Long, String>`. */
export function describeSnapshot(s: SerializerSnapshot): string {
  const simple = SIMPLE[s.className];
  if (simple !== undefined) return simple;
  const inner = s.nested.map(describeSnapshot).join(', ');
  switch (s.className) {
    case CLS.list:
    case CLS.arrayList:
      return `List<${inner}>`;
    case CLS.map:
      return `Map<${inner}>`;
    case CLS.ttl:
      return `Ttl<${describeSnapshot(s.nested[1] ?? s)}>`;
    case CLS.timer:
      return `Timer<${inner}>`;
    case CLS.either:
      return `Either<${inner}>`;
  }
  const scala = describeScala(s, s.nested.map(describeSnapshot));
  if (scala !== undefined) return scala;
  const cep = describeCep(s, s.nested.map(describeSnapshot));
  if (cep !== undefined) return cep;
  const table = describeTable(s, s.nested.map(describeSnapshot));
  if (table !== undefined) return table;
  if (s.config?.kind === 'tuple') return `${s.config.tupleClass.slice(s.config.tupleClass.lastIndexOf('.') + 1)}<${inner}>`;
  if (s.config?.kind === 'row') return `Row<${inner}>`;
  if (s.config?.kind === 'pojo') return s.config.pojoClass;
  if (s.config?.kind === 'enum') return s.config.enumClass;
  if (s.config?.kind === 'avro') return `Avro(${s.config.runtimeClass ?? 'generic'})`;
  if (s.config?.kind === 'kryo') return `Kryo(${s.config.typeClass})`;
  return s.className;
}
