import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { StorageError } from '../errors.js';
import type { ByteStream, Driver, HdfsOptions, ListEntry, StatResult } from '../types.js';
import { bodyStream, encodeKey, httpError } from './common.js';

interface FileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  modificationTime?: number;
}

/**
 * `hdfs://` and `webhdfs://` through the WebHDFS REST API (no JVM): GETFILESTATUS, LISTSTATUS,
 * OPEN with offset/length, CREATE + RENAME for atomic writes, DELETE. The NameNode's 307 to a
 * DataNode is followed; with `noredirect` the NameNode's JSON `Location` is used instead.
 * Atomic write = CREATE a hidden temp file in the target directory, then RENAME (WebHDFS RENAME
 * cannot overwrite, so an existing target is deleted just before the rename).
 */
export class WebHdfsDriver implements Driver {
  readonly name = 'webhdfs';
  constructor(
    /** `http://namenode:9870` */
    private readonly base: string,
    private readonly opts: HdfsOptions = {},
  ) {}

  private url(key: string, op: string, params: Record<string, string | number | boolean> = {}): string {
    const q = new URLSearchParams({ op });
    const user = this.opts.user ?? process.env.HADOOP_USER_NAME;
    if (user) q.set('user.name', user);
    for (const [k, v] of Object.entries(params)) q.set(k, String(v));
    return `${this.base}/webhdfs/v1/${encodeKey(key)}?${q.toString()}`;
  }

  private async json<T>(res: Response, what: string): Promise<T> {
    if (!res.ok) throw await httpError(res, what);
    return (await res.json()) as T;
  }

  async stat(key: string, signal?: AbortSignal): Promise<StatResult | undefined> {
    const res = await fetch(this.url(key, 'GETFILESTATUS'), { signal });
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    const { FileStatus: s } = await this.json<{ FileStatus: FileStatus }>(res, 'GETFILESTATUS');
    const dir = s.type === 'DIRECTORY';
    return { path: key, size: dir ? 0 : s.length, isDirectory: dir, mtime: s.modificationTime ? new Date(s.modificationTime) : undefined };
  }

  async *list(prefix: string, recursive: boolean, signal?: AbortSignal): AsyncIterable<ListEntry> {
    const res = await fetch(this.url(prefix, 'LISTSTATUS'), { signal });
    if (res.status === 404) {
      await res.body?.cancel();
      return;
    }
    const body = await this.json<{ FileStatuses: { FileStatus: FileStatus[] } }>(res, 'LISTSTATUS');
    const items = [...body.FileStatuses.FileStatus].sort((a, b) => (a.pathSuffix < b.pathSuffix ? -1 : 1));
    for (const s of items) {
      if (s.pathSuffix === '') {
        yield { path: prefix, size: s.length, isDirectory: false }; // listing a file
        continue;
      }
      const key = prefix === '' ? s.pathSuffix : `${prefix}/${s.pathSuffix}`;
      if (s.type === 'DIRECTORY') {
        if (recursive) yield* this.list(key, true, signal);
        else yield { path: key, size: 0, isDirectory: true };
      } else yield { path: key, size: s.length, isDirectory: false };
    }
  }

  /** Follows the NameNode → DataNode hop, honouring `noredirect`. */
  private async twoStep(url: string, init: RequestInit, what: string): Promise<string> {
    const first = await fetch(url + (this.opts.noredirect ? '&noredirect=true' : ''), { ...init, redirect: 'manual' });
    if (first.status >= 300 && first.status < 400) {
      await first.body?.cancel();
      const loc = first.headers.get('location');
      if (loc) return loc;
    }
    if (first.ok) {
      const j = (await first.json().catch(() => ({}))) as { Location?: string };
      if (j.Location) return j.Location;
      throw new StorageError('Internal', `${what}: NameNode answered without a Location`);
    }
    throw await httpError(first, what);
  }

  async read(key: string, offset: number, length: number | undefined, signal?: AbortSignal): Promise<ByteStream> {
    try {
      return await this.open(key, offset, length, signal);
    } catch (e) {
      // reading at (or past) the end: HDFS answers 403 "Offset=N out of the range [0, N)"
      if (offset > 0 && e instanceof StorageError && /Offset=\d+ out of the range/.test(e.message)) return (async function* () {})();
      throw e;
    }
  }

  private async open(key: string, offset: number, length: number | undefined, signal?: AbortSignal): Promise<ByteStream> {
    const params: Record<string, number> = { offset };
    if (length !== undefined) params.length = length;
    const url = this.url(key, 'OPEN', params);
    if (!this.opts.noredirect) {
      const res = await fetch(url, { signal });
      if (!res.ok) throw await httpError(res, 'OPEN');
      return bodyStream(res);
    }
    const loc = await this.twoStep(url, { signal }, 'OPEN');
    const res = await fetch(loc, { signal });
    if (!res.ok) throw await httpError(res, 'OPEN');
    return bodyStream(res);
  }

  async write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void> {
    const slash = key.lastIndexOf('/');
    const dir = slash < 0 ? '' : key.slice(0, slash);
    const tmp = `${dir === '' ? '' : `${dir}/`}.${randomBytes(6).toString('hex')}.ckpt-tmp`;
    const loc = await this.twoStep(this.url(tmp, 'CREATE', { overwrite: false }), { method: 'PUT', signal }, 'CREATE');
        // node:http, not fetch: DataNodes answer "100 Continue" unasked, which undici rejects
    const res = await putStream(loc, body, signal);
    try {
      if (res.status < 200 || res.status >= 300) {
        throw new StorageError(res.status >= 500 ? 'Transient' : 'Internal', `CREATE: HTTP ${res.status} ${res.text.slice(0, 300)}`, { status: res.status });
      }
      await this.rename(tmp, key);
    } catch (e) {
      await this.delete(tmp).catch(() => undefined);
      throw e;
    }
  }

  private async rename(from: string, to: string): Promise<void> {
    const dest = `/${to}`;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(this.url(from, 'RENAME', { destination: dest }), { method: 'PUT' });
      const j = await this.json<{ boolean: boolean }>(res, 'RENAME');
      if (j.boolean) return;
      await this.delete(to); // WebHDFS RENAME does not overwrite
    }
    throw new StorageError('Internal', `RENAME to ${dest} refused`);
  }

  async delete(key: string): Promise<void> {
    const res = await fetch(this.url(key, 'DELETE', { recursive: false }), { method: 'DELETE' });
    if (res.status === 404) return void (await res.body?.cancel());
    await this.json(res, 'DELETE');
  }

  async copy(from: string, to: string): Promise<void> {
    await this.write(to, await this.read(from, 0, undefined));
  }
}

/** PUT a stream with chunked encoding via node:http(s); resolves with status and body text. */
function putStream(url: string, body: ByteStream, signal?: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' }, signal },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    void (async () => {
      try {
        for await (const c of body) {
          if (!req.write(c)) await new Promise<void>((r) => req.once('drain', () => r()));
        }
        req.end();
      } catch (e) {
        req.destroy(e as Error);
      }
    })();
  });
}
