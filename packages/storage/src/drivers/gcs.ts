import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket } from '@google-cloud/storage';
import type { ByteStream, Driver, GcsOptions, ListEntry, StatResult } from '../types.js';
import { primed } from './common.js';

/**
 * `gs://bucket/…` via @google-cloud/storage 7.x (loaded lazily). `apiEndpoint` (or env
 * STORAGE_EMULATOR_HOST) points it at an emulator. Uploads are single-request (non-resumable):
 * the object appears only when the request completes. SDK retries are off.
 */
export class GcsDriver implements Driver {
  readonly name = 'gcs';
  private constructor(private readonly bucket: Bucket) {}

  static async create(bucketName: string, opts: GcsOptions = {}): Promise<GcsDriver> {
    const m = await import('@google-cloud/storage');
    const apiEndpoint = opts.apiEndpoint ?? process.env.STORAGE_EMULATOR_HOST;
    const storage = new m.Storage({
      ...(apiEndpoint !== undefined ? { apiEndpoint } : {}),
      ...(opts.projectId !== undefined ? { projectId: opts.projectId } : {}),
      ...(opts.keyFilename !== undefined ? { keyFilename: opts.keyFilename } : {}),
      retryOptions: { autoRetry: false },
    });
    return new GcsDriver(storage.bucket(bucketName));
  }

  async stat(key: string, signal?: AbortSignal): Promise<StatResult | undefined> {
    signal?.throwIfAborted();
    if (key !== '') {
      try {
        const [md] = await this.bucket.file(key).getMetadata();
        return { path: key, size: Number(md.size ?? 0), isDirectory: false, mtime: md.updated ? new Date(md.updated) : undefined, etag: md.etag };
      } catch (e) {
        if ((e as { code?: number }).code !== 404) throw e;
      }
    }
    const [files, , resp] = await this.bucket.getFiles({ prefix: key === '' ? '' : `${key}/`, maxResults: 1, autoPaginate: false });
    const prefixes = (resp as { prefixes?: string[] } | undefined)?.prefixes ?? [];
    return files.length + prefixes.length > 0 ? { path: key, size: 0, isDirectory: true } : undefined;
  }

  async *list(prefix: string, recursive: boolean, signal?: AbortSignal): AsyncIterable<ListEntry> {
    let pageToken: string | undefined;
    const pre = prefix === '' ? '' : `${prefix}/`;
    do {
      signal?.throwIfAborted();
      const [files, next, resp] = await this.bucket.getFiles({
        prefix: pre,
        ...(recursive ? {} : { delimiter: '/' }),
        autoPaginate: false,
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      for (const p of (resp as { prefixes?: string[] } | undefined)?.prefixes ?? []) {
        yield { path: p.replace(/\/$/, ''), size: 0, isDirectory: true };
      }
      for (const f of files) {
        if (f.name.endsWith('/')) continue;
        yield { path: f.name, size: Number(f.metadata.size ?? 0), isDirectory: false };
      }
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
    } while (pageToken);
  }

  async read(key: string, offset: number, length: number | undefined, signal?: AbortSignal): Promise<ByteStream> {
    const opts: { start?: number; end?: number; validation: false; decompress: false } = { validation: false, decompress: false };
    if (offset > 0) opts.start = offset;
    if (length !== undefined) {
      opts.start = offset;
      opts.end = offset + length - 1;
    }
    const s = this.bucket.file(key).createReadStream(opts);
    signal?.addEventListener('abort', () => s.destroy(signal.reason as Error), { once: true });
    try {
      return await primed(s);
    } catch (e) {
      if ((e as { code?: number }).code === 416) return (async function* () {})();
      throw e;
    }
  }

  async write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void> {
    const ws = this.bucket.file(key).createWriteStream({ resumable: false, validation: false, contentType: 'application/octet-stream' });
    await pipeline(Readable.from(body), ws, { signal });
  }

  async delete(key: string): Promise<void> {
    await this.bucket.file(key).delete({ ignoreNotFound: true });
  }

  async copy(from: string, to: string): Promise<void> {
    await this.bucket.file(from).copy(this.bucket.file(to));
  }
}
