/** Length and count values from the input: what a hostile file would put in a length field. */

/** Values a mutator writes over a 4-byte field: 0, ±1, around 2^15/2^16/2^31/2^32. */
export const HOSTILE_INT32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7ffffffe, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/**
 * The largest value a decoder could take for a length from this input: the largest 32-bit
 * big-endian word (as Flink's DataOutput writes lengths and counts) in its first 64 KiB.
 */
export function largestLengthField(bytes: Uint8Array): number {
  let best = 0;
  const end = Math.min(bytes.length, 65536) - 3;
  for (let i = 0; i < end; i++) {
    const v = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
    if (v > best) best = v;
  }
  return best;
}

/** Writes `value` big-endian over the 4 bytes at `at` (a copy). */
export function withInt32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const b = bytes.slice();
  new DataView(b.buffer, b.byteOffset, b.length).setUint32(at, value >>> 0);
  return b;
}
