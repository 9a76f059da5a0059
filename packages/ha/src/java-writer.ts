/**
 * A generic writer of Java Object Serialization streams (protocol version 5), the inverse of
 * `@ckpt/format`'s `readJavaStream` for the graphs Flink's HA files hold: class descriptors
 * (with serialVersionUID, flags, fields and superclass), objects whose classes have a
 * `writeObject` method (their fields, then block data and objects, then TC_ENDBLOCKDATA), enums,
 * arrays, strings and back-references.
 *
 * What is shared follows `ObjectOutputStream`, which shares by object identity:
 * - class descriptors, objects and arrays: one JS object is one Java object (written once, then
 *   TC_REFERENCE);
 * - enum constants are singletons (shared by class and name);
 * - field type signatures are interned in the JVM, so equal signatures are one string;
 * - a plain JS string is a new `String` at every occurrence (Java does not intern data strings);
 *   to share one string object, use a {@link JavaStringObject} at each place.
 * Block data of a `writeObject` method is buffered as `ObjectOutputStream` buffers it: bytes
 * written between two objects go out in chunks of at most 1024 bytes (TC_BLOCKDATA up to 255
 * bytes, TC_BLOCKDATALONG above).
 */
import { SC_SERIALIZABLE, SC_WRITE_METHOD, TC, type JavaClassDesc, type JavaFieldDesc } from '@ckpt/format';
import { HaError } from './errors.js';

const STREAM_MAGIC = 0xaced;
const STREAM_VERSION = 5;
/** Wire handle of the first object of a stream. */
const BASE_HANDLE = 0x7e0000;

/** One `String` object that may occur at several places of the graph (written once, then referenced). */
export interface JavaStringObject {
  kind: 'string';
  value: string;
}

/** What the writer accepts where Java has an object. */
export type WContent = WObject | WEnum | WArray | JavaStringObject | string | null;
/** A field value: `Z` boolean, `B C S I F D` number, `J` bigint, `L [` content. */
export type WValue = boolean | number | bigint | WContent;
/** Custom `writeObject` data: primitive bytes or objects, in the order the method writes them. */
export type WAnnotation = Uint8Array | WContent;

export interface WObject {
  kind: 'object';
  classDesc: JavaClassDesc;
  /** One entry per class of the hierarchy, topmost serializable superclass first. */
  classData: { classDesc: JavaClassDesc; values: WValue[]; annotation?: WAnnotation[] }[];
}

export interface WEnum {
  kind: 'enum';
  classDesc: JavaClassDesc;
  constant: string;
}

export interface WArray {
  kind: 'array';
  classDesc: JavaClassDesc;
  /** `[B` as bytes; every other element type as values. */
  elements: Uint8Array | WValue[];
}

/** Largest block-data chunk `ObjectOutputStream` writes. */
const MAX_BLOCK = 1024;
/** Nesting bound (the Flink graphs are about 30 levels deep). */
const MAX_NESTING = 200;

class Out {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
  }
  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.length, v & 0xffff);
    this.length += 2;
  }
  i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
  }
  i64(v: bigint): void {
    this.room(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, v));
    this.length += 8;
  }
  f32(v: number): void {
    this.room(4);
    this.view.setFloat32(this.length, v);
    this.length += 4;
  }
  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }
  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const invalid = (detail: string): HaError => new HaError('InvalidModel', detail);

/** Java's modified UTF-8 (`DataOutput.writeUTF` without the length): U+0000 and surrogates as 2 / 3 bytes each. */
export function modifiedUtf8(s: string): Uint8Array {
  const b: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) b.push(c);
    else if (c <= 0x7ff) b.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else b.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(b);
}

/**
 * Serializes `root` as `ObjectOutputStream.writeObject(root)` does.
 * @throws HaError `InvalidModel` when the graph cannot be written (wrong value for a field type,
 * class data not matching the hierarchy, nesting deeper than 200)
 */
