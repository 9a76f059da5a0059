import { readJavaStreamPrefix, type ByteReader, type JavaContent } from '@ckpt/format';

/**
 * One Java serialization stream at `r`'s position (no length prefix; the stream grammar ends it),
 * read with the format package's bounded reader and advanced past. Serializer objects, Throwables
 * and `JavaSerializer` values carry custom `writeObject` data, arrays and `Class` objects; nothing
 * is instantiated, the result is a tree of descriptors and values. Throws `FormatError`.
 */
export function readJavaStreamAt(r: ByteReader): JavaContent {
  const s = readJavaStreamPrefix(r.bytes.subarray(r.offset), r.base + r.offset, r.path, OPTIONS);
  r.offset += s.length;
  return s.root;
}

const OPTIONS = { annotations: true, arrays: true, classes: true, maxDepth: 64 } as const;
