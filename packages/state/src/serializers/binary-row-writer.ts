import { StateError } from '../errors.js';
import { bigToBytes, columnNames, elementSize, nullBitsBytes, parseDecimal, ROW_KIND_KEY, ROW_KIND_NAMES } from './binary-row.js';
import { fromTemporal } from './table-temporal.js';
import type { LogicalType } from './table-types.js';
import { rawBytes } from './values.js';

/**
 * Encodes JavaScript values (the shapes `binary-row.ts` decodes) into `BinaryRowData`,
 * `BinaryArrayData` and `BinaryMapData` bytes laid out as Flink's binary writers lay them out:
 * fixed part first, variable-length values appended in 8-byte aligned pieces, strings and bytes of
 * up to 7 bytes inline in their slot, non-compact DECIMAL in a 16-byte piece.
 */
class Out {
  b: Uint8Array;
  dv: DataView;
  cursor: number;
  constructor(fixed: number) {
    this.b = new Uint8Array(Math.max(64, fixed * 2));
    this.dv = new DataView(this.b.buffer);
    this.cursor = fixed;
  }
  ensure(n: number): void {
    if (this.cursor + n <= this.b.length) return;
    const nb = new Uint8Array(Math.max(this.b.length * 2, this.cursor + n));
    nb.set(this.b);
    this.b = nb;
    this.dv = new DataView(nb.buffer);
  }
  /** Appends `bytes` to the variable part (8-byte aligned) and points the slot at `p` to it. */
  append(p: number, bytes: Uint8Array, reserve = bytes.length): void {
    const rounded = Math.ceil(Math.max(reserve, bytes.length) / 8) * 8;
    this.ensure(rounded);
    this.b.set(bytes, this.cursor);
    this.slot(p, this.cursor, bytes.length);
    this.cursor += rounded;
  }
  slot(p: number, offset: number, low: number): void {
    this.dv.setUint32(p, low, true);
    this.dv.setUint32(p + 4, offset, true);
  }
  finish(): Uint8Array {
    return this.b.slice(0, this.cursor);
  }
}

const utf8 = new TextEncoder();
const fail = (t: LogicalType, v: unknown) => new StateError('BadValue', `cannot write ${typeof v} ${String(v)} as ${t.root}`);

function num(t: LogicalType, v: unknown): number {
  if (typeof v !== 'number') throw fail(t, v);
  return v;
}

