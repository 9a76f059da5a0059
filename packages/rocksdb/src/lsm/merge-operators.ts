/**
 * Combines a key's merge operands into its value, as a RocksDB merge operator's FullMerge does:
 * `base` is the value the operands apply to (absent after a deletion or when there is none),
 * `operands` are oldest first.
 */
export type MergeFunction = ((key: Uint8Array, base: Uint8Array | undefined, operands: readonly Uint8Array[]) => Uint8Array) & {
  /**
   * The same merge written at the end of `sink` (which grows as needed) instead of into a new
   * array: a scan merging millions of keys allocates nothing per key. Optional.
   */
  into?: (sink: MergeSink, key: Uint8Array, base: Uint8Array | undefined, operands: readonly Uint8Array[]) => void;
};

/** A growable byte buffer a merge writes into: room for `n` more bytes after `used`, then `bytes[used…]`. */
export interface MergeSink {
  /** Makes room for `n` more bytes after `used` (`bytes` may be replaced). */
  reserve(n: number): void;
  bytes: Uint8Array;
  used: number;
}

/**
 * RocksDB's string-append operators (`StringAppendOperator`, and `StringAppendTESTOperator`
 * that Flink registers as "stringappendtest"): the base and the operands joined by `delimiter`,
 * with no delimiter before the first part.
 */
export function stringAppend(delimiter: Uint8Array | string = ','): MergeFunction {
  const delim = typeof delimiter === 'string' ? new TextEncoder().encode(delimiter) : delimiter;
  const into = (sink: MergeSink, _key: Uint8Array, base: Uint8Array | undefined, operands: readonly Uint8Array[]): void => {
    const parts = operands.length + (base === undefined ? 0 : 1);
    let n = Math.max(0, parts - 1) * delim.length;
    if (base !== undefined) n += base.length;
    for (const p of operands) n += p.length;
    sink.reserve(n);
    const out = sink.bytes;
    let at = sink.used;
    // base first, then the operands; a delimiter between parts (no function per key: this runs per merged key)
    const first = base === undefined ? 0 : -1;
    for (let i = first; i < operands.length; i++) {
      if (i > first) {
        out.set(delim, at);
        at += delim.length;
      }
      const p = i < 0 ? base! : operands[i]!;
      out.set(p, at);
      at += p.length;
    }
    sink.used = at;
  };
  const merge: MergeFunction = (key, base, operands) => {
    const sink = { bytes: new Uint8Array(0), used: 0, reserve(n: number) { this.bytes = new Uint8Array(n); } };
    into(sink, key, base, operands);
    return sink.bytes;
  };
  merge.into = into;
  return merge;
}

/** RocksDB's string append with its default delimiter (one instance: every scan calls the same function). */
const STRING_APPEND = stringAppend(',');

/** Merge functions for the merge-operator names RocksDB records in table properties. */
export function mergeFunctionFor(name: string | undefined): MergeFunction | undefined {
  switch (name) {
    case 'StringAppendOperator':
    case 'StringAppendTESTOperator':
    case 'stringappend':
    case 'stringappendtest':
      return STRING_APPEND;
    default:
      return undefined;
  }
}
