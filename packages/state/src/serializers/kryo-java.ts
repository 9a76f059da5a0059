import { FormatError, getField, type ByteReader, type JavaArray, type JavaContent, type JavaObject } from '@ckpt/format';

import { readJavaStreamAt } from './java-stream.js';

/**
 * Kryo values that Flink's `KryoSerializer` hands to its own Kryo `JavaSerializer`: every
 * `Throwable` (the Kryo instance gets `addDefaultSerializer(Throwable.class, JavaSerializer)`
 * before the job's defaults). Such a value is Kryo's class tag, the reference marker (Flink turns
 * Kryo's reference tracking on), then one Java-serialization stream (`AC ED 00 05` …) — which
 * carries its own class descriptors and so ends where its grammar ends. It is read structurally
 * with the format package's bounded reader; nothing is instantiated.
 */

/** A Java-serialized `Throwable`: its class, message and cause chain (outermost first). */
export interface ThrowableValue {
  class: string;
  message: string | null;
  /** The top stack frame, `declaringClass.method(File:line)`, when the stream has one. */
  at?: string;
  cause?: ThrowableValue;
}

/** How deep a cause chain is followed (a chain is a list; hostile input must stay bounded). */
const MAX_CAUSES = 16;

/** Kryo's reference marker for a new object (`Kryo.NOT_NULL`). */
const NOT_NULL = 1;

function isThrowable(o: JavaObject): boolean {
  for (let d = o.classDesc as JavaObject['classDesc'] | null; d !== null; d = d.superClass) {
    if (d.name === 'java.lang.Throwable') return true;
  }
  return false;
}

function describe(o: JavaObject, depth: number): ThrowableValue {
  const msg = getField(o, 'detailMessage')?.value;
  const out: ThrowableValue = { class: o.classDesc.name, message: typeof msg === 'string' ? msg : null };
  const at = topFrame(getField(o, 'stackTrace')?.value);
  if (at !== undefined) out.at = at;
  const cause = getField(o, 'cause')?.value;
  // `cause == this` means "no cause" in Throwable's own encoding
  if (depth < MAX_CAUSES && cause !== o && isObject(cause) && isThrowable(cause)) out.cause = describe(cause, depth + 1);
  return out;
}

function topFrame(trace: unknown): string | undefined {
  const frames = (trace as Partial<JavaArray> | null)?.elements;
  const f = Array.isArray(frames) ? frames[0] : undefined;
  if (!isObject(f)) return undefined;
  const str = (n: string) => {
    const v = getField(f, n)?.value;
    return typeof v === 'string' ? v : '?';
  };
  const line = getField(f, 'lineNumber')?.value;
  return `${str('declaringClass')}.${str('methodName')}(${str('fileName')}${typeof line === 'number' && line >= 0 ? `:${line}` : ''})`;
}

function isObject(v: unknown): v is JavaObject {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'object';
}

/**
 * Reads, at `r` (just past Kryo's class tag), the reference marker and a Java-serialized
 * `Throwable`, and advances past them. Returns undefined (and leaves `r` where it was) when the
 * bytes are not that: the caller then refuses, naming the class.
 */
export function readJavaSerializedThrowable(r: ByteReader): ThrowableValue | undefined {
  const at = r.offset;
  const b = r.bytes;
  let p = at;
  if (b[p] === NOT_NULL && b[p + 1] === 0xac) p++;
  if (b[p] !== 0xac || b[p + 1] !== 0xed) return undefined;
  let root: JavaContent;
  r.offset = p;
  try {
    root = readJavaStreamAt(r);
  } catch (e) {
    r.offset = at;
    if (e instanceof FormatError) return undefined;
    throw e;
  }
  if (!isObject(root) || !isThrowable(root)) {
    r.offset = at;
    return undefined;
  }
  return describe(root, 0);
}

