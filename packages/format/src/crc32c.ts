import type { IHasher } from 'hash-wasm';

const CASTAGNOLI = 0x82f63b78;
const MASK_DELTA = 0xa282ead8;

/**
 * CRC-32C (Castagnoli: GCS and S3 checksums, Snappy framing) via hash-wasm: the one CRC-32C of
 * ckpt. Create once (loads the wasm), then use synchronously.
 */
export class Crc32c {
  private constructor(private readonly hasher: IHasher) {}

  /** hash-wasm is loaded here, on first use: importing it costs ~10 MiB in every process. */
  static async create(): Promise<Crc32c> {
    const { createCRC32 } = await import('hash-wasm/dist/index.esm.min.js');
    return new Crc32c(await createCRC32(CASTAGNOLI));
  }

  /** Plain CRC-32C of `bytes` as an unsigned 32-bit number. */
  crc(bytes: Uint8Array): number {
    return parseInt(this.hex([bytes]), 16) >>> 0;
  }

  /** The masked CRC-32C that Snappy framing stores (`rotr15(crc) + 0xa282ead8`). */
  masked(bytes: Uint8Array): number {
    return maskCrc(this.crc(bytes));
  }

  /** CRC-32C of the concatenated chunks, as 8 hex digits. */
  hex(chunks: Iterable<Uint8Array>): string {
    this.hasher.init();
    for (const c of chunks) this.hasher.update(c);
    return this.hasher.digest('hex');
  }

  /** {@link hex} of a chunk stream. */
  async hexOf(chunks: AsyncIterable<Uint8Array>): Promise<string> {
    this.hasher.init();
    for await (const c of chunks) this.hasher.update(c);
    return this.hasher.digest('hex');
  }
}

export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}
