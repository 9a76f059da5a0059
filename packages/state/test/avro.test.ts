import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ByteReader, base64ToBytes, bytesToBase64 } from '@ckpt/format';
import { codecFor, encodeValue, isOpaque, readVersionedSnapshot } from '../src/index.js';
import { parseAvroSchema, readAvro, writeAvro, type AvroType } from '../src/serializers/avro.js';
import { ByteWriter } from '@ckpt/format';

// Written by real Flink 2.3 (conformance/run.sh 2.3 avro-values): the AvroSerializer snapshot and
// records of a schema that uses every Avro type, serialized by Flink's AvroSerializer.
const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'data/avro-values-2.3.0.json'), 'utf8')) as {
  flinkVersion: string;
  schema: string;
  snapshot: string;
  values: { bytes: string; value: unknown }[];
};

/** The oracle's JSON form: longs as decimal strings, bytes as base64, NaN as "NaN", maps as objects. */
function jsonForm(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (v instanceof Uint8Array) return bytesToBase64(v);
  if (Array.isArray(v)) return v.map(jsonForm);
  if (v && typeof v === 'object' && (v as { kind?: string }).kind === 'avroUnion') return jsonForm((v as { value: unknown }).value);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, jsonForm(x)]));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonForm(x)]));
  return v;
}

describe('Avro values (Flink AvroSerializer / DataOutputEncoder)', () => {
  const snap = readVersionedSnapshot(new ByteReader(base64ToBytes(oracle.snapshot)));
  const codec = codecFor(snap);

  test('the snapshot gives the schema and a decoding codec', () => {
    expect(snap.config).toMatchObject({ kind: 'avro', runtimeClass: 'org.apache.avro.generic.GenericRecord' });
    // Flink stores Avro's normalized schema text (short names inside the namespace)
    const stored = (snap.config as { schema: string }).schema;
    expect(parseAvroSchema(stored)).toEqual(parseAvroSchema(oracle.schema));
    expect(codec.opaque).toBe(false);
    expect(oracle.values.length).toBeGreaterThan(20);
  });

  test('every record Flink serialized decodes to its values, and encodes back to the same bytes', () => {
    for (const [i, { bytes, value }] of oracle.values.entries()) {
      const b = base64ToBytes(bytes);
      const r = new ByteReader(b);
      const v = codec.read(r);
      expect(r.remaining, `record ${i}`).toBe(0);
      expect(jsonForm(v), `record ${i}`).toEqual(value);
      expect(bytesToBase64(encodeValue(codec, v)), `record ${i}`).toBe(bytes);
    }
  });

  test('a schema ckpt does not understand degrades to opaque bytes with the reason in the type', () => {
    const bad = codecFor({ ...snap, config: { kind: 'avro', runtimeClass: null, schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"Nope"}]}' } });
    expect(bad.opaque).toBe(true);
    expect(bad.type).toMatch(/unknown type Nope/);
    const v = { kind: 'opaque', serializer: bad.className, bytes: Uint8Array.of(1, 2) };
    expect(isOpaque(v)).toBe(true);
  });

  test('read(write(x)) == x and write(read(b)) == b for random values of random schemas', () => {
    const prim = fc.constantFrom<AvroType>({ t: 'null' }, { t: 'boolean' }, { t: 'int' }, { t: 'long' }, { t: 'float' }, { t: 'double' }, { t: 'bytes' }, { t: 'string' });
    const { type } = fc.letrec<{ type: AvroType }>((tie) => ({
      type: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        prim,
        fc.record({ t: fc.constant('array' as const), items: tie('type') }),
        fc.record({ t: fc.constant('map' as const), values: tie('type') }),
        fc.record({ t: fc.constant('record' as const), name: fc.constant('R'), fields: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z]{1,6}$/), type: tie('type') }), { selector: (f) => f.name, maxLength: 4 }) }),
        fc.record({ t: fc.constant('enum' as const), name: fc.constant('E'), symbols: fc.uniqueArray(fc.stringMatching(/^[A-Z]{1,4}$/), { minLength: 1, maxLength: 5 }) }),
        fc.record({ t: fc.constant('fixed' as const), name: fc.constant('F'), size: fc.integer({ min: 0, max: 9 }) }),
        fc.record({ t: fc.constant('union' as const), branches: fc.constant<AvroType[]>([{ t: 'null' }, { t: 'string' }]) }),
        fc.constant<AvroType>({ t: 'union', branches: [{ t: 'string' }, { t: 'enum', name: 'E2', symbols: ['A', 'B'] }, { t: 'int' }, { t: 'double' }], tagged: true }),
      ),
    }));
    const valueOf = (t: AvroType): fc.Arbitrary<unknown> => {
      switch (t.t) {
        case 'null': return fc.constant(null);
        case 'boolean': return fc.boolean();
        case 'int': return fc.integer({ min: -2147483648, max: 2147483647 });
        case 'long': return fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
        case 'float': return fc.float({ noNaN: true }).map(Math.fround);
        case 'double': return fc.double({ noNaN: true });
        case 'bytes': return fc.uint8Array({ maxLength: 20 });
        // also strings that start with U+FEFF, which a default TextDecoder would drop as a BOM
        case 'string': return fc.oneof(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.string({ maxLength: 5 }).map((x) => `\ufeff${x}`));
        case 'fixed': return fc.uint8Array({ minLength: t.size, maxLength: t.size });
        case 'enum': return fc.constantFrom(...t.symbols);
        case 'array': return fc.array(valueOf(t.items), { maxLength: 200 });
        case 'map': return fc.uniqueArray(fc.tuple(fc.string({ maxLength: 5 }), valueOf(t.values)), { selector: ([k]) => k, maxLength: 5 }).map((e) => new Map(e));
        case 'record': return fc.tuple(...t.fields.map((f) => valueOf(f.type))).map((vs) => Object.fromEntries(t.fields.map((f, i) => [f.name, vs[i]])));
        case 'union':
          return t.tagged
            ? fc.oneof(...t.branches.map((b, branch) => valueOf(b).map((value) => ({ kind: 'avroUnion', branch, value }))))
            : fc.oneof(...t.branches.map(valueOf));
      }
    };
    fc.assert(
      fc.property(type.chain((t) => fc.tuple(fc.constant(t), valueOf(t))), ([t, v]) => {
        const w = new ByteWriter(64);
        writeAvro(t, w, v);
        const bytes = w.finish();
        const r = new ByteReader(bytes);
        const back = readAvro(t, r);
        expect(r.remaining).toBe(0);
        expect(back).toEqual(v);
        const w2 = new ByteWriter(64);
        writeAvro(t, w2, back);
        expect(w2.finish()).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  test('the schema parser resolves namespaces, logical types and recursive records', () => {
    const t = parseAvroSchema(oracle.schema);
    expect(t.t).toBe('record');
    const fields = (t as Extract<AvroType, { t: 'record' }>).fields;
    expect(fields.find((f) => f.name === 'when')!.type).toEqual({ t: 'long' });
    const child = fields.find((f) => f.name === 'child')!.type as Extract<AvroType, { t: 'union' }>;
    expect(child.branches[1]).toBe(t);
    expect(() => parseAvroSchema('{')).toThrow(/not JSON/);
    const choice = fields.find((f) => f.name === 'choice')!.type as Extract<AvroType, { t: 'union' }>;
    expect(choice.tagged).toBe(true); // string and enum Color: both strings in JavaScript
    expect((fields.find((f) => f.name === 'note')!.type as Extract<AvroType, { t: 'union' }>).tagged).toBeUndefined();
  });
});
