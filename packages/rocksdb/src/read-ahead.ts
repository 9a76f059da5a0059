import type { RangedSource } from './source.js';

/** Bytes a {@link ReadAheadSource} fetches at least per read (a sequential scan's window). */
export const DEFAULT_READ_AHEAD = 256 * 1024;

/**
 * A source that reads ahead: a read outside the current window fetches at least `window` bytes from
 * its offset, and later reads inside that window are answered from memory. A table scan reads its
 * blocks in file order, so one ranged read (one GET, one positioned read) serves dozens of 4 KiB
 * blocks; memory is one window per table. A read may name a `limit`: the window then stops there
 * (a scan with an upper bound passes the end of the last block it can need).
 */
export class ReadAheadSource implements RangedSource {
  private start = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private sized: Promise<number> | undefined;

  constructor(
    readonly inner: RangedSource,
    readonly window = DEFAULT_READ_AHEAD,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  size(): Promise<number> {
    this.sized ??= this.inner.size();
    return this.sized;
  }

  async read(offset: number, length: number, limit?: number): Promise<Uint8Array> {
    const end = offset + length;
    if (offset >= this.start && end <= this.start + this.bytes.length) {
      return this.bytes.subarray(offset - this.start, end - this.start);
    }
    if (length >= this.window) return this.inner.read(offset, length);
    const size = await this.size();
    const stop = limit === undefined ? size : Math.min(size, limit);
    const n = Math.max(0, Math.min(this.window, stop - offset));
    const got = await this.inner.read(offset, Math.max(n, length));
    this.start = offset;
    this.bytes = got;
    return got.subarray(0, Math.min(length, got.length));
  }
}
