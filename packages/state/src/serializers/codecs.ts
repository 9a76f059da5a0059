import { ByteWriter, type ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import {
  readBool,
  readF32,
  readF64,
  readI16,
  readStringValue,
  writeBool,
  writeF32,
  writeF64,
  writeI16,
  writeStringValue,
} from './data.js';
import { CLS, SIMPLE, describeSnapshot, type SerializerSnapshot } from './snapshot.js';
import { avroCodec } from './avro.js';
import { cepCodec } from './cep.js';
import { kryoCodec } from './kryo.js';
import { scalaCodec, type CodecKit } from './scala.js';
import { pojoCodec, rowCodec } from './structured.js';
import { tableCodec } from './table.js';
import { javaSerializedCodec } from './java-value.js';
import { ROW_KINDS, type EitherValue, type OpaqueValue, type TimerValue, type TimeWindowValue, type TtlValue } from './values.js';

/**
 * Reads and writes the values of one serializer, built from its snapshot. `fixedLength` is
 * Flink's `getLength()` (−1 variable; VoidNamespace reports 0 although it writes a byte).
 */
export interface ValueCodec {
  readonly type: string;
  readonly className: string;
  readonly fixedLength: number;
  /** True when values cannot be read from a stream (unknown serializer): only whole byte ranges. */
  readonly opaque: boolean;
  read(r: ByteReader): unknown;
  /**
   * Reads a value that fills the rest of `r`'s window (a keyed value, an operator state element);
   * only codecs whose values end in data that cannot be delimited (Kryo) have it.
   */
  readWhole?(r: ByteReader): unknown;
  write(w: ByteWriter, v: unknown): void;
}

const LONG_MIN = -(1n << 63n);

function codec(
  type: string,
  className: string,
  fixedLength: number,
  read: (r: ByteReader) => unknown,
  write: (w: ByteWriter, v: unknown) => void,
): ValueCodec {
  return { type, className, fixedLength, opaque: false, read, write };
}

function bad(what: string, v: unknown): StateError {
  return new StateError('BadValue', `cannot write ${typeof v} ${String(v)} as ${what}`);
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number') throw bad(what, v);
  return v;
}

function big(v: unknown, what: string): bigint {
  if (typeof v !== 'bigint') throw bad(what, v);
  return v;
}

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw bad(what, v);
  return v;
}

/** A codec for bytes nobody can interpret; reading from a stream is impossible. */
export function opaqueCodec(className: string, type = className): ValueCodec {
  return {
    type,
    className,
    fixedLength: -1,
    opaque: true,
    read(r) {
      throw new StateError('UnknownSerializer', `values of ${className} cannot be decoded (no length prefix to skip them)`, {
        offset: r.base + r.offset,
        path: r.path,
      });
    },
    write(w, v) {
      const o = v as OpaqueValue;
      if (o?.kind !== 'opaque') throw bad(className, v);
      w.raw(o.bytes);
    },
  };
}

function primitiveArray(name: string, el: ValueCodec): ValueCodec {
  return codec(`${name}[]`, name, -1, (r) => {
    const n = r.count(`${name}[] length`, Math.max(1, el.fixedLength));
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(el.read(r));
    return out;
  }, (w, v) => {
    const a = arr(v, `${name}[]`);
    w.i32(a.length);
    for (const x of a) el.write(w, x);
  });
}

