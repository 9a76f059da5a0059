import type { ByteReader, ByteWriter } from '@ckpt/format';
import { StateError } from '../errors.js';

/** Extra `DataInput` primitives on top of the format package's {@link ByteReader}. */
export function readI16(r: ByteReader, what = 'short'): number {
  const v = r.u16(what);
  return (v << 16) >> 16;
}

export function readBool(r: ByteReader, what = 'boolean'): boolean {
  return r.u8(what) !== 0;
}

export function readF32(r: ByteReader, what = 'float'): number {
  const b = r.raw(4, what);
  return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0);
}

export function readF64(r: ByteReader, what = 'double'): number {
  const b = r.raw(8, what);
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0);
}

/** Unsigned LEB128 of at most 5 bytes (Flink `StringValue` lengths and chars). */
function readVarUint(r: ByteReader, what = 'varint'): number {
  const at = r.offset;
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const b = r.u8(what);
    v += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return v;
  }
  throw new StateError('BadValue', `${what} is longer than 5 bytes`, { offset: r.base + at, path: r.path });
}

export function writeI16(w: ByteWriter, v: number): void {
  w.u16(v & 0xffff);
}

export function writeBool(w: ByteWriter, v: boolean): void {
  w.u8(v ? 1 : 0);
}

export function writeF32(w: ByteWriter, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v);
  w.raw(b);
}

export function writeF64(w: ByteWriter, v: number): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  w.raw(b);
}

function writeVarUint(w: ByteWriter, v: number): void {
  while (v >= 0x80) {
    w.u8((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  w.u8(v);
}

/**
 * Arrays of UTF-16 units by length, reused for strings of up to {@link SCRATCH_UNITS} units (keys,
 * names): a string then costs only itself, not an array as well. Safe to share: the array is
 * filled and turned into the string before anything else runs.
 */
const scratchUnits: number[][] = [];
const SCRATCH_UNITS = 64;

/** Flink `StringValue` encoding: varint(units + 1) then one varint per UTF-16 unit; 0 = null. */
export function readStringValue(r: ByteReader, what = 'string'): string | null {
  const b = r.bytes;
  let len: number;
  if (r.remaining > 0 && b[r.offset]! < 0x80) len = b[r.offset++]!;
  else len = readVarUint(r, `${what} length`);
  if (len === 0) return null;
  const n = len - 1;
  r.need(n, what); // every unit takes at least one byte
  const units: number[] = n <= SCRATCH_UNITS ? (scratchUnits[n] ??= new Array<number>(n)) : new Array<number>(n);
  // ASCII units are single bytes: take them straight from the input, varints only after that
  let i = 0;
  for (let p = r.offset; i < n; i++, p++) {
    const c = b[p]!;
    if (c >= 0x80) break;
    units[i] = c;
  }
  r.offset += i;
  for (; i < n; i++) {
    const c = readVarUint(r, `${what} char`);
    if (c > 0xffff) throw new StateError('BadValue', `${what} char ${c} exceeds 0xFFFF`, { offset: r.base + r.offset, path: r.path });
    units[i] = c;
  }
  if (n <= 8192) return String.fromCharCode.apply(null, units);
  let s = '';
  for (let j = 0; j < n; j += 8192) s += String.fromCharCode(...units.slice(j, j + 8192));
  return s;
}

export function writeStringValue(w: ByteWriter, s: string | null): void {
  if (s === null) {
    w.u8(0);
    return;
  }
  writeVarUint(w, s.length + 1);
  for (let i = 0; i < s.length; i++) writeVarUint(w, s.charCodeAt(i));
}