function writeValue(o: Out, t: LogicalType, p: number, v: unknown): void {
  const dv = o.dv;
  switch (t.root) {
    case 'BOOLEAN':
      if (typeof v !== 'boolean') throw fail(t, v);
      o.b[p] = v ? 1 : 0;
      return;
    case 'TINYINT':
      dv.setInt8(p, num(t, v));
      return;
    case 'SMALLINT':
      dv.setInt16(p, num(t, v), true);
      return;
    case 'INTEGER':
    case 'INTERVAL_YEAR_MONTH':
      dv.setInt32(p, num(t, v), true);
      return;
    case 'DATE':
    case 'TIME_WITHOUT_TIME_ZONE':
      dv.setInt32(p, Number(fromTemporal(t, v).value), true);
      return;
    case 'BIGINT':
    case 'INTERVAL_DAY_TIME':
      if (typeof v !== 'bigint') throw fail(t, v);
      dv.setBigInt64(p, v, true);
      return;
    case 'FLOAT':
      dv.setFloat32(p, num(t, v), true);
      return;
    case 'DOUBLE':
      dv.setFloat64(p, num(t, v), true);
      return;
    case 'DECIMAL': {
      const u = parseDecimal(v, t.scale ?? 0);
      if ((t.precision ?? 0) <= 18) dv.setBigInt64(p, u, true);
      else o.append(p, bigToBytes(u), 16);
      return;
    }
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE': {
      const { value, nano } = fromTemporal(t, v);
      if ((t.precision ?? 0) <= 3) {
        dv.setBigInt64(p, value, true);
        return;
      }
      const millis = new Uint8Array(8);
      new DataView(millis.buffer).setBigInt64(0, value, true);
      o.append(p, millis);
      o.dv.setUint32(p, nano, true);
      return;
    }
    case 'CHAR':
    case 'VARCHAR':
    case 'BINARY':
    case 'VARBINARY':
    case 'RAW': {
      const bytes = typeof v === 'string' && (t.root === 'CHAR' || t.root === 'VARCHAR') ? utf8.encode(v) : t.root === 'RAW' ? rawBytes(v) : v;
      if (!(bytes instanceof Uint8Array)) throw fail(t, v);
      if (bytes.length <= 7 && t.root !== 'RAW') {
        o.b.set(bytes, p);
        o.b[p + 7] = 0x80 | bytes.length;
      } else {
        o.append(p, bytes);
      }
      return;
    }
    case 'ARRAY':
      if (!Array.isArray(v)) throw fail(t, v);
      o.append(p, encodeBinaryArray(v, t.element!));
      return;
    case 'MAP':
    case 'MULTISET':
      if (!(v instanceof Map)) throw fail(t, v);
      o.append(p, encodeBinaryMap(v, t.root === 'MAP' ? t.key! : t.element!, t.root === 'MAP' ? t.value! : { root: 'INTEGER', nullable: false }));
      return;
    case 'ROW':
    case 'STRUCTURED_TYPE': {
      if (typeof v !== 'object' || v === null) throw fail(t, v);
      const fs = t.fields ?? [];
      o.append(p, encodeBinaryRow(v as Record<string, unknown>, fs.map((f) => f.type), fs.map((f) => f.name)));
      return;
    }
    case 'DISTINCT_TYPE':
      writeValue(o, t.element!, p, v);
      return;
  }
  throw new StateError('UnknownSerializer', `SQL type ${t.root} cannot be written as binary row data`);
}

/** `BinaryRowData` bytes of `row` (`{ column: value }`, `$rowKind` optional). */
export function encodeBinaryRow(row: Record<string, unknown>, types: LogicalType[], names?: string[]): Uint8Array {
  const nb = nullBitsBytes(types.length);
  const o = new Out(nb + 8 * types.length);
  const kind = row[ROW_KIND_KEY] === undefined ? 0 : ROW_KIND_NAMES.indexOf(row[ROW_KIND_KEY] as (typeof ROW_KIND_NAMES)[number]);
  if (kind < 0) throw new StateError('BadValue', `row kind ${String(row[ROW_KIND_KEY])}`);
  o.b[0] = kind;
  const cols = columnNames(types, names);
  types.forEach((t, i) => {
    const v = row[cols[i]!] ?? null;
    if (v === null) {
      const bit = i + 8;
      o.b[bit >> 3] = o.b[bit >> 3]! | (1 << (bit & 7));
    } else {
      writeValue(o, t, nb + 8 * i, v);
    }
  });
  return o.finish();
}

/** `BinaryArrayData` bytes of `values`. */
export function encodeBinaryArray(values: unknown[], el: LogicalType): Uint8Array {
  const n = values.length;
  const header = 4 + Math.floor((n + 31) / 32) * 4;
  const size = elementSize(el);
  const o = new Out(Math.ceil((header + n * size) / 8) * 8);
  o.dv.setInt32(0, n, true);
  values.forEach((v, i) => {
    if (v === null || v === undefined) o.b[4 + (i >> 3)] = o.b[4 + (i >> 3)]! | (1 << (i & 7));
    else writeValue(o, el, header + i * size, v);
  });
  return o.finish();
}

/** `BinaryMapData` bytes of `m`. */
export function encodeBinaryMap(m: Map<unknown, unknown>, kt: LogicalType, vt: LogicalType): Uint8Array {
  const keys = encodeBinaryArray([...m.keys()], kt);
  const values = encodeBinaryArray([...m.values()], vt);
  const out = new Uint8Array(4 + keys.length + values.length);
  new DataView(out.buffer).setInt32(0, keys.length, true);
  out.set(keys, 4);
  out.set(values, 4 + keys.length);
  return out;
}
