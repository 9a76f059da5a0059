import { collectBytes } from '@ckpt/format';
import { codeForStatus, StorageError } from '../errors.js';
import type { ByteStream } from '../types.js';

/** Error for a non-2xx HTTP response (consumes the body for the message). */
export async function httpError(res: Response, what: string): Promise<StorageError> {
  let text = '';
  try {
    text = (await res.text()).slice(0, 500);
  } catch {
    /* ignore */
  }
  let code = codeForStatus(res.status) ?? 'Internal';
  // WebHDFS / S3-style error bodies
  if (/FileNotFoundException|NoSuchKey|BlobNotFound/.test(text)) code = 'NotFound';
  if (/SlowDown|Throttl|ServerBusy|RetriableException|StandbyException/.test(text)) code = 'Transient';
  if (/AccessControlException|AccessDenied/.test(text)) code = 'PermissionDenied';
  return new StorageError(code, `${what}: HTTP ${res.status}${text ? ` ${text}` : ''}`, { status: res.status });
}

/** The body of a fetch Response as a ByteStream. */
export function bodyStream(res: Response): ByteStream {
  if (res.body === null) return (async function* () {})();
  return res.body as unknown as ByteStream;
}

/** Skips `skip` bytes and keeps at most `limit` bytes of a stream (for servers ignoring Range). */
export async function* sliceStream(src: ByteStream, skip: number, limit: number | undefined): ByteStream {
  let toSkip = skip;
  let left = limit ?? Infinity;
  for await (const chunk of src) {
    let c = chunk;
    if (toSkip > 0) {
      if (c.length <= toSkip) {
        toSkip -= c.length;
        continue;
      }
      c = c.subarray(toSkip);
      toSkip = 0;
    }
    if (c.length > left) c = c.subarray(0, left);
    left -= c.length;
    if (c.length > 0) yield c;
    if (left <= 0) return;
  }
}

/**
 * Awaits the first chunk of a lazily failing stream (SDK read streams report NotFound only once
 * read), so that opening errors surface from `Driver.read` itself. The result hands out that
 * chunk, then calls the source's own iterator directly (no extra generator step per chunk).
 */
export async function primed(src: AsyncIterable<Uint8Array>): Promise<ByteStream> {
  const it = src[Symbol.asyncIterator]();
  let first: IteratorResult<Uint8Array> | undefined = await it.next();
  const rest: AsyncIterator<Uint8Array> = {
    next: () => {
      const r = first;
      first = undefined;
      return r !== undefined ? Promise.resolve(r) : it.next();
    },
    return: async () => {
      first = undefined;
      await it.return?.();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => rest };
}

/** Buffers a whole stream. */
export async function drain(src: ByteStream): Promise<Uint8Array> {
  return collectBytes(src);
}

/** Range header value for `[offset, offset+length)`, or undefined for the whole object. */
export function rangeHeader(offset: number, length: number | undefined): string | undefined {
  if (offset === 0 && length === undefined) return undefined;
  return length === undefined ? `bytes=${offset}-` : `bytes=${offset}-${offset + length - 1}`;
}

export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
