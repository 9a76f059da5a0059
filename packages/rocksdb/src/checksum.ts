import { maskCrc } from '@ckpt/format';
import type { IHasher } from 'hash-wasm';
import { RocksError } from './errors.js';

/** RocksDB's `ChecksumType` (include/rocksdb/table.h). */
export const ChecksumType = { none: 0, crc32c: 1, xxHash: 2, xxHash64: 3, xxh3: 4 } as const;
export type ChecksumTypeName = keyof typeof ChecksumType;

const NAMES: Record<number, ChecksumTypeName> = { 0: 'none', 1: 'crc32c', 2: 'xxHash', 3: 'xxHash64', 4: 'xxh3' };

/** The name of a checksum type code, or undefined for a code RocksDB does not define. */
export function checksumTypeName(code: number): ChecksumTypeName | undefined {
  return NAMES[code];
}

/** `kRandomPrime` of RocksDB's `ModifyChecksumForLastByte` (XXH3 block checksums). */
const LAST_BYTE_PRIME = 0x6b9083d9;


/**
 * The per-block modifier of format_version ≥ 6 ("context checksums"): 0 when the footer's base
 * context checksum is 0, else `base ^ (lower32(offset) + upper32(offset))`.
 */
export function contextModifier(baseContextChecksum: number, offset: number): number {
  if (baseContextChecksum === 0) return 0;
  const lo = offset >>> 0;
  const hi = Math.floor(offset / 2 ** 32) >>> 0;
  return (baseContextChecksum ^ ((lo + hi) >>> 0)) >>> 0;
}

function be32(d: Uint8Array, at: number): number {
  return ((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0;
}

/**
 * The checksum functions of SST blocks, footers and log records, all synchronous once created
 * (hash-wasm's hashers are created asynchronously, once per process: {@link loadChecksums}).
 */
export class Checksums {
  private readonly one = new Uint8Array(1);
  /** Hashers by checksum type, created by {@link loadChecksums} for the types asked for. */
  readonly hashers = new Map<number, IHasher>();

  private get crc(): IHasher {
    return this.hasher(ChecksumType.crc32c);
  }
  private get xx32(): IHasher {
    return this.hasher(ChecksumType.xxHash);
  }
  private get xx64(): IHasher {
    return this.hasher(ChecksumType.xxHash64);
  }
  private get xx3(): IHasher {
    return this.hasher(ChecksumType.xxh3);
  }

  private hasher(type: number): IHasher {
    const h = this.hashers.get(type);
    if (h === undefined) throw new RocksError('Unsupported', `checksum type ${checksumTypeName(type) ?? type} used before loadChecksums(${type})`);
    return h;
  }

  /** Plain (unmasked) CRC-32C of the concatenation of `parts`. */
  crc32c(...parts: Uint8Array[]): number {
    this.crc.init();
    for (const p of parts) this.crc.update(p);
    return be32(this.crc.digest('binary'), 0);
  }

  /** `ComputeBuiltinChecksum`: the checksum of `data` alone (fv ≥ 6 footers). */
  plain(type: number, data: Uint8Array): number {
    switch (type) {
      case ChecksumType.crc32c:
        return maskCrc(this.crc32c(data));
      case ChecksumType.xxHash:
        return this.digest32(this.xx32, data);
      case ChecksumType.xxHash64:
        return this.digestLow32(this.xx64, data);
      case ChecksumType.xxh3:
        // as for blocks: XXH3 of all but the last byte, which is mixed in by multiplication
        return data.length === 0 ? 0 : this.block(type, data.subarray(0, data.length - 1), data[data.length - 1]!);
      default:
        return 0;
    }
  }

  /**
   * `ComputeBuiltinChecksumWithLastByte`: the checksum of a block followed by its compression
   * type byte, as stored in every block trailer (before any context modifier).
   */
  block(type: number, data: Uint8Array, lastByte: number): number {
    this.one[0] = lastByte;
    switch (type) {
      case ChecksumType.crc32c:
        return maskCrc(this.crc32c(data, this.one));
      case ChecksumType.xxHash:
        return this.digest32(this.xx32, data, this.one);
      case ChecksumType.xxHash64:
        return this.digestLow32(this.xx64, data, this.one);
      case ChecksumType.xxh3:
        // XXH3 over the data only; the type byte is mixed in by a multiplication (RocksDB's
        // ModifyChecksumForLastByte), so a block can be hashed before its type is chosen.
        return (this.digestLow32(this.xx3, data) ^ Math.imul(lastByte, LAST_BYTE_PRIME)) >>> 0;
      default:
        return 0;
    }
  }

  private digest32(h: IHasher, ...parts: Uint8Array[]): number {
    h.init();
    for (const p of parts) h.update(p);
    return be32(h.digest('binary'), 0);
  }

  private digestLow32(h: IHasher, ...parts: Uint8Array[]): number {
    h.init();
    for (const p of parts) h.update(p);
    return be32(h.digest('binary'), 4);
  }
}

const checksums = new Checksums();
const creating = new Map<number, Promise<void>>();

/** hash-wasm's ES module build: its `main` (UMD, CommonJS to Node) costs a parse of ~280 KB per process. */
const hashWasm = () => import('hash-wasm/dist/index.esm.min.js');

async function createHasher(type: number): Promise<void> {
  const hw = await hashWasm();
  const h =
    type === ChecksumType.xxHash
      ? await hw.createXXHash32(0)
      : type === ChecksumType.xxHash64
        ? await hw.createXXHash64(0, 0)
        : type === ChecksumType.xxh3
          ? await hw.createXXHash3(0, 0)
          : await hw.createCRC32(0x82f63b78);
  checksums.hashers.set(type, h);
}

/**
 * The process's {@link Checksums}, ready for the given checksum types (default: all; CRC-32C is
 * always made). hash-wasm is imported, and each type's wasm instantiated, on first use.
 */
export async function loadChecksums(...types: number[]): Promise<Checksums> {
  const wanted = types.length === 0 ? [ChecksumType.crc32c, ChecksumType.xxHash, ChecksumType.xxHash64, ChecksumType.xxh3] : [ChecksumType.crc32c, ...types];
  const known = wanted.filter((t) => t !== ChecksumType.none && checksumTypeName(t) !== undefined);
  await Promise.all(
    known.map((t) => {
      let p = creating.get(t);
      if (p === undefined) creating.set(t, (p = createHasher(t)));
      return p;
    }),
  );
  return checksums;
}
