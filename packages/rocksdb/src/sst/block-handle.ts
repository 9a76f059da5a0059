import type { Cursor } from '../coding.js';

/** Where a block is in the file: `size` excludes the 5-byte trailer (type byte + checksum). */
export interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

/** Every block-based table block is followed by 1 compression-type byte and a 4-byte checksum. */
export const BLOCK_TRAILER_SIZE = 5;

/** A BlockHandle as encoded everywhere: varint64 offset, varint64 size. */
export function readBlockHandle(c: Cursor, what = 'block handle'): BlockHandle {
  const offset = c.varintNum(`${what} offset`);
  const size = c.varintNum(`${what} size`);
  return { offset, size };
}
