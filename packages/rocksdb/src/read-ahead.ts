import type { RangedSource } from './source.js';

/** Bytes a {@link ReadAheadSource} fetches at least per read (a sequential scan's window). */
export const DEFAULT_READ_AHEAD = 256 * 1024;

/** A window read started before it is asked for. */
interface Prefetch {
  start: number;
  bytes: Promise<Uint8Array>;
}

/**
 * A source that reads ahead: a read outside the current window fetches at least `window` bytes from
 * its offset, and later reads inside that window are answered from memory. A table scan reads its
 * blocks in file order, so one ranged read (one GET, one positioned read) serves dozens of 4 KiB
 * blocks. Once a read continues the window before it (a sequential scan), the window after it is
 * fetched while the caller works through this one, so the scan rarely waits for I/O; memory is two
 * windows per table (a read across two windows is copied together: one block, not a window). A read may name a `limit`: windows then stop there (a scan with an upper
 * bound passes the end of the last block it can need), prefetched ones too.
 */
export class ReadAheadSource implements RangedSource {
  private start = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private sized: Promise<number> | undefined;
  private ahead: Prefetch | undefined;

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
    const windowEnd = this.start + this.bytes.length;
    if (offset >= this.start && end <= windowEnd) return this.bytes.subarray(offset - this.start, end - this.start);
    if (length >= this.window) return this.inner.read(offset, length);
    const size = await this.size();
    const stop = limit === undefined ? size : Math.min(size, limit);
    const sequential = this.bytes.length > 0 && offset >= this.start && offset <= windowEnd;
    const ahead = this.ahead;
    this.ahead = undefined;
    if (sequential && ahead !== undefined && ahead.start === windowEnd) {
      const next = await ahead.bytes;
      // (short only at the end of the file: a window that stopped at a limit does not answer past it)
      if (end <= windowEnd + next.length || windowEnd + next.length >= size) {
        // the window fetched ahead becomes the window; a read across the boundary is put together
        // from the end of this one and the start of that one (a block, not a window, is copied)
        const tail = this.bytes.subarray(offset - this.start);
        this.start = windowEnd;
        this.bytes = next;
        this.prefetch(stop);
        if (tail.length === 0) return next.subarray(0, Math.min(length, next.length));
        const head = next.subarray(0, Math.min(end - windowEnd, next.length));
        const joined = new Uint8Array(tail.length + head.length);
        joined.set(tail);
        joined.set(head, tail.length);
        return joined;
      }
    }
    const n = Math.max(0, Math.min(this.window, stop - offset));
    const got = await this.inner.read(offset, Math.max(n, length));
    this.start = offset;
    this.bytes = got;
    if (sequential) this.prefetch(stop);
    return got.subarray(0, Math.min(length, got.length));
  }

  /** Starts reading the window after the current one, up to `stop`. */
  private prefetch(stop: number): void {
    const from = this.start + this.bytes.length;
    const n = Math.min(this.window, stop - from);
    if (n <= 0) return;
    const bytes = this.inner.read(from, n);
    // a failed read surfaces when (if) the window is asked for; never as an unhandled rejection
    bytes.catch(() => {});
    this.ahead = { start: from, bytes };
  }
}
