import { MUtf8Encoder } from 'mutf-8';
import { FormatError } from '../errors.js';
import { NodeBuffer } from './node-buffer.js';
import { PathTracker } from './path-tracker.js';

const mutf8 = new MUtf8Encoder();
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

/** Node's native UTF-8 writer; absent in browsers, where the JavaScript loop does it all. */
const utf8Write = NodeBuffer?.prototype.utf8Write;
/** Strings shorter than this are copied in JavaScript: a native call costs more than the loop. */
const NATIVE_MIN = 32;

/**
 * Node's allocation without zero-filling (`Buffer.allocUnsafeSlow`), absent in browsers. The writer
 * never hands out a byte it did not write (see {@link ByteWriter.finish}), and for large outputs
 * zero-filling memory that is overwritten anyway is a large share of an encode.
 */
const allocUnsafe = NodeBuffer?.allocUnsafeSlow;
/** Below this size a zeroed array is cheaper than the native call for an uninitialised one. */
const UNSAFE_MIN = 64 << 10;

/** Value of a hex digit's char code, or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

function alloc(n: number): Uint8Array {
  if (allocUnsafe === undefined || n < UNSAFE_MIN) return new Uint8Array(n);
  const b = allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** Largest chunk the writer allocates at once (bigger single writes get a chunk of their own). */
const MAX_CHUNK = 4 << 20;

/**
 * Growable big-endian writer, the mirror image of {@link ByteReader}. Output goes into a list of
 * chunks that are joined once by {@link finish}, so growing never copies what was written.
 */
export class ByteWriter extends PathTracker {
  private buf: Uint8Array;
  private view: DataView;
  /** Write position in {@link buf}. */
  private pos = 0;
  /** Filled earlier chunks, and the bytes in them. */
  private readonly chunks: Uint8Array[] = [];
  private chunked = 0;
  constructor(initial = 4096) {
    super();
    this.buf = alloc(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.chunked + this.pos;
  }

  protected tooDeep(detail: string): FormatError {
    return this.invalid(`${detail} (cyclic model?)`);
  }

  invalid(detail: string): FormatError {
    return new FormatError('InvalidModel', detail, { path: this.path });
  }

  /** Makes room for `n` contiguous bytes at {@link pos}. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.chunked += this.pos;
    const size = Math.max(n, Math.min(MAX_CHUNK, this.buf.length * 2));
    this.buf = alloc(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
  }

  private int(v: number, lo: number, hi: number, what: string): void {
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw this.invalid(`${what} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
    }
  }

  u8(v: number, what = 'byte'): void {
    this.int(v, -128, 255, what);
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }

  u16(v: number, what = 'unsigned short'): void {
    this.int(v, 0, 0xffff, what);
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  i32(v: number, what = 'int'): void {
    this.int(v, INT_MIN, INT_MAX, what);
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  i64(v: bigint, what = 'long'): void {
    if (typeof v !== 'bigint' || v < LONG_MIN || v > LONG_MAX) {
      throw this.invalid(`${what} must be a 64-bit bigint, got ${String(v)}`);
    }
    this.ensure(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  /** A list of `long`s (e.g. key-group offsets), one bounds check for the whole list. */
  i64s(values: readonly bigint[], what = 'long'): void {
    this.ensure(8 * values.length);
    const view = this.view;
    let pos = this.pos;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'bigint' || v < LONG_MIN || v > LONG_MAX) {
        this.pos = pos;
        throw this.invalid(`${what} [${i}] must be a 64-bit bigint, got ${String(v)}`);
      }
      view.setBigInt64(pos, v);
      pos += 8;
    }
    this.pos = pos;
  }

  /** Bytes given as hex digits (`hex.length` must be even; checked by the caller's format rules). */
  hexBytes(hex: string, what: string): void {
    const n = hex.length >> 1;
    this.ensure(n);
    for (let i = 0; i < n; i++) {
      const hi = hexDigit(hex.charCodeAt(2 * i));
      const lo = hexDigit(hex.charCodeAt(2 * i + 1));
      if ((hi | lo) < 0) throw this.invalid(`${what} must be ${hex.length} hex digits, got ${JSON.stringify(hex)}`);
      this.buf[this.pos++] = (hi << 4) | lo;
    }
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  lengthPrefixed(bytes: Uint8Array, what = 'byte array'): void {
    if (!(bytes instanceof Uint8Array)) throw this.invalid(`${what} must be a Uint8Array`);
    this.i32(bytes.length, `${what} length`);
    this.raw(bytes);
  }

  /** Java `DataOutput.writeUTF`. */
  utf(s: string, what = 'string'): void {
    if (typeof s !== 'string') throw this.invalid(`${what} must be a string, got ${typeof s}`);
    const n = s.length;
    if (n <= 0xffff && this.asciiFast(s, n)) return;
    const body = mutf8.encode(s);
    if (body.length > 0xffff) {
      throw this.invalid(`${what} encodes to ${body.length} bytes; writeUTF allows 65535`);
    }
    this.u16(body.length);
    this.raw(body);
  }

  /**
   * Writes `s` (length `n` ≤ 65535) as length + one byte per char when every char is in 1..127,
   * where modified UTF-8 equals ASCII; `false` (nothing written) otherwise.
   */
  private asciiFast(s: string, n: number): boolean {
    if (n >= NATIVE_MIN && utf8Write !== undefined && this.pos + 2 + 3 * n <= this.buf.length) {
      // room for any UTF-8 encoding of s: the byte count equals n exactly when all chars are < 0x80
      const w = utf8Write.call(this.buf, s, this.pos + 2, 3 * n);
      if (w !== n || s.indexOf('\0') !== -1) return false;
    } else {
      this.ensure(2 + n);
      const at = this.pos + 2;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c === 0 || c > 0x7f) return false;
        this.buf[at + i] = c;
      }
    }
    this.view.setUint16(this.pos, n);
    this.pos += 2 + n;
    return true;
  }

  /** Writes a list's length as an `int`. */
  count(n: number, what: string): void {
    this.i32(n, what);
  }

  /** Overwrites an `int` at an earlier position (for length fields written before the body). */
  patchI32(at: number, v: number): void {
    let start = 0;
    for (const c of [...this.chunks, this.buf.subarray(0, this.pos)]) {
      if (at < start + c.length) {
        new DataView(c.buffer, c.byteOffset, c.byteLength).setInt32(at - start, v);
        return;
      }
      start += c.length;
    }
    throw new FormatError('Internal', `patchI32: offset ${at} is past the ${this.length} bytes written`, { offset: at });
  }

  /** The bytes written: the writer's own buffer when they fill it exactly, else a copy. */
  finish(): Uint8Array {
    if (this.chunks.length === 0) return this.pos === this.buf.length ? this.buf : this.buf.slice(0, this.pos);
    const out = alloc(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    out.set(this.buf.subarray(0, this.pos), at);
    return out;
  }
}