const SIMPLE_CODECS: Record<string, (cls: string) => ValueCodec> = {
  Int: (c) => codec('Int', c, 4, (r) => r.i32(), (w, v) => w.i32(num(v, 'Int'))),
  Long: (c) => codec('Long', c, 8, (r) => r.i64(), (w, v) => w.i64(big(v, 'Long'))),
  Short: (c) => codec('Short', c, 2, (r) => readI16(r), (w, v) => writeI16(w, num(v, 'Short'))),
  Byte: (c) => codec('Byte', c, 1, (r) => r.i8(), (w, v) => w.u8(num(v, 'Byte'))),
  Boolean: (c) => codec('Boolean', c, 1, (r) => readBool(r), (w, v) => writeBool(w, v === true)),
  Char: (c) =>
    codec('Char', c, 2, (r) => String.fromCharCode(r.u16('char')), (w, v) => {
      if (typeof v !== 'string' || v.length !== 1) throw bad('Char', v);
      w.u16(v.charCodeAt(0));
    }),
  Float: (c) => codec('Float', c, 4, (r) => readF32(r), (w, v) => writeF32(w, num(v, 'Float'))),
  Double: (c) => codec('Double', c, 8, (r) => readF64(r), (w, v) => writeF64(w, num(v, 'Double'))),
  String: (c) =>
    codec('String', c, -1, (r) => readStringValue(r), (w, v) => {
      if (v !== null && typeof v !== 'string') throw bad('String', v);
      writeStringValue(w, v);
    }),
  Void: (c) => codec('Void', c, 1, (r) => (r.u8('void'), null), (w) => w.u8(0)),
  Unit: (c) => codec('Unit', c, 1, (r) => (r.u8('unit'), null), (w) => w.u8(0)),
  VoidNamespace: (c) => codec('VoidNamespace', c, 0, (r) => (r.u8('void namespace'), null), (w) => w.u8(0)),
  GlobalWindow: (c) => codec('GlobalWindow', c, 0, (r) => (r.u8('global window'), null), (w) => w.u8(0)),
  TimeWindow: (c) =>
    codec('TimeWindow', c, 16, (r): TimeWindowValue => ({ kind: 'timeWindow', start: r.i64('window start'), end: r.i64('window end') }), (w, v) => {
      const t = v as Partial<Record<keyof TimeWindowValue, unknown>> | null;
      w.i64(big(t?.start, 'TimeWindow.start'));
      w.i64(big(t?.end, 'TimeWindow.end'));
    }),
  CountWindow: (c) => codec('CountWindow', c, 8, (r) => ({ kind: 'countWindow', id: r.i64('window id') }), (w, v) => w.i64(big((v as { id?: unknown } | null)?.id, 'CountWindow.id'))),
  // a long with its sign bit flipped (sorts as unsigned bytes)
  SortedLong: (c) => codec('Long', c, 8, (r) => BigInt.asIntN(64, r.i64('sorted long') ^ LONG_MIN), (w, v) => w.i64(BigInt.asIntN(64, big(v, 'Long') ^ LONG_MIN))),
  JavaSerialized: (c) => javaSerializedCodec(c),
  'Byte[]': (c) =>
    codec('Byte[]', c, -1, (r) => r.lengthPrefixed('byte[]'), (w, v) => {
      if (!(v instanceof Uint8Array)) throw bad('byte[]', v);
      w.lengthPrefixed(v);
    }),
};
for (const t of ['Int', 'Long', 'Short', 'Boolean', 'Char', 'Float', 'Double']) {
  SIMPLE_CODECS[`${t}[]`] = (c) => primitiveArray(t, SIMPLE_CODECS[t]!(c));
}

/**
 * The codecs of simple serializers by class name, made once: every state and every handle that
 * uses one calls the same functions (a reader's call sites stay monomorphic from one handle to the
 * next). Codecs are never changed after they are made.
 */
const simpleCodecs = new Map<string, ValueCodec>();

/** Builds the codec for a serializer snapshot; unknown serializers give an opaque codec. */
export function codecFor(s: SerializerSnapshot): ValueCodec {
  const simple = SIMPLE[s.className];
  if (simple !== undefined) {
    const make = SIMPLE_CODECS[simple];
    if (make === undefined) return cepCodec(s, [], simple, codec) ?? opaqueCodec(s.className, simple);
    let c = simpleCodecs.get(s.className);
    if (c === undefined) simpleCodecs.set(s.className, (c = make(s.className)));
    return c;
  }
  const nested = s.nested.map(codecFor);
  const type = describeSnapshot(s);
  switch (s.className) {
    case CLS.list:
    case CLS.arrayList:
      return listCodec(type, s.className, nested[0]!);
    case CLS.map:
      return mapCodec(type, s.className, nested[0]!, nested[1]!);
    case CLS.ttl:
      return ttlCodec(type, s.className, nested[0]!, nested[1]!);
    case CLS.timer:
      return timerCodec(type, s.className, nested[0]!, nested[1]!);
    case CLS.either:
      return eitherCodec(type, s.className, nested[0]!, nested[1]!);
  }
  const scala = scalaCodec(s, nested, type, KIT);
  if (scala) return scala;
  const cep = cepCodec(s, nested, type, codec);
  if (cep) return anyOpaque(type, s.className, nested) ?? cep;
  // a SortedMapSerializer (retracting top-N) writes its entries as MapSerializer does
  if (s.config?.kind === 'sortedMap') return mapCodec(type, s.className, nested[0]!, nested[1]!);
  const table = tableCodec(s, nested, type, codec);
  if (table) return table;
  const cfg = s.config;
  if (cfg?.kind === 'tuple') return tupleCodec(type, s.className, nested);
  if (cfg?.kind === 'row') return rowCodec(type, s.className, nested, cfg.supportsRowKind);
  if (cfg?.kind === 'pojo') return pojoCodec(type, s.className, cfg.fields.map((f) => ({ name: f.name, codec: f.snapshot ? codecFor(f.snapshot) : opaqueCodec('?') })));
  if (cfg?.kind === 'kryo') return kryoCodec(type, s.className, cfg.typeClass);
  if (cfg?.kind === 'avro') {
    try {
      return avroCodec(type, s.className, cfg.schema);
    } catch (e) {
      // a schema ckpt does not understand: raw bytes, and the reason in the type
      return opaqueCodec(s.className, `${type} (${(e as Error).message})`);
    }
  }
  if (cfg?.kind === 'enum') {
    const names = cfg.constants;
    return codec(type, s.className, 4, (r) => {
      const at = r.offset;
      const i = r.i32('enum ordinal');
      const name = names[i];
      if (name === undefined) throw new StateError('BadValue', `enum ordinal ${i} out of range`, { offset: r.base + at, path: r.path });
      return name;
    }, (w, v) => {
      const i = names.indexOf(v as string);
      if (i < 0) throw bad(type, v);
      w.i32(i);
    });
  }
  return opaqueCodec(s.className, type);
}

