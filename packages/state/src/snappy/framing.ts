import { concatBytes, Crc32c } from '@ckpt/format';
import { StateError } from '../errors.js';
import { defaultBlockCodec, blockUncompressedLength, type BlockCodec } from './block.js';

let sharedFraming: Promise<SnappyFraming> | undefined;

/** The 10-byte stream identifier chunk: type FF, length 6, "sNaPpY". */
export const STREAM_IDENTIFIER = Uint8Array.of(0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59);
/** Largest uncompressed chunk (xerial's block size as Flink configures it). */
export const MAX_CHUNK = 65536;
/** xerial writes a compressed chunk only when compressed/raw ≤ this ratio. */
export const MIN_COMPRESSION_RATIO = 0.85;

export interface SnappyFramingOptions {
  /** Raw block codec; default {@link defaultBlockCodec}. */
  codec?: BlockCodec;
  /** Verify masked CRC-32C of every data chunk (default true; Flink itself does not). */
  verifyChecksums?: boolean;
}

export interface DecodeFramedOptions {
  /** Require the stream identifier as the first chunk (a stream start). Default false. */
  requireIdentifier?: boolean;
  /** Added to offsets in errors (position of `bytes` in its file). */
  base?: number;
  /** File name for errors. */
  file?: string;
}

/** One parsed chunk header, for inspection. */
export interface SnappyChunk {
  offset: number;
  type: number;
  /** Bytes after the 4-byte header. */
  length: number;
}

/**
 * Snappy framing ("x-snappy-framed", as xerial snappy-java writes it for Flink): decoding with
 * CRC-32C verification and the byte-compatible encoder. Create once with {@link create}.
 */
export class SnappyFraming {
  readonly codec: BlockCodec;
  readonly verifyChecksums: boolean;

  private constructor(
    private readonly crc: Crc32c,
    opts: SnappyFramingOptions,
  ) {
    this.codec = opts.codec ?? defaultBlockCodec();
    this.verifyChecksums = opts.verifyChecksums ?? true;
  }

  static async create(opts: SnappyFramingOptions = {}): Promise<SnappyFraming> {
    await (opts.codec ?? defaultBlockCodec()).load?.();
    return new SnappyFraming(await Crc32c.create(), opts);
  }

  /**
   * The shared default framing, created on first use: readers call this when a snapshot says it
   * is compressed and the caller passed no framing of its own.
   */
  static shared(): Promise<SnappyFraming> {
    sharedFraming ??= SnappyFraming.create();
    return sharedFraming;
  }

  /** Same CRC engine, other options (a codec given here must be loaded already). */
  with(opts: SnappyFramingOptions): SnappyFraming {
    return new SnappyFraming(this.crc, { codec: this.codec, verifyChecksums: this.verifyChecksums, ...opts });
  }

  /** Lists the chunk headers of `bytes` (no decoding). */
  chunks(bytes: Uint8Array, o: DecodeFramedOptions = {}): SnappyChunk[] {
    const out: SnappyChunk[] = [];
    let p = 0;
    const base = o.base ?? 0;
    while (p < bytes.length) {
      if (bytes.length - p < 4) throw err('Truncated', 'chunk header cut off', o.file, base + p);
      const type = bytes[p]!;
      const length = bytes[p + 1]! | (bytes[p + 2]! << 8) | (bytes[p + 3]! << 16);
      if (p + 4 + length > bytes.length) {
        throw err('Truncated', `chunk of ${length} bytes runs past the end`, o.file, base + p);
      }
      out.push({ offset: p, type, length });
      p += 4 + length;
    }
    return out;
  }

