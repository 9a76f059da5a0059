/**
 * Combines a key's merge operands into its value, as a RocksDB merge operator's FullMerge does:
 * `base` is the value the operands apply to (absent after a deletion or when there is none),
 * `operands` are oldest first.
 */
export type MergeFunction = (key: Uint8Array, base: Uint8Array | undefined, operands: readonly Uint8Array[]) => Uint8Array;

/**
 * RocksDB's string-append operators (`StringAppendOperator`, and `StringAppendTESTOperator`
 * that Flink registers as "stringappendtest"): the base and the operands joined by `delimiter`,
 * with no delimiter before the first part.
 */
export function stringAppend(delimiter: Uint8Array | string = ','): MergeFunction {
  const delim = typeof delimiter === 'string' ? new TextEncoder().encode(delimiter) : delimiter;
  return (_key, base, operands) => {
    const parts = base === undefined ? operands : [base, ...operands];
    let n = Math.max(0, parts.length - 1) * delim.length;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let at = 0;
    parts.forEach((p, i) => {
      if (i > 0) {
        out.set(delim, at);
        at += delim.length;
      }
      out.set(p, at);
      at += p.length;
    });
    return out;
  };
}

/** Merge functions for the merge-operator names RocksDB records in table properties. */
export function mergeFunctionFor(name: string | undefined): MergeFunction | undefined {
  switch (name) {
    case 'StringAppendOperator':
    case 'StringAppendTESTOperator':
    case 'stringappend':
    case 'stringappendtest':
      return stringAppend(',');
    default:
      return undefined;
  }
}