function anyOpaque(type: string, cls: string, parts: ValueCodec[]): ValueCodec | undefined {
  return parts.some((p) => p.opaque) ? opaqueCodec(cls, type) : undefined;
}

function listCodec(type: string, cls: string, el: ValueCodec): ValueCodec {
  return anyOpaque(type, cls, [el]) ?? codec(type, cls, -1, (r) => {
    const n = r.count('list size', Math.max(1, el.fixedLength));
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(el.read(r));
    return out;
  }, (w, v) => {
    const a = arr(v, type);
    w.i32(a.length);
    for (const x of a) el.write(w, x);
  });
}

function mapCodec(type: string, cls: string, k: ValueCodec, val: ValueCodec): ValueCodec {
  return anyOpaque(type, cls, [k, val]) ?? codec(type, cls, -1, (r) => {
    const n = r.count('map size', 2);
    const out = new Map<unknown, unknown>();
    for (let i = 0; i < n; i++) {
      const key = k.read(r);
      out.set(key, readBool(r, 'map value is null') ? null : val.read(r));
    }
    return out;
  }, (w, v) => {
    if (!(v instanceof Map)) throw bad(type, v);
    w.i32(v.size);
    for (const [key, x] of v) {
      k.write(w, key);
      writeBool(w, x === null);
      if (x !== null) val.write(w, x);
    }
  });
}

function tupleCodec(type: string, cls: string, fields: ValueCodec[]): ValueCodec {
  const fixed = fields.every((f) => f.fixedLength > 0) ? fields.reduce((n, f) => n + f.fixedLength, 0) : -1;
  return anyOpaque(type, cls, fields) ?? codec(type, cls, fixed, (r) => fields.map((f) => f.read(r)), (w, v) => {
    const a = arr(v, type);
    if (a.length !== fields.length) throw bad(type, v);
    fields.forEach((f, i) => f.write(w, a[i]));
  });
}

function ttlCodec(type: string, cls: string, ts: ValueCodec, value: ValueCodec): ValueCodec {
  return anyOpaque(type, cls, [ts, value]) ?? codec(type, cls, -1, (r): TtlValue => {
    const lastAccessTimestamp = ts.read(r) as bigint;
    return { kind: 'ttl', value: value.read(r), lastAccessTimestamp };
  }, (w, v) => {
    const t = v as TtlValue;
    if (t?.kind !== 'ttl') throw bad(type, v);
    ts.write(w, t.lastAccessTimestamp);
    value.write(w, t.value);
  });
}

function timerCodec(type: string, cls: string, key: ValueCodec, ns: ValueCodec): ValueCodec {
  return anyOpaque(type, cls, [key, ns]) ?? codec(type, cls, -1, (r): TimerValue => {
    const timestamp = BigInt.asIntN(64, r.i64('timer timestamp') ^ LONG_MIN);
    return { kind: 'timer', timestamp, key: key.read(r), namespace: ns.read(r) };
  }, (w, v) => {
    const t = v as TimerValue;
    if (t?.kind !== 'timer') throw bad(type, v);
    w.i64(BigInt.asIntN(64, t.timestamp ^ LONG_MIN));
    key.write(w, t.key);
    ns.write(w, t.namespace);
  });
}

function eitherCodec(type: string, cls: string, left: ValueCodec, right: ValueCodec): ValueCodec {
  return anyOpaque(type, cls, [left, right]) ?? codec(type, cls, -1, (r): EitherValue => {
    return readBool(r, 'either is left') ? { kind: 'left', value: left.read(r) } : { kind: 'right', value: right.read(r) };
  }, (w, v) => {
    const e = v as Partial<EitherValue> | null;
    if (e?.kind === 'left') (writeBool(w, true), left.write(w, e.value));
    else if (e?.kind === 'right') (writeBool(w, false), right.write(w, e.value));
    else throw bad(type, v);
  });
}

const KIT: CodecKit = { codec, opaqueIfAny: anyOpaque, tuple: tupleCodec, either: eitherCodec, bad };

export { ROW_KINDS };
/** Encodes one value to bytes with `c`. */
export function encodeValue(c: ValueCodec, v: unknown): Uint8Array {
  const w = new ByteWriter(64);
  c.write(w, v);
  return w.finish();
}
