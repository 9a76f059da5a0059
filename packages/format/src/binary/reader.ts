import { MUtf8Decoder, MUtf8Encoder } from 'mutf-8';
import { FormatError, type FormatErrorCode } from '../errors.js';
import { NodeBuffer } from './node-buffer.js';
import { PathTracker } from './path-tracker.js';

// ignoreBOM: a string that starts with U+FEFF keeps it (the decoder would drop it, as TextDecoder does)
const mutf8 = new MUtf8Decoder('mutf-8', { fatal: true, ignoreBOM: true });
const mutf8Encoder = new MUtf8Encoder();

function isPlainAscii(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const x = b[i]!;
    if (x === 0 || x > 0x7f) return false;
  }
  return true;
}

/** Native latin-1 slicing (Node's Buffer): the fastest way to make an ASCII string. */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}
const ascii = new TextDecoder('utf-8');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Big-endian cursor over a byte array, as written by `java.io.DataOutputStream`.
 * Every read checks the remaining length before it allocates, and every error names the offset
 * and the model path (kept in {@link path} by the caller with {@link at}).
 */
export class ByteReader extends PathTracker {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly slicer: Latin1Slicer | undefined;
  offset: number;
  /**
   * When set, {@link utf} checks strings as always but returns `''` instead of making them: for
   * callers that only count and size what they read (the streaming summary), this saves most of a
   * decode's allocation.
   */
  skimStrings = false;
  /**
   * @param base added to offsets in errors, for a reader over a slice of a larger file.
   */
  constructor(
    bytes: Uint8Array,
    offset = 0,
    readonly base = 0,
  ) {
    super();
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
    this.slicer = NodeBuffer?.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  protected tooDeep(detail: string): FormatError {
    return this.error('BadValue', detail);
  }

  error(code: FormatErrorCode, detail: string, offset = this.offset): FormatError {
    return new FormatError(code, detail, { offset: this.base + offset, path: this.path });
  }

  need(n: number, what: string): void {
    if (n > this.remaining) {
      throw this.error('Truncated', `${what} needs ${n} bytes but only ${this.remaining} remain`);
    }
  }

  u8(what = 'byte'): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  i8(what = 'byte'): number {
    this.need(1, what);
    return this.view.getInt8(this.offset++);
  }

  u16(what = 'unsigned short'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  i32(what = 'int'): number {
    this.need(4, what);
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  i64(what = 'long'): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  /** `n` `long`s (checked for length once). */
  i64s(n: number, what = 'longs'): bigint[] {
    this.need(n * 8, what);
    const out = new Array<bigint>(n);
    const view = this.view;
    let pos = this.offset;
    for (let i = 0; i < n; i++, pos += 8) out[i] = view.getBigInt64(pos);
    this.offset = pos;
    return out;
  }

  /** `n` raw bytes (a view into the input, not a copy). */
  raw(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** `int` length + that many bytes (a view into the input, like {@link raw}). */
  lengthPrefixed(what = 'byte array'): Uint8Array {
    const at = this.offset;
    const n = this.i32(`${what} length`);
    if (n < 0) throw this.error('BadLength', `${what} length ${n} is negative`, at);
    return this.raw(n, what);
  }

  /** Java `DataInput.readUTF`: unsigned 16-bit byte count + modified UTF-8. */
  utf(what = 'string'): string {
    const at = this.offset;
    if (this.remaining < 2) this.need(2, `${what} length`);
    const n = this.view.getUint16(at);
    this.offset += 2;
    if (n > this.remaining) this.need(n, what);
    const start = this.offset;
    const end = start + n;
    this.offset = end;
    if (isPlainAscii(this.bytes, start, end)) {
      if (this.skimStrings) return '';
      return this.slicer ? this.slicer.latin1Slice(start, end) : ascii.decode(this.bytes.subarray(start, end));
    }
    const body = this.bytes.subarray(start, end);
    let s: string;
    try {
      s = mutf8.decode(body);
    } catch (e) {
      throw new FormatError('BadUtf', `${what} is not valid modified UTF-8`, {
        offset: this.base + at,
        path: this.path,
        cause: e,
      });
    }
    // Java's writeUTF has one encoding per string; overlong forms or raw NULs never come from it
    // and would not survive a byte-exact round trip.
    if (!sameBytes(mutf8Encoder.encode(s), body)) {
      throw this.error('BadUtf', `${what} is not in the canonical modified UTF-8 that writeUTF emits`, at);
    }
    return this.skimStrings ? '' : s;
  }

  /**
   * A count of elements that each take at least `minBytes` bytes. Fails fast (before anything is
   * allocated) when the count is negative or cannot fit in the remaining input.
   */
  count(what: string, minBytes: number): number {
    const at = this.offset;
    const n = this.i32(what);
    if (n < 0) throw this.error('BadLength', `${what} ${n} is negative`, at);
    if (n * minBytes > this.remaining) {
      throw this.error(
        'Truncated',
        `${what} ${n} needs at least ${n * minBytes} more bytes but only ${this.remaining} remain`,
        at,
      );
    }
    return n;
  }
}
