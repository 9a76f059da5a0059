/**
 * Key–value pairs packed one after another into one buffer: pair `i` is its key
 * `bytes[keyStart(i), keyEnd(i))` followed by its value `bytes[keyEnd(i), valueEnd(i))`. A scan
 * hands out thousands of pairs this way with three objects in all, where a `{key, value}` object
 * with two views per pair would cost more (allocation, garbage collection) than reading them.
 */
export class PackedPairs {
  /** The pairs' bytes (only the first {@link used} are meaningful). */
  bytes: Uint8Array;
  /** `ends[2i]`: end of pair i's key, `ends[2i + 1]`: end of its value. */
  ends: Int32Array;
  count = 0;
  used = 0;

  constructor(bytes = 64 * 1024, pairs = 1024) {
    this.bytes = new Uint8Array(bytes);
    this.ends = new Int32Array(2 * pairs);
  }

  keyStart(i: number): number {
    return i === 0 ? 0 : this.ends[2 * i - 1]!;
  }

  keyEnd(i: number): number {
    return this.ends[2 * i]!;
  }

  valueEnd(i: number): number {
    return this.ends[2 * i + 1]!;
  }

  /** Pair i's key (a view). */
  key(i: number): Uint8Array {
    return this.bytes.subarray(this.keyStart(i), this.keyEnd(i));
  }

  /** Pair i's value (a view). */
  value(i: number): Uint8Array {
    return this.bytes.subarray(this.keyEnd(i), this.valueEnd(i));
  }

  /** Makes room for `n` more bytes after {@link used} (the buffer may be replaced: re-read {@link bytes}). */
  reserve(n: number): void {
    const need = this.used + n;
    if (need <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(need, 2 * this.bytes.length));
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
  }

  /** Appends `src` (reserving room). */
  append(src: Uint8Array): void {
    this.reserve(src.length);
    this.bytes.set(src, this.used);
    this.used += src.length;
  }

  /** Records a pair whose key ends at `keyEnd` and whose value ends at {@link used}. */
  commit(keyEnd: number): void {
    if (2 * this.count + 2 > this.ends.length) {
      const grown = new Int32Array(2 * this.ends.length);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[2 * this.count] = keyEnd;
    this.ends[2 * this.count + 1] = this.used;
    this.count++;
  }
}
