import { StorageError } from './errors.js';
import { FsDriver } from './drivers/fs.js';
import { MemoryDriver } from './drivers/memory.js';
import { Storage } from './storage.js';
import type { Driver, StorageOptions } from './types.js';
import { canonicalScheme, fsRootKey, parseUri, relativeKey, type StorageUri } from './uri.js';

/** The optional SDK package a scheme loads on first use; undefined for schemes that need none. */
export function optionalPackageFor(scheme: string): string | undefined {
  switch (canonicalScheme(scheme)) {
    case 's3':
      return '@aws-sdk/client-s3';
    case 'gs':
      return '@google-cloud/storage';
    case 'abfs':
    case 'abfss':
    case 'wasb':
    case 'wasbs':
      return '@azure/storage-blob';
    default:
      return undefined;
  }
}

/** How to add an optional package where ckpt is installed. */
export function installCommand(pkg: string): string {
  return `\`pnpm add ${pkg}\` (or \`npm install ${pkg}\`)`;
}

/**
 * The error for a scheme whose optional SDK is not installed (`e`: what loading it threw), naming
 * the package and the command that adds it; undefined when `e` is something else.
 */
export function missingDependencyError(scheme: string, e: unknown): StorageError | undefined {
  const pkg = optionalPackageFor(scheme);
  const code = (e as { code?: string } | undefined)?.code;
  if (pkg === undefined || code !== 'ERR_MODULE_NOT_FOUND' || !String((e as Error).message).includes(pkg)) return undefined;
  return new StorageError('MissingDependency', `${scheme}:// needs the optional package ${pkg}, which is not installed: add it with ${installCommand(pkg)}`, { cause: e });
}

async function lazy<T>(scheme: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    throw missingDependencyError(scheme, e) ?? e;
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
      return lazy(u.scheme, () => S3Driver.create(u.authority, o.s3));
    }
    case 'gs': {
      needAuthority();
      const { GcsDriver } = await import('./drivers/gcs.js');
      return lazy(u.scheme, () => GcsDriver.create(u.authority, o.gcs));
    }
    case 'abfs':
    case 'abfss':
    case 'wasb':
    case 'wasbs': {
      needAuthority();
      const { AzureDriver } = await import('./drivers/azure.js');
      return lazy(u.scheme, () => AzureDriver.create(u.authority, u.scheme.endsWith('s'), o.azure));
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
