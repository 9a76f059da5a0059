import { StorageError, toStorageError, type StorageOperation } from './errors.js';
import type { RetryOptions } from './types.js';

/** Resolves after `ms`, rejecting early with an AbortError-coded StorageError on abort. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal?: AbortSignal, uri?: string, operation?: StorageOperation): StorageError {
  return new StorageError('Aborted', 'operation aborted', { uri, operation, cause: signal?.reason });
}

/**
 * {@link toStorageError} for an attempt made under `signal`: an abort the caller did not ask for
 * is the backend's connection closing under an SDK (Azure's download stream reports a body cut
 * short as an AbortError), so it is `Transient` (retried / resumed), not `Aborted`.
 */
export function attemptError(e: unknown, operation: StorageOperation, uri: string, signal: AbortSignal | undefined): StorageError {
  const err = toStorageError(e, operation, uri);
  if (err.code !== 'Aborted' || signal?.aborted) return err;
  return new StorageError('Transient', `connection closed (${err.detail})`, { uri, operation, status: err.status, cause: err.cause ?? err });
}

/** Full-jitter exponential backoff: uniform in [0, min(max, base·2^attempt)]. */
export function backoffDelay(attempt: number, opts: RetryOptions = {}): number {
  const base = opts.baseDelayMs ?? 100;
  const max = opts.maxDelayMs ?? 5000;
  const cap = Math.min(max, base * 2 ** attempt);
  return Math.floor(cap / 2 + (Math.random() * cap) / 2);
}

/** Runs `fn`, retrying transient failures with backoff; errors come out as StorageErrors. */
export async function withRetry<T>(
  operation: StorageOperation,
  uri: string,
  opts: RetryOptions | undefined,
  signal: AbortSignal | undefined,
  fn: (attempt: number) => Promise<T>,
): Promise<T> {
  const retries = opts?.retries ?? 5;
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortError(signal, uri, operation);
    try {
      return await fn(attempt);
    } catch (e) {
      if (signal?.aborted) throw abortError(signal, uri, operation);
      const err = attemptError(e, operation, uri, signal);
      if (err.code !== 'Transient' || attempt >= retries) throw err;
      await sleep(backoffDelay(attempt, opts), signal);
    }
  }
}

/** A counting semaphore bounding concurrent operations. */
export class Limiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((r) => this.waiters.push(() => { this.active++; r(); }));
  }

  release(): void {
    this.active--;
    this.waiters.shift()?.();
  }

  get inFlight(): number {
    return this.active;
  }
}

/** The bounded pool lives in `@ckpt/format` (no I/O); re-exported here for storage callers. */
export { mapLimit } from '@ckpt/format';
