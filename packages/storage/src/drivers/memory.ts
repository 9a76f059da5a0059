import { collectBytes } from '@ckpt/format';
import { StorageError } from '../errors.js';
import type { ByteStream, Driver, ListEntry, StatResult } from '../types.js';

/** In-process object store (`memory://name`); stores with the same name share contents. */
export class MemoryDriver implements Driver {
  readonly name = 'memory';
  private static readonly stores = new Map<string, Map<string, Uint8Array>>();
  readonly objects: Map<string, Uint8Array>;

  constructor(storeName = '') {
    let s = MemoryDriver.stores.get(storeName);
    if (s === undefined) MemoryDriver.stores.set(storeName, (s = new Map()));
    this.objects = s;
  }

  async stat(key: string): Promise<StatResult | undefined> {
    const o = this.objects.get(key);
    if (o !== undefined) return { path: key, size: o.length, isDirectory: false };
    const pre = key === '' ? '' : `${key}/`;
    for (const k of this.objects.keys()) if (k.startsWith(pre)) return { path: key, size: 0, isDirectory: true };
    return undefined;
  }

  async *list(prefix: string, recursive: boolean): AsyncIterable<ListEntry> {
    const pre = prefix === '' ? '' : `${prefix}/`;
    const dirs = new Set<string>();
    for (const k of [...this.objects.keys()].sort()) {
      if (!k.startsWith(pre)) continue;
      const rest = k.slice(pre.length);
      const slash = rest.indexOf('/');
      if (recursive || slash < 0) {
        yield { path: k, size: (this.objects.get(k) as Uint8Array).length, isDirectory: false };
      } else {
        const d = pre + rest.slice(0, slash);
        if (!dirs.has(d)) {
          dirs.add(d);
          yield { path: d, size: 0, isDirectory: true };
        }
      }
    }
  }

  async read(key: string, offset: number, length: number | undefined): Promise<ByteStream> {
    const o = this.objects.get(key);
    if (o === undefined) throw new StorageError('NotFound', `no such object '${key}'`);
    const end = length === undefined ? o.length : Math.min(o.length, offset + length);
    const slice = o.slice(Math.min(offset, o.length), end);
    return (async function* () {
      for (let i = 0; i < slice.length; i += 65536) yield slice.subarray(i, i + 65536);
    })();
  }

  async write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void> {
    const bytes = (await collectBytes(body)).slice();
    signal?.throwIfAborted(); // an aborted write never becomes visible, even when its body ended
    this.objects.set(key, bytes);
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async copy(from: string, to: string): Promise<void> {
    const o = this.objects.get(from);
    if (o === undefined) throw new StorageError('NotFound', `no such object '${from}'`);
    this.objects.set(to, o.slice());
  }
}
