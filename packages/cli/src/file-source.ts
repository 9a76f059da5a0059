import { open, type FileHandle } from 'node:fs/promises';
import { baseName, openStorage, parentUri, StorageError } from '@ckpt/storage';
import { isRemote } from './io.js';

/** Ranged reads of one file (local, or any storage URI): the shape every ckpt file reader takes. */
export interface OpenSource {
  readonly name: string;
  size(): Promise<number>;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Opens `target` for ranged reads: a local path keeps one file handle open (positioned reads);
 * a storage URI reads ranges through its driver (one ranged GET per read), so a remote file costs
 * only the bytes a reader asks for.
 */
export async function openSource(target: string): Promise<OpenSource> {
  if (isRemote(target)) {
    const parent = parentUri(target);
    if (parent === undefined) throw new StorageError('InvalidUri', `${target} names no file`, { uri: target, operation: 'open' });
    const storage = await openStorage(parent);
    const name = baseName(target);
    let size: number | undefined;
    return {
      name: target,
      async size() {
        if (size === undefined) {
          const st = await storage.stat(name);
          if (st === undefined) throw new StorageError('NotFound', `no such file: ${target}`, { uri: target, operation: 'stat' });
          size = st.size;
        }
        return size;
      },
      read: (offset, length) => (length === 0 ? Promise.resolve(new Uint8Array(0)) : storage.readRange(name, offset, length)),
      close: () => storage.close(),
    };
  }
  const path = target.replace(/^file:\/\//, '');
  const handle: FileHandle = await open(path, 'r');
  return {
    name: target,
    async size() {
      return (await handle.stat()).size;
    },
    async read(offset, length) {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === length ? buf : buf.subarray(0, got);
    },
    close: () => handle.close(),
  };
}

/** Runs `fn` on `target` opened for ranged reads, and closes it. */
export async function withSource<T>(target: string, fn: (src: OpenSource) => Promise<T>): Promise<T> {
  const src = await openSource(target);
  try {
    return await fn(src);
  } finally {
    await src.close();
  }
}
