import { createHash } from 'node:crypto';
import type { ByteStream } from './types.js';

export interface StreamDigest {
  size: number;
  /** Lower-case hex SHA-256. */
  sha256: string;
}

/**
 * Passes a stream through unchanged while hashing it: `digest` resolves once the stream was
 * consumed to the end (no second read). Rejects if the stream fails.
 */
export function digesting(src: ByteStream): { stream: ByteStream; digest: Promise<StreamDigest> } {
  let resolve!: (d: StreamDigest) => void;
  let reject!: (e: unknown) => void;
  const digest = new Promise<StreamDigest>((a, b) => {
    resolve = a;
    reject = b;
  });
  digest.catch(() => undefined);
  const stream = (async function* () {
    const h = createHash('sha256');
    let size = 0;
    try {
      for await (const c of src) {
        h.update(c);
        size += c.length;
        yield c;
      }
    } catch (e) {
      reject(e);
      throw e;
    }
    resolve({ size, sha256: h.digest('hex') });
  })();
  return { stream, digest };
}

/** Consumes a stream and returns its SHA-256 and size. */
export async function digestStream(src: ByteStream): Promise<StreamDigest> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of src) {
    h.update(c);
    size += c.length;
  }
  return { size, sha256: h.digest('hex') };
}
