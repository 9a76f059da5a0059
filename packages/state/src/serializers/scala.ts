import type { ByteReader, ByteWriter } from '@ckpt/format';
import { StateError } from '../errors.js';
import type { ValueCodec } from './codecs.js';
import { readBool, writeBool } from './data.js';
import type { SerializerSnapshot } from './snapshot.js';
import { readKryoThrowable, type KryoValue } from './kryo.js';

/**
 * Serializers of Flink's Scala API (`flink-scala`): snapshot classes, their configuration and
 * the value codecs. Value layouts (all from `org.apache.flink.api.scala.typeutils`):
 * - `EnumValueSerializer`: `int id` of the `Enumeration#Value`;
 * - `OptionSerializer`: `bool isSome`, then the element;
 * - `EitherSerializer`: `bool isLeft`, then the left or right value;
 * - `TrySerializer`: `bool isSuccess`, then the element, or the Kryo-serialized `Throwable`;
 * - `TraversableSerializer`: `int size`, then per element `bool nonNull` and the element;
 * - `CaseClassSerializer` / `ScalaCaseClassSerializer`: the fields back to back, no null markers;
 * - `UnitSerializer`: one byte.
 */
const S = 'org.apache.flink.api.scala.typeutils.';
export const SCALA = {
  enum: `${S}ScalaEnumSerializerSnapshot`,
  option: `${S}ScalaOptionSerializerSnapshot`,
  either: `${S}ScalaEitherSerializerSnapshot`,
  try: `${S}ScalaTrySerializerSnapshot`,
  traversable: `${S}TraversableSerializerSnapshot`,
  caseClass: `${S}ScalaCaseClassSerializerSnapshot`,
  unit: `${S}UnitSerializer$UnitSerializerSnapshot`,
} as const;

export type ScalaConfig =
  | { kind: 'scalaEnum'; enumClass: string; constants: { name: string; id: number }[] }
  | { kind: 'traversable'; cbfCode: string }
  | { kind: 'caseClass'; caseClass: string };

/** A value of a Scala `Enumeration`: the enumeration object's class, the value's name and id. */
export interface ScalaEnumValue {
  kind: 'scalaEnum';
  enum: string;
  name: string;
  id: number;
}

/** `Option`: `{kind: 'none'}` or `{kind: 'some', value}`. */
export type OptionValue = { kind: 'none' } | { kind: 'some'; value: unknown };

/**
 * `Try`: `{kind: 'success', value}` or `{kind: 'failure', throwable}` — the `Throwable` is Kryo
 * data ({@link KryoValue}), readable only when the `Try` is the whole value.
 */
export type TryValue = { kind: 'success'; value: unknown } | { kind: 'failure'; throwable: unknown };

/** `ScalaEnumSerializerSnapshot` v2+: `utf enumClass`, `int n`, n × (`utf name`, `int id`). */
export function readScalaEnum(r: ByteReader, className: string, version: number): ScalaConfig {
  if (version < 2) {
    throw new StateError('UnsupportedVersion', `${className} v${version} holds Java-serialized classes; not supported`, {
      offset: r.base + r.offset,
      path: r.path,
    });
  }
  const enumClass = r.utf('scala enum class');
  const n = r.count('scala enum constants', 6);
  const constants: { name: string; id: number }[] = [];
  for (let i = 0; i < n; i++) constants.push({ name: r.utf('scala enum constant'), id: r.i32('scala enum id') });
  return { kind: 'scalaEnum', enumClass, constants };
}

/** The outer snapshot of the composite Scala snapshots that have one (else undefined). */
export function readScalaOuter(r: ByteReader, className: string): ScalaConfig | undefined {
  if (className === SCALA.traversable) return { kind: 'traversable', cbfCode: r.utf('collection builder code') };
  if (className === SCALA.caseClass) return { kind: 'caseClass', caseClass: r.utf('case class') };
  return undefined;
}

function short(cls: string): string {
  return cls.slice(cls.lastIndexOf('.') + 1);
}

/** The collection a `TraversableSerializer`'s builder code makes, e.g. `List` or `mutable.Map`. */
function collectionName(cbfCode: string): string {
  const m = /scala\.collection\.((?:mutable\.|immutable\.)?[A-Za-z]+)/.exec(cbfCode);
  return m ? m[1]!.replace(/^immutable\./, '') : 'Traversable';
}

/** Display name of a Scala snapshot; `parts` are the nested serializers' names. */
export function describeScala(s: SerializerSnapshot, parts: string[]): string | undefined {
  const inner = parts.join(', ');
  switch (s.className) {
    case SCALA.option:
      return `Option<${inner}>`;
    case SCALA.either:
      return `Either<${inner}>`;
    case SCALA.try:
      return `Try<${parts[0] ?? ''}>`;
  }
  const c = s.config;
  if (c?.kind === 'scalaEnum') return c.enumClass;
  if (c?.kind === 'traversable') return `${collectionName(c.cbfCode)}<${inner}>`;
  if (c?.kind === 'caseClass') return `${short(c.caseClass)}(${inner})`;
  return undefined;
}

