import type { ByteReader, ByteWriter } from '@ckpt/format';
import { StateError } from '../errors.js';
import { bigFromBytes, bigToBytes, formatDecimal, parseDecimal, readBinaryArray, readBinaryMap, readBinaryRow } from './binary-row.js';
import { encodeBinaryArray, encodeBinaryMap, encodeBinaryRow } from './binary-row-writer.js';
import type { ValueCodec } from './codecs.js';
import { fromTemporal, toTemporal } from './table-temporal.js';
import { describeLogicalType, readJavaObject, toLogicalType, type LogicalType } from './table-types.js';
import type { SerializerSnapshot } from './snapshot.js';
import { rawBytes, type RawValue } from './values.js';

/**
 * Serializers of Flink's Table runtime (`org.apache.flink.table.runtime.typeutils`), the state of
 * SQL / Table jobs: snapshot payloads (registered by snapshot class) and value codecs.
 * - `RowDataSerializerSnapshot` v3: `int n`, n Java-serialized `LogicalType`s (each its own
 *   stream), the nested serializers block; values are `int length` + `BinaryRowData` bytes.
 * - `BinaryRowDataSerializerSnapshot`: `int arity`; values as above, without field types.
 * - `StringDataSerializer`: `int length` + UTF-8. `DecimalDataSerializer` (`int precision, int
 *   scale`): unscaled `long` when precision ≤ 18, else `int length` + big-endian two's complement.
 *   `TimestampDataSerializer` (`int precision`): `long` millis, plus `int` nanos when precision > 3.
 * - `ExternalSerializer` (composite; outer: Java-serialized `DataType` + `boolean`): values are its
 *   internal serializer's. `RawValueDataSerializer` (composite): `int length` + the inner bytes.
 * - `ArrayDataSerializer` / `MapDataSerializer`: Java-serialized element / key and value types and
 *   serializers; values are `int length` + `BinaryArrayData` / `BinaryMapData`.
 * - `SortedMapSerializerSnapshot` (retracting top-N): the Java-serialized comparator (generated
 *   code, skipped), nested key and value serializers; values as `MapSerializer`'s (`int size`, then
 *   key, `boolean isNull`, value).
 */
const R = 'org.apache.flink.table.runtime.typeutils.';
export const TABLE = {
  rowData: `${R}RowDataSerializer$RowDataSerializerSnapshot`,
  binaryRow: `${R}BinaryRowDataSerializer$BinaryRowDataSerializerSnapshot`,
  stringData: `${R}StringDataSerializer$StringDataSerializerSnapshot`,
  decimal: `${R}DecimalDataSerializer$DecimalSerializerSnapshot`,
  timestamp: `${R}TimestampDataSerializer$TimestampDataSerializerSnapshot`,
  external: `${R}ExternalSerializer$ExternalSerializerSnapshot`,
  rawValue: `${R}RawValueDataSerializer$RawValueDataSerializerSnapshot`,
  arrayData: `${R}ArrayDataSerializer$ArrayDataSerializerSnapshot`,
  mapData: `${R}MapDataSerializer$MapDataSerializerSnapshot`,
  nullSer: 'org.apache.flink.table.dataview.NullSerializer$NullSerializerSnapshot',
  sortedMap: `${R}SortedMapSerializerSnapshot`,
} as const;

export type TableConfig =
  | { kind: 'rowData'; types: LogicalType[] }
  | { kind: 'binaryRow'; arity: number }
  | { kind: 'decimalData'; precision: number; scale: number }
  | { kind: 'timestampData'; precision: number }
  | { kind: 'external'; type: LogicalType }
  | { kind: 'arrayData'; element: LogicalType }
  | { kind: 'mapData'; key: LogicalType; value: LogicalType }
  | { kind: 'sortedMap' }
  | { kind: 'tableSimple' };

/** What the table readers need from `snapshot.ts` (passed in to keep the module graph acyclic). */
export interface TableKit {
  nestedBlock(r: ByteReader): SerializerSnapshot[];
}

const COMPOSITE_MAGIC = 911108;

function logical(r: ByteReader, what: string): LogicalType {
  return r.at(what, () => toLogicalType(readJavaObject(r, what)));
}

