import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ByteReader, ByteWriter } from '@ckpt/format';
import { codecFor, encodeBinaryRow, readBinaryRow, type LogicalType, type SerializerSnapshot } from '../src/index.js';
import { formatDecimal } from '../src/serializers/binary-row.js';
import { toTemporal } from '../src/serializers/table-temporal.js';

/**
 * BinaryRowData round trips over random SQL types (every logical type the decoder knows, nested
 * ROW / ARRAY / MAP / MULTISET, nullability) and values: decode(encode(row)) == row; plus the
 * layout facts the decoder relies on, checked on the encoder's bytes.
 */
const leafRoots = [
  'BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL', 'CHAR', 'VARCHAR', 'BINARY',
  'VARBINARY', 'DATE', 'TIME_WITHOUT_TIME_ZONE', 'TIMESTAMP_WITHOUT_TIME_ZONE', 'TIMESTAMP_WITH_LOCAL_TIME_ZONE',
  'INTERVAL_YEAR_MONTH', 'INTERVAL_DAY_TIME', 'RAW',
] as const;

const leaf: fc.Arbitrary<LogicalType> = fc
  .record({ root: fc.constantFrom(...leafRoots), nullable: fc.boolean(), precision: fc.integer({ min: 0, max: 9 }), wide: fc.boolean() })
  .map(({ root, nullable, precision, wide }): LogicalType => {
    if (root === 'DECIMAL') {
      const p = wide ? 19 + (precision * 2) : 1 + precision * 2;
      return { root, nullable, precision: p, scale: Math.min(p, precision) };
    }
    if (root === 'TIME_WITHOUT_TIME_ZONE') return { root, nullable, precision: Math.min(precision, 3) };
    if (root.startsWith('TIMESTAMP')) return { root, nullable, precision };
    return { root, nullable };
  });

const typeArb: fc.Arbitrary<LogicalType> = fc.letrec<{ t: LogicalType }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ root: fc.constant('ARRAY'), nullable: fc.boolean(), element: tie('t') }),
    fc.record({ root: fc.constant('MULTISET'), nullable: fc.boolean(), element: leaf }),
    fc.record({ root: fc.constant('MAP'), nullable: fc.boolean(), key: leaf, value: tie('t') }),
    fc.array(tie('t'), { minLength: 1, maxLength: 4 }).map((ts): LogicalType => ({ root: 'ROW', nullable: true, fields: ts.map((type, i) => ({ name: `c${i}`, type })) })),
  ),
})).t;

const DAY_MIN = -719162; // 0001-01-01
const DAY_MAX = 2932896; // 9999-12-31
const big = (digits: number) => fc.bigInt({ min: -(10n ** BigInt(digits)) + 1n, max: 10n ** BigInt(digits) - 1n });

function valueArb(t: LogicalType): fc.Arbitrary<unknown> {
  const v = nonNull(t);
  return t.nullable ? fc.option(v, { nil: null }) : v;
}

function nonNull(t: LogicalType): fc.Arbitrary<unknown> {
  switch (t.root) {
    case 'BOOLEAN': return fc.boolean();
    case 'TINYINT': return fc.integer({ min: -128, max: 127 });
    case 'SMALLINT': return fc.integer({ min: -32768, max: 32767 });
    case 'INTEGER': case 'INTERVAL_YEAR_MONTH': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'BIGINT': case 'INTERVAL_DAY_TIME': return fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    case 'FLOAT': return fc.float({ noNaN: true }).map(Math.fround);
    case 'DOUBLE': return fc.double({ noNaN: true });
    case 'DECIMAL': return big(t.precision!).map((u) => formatDecimal(u, t.scale!));
    case 'CHAR': case 'VARCHAR': return fc.string({ unit: 'grapheme', maxLength: 12 });
    case 'BINARY': case 'VARBINARY': return fc.uint8Array({ maxLength: 20 });
    case 'RAW': return fc.uint8Array({ maxLength: 20 }).map((bytes) => ({ kind: 'raw', class: t.className ?? null, bytes }));
    case 'DATE': return fc.integer({ min: DAY_MIN, max: DAY_MAX }).map((d) => toTemporal(t, BigInt(d), 0));
    case 'TIME_WITHOUT_TIME_ZONE': return fc.integer({ min: 0, max: 86_399_999 }).map((ms) => toTemporal(t, BigInt(ms), 0));
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE':
      return fc
        .tuple(fc.integer({ min: DAY_MIN, max: DAY_MAX }), fc.integer({ min: 0, max: 86_399_999 }), fc.integer({ min: 0, max: 999_999 }))
        .map(([d, ms, nano]) => toTemporal(t, BigInt(d) * 86_400_000n + BigInt(ms), t.precision! > 3 ? nano : 0));
    case 'ARRAY': return fc.array(valueArb(t.element!), { maxLength: 5 });
    case 'MULTISET': return fc.array(fc.tuple(nonNull(t.element!), fc.integer({ min: 1, max: 9 })), { maxLength: 4 }).map((e) => new Map(e));
    case 'MAP': return fc.array(fc.tuple(nonNull(t.key!), valueArb(t.value!)), { maxLength: 4 }).map((e) => new Map(e));
    case 'ROW': return fc.tuple(...t.fields!.map((f) => valueArb(f.type))).map((vs) => Object.fromEntries(t.fields!.map((f, i) => [f.name, vs[i]])));
  }
  throw new Error(t.root);
}

