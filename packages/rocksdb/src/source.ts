import { MemorySource, type ByteSource } from '@ckpt/format';
import { RocksError } from './errors.js';
import { ReadAheadSource, type UseBytes } from './read-ahead.js';

/**
 * Random access to the bytes of one file (the shared `ByteSource` of `@ckpt/format`): local,
 * remote (ranged GETs) or in memory. `read` may return fewer bytes only at the end of the file.
 */
export type RangedSource = ByteSource;

/** A file already in memory (`@ckpt/format`'s `MemorySource`). */
export const BytesSource = MemorySource;
export type BytesSource = MemorySource;

/**
 * Reads exactly `[offset, offset + length)` of `src`; a short read is a `Truncated` error.
 * `readAheadLimit`: where a read-ahead source's window stops (the end of what the caller can need).
 */
export function readExact(src: RangedSource, offset: number, length: number, what: string, readAheadLimit?: number): Promise<Uint8Array> {
  return readExactWith(src, offset, length, what, readAheadLimit, (bytes, recycled) => (recycled ? bytes.slice() : bytes));
}

/**
 * {@link readExact} for bytes used at once: `use` gets them for the length of the call (from a
 * read-ahead source's recycled window, not copied: `recycled`) and its result is returned.
 */
export async function readExactWith<T>(src: RangedSource, offset: number, length: number, what: string, readAheadLimit: number | undefined, use: UseBytes<T>): Promise<T> {
  const exact: UseBytes<T> = (bytes, recycled) => {
    if (bytes.length < length) {
      throw new RocksError('Truncated', `${what} needs ${length} bytes but the file has ${bytes.length} there`, {
        file: src.name,
        offset: offset + bytes.length,
      });
    }
    // A plain Uint8Array view (Node's Buffer makes every later subarray slower).
    const plain = Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    return use(plain.length === length ? plain : plain.subarray(0, length), recycled);
  };
  let using = false;
  try {
    if (src instanceof ReadAheadSource) {
      return await src.readWith(offset, length, readAheadLimit, (bytes, recycled) => {
        using = true;
        return exact(bytes, recycled);
      });
    }
    const bytes = await src.read(offset, length);
    using = true;
    return exact(bytes, false);
  } catch (e) {
    if (using || e instanceof RocksError) throw e;
    throw new RocksError('Io', `cannot read ${what} (${length} bytes): ${(e as Error)?.message ?? e}`, { file: src.name, offset, cause: e });
  }
}
