import { ByteReader, FormatError, getField, type JavaContent, type JavaFieldValue, type JavaObject } from '@ckpt/format';
import { readJavaStreamAt } from './java-stream.js';
import { StateError } from '../errors.js';
import { SCALA } from './scala.js';
import type { SerializerSnapshot } from './snapshot.js';

/**
 * `TypeSerializer` objects as Flink ≤ 1.6 Java-serialized them into state meta info
 * (`TypeSerializerSerializationProxy`, and the raw stream of operator meta info V1). Read with
 * the format package's bounded Java-serialization reader: nothing is instantiated, the result is
 * a tree of class descriptors and field values. The serializer's class (and, for composite
 * serializers, the fields that hold the nested serializers) is mapped to the snapshot ckpt's
 * codecs understand; any other class is an `UnknownSerializer` naming it.
 */

const F = 'org.apache.flink.';
const SER = {
  tuple: `${F}api.java.typeutils.runtime.TupleSerializer`,
  tupleBase: `${F}api.java.typeutils.runtime.TupleSerializerBase`,
  caseClass: `${F}api.scala.typeutils.CaseClassSerializer`,
  arrayList: `${F}runtime.state.ArrayListSerializer`,
  list: `${F}api.common.typeutils.base.ListSerializer`,
  map: `${F}api.common.typeutils.base.MapSerializer`,
  either: `${F}api.java.typeutils.runtime.EitherSerializer`,
  scalaEither: `${F}api.scala.typeutils.EitherSerializer`,
  option: `${F}api.scala.typeutils.OptionSerializer`,
  try: `${F}api.scala.typeutils.TrySerializer`,
  traversable: `${F}api.scala.typeutils.TraversableSerializer`,
  timer: `${F}streaming.api.operators.TimerSerializer`,
  kryo: `${F}api.java.typeutils.runtime.kryo.KryoSerializer`,
  scalaEnum: `${F}api.scala.typeutils.EnumValueSerializer`,
} as const;
const ENUMERATION_VALUE = 'Lscala/Enumeration$Value;';

/** What the mapping needs from `snapshot.ts` (passed in to keep the module graph acyclic). */
export interface JavaSerializerKit {
  /** The simple snapshot class of a configuration-free serializer class, if it is one. */
  simpleSnapshotOf(serializerClass: string): string | undefined;
  cls: { tuple: string; list: string; arrayList: string; map: string; either: string; timer: string; kryo: string };
}

/** The bytes of one Java-serialized serializer, read as far as the stream grammar goes. */
export interface JavaSerializer {
  /** The decoded object, or undefined when the stream could not be read (then `error` says why). */
  object: JavaContent | undefined;
  error?: Error;
}


/** Decodes a length-delimited Java-serialized serializer; a stream the reader cannot follow is kept as the error. */
export function decodeJavaSerializer(bytes: Uint8Array, base: number, path: string): JavaSerializer {
  try {
    const r = new ByteReader(bytes, 0, base);
    r.path = path;
    return { object: readJavaStreamAt(r) };
  } catch (e) {
    if (e instanceof FormatError) return { object: undefined, error: e };
    throw e;
  }
}

/** The class of a serializer object and its superclasses, most derived first. */
export function classChain(o: JavaContent | undefined): string[] {
  if (!o || typeof o !== 'object' || o.kind !== 'object') return [];
  const out: string[] = [];
  for (let d: typeof o.classDesc | null = o.classDesc; d; d = d.superClass) out.push(d.name);
  return out;
}

function unknown(cls: string, why = ''): StateError {
  return new StateError('UnknownSerializer', `serializer ${cls}${why} is not one ckpt can decode without its classes`);
}

function objectField(o: JavaObject, name: string): JavaFieldValue {
  const f = getField(o, name);
  if (!f) throw unknown(o.classDesc.name, ` (no field ${name})`);
  return f.value;
}

function className(v: JavaFieldValue): string | undefined {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && v.kind === 'class' ? v.classDesc.name : undefined;
}

/**
 * The snapshot a Java-serialized serializer object stands for. Throws `UnknownSerializer`
 * naming the class for serializers ckpt cannot map (a user's own serializer, or one whose
 * configuration lives only in fields Flink marks transient).
 */
