import { StorageError } from './errors.js';
import type { Storages } from './open.js';

/**
 * One file of any storage as a random-access source (`@ckpt/state`'s `ByteSource`): `read` asks
 * the storage for just `[offset, offset + length)` (an HTTP range, a positioned file read), with
 * the storage layer's retries and typed errors. The size is asked once. Reads past the end return
 * what exists, as a `ByteSource` must.
 */
export class StorageSource {
  readonly name: string;
  private sized: Promise<number> | undefined;

  constructor(
    readonly storages: Storages,
    readonly uri: string,
    readonly options: { signal?: AbortSignal; /** Shown in errors instead of the URI (e.g. the path as a user gave it). */ name?: string } = {},
  ) {
    this.name = options.name ?? uri;
  }

  size(): Promise<number> {
    this.sized ??= (async () => {
      const { storage, path } = await this.storages.locate(this.uri);
      const st = await storage.stat(path, this.options);
      if (st === undefined || st.isDirectory) {
        throw new StorageError('NotFound', `no file ${this.uri}`, { uri: this.uri, operation: 'read' });
      }
      return st.size;
    })();
    return this.sized;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new StorageError('Internal', `invalid read range offset=${offset} length=${length}`, { uri: this.uri, operation: 'read' });
    }
    const n = Math.min(length, (await this.size()) - offset);
    if (n <= 0) return new Uint8Array(0);
    const { storage, path } = await this.storages.locate(this.uri);
    const b = await storage.readRange(path, offset, n, this.options);
    // a plain view, not a Node Buffer (whose `slice` shares memory instead of copying)
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }

  /** Reads up to `target.length` bytes from `offset` into `target` (local files: in place); how many there were. */
  async readInto(offset: number, target: Uint8Array): Promise<number> {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new StorageError('Internal', `invalid read range offset=${offset} length=${target.length}`, { uri: this.uri, operation: 'read' });
    }
    const n = Math.min(target.length, (await this.size()) - offset);
    if (n <= 0) return 0;
    const { storage, path } = await this.storages.locate(this.uri);
    await storage.readRangeInto(path, offset, target.subarray(0, n), this.options);
    return n;
  }
}
