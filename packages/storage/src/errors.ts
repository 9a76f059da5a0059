import { CkptError } from '@ckpt/format';

/** What went wrong in a storage operation. `Transient` errors are retried by the storage layer. */
export type StorageErrorCode =
  | 'NotFound'
  | 'PermissionDenied'
  | 'InvalidUri'
  | 'Transient'
  | 'Corrupt'
  | 'Aborted'
  | 'AlreadyExists'
  | 'Unsupported'
  | 'MissingDependency'
  | 'InvalidPointer'
  | 'Internal';

export type StorageOperation =
  | 'stat'
  | 'list'
  | 'read'
  | 'write'
  | 'delete'
  | 'copy'
  | 'open'
  | 'resolve'
  | 'verify';

export interface StorageErrorContext {
  uri?: string;
  operation?: StorageOperation;
  /** HTTP status (or equivalent) reported by the backend. */
  status?: number;
  cause?: unknown;
}

/** Every error raised by `@ckpt/storage`: a tagged code, the URI and the operation. */
export class StorageError extends CkptError {
  declare readonly code: StorageErrorCode;
  readonly uri: string | undefined;
  readonly operation: StorageOperation | undefined;
  readonly status: number | undefined;

  constructor(code: StorageErrorCode, detail: string, ctx: StorageErrorContext = {}) {
    const where = ctx.operation !== undefined ? `${ctx.operation}: ${detail}` : detail;
    super(code, where, { file: ctx.uri, cause: ctx.cause });
    this.uri = ctx.uri;
    this.operation = ctx.operation;
    this.status = ctx.status;
  }

  /** The detail without the operation in front of it. */
  get reason(): string {
    return this.operation !== undefined ? this.detail.slice(this.operation.length + 2) : this.detail;
  }

  get transient(): boolean {
    return this.code === 'Transient';
  }
}

const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EBUSY',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP2_STREAM_ERROR',
]);

const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'ServerBusy',
  'OperationTimedOut',
  'TimeoutError',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'BlobNotFound', 'ContainerNotFound', 'FileNotFoundException', 'PathNotFound', 'ENOENT', 'ENOTDIR']);
const DENIED_NAMES = new Set(['AccessDenied', 'Forbidden', 'AuthorizationFailure', 'AuthenticationFailed', 'EACCES', 'EPERM', 'AccessControlException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch']);

/** Classifies an HTTP status code. */
export function codeForStatus(status: number): StorageErrorCode | undefined {
  if (status === 404 || status === 410) return 'NotFound';
  if (status === 401 || status === 403) return 'PermissionDenied';
  if (status === 408 || status === 429 || status >= 500) return 'Transient';
  if (status === 409 || status === 412) return 'AlreadyExists';
  return undefined;
}

function fields(err: unknown): { code?: unknown; name?: unknown; status?: number; message?: string; cause?: unknown } {
  if (typeof err !== 'object' || err === null) return {};
  const e = err as Record<string, unknown> & { $metadata?: { httpStatusCode?: number } };
  const status =
    (typeof e.statusCode === 'number' ? e.statusCode : undefined) ??
    (typeof e.status === 'number' ? e.status : undefined) ??
    (typeof e.code === 'number' ? e.code : undefined) ??
    e.$metadata?.httpStatusCode;
  return { code: e.code, name: e.name, status, message: typeof e.message === 'string' ? e.message : undefined, cause: e.cause };
}

/** Best-effort classification of any error thrown by a driver, SDK, socket or file system. */
export function classifyError(err: unknown, depth = 0): StorageErrorCode {
  if (err instanceof StorageError) return err.code;
  const f = fields(err);
  if (f.name === 'AbortError' || f.code === 'ABORT_ERR') return 'Aborted';
  for (const k of [f.code, f.name]) {
    if (typeof k !== 'string') continue;
    if (TRANSIENT_NODE_CODES.has(k) || TRANSIENT_NAMES.has(k)) return 'Transient';
    if (NOT_FOUND_NAMES.has(k)) return 'NotFound';
    if (DENIED_NAMES.has(k)) return 'PermissionDenied';
    if (k === 'EEXIST' || k === 'FileAlreadyExistsException') return 'AlreadyExists';
  }
  if (f.status !== undefined) {
    const c = codeForStatus(f.status);
    if (c !== undefined) return c;
  }
  const m = f.message ?? '';
  if (/socket hang up|terminated|other side closed|premature close|aborted|ECONNRESET|fetch failed/i.test(m)) return 'Transient';
  if (depth < 3 && f.cause !== undefined) return classifyError(f.cause, depth + 1);
  return 'Internal';
}

/** Wraps anything into a {@link StorageError} (returns StorageErrors unchanged, adding the uri). */
export function toStorageError(err: unknown, operation: StorageOperation, uri: string): StorageError {
  if (err instanceof StorageError) {
    if (err.uri !== undefined && err.operation !== undefined) return err;
    return new StorageError(err.code, err.reason, {
      uri: err.uri ?? uri,
      operation: err.operation ?? operation,
      status: err.status,
      cause: err.cause ?? err,
    });
  }
  const code = classifyError(err);
  const f = fields(err);
  const msg = f.message ?? String(err);
  return new StorageError(code, msg, { uri, operation, status: f.status, cause: err });
}
