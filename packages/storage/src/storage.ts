import { collectBytes } from '@ckpt/format';
import { StorageError } from './errors.js';
import { abortError, attemptError, backoffDelay, Limiter, sleep, withRetry } from './retry.js';
import type { ByteStream, Driver, DriverReadHints, ListEntry, ListOptions, ReadOptions, StatResult, StorageOptions, WriteOptions } from './types.js';
import { formatUri, normalizePath, relativeKey, type StorageUri } from './uri.js';

/**
 * A storage location: one driver (file system / bucket / container) and a base path. Paths given
 * to its methods are relative to the base (`''` = the base itself). Adds, on top of the driver:
 * retries with backoff + jitter for transient errors, resume of broken reads from the last byte
 * received, AbortSignal support, a concurrency bound, and typed {@link StorageError}s.
 *
 * Retries: `stat`, `list` (before the first entry), `readRange`, `delete`, `copy` and `write` of a
 * `Uint8Array` are retried; `write` of a stream is attempted once (the body cannot be replayed).
 * The concurrency bound covers every request; a `read` holds its slot only while opening.
 */
export class Storage {
  readonly limiter: Limiter;
  constructor(
    readonly driver: Driver,
    /** Scheme, authority and base path. */
    readonly base: StorageUri,
    readonly options: StorageOptions = {},
  ) {
    this.limiter = new Limiter(options.concurrency ?? 16);
  }

  /** The base URI. */
  get uri(): string {
    return formatUri(this.base);
  }

  /** Driver key of a base-relative path. */
  key(path: string): string {
    const p = normalizePath(`${this.base.path}/${path}`);
    return p.slice(1);
  }

  /** Full URI of a base-relative path. */
  toUri(path: string): string {
    return formatUri({ ...this.base, path: normalizePath(`${this.base.path}/${path}`) });
  }

  private rel(key: string): string {
    return relativeKey(this.base.path, `/${key}`.replace(/\/$/, '') || '/');
  }

  async stat(path: string, opts: { signal?: AbortSignal } = {}): Promise<StatResult | undefined> {
    const key = this.key(path);
    const st = await withRetry('stat', this.toUri(path), this.options.retry, opts.signal, () =>
      this.limiter.run(() => this.driver.stat(key, opts.signal)),
    );
    return st === undefined ? undefined : { ...st, path: this.rel(st.path) };
  }

  async exists(path: string): Promise<boolean> {
    return (await this.stat(path)) !== undefined;
  }

  /** Children of directory `prefix` (or, recursive, every object below it). Order is backend order. */
  async *list(prefix = '', opts: ListOptions = {}): AsyncIterable<ListEntry> {
    const key = this.key(prefix);
    const uri = this.toUri(prefix);
    for (let attempt = 0; ; attempt++) {
      let yielded = false;
      try {
        for await (const e of this.driver.list(key, opts.recursive ?? false, opts.signal)) {
          if (opts.signal?.aborted) throw abortError(opts.signal, uri, 'list');
          yielded = true;
          yield { ...e, path: this.rel(e.path) };
        }
        return;
      } catch (e) {
        const err = attemptError(e, 'list', uri, opts.signal);
        if (opts.signal?.aborted) throw abortError(opts.signal, uri, 'list');
        if (yielded || err.code !== 'Transient' || attempt >= (this.options.retry?.retries ?? 5)) throw err;
        await sleep(backoffDelay(attempt, this.options.retry), opts.signal);
      }
    }
  }

