import { read as readFd } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ByteStream, Driver, DriverReadHints, ListEntry, StatResult } from '../types.js';
import { sliceStream } from './common.js';

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

  async read(key: string, offset: number, length: number | undefined, _signal?: AbortSignal, hints: DriverReadHints = {}): Promise<ByteStream> {
    const fh = await open(this.p(key), 'r'); // raises ENOENT here
    let st;
    try {
      st = await fh.stat();
    } catch (e) {
      await fh.close();
      throw e;
    }
    const end = length === undefined ? Infinity : offset + length;
    if (st.isFile()) {
      const into = length !== undefined && hints.into !== undefined && hints.into.length >= length ? hints.into : undefined;
      return fileChunks(fh, offset, end, st.size, hints.transient === true, into);
    }
    // a pipe or device (`<(…)`, /dev/stdin): no positioned reads
    const all = fileChunks(fh, undefined, Infinity, 0);
    return offset === 0 && length === undefined ? all : sliceStream(all, offset, length);
  }

  async write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void> {
    const target = this.p(key);
    await mkdir(dirname(target), { recursive: true });
    await publish(target, async (tmp) => {
      const fh = await open(tmp, 'wx');
      try {
        for await (const chunk of body) {
          signal?.throwIfAborted();
          await fh.write(chunk);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      signal?.throwIfAborted(); // aborted while the last chunk was produced: never publish it
    });
  }

  async delete(key: string): Promise<void> {
    await rm(this.p(key), { force: true });
  }

  async copy(from: string, to: string): Promise<void> {
    const target = this.p(to);
    await mkdir(dirname(target), { recursive: true });
    await publish(target, (tmp) => copyFile(this.p(from), tmp));
  }
}

/**
 * The one temp-and-rename writer: `fill` writes a temporary sibling of `target`, which is then
 * renamed over it, so readers see the old file or the new one, never a half-written one. The
 * temporary file is removed when `fill` or the rename fails.
 */
async function publish(target: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(target), `.${basename(target).slice(0, 200)}.${randomBytes(6).toString('hex')}.ckpt-tmp`);
  try {
    await fill(tmp);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Writes a local file atomically (temp sibling + rename); its directory must exist. */
export async function writeFileAtomically(path: string, data: Uint8Array | string): Promise<void> {
  await publish(path, (tmp) => writeFile(tmp, data, { flag: 'wx' }));
}

function isMissing(e: unknown): boolean {
  const c = (e as { code?: string }).code;
  return c === 'ENOENT' || c === 'ENOTDIR';
}

/**
 * File reads: chunks of 1 MiB, each a fresh buffer (consumers may keep it; below ~512 KiB the
 * allocator maps and faults in new pages for every chunk, which costs more than the copy out of
 * the page cache). Up to the size the file had when opened, 3 positioned reads are in flight on
 * libuv's pool (4 threads by default, so one stays free for other work): the copying runs in
 * parallel with the consumer and on another core. From there on, one read at a time until a
 * read returns nothing, the first of them small (it usually just confirms the end).
 */
const CHUNK = 1024 * 1024;
/** Chunk size of transient reads: their buffers are recycled, so fewer, smaller ones suffice. */
const TRANSIENT_CHUNK = 256 * 1024;
const READS_IN_FLIGHT = 3;
const PROBE = 64 * 1024;

interface PendingRead {
  at: number;
  n: number;
  done: Promise<Uint8Array>;
  /** The buffer read into, to recycle (transient reads only). */
  memory?: Buffer;
}

/**
 * `[start, end)` of an open file, in order, until a read returns nothing (EOF) or `end`; `size`
 * is where parallel reads stop. `start` undefined: reads from the current position (pipes). A
 * short read (a file that shrank, some network file systems) drops the reads issued after it and
 * goes on from the byte after the last one received, so nothing is skipped. Closes the file when
 * done, failed or abandoned, once no read is in flight. `into` (positioned reads of a known
 * length): the memory of `[start, end)`, read into in place and yielded as views of it.
 */
async function* fileChunks(fh: FileHandle, start: number | undefined, end: number, size: number, transient = false, into?: Uint8Array): ByteStream {
  const positioned = start !== undefined;
  let pos = start ?? 0;
  let probe = true;
  const queue: PendingRead[] = [];
  /** Buffers whose chunk the consumer is done with (transient reads). */
  const spare: Buffer[] = [];
  const chunkSize = transient ? TRANSIENT_CHUNK : CHUNK;
  const fill = (): void => {
    while (queue.length < (pos < size ? READS_IN_FLIGHT : 1)) {
      const n = Math.min(end - pos, pos < size ? Math.min(chunkSize, size - pos) : probe ? PROBE : chunkSize);
      if (n <= 0) return;
      if (pos >= size) probe = false;
      const placed = into !== undefined && positioned ? into.subarray(pos - start, pos - start + n) : undefined;
      const memory = placed === undefined && transient ? (spare.pop() ?? Buffer.allocUnsafe(chunkSize)) : undefined;
      const buf: Uint8Array = placed ?? (memory ? memory.subarray(0, n) : Buffer.allocUnsafe(n));
      const done = new Promise<Uint8Array>((resolve, reject) => {
        readFd(fh.fd, buf, 0, n, positioned ? pos : null, (e, got) => (e ? reject(e) : resolve(got === n ? buf : buf.subarray(0, got))));
      });
      done.catch(() => undefined); // awaited in order below; a later failure must not go unhandled meanwhile
      queue.push({ at: pos, n, done, memory });
      pos += n;
    }
  };
  try {
    fill();
    for (let r = queue.shift(); r !== undefined; r = queue.shift()) {
      const chunk = await r.done;
      if (chunk.length === 0) return;
      if (chunk.length < r.n) {
        await Promise.allSettled(queue.splice(0).map((q) => q.done));
        pos = r.at + chunk.length;
      }
      fill();
      yield chunk;
      if (r.memory) spare.push(r.memory);
    }
  } finally {
    await Promise.allSettled(queue.map((q) => q.done));
    await fh.close();
  }
}