/** Reads the payload of a Table-runtime snapshot, or returns undefined for other classes. */
export function readTablePayload(r: ByteReader, snap: SerializerSnapshot, kit: TableKit): boolean {
  const cls = snap.className;
  switch (cls) {
    case TABLE.rowData: {
      if (snap.version < 3) throw new StateError('UnsupportedVersion', `${cls} v${snap.version}`, { offset: r.base + r.offset, path: r.path });
      const n = r.count('row field types', 4);
      const types: LogicalType[] = [];
      for (let i = 0; i < n; i++) types.push(logical(r, `type[${i}]`));
      snap.config = { kind: 'rowData', types };
      snap.nested = kit.nestedBlock(r);
      return true;
    }
    case TABLE.binaryRow:
      snap.config = { kind: 'binaryRow', arity: r.i32('row arity') };
      return true;
    case TABLE.sortedMap:
      readJavaObject(r, 'sorted map comparator');
      snap.config = { kind: 'sortedMap' };
      snap.nested = kit.nestedBlock(r);
      return true;
    case TABLE.stringData:
    case TABLE.nullSer:
      snap.config = { kind: 'tableSimple' };
      return true;
    case TABLE.decimal:
      snap.config = { kind: 'decimalData', precision: r.i32('precision'), scale: r.i32('scale') };
      return true;
    case TABLE.timestamp:
      snap.config = { kind: 'timestampData', precision: r.i32('precision') };
      return true;
    case TABLE.arrayData: {
      const element = logical(r, 'element type');
      readJavaObject(r, 'element serializer');
      snap.config = { kind: 'arrayData', element };
      return true;
    }
    case TABLE.mapData: {
      const key = logical(r, 'key type');
      const value = logical(r, 'value type');
      readJavaObject(r, 'key serializer');
      readJavaObject(r, 'value serializer');
      snap.config = { kind: 'mapData', key, value };
      return true;
    }
    case TABLE.external:
    case TABLE.rawValue: {
      const at = r.offset;
      if (r.i32('magic') !== COMPOSITE_MAGIC) throw new StateError('BadValue', `${cls} is not a composite snapshot`, { offset: r.base + at, path: r.path });
      r.i32('outer snapshot version');
      if (cls === TABLE.external) {
        snap.config = { kind: 'external', type: logical(r, 'data type') };
        r.u8('is internal input');
      } else {
        snap.config = { kind: 'tableSimple' };
      }
      snap.nested = kit.nestedBlock(r);
      return true;
    }
  }
  return false;
}

/** Display name of a Table-runtime snapshot, or undefined. */
export function describeTable(s: SerializerSnapshot, parts: string[]): string | undefined {
  const c = s.config;
  switch (c?.kind) {
    case 'rowData':
      return `RowData<${c.types.map(describeLogicalType).join(', ')}>`;
    case 'binaryRow':
      return `BinaryRowData(${c.arity})`;
    case 'decimalData':
      return `DECIMAL(${c.precision}, ${c.scale})`;
    case 'timestampData':
      return `TIMESTAMP(${c.precision})`;
    case 'external':
      return describeLogicalType(c.type);
    case 'sortedMap':
      return `SortedMap<${parts.join(', ')}>`;
    case 'arrayData':
      return `ARRAY<${describeLogicalType(c.element)}>`;
    case 'mapData':
      return `MAP<${describeLogicalType(c.key)}, ${describeLogicalType(c.value)}>`;
  }
  if (s.className === TABLE.stringData) return 'STRING';
  if (s.className === TABLE.rawValue) return `RAW<${parts[0] ?? '?'}>`;
  if (s.className === TABLE.nullSer) return 'NULL';
  return undefined;
}

type Make = (type: string, cls: string, fixed: number, read: (r: ByteReader) => unknown, write: (w: ByteWriter, v: unknown) => void) => ValueCodec;

