/**
 * The Java Object Serialization writer as the HA files need it: `@ckpt/format`'s
 * {@link writeJavaStream} with the sharing `ObjectOutputStream` shows for Flink's graphs (a plain
 * JS string is a new `String` at every occurrence, since Java does not intern data strings; one
 * shared String object is a {@link JavaStringObject} at each place; equal field signatures are one
 * string, as the JVM interns them), nesting up to 200 levels (the Flink graphs are about 30 deep),
 * and the format's errors as {@link HaError}s.
 */
import {
  FormatError, writeJavaStream,
  type JavaStringObject, type JavaWriteArray, type JavaWriteContent, type JavaWriteEnum, type JavaWriteObject, type JavaWriteValue,
} from '@ckpt/format';
import { HaError } from './errors.js';

export type { JavaStringObject };
/** What the writer accepts where Java has an object. */
export type WContent = JavaWriteContent;
/** A field value: `Z` boolean, `B C S I F D` number, `J` bigint, `L [` content. */
export type WValue = JavaWriteValue;
export type WObject = JavaWriteObject;
export type WEnum = JavaWriteEnum;
export type WArray = JavaWriteArray;

/** Nesting bound (the Flink graphs are about 30 levels deep). */
const MAX_NESTING = 200;

/**
 * Serializes `root` as `ObjectOutputStream.writeObject(root)` does.
 * @throws HaError `InvalidModel` when the graph cannot be written (wrong value for a field type,
 * class data not matching the hierarchy, nesting deeper than 200)
 */
export function writeJavaObjectStream(root: WContent): Uint8Array {
  try {
    return writeJavaStream(root, { strings: 'distinct', maxDepth: MAX_NESTING });
  } catch (e) {
    if (e instanceof FormatError && e.code === 'InvalidModel') {
      throw new HaError('InvalidModel', e.detail, { path: e.path, cause: e });
    }
    throw e;
  }
}
