import { RestoreError } from './errors.js';

/**
 * A key value whose Java `hashCode()` is defined by its value, tagged with its Java type.
 * `tuple` is a Flink `TupleN` (`Tuple1`..`Tuple25`), `row` a Flink `Row` (kind INSERT unless set).
 * `null` fields are allowed inside tuples and rows (they hash to 0), never as the key itself.
 */
export type JavaKey =
  | { type: 'String'; value: string }
  | { type: 'Integer' | 'Short' | 'Byte'; value: number }
  | { type: 'Long'; value: bigint }
  | { type: 'Boolean'; value: boolean }
  | { type: 'Character'; value: string | number }
  | { type: 'Double' | 'Float'; value: number }
  | { type: 'Tuple'; fields: (JavaKey | null)[] }
  | { type: 'Row'; fields: (JavaKey | null)[]; kind?: RowKind };

/** Flink `RowKind`; its byte value seeds the row hash. */
export type RowKind = 'INSERT' | 'UPDATE_BEFORE' | 'UPDATE_AFTER' | 'DELETE';
const ROW_KIND_BYTE: Record<RowKind, number> = { INSERT: 0, UPDATE_BEFORE: 1, UPDATE_AFTER: 2, DELETE: 3 };

/** Plain JS values accepted as keys: string → String, boolean → Boolean, bigint → Long,
 * an int32 number → Integer, any other number → Double. */
export type KeyLike = JavaKey | string | boolean | bigint | number;

const INT_RANGE: Record<'Integer' | 'Short' | 'Byte', [number, number]> = {
  Integer: [-2147483648, 2147483647],
  Short: [-32768, 32767],
  Byte: [-128, 127],
};

function unsupported(detail: string): RestoreError {
  return new RestoreError('UnsupportedKey', detail);
}

/** Java `String.hashCode()`: over UTF-16 code units, 32-bit wrap-around. */
export function stringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Java `Long.hashCode(v)`: `(int)(v ^ (v >>> 32))` of the 64-bit two's complement value. */
export function longHashCode(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, u ^ (u >> 32n)));
}

const scratch = new DataView(new ArrayBuffer(8));

/** Java `Double.hashCode(d)`: `doubleToLongBits` (canonical NaN) folded like a long. */
export function doubleHashCode(d: number): number {
  if (Number.isNaN(d)) return longHashCode(0x7ff8000000000000n);
  scratch.setFloat64(0, d);
  return longHashCode(scratch.getBigUint64(0));
}

/** Java `Float.hashCode(f)`: `floatToIntBits` (canonical NaN) of the value rounded to float. */
export function floatHashCode(f: number): number {
  if (Number.isNaN(f)) return 0x7fc00000;
  scratch.setFloat32(0, f);
  return scratch.getInt32(0);
}

function charCode(v: string | number): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw unsupported(`Character out of range: ${v}`);
    return v;
  }
  if (v.length !== 1) throw unsupported(`a Character is one UTF-16 code unit, got ${JSON.stringify(v)}`);
  return v.charCodeAt(0);
}

/** Wraps plain JS values as Java keys (see {@link KeyLike}). */
export function toJavaKey(key: KeyLike): JavaKey {
  switch (typeof key) {
    case 'string':
      return { type: 'String', value: key };
    case 'boolean':
      return { type: 'Boolean', value: key };
    case 'bigint':
      return { type: 'Long', value: key };
    case 'number':
      return Number.isInteger(key) && key >= -2147483648 && key <= 2147483647
        ? { type: 'Integer', value: key }
        : { type: 'Double', value: key };
    default:
      return key;
  }
}

/** Hash of one field inside a Row: Flink hashes non-null, non-row fields as `31 + hashCode`. */
function rowFieldHash(f: JavaKey | null): number {
  if (f === null) return 0;
  if (f.type === 'Row') {
    throw unsupported('nested Row keys hash differently across Flink versions; not supported');
  }
  return (31 + javaHashCode(f)) | 0;
}

/** The JVM `hashCode()` of the key object a Flink KeySelector returns. */
export function javaHashCode(key: KeyLike): number {
  const k = toJavaKey(key);
  switch (k.type) {
    case 'String':
      return stringHashCode(k.value);
    case 'Integer':
    case 'Short':
    case 'Byte': {
      const [lo, hi] = INT_RANGE[k.type];
      if (!Number.isInteger(k.value) || k.value < lo || k.value > hi) {
        throw unsupported(`${k.type} out of range: ${k.value}`);
      }
      return k.value | 0;
    }
    case 'Long':
      if (k.value < -(1n << 63n) || k.value >= 1n << 63n) throw unsupported(`Long out of range: ${k.value}`);
      return longHashCode(k.value);
    case 'Boolean':
      return k.value ? 1231 : 1237;
    case 'Character':
      return charCode(k.value);
    case 'Double':
      return doubleHashCode(k.value);
    case 'Float':
      return floatHashCode(k.value);
    case 'Tuple': {
      if (k.fields.length < 1 || k.fields.length > 25) throw unsupported('Flink tuples have 1..25 fields');
      let h = 0;
      for (const f of k.fields) h = (Math.imul(31, h) + (f === null ? 0 : javaHashCode(f))) | 0;
      return h;
    }
    case 'Row': {
      let h = ROW_KIND_BYTE[k.kind ?? 'INSERT'];
      for (const f of k.fields) h = (Math.imul(31, h) + rowFieldHash(f)) | 0;
      return h;
    }
  }
}
