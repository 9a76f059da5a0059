import { StateError } from '../errors.js';
import type { LogicalType } from './table-types.js';
import { toTemporal } from './table-temporal.js';
import type { RawValue } from './values.js';

/**
 * Flink's binary formats of SQL data (`flink-table-common` `data.binary`), native byte order
 * (little-endian):
 * - `BinaryRowData`: null bit set of `((arity + 63 + 8) / 64) * 8` bytes (byte 0 = RowKind, field i
 *   null = bit i + 8), one 8-byte slot per field, then the variable part (8-byte aligned pieces).
 *   A variable-length value's slot is `offset << 32 | length` (offset from the row start), or, when
 *   bit 63 is set, up to 7 bytes inline at the slot start with the length in bits 56..62.
 * - `BinaryArrayData`: `int n`, null bits in 4-byte words, `n` elements of 1, 2, 4 or 8 bytes, the
 *   fixed part rounded to 8 bytes, then the variable part (offsets from the array start).
 * - `BinaryMapData`: `int keyArrayBytes`, the key array, the value array.
 * Values as JavaScript: numbers, `bigint` for BIGINT and DAY-TIME intervals, DECIMAL as a string,
 * dates/times/timestamps as ISO strings of their precision, BINARY as `Uint8Array`, RAW as its bytes
 * and the class the type names ({@link RawValue}),
 * ARRAY as an array, MAP and MULTISET as `Map`, ROW as `{ column: value }` (plus `$rowKind` when the
 * row is not an INSERT).
 */

export const ROW_KIND_NAMES = ['INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE'] as const;
export const ROW_KIND_KEY = '$rowKind';

export function nullBitsBytes(arity: number): number {
  return Math.floor((arity + 63 + 8) / 64) * 8;
}

function arrayHeaderBytes(n: number): number {
  return 4 + Math.floor((n + 31) / 32) * 4;
}

/** Bytes per element in a `BinaryArrayData` fixed part. */
export function elementSize(t: LogicalType): number {
  switch (t.root) {
    case 'BOOLEAN':
    case 'TINYINT':
      return 1;
    case 'SMALLINT':
      return 2;
    case 'INTEGER':
    case 'FLOAT':
    case 'DATE':
    case 'TIME_WITHOUT_TIME_ZONE':
    case 'INTERVAL_YEAR_MONTH':
      return 4;
    default:
      return 8;
  }
}

const isCompactDecimal = (t: LogicalType) => (t.precision ?? 0) <= 18;
const isCompactTimestamp = (t: LogicalType) => (t.precision ?? 0) <= 3;

/** Names of a row's columns: the ROW type's, else Flink's defaults `f0`, `f1`, … */
export function columnNames(types: LogicalType[], names?: string[]): string[] {
  return types.map((_, i) => names?.[i] ?? `f${i}`);
}