  /**
   * Decodes all chunks in `bytes` (which must end at a chunk boundary) into the concatenated
   * uncompressed data. Stream identifiers anywhere are checked and skipped (Flink's heap format
   * starts a new stream per state), reserved skippable chunks are skipped.
   */
  decode(bytes: Uint8Array, o: DecodeFramedOptions = {}): Uint8Array {
    const base = o.base ?? 0;
    const parts: Uint8Array[] = [];
    let total = 0;
    const chunks = this.chunks(bytes, o);
    if (o.requireIdentifier && (chunks.length === 0 || chunks[0]!.type !== 0xff)) {
      throw err('BadSnappy', 'stream does not start with the Snappy stream identifier', o.file, base);
    }
    for (const c of chunks) {
      const at = base + c.offset;
      const body = bytes.subarray(c.offset + 4, c.offset + 4 + c.length);
      if (c.type === 0xff) {
        if (c.length !== 6 || !sameBytes(body, STREAM_IDENTIFIER.subarray(4))) {
          throw err('BadSnappy', 'malformed stream identifier chunk', o.file, at);
        }
        continue;
      }
      if (c.type === 0x00 || c.type === 0x01) {
        if (c.length < 4) throw err('BadSnappy', `data chunk of ${c.length} bytes has no checksum`, o.file, at);
        const stored = (body[0]! | (body[1]! << 8) | (body[2]! << 16) | (body[3]! << 24)) >>> 0;
        const payload = body.subarray(4);
        const data = c.type === 0x01 ? payload : this.uncompressBlock(payload, o.file, at);
        if (data.length > MAX_CHUNK) {
          throw err('BadSnappy', `chunk holds ${data.length} bytes, more than ${MAX_CHUNK}`, o.file, at);
        }
        if (this.verifyChecksums) {
          const actual = this.crc.masked(data);
          if (actual !== stored) {
            throw err(
              'BadChecksum',
              `masked CRC-32C ${hex(actual)} does not match stored ${hex(stored)}`,
              o.file,
              at,
            );
          }
        }
        parts.push(data);
        total += data.length;
        continue;
      }
      if (c.type >= 0x80) continue; // reserved skippable
      throw err('BadSnappy', `reserved unskippable chunk type 0x${c.type.toString(16)}`, o.file, at);
    }
    return concatBytes(parts);
  }

  private uncompressBlock(block: Uint8Array, file: string | undefined, at: number): Uint8Array {
    const n = blockUncompressedLength(block);
    if (n < 0 || n > MAX_CHUNK) {
      throw err('BadSnappy', `bad uncompressed length ${n} in Snappy block`, file, at);
    }
    let out: Uint8Array;
    try {
      out = this.codec.uncompress(block, n);
    } catch (e) {
      throw new StateError('BadSnappy', `Snappy block does not decode: ${(e as Error).message}`, {
        file,
        offset: at,
        cause: e,
      });
    }
    if (out.length !== n) throw err('BadSnappy', `block decoded to ${out.length} bytes, expected ${n}`, file, at);
    return out;
  }

  /** The data chunks (no identifier) for `data`, split at {@link MAX_CHUNK}, as xerial writes them. */
  encodeChunks(data: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let p = 0; p < data.length; p += MAX_CHUNK) {
      parts.push(this.encodeChunk(data.subarray(p, Math.min(data.length, p + MAX_CHUNK))));
    }
    return concatBytes(parts);
  }

  /** A whole framed stream: identifier + chunks (one `flush` per element of `flushes`). */
  encode(...flushes: Uint8Array[]): Uint8Array {
    const parts = [STREAM_IDENTIFIER, ...flushes.map((f) => this.encodeChunks(f))];
    return concatBytes(parts);
  }

  private encodeChunk(raw: Uint8Array): Uint8Array {
    const compressed = this.codec.compress(raw);
    const useCompressed = compressed.length / raw.length <= MIN_COMPRESSION_RATIO;
    const body = useCompressed ? compressed : raw;
    const len = body.length + 4;
    const out = new Uint8Array(4 + len);
    out[0] = useCompressed ? 0x00 : 0x01;
    out[1] = len & 0xff;
    out[2] = (len >>> 8) & 0xff;
    out[3] = (len >>> 16) & 0xff;
    const crc = this.crc.masked(raw);
    out[4] = crc & 0xff;
    out[5] = (crc >>> 8) & 0xff;
    out[6] = (crc >>> 16) & 0xff;
    out[7] = (crc >>> 24) & 0xff;
    out.set(body, 8);
    return out;
  }
}

function err(code: 'Truncated' | 'BadSnappy' | 'BadChecksum', detail: string, file: string | undefined, offset: number) {
  return new StateError(code, detail, { file, offset });
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

