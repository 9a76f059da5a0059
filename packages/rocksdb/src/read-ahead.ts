import type { RangedSource } from './source.js';

/** Bytes a {@link ReadAheadSource} fetches at least per read (a sequential scan's window). */
export const DEFAULT_READ_AHEAD = 256 * 1024;

/** The bytes of `[start, start + bytes.length)`; `memory`: the recycled buffer holding them, if any. */
interface Window {
  start: number;
  bytes: Uint8Array;
  memory: Uint8Array | undefined;
}

/** A window read started before it is asked for. */
interface Prefetch {
  start: number;
  done: Promise<Window>;
}

const NO_WINDOW: Window = { start: 0, bytes: new Uint8Array(0), memory: undefined };
/**
 * Window buffers free for reuse, by size, shared by all sources (a finished table's windows serve
 * the next table); at most {@link POOLED} of a size are kept.
 */
const pool = new Map<number, Uint8Array[]>();
const POOLED = 8;

/**
 * Answers a read with bytes that are only valid while the callback runs (`recycled`: they are in a
 * window buffer that a later read overwrites).
 */
export type UseBytes<T> = (bytes: Uint8Array, recycled: boolean) => T;

/**
 * A source that reads ahead: a read outside the current window fetches at least `window` bytes from
 * its offset, and later reads inside that window are answered from memory. A table scan reads its
 * blocks in file order, so one ranged read (one GET, one positioned read) serves dozens of 4 KiB
 * blocks. Once a read continues the window before it (a sequential scan), the window after it is
 * fetched while the caller works through this one, so the scan rarely waits for I/O. A read may
 * name a `limit`: windows then stop there (a scan with an upper bound passes the end of the last
 * block it can need), prefetched ones too.
 *
 * Memory: when the inner source can read into a given buffer (`readInto`: local files), windows
 * live in recycled buffers (the current one and the one read ahead; {@link release} gives them
 * back when a scan is done), so a long scan leaves no trail of window-sized buffers (they would
 * outlive young garbage collections and wait for a full one). {@link readWith} hands out views of
 * them for the length of a callback; {@link read} copies what it answers from them.
 */
export class ReadAheadSource implements RangedSource {
  private current: Window = NO_WINDOW;
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

  /** `[offset, offset + length)` (fewer bytes only at the end of the file), the caller's to keep. */
  read(offset: number, length: number, limit?: number): Promise<Uint8Array> {
    return this.readWith(offset, length, limit, (b, recycled) => (recycled ? b.slice() : b));
  }

  /**
   * Calls `use` with `[offset, offset + length)` (fewer bytes only at the end of the file) and
   * gives what it returns; the bytes may be in a recycled window, valid only until `use` returns.
   */
  async readWith<T>(offset: number, length: number, limit: number | undefined, use: UseBytes<T>): Promise<T> {
    const end = offset + length;
    if (this.holds(offset, end)) return this.answer(this.current, offset, end, use);
    if (length >= this.window) return use(await this.inner.read(offset, length), false);
    const size = await this.size();
    // (another read may have moved the window meanwhile)
    if (this.holds(offset, end)) return this.answer(this.current, offset, end, use);
    const stop = limit === undefined ? size : Math.min(size, limit);
    const w = this.current;
    const windowEnd = w.start + w.bytes.length;
    const sequential = w.bytes.length > 0 && offset >= w.start && offset <= windowEnd;
    const ahead = this.ahead;
    this.ahead = undefined;
    if (sequential && ahead !== undefined && ahead.start === windowEnd) {
      // the part of this read in the current window, copied before waiting: that window's buffer
      // may be reused meanwhile (one block, not a window, is copied)
      const tail = offset < windowEnd ? w.bytes.slice(offset - w.start) : undefined;
      const next = await ahead.done;
      const got = next.bytes.length;
      // (short only at the end of the file: a window that stopped at a limit does not answer past it)
      if (end <= windowEnd + got || windowEnd + got >= size) {
        this.replace(next);
        this.prefetch(stop);
        if (tail === undefined) return use(next.bytes.subarray(0, Math.min(length, got)), next.memory !== undefined);
        const head = next.bytes.subarray(0, Math.min(end - windowEnd, got));
        const joined = new Uint8Array(tail.length + head.length);
        joined.set(tail);
        joined.set(head, tail.length);
        return use(joined, false);
      }
      this.recycle(next.memory);
    } else if (ahead !== undefined) this.drop(ahead);
    const got = await this.fetch(offset, Math.max(Math.max(0, Math.min(this.window, stop - offset)), length));
    this.replace(got);
    if (sequential) this.prefetch(stop);
    return use(got.bytes.subarray(0, Math.min(length, got.bytes.length)), got.memory !== undefined);
  }

  private holds(offset: number, end: number): boolean {
    const w = this.current;
    return offset >= w.start && end <= w.start + w.bytes.length;
  }

  private answer<T>(w: Window, offset: number, end: number, use: UseBytes<T>): T {
    return use(w.bytes.subarray(offset - w.start, end - w.start), w.memory !== undefined);
  }

  /** Reads `[offset, offset + n)` (n ≤ window) into a recycled buffer when the inner source can. */
  private async fetch(offset: number, n: number): Promise<Window> {
    const inner = this.inner;
    if (inner.readInto === undefined) return { start: offset, bytes: await inner.read(offset, n), memory: undefined };
    const memory = pool.get(this.window)?.pop() ?? new Uint8Array(this.window);
    // (a failed read's buffer is dropped, not reused)
    const got = await inner.readInto(offset, memory.subarray(0, n));
    return { start: offset, bytes: memory.subarray(0, got), memory };
  }

  /** Makes `w` the current window; the buffer of the one before is reused. */
  private replace(w: Window): void {
    const old = this.current;
    this.current = w;
    if (old.memory !== w.memory) this.recycle(old.memory);
  }

  private recycle(memory: Uint8Array | undefined): void {
    if (memory === undefined) return;
    let free = pool.get(memory.length);
    if (free === undefined) pool.set(memory.length, (free = []));
    if (free.length < POOLED) free.push(memory);
  }

  /**
   * Drops the window and the one read ahead (a scan reached the end of the file): their buffers
   * serve other sources. A later read fetches again.
   */
  release(): void {
    this.replace(NO_WINDOW);
    if (this.ahead !== undefined) this.drop(this.ahead);
    this.ahead = undefined;
  }

  /** A window fetched ahead that no read continues into: its buffer is reused once it has arrived. */
  private drop(ahead: Prefetch): void {
    ahead.done.then(
      (a) => this.recycle(a.memory),
      () => undefined,
    );
  }

  /** Starts reading the window after the current one, up to `stop`. */
  private prefetch(stop: number): void {
    const from = this.current.start + this.current.bytes.length;
    const n = Math.min(this.window, stop - from);
    if (n <= 0) return;
    const done = this.fetch(from, n);
    // a failed read surfaces when (if) the window is asked for; never as an unhandled rejection
    done.catch(() => {});
    this.ahead = { start: from, done };
  }
}
