import type { ZSTDDecoder } from 'zstddec';
import { Cursor, readU32 } from './coding.js';
import { RocksError } from './errors.js';

/** RocksDB's `CompressionType` codes (include/rocksdb/compression_type.h). */
export const CompressionType = {
  none: 0x0,
  snappy: 0x1,
  zlib: 0x2,
  bzip2: 0x3,
  lz4: 0x4,
  lz4hc: 0x5,
  xpress: 0x6,
  zstd: 0x7,
  /** The pre-1.0 ZSTD code, still read as ZSTD. */
  zstdNotFinal: 0x40,
} as const;

const NAMES: Record<number, string> = {
  0x0: 'none',
  0x1: 'snappy',
  0x2: 'zlib',
  0x3: 'bzip2',
  0x4: 'lz4',
  0x5: 'lz4hc',
  0x6: 'xpress',
  0x7: 'zstd',
  0x40: 'zstd',
};

/** The name of a compression code (`custom-0x80` … for user-defined codes, `unknown-0x..` else). */
export function compressionName(code: number): string {
  return NAMES[code] ?? (code >= 0x80 && code < 0xff ? `custom-0x${code.toString(16)}` : `unknown-0x${code.toString(16)}`);
}

/** Where a block is, for error messages. */
export interface BlockPlace {
  file: string | undefined;
  offset: number;
}

type SnappyDecode = (input: Uint8Array, length: number) => Uint8Array;
type Inflate = (data: Uint8Array, opts?: { out?: Uint8Array }) => Uint8Array;
type Lz4Block = (src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number) => number;
type ZstdDecode = (frame: Uint8Array, size: number) => Uint8Array;

/**
 * The decoders loaded so far. Each codec's module is imported on first use (most files use one
 * codec, and importing all of them costs every process tens of milliseconds).
 */
const decoders: { snappy?: SnappyDecode; inflate?: Inflate; lz4?: Lz4Block; zstd?: ZstdDecode } = {};
const loading = new Map<keyof typeof decoders, Promise<void>>();

/** Which decoder a compression code needs (none for uncompressed blocks and unknown codes). */
function decoderOf(type: number): keyof typeof decoders | undefined {
  switch (type) {
    case CompressionType.snappy:
      return 'snappy';
    case CompressionType.zlib:
      return 'inflate';
    case CompressionType.lz4:
    case CompressionType.lz4hc:
      return 'lz4';
    case CompressionType.zstd:
    case CompressionType.zstdNotFinal:
      return 'zstd';
    default:
      return undefined;
  }
}

async function load(name: keyof typeof decoders): Promise<void> {
  switch (name) {
    case 'snappy':
      // hysnappy (WebAssembly, ~3x faster than pure JS on RocksDB blocks, see README) where
      // WebAssembly can be compiled synchronously (Node, workers), else snappyjs (pure JS)
      try {
        const { snappyUncompressor } = await import('hysnappy');
        decoders.snappy = snappyUncompressor();
      } catch {
        const { uncompress } = await import('snappyjs');
        decoders.snappy = (input, length) => uncompress(input, length);
      }
      return;
    case 'inflate':
      decoders.inflate = (await import('fflate')).inflateSync;
      return;
    case 'lz4':
      decoders.lz4 = (await import('lz4js')).decompressBlock;
      return;
    case 'zstd':
      // zstddec (WebAssembly, ~12x faster than fzstd on RocksDB blocks, see README), else fzstd (pure JS)
      try {
        const { ZSTDDecoder } = await import('zstddec');
        const d: ZSTDDecoder = new ZSTDDecoder();
        await d.init();
        decoders.zstd = (frame, size) => d.decode(frame, size);
      } catch {
        const { decompress } = await import('fzstd');
        decoders.zstd = (frame, size) => decompress(frame, new Uint8Array(size));
      }
      return;
  }
}

/**
 * Loads the decoder {@link decompress} needs for blocks of compression `type`: `undefined` when it
 * is ready (always for uncompressed blocks), else a promise to await first. Table reads do this.
 */
export function prepareDecompression(type: number): Promise<void> | undefined {
  const name = decoderOf(type);
  if (name === undefined || decoders[name] !== undefined) return undefined;
  let p = loading.get(name);
  if (p === undefined) {
    p = load(name);
    loading.set(name, p);
  }
  return p;
}

