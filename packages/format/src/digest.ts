import { collectBytes } from './bytes.js';
import { nodeBuiltin } from './binary/node-buffer.js';
import { Crc32c } from './crc32c.js';

type ByteSource = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

function toHex(buf: ArrayBuffer | Uint8Array): string {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

interface NodeHash {
  update(b: Uint8Array): NodeHash;
  digest(enc: 'hex'): string;
}
interface NodeCrypto {
  createHash(alg: string): NodeHash;
}

const nodeCrypto = (): NodeCrypto | undefined => nodeBuiltin<NodeCrypto>('node:crypto');

/** SHA-256 computed synchronously with node:crypto; `undefined` where that is not available. */
export function sha256Sync(bytes: Uint8Array): string | undefined {
  const c = nodeCrypto();
  return c ? c.createHash('sha256').update(bytes).digest('hex') : undefined;
}

async function* chunks(src: ByteSource): AsyncIterable<Uint8Array> {
  if (src instanceof Uint8Array) {
    yield src;
    return;
  }
  for await (const c of src as AsyncIterable<Uint8Array>) yield c;
}

/** SHA-256 (hex) of bytes or a stream of chunks; node:crypto in Node, WebCrypto elsewhere. */
export async function sha256(src: ByteSource): Promise<string> {
  const c = nodeCrypto();
  if (c) {
    const h = c.createHash('sha256');
    for await (const chunk of chunks(src)) h.update(chunk);
    return h.digest('hex');
  }
  const all = await collectBytes(chunks(src));
  return toHex(await globalThis.crypto.subtle.digest('SHA-256', all as Uint8Array<ArrayBuffer>));
}

/** CRC-32C (Castagnoli, as used by GCS and S3 checksums), hex, over bytes or a chunk stream. */
export async function crc32c(src: ByteSource): Promise<string> {
  return (await Crc32c.create()).hexOf(chunks(src));
}

/** XXH64 (seed 0), hex, over bytes or a chunk stream. */
export async function xxhash64(src: ByteSource): Promise<string> {
  const { createXXHash64 } = await import('hash-wasm/dist/index.esm.min.js');
  const h = await createXXHash64();
  h.init();
  for await (const chunk of chunks(src)) h.update(chunk);
  return h.digest('hex');
}
