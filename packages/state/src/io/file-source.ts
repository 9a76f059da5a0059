import type { ByteSource } from './source.js';
import { StateError } from '../errors.js';

type FileHandleLike = {
  read(buf: Uint8Array, off: number, len: number, pos: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
};

/**
 * A local file (Node only). `node:fs/promises` is imported lazily, so importing this package in a
 * browser is safe as long as this source is not used there.
 */
export class FileSource implements ByteSource {
  constructor(readonly name: string) {}

  private async open<T>(fn: (h: FileHandleLike) => Promise<T>): Promise<T> {
    const fs = await import('node:fs/promises');
    let h: FileHandleLike;
    try {
      h = (await fs.open(this.name, 'r')) as unknown as FileHandleLike;
    } catch (e) {
      throw new StateError('Io', `cannot open ${this.name}: ${(e as Error).message}`, { file: this.name, cause: e });
    }
    try {
      return await fn(h);
    } finally {
      await h.close();
    }
  }

  size(): Promise<number> {
    return this.open(async (h) => (await h.stat()).size);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.open(async (h) => {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await h.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    });
  }
}
