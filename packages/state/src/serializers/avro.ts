import type { ByteReader, ByteWriter } from '@ckpt/format';
import { StateError } from '../errors.js';
import type { ValueCodec } from './codecs.js';
import { readF32, readF64, writeF32, writeF64 } from './data.js';

/**
 * Avro values as Flink's `AvroSerializer` writes them: through its `DataOutputEncoder`, i.e. NOT
 * Avro's binary encoding — ints, enum and union indexes are 4-byte big-endian, longs 8 bytes,
 * floats/doubles IEEE big-endian, bytes/strings an `int` length + bytes (UTF-8), fixed raw, null
 * nothing, arrays and maps one block `varlong count` (omitted when empty) + items, then `00`.
 *
 * JavaScript shapes: null, boolean, int → number, long → bigint, float/double → number,
 * bytes/fixed → Uint8Array, string → string, enum → symbol name, array → array, map →
 * `Map<string, …>`, record → `{ field: value }`. A union whose branches have different
 * JavaScript shapes (e.g. `["null", "string"]`) gives the value of its branch; a union where two
 * branches share a shape (string + enum, int + double, bytes + fixed, two records, …) gives
 * `{ kind: 'avroUnion', branch, value }` so that writing it back picks the same branch.
 */
export interface AvroUnionValue {
  kind: 'avroUnion';
  branch: number;
  value: unknown;
}
type Prim = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';
export type AvroType =
  | { t: Prim }
  | { t: 'record'; name: string; fields: { name: string; type: AvroType }[] }
  | { t: 'enum'; name: string; symbols: string[] }
  | { t: 'fixed'; name: string; size: number }
  | { t: 'array'; items: AvroType }
  | { t: 'map'; values: AvroType }
  | { t: 'union'; branches: AvroType[]; tagged?: boolean };

const PRIMS = new Set<string>(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

function schemaError(detail: string): StateError {
  return new StateError('UnknownSerializer', `Avro schema: ${detail}`);
}

function fullName(name: string, ns: string | undefined): string {
  return name.includes('.') || !ns ? name : `${ns}.${name}`;
}

/** Parses an Avro schema (JSON text) into the tree the codec walks; named types may recurse. */
export function parseAvroSchema(json: string): AvroType {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw schemaError(`not JSON (${(e as Error).message})`);
  }
  const named = new Map<string, AvroType>();
  const parse = (s: unknown, ns: string | undefined): AvroType => {
    if (typeof s === 'string') {
      if (PRIMS.has(s)) return { t: s as Prim };
      const found = named.get(fullName(s, ns)) ?? named.get(s);
      if (!found) throw schemaError(`unknown type ${s}`);
      return found;
    }
    if (Array.isArray(s)) {
      const branches = s.map((b) => parse(b, ns));
      const shapes = branches.map(shape);
      return { t: 'union', branches, ...(new Set(shapes).size < shapes.length ? { tagged: true } : {}) };
    }
    if (typeof s !== 'object' || s === null) throw schemaError(`unexpected ${JSON.stringify(s)}`);
    const o = s as Record<string, unknown>;
    const type = o.type;
    const own = typeof o.namespace === 'string' ? o.namespace : ns;
    const name = typeof o.name === 'string' ? fullName(o.name, own) : '';
    const space = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : own;
    switch (type) {
      case 'record':
      case 'error': {
        if (!Array.isArray(o.fields)) throw schemaError(`record ${name} has no fields`);
        const rec: AvroType = { t: 'record', name, fields: [] };
        named.set(name, rec);
        for (const f of o.fields as Record<string, unknown>[]) {
          if (typeof f.name !== 'string') throw schemaError(`a field of ${name} has no name`);
          rec.fields.push({ name: f.name, type: parse(f.type, space) });
        }
        return rec;
      }
      case 'enum': {
        if (!Array.isArray(o.symbols)) throw schemaError(`enum ${name} has no symbols`);
        const e: AvroType = { t: 'enum', name, symbols: o.symbols.map(String) };
        named.set(name, e);
        return e;
      }
      case 'fixed': {
        if (typeof o.size !== 'number') throw schemaError(`fixed ${name} has no size`);
        const f: AvroType = { t: 'fixed', name, size: o.size };
        named.set(name, f);
        return f;
      }
      case 'array':
        return { t: 'array', items: parse(o.items, ns) };
      case 'map':
        return { t: 'map', values: parse(o.values, ns) };
      default:
        return parse(type, ns); // {"type": "long", "logicalType": ...} and nested type objects
    }
  };
  return parse(doc, undefined);
}

