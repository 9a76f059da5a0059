import { RocksError } from './errors.js';

/**
 * A little-endian / varint cursor over one buffer — RocksDB's own encoding (`util/coding.h`):
 * fixed-width integers little-endian, varints of 7 bits a byte, length-prefixed slices. Every read
 * is checked against the end first; errors name the file and the absolute file offset
 * (`base` + position).
 */
export class Cursor {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    readonly file: string | undefined = undefined,
    /** File offset of `buf[0]`, for error messages. */
    readonly base = 0,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(code: 'Truncated' | 'BadValue' | 'BadRecord' | 'BadBlock', detail: string, at = this.pos): RocksError {
    return new RocksError(code, detail, { file: this.file, offset: this.base + at });
  }

  need(n: number, what: string): void {
    if (n > this.end - this.pos) throw this.fail('Truncated', `${what}: needs ${n} bytes, ${this.end - this.pos} left`);
  }

  u8(what = 'byte'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'fixed16'): number {
    this.need(2, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  u32(what = 'fixed32'): number {
    this.need(4, what);
    const v = readU32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  u64(what = 'fixed64'): bigint {
    this.need(8, what);
    const v = readU64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  /** A varint of at most 5 bytes whose value fits 32 bits. */
  varint32(what = 'varint32'): number {
    let v = 0;
    const start = this.pos;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw this.fail('Truncated', `${what}: varint runs past the end`, start);
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (v > 0xffffffff) throw this.fail('BadValue', `${what}: varint32 overflows (${v})`, start);
        return v;
      }
    }
    throw this.fail('BadValue', `${what}: varint32 longer than 5 bytes`, start);
  }

  /** A varint of at most 10 bytes (64-bit value). */
  varint64(what = 'varint64'): bigint {
    let lo = 0;
    let hi = 0n;
    const start = this.pos;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) throw this.fail('Truncated', `${what}: varint runs past the end`, start);
      const b = this.buf[this.pos++]!;
      if (shift < 49) lo += (b & 0x7f) * 2 ** shift;
      else hi |= BigInt(b & 0x7f) << BigInt(shift);
      if ((b & 0x80) === 0) {
        const v = BigInt(lo) + hi;
        if (v > 0xffffffffffffffffn) throw this.fail('BadValue', `${what}: varint64 overflows`, start);
        return v;
      }
    }
    throw this.fail('BadValue', `${what}: varint64 longer than 10 bytes`, start);
  }

  /** A varint64 that must fit a safe JavaScript integer (offsets, sizes, counts). */
  varintNum(what = 'varint64'): number {
    const start = this.pos;
    const v = this.varint64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.fail('BadValue', `${what}: ${v} is too large`, start);
    return Number(v);
  }

  /** A zig-zag varint64 (RocksDB's `GetVarsignedint64`), as a safe integer. */
  varsigned(what = 'varsigned64'): number {
    const start = this.pos;
    const u = this.varint64(what);
    const v = u & 1n ? -((u >> 1n) + 1n) : u >> 1n;
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw this.fail('BadValue', `${what}: ${v} is out of range`, start);
    }
    return Number(v);
  }

  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** varint32 length + that many bytes. */
  lengthPrefixed(what = 'slice'): Uint8Array {
    const n = this.varint32(`${what} length`);
    return this.bytes(n, what);
  }
}

export function readU32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

export function readU64(b: Uint8Array, p: number): bigint {
  return (BigInt(readU32(b, p + 4)) << 32n) | BigInt(readU32(b, p));
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Bytes as UTF-8 text (names, comparators, property strings). */
export function utf8(b: Uint8Array): string {
  return decoder.decode(b);
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

/** Bytewise comparison (RocksDB's BytewiseComparator): negative, 0 or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