  /**
   * Streams `[offset, offset+length)` of an object. A transient failure while opening or in the
   * middle of the body is retried; the retry asks for the remaining range only, so the consumer
   * sees each byte exactly once. Reading past the end yields what exists (no error) unless
   * `length` was given, in which case a short object is `Corrupt`.
   */
  async *read(path: string, opts: ReadOptions = {}): ByteStream {
    const key = this.key(path);
    const uri = this.toUri(path);
    const { signal } = opts;
    const transient = opts.transient === true;
    const start = opts.offset ?? 0;
    let pos = start;
    let remaining = opts.length;
    if (remaining === 0) return;
    const into = remaining !== undefined && opts.into !== undefined && opts.into.length >= remaining ? opts.into : undefined;
    const retries = this.options.retry?.retries ?? 5;
    for (let attempt = 0; ; ) {
      if (signal?.aborted) throw abortError(signal, uri, 'read');
      try {
        // (a resumed read fills the rest of the target)
        const hints: DriverReadHints = into === undefined ? { transient } : { transient, into: into.subarray(pos - start) };
        const stream = await this.limiter.run(() => this.driver.read(key, pos, remaining, signal, hints));
        for await (const chunk of stream) {
          if (signal?.aborted) throw abortError(signal, uri, 'read');
          if (chunk.length === 0) continue;
          const c = remaining !== undefined && chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
          pos += c.length;
          if (remaining !== undefined) remaining -= c.length;
          attempt = 0;
          yield c;
          if (remaining === 0) return;
        }
        if (remaining !== undefined && remaining > 0) {
          throw new StorageError('Corrupt', `object ended at byte ${pos}, ${remaining} more expected`, { uri, operation: 'read' });
        }
        return;
      } catch (e) {
        if (signal?.aborted) throw abortError(signal, uri, 'read');
        const err = attemptError(e, 'read', uri, signal);
        if (err.code !== 'Transient' || attempt >= retries) throw err;
        await sleep(backoffDelay(attempt++, this.options.retry), signal);
      }
    }
  }

  /** Reads a range (or the whole object) into memory. */
  async readRange(path: string, offset = 0, length?: number, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    return collect(this.read(path, { offset, length, signal: opts.signal }));
  }

  /**
   * Reads `[offset, offset + target.length)` into `target` (a short object is `Corrupt`, as for a
   * read with a length). Local files are read straight into it; other backends' chunks are copied.
   */
  async readRangeInto(path: string, offset: number, target: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<void> {
    let at = 0;
    for await (const c of this.read(path, { offset, length: target.length, signal: opts.signal, transient: true, into: target })) {
      if (c.buffer !== target.buffer || c.byteOffset !== target.byteOffset + at) target.set(c, at);
      at += c.length;
    }
  }

  /** Atomically writes an object: it becomes visible only once complete. */
  async write(path: string, body: Uint8Array | ByteStream, opts: WriteOptions = {}): Promise<void> {
    const key = this.key(path);
    if (body instanceof Uint8Array) {
      const bytes = body;
      await withRetry('write', this.toUri(path), this.options.retry, opts.signal, () =>
        this.limiter.run(() => this.driver.write(key, once(bytes), opts.signal)),
      );
      return;
    }
    await withRetry('write', this.toUri(path), { ...this.options.retry, retries: 0 }, opts.signal, () =>
      this.limiter.run(() => this.driver.write(key, body, opts.signal)),
    );
  }

  /** Deletes an object; deleting a missing object is not an error. */
  async delete(path: string): Promise<void> {
    const key = this.key(path);
    await withRetry('delete', this.toUri(path), this.options.retry, undefined, () => this.limiter.run(() => this.driver.delete(key)));
  }

  /** Server-side copy within this storage. */
  async copy(from: string, to: string): Promise<void> {
    const a = this.key(from);
    const b = this.key(to);
    await withRetry('copy', this.toUri(from), this.options.retry, undefined, () => this.limiter.run(() => this.driver.copy(a, b)));
  }

  async close(): Promise<void> {
    await this.driver.close?.();
  }
}

async function* once(bytes: Uint8Array): ByteStream {
  yield bytes;
}

/** Concatenates a byte stream. */
export async function collect(stream: ByteStream): Promise<Uint8Array> {
  return collectBytes(stream);
}
