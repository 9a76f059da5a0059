import { FormatError, getField, type ByteReader, type ByteWriter } from '@ckpt/format';
import { readJavaStreamAt } from './java-stream.js';
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
  /** A Java-serialized `Throwable`: its `detailMessage` (null when it has none). */
  message?: string | null;
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

/** Kryo's unsigned / zigzag varints (`readVarInt` / `readVarLong`), at most 5 / 10 bytes. */
function readVarLong(r: ByteReader, zigzag: boolean, maxBytes: number): bigint {
  const at = r.offset;
  let v = 0n;
  for (let i = 0; i < maxBytes; i++) {
    const b = r.u8('kryo varint');
    v |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) {
      const u = BigInt.asUintN(7 * (i + 1), v);
      return zigzag ? (u >> 1n) ^ -(u & 1n) : u;
    }
  }
  throw new StateError('BadValue', `kryo varint longer than ${maxBytes} bytes`, { offset: r.base + at, path: r.path });
}

/** Kryo `writeString`: ASCII with the last byte's bit 7 set, or a UTF-8 length (+1; 0 = null) and modified UTF-8 chars. */
function readKryoString(r: ByteReader): string | null {
  const first = r.u8('kryo string');
  if ((first & 0x80) === 0) {
    let s = String.fromCharCode(first);
    for (;;) {
      const c = r.u8('kryo ascii string');
      s += String.fromCharCode(c & 0x7f);
      if (c & 0x80) return s;
    }
  }
  let n = first & 0x3f;
  if (first & 0x40) {
    let shift = 6;
    for (let i = 0; i < 4; i++, shift += 7) {
      const b = r.u8('kryo string length');
      n |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
    }
  }
  if (n === 0) return null;
  const units: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    const b = r.u8('kryo string char');
    if (b >> 4 < 8) units.push(b);
    else if (b >> 4 === 12 || b >> 4 === 13) units.push(((b & 0x1f) << 6) | (r.u8('kryo string char') & 0x3f));
    else units.push(((b & 0x0f) << 12) | ((r.u8('kryo string char') & 0x3f) << 6) | (r.u8('kryo string char') & 0x3f));
  }
  let s = '';
  for (let i = 0; i < units.length; i += 8192) s += String.fromCharCode(...units.slice(i, i + 8192));
  return s;
}

/**
 * A `writeClassAndObject` value whose class is one of Kryo's default registrations (ids 0–9, the
 * same in Kryo 2.24 and 5): these have a known layout, so the value can be read inside a stream.
 * Any other class (a registered or named class of the job) is refused, naming what the tag says.
 */
function readKryoDefault(r: ByteReader, declared: string, className: string): unknown {
  const at = r.offset;
  const tag = Number(readVarLong(r, false, 5));
  if (tag === 0) return null;
  const id = tag - 2;
  const be = (n: number) => new DataView(r.raw(n, 'kryo value').slice().buffer);
  switch (KRYO_DEFAULTS[id]) {
    case 'int':
      return Number(readVarLong(r, true, 5));
    case 'long':
      return readVarLong(r, true, 10);
    case 'String':
      return readKryoString(r);
    case 'float':
      return be(4).getFloat32(0);
    case 'double':
      return be(8).getFloat64(0);
    case 'boolean':
      return r.u8('kryo boolean') !== 0;
    case 'byte':
      return r.i8('kryo byte');
    case 'char':
      return String.fromCharCode(r.u16('kryo char'));
    case 'short':
      return be(2).getInt16(0);
  }
  const bytes = r.bytes.subarray(at, Math.min(r.bytes.length, at + 64));
  throw new StateError('UnknownSerializer', `Kryo values of ${declared} cannot be delimited inside another value: this one is ${kryoClassTag(bytes) ?? 'null'}, a class of the job (${className})`, {
    offset: r.base + at,
    path: r.path,
  });
}

/**
 * Kryo values: a value that fills its window (a keyed value, an operator state element) comes out
 * as a {@link KryoValue}; inside a stream (a key before its value) only values of Kryo's default
 * registrations (boxed primitives, String) can be read, anything else is refused.
 */
export function kryoCodec(type: string, className: string, declared: string): ValueCodec {
  return {
    type,
    className,
    fixedLength: -1,
    opaque: true,
    read(r: ByteReader): unknown {
      return readKryoDefault(r, declared, className);
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

/**
 * A `Throwable` written by Flink's `KryoSerializer` (`writeClassAndObject`): Flink registers its
 * own `JavaSerializer` as Kryo's default serializer for every `Throwable`, so after the class tag
 * (`1`, name id, class name — an unregistered class) and Kryo's reference marker (`1`, a new
 * object) comes one Java serialization stream, which delimits the value. Its bytes come out as a
 * {@link KryoValue} with the exception's message; a registered class (its name is not in the
 * bytes) or a back-reference is refused.
 */
export function readKryoThrowable(r: ByteReader, declared: string): KryoValue | null {
  const at = r.offset;
  const tag = Number(readVarLong(r, false, 5));
  if (tag === 0) return null;
  const fail = (what: string) => new StateError('UnknownSerializer', `a Kryo-serialized Throwable ${what} cannot be delimited`, { offset: r.base + at, path: r.path });
  if (tag !== 1) throw fail(`of a registered class (#${tag - 2})`);
  readVarLong(r, false, 5); // name id
  const cls = readKryoString(r);
  if (Number(readVarLong(r, false, 5)) !== 1) throw fail(`(${cls}) that refers to an earlier object`);
  let message: string | null = null;
  try {
    const root = readJavaStreamAt(r);
    if (typeof root === 'object' && root !== null && root.kind === 'object') {
      const m = getField(root, 'detailMessage')?.value;
      message = typeof m === 'string' ? m : null;
    }
  } catch (e) {
    if (e instanceof FormatError) throw fail(`(${cls}): its Java serialization stream is unreadable (${e.message})`);
    throw e;
  }
  return { kind: 'kryo', declared, class: cls, bytes: r.bytes.slice(at, r.offset), message };
}