/** The JavaScript shape a type's values have (two union branches of one shape are ambiguous). */
function shape(t: AvroType): string {
  switch (t.t) {
    case 'int':
    case 'float':
    case 'double':
      return 'number';
    case 'bytes':
    case 'fixed':
      return 'bytes';
    case 'enum':
      return 'string';
    default:
      return t.t;
  }
}

/** Fewest bytes a value of `t` takes (0 only for null and records of nulls). */
function minWidth(t: AvroType, seen = new Set<AvroType>()): number {
  switch (t.t) {
    case 'null':
      return 0;
    case 'boolean':
    case 'array':
    case 'map':
      return 1;
    case 'long':
    case 'double':
      return 8;
    case 'fixed':
      return t.size;
    case 'record': {
      if (seen.has(t)) return 0;
      seen.add(t);
      return t.fields.reduce((n, f) => n + minWidth(f.type, seen), 0);
    }
    default:
      return 4;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // keep a leading U+FEFF
const toUtf8 = new TextEncoder();

function readCount(r: ByteReader): number {
  const at = r.offset;
  let v = 0;
  for (let shift = 0; shift < 63; shift += 7) {
    const b = r.u8('block count');
    v += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) {
      if (!Number.isSafeInteger(v)) break;
      return v;
    }
  }
  throw new StateError('BadValue', 'Avro block count too large', { offset: r.base + at, path: r.path });
}

function writeCount(w: ByteWriter, n: number): void {
  while (n >= 0x80) {
    w.u8((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  w.u8(n);
}

function readBlocks(r: ByteReader, itemType: AvroType, item: () => void): void {
  const width = minWidth(itemType);
  for (let n = readCount(r); n > 0; n = readCount(r)) {
    if (width > 0) r.need(n * width, 'Avro block items');
    for (let i = 0; i < n; i++) item();
  }
}

function readString(r: ByteReader): string {
  const at = r.offset;
  const b = r.lengthPrefixed('Avro string');
  try {
    return utf8.decode(b);
  } catch {
    throw new StateError('BadUtf', 'Avro string is not UTF-8', { offset: r.base + at, path: r.path });
  }
}

export function readAvro(t: AvroType, r: ByteReader): unknown {
  switch (t.t) {
    case 'null':
      return null;
    case 'boolean':
      return r.u8('Avro boolean') !== 0;
    case 'int':
      return r.i32('Avro int');
    case 'long':
      return r.i64('Avro long');
    case 'float':
      return readF32(r, 'Avro float');
    case 'double':
      return readF64(r, 'Avro double');
    case 'bytes':
      return r.lengthPrefixed('Avro bytes').slice();
    case 'string':
      return readString(r);
    case 'fixed':
      return r.raw(t.size, `Avro fixed ${t.name}`).slice();
    case 'enum': {
      const at = r.offset;
      const i = r.i32('Avro enum index');
      const s = t.symbols[i];
      if (s === undefined) throw new StateError('BadValue', `enum ${t.name} has no symbol ${i}`, { offset: r.base + at, path: r.path });
      return s;
    }
    case 'union': {
      const at = r.offset;
      const i = r.i32('Avro union index');
      const b = t.branches[i];
      if (!b) throw new StateError('BadValue', `union has no branch ${i}`, { offset: r.base + at, path: r.path });
      const value = readAvro(b, r);
      return t.tagged ? ({ kind: 'avroUnion', branch: i, value } satisfies AvroUnionValue) : value;
    }
    case 'array': {
      const out: unknown[] = [];
      readBlocks(r, t.items, () => out.push(r.at(`[${out.length}]`, () => readAvro(t.items, r))));
      return out;
    }
    case 'map': {
      const out = new Map<string, unknown>();
      readBlocks(r, { t: 'string' }, () => {
        const k = readString(r);
        out.set(k, r.at(`[${k}]`, () => readAvro(t.values, r)));
      });
      return out;
    }
    case 'record': {
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = r.at(f.name, () => readAvro(f.type, r));
      return out;
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Uint8Array);
}

/** Whether `v` has the JavaScript shape of type `t` (union branch choice). */
function accepts(t: AvroType, v: unknown): boolean {
  switch (t.t) {
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
    case 'long':
      return typeof v === 'bigint';
    case 'float':
    case 'double':
      return typeof v === 'number';
    case 'bytes':
      return v instanceof Uint8Array;
    case 'fixed':
      return v instanceof Uint8Array && v.length === t.size;
    case 'string':
      return typeof v === 'string';
    case 'enum':
      return typeof v === 'string' && t.symbols.includes(v);
    case 'array':
      return Array.isArray(v);
    case 'map':
      return v instanceof Map;
    case 'record':
      return isRecord(v) && t.fields.every((f) => f.name in v);
    case 'union':
      if (t.tagged) {
        const u = v as AvroUnionValue;
        return u?.kind === 'avroUnion' && t.branches[u.branch] !== undefined && accepts(t.branches[u.branch]!, u.value);
      }
      return t.branches.some((b) => accepts(b, v));
  }
}

function bad(t: AvroType, v: unknown): StateError {
  return new StateError('BadValue', `cannot write ${typeof v} ${String(v)} as Avro ${t.t}`);
}

export function writeAvro(t: AvroType, w: ByteWriter, v: unknown): void {
  if (t.t !== 'union' && !accepts(t, v)) throw bad(t, v);
  switch (t.t) {
    case 'null':
      return;
    case 'boolean':
      return w.u8(v ? 1 : 0);
    case 'int':
      return w.i32(v as number);
    case 'long':
      return w.i64(v as bigint);
    case 'float':
      return writeF32(w, v as number);
    case 'double':
      return writeF64(w, v as number);
    case 'bytes':
      return w.lengthPrefixed(v as Uint8Array);
    case 'string':
      return w.lengthPrefixed(toUtf8.encode(v as string));
    case 'fixed':
      return w.raw(v as Uint8Array);
    case 'enum':
      return w.i32(t.symbols.indexOf(v as string));
    case 'union': {
      if (t.tagged) {
        if (!accepts(t, v)) throw bad(t, v);
        const u = v as AvroUnionValue;
        w.i32(u.branch);
        return writeAvro(t.branches[u.branch]!, w, u.value);
      }
      const i = t.branches.findIndex((b) => accepts(b, v));
      if (i < 0) throw bad(t, v);
      w.i32(i);
      return writeAvro(t.branches[i]!, w, v);
    }
    case 'array': {
      const a = v as unknown[];
      if (a.length > 0) writeCount(w, a.length);
      for (const x of a) writeAvro(t.items, w, x);
      return w.u8(0);
    }
    case 'map': {
      const m = v as Map<string, unknown>;
      if (m.size > 0) writeCount(w, m.size);
      for (const [k, x] of m) {
        if (typeof k !== 'string') throw bad({ t: 'string' }, k);
        w.lengthPrefixed(toUtf8.encode(k));
        writeAvro(t.values, w, x);
      }
      return w.u8(0);
    }
    case 'record': {
      const o = v as Record<string, unknown>;
      for (const f of t.fields) writeAvro(f.type, w, o[f.name]);
      return;
    }
  }
}

/** The codec of an `AvroSerializerSnapshot` from its schema. */
export function avroCodec(type: string, className: string, schema: string): ValueCodec {
  const t = parseAvroSchema(schema);
  return { type, className, fixedLength: -1, opaque: false, read: (r) => readAvro(t, r), write: (w, v) => writeAvro(t, w, v) };
}
