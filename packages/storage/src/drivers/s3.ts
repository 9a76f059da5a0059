import type { S3Client as S3ClientT } from '@aws-sdk/client-s3';
import { StorageError } from '../errors.js';
import type { ByteStream, Driver, ListEntry, S3Options, StatResult } from '../types.js';
import { rangeHeader } from './common.js';

type S3Module = typeof import('@aws-sdk/client-s3');

/**
 * `s3://`, `s3a://`, `s3p://` (same objects) via AWS SDK v3, loaded lazily. Endpoint, region,
 * path-style and credentials come from options, else the SDK default chain (env, profile, …).
 * SDK-level retries are off: the storage layer retries. Writes: one PutObject up to `partSize`,
 * else a multipart upload that becomes visible only on CompleteMultipartUpload (aborted on error).
 */
export class S3Driver implements Driver {
  readonly name = 's3';
  private constructor(
    private readonly m: S3Module,
    private readonly client: S3ClientT,
    private readonly bucket: string,
    private readonly partSize: number,
  ) {}

  static async create(bucket: string, opts: S3Options = {}): Promise<S3Driver> {
    const m = await import('@aws-sdk/client-s3');
    const endpoint = opts.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    const client = new m.S3Client({
      region: opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      endpoint,
      forcePathStyle: opts.forcePathStyle ?? endpoint !== undefined,
      credentials: opts.credentials,
      ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return new S3Driver(m, client, bucket, opts.partSize ?? 8 * 1024 * 1024);
  }

  /**
   * A key with objects below `key/` is a directory (checked first: S3 has no directories, and some
   * S3 implementations fail a HEAD on such keys); otherwise HEAD decides.
   */
  async stat(key: string, signal?: AbortSignal): Promise<StatResult | undefined> {
    const r = await this.client.send(
      // no MaxKeys: s3rver fails truncated listings; with a delimiter one page stays small
      new this.m.ListObjectsV2Command({ Bucket: this.bucket, Prefix: key === '' ? '' : `${key}/`, Delimiter: '/' }),
      { abortSignal: signal },
    );
    if ((r.Contents?.length ?? 0) + (r.CommonPrefixes?.length ?? 0) > 0) return { path: key, size: 0, isDirectory: true };
    if (key === '') return undefined;
    try {
      const h = await this.client.send(new this.m.HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
      return { path: key, size: Number(h.ContentLength ?? 0), isDirectory: false, mtime: h.LastModified, etag: h.ETag };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async *list(prefix: string, recursive: boolean, signal?: AbortSignal): AsyncIterable<ListEntry> {
    let token: string | undefined;
    const pre = prefix === '' ? '' : `${prefix}/`;
    do {
      const r = await this.client.send(
        new this.m.ListObjectsV2Command({ Bucket: this.bucket, Prefix: pre, Delimiter: recursive ? undefined : '/', ContinuationToken: token }),
        { abortSignal: signal },
      );
      for (const p of r.CommonPrefixes ?? []) {
        if (p.Prefix) yield { path: p.Prefix.replace(/\/$/, ''), size: 0, isDirectory: true };
      }
      for (const o of r.Contents ?? []) {
        if (o.Key === undefined || o.Key.endsWith('/')) continue; // directory markers
        yield { path: o.Key, size: Number(o.Size ?? 0), isDirectory: false };
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }

  async read(key: string, offset: number, length: number | undefined, signal?: AbortSignal): Promise<ByteStream> {
    try {
      const r = await this.client.send(
        new this.m.GetObjectCommand({ Bucket: this.bucket, Key: key, Range: rangeHeader(offset, length) }),
        { abortSignal: signal },
      );
      return r.Body as unknown as ByteStream;
    } catch (e) {
      if ((e as { name?: string }).name === 'InvalidRange') return (async function* () {})();
      throw e;
    }
  }

  async write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void> {
    const it = chunked(body, this.partSize);
    const first = await it.next();
    const firstPart = first.done ? new Uint8Array(0) : first.value;
    const second = first.done ? first : await it.next();
    if (second.done) {
      await this.client.send(new this.m.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: firstPart }), { abortSignal: signal });
      return;
    }
    const { UploadId } = await this.client.send(new this.m.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    try {
      const parts: { ETag: string | undefined; PartNumber: number }[] = [];
      let n = 1;
      for (let r: IteratorResult<Uint8Array> = first; !r.done; r = n === 2 ? second : await it.next()) {
        const PartNumber = n++;
        const up = await this.client.send(
          new this.m.UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId, PartNumber, Body: r.value }),
          { abortSignal: signal },
        );
        parts.push({ ETag: up.ETag, PartNumber });
      }
      await this.client.send(
        new this.m.CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (e) {
      await this.client.send(new this.m.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId })).catch(() => undefined);
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new this.m.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async copy(from: string, to: string): Promise<void> {
    const src = `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
    try {
      await this.client.send(new this.m.CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: src }));
    } catch (e) {
      if (isNotFound(e)) throw new StorageError('NotFound', `no such object '${from}'`, { cause: e });
      throw e;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function isNotFound(e: unknown): boolean {
  const x = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return x.name === 'NotFound' || x.name === 'NoSuchKey' || x.$metadata?.httpStatusCode === 404;
}

/** Re-chunks a stream into parts of exactly `size` bytes (the last may be shorter). */
async function* chunked(src: ByteStream, size: number): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(size);
  let n = 0;
  for await (const c of src) {
    let o = 0;
    while (o < c.length) {
      const take = Math.min(size - n, c.length - o);
      buf.set(c.subarray(o, o + take), n);
      n += take;
      o += take;
      if (n === size) {
        yield buf;
        buf = new Uint8Array(size);
        n = 0;
      }
    }
  }
  if (n > 0) yield buf.subarray(0, n);
}