function lengthPrefixed(r: ByteReader, what: string): Uint8Array {
  const at = r.offset;
  const n = r.i32(`${what} length`);
  if (n < 0) throw new StateError('BadLength', `${what} length ${n}`, { offset: r.base + at, path: r.path });
  return r.raw(n, what);
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** The codec of a Table-runtime snapshot, or undefined when `s` is not one. */
export function tableCodec(s: SerializerSnapshot, nested: ValueCodec[], type: string, make: Make): ValueCodec | undefined {
  const cls = s.className;
  const c = s.config;
  const bad = (v: unknown) => new StateError('BadValue', `cannot write ${String(v)} as ${type}`);
  switch (c?.kind) {
    case 'rowData':
    case 'binaryRow': {
      const types = c.kind === 'rowData' ? c.types : null;
      return make(type, cls, -1, (r) => {
        const b = lengthPrefixed(r, 'row');
        return types ? r.at('row', () => readBinaryRow(b, types)) : { arity: c.kind === 'binaryRow' ? c.arity : 0, bytes: Uint8Array.from(b) };
      }, (w, v) => {
        if (!types) {
          const o = v as { bytes?: unknown };
          if (!(o?.bytes instanceof Uint8Array)) throw bad(v);
          w.lengthPrefixed(o.bytes);
          return;
        }
        if (typeof v !== 'object' || v === null) throw bad(v);
        w.lengthPrefixed(encodeBinaryRow(v as Record<string, unknown>, types));
      });
    }
    case 'decimalData': {
      const { precision, scale } = c;
      if (precision <= 18) return make(type, cls, 8, (r) => formatDecimal(r.i64('decimal'), scale), (w, v) => w.i64(parseDecimal(v, scale)));
      return make(type, cls, -1, (r) => formatDecimal(bigFromBytes(lengthPrefixed(r, 'decimal')), scale), (w, v) => {
        w.lengthPrefixed(bigToBytes(parseDecimal(v, scale)));
      });
    }
    case 'arrayData': {
      const el = c.element;
      return make(type, cls, -1, (r) => {
        const b = lengthPrefixed(r, 'array');
        return r.at('array', () => readBinaryArray(b, el));
      }, (w, v) => {
        if (!Array.isArray(v)) throw bad(v);
        w.lengthPrefixed(encodeBinaryArray(v, el));
      });
    }
    case 'mapData': {
      const { key, value } = c;
      return make(type, cls, -1, (r) => {
        const b = lengthPrefixed(r, 'map');
        return r.at('map', () => readBinaryMap(b, key, value));
      }, (w, v) => {
        if (!(v instanceof Map)) throw bad(v);
        w.lengthPrefixed(encodeBinaryMap(v, key, value));
      });
    }
    case 'timestampData': {
      const t: LogicalType = { root: 'TIMESTAMP_WITHOUT_TIME_ZONE', nullable: true, precision: c.precision };
      const compact = c.precision <= 3;
      return make(type, cls, compact ? 8 : 12, (r) => {
        const ms = r.i64('timestamp millis');
        return toTemporal(t, ms, compact ? 0 : r.i32('timestamp nanos'));
      }, (w, v) => {
        const { value, nano } = fromTemporal(t, v);
        w.i64(value);
        if (!compact) w.i32(nano);
      });
    }
    case 'external':
      return nested[0] ? { ...nested[0], type, className: cls } : undefined;
  }
  if (cls === TABLE.stringData) {
    return make(type, cls, -1, (r) => utf8d.decode(lengthPrefixed(r, 'string')), (w, v) => {
      if (typeof v !== 'string') throw bad(v);
      w.lengthPrefixed(utf8.encode(v));
    });
  }
  if (cls === TABLE.rawValue) {
    // RAW values: the inner serializer's bytes (the type says which serializer), and the class
    // when the inner snapshot names it (Kryo, POJO, Avro)
    const inner = s.nested[0]?.config;
    const klass = inner?.kind === 'kryo' ? inner.typeClass : inner?.kind === 'pojo' ? inner.pojoClass : inner?.kind === 'avro' ? inner.runtimeClass : null;
    return make(type, cls, -1, (r): RawValue => ({ kind: 'raw', class: klass, bytes: Uint8Array.from(lengthPrefixed(r, 'raw value')) }), (w, v) => {
      const bytes = rawBytes(v);
      if (!bytes) throw bad(v);
      w.lengthPrefixed(bytes);
    });
  }
  return undefined;
}
