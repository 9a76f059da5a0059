/**
 * Byte streams are `AsyncIterable<Uint8Array>` everywhere (Node streams, web ReadableStreams
 * in Node ≥ 18 and async generators all satisfy it). Chunks handed to a consumer are never
 * reused by the producer.
 */
export type ByteStream = AsyncIterable<Uint8Array>;

export interface StatResult {
  /** Key relative to the storage root (`''` for the root itself). */
  path: string;
  /** Object size in bytes (0 for directories). */
  size: number;
  isDirectory: boolean;
  mtime?: Date;
  etag?: string;
}

export interface ListEntry {
  /** Key relative to the storage root, without a trailing `/`. */
  path: string;
  size: number;
  isDirectory: boolean;
}

export interface ListOptions {
  /** All objects below the prefix (files only) instead of its immediate children. */
  recursive?: boolean;
  signal?: AbortSignal;
}

export interface ReadOptions {
  offset?: number;
  /** Bytes to read from `offset`; to the end when absent. */
  length?: number;
  signal?: AbortSignal;
  /**
   * The consumer is done with a chunk when it asks for the next one (it hashes or copies chunks
   * as they come), so the reader may reuse a chunk's memory for a later chunk. Local files are
   * then read into a few recycled buffers rather than a new 1 MiB buffer per chunk: buffers that
   * outlive two young-generation collections are only freed by a full one, and until then a long
   * read piles up to ~64 MiB of them.
   */
  transient?: boolean;
  /**
   * Where the bytes go (`length` must be given and fit): a driver that can read into memory it is
   * given (local files) yields views of it, in order, instead of buffers of its own; others ignore
   * it. With a recycled target no buffer per read outlives young garbage collections.
   */
  into?: Uint8Array;
}

/** One step of a long operation (a file checked, copied, deleted; a checkpoint read). */
export interface ProgressEvent {
  /** What is being counted: `files`, `checkpoints`, … */
  unit: string;
  done: number;
  /** Known total, when there is one. */
  total?: number;
  /** Bytes handled by this step (digests, copies). */
  bytes?: number;
  /** The item just handled. */
  item?: string;
}

export type ProgressListener = (e: ProgressEvent) => void;

export interface WriteOptions {
  signal?: AbortSignal;
}

/**
 * One backend. Every method is a single attempt; {@link Storage} adds retries, resume, limits
 * and error typing. Keys are `/`-separated, relative to the file system root, no leading `/`.
 */
/** What a driver may assume about a read's consumer (see {@link ReadOptions}). */
export interface DriverReadHints {
  transient?: boolean;
  /** Memory for the bytes of `[offset, offset + length)` (see {@link ReadOptions.into}). */
  into?: Uint8Array;
}

export interface Driver {
  readonly name: string;
  stat(key: string, signal?: AbortSignal): Promise<StatResult | undefined>;
  /** `prefix` is a directory key (`''` = root). */
  list(prefix: string, recursive: boolean, signal?: AbortSignal): AsyncIterable<ListEntry>;
  /** Opens a read; resolves once the backend answered (so NotFound is raised here). */
  read(key: string, offset: number, length: number | undefined, signal?: AbortSignal, hints?: DriverReadHints): Promise<ByteStream>;
  /** Atomic: the object is visible complete or not at all. */
  write(key: string, body: ByteStream, signal?: AbortSignal): Promise<void>;
  delete(key: string): Promise<void>;
  copy(from: string, to: string): Promise<void>;
  close?(): Promise<void>;
}

export interface RetryOptions {
  /** Attempts after the first (default 5). */
  retries?: number;
  /** First backoff in ms (default 100); doubles each attempt, full jitter. */
  baseDelayMs?: number;
  /** Backoff cap in ms (default 5000). */
  maxDelayMs?: number;
}

export interface S3Options {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Named profile from ~/.aws (otherwise the SDK's default chain: env, profile, IMDS …). */
  profile?: string;
  /** Part size for multipart uploads (default 8 MiB); smaller bodies use one PUT. */
  partSize?: number;
}

export interface GcsOptions {
  /** e.g. `http://127.0.0.1:4443`; defaults to env STORAGE_EMULATOR_HOST. */
  apiEndpoint?: string;
  projectId?: string;
  keyFilename?: string;
}

export interface AzureOptions {
  /** Full connection string (wins over the rest); default env AZURE_STORAGE_CONNECTION_STRING. */
  connectionString?: string;
  accountName?: string;
  accountKey?: string;
  /** Blob endpoint, e.g. `http://127.0.0.1:10000/devstoreaccount1` (Azurite). */
  blobEndpoint?: string;
  sasToken?: string;
}

export interface HdfsOptions {
  /** NameNode HTTP(S) address `host:port` for WebHDFS, when the URI authority is the RPC one. */
  httpAddress?: string;
  /** `user.name` query parameter (simple auth); default env HADOOP_USER_NAME. */
  user?: string;
  /** Ask the NameNode for the DataNode location instead of following redirects. */
  noredirect?: boolean;
  https?: boolean;
}

export interface HttpOptions {
  headers?: Record<string, string>;
}

export interface StorageOptions {
  retry?: RetryOptions;
  /** Maximum concurrent operations per storage (default 16). */
  concurrency?: number;
  /** S3 entropy key (`s3.entropy.key`), e.g. `_entropy_`. */
  entropyKey?: string;
  s3?: S3Options;
  gcs?: GcsOptions;
  azure?: AzureOptions;
  hdfs?: HdfsOptions;
  http?: HttpOptions;
}
