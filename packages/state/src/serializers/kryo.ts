import type { ByteReader, ByteWriter } from '@ckpt/format';
import { StateError } from '../errors.js';
import type { ValueCodec } from './codecs.js';

/**
 * A Kryo-serialized value ckpt cannot decode (its layout is the job's class, read by Kryo): the
 * bytes, the type the serializer was declared for, and what Kryo's class tag says — the class name
 * of an unregistered class, or the registration id of a registered one (the id → class mapping is
 * the job's Kryo registration order, not in the snapshot), or null for a null value.
 */
export interface KryoValue {
  kind: 'kryo';
  declared: string;
  class: string | null;
  bytes: Uint8Array;
}

/** Kryo's default registrations (ids 0–9, the same in Kryo 2.24 and 5). */
const KRYO_DEFAULTS = ['int', 'String', 'float', 'boolean', 'byte', 'char', 'short', 'long', 'double', 'void'];

function varint(b: Uint8Array, p: number): [number, number] {
  let v = 0;
  for (let shift = 0; shift < 35 && p < b.length; shift += 7) {
    const x = b[p++]!;
    v += (x & 0x7f) * 2 ** shift;
    if ((x & 0x80) === 0) return [v, p];
  }
  return [-1, p];
}

/** Kryo `writeString` in its ASCII form (last byte | 0x80); anything else gives undefined. */
function asciiString(b: Uint8Array, p: number): string | undefined {
  if (p >= b.length || (b[p]! & 0x80) !== 0) return undefined;
  let s = '';
  for (; p < b.length; p++) {
    const c = b[p]!;
    s += String.fromCharCode(c & 0x7f);
    if (c & 0x80) return s;
  }
  return undefined;
}

/** What the class tag of `writeClassAndObject` output says. */
export function kryoClassTag(b: Uint8Array): string | null {
  const [tag, p] = varint(b, 0);
  if (tag === 0) return null;
  if (tag === 1) {
    const [, q] = varint(b, p); // name id
    return asciiString(b, q) ?? 'unregistered class (name not ASCII)';
  }
  if (tag < 0) return 'unreadable class tag';
  const id = tag - 2;
  return `registered #${id}${KRYO_DEFAULTS[id] ? ` (${KRYO_DEFAULTS[id]})` : ''}`;
}

/**
 * Kryo values: not readable from a stream (no length), but a value that fills its window (a keyed
 * value, an operator state element) comes out as a {@link KryoValue}.
 */
export function kryoCodec(type: string, className: string, declared: string): ValueCodec {
  return {
    type,
    className,
    fixedLength: -1,
    opaque: true,
    read(r: ByteReader): never {
      throw new StateError('UnknownSerializer', `Kryo values of ${declared} cannot be delimited inside another value (${className})`, {
        offset: r.base + r.offset,
        path: r.path,
      });
    },
    readWhole(r: ByteReader): KryoValue {
      const bytes = r.raw(r.remaining, 'kryo value').slice();
      return { kind: 'kryo', declared, class: kryoClassTag(bytes), bytes };
    },
    write(w: ByteWriter, v: unknown) {
      const k = v as Partial<KryoValue> | null;
      if ((k?.kind !== 'kryo' && k?.kind !== ('opaque' as string)) || !(k.bytes instanceof Uint8Array)) {
        throw new StateError('BadValue', `cannot write ${String(v)} as ${type}`);
      }
      w.raw(k.bytes);
    },
  };
}
