import type { IHasher } from 'hash-wasm';

const CASTAGNOLI = 0x82f63b78;
const MASK_DELTA = 0xa282ead8;

/** CRC-32C (Castagnoli) via hash-wasm, with the Snappy framing mask. Create once, use synchronously. */
export class Crc32c {
  private constructor(private readonly hasher: IHasher) {}

  /** hash-wasm is loaded here, on first use: importing it costs ~10 MiB in every process. */
  static async create(): Promise<Crc32c> {
    const { createCRC32 } = await import('hash-wasm');
    return new Crc32c(await createCRC32(CASTAGNOLI));
  }

  /** Plain CRC-32C of `bytes` as an unsigned 32-bit number. */
  crc(bytes: Uint8Array): number {
    this.hasher.init();
    this.hasher.update(bytes);
    return parseInt(this.hasher.digest('hex'), 16) >>> 0;
  }

  /** The masked CRC-32C that Snappy framing stores (`rotr15(crc) + 0xa282ead8`). */
  masked(bytes: Uint8Array): number {
    return maskCrc(this.crc(bytes));
  }
}

export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}