class View {
  readonly dv: DataView;
  constructor(readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  check(at: number, n: number, what: string): void {
    if (at < 0 || n < 0 || at + n > this.b.length) {
      throw new StateError('BadValue', `${what} at ${at}+${n} is outside the ${this.b.length} bytes of its binary data`);
    }
  }
  /** The bytes of a variable-length value whose slot is at `p`, relative to `base`. */
  varBytes(base: number, p: number, end: number, inline: boolean, what: string): Uint8Array {
    this.check(p, 8, what);
    const lo = this.dv.getUint32(p, true);
    const hi = this.dv.getUint32(p + 4, true);
    if (inline && hi & 0x80000000) {
      const len = (hi >>> 24) & 0x7f;
      if (len > 7) throw new StateError('BadValue', `${what}: inline length ${len} > 7`);
      return this.b.subarray(p, p + len);
    }
    const at = base + hi;
    if (at + lo > end) throw new StateError('BadValue', `${what}: offset ${hi} + length ${lo} is outside its data`);
    this.check(at, lo, what);
    return this.b.subarray(at, at + lo);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Reads the value of type `t` whose slot (or array element) is at `p`. */
function readValue(v: View, t: LogicalType, base: number, end: number, p: number, slot: boolean): unknown {
  const dv = v.dv;
  const what = t.root;
  v.check(p, slot ? 8 : elementSize(t), what);
  switch (t.root) {
    case 'BOOLEAN':
      return v.b[p] !== 0;
    case 'TINYINT':
      return dv.getInt8(p);
    case 'SMALLINT':
      return dv.getInt16(p, true);
    case 'INTEGER':
      return dv.getInt32(p, true);
    case 'INTERVAL_YEAR_MONTH':
      return dv.getInt32(p, true);
    case 'DATE':
    case 'TIME_WITHOUT_TIME_ZONE':
      return toTemporal(t, BigInt(dv.getInt32(p, true)), 0);
    case 'BIGINT':
    case 'INTERVAL_DAY_TIME':
      return dv.getBigInt64(p, true);
    case 'FLOAT':
      return dv.getFloat32(p, true);
    case 'DOUBLE':
      return dv.getFloat64(p, true);
    case 'DECIMAL': {
      if (isCompactDecimal(t)) return formatDecimal(dv.getBigInt64(p, true), t.scale ?? 0);
      return formatDecimal(bigFromBytes(v.varBytes(base, p, end, false, what)), t.scale ?? 0);
    }
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE': {
      if (isCompactTimestamp(t)) return toTemporal(t, dv.getBigInt64(p, true), 0);
      const nano = dv.getUint32(p, true);
      const at = base + dv.getUint32(p + 4, true);
      v.check(at, 8, what);
      return toTemporal(t, dv.getBigInt64(at, true), nano);
    }
    case 'CHAR':
    case 'VARCHAR':
      return utf8.decode(v.varBytes(base, p, end, true, what));
    case 'BINARY':
    case 'VARBINARY':
      return Uint8Array.from(v.varBytes(base, p, end, true, what));
    case 'RAW':
      return { kind: 'raw', class: t.className ?? null, bytes: Uint8Array.from(v.varBytes(base, p, end, true, what)) } satisfies RawValue;
    case 'ARRAY':
      return readBinaryArray(v.varBytes(base, p, end, false, what), t.element!);
    case 'MAP':
      return readBinaryMap(v.varBytes(base, p, end, false, what), t.key!, t.value!);
    case 'MULTISET':
      return readBinaryMap(v.varBytes(base, p, end, false, what), t.element!, { root: 'INTEGER', nullable: false });
    case 'ROW':
    case 'STRUCTURED_TYPE': {
      const fs = t.fields ?? [];
      return readBinaryRow(v.varBytes(base, p, end, false, what), fs.map((f) => f.type), fs.map((f) => f.name));
    }
    case 'DISTINCT_TYPE':
      return readValue(v, t.element!, base, end, p, slot);
    case 'NULL':
      return null;
  }
  throw new StateError('UnknownSerializer', `SQL type ${t.root} in binary row data is not supported`);
}

/** Decodes `BinaryRowData` bytes (the whole record) with the row's field types. */
export function readBinaryRow(b: Uint8Array, types: LogicalType[], names?: string[]): Record<string, unknown> {
  const v = new View(b);
  const nb = nullBitsBytes(types.length);
  v.check(0, nb + 8 * types.length, `row of ${types.length} fields`);
  const out: Record<string, unknown> = {};
  const kind = b[0]!;
  if (kind > 3) throw new StateError('BadValue', `row kind byte ${kind}`);
  const cols = columnNames(types, names);
  types.forEach((t, i) => {
    const bit = i + 8;
    out[cols[i]!] = b[bit >> 3]! & (1 << (bit & 7)) ? null : readValue(v, t, 0, b.length, nb + 8 * i, true);
  });
  if (kind !== 0) out[ROW_KIND_KEY] = ROW_KIND_NAMES[kind];
  return out;
}

export function readBinaryArray(b: Uint8Array, el: LogicalType): unknown[] {
  const v = new View(b);
  v.check(0, 4, 'array size');
  const n = v.dv.getInt32(0, true);
  const header = arrayHeaderBytes(n);
  const size = elementSize(el);
  if (n < 0 || header + n * size > b.length) throw new StateError('BadValue', `array of ${n} elements does not fit in ${b.length} bytes`);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const isNull = b[4 + (i >> 3)]! & (1 << (i & 7));
    out.push(isNull ? null : readValue(v, el, 0, b.length, header + i * size, false));
  }
  return out;
}

export function readBinaryMap(b: Uint8Array, kt: LogicalType, vt: LogicalType): Map<unknown, unknown> {
  if (b.length < 4) throw new StateError('BadValue', 'map data shorter than 4 bytes');
  const kn = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
  if (kn < 0 || 4 + kn > b.length) throw new StateError('BadValue', `map key array of ${kn} bytes does not fit`);
  const keys = readBinaryArray(b.subarray(4, 4 + kn), kt);
  const values = readBinaryArray(b.subarray(4 + kn), vt);
  if (keys.length !== values.length) throw new StateError('BadValue', `map with ${keys.length} keys and ${values.length} values`);
  return new Map(keys.map((k, i) => [k, values[i]]));
}

// ------------------------------------------------------------------------------ decimals

export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let s = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  }
  return neg ? `-${s}` : s;
}

export function parseDecimal(v: unknown, scale: number): bigint {
  if (typeof v !== 'string' || !/^-?\d+(\.\d+)?$/.test(v)) throw new StateError('BadValue', `cannot write ${String(v)} as DECIMAL`);
  const [int, frac = ''] = v.replace('-', '').split('.');
  if (frac.length > scale) throw new StateError('BadValue', `${v} has more than ${scale} decimal places`);
  const u = BigInt(int! + frac.padEnd(scale, '0'));
  return v.startsWith('-') ? -u : u;
}

/** Two's complement big-endian bytes (Java `BigInteger.toByteArray`). */
export function bigFromBytes(b: Uint8Array): bigint {
  // DECIMAL has at most 38 digits (17 bytes); anything much longer is not a decimal
  if (b.length > 32) throw new StateError('BadValue', `decimal of ${b.length} bytes (DECIMAL holds at most 38 digits)`);
  if (b.length === 0) return 0n;
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return b[0]! & 0x80 ? x - (1n << BigInt(8 * b.length)) : x;
}

export function bigToBytes(x: bigint): Uint8Array {
  let n = 1;
  while (x < -(1n << BigInt(8 * n - 1)) || x >= 1n << BigInt(8 * n - 1)) n++;
  const out = new Uint8Array(n);
  let u = BigInt.asUintN(8 * n, x);
  for (let i = n - 1; i >= 0; i--, u >>= 8n) out[i] = Number(u & 0xffn);
  return out;
}