/** What the Scala codecs need from `codecs.ts` (passed in to keep the module graph acyclic). */
export interface CodecKit {
  codec(type: string, className: string, fixedLength: number, read: (r: ByteReader) => unknown, write: (w: ByteWriter, v: unknown) => void): ValueCodec;
  opaqueIfAny(type: string, className: string, parts: ValueCodec[]): ValueCodec | undefined;
  tuple(type: string, className: string, fields: ValueCodec[]): ValueCodec;
  either(type: string, className: string, left: ValueCodec, right: ValueCodec): ValueCodec;
  bad(what: string, v: unknown): StateError;
}

/** The codec of a Scala serializer snapshot, or undefined when `s` is not one. */
export function scalaCodec(s: SerializerSnapshot, nested: ValueCodec[], type: string, kit: CodecKit): ValueCodec | undefined {
  const cls = s.className;
  const c = s.config;
  if (c?.kind === 'scalaEnum') return enumCodec(type, cls, c.enumClass, c.constants, kit);
  if (c?.kind === 'caseClass') return kit.tuple(type, cls, nested);
  if (c?.kind === 'traversable') {
    const el = nested[0]!;
    return kit.opaqueIfAny(type, cls, [el]) ?? kit.codec(type, cls, -1, (r) => {
      const n = r.count('collection size', 1);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(readBool(r, 'element is not null') ? el.read(r) : null);
      return out;
    }, (w, v) => {
      if (!Array.isArray(v)) throw kit.bad(type, v);
      w.i32(v.length);
      for (const x of v) {
        writeBool(w, x !== null);
        if (x !== null) el.write(w, x);
      }
    });
  }
  switch (cls) {
    case SCALA.either:
      return kit.either(type, cls, nested[0]!, nested[1]!);
    case SCALA.option: {
      const el = nested[0]!;
      return kit.opaqueIfAny(type, cls, [el]) ?? kit.codec(type, cls, -1, (r): OptionValue => {
        return readBool(r, 'option is defined') ? { kind: 'some', value: el.read(r) } : { kind: 'none' };
      }, (w, v) => {
        const o = v as Partial<{ kind: string; value: unknown }> | null;
        if (o?.kind === 'none') writeBool(w, false);
        else if (o?.kind === 'some') (writeBool(w, true), el.write(w, o.value));
        else throw kit.bad(type, v);
      });
    }
    case SCALA.try: {
      const [el, throwable] = [nested[0]!, nested[1]!];
      const read = (r: ByteReader, whole: boolean): TryValue => {
        const at = r.offset;
        if (readBool(r, 'try is success')) return { kind: 'success', value: el.read(r) };
        // Flink's Kryo writes every Throwable as a Java serialization stream, which ends by itself
        if (s.nested[1]?.config?.kind === 'kryo') return { kind: 'failure', throwable: readKryoThrowable(r, s.nested[1].config.typeClass) };
        if (whole && throwable.readWhole) return { kind: 'failure', throwable: throwable.readWhole(r) };
        // Kryo writes no length: inside another value, where the Throwable ends is unknown
        throw new StateError('UnknownSerializer', `a scala.util.Failure inside another value: its Throwable is Kryo data (${throwable.type}) that cannot be delimited`, {
          offset: r.base + at,
          path: r.path,
        });
      };
      const c = kit.opaqueIfAny(type, cls, [el]) ?? kit.codec(type, cls, -1, (r) => read(r, false), (w, v) => {
        const t = v as Partial<{ kind: string; value: unknown; throwable: unknown }> | null;
        writeBool(w, t?.kind === 'success');
        if (t?.kind === 'success') el.write(w, t.value);
        else if (t?.kind === 'failure') throwable.write(w, t.throwable);
        else throw kit.bad(type, v);
      });
      return c.opaque ? c : { ...c, readWhole: (r: ByteReader) => read(r, true) };
    }
  }
  return undefined;
}

function enumCodec(type: string, cls: string, enumClass: string, constants: { name: string; id: number }[], kit: CodecKit): ValueCodec {
  const byId = new Map(constants.map((k) => [k.id, k.name]));
  return kit.codec(type, cls, 4, (r): ScalaEnumValue => {
    const at = r.offset;
    const id = r.i32('scala enum id');
    const name = byId.get(id);
    if (name === undefined) throw new StateError('BadValue', `${enumClass} has no value with id ${id}`, { offset: r.base + at, path: r.path });
    return { kind: 'scalaEnum', enum: enumClass, name, id };
  }, (w, v) => {
    const e = v as Partial<ScalaEnumValue> | null;
    if (e?.kind !== 'scalaEnum' || typeof e.id !== 'number' || byId.get(e.id) !== e.name) throw kit.bad(type, v);
    w.i32(e.id);
  });
}