/** Uncompressed bytes a compressed block may declare; a larger claim is refused before allocating. */
export const DEFAULT_MAX_BLOCK_BYTES = 256 * 1024 * 1024;

/**
 * Decompresses one block as RocksDB frames it for `formatVersion` (util/compression.h): Snappy is
 * a raw Snappy block; from format_version 2 on zlib, LZ4 and LZ4HC carry a varint32 uncompressed
 * size first (before that, zlib none and LZ4 an 8-byte header); ZSTD always carries the size.
 * The codec's decoder must be loaded ({@link prepareDecompression}).
 */
export function decompress(
  type: number,
  data: Uint8Array,
  formatVersion: number,
  place: BlockPlace,
  maxBytes = DEFAULT_MAX_BLOCK_BYTES,
): Uint8Array {
  if (type === CompressionType.none) return data;
  const needs = decoderOf(type);
  if (needs !== undefined && decoders[needs] === undefined) {
    throw new RocksError('Unsupported', `the ${compressionName(type)} decoder is not loaded: await prepareDecompression(${type}) first`, {
      file: place.file,
      offset: place.offset,
    });
  }
  const fail = (detail: string, cause?: unknown) =>
    new RocksError('BadCompression', `${compressionName(type)} block: ${detail}`, { file: place.file, offset: place.offset, cause });
  const sized = (n: number): number => {
    if (n > maxBytes) throw fail(`declares ${n} uncompressed bytes, more than the limit of ${maxBytes}`);
    return n;
  };
  try {
    switch (type) {
      case CompressionType.snappy: {
        const c = new Cursor(data, place.file, place.offset);
        const n = c.varint32('uncompressed size');
        // Snappy expands at most ~32x (a 3-byte copy writes ≤ 64 bytes).
        if (n > data.length * 32 + 64) throw fail(`declares ${n} bytes from ${data.length} compressed`);
        return decoders.snappy!(data, sized(n));
      }
      case CompressionType.zlib: {
        if (formatVersion >= 2) {
          const c = new Cursor(data, place.file, place.offset);
          const n = sized(c.varint32('uncompressed size'));
          const out = new Uint8Array(n);
          const got = decoders.inflate!(data.subarray(c.pos), { out });
          if (got.length !== n) throw fail(`inflated to ${got.length} bytes, the header says ${n}`);
          return got;
        }
        // Deflate expands at most ~1032x; fflate grows its buffer as it goes.
        return decoders.inflate!(data);
      }
      case CompressionType.lz4:
      case CompressionType.lz4hc: {
        let n: number;
        let from: number;
        if (formatVersion >= 2) {
          const c = new Cursor(data, place.file, place.offset);
          n = c.varint32('uncompressed size');
          from = c.pos;
        } else {
          if (data.length < 8) throw fail('shorter than its 8-byte header');
          n = readU32(data, 0);
          from = 8;
        }
        // LZ4 expands at most ~255x.
        if (n > (data.length - from) * 255 + 16) throw fail(`declares ${n} bytes from ${data.length - from} compressed`);
        const out = new Uint8Array(sized(n));
        const end = decoders.lz4!(data, out, from, data.length - from, 0);
        if (end !== n) throw fail(`decoded ${end} bytes, the header says ${n}`);
        return out;
      }
      case CompressionType.zstd:
      case CompressionType.zstdNotFinal: {
        const c = new Cursor(data, place.file, place.offset);
        const n = sized(c.varint32('uncompressed size'));
        const frame = data.subarray(c.pos);
        const out = decoders.zstd!(frame, n);
        if (out.length !== n) throw fail(`decoded ${out.length} bytes, the header says ${n}`);
        return out;
      }
      default:
        throw new RocksError(
          'Unsupported',
          `block compression ${compressionName(type)} (code ${type}) is not supported (none, snappy, zlib, lz4, lz4hc and zstd are)`,
          { file: place.file, offset: place.offset },
        );
    }
  } catch (e) {
    if (e instanceof RocksError) throw e;
    throw fail((e as Error)?.message ?? String(e), e);
  }
}
