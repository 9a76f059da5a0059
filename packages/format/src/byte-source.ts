import { FormatError } from './errors.js';

/**
 * Random access to the bytes of one file — the shape every ckpt reader of state files, SSTs and
 * MANIFESTs takes: local files, object stores (one ranged GET per read), browser `File`s, bytes in
 * memory. `read` may return fewer bytes only at the end of the file.
 */
export interface ByteSource {
  /** Name shown in errors (a path or URI). */
  readonly name: string;
  size(): Promise<number>;
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: reads up to `target.length` bytes from `offset` into `target` and resolves to how
   * many it wrote (fewer only at the end of the file). A reader that recycles its buffers uses it,
   * so that no fresh buffer per read outlives young garbage collections.
   */
  readInto?(offset: number, target: Uint8Array): Promise<number>;
}

/** A source over bytes already in memory (inline `ByteStreamStateHandle`s, tests, decoded blocks). */
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

  readInto(offset: number, target: Uint8Array): Promise<number> {
    checkRange(this.name, offset, target.length);
    const got = this.bytes.subarray(offset, Math.min(this.bytes.length, offset + target.length));
    target.set(got);
    return Promise.resolve(got.length);
  }
}

/** A read range must be two non-negative safe integers; anything else is a typed `BadValue`. */
export function checkRange(name: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new FormatError('BadValue', `invalid read range offset=${offset} length=${length}`, { file: name });
  }
}
