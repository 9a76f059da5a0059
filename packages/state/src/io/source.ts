import { StateError } from '../errors.js';

/**
 * The minimal random-access byte source every reader in this package works on. A storage layer
 * (local files, object stores, inline bytes) implements it; `read` may return fewer bytes only at
 * the end of the source.
 */
export interface ByteSource {
  /** Name shown in errors (a path or URI). */
  readonly name: string;
  size(): Promise<number>;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory (inline `ByteStreamStateHandle`s, tests). */
export class MemorySource implements ByteSource {
  constructor(
    readonly bytes: Uint8Array,
    readonly name = '<memory>',
  ) {}

  size(): Promise<number> {
    return Promise.resolve(this.bytes.length);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.name, offset, length);
    return Promise.resolve(this.bytes.subarray(offset, Math.min(this.bytes.length, offset + length)));
  }
}

/**
 * The byte range `[start, start + length)` of another source, addressed from 0 (file-merging
 * segments: every offset of the enclosing handle is relative to the segment start).
 */
export class SliceSource implements ByteSource {
  readonly name: string;
  constructor(
    readonly inner: ByteSource,
    readonly start: number,
    readonly length: number,
  ) {
    this.name = `${inner.name}[${start}+${length}]`;
  }

  size(): Promise<number> {
    return Promise.resolve(this.length);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.name, offset, length);
    const n = Math.max(0, Math.min(length, this.length - offset));
    return this.inner.read(this.start + offset, n);
  }
}

export function checkRange(name: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new StateError('BadValue', `invalid read range offset=${offset} length=${length}`, { file: name });
  }
}

/** Reads exactly `[offset, offset + length)`; a short read is a typed `Truncated` error. */
export async function readExactly(src: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  const b = await src.read(offset, length);
  if (b.length < length) {
    throw new StateError('Truncated', `needed ${length} bytes at ${offset} but the source has ${b.length}`, {
      file: src.name,
      offset: offset + b.length,
    });
  }
  return b;
}

/** Reads the whole source. */
export async function readAll(src: ByteSource): Promise<Uint8Array> {
  const n = await src.size();
  return readExactly(src, 0, n);
}

/** Counts reads and bytes read, for tests and for showing that ranged reads stay ranged. */
export class CountingSource implements ByteSource {
  reads = 0;
  bytesRead = 0;
  readonly name: string;
  constructor(readonly inner: ByteSource) {
    this.name = inner.name;
  }
  size(): Promise<number> {
    return this.inner.size();
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const b = await this.inner.read(offset, length);
    this.reads++;
    this.bytesRead += b.length;
    return b;
  }
}
