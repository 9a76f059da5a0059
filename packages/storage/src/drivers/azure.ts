import { Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { StorageError } from '../errors.js';
import type { AzureOptions, ByteStream, Driver, ListEntry, StatResult } from '../types.js';

/**
 * `abfs[s]://container@account.dfs.core.windows.net/…` and `wasb[s]://container@account.blob…`
 * via @azure/storage-blob (loaded lazily; the Blob API also serves ADLS Gen2 accounts). Writes
 * stage blocks and commit the block list at the end, so a blob is never visible half-written.
 */
export class AzureDriver implements Driver {
  readonly name = 'azure';
  private constructor(private readonly container: ContainerClient) {}

  static async create(authority: string, secure: boolean, opts: AzureOptions = {}): Promise<AzureDriver> {
    const m = await import('@azure/storage-blob');
    const at = authority.indexOf('@');
    if (at <= 0) throw new StorageError('InvalidUri', `Azure URI needs container@account.host, got '${authority}'`);
    const containerName = authority.slice(0, at);
    const host = authority.slice(at + 1);
    const account = opts.accountName ?? host.split('.')[0] ?? '';
    const retryOptions = { maxTries: 1 };
    const conn = opts.connectionString ?? process.env.AZURE_STORAGE_CONNECTION_STRING;
    let service;
    if (conn !== undefined && conn !== '') {
      service = m.BlobServiceClient.fromConnectionString(conn, { retryOptions });
    } else {
      const endpoint = opts.blobEndpoint ?? `${secure ? 'https' : 'http'}://${account}.blob.${host.split('.').slice(2).join('.') || 'core.windows.net'}`;
      const key = opts.accountKey ?? process.env.AZURE_STORAGE_KEY;
      if (key !== undefined) {
        service = new m.BlobServiceClient(endpoint, new m.StorageSharedKeyCredential(account, key), { retryOptions });
      } else {
        const sas = opts.sasToken ?? process.env.AZURE_STORAGE_SAS_TOKEN;
        service = new m.BlobServiceClient(sas ? `${endpoint}?${sas.replace(/^\?/, '')}` : endpoint, undefined, { retryOptions });
      }
    }
    return new AzureDriver(service.getContainerClient(containerName));
  }

  async stat(key: string, signal?: AbortSignal): Promise<StatResult | undefined> {
    if (key !== '') {
      try {
        const p = await this.container.getBlobClient(key).getProperties({ abortSignal: signal });
        return { path: key, size: Number(p.contentLength ?? 0), isDirectory: false, mtime: p.lastModified, etag: p.etag };
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      }
    }
    const it = this.container.listBlobsFlat({ prefix: key === '' ? '' : `${key}/` }).byPage({ maxPageSize: 1 });
    const page = await it.next();
    const n = page.done ? 0 : page.value.segment.blobItems.length;
    return n > 0 ? { path: key, size: 0, isDirectory: true } : undefined;
  }

  async *list(prefix: string, recursive: boolean, signal?: AbortSignal): AsyncIterable<ListEntry> {
    const pre = prefix === '' ? '' : `${prefix}/`;
    if (recursive) {
      for await (const b of this.container.listBlobsFlat({ prefix: pre, abortSignal: signal })) {
        if (!b.name.endsWith('/')) yield { path: b.name, size: Number(b.properties.contentLength ?? 0), isDirectory: false };
      }
      return;
    }
    for await (const item of this.container.listBlobsByHierarchy('/', { prefix: pre, abortSignal: signal })) {
      if (item.kind === 'prefix') yield { path: item.name.replace(/\/$/, ''), size: 0, isDirectory: true };
      else if (!item.name.endsWith('/')) yield { path: item.name, size: Number(item.properties.contentLength ?? 0), isDirectory: false };
    }
  }

  async read(key: string, offset: number, length: number | undefined, signal?: AbortSignal): Promise<ByteStream> {
    try {
      const r = await this.container.getBlobClient(key).download(offset, length, { abortSignal: signal, maxRetryRequests: 0 });
      return (r.readableStreamBody ?? Readable.from([])) as unknown as ByteStream;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 416) return (async function* () {})();
      throw e;
    }
  }

  async write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void> {
    await this.container.getBlockBlobClient(key).uploadStream(Readable.from(asBuffers(body)), 4 * 1024 * 1024, 4, { abortSignal: signal });
  }

  async delete(key: string): Promise<void> {
    await this.container.getBlobClient(key).deleteIfExists();
  }

  async copy(from: string, to: string): Promise<void> {
    const src = this.container.getBlobClient(from);
    const props = await src.getProperties(); // NotFound surfaces here
    const r = await src.download(0, props.contentLength);
    await this.write(to, (r.readableStreamBody ?? Readable.from([])) as unknown as ByteStream);
  }
}

/** The SDK's uploadStream needs Buffer chunks (it calls Buffer#copy). */
async function* asBuffers(src: ByteStream): AsyncIterable<Buffer> {
  for await (const c of src) yield Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}
