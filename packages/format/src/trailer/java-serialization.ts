/**
 * A small, generic, bounds-checked reader for the subset of the Java Object Serialization
 * stream protocol (version 5) that Flink's `CheckpointProperties` trailer uses: TC_OBJECT,
 * TC_CLASSDESC, TC_ENUM, TC_STRING, TC_LONGSTRING, TC_REFERENCE, TC_NULL and TC_ENDBLOCKDATA
 * (as the end of empty class / object annotations). Everything else is rejected with
 * `FormatError('BadTrailer')`, unless {@link JavaStreamOptions} opt in to object annotations
 * (custom `writeObject` data: block data and objects, as `HashMap` or `ArrayList` write) and
 * arrays (TC_ARRAY), and an allow-list of class names (`ClassNotAllowed` for any other class).
 * Written from the public protocol description, not from the JDK. The matching writer is in
 * `java-writer.ts` ({@link writeJavaStream}). Nothing is instantiated or executed: the result is
 * a plain tree of descriptors and values.
 *
 * The reader never recurses deeper than {@link MAX_DEPTH} (or the option's depth), never
 * allocates from an unchecked length, and throws nothing but {@link FormatError}; error offsets
 * are absolute in the file.
 */
import { MUtf8Decoder } from 'mutf-8';
import { ByteReader } from '../binary/reader.js';
import { FormatError } from '../errors.js';
import {
  BASE_HANDLE,
  MAX_DEPTH,
  MAX_DEPTH_LIMIT,
  SC_ENUM,
  SC_EXTERNALIZABLE,
  SC_SERIALIZABLE,
  SC_WRITE_METHOD,
  STREAM_MAGIC,
  STREAM_VERSION,
  TC,
  type JavaAnnotationItem,
  type JavaArray,
  type JavaClassData,
  type JavaClassDesc,
  type JavaClassRef,
  type JavaContent,
  type JavaEnum,
  type JavaFieldCode,
  type JavaFieldDesc,
  type JavaFieldValue,
  type JavaHandle,
  type JavaObject,
  type JavaStream,
  type JavaStreamOptions,
} from './java-model.js';


const FIELD_CODES = 'ZBCSIJFDL[';
const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
const tcName = (tc: number): string =>
  Object.entries(TC).find(([, v]) => v === tc)?.[0].replace(/^/, 'TC_') ?? `type code ${hex(tc)}`;

const decoder = new MUtf8Decoder('mutf-8', { fatal: true, ignoreBOM: true }); // keep a leading U+FEFF

class StreamReader {
  readonly r: ByteReader;
  readonly handles: JavaHandle[] = [];
  readonly classDescs: JavaClassDesc[] = [];
  private readonly complete = new WeakSet<JavaClassDesc>();
  /** Descriptors let in only as the class of a `Class` object. */
  private readonly namedOnly = new WeakSet<JavaClassDesc>();
  private inClassObject = false;
  private depth = 0;
  private readonly maxDepth: number;

  constructor(
    bytes: Uint8Array,
    private readonly base: number,
    private readonly options: JavaStreamOptions = {},
  ) {
    this.r = new ByteReader(bytes);
    this.maxDepth = Math.max(1, Math.min(options.maxDepth ?? MAX_DEPTH, MAX_DEPTH_LIMIT));
  }

  bad(detail: string, at = this.r.offset): FormatError {
    return this.r.error('BadTrailer', detail, at);
  }

