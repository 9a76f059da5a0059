import { StateError } from '../errors.js';

/**
 * `BinaryRowData.hashCode()`: Flink's MurmurHash3 (x86, 32-bit) over the row's bytes read as
 * little-endian 4-byte words, seed 42, finished with the length (`MurmurHashUtil.hashBytesByWords`).
 * A row's size is a multiple of 8, so there is no tail. SQL operators key their state by such rows.
 */
const SEED = 42;

function mixK1(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function mixH1(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Hash of `BinaryRowData` bytes (`row.length` a multiple of 4). */
export function binaryRowHash(row: Uint8Array): number {
  if (row.length % 4 !== 0) throw new StateError('BadValue', `binary row of ${row.length} bytes is not word-aligned`);
  const dv = new DataView(row.buffer, row.byteOffset, row.byteLength);
  let h = SEED;
  for (let i = 0; i < row.length; i += 4) h = mixH1(h, mixK1(dv.getInt32(i, true)));
  return fmix(h, row.length);
}

/** Hash of a `RowDataSerializer` key at `offset`: `int length` (big-endian), then the row bytes. */
export function rowDataKeyHash(b: Uint8Array, offset: number): number {
  if (offset + 4 > b.length) throw new StateError('Truncated', 'row key length runs past the end of the key');
  const n = ((b[offset]! << 24) | (b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!) | 0;
  if (n < 0 || offset + 4 + n > b.length) throw new StateError('Truncated', `row key of ${n} bytes runs past the end of the key`);
  return binaryRowHash(b.subarray(offset + 4, offset + 4 + n));
}
