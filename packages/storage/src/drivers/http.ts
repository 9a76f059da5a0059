import { StorageError } from '../errors.js';
import type { ByteStream, Driver, HttpOptions, ListEntry, StatResult } from '../types.js';
import { bodyStream, drain, encodeKey, httpError, rangeHeader, sliceStream } from './common.js';

/**
 * `http://` / `https://`: HEAD for stat, GET with `Range` for reads (a server answering 200
 * instead of 206 still works: the driver skips and truncates), PUT / DELETE for writes where the
 * server allows them. Listing is not part of HTTP: `list` raises `Unsupported`. A directory is a
 * URL whose `path/` answers 2xx.
 */
export class HttpDriver implements Driver {
  readonly name = 'http';
  constructor(
    private readonly origin: string,
    private readonly opts: HttpOptions = {},
  ) {}

  private url(key: string, dir = false): string {
    return `${this.origin}/${encodeKey(key)}${dir && key !== '' ? '/' : ''}`;
  }

  async stat(key: string, signal?: AbortSignal): Promise<StatResult | undefined> {
    const res = await fetch(this.url(key), { method: 'HEAD', headers: this.opts.headers, signal });
    if (res.ok) {
      const len = Number(res.headers.get('content-length') ?? '0');
      const lm = res.headers.get('last-modified');
      return { path: key, size: len, isDirectory: false, mtime: lm ? new Date(lm) : undefined, etag: res.headers.get('etag') ?? undefined };
    }
    if (res.status !== 404) throw await httpError(res, 'HEAD');
    const dir = await fetch(this.url(key, true), { method: 'HEAD', headers: this.opts.headers, signal });
    if (dir.ok) return { path: key, size: 0, isDirectory: true };
    if (dir.status === 404) return undefined;
    throw await httpError(dir, 'HEAD');
  }

  // eslint-disable-next-line require-yield
  async *list(): AsyncIterable<ListEntry> {
    throw new StorageError('Unsupported', 'HTTP has no listing', { operation: 'list' });
  }

  async read(key: string, offset: number, length: number | undefined, signal?: AbortSignal): Promise<ByteStream> {
    const range = rangeHeader(offset, length);
    const headers: Record<string, string> = { ...this.opts.headers, 'accept-encoding': 'identity' };
    if (range !== undefined) headers.range = range;
    const res = await fetch(this.url(key), { headers, signal });
    if (res.status === 416) {
      await res.body?.cancel();
      return (async function* () {})();
    }
    if (!res.ok) throw await httpError(res, 'GET');
    if (res.status === 206 || range === undefined) return bodyStream(res);
    return sliceStream(bodyStream(res), offset, length); // server ignored Range
  }

  async write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void> {
    const bytes = await drain(body);
    const res = await fetch(this.url(key), { method: 'PUT', body: bytes as unknown as NonNullable<RequestInit['body']>, headers: this.opts.headers, signal });
    if (!res.ok) throw await httpError(res, 'PUT');
    await res.body?.cancel();
  }

  async delete(key: string): Promise<void> {
    const res = await fetch(this.url(key), { method: 'DELETE', headers: this.opts.headers });
    if (!res.ok && res.status !== 404) throw await httpError(res, 'DELETE');
    await res.body?.cancel();
  }

  async copy(from: string, to: string): Promise<void> {
    await this.write(to, await this.read(from, 0, undefined));
  }
}