  private nested<T>(at: number, fn: () => T): T {
    if (this.depth >= this.maxDepth) throw this.bad(`nesting deeper than ${this.maxDepth} levels`, at);
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private handle(): JavaHandle {
    const at = this.r.offset;
    const h = this.r.i32('handle');
    const entry = this.handles[h - BASE_HANDLE];
    if (entry === undefined) throw this.bad(`reference to unassigned handle 0x${(h >>> 0).toString(16)}`, at);
    return entry;
  }

  /**
   * Reads an object position: TC_OBJECT, TC_ENUM, TC_STRING, TC_LONGSTRING, TC_REFERENCE, TC_NULL
   * (and TC_ARRAY when enabled).
   */
  content(): JavaContent {
    const at = this.r.offset;
    const tc = this.r.u8('type code');
    switch (tc) {
      case TC.NULL:
        return null;
      case TC.REFERENCE: {
        const h = this.handle();
        if (typeof h !== 'string' && h.kind === 'classDesc') {
          throw this.bad('reference to a class descriptor where an object is expected', at);
        }
        return h;
      }
      case TC.STRING:
      case TC.LONGSTRING:
        return this.newString(tc);
      case TC.OBJECT:
        return this.nested(at, () => this.newObject(at));
      case TC.ENUM:
        return this.nested(at, () => this.newEnum(at));
      case TC.ARRAY:
        if (this.options.arrays) return this.nested(at, () => this.newArray(at));
        throw this.bad('unsupported TC_ARRAY where an object is expected', at);
      case TC.CLASS:
        if (this.options.classes) return this.nested(at, () => this.newClass(at));
        throw this.bad('unsupported TC_CLASS where an object is expected', at);
      default:
        throw this.bad(`unsupported ${tcName(tc)} where an object is expected`, at);
    }
  }

  private newString(tc: number): string {
    const at = this.r.offset;
    let n: number;
    if (tc === TC.STRING) {
      n = this.r.u16('string length');
    } else {
      const len = this.r.i64('long string length');
      if (len < 0n) throw this.bad(`long string length ${len} is negative`, at);
      if (len > BigInt(this.r.remaining)) {
        const detail = `long string needs ${len} bytes but only ${this.r.remaining} remain`;
        throw this.r.error('Truncated', detail, at);
      }
      n = Number(len);
    }
    const body = this.r.raw(n, 'string');
    let s: string;
    try {
      s = decoder.decode(body);
    } catch (e) {
      const ctx = { offset: at, path: this.r.path, cause: e };
      throw new FormatError('BadUtf', 'string is not valid modified UTF-8', ctx);
    }
    this.handles.push(s);
    return s;
  }

  private newObject(at: number): JavaObject {
    const desc = this.classDesc();
    if (desc === null) throw this.bad('TC_OBJECT without a class descriptor', at);
    this.checkInstance(desc, at);
    if (desc.flags & SC_ENUM) throw this.bad(`enum class ${desc.name} read as an ordinary object`, at);
    if (!(desc.flags & SC_SERIALIZABLE)) throw this.bad(`class ${desc.name} is not serializable`, at);
    const obj: JavaObject = { kind: 'object', classDesc: desc, classData: [], offset: this.base + at };
    this.handles.push(obj);
    const chain: JavaClassDesc[] = [];
    for (let d: JavaClassDesc | null = desc; d !== null; d = d.superClass) {
      if (chain.length >= MAX_DEPTH) throw this.bad('class hierarchy too deep', at);
      chain.unshift(d);
    }
    for (const d of chain) {
      if (d.flags & SC_EXTERNALIZABLE) throw this.bad(`externalizable class ${d.name} not supported`);
      const values: JavaFieldValue[] = [];
      if (d.flags & SC_SERIALIZABLE) {
        for (const f of d.fields) values.push(this.r.at(f.name, () => this.fieldValue(f)));
        const cd: JavaClassData = { classDesc: d, values };
        if (d.flags & SC_WRITE_METHOD) {
          if (this.options.annotations) {
            cd.annotation = this.r.at(d.name, () => this.annotation());
          } else {
            const endAt = this.r.offset;
            const tc = this.r.u8('end of object annotation');
            if (tc !== TC.ENDBLOCKDATA) {
              const what = `object annotation of ${d.name} (custom writeObject data)`;
              throw this.bad(`${what} not supported: ${tcName(tc)}`, endAt);
            }
          }
        }
        obj.classData.push(cd);
      } else if (d.fields.length > 0) {
        throw this.bad(`non-serializable class ${d.name} declares fields`, at);
      } else {
        obj.classData.push({ classDesc: d, values });
      }
    }
    return obj;
  }

  /** Object annotation: block data and contents up to TC_ENDBLOCKDATA. */
  private annotation(): JavaAnnotationItem[] {
    const items: JavaAnnotationItem[] = [];
    for (;;) {
      const at = this.r.offset;
      const tc = this.r.u8('object annotation');
      if (tc === TC.ENDBLOCKDATA) return items;
      if (tc === TC.BLOCKDATA) {
        items.push(this.r.raw(this.r.u8('block data length'), 'block data'));
      } else if (tc === TC.BLOCKDATALONG) {
        const lenAt = this.r.offset;
        const n = this.r.i32('block data length');
        if (n < 0) throw this.bad(`block data length ${n} is negative`, lenAt);
        items.push(this.r.raw(n, 'block data'));
      } else {
        this.r.offset = at;
        items.push(this.content());
      }
    }
  }

  private newArray(at: number): JavaArray {
    const desc = this.classDesc();
    if (desc === null) throw this.bad('TC_ARRAY without a class descriptor', at);
    this.checkInstance(desc, at);
    const code = desc.name.charAt(1);
    if (!desc.name.startsWith('[') || !FIELD_CODES.includes(code)) {
      throw this.bad(`array class name ${desc.name} is not an array type`, at);
    }
    const arr: JavaArray = { kind: 'array', classDesc: desc, elements: [], offset: this.base + at };
    this.handles.push(arr);
    const lenAt = this.r.offset;
    const n = this.r.i32('array length');
    if (n < 0) throw this.bad(`array length ${n} is negative`, lenAt);
    const size = code === 'J' || code === 'D' ? 8 : code === 'I' || code === 'F' ? 4 : code === 'S' || code === 'C' ? 2 : 1;
    // every element takes at least `size` bytes: nothing is allocated beyond what the input holds
    this.r.need(n * size, `${n} array elements`);
    if (code === 'B') {
      arr.elements = this.r.raw(n, 'byte array');
      return arr;
    }
    const field: JavaFieldDesc = { code: code as JavaFieldCode, name: '' };
    const elements: JavaFieldValue[] = [];
    for (let i = 0; i < n; i++) elements.push(this.r.at(`[${i}]`, () => this.fieldValue(field)));
    arr.elements = elements;
    return arr;
  }

  private notAllowed(name: string, at: number): FormatError {
    return new FormatError('ClassNotAllowed', `class ${name} is not in the allow-list`, { offset: this.base + at, path: this.r.path });
  }

  /** Rejects an instance of a class that was let in only as the class of a `Class` object. */
  private checkInstance(desc: JavaClassDesc, at: number): void {
    for (let d: JavaClassDesc | null = desc; d !== null; d = d.superClass) {
      if (this.namedOnly.has(d)) throw this.notAllowed(d.name, at);
    }
  }

  private newClass(at: number): JavaClassRef {
    const outer = this.inClassObject;
    this.inClassObject = true;
    let desc: JavaClassDesc | null;
    try {
      desc = this.classDesc();
    } finally {
      this.inClassObject = outer;
    }
    if (desc === null) throw this.bad('TC_CLASS without a class descriptor', at);
    const ref: JavaClassRef = { kind: 'class', classDesc: desc, offset: this.base + at };
    this.handles.push(ref);
    return ref;
  }

  private newEnum(at: number): JavaEnum {
    const desc = this.classDesc();
    if (desc === null) throw this.bad('TC_ENUM without a class descriptor', at);
    this.checkInstance(desc, at);
    if (!(desc.flags & SC_ENUM)) throw this.bad(`TC_ENUM with non-enum class ${desc.name}`, at);
    const offset = this.base + at;
    const en: JavaEnum = { kind: 'enum', classDesc: desc, className: desc.name, constant: '', offset };
    this.handles.push(en);
    const nameAt = this.r.offset;
    const tc = this.r.u8('enum constant name');
    if (tc !== TC.STRING && tc !== TC.LONGSTRING) {
      throw this.bad(`enum constant name must be a new string, got ${tcName(tc)}`, nameAt);
    }
    en.constant = this.newString(tc);
    return en;
  }

  private fieldValue(f: JavaFieldDesc): JavaFieldValue {
    const r = this.r;
    switch (f.code) {
      case 'Z':
        return r.u8('boolean') !== 0;
      case 'B':
        return r.i8('byte');
      case 'C':
        return r.u16('char');
      case 'S':
        return (r.u16('short') << 16) >> 16;
      case 'I':
        return r.i32('int');
      case 'J':
        return r.i64('long');
      case 'F':
      case 'D': {
        const b = r.raw(f.code === 'F' ? 4 : 8, f.code === 'F' ? 'float' : 'double');
        const view = new DataView(b.buffer, b.byteOffset, b.length);
        return f.code === 'F' ? view.getFloat32(0) : view.getFloat64(0);
      }
      default:
        return this.content();
    }
  }

  /** Reads a class descriptor position: TC_CLASSDESC, TC_REFERENCE (to a complete one) or TC_NULL. */
  classDesc(): JavaClassDesc | null {
    const at = this.r.offset;
    const tc = this.r.u8('class descriptor');
    if (tc === TC.NULL) return null;
    if (tc === TC.REFERENCE) {
      const h = this.handle();
      if (typeof h === 'string' || h.kind !== 'classDesc' || !this.complete.has(h)) {
        throw this.bad('reference to something that is not a complete class descriptor', at);
      }
      return h;
    }
    if (tc !== TC.CLASSDESC) {
      throw this.bad(`unsupported ${tcName(tc)} where a class descriptor is expected`, at);
    }
    return this.nested(at, () => this.newClassDesc(at));
  }

  private newClassDesc(at: number): JavaClassDesc {
    const r = this.r;
    const name = r.utf('class name');
    let namedOnly = false;
    if (this.options.allowClass !== undefined && !this.options.allowClass(name)) {
      namedOnly = this.inClassObject && this.options.allowClassObject?.(name) === true;
      if (!namedOnly) throw this.notAllowed(name, at);
    }
    const suid = r.i64('serialVersionUID');
    const offset = this.base + at;
    const desc: JavaClassDesc = { kind: 'classDesc', name, suid, flags: 0, fields: [], superClass: null, offset };
    this.handles.push(desc);
    this.classDescs.push(desc);
    if (namedOnly) this.namedOnly.add(desc);
    const flagsAt = r.offset;
    desc.flags = r.u8('class flags');
    if (desc.flags & SC_SERIALIZABLE && desc.flags & SC_EXTERNALIZABLE) {
      throw this.bad(`class ${name} is flagged both serializable and externalizable`, flagsAt);
    }
    const countAt = r.offset;
    const count = r.u16('field count');
    if (count > 0x7fff) throw this.bad(`field count ${count - 0x10000} is negative`, countAt);
    r.need(count * 3, `${count} field descriptors`);
    const names = new Set<string>();
    for (let i = 0; i < count; i++) {
      const fieldAt = r.offset;
      const code = String.fromCharCode(r.u8('field type code'));
      if (!FIELD_CODES.includes(code)) throw this.bad(`unknown field type code '${code}'`, fieldAt);
      const field: JavaFieldDesc = { code: code as JavaFieldCode, name: r.utf('field name') };
      if (names.has(field.name)) throw this.bad(`duplicate field ${field.name} in class ${name}`, fieldAt);
      names.add(field.name);
      if (code === 'L' || code === '[') {
        const sigAt = r.offset;
        const sig = this.typeString();
        if (!sig.startsWith(code)) {
          throw this.bad(`field ${field.name}: signature ${sig} does not match '${code}'`, sigAt);
        }
        field.signature = sig;
      }
      desc.fields.push(field);
    }
    if (desc.flags & SC_ENUM && (suid !== 0n || count !== 0)) {
      throw this.bad(`enum class ${name} must have serialVersionUID 0 and no fields`, at);
    }
    const annAt = r.offset;
    const tc = r.u8('end of class annotation');
    if (tc !== TC.ENDBLOCKDATA) {
      throw this.bad(`class annotation content of ${name} not supported: ${tcName(tc)}`, annAt);
    }
    desc.superClass = this.classDesc();
    this.complete.add(desc);
    return desc;
  }

  private typeString(): string {
    const at = this.r.offset;
    const tc = this.r.u8('field type string');
    if (tc === TC.STRING || tc === TC.LONGSTRING) return this.newString(tc);
    if (tc === TC.REFERENCE) {
      const h = this.handle();
      if (typeof h === 'string') return h;
      throw this.bad('field type reference does not point to a string', at);
    }
    throw this.bad(`unsupported ${tcName(tc)} where a field type string is expected`, at);
  }
}

function relocate(e: unknown, base: number, at: number): FormatError {
  if (e instanceof FormatError) {
    if (base === 0) return e;
    const offset = e.offset === undefined ? undefined : e.offset + base;
    return new FormatError(e.code, e.detail, { offset, path: e.path, cause: e.cause });
  }
  return new FormatError('BadTrailer', `unexpected error in Java serialization stream: ${String(e)}`, {
    offset: base + at,
    cause: e,
  });
}

/**
 * Reads a complete Java serialization stream holding exactly one top-level content element and
 * nothing after it.
 *
 * @param raw the stream bytes, starting with `AC ED 00 05`
 * @param baseOffset absolute file offset of `raw[0]`; added to every error offset and node offset
 * @param path model path used in error messages (e.g. `properties`)
 * @param options opt-ins beyond the trailer's subset (annotations, arrays, class allow-list)
 * @throws FormatError `BadTrailer` for unsupported or malformed constructs or trailing bytes,
 *   `Truncated` when the input ends early, `BadUtf` for malformed modified UTF-8,
 *   `ClassNotAllowed` for a class the allow-list rejects; nothing else
 */
export function readJavaStream(
  raw: Uint8Array,
  baseOffset = 0,
  path = '',
  options: JavaStreamOptions = {},
): JavaStream {
  const { length, ...stream } = readStream(raw, baseOffset, path, options, false);
  void length;
  return stream;
}

/**
 * Reads one Java serialization stream at the start of `raw` that may be followed by other data
 * (e.g. several `ObjectOutputStream`s written back to back); `length` is how many bytes it took.
 * Same errors as {@link readJavaStream}.
 */
export function readJavaStreamPrefix(
  raw: Uint8Array,
  baseOffset = 0,
  path = '',
  options: JavaStreamOptions = {},
): JavaStream & { length: number } {
  return readStream(raw, baseOffset, path, options, true);
}

function readStream(
  raw: Uint8Array,
  baseOffset: number,
  path: string,
  options: JavaStreamOptions,
  trailing: boolean,
): JavaStream & { length: number } {
  let reader: StreamReader | undefined;
  try {
    reader = new StreamReader(raw, baseOffset, options);
    const r = reader.r;
    r.path = path;
    const magic = r.u16('stream magic');
    if (magic !== STREAM_MAGIC) throw reader.bad(`stream magic ${hex(magic)} is not 0xaced`, 0);
    const version = r.u16('stream version');
    if (version !== STREAM_VERSION) throw reader.bad(`stream version ${version} is not 5`, 2);
    const root = reader.content();
    if (r.remaining > 0 && !trailing) throw reader.bad(`${r.remaining} trailing bytes after the serialized object`);
    return { root, classDescs: reader.classDescs, handles: reader.handles, length: r.offset };
  } catch (e) {
    throw relocate(e, baseOffset, reader?.r.offset ?? 0);
  }
}

