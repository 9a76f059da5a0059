import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ByteStream, Driver, ListEntry, StatResult } from '../types.js';

/** Local disk (`file://`, plain paths). Keys are absolute paths without the leading `/`. */
export class FsDriver implements Driver {
  readonly name = 'fs';

  private p(key: string): string {
    return `/${key}`;
  }

  async stat(key: string): Promise<StatResult | undefined> {
    try {
      const s = await stat(this.p(key));
      return { path: key, size: s.isDirectory() ? 0 : s.size, isDirectory: s.isDirectory(), mtime: s.mtime };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async *list(prefix: string, recursive: boolean): AsyncIterable<ListEntry> {
    let entries;
    try {
      entries = await readdir(this.p(prefix), { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw e;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of entries) {
      const key = prefix === '' ? d.name : `${prefix}/${d.name}`;
      if (d.isDirectory()) {
        if (recursive) yield* this.list(key, true);
        else yield { path: key, size: 0, isDirectory: true };
      } else {
        const s = await stat(this.p(key)).catch(() => undefined);
        if (s === undefined) continue;
        yield { path: key, size: s.size, isDirectory: false };
      }
    }
  }

  async read(key: string, offset: number, length: number | undefined): Promise<ByteStream> {
    const fh = await open(this.p(key), 'r'); // raises ENOENT here
    const end = length === undefined ? undefined : offset + length - 1;
    return fh.createReadStream({ start: offset, end, autoClose: true, highWaterMark: 256 * 1024 }) as unknown as ByteStream;
  }

  async write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void> {
    const target = this.p(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.${randomBytes(6).toString('hex')}.ckpt-tmp`);
    const fh = await open(tmp, 'wx');
    try {
      for await (const chunk of body) {
        signal?.throwIfAborted();
        await fh.write(chunk);
      }
      await fh.sync();
      await fh.close();
      signal?.throwIfAborted(); // aborted while the last chunk was produced: never publish it
      await rename(tmp, target);
    } catch (e) {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.p(key), { force: true });
  }

  async copy(from: string, to: string): Promise<void> {
    const target = this.p(to);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.${randomBytes(6).toString('hex')}.ckpt-tmp`);
    await copyFile(this.p(from), tmp);
    await rename(tmp, target);
  }
}

function isMissing(e: unknown): boolean {
  const c = (e as { code?: string }).code;
  return c === 'ENOENT' || c === 'ENOTDIR';
}
