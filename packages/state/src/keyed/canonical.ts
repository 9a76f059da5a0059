import type { ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { WindowReader } from '../io/window-reader.js';
import { expectEnd } from '../operator/operator-state.js';
import type { ValueCodec } from '../serializers/codecs.js';
import type { OpaqueValue } from '../serializers/values.js';
import type { KeyedStateEntry, StateCodecs } from './entry.js';
import { walkRawKeyGroup } from './canonical-stream.js';

export interface CanonicalContext {
  keyGroup: number;
  prefixBytes: 1 | 2;
  key: ValueCodec;
  states: StateCodecs[];
  /** Position of `data` in the file, for error offsets (approximate when decompressed). */
  base: number;
}

/**
 * Walks one key group of the canonical (unified savepoint / RocksDB full) format and decodes every
 * pair in place: one {@link WindowReader} moves over the keys and values, nothing is sliced.
 */
export function readCanonicalKeyGroup(data: Uint8Array, ctx: CanonicalContext): KeyedStateEntry[] {
  const out: KeyedStateEntry[] = [];
  const r = new WindowReader(data, ctx.base);
  walkRawKeyGroup(data, ctx, (stateId, keyStart, keyEnd, valueStart, valueEnd) => {
    const st = ctx.states[stateId];
    if (!st) throw new StateError('BadValue', `state id ${stateId} is not in the header`, { offset: ctx.base + keyStart });
    r.enter(st.meta.name);
    out.push(decodeEntry(st, ctx, r, keyStart, keyEnd, valueStart, valueEnd));
    r.leave();
  });
  return out;
}

function opaque(c: ValueCodec, bytes: Uint8Array, start: number, end: number): OpaqueValue {
  return { kind: 'opaque', serializer: c.className, bytes: bytes.slice(start, end) };
}

/**
 * Decodes one pair of Flink's composite-key layout (shared by the canonical format and the
 * RocksDB/ForSt backends): `data[keyStart, keyEnd)` is the key after its key-group prefix
 * (key, namespace with length suffixes when both are variable-length, map user key or timer),
 * `data[valueStart, valueEnd)` the value (list elements joined by ',', map values behind a null flag).
 */
export function decodeEntry(
  st: StateCodecs,
  ctx: CanonicalContext,
  r: WindowReader,
  keyStart: number,
  keyEnd: number,
  valueStart: number,
  valueEnd: number,
): KeyedStateEntry {
  const data = r.bytes;
  if (st.kind === 'PRIORITY_QUEUE') {
    const element = bytesOnly(st.value) ? opaque(st.value, data, keyStart, keyEnd) : readExactly(st.value, r.window(keyStart, keyEnd), 'timer');
    return { keyGroup: ctx.keyGroup, state: st.meta.name, stateKind: st.kind, key: undefined, namespace: undefined, value: element };
  }
  const ns = st.namespace!;
  let k: unknown;
  let n: unknown;
  let userKey: unknown;
  if (ctx.key.opaque || ns.opaque) {
    k = opaque(ctx.key.opaque ? ctx.key : ns, data, keyStart, keyEnd);
    n = undefined;
    userKey = undefined;
  } else {
    r.window(keyStart, keyEnd);
    const ambiguous = ctx.key.fixedLength < 0 && ns.fixedLength < 0;
    const k0 = r.offset;
    k = ctx.key.read(r);
    if (ambiguous) expectVarIntBytes(r, r.offset - k0);
    const n0 = r.offset;
    n = ns.read(r);
    if (ambiguous) expectVarIntBytes(r, r.offset - n0);
    if (st.kind === 'MAP') {
      userKey = st.userKey!.opaque ? opaque(st.userKey!, data, r.offset, keyEnd) : st.userKey!.read(r);
    } else if (r.remaining) {
      throw new StateError('BadLength', `${r.remaining} unexpected bytes at the end of the key`, { offset: r.base + r.offset });
    }
  }
  let v: unknown;
  if (st.kind === 'LIST') v = readDelimitedList(st.element, r.window(valueStart, valueEnd));
  else if (st.kind === 'MAP') {
    r.window(valueStart, valueEnd);
    if (r.u8('map value is null') !== 0) v = null;
    else v = bytesOnly(st.element) ? opaque(st.element, data, valueStart + 1, valueEnd) : readExactly(st.element, r, 'mapValue');
  } else v = bytesOnly(st.value) ? opaque(st.value, data, valueStart, valueEnd) : readExactly(st.value, r.window(valueStart, valueEnd), 'value');
  if (st.kind === 'MAP') return { keyGroup: ctx.keyGroup, state: st.meta.name, stateKind: st.kind, key: k, namespace: n, value: v, userKey };
  return { keyGroup: ctx.keyGroup, state: st.meta.name, stateKind: st.kind, key: k, namespace: n, value: v };
}

/** Opaque and not even readable as a whole value (Kryo values are: `readWhole`). */
function bytesOnly(c: ValueCodec): boolean {
  return c.opaque && !c.readWhole;
}

/** Reads one value that must fill the rest of the reader's window. */
function readExactly(codec: ValueCodec, r: ByteReader, what: string): unknown {
  r.enter(what);
  const v = codec.readWhole ? codec.readWhole(r) : codec.read(r);
  expectEnd(r, what);
  r.leave();
  return v;
}

/** `writeVariableIntBytes`: little-endian base-256, at least one byte. */
function expectVarIntBytes(r: ByteReader, expected: number): void {
  const at = r.offset;
  let v = expected;
  do {
    const b = r.u8('length suffix');
    if (b !== (v & 0xff)) throw new StateError('BadValue', `length suffix does not match ${expected}`, { offset: r.base + at });
    v >>>= 8;
  } while (v !== 0);
}

/** `ListDelimitedSerializer`: elements separated by one delimiter byte. */
function readDelimitedList(el: ValueCodec, r: WindowReader): unknown {
  if (el.opaque) return opaque(el, r.bytes, r.offset, r.offset + r.remaining);
  const out: unknown[] = [];
  while (r.remaining > 0) {
    r.enter(out.length);
    out.push(el.read(r));
    r.leave();
    if (r.remaining > 0) r.u8('list delimiter');
  }
  return out;
}
