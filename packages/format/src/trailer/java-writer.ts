/**
 * The one writer of Java Object Serialization streams (protocol version 5), the inverse of
 * {@link readJavaStream}: class descriptors (serialVersionUID, flags, fields, superclass),
 * objects (their fields; for classes with a `writeObject` method also the custom data, then
 * TC_ENDBLOCKDATA), enums, arrays, `Class` objects, strings and back-references. Handles are
 * assigned in stream order, as `ObjectOutputStream` assigns them.
 *
 * Sharing:
 * - class descriptors, objects, arrays, `Class` objects and {@link JavaStringObject}s: one JS
 *   object is one Java object (written once, then TC_REFERENCE);
 * - enum constants are singletons (shared by class name and constant);
 * - plain JS strings follow {@link JavaWriteOptions.strings}: `'interned'` (the default) shares
 *   every equal string, field type signatures included (enum constant names are always written
 *   anew, but later equal strings refer to them); `'distinct'` writes a new `String` at every
 *   occurrence, as Java does for data strings that are not interned, and shares only equal field
 *   type signatures (the JVM interns those).
 *
 * Custom data of a `writeObject` method is buffered as `ObjectOutputStream` buffers it: bytes
 * written between two objects go out in block-data records of at most 1024 bytes (TC_BLOCKDATA
 * up to 255 bytes, TC_BLOCKDATALONG above).
 */
import { MUtf8Encoder } from 'mutf-8';
import { ByteWriter } from '../binary/writer.js';
import { concatBytes } from '../bytes.js';
import {
  BASE_HANDLE, MAX_DEPTH, MAX_DEPTH_LIMIT, SC_SERIALIZABLE, SC_WRITE_METHOD, STREAM_MAGIC, STREAM_VERSION, TC,
  type JavaClassDesc, type JavaClassRef, type JavaFieldDesc,
} from './java-model.js';

/** One `String` object that may stand at several places of a graph (written once, then referenced). */
export interface JavaStringObject {
  kind: 'string';
  value: string;
}

/** What the writer accepts where Java has an object (the reader's {@link JavaContent} is one). */
export type JavaWriteContent = JavaWriteObject | JavaWriteEnum | JavaWriteArray | JavaClassRef | JavaStringObject | string | null;
/** A field value: `Z` boolean, `B C S I F D` number, `J` bigint, `L [` content. */
export type JavaWriteValue = boolean | number | bigint | JavaWriteContent;
/** Custom `writeObject` data: primitive bytes or objects, in the order the method writes them. */
export type JavaWriteAnnotation = Uint8Array | JavaWriteContent;

/** An object to write (TC_OBJECT). */
export interface JavaWriteObject {
  kind: 'object';
  classDesc: JavaClassDesc;
  /** One entry per class of the hierarchy, topmost serializable superclass first. */
  classData: readonly { classDesc: JavaClassDesc; values: readonly JavaWriteValue[]; annotation?: readonly JavaWriteAnnotation[] }[];
}

/** An enum constant to write (TC_ENUM); `className`, when given, is ignored (`classDesc.name` counts). */
export interface JavaWriteEnum {
  kind: 'enum';
  classDesc: JavaClassDesc;
  constant: string;
  className?: string;
}

/** An array to write (TC_ARRAY): `[B` as bytes, every other element type as values. */
export interface JavaWriteArray {
  kind: 'array';
  classDesc: JavaClassDesc;
  elements: Uint8Array | readonly JavaWriteValue[];
}

export interface JavaWriteOptions {
  /** How plain JS strings are shared (see the module comment). Default `'interned'`. */
  strings?: 'interned' | 'distinct';
  /** Maximum nesting of objects / enums / arrays / class descriptors (at most {@link MAX_DEPTH_LIMIT}). Default {@link MAX_DEPTH}. */
  maxDepth?: number;
}

/** Largest block-data record `ObjectOutputStream` writes. */
const MAX_BLOCK = 1024;
const FIELD_CODES = 'ZBCSIJFDL[';
const encoder = new MUtf8Encoder();

/**
 * Writes a Java serialization stream holding `root`, as `ObjectOutputStream.writeObject(root)`
 * would. Fields go in the order of each descriptor's `fields` (see `javaFieldOrder`).
 *
 * @throws FormatError `InvalidModel` when the graph cannot be written (a value not of its
 *   field's type, class data not matching the hierarchy, custom data for a class without a
 *   `writeObject` method, nesting deeper than the bound)
 */