const rowArb = fc
  .array(typeArb, { minLength: 0, maxLength: 6 })
  .chain((types) => fc.tuple(fc.constant(types), fc.tuple(...types.map(valueArb)), fc.constantFrom(undefined, 'UPDATE_AFTER', 'DELETE')));

function asRow(types: LogicalType[], values: unknown[], kind: string | undefined): Record<string, unknown> {
  const row: Record<string, unknown> = Object.fromEntries(types.map((_, i) => [`f${i}`, values[i]]));
  if (kind) row.$rowKind = kind;
  return row;
}

describe('BinaryRowData', () => {
  test('decode(encode(row)) == row for random types and values', () => {
    fc.assert(
      fc.property(rowArb, ([types, values, kind]) => {
        const row = asRow(types, values, kind);
        const bytes = encodeBinaryRow(row, types);
        expect(bytes.length % 8).toBe(0);
        expect(bytes.length).toBeGreaterThanOrEqual(Math.floor((types.length + 63 + 8) / 64) * 8 + 8 * types.length);
        expect(readBinaryRow(bytes, types)).toEqual(row);
      }),
      { numRuns: 300 },
    );
  });

  test('null bits, row kind and inline strings sit where Flink puts them', () => {
    const types: LogicalType[] = [{ root: 'VARCHAR', nullable: true }, { root: 'BIGINT', nullable: true }, { root: 'VARCHAR', nullable: true }];
    const b = encodeBinaryRow({ f0: 'abc', f1: null, f2: 'longer than seven', $rowKind: 'UPDATE_BEFORE' }, types);
    expect(b[0]).toBe(1); // RowKind UPDATE_BEFORE
    expect(b[1]).toBe(0b10); // field 1 null: bit 9
    const dv = new DataView(b.buffer);
    expect([...b.subarray(8, 11)]).toEqual([0x61, 0x62, 0x63]);
    expect(b[15]).toBe(0x80 | 3); // inline mark + length in the slot's top byte
    expect(dv.getUint32(24, true)).toBe(17); // length of the variable-part string
    expect(dv.getUint32(28, true)).toBe(32); // its offset: right after the 8 + 3 × 8 fixed part
    expect(b.length).toBe(32 + 24);
  });

  test('RowDataSerializer values: int length + row bytes, through the codec', () => {
    const snap: SerializerSnapshot = {
      className: 'org.apache.flink.table.runtime.typeutils.RowDataSerializer$RowDataSerializerSnapshot',
      version: 3,
      nested: [],
      config: { kind: 'rowData', types: [{ root: 'VARCHAR', nullable: true, length: 2147483647 }, { root: 'DECIMAL', nullable: false, precision: 30, scale: 4 }] },
    };
    const c = codecFor(snap);
    expect(c.type).toBe('RowData<STRING, DECIMAL(30, 4) NOT NULL>');
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: null }), big(30), (s, u) => {
        const row = { f0: s, f1: formatDecimal(u, 4) };
        const w = new ByteWriter(64);
        c.write(w, row);
        const bytes = w.finish();
        expect(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0)).toBe(bytes.length - 4);
        const r = new ByteReader(bytes);
        expect(c.read(r)).toEqual(row);
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  test('bytes that do not fit the types are refused with a typed error', () => {
    const types: LogicalType[] = [{ root: 'VARCHAR', nullable: true }];
    const b = encodeBinaryRow({ f0: 'a string longer than 7' }, types);
    new DataView(b.buffer).setUint32(12, 4000, true); // offset far past the end
    expect(() => readBinaryRow(b, types)).toThrow(expect.objectContaining({ code: 'BadValue' }));
    expect(() => readBinaryRow(b.subarray(0, 12), types)).toThrow(expect.objectContaining({ code: 'BadValue' }));
  });
});
