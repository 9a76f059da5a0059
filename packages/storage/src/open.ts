import { StorageError } from './errors.js';
import { FsDriver } from './drivers/fs.js';
import { MemoryDriver } from './drivers/memory.js';
import { Storage } from './storage.js';
import type { Driver, StorageOptions } from './types.js';
import { canonicalScheme, fsRootKey, parseUri, relativeKey, type StorageUri } from './uri.js';

async function lazy<T>(pkg: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(pkg)) {
      throw new StorageError('MissingDependency', `this URI needs the optional package ${pkg}; install it`, { operation: 'open', cause: e });
    }
    throw e;
  }
}

async function createDriver(u: StorageUri, o: StorageOptions): Promise<Driver> {
  const needAuthority = (): void => {
    if (u.authority === '') throw new StorageError('InvalidUri', `${u.scheme}:// URI needs a bucket / authority`, { operation: 'open' });
  };
  switch (u.scheme) {
    case 'file':
      return new FsDriver();
    case 'memory':
      return new MemoryDriver(u.authority);
    case 's3':
    case 's3a':
    case 's3p': {
      needAuthority();
      const { S3Driver } = await import('./drivers/s3.js');
      return lazy('@aws-sdk/client-s3', () => S3Driver.create(u.authority, o.s3));
    }
    case 'gs': {
      needAuthority();
      const { GcsDriver } = await import('./drivers/gcs.js');
      return lazy('@google-cloud/storage', () => GcsDriver.create(u.authority, o.gcs));
    }
    case 'abfs':
    case 'abfss':
    case 'wasb':
    case 'wasbs': {
      needAuthority();
      const { AzureDriver } = await import('./drivers/azure.js');
      return lazy('@azure/storage-blob', () => AzureDriver.create(u.authority, u.scheme.endsWith('s'), o.azure));
    }
    case 'hdfs':
    case 'webhdfs':
    case 'swebhdfs': {
      const { WebHdfsDriver } = await import('./drivers/webhdfs.js');
      const https = o.hdfs?.https ?? u.scheme === 'swebhdfs';
      let addr = o.hdfs?.httpAddress;
      if (addr === undefined) {
        needAuthority();
        addr = u.scheme === 'hdfs' ? `${u.authority.replace(/:\d+$/, '')}:9870` : u.authority;
      }
      return new WebHdfsDriver(`${https ? 'https' : 'http'}://${addr}`, o.hdfs);
    }
    case 'http':
    case 'https': {
      needAuthority();
      const { HttpDriver } = await import('./drivers/http.js');
      return new HttpDriver(`${u.scheme}://${u.authority}`, o.http);
    }
    default:
      throw new StorageError('InvalidUri', `unsupported scheme '${u.scheme}'`, { operation: 'open' });
  }
}

/**
 * Opens the storage holding `uri`; the returned {@link Storage}'s paths are relative to `uri`.
 * `file://` and plain paths, `memory://` never load a cloud SDK; `s3`/`gs`/`abfs`/`wasb` load
 * their SDK on first use (an optional peer dependency).
 */
export async function openStorage(uri: string, options: StorageOptions = {}): Promise<Storage> {
  let u: StorageUri;
  try {
    u = parseUri(uri);
  } catch (e) {
    throw e instanceof StorageError ? e : new StorageError('InvalidUri', String(e), { uri, operation: 'open' });
  }
  try {
    return new Storage(await createDriver(u, options), u, options);
  } catch (e) {
    if (e instanceof StorageError) throw new StorageError(e.code, e.detail, { uri, operation: 'open', cause: e.cause });
    throw new StorageError('Internal', String(e), { uri, operation: 'open', cause: e });
  }
}

/**
 * A cache of root storages (one per scheme + authority) for code that follows absolute URIs
 * found in `_metadata`. `locate(uri)` gives the storage and the path inside it.
 */
export class Storages {
  private readonly cache = new Map<string, Promise<Storage>>();
  constructor(readonly options: StorageOptions = {}) {}

  async locate(uri: string): Promise<{ storage: Storage; path: string }> {
    const u = parseUri(uri);
    const k = fsRootKey(u);
    let s = this.cache.get(k);
    if (s === undefined) {
      const root = { scheme: u.scheme, authority: u.authority, path: '/' };
      s = openStorage(`${root.scheme}://${root.authority}/`, this.options);
      this.cache.set(k, s);
      s.catch(() => this.cache.delete(k));
    }
    return { storage: await s, path: relativeKey('/', u.path) };
  }

  /** Canonical identity of a URI (s3/s3a/s3p unified) for de-duplication. */
  static canonical(uri: string): string {
    const u = parseUri(uri);
    return `${canonicalScheme(u.scheme)}://${u.authority}${u.path}`;
  }

  async close(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    for (const s of all) await (await s.catch(() => undefined))?.close();
  }
}