export function writeJavaStream(root: JavaWriteContent, options: JavaWriteOptions = {}): Uint8Array {
  const w = new ByteWriter(1024);
  const maxDepth = Math.min(options.maxDepth ?? MAX_DEPTH, MAX_DEPTH_LIMIT);
  const interned = (options.strings ?? 'interned') === 'interned';
  const identities = new Map<object, number>();
  const enums = new Map<string, number>();
  /** Plain strings by value (interned mode only). */
  const strings = new Map<string, number>();
  /** Field type signatures by value: the same table as plain strings when those are interned. */
  const signatures = interned ? strings : new Map<string, number>();
  let next = 0;
  let depth = 0;

  const ref = (h: number): void => {
    w.u8(TC.REFERENCE);
    w.i32(BASE_HANDLE + h);
  };
  const nested = (fn: () => void): void => {
    if (depth >= maxDepth) throw w.invalid(`nesting deeper than ${maxDepth} levels`);
    depth++;
    try {
      fn();
    } finally {
      depth--;
    }
  };
  /** A new String object (TC_STRING or TC_LONGSTRING); returns its handle. */
  const newString = (s: string): number => {
    if (typeof s !== 'string') throw w.invalid(`expected a string, got ${typeof s}`);
    const body = encoder.encode(s);
    if (body.length <= 0xffff) {
      w.u8(TC.STRING);
      w.u16(body.length);
    } else {
      w.u8(TC.LONGSTRING);
      w.i64(BigInt(body.length));
    }
    w.raw(body);
    return next++;
  };
  /** A string looked up in `table` first; new ones are entered into it. */
  const sharedString = (s: string, table: Map<string, number>): void => {
    const known = table.get(s);
    if (known !== undefined) return ref(known);
    table.set(s, newString(s));
  };
  const plainString = (s: string): void => {
    if (interned) sharedString(s, strings);
    else newString(s);
  };

  const classDesc = (d: JavaClassDesc | null): void => {
    if (d === null) return w.u8(TC.NULL);
    const known = identities.get(d);
    if (known !== undefined) return ref(known);
    nested(() => {
      w.u8(TC.CLASSDESC);
      w.utf(d.name, 'class name');
      w.i64(d.suid, 'serialVersionUID');
      identities.set(d, next++);
      w.u8(d.flags, 'class flags');
      if (d.fields.length > 0x7fff) throw w.invalid(`class ${d.name} has too many fields`);
      w.u16(d.fields.length);
      for (const f of d.fields) {
        if (f.code.length !== 1 || !FIELD_CODES.includes(f.code)) throw w.invalid(`bad field type ${f.code}`);
        w.u8(f.code.charCodeAt(0));
        w.utf(f.name, 'field name');
        if (f.code === 'L' || f.code === '[') {
          if (!f.signature?.startsWith(f.code)) throw w.invalid(`${d.name}.${f.name} needs a '${f.code}' signature`);
          sharedString(f.signature, signatures);
        }
      }
      w.u8(TC.ENDBLOCKDATA);
      classDesc(d.superClass);
    });
  };

  const fieldValue = (f: JavaFieldDesc, v: JavaWriteValue): void => {
    const int = (lo: number, hi: number): number => {
      if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
      throw w.invalid(`field ${f.name} ('${f.code}') must be an integer in [${lo}, ${hi}]`);
    };
    const float = (n: 4 | 8): void => {
      if (typeof v !== 'number') throw w.invalid(`field ${f.name} ('${f.code}') must be a number`);
      const b = new Uint8Array(n);
      if (n === 4) new DataView(b.buffer).setFloat32(0, v);
      else new DataView(b.buffer).setFloat64(0, v);
      w.raw(b);
    };
    switch (f.code) {
      case 'Z':
        if (typeof v !== 'boolean') throw w.invalid(`field ${f.name} ('Z') must be a boolean`);
        return w.u8(v ? 1 : 0);
      case 'B':
        return w.u8(int(-0x80, 0x7f) & 0xff);
      case 'C':
        return w.u16(int(0, 0xffff));
      case 'S':
        return w.u16(int(-0x8000, 0x7fff) & 0xffff);
      case 'I':
        return w.i32(int(-0x80000000, 0x7fffffff));
      case 'J':
        return w.i64(v as bigint, `field ${f.name}`);
      case 'F':
      case 'D':
        return float(f.code === 'F' ? 4 : 8);
      default:
        if (v !== null && typeof v !== 'string' && typeof v !== 'object') {
          throw w.invalid(`field ${f.name} ('${f.code}') must hold an object, string or null`);
        }
        return content(v);
    }
  };

  /** Custom data: consecutive bytes joined, then cut into records of at most {@link MAX_BLOCK}. */
  const blockData = (items: readonly JavaWriteAnnotation[]): void => {
    let pending: Uint8Array[] = [];
    const drain = (): void => {
      const all = concatBytes(pending);
      pending = [];
      for (let i = 0; i < all.length; i += MAX_BLOCK) {
        const chunk = all.subarray(i, Math.min(all.length, i + MAX_BLOCK));
        if (chunk.length <= 0xff) {
          w.u8(TC.BLOCKDATA);
          w.u8(chunk.length);
        } else {
          w.u8(TC.BLOCKDATALONG);
          w.i32(chunk.length);
        }
        w.raw(chunk);
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

  const object = (o: JavaWriteObject): void => {
    w.u8(TC.OBJECT);
    classDesc(o.classDesc);
    identities.set(o, next++);
    const chain: JavaClassDesc[] = [];
    for (let d: JavaClassDesc | null = o.classDesc; d !== null; d = d.superClass) {
      if (chain.length >= maxDepth) throw w.invalid('class hierarchy too deep');
      chain.unshift(d);
    }
    if (o.classData.length !== chain.length || o.classData.some((cd, i) => cd.classDesc !== chain[i])) {
      throw w.invalid(`class data of ${o.classDesc.name} does not match its class hierarchy`);
    }
    for (const { classDesc: d, values, annotation } of o.classData) {
      if (!(d.flags & SC_SERIALIZABLE)) continue;
      if (values.length !== d.fields.length) throw w.invalid(`${d.name}: ${values.length} values for ${d.fields.length} fields`);
      d.fields.forEach((f, i) => w.at(f.name, () => fieldValue(f, values[i] ?? null)));
      if (d.flags & SC_WRITE_METHOD) {
        blockData(annotation ?? []);
        w.u8(TC.ENDBLOCKDATA);
      } else if (annotation !== undefined && annotation.length > 0) {
        throw w.invalid(`${d.name} has no writeObject method but custom data`);
      }
    }
  };

  const array = (a: JavaWriteArray): void => {
    w.u8(TC.ARRAY);
    classDesc(a.classDesc);
    identities.set(a, next++);
    const code = a.classDesc.name.charAt(1);
    if (a.elements instanceof Uint8Array) {
      if (code !== 'B') throw w.invalid(`${a.classDesc.name} given as bytes`);
      return w.lengthPrefixed(a.elements, `${a.classDesc.name}`);
    }
    if (code === '' || !FIELD_CODES.includes(code)) throw w.invalid(`${a.classDesc.name} is not an array class`);
    w.i32(a.elements.length, 'array length');
    const f: JavaFieldDesc = { code: code === '[' ? 'L' : (code as JavaFieldDesc['code']), name: '[]' };
    a.elements.forEach((e, i) => w.at(i, () => fieldValue(f, e)));
  };

  const content = (v: JavaWriteContent): void => {
    if (v === null) return w.u8(TC.NULL);
    if (typeof v === 'string') return plainString(v);
    const known = identities.get(v);
    if (known !== undefined) return ref(known);
    const kind = (v as { kind?: unknown }).kind;
    switch (v.kind) {
      case 'string':
        if (typeof v.value !== 'string') throw w.invalid(`string object must hold a string, got ${typeof v.value}`);
        identities.set(v, newString(v.value));
        return;
      case 'enum': {
        const key = `${v.classDesc.name}\u0000${v.constant}`;
        const seen = enums.get(key);
        if (seen !== undefined) return ref(seen);
        return nested(() => {
          w.u8(TC.ENUM);
          classDesc(v.classDesc);
          enums.set(key, next++);
          // never shared itself, but later equal strings refer to it
          const h = newString(v.constant);
          if (interned) strings.set(v.constant, h);
        });
      }
      case 'class':
        return nested(() => {
          w.u8(TC.CLASS);
          classDesc(v.classDesc);
          identities.set(v, next++);
        });
      case 'array':
        return nested(() => array(v));
      case 'object':
        return nested(() => object(v));
      default:
        throw w.invalid(`cannot write ${String(kind)} as an object`);
    }
  };

  w.u16(STREAM_MAGIC);
  w.u16(STREAM_VERSION);
  content(root);
  return w.finish();
}
