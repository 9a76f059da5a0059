import type { KeyGroupRange } from './model.js';

/** The part of a key-groups handle (tags 3, 7, 12) that places its key groups in its stream. */
export interface KeyGroupOffsets {
  keyGroupRange: KeyGroupRange;
  offsets: readonly bigint[];
}

/** Where one key group's bytes are inside the handle's stream; `length` undefined: to the end. */
export interface KeyGroupBytes {
  offset: number;
  length: number | undefined;
}

/**
 * The byte range of every key group of a handle, in key-group order: from the key group's offset
 * to the next larger offset of the handle (or to the end of the stream). Offset 0 means the key
 * group holds no data (length 0), as in Flink, whose restore skips `offset == 0`. One sort, so a
 * handle of 32768 key groups costs no more than reading its offsets.
 */
export function keyGroupByteRanges(handle: KeyGroupOffsets): KeyGroupBytes[] {
  const distinct = [...new Set(handle.offsets)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const next = new Map<bigint, bigint | undefined>(distinct.map((o, i) => [o, distinct[i + 1]]));
  return handle.offsets.map((o) => {
    if (o === 0n) return { offset: 0, length: 0 };
    const n = next.get(o);
    return { offset: Number(o), length: n === undefined ? undefined : Number(n - o) };
  });
}
