/**
 * The Java Object Serialization stream model (protocol version 5) that the reader
 * (`java-serialization.ts`) produces and the writer (`java-writer.ts`) consumes: the stream
 * constants and a plain tree of class descriptors, objects, enums, arrays and strings.
 */
/** Stream type codes (`java.io.ObjectStreamConstants.TC_*`). */
export const TC = {
  NULL: 0x70, REFERENCE: 0x71, CLASSDESC: 0x72, OBJECT: 0x73, STRING: 0x74, ARRAY: 0x75,
  CLASS: 0x76, BLOCKDATA: 0x77, ENDBLOCKDATA: 0x78, RESET: 0x79, BLOCKDATALONG: 0x7a,
  EXCEPTION: 0x7b, LONGSTRING: 0x7c, PROXYCLASSDESC: 0x7d, ENUM: 0x7e,
} as const;

/** Class descriptor flag: class has a `writeObject` method (object data ends with TC_ENDBLOCKDATA). */
export const SC_WRITE_METHOD = 0x01;
/** Class descriptor flag: class is `Serializable`. */
export const SC_SERIALIZABLE = 0x02;
/** Class descriptor flag: class is `Externalizable` (not supported). */
export const SC_EXTERNALIZABLE = 0x04;
/** Class descriptor flag: class is an enum. */
export const SC_ENUM = 0x10;

/** Stream header magic `0xACED`. */
export const STREAM_MAGIC = 0xaced;
/** Stream protocol version (5). */
export const STREAM_VERSION = 5;
/** The first wire handle; handle `i` of {@link JavaStream.handles} is `BASE_HANDLE + i`. */
export const BASE_HANDLE = 0x7e0000;
/** Maximum nesting of objects / enums / class descriptors (hostile input must not blow the stack). */
export const MAX_DEPTH = 24;

/** Primitive field type codes. */
export type JavaPrimitiveCode = 'Z' | 'B' | 'C' | 'S' | 'I' | 'J' | 'F' | 'D';
/** Field type codes: primitives, `L` (object) and `[` (array). */
export type JavaFieldCode = JavaPrimitiveCode | 'L' | '[';

/** One serializable field of a class descriptor. */
export interface JavaFieldDesc {
  code: JavaFieldCode;
  name: string;
  /** JVM type signature for `L` / `[` fields, e.g. `Ljava/lang/String;`. */
  signature?: string;
}

/** A class descriptor (TC_CLASSDESC). */
export interface JavaClassDesc {
  kind: 'classDesc';
  /** Binary class name, e.g. `org.apache.flink.runtime.checkpoint.CheckpointType`. */
  name: string;
  /** serialVersionUID (a Java `long`). */
  suid: bigint;
  /** `SC_*` flags. */
  flags: number;
  /** Fields in stream order. */
  fields: JavaFieldDesc[];
  superClass: JavaClassDesc | null;
  /** Absolute offset of the TC_CLASSDESC byte (reader only; ignored by the writer). */
  offset?: number;
}

/** The field values of one class of an object's hierarchy, aligned with `classDesc.fields`. */
export interface JavaClassData {
  classDesc: JavaClassDesc;
  values: JavaFieldValue[];
  /**
   * Custom `writeObject` data after the fields (only with {@link JavaStreamOptions.annotations}):
   * block-data chunks (views into the input) and objects, in stream order.
   */
  annotation?: JavaAnnotationItem[];
}

/** One item of an object annotation: a block-data chunk or an object. */
export type JavaAnnotationItem = Uint8Array | JavaContent;

/** An array (TC_ARRAY; only with {@link JavaStreamOptions.arrays}). */
export interface JavaArray {
  kind: 'array';
  /** Class descriptor of the array type, e.g. `[B` or `[Ljava.lang.Object;`. */
  classDesc: JavaClassDesc;
  /** `byte[]` as a view into the input; every other element type as values. */
  elements: Uint8Array | JavaFieldValue[];
  offset?: number;
}

/** An ordinary object (TC_OBJECT). */
export interface JavaObject {
  kind: 'object';
  classDesc: JavaClassDesc;
  /** One entry per class of the hierarchy, topmost superclass first (stream order). */
  classData: JavaClassData[];
  offset?: number;
}

/** An enum constant (TC_ENUM). */
export interface JavaEnum {
  kind: 'enum';
  classDesc: JavaClassDesc;
  /** Same as `classDesc.name`. */
  className: string;
  constant: string;
  offset?: number;
}

/** A `Class` object (TC_CLASS; only with {@link JavaStreamOptions.classes}). */
export interface JavaClassRef {
  kind: 'class';
  classDesc: JavaClassDesc;
  offset?: number;
}

/** What may stand where the protocol expects an object. */
export type JavaContent = JavaObject | JavaEnum | JavaArray | JavaClassRef | string | null;
/** A field value: `Z` boolean, `B C S I F D` number, `J` bigint, `L [` content. */
export type JavaFieldValue = boolean | number | bigint | JavaContent;
/** An entry of the handle table. */
export type JavaHandle = JavaClassDesc | JavaObject | JavaEnum | JavaArray | JavaClassRef | string;

/** Opt-ins beyond the trailer's subset. Defaults: all off, depth {@link MAX_DEPTH}. */
export interface JavaStreamOptions {
  /** Accept object annotations (custom `writeObject` data). */
  annotations?: boolean;
  /** Accept arrays. */
  arrays?: boolean;
  /** Accept `Class` objects (TC_CLASS), e.g. a `Class<?>` field. */
  classes?: boolean;
  /**
   * Classes that may be named by a `Class` object (TC_CLASS) although `allowClass` rejects them:
   * naming a class is not holding an instance of it. An object, enum or array of such a class is
   * still rejected with `ClassNotAllowed`.
   */
  allowClassObject?: (name: string) => boolean;
  /**
   * Called with the name of every new class descriptor before anything else of it is read;
   * `false` rejects the stream with `FormatError('ClassNotAllowed')`. Array classes are passed
   * by their descriptor name (`[B`, `[Ljava.lang.String;`).
   */
  allowClass?: (name: string) => boolean;
  /** Maximum nesting of objects / arrays / class descriptors (at most {@link MAX_DEPTH_LIMIT}). */
  maxDepth?: number;
}

/** Upper bound for {@link JavaStreamOptions.maxDepth}. */
export const MAX_DEPTH_LIMIT = 200;

/** A decoded stream: its one top-level object plus the tables built while reading it. */
export interface JavaStream {
  root: JavaContent;
  /** Every class descriptor, in stream order. */
  classDescs: JavaClassDesc[];
  /** Handle table; index `i` is wire handle `BASE_HANDLE + i`. References share JS objects. */
  handles: JavaHandle[];
}

/** Finds a field by name, most-derived class first. */
export function getField(
  obj: JavaObject,
  name: string,
): { field: JavaFieldDesc; value: JavaFieldValue } | undefined {
  for (let i = obj.classData.length - 1; i >= 0; i--) {
    const cd = obj.classData[i]!;
    const idx = cd.classDesc.fields.findIndex((f) => f.name === name);
    if (idx >= 0) return { field: cd.classDesc.fields[idx]!, value: cd.values[idx] ?? null };
  }
  return undefined;
}

/** Sorts fields as `ObjectStreamClass` does: primitives first, then objects; each by name. */
export function javaFieldOrder(fields: readonly JavaFieldDesc[]): JavaFieldDesc[] {
  const isObj = (f: JavaFieldDesc): number => (f.code === 'L' || f.code === '[' ? 1 : 0);
  return [...fields].sort(
    (a, b) => isObj(a) - isObj(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
