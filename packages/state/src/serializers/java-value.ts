import { FormatError, getField, type ByteReader, type ByteWriter } from '@ckpt/format';
import { readJavaStreamAt } from './java-stream.js';
import { StateError } from '../errors.js';
import type { ValueCodec } from './codecs.js';

/**
 * Values of Flink's `JavaSerializer` (`org.apache.flink.runtime.state.JavaSerializer`, the
 * serializer of `ListCheckpointed` state in Flink ≤ 1.x): one Java serialization stream each,
 * which delimits itself. Read with the format package's bounded Java-serialization reader
 * (nothing instantiated): a `String` comes out as a string; anything else as a
 * {@link JavaSerializedValue} — the class, the bytes and, for a boxed primitive, its value.
 */
export interface JavaSerializedValue {
  kind: 'java';
  class: string | null;
  /** The value of a boxed primitive (`java.lang.Integer`, …). */
  value?: unknown;
  bytes: Uint8Array;
}

const BOXED = new Set(['Integer', 'Long', 'Short', 'Byte', 'Double', 'Float', 'Boolean', 'Character'].map((c) => `java.lang.${c}`));
const TC_STRING_HEADER = [0xac, 0xed, 0x00, 0x05, 0x74];

function read(r: ByteReader): string | JavaSerializedValue {
  const at = r.offset;
  let root;
  try {
    root = readJavaStreamAt(r);
  } catch (e) {
    if (e instanceof FormatError) throw new StateError('BadValue', `a Java-serialized value: ${e.detail}`, { offset: e.offset ?? r.base + at, path: r.path, cause: e });
    throw e;
  }
  if (typeof root === 'string') return root;
  const bytes = r.bytes.slice(at, r.offset);
  if (root === null) return { kind: 'java', class: null, bytes };
  const cls = root.kind === 'object' || root.kind === 'array' || root.kind === 'class' || root.kind === 'enum' ? root.classDesc.name : null;
  const out: JavaSerializedValue = { kind: 'java', class: cls, bytes };
  if (root.kind === 'object' && BOXED.has(root.classDesc.name)) out.value = getField(root, 'value')?.value;
  if (root.kind === 'enum') out.value = root.constant;
  return out;
}

function write(w: ByteWriter, v: unknown): void {
  if (typeof v === 'string') {
    w.raw(Uint8Array.from(TC_STRING_HEADER));
    w.utf(v);
    return;
  }
  const j = v as Partial<JavaSerializedValue> | null;
  if (j?.kind !== 'java' || !(j.bytes instanceof Uint8Array)) throw new StateError('BadValue', `cannot write ${typeof v} ${String(v)} as a Java-serialized value`);
  w.raw(j.bytes);
}

/** The codec of `JavaSerializer` values. */
export function javaSerializedCodec(className: string): ValueCodec {
  return { type: 'JavaSerialized', className, fixedLength: -1, opaque: false, read, write };
}
