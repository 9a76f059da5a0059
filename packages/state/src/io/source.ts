import { checkRange, type ByteSource } from '@ckpt/format';
import { StateError } from '../errors.js';

export { MemorySource, checkRange, type ByteSource } from '@ckpt/format';

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

  /** Reads into `target` when the inner source can (else absent, as there). */
  get readInto(): ((offset: number, target: Uint8Array) => Promise<number>) | undefined {
    const inner = this.inner;
    if (inner.readInto === undefined) return undefined;
    return (offset, target) => {
      checkRange(this.name, offset, target.length);
      const n = Math.max(0, Math.min(target.length, this.length - offset));
      return n === 0 ? Promise.resolve(0) : inner.readInto!(this.start + offset, target.subarray(0, n));
    };
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