export function snapshotOfJavaSerializer(o: JavaContent | undefined, kit: JavaSerializerKit): SerializerSnapshot {
  if (!o || typeof o !== 'object' || o.kind !== 'object') {
    throw new StateError('UnknownSerializer', `a Java-serialized serializer was expected, found ${o === null ? 'null' : typeof o === 'string' ? 'a string' : (o?.kind ?? 'nothing')}`);
  }
  const chain = classChain(o);
  const cls = chain[0]!;
  const simple = kit.simpleSnapshotOf(cls);
  if (simple !== undefined) return { className: simple, version: 3, nested: [] };
  const kryo = (typeClass: string): SerializerSnapshot => ({
    className: kit.cls.kryo, version: 2, nested: [], config: { kind: 'kryo', typeClass, registrations: [], defaultSerializers: [], defaultSerializerClasses: [] },
  });
  const nestedOf = (...fields: string[]) => fields.map((f) => snapshotOfJavaSerializer(objectField(o, f) as JavaContent, kit));
  switch (cls) {
    case SER.arrayList:
      return { className: kit.cls.arrayList, version: 1, nested: nestedOf('elementSerializer') };
    case SER.list:
      return { className: kit.cls.list, version: 1, nested: nestedOf('elementSerializer') };
    case SER.map:
      return { className: kit.cls.map, version: 1, nested: nestedOf('keySerializer', 'valueSerializer') };
    case SER.either:
      return { className: kit.cls.either, version: 1, nested: nestedOf('leftSerializer', 'rightSerializer') };
    case SER.scalaEither:
      return { className: SCALA.either, version: 1, nested: nestedOf('leftSerializer', 'rightSerializer') };
    case SER.option:
      return { className: SCALA.option, version: 1, nested: nestedOf('elemSerializer') };
    case SER.timer:
      return { className: kit.cls.timer, version: 1, nested: nestedOf('keySerializer', 'namespaceSerializer') };
    case SER.scalaEnum:
      return { className: SCALA.enum, version: 3, nested: [], config: scalaEnumeration(objectField(o, 'enum'), cls) };
    case SER.try:
      // the Throwable serializer is made from the execution config: a KryoSerializer of Throwable
      return { className: SCALA.try, version: 1, nested: [...nestedOf('elemSerializer'), kryo('java.lang.Throwable')] };
    case SER.kryo:
      return kryo(className(objectField(o, 'type')) ?? '?');
  }
  if (chain.includes(SER.tupleBase)) {
    const tupleClass = className(objectField(o, 'tupleClass')) ?? '?';
    const fields = objectField(o, 'fieldSerializers');
    if (typeof fields !== 'object' || fields === null || fields instanceof Uint8Array || fields.kind !== 'array' || fields.elements instanceof Uint8Array) {
      throw unknown(cls, ' (its field serializers are not an array)');
    }
    const nested = fields.elements.map((e) => snapshotOfJavaSerializer(e as JavaContent, kit));
    if (chain.includes(SER.caseClass)) return { className: SCALA.caseClass, version: 1, nested, config: { kind: 'caseClass', caseClass: tupleClass } };
    return { className: kit.cls.tuple, version: 1, nested, config: { kind: 'tuple', tupleClass } };
  }
  if (chain.includes(SER.traversable)) {
    return { className: SCALA.traversable, version: 1, nested: nestedOf('elementSerializer'), config: { kind: 'traversable', cbfCode: '' } };
  }
  throw unknown(cls);
}

/**
 * The constants of a Java-serialized Scala `Enumeration` object: its fields of type
 * `Enumeration#Value`, each a `Val` with its id; a `Val` without an explicit name is named by its
 * field, as Scala's `Enumeration` names it (by reflection over those members).
 */
function scalaEnumeration(e: JavaFieldValue, serializerClass: string): { kind: 'scalaEnum'; enumClass: string; constants: { name: string; id: number }[] } {
  if (typeof e !== 'object' || e === null || e instanceof Uint8Array || e.kind !== 'object') throw unknown(serializerClass, ' (its enumeration is not an object)');
  const own = e.classData.find((d) => d.classDesc.name === e.classDesc.name)!;
  const constants: { name: string; id: number }[] = [];
  own.classDesc.fields.forEach((f, i) => {
    if (f.signature !== ENUMERATION_VALUE) return;
    const v = own.values[i];
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array || v.kind !== 'object') return;
    const id = (getField(v, 'scala$Enumeration$Val$$i') ?? getField(v, 'i'))?.value;
    const name = getField(v, 'name')?.value;
    if (typeof id !== 'number') throw unknown(serializerClass, ` (value ${f.name} of ${e.classDesc.name} has no id)`);
    constants.push({ name: typeof name === 'string' ? name : f.name, id });
  });
  if (constants.length === 0) throw unknown(serializerClass, ` (no values found in ${e.classDesc.name})`);
  constants.sort((a, b) => a.id - b.id);
  return { kind: 'scalaEnum', enumClass: e.classDesc.name, constants };
}