export function writeJavaObjectStream(root: WContent): Uint8Array {
  const out = new Out();
  const handles = new Map<object, number>();
  const enums = new Map<string, number>();
  const signatures = new Map<string, number>();
  let next = 0;
  let depth = 0;

  const ref = (h: number): void => {
    out.u8(TC.REFERENCE);
    out.i32(BASE_HANDLE + h);
  };
  const utf = (s: string): void => {
    const b = modifiedUtf8(s);
    if (b.length > 0xffff) throw invalid(`name longer than 65535 bytes: ${s.slice(0, 40)}…`);
    out.u16(b.length);
    out.raw(b);
  };
  const newString = (s: string): void => {
    const b = modifiedUtf8(s);
    if (b.length <= 0xffff) {
      out.u8(TC.STRING);
      out.u16(b.length);
    } else {
      out.u8(TC.LONGSTRING);
      out.i64(BigInt(b.length));
    }
    out.raw(b);
    next++;
  };
  const nested = (fn: () => void): void => {
    if (++depth > MAX_NESTING) throw invalid(`nesting deeper than ${MAX_NESTING} levels`);
    try {
      fn();
    } finally {
      depth--;
    }
  };

  const classDesc = (d: JavaClassDesc | null): void => {
    if (d === null) return out.u8(TC.NULL);
    const known = handles.get(d);
    if (known !== undefined) return ref(known);
    nested(() => {
      out.u8(TC.CLASSDESC);
      utf(d.name);
      out.i64(d.suid);
      handles.set(d, next++);
      out.u8(d.flags);
      out.u16(d.fields.length);
      for (const f of d.fields) {
        out.u8(f.code.charCodeAt(0));
        utf(f.name);
        if (f.code === 'L' || f.code === '[') {
          if (!f.signature?.startsWith(f.code)) throw invalid(`${d.name}.${f.name} needs a '${f.code}' signature`);
          const s = signatures.get(f.signature);
          if (s !== undefined) ref(s);
          else {
            signatures.set(f.signature, next);
            newString(f.signature);
          }
        }
      }
      out.u8(TC.ENDBLOCKDATA);
      classDesc(d.superClass);
    });
  };

  const primitive = (f: JavaFieldDesc, v: WValue, where: string): void => {
    const num = (): number => {
      if (typeof v !== 'number') throw invalid(`${where} ('${f.code}') must be a number`);
      return v;
    };
    switch (f.code) {
      case 'Z':
        if (typeof v !== 'boolean') throw invalid(`${where} ('Z') must be a boolean`);
        return out.u8(v ? 1 : 0);
      case 'B':
        return out.u8(num());
      case 'C':
      case 'S':
        return out.u16(num());
      case 'I':
        return out.i32(num());
      case 'J':
        if (typeof v !== 'bigint') throw invalid(`${where} ('J') must be a bigint`);
        return out.i64(v);
      case 'F':
        return out.f32(num());
      case 'D':
        return out.f64(num());
      default:
        if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') {
          throw invalid(`${where} ('${f.code}') must hold an object, string or null`);
        }
        return content(v);
    }
  };

  const blockData = (items: readonly WAnnotation[]): void => {
    let pending: Uint8Array[] = [];
    const drain = (): void => {
      const total = pending.reduce((n, b) => n + b.length, 0);
      const all = new Uint8Array(total);
      let at = 0;
      for (const b of pending) {
        all.set(b, at);
        at += b.length;
      }
      pending = [];
      for (let i = 0; i < total; i += MAX_BLOCK) {
        const chunk = all.subarray(i, Math.min(total, i + MAX_BLOCK));
        if (chunk.length <= 0xff) {
          out.u8(TC.BLOCKDATA);
          out.u8(chunk.length);
        } else {
          out.u8(TC.BLOCKDATALONG);
          out.i32(chunk.length);
        }
        out.raw(chunk);
      }
    };
    for (const item of items) {
      if (item instanceof Uint8Array) pending.push(item);
      else {
        drain();
        content(item);
      }
    }
    drain();
  };

  const object = (o: WObject): void => {
    out.u8(TC.OBJECT);
    classDesc(o.classDesc);
    handles.set(o, next++);
    const chain: JavaClassDesc[] = [];
    for (let d: JavaClassDesc | null = o.classDesc; d !== null; d = d.superClass) chain.unshift(d);
    if (o.classData.length !== chain.length || o.classData.some((cd, i) => cd.classDesc !== chain[i])) {
      throw invalid(`class data of ${o.classDesc.name} does not match its class hierarchy`);
    }
    for (const { classDesc: d, values, annotation } of o.classData) {
      if (!(d.flags & SC_SERIALIZABLE)) continue;
      if (values.length !== d.fields.length) throw invalid(`${d.name}: ${values.length} values for ${d.fields.length} fields`);
      d.fields.forEach((f, i) => primitive(f, values[i]!, `${d.name}.${f.name}`));
      if (d.flags & SC_WRITE_METHOD) {
        blockData(annotation ?? []);
        out.u8(TC.ENDBLOCKDATA);
      } else if (annotation !== undefined && annotation.length > 0) {
        throw invalid(`${d.name} has no writeObject method but custom data`);
      }
    }
  };

  const array = (a: WArray): void => {
    out.u8(TC.ARRAY);
    classDesc(a.classDesc);
    handles.set(a, next++);
    const code = a.classDesc.name.charAt(1);
    if (a.elements instanceof Uint8Array) {
      if (code !== 'B') throw invalid(`${a.classDesc.name} given as bytes`);
      out.i32(a.elements.length);
      return out.raw(a.elements);
    }
    out.i32(a.elements.length);
    const f: JavaFieldDesc = { code: code === 'L' || code === '[' ? 'L' : (code as JavaFieldDesc['code']), name: '[]', signature: 'L' };
    a.elements.forEach((e, i) => primitive(f, e, `${a.classDesc.name}[${i}]`));
  };

  const content = (v: WContent): void => {
    if (v === null) return out.u8(TC.NULL);
    if (typeof v === 'string') return newString(v);
    const known = handles.get(v);
    if (known !== undefined) return ref(known);
    switch (v.kind) {
      case 'string':
        handles.set(v, next);
        return newString(v.value);
      case 'enum': {
        const key = `${v.classDesc.name}\u0000${v.constant}`;
        const seen = enums.get(key);
        if (seen !== undefined) return ref(seen);
        return nested(() => {
          out.u8(TC.ENUM);
          classDesc(v.classDesc);
          enums.set(key, next++);
          newString(v.constant);
        });
      }
      case 'array':
        return nested(() => array(v));
      case 'object':
        return nested(() => object(v));
      default:
        throw invalid(`cannot write ${String((v as { kind?: unknown }).kind)}`);
    }
  };

  out.u16(STREAM_MAGIC);
  out.u16(STREAM_VERSION);
  content(root);
  return out.finish();
}
