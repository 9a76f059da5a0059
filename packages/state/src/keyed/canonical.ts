import { ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { decodeExactly } from '../operator/operator-state.js';
import type { ValueCodec } from '../serializers/codecs.js';
import type { OpaqueValue } from '../serializers/values.js';
import type { KeyedStateEntry, StateCodecs } from './entry.js';
import { readRawKeyGroup, type RawKeyedEntry } from './canonical-stream.js';

export interface CanonicalContext {
  keyGroup: number;
  prefixBytes: 1 | 2;
  key: ValueCodec;
  states: StateCodecs[];
  /** Position of `data` in the file, for error offsets (approximate when decompressed). */
  base: number;
}

/** Walks one key group of the canonical (unified savepoint / RocksDB full) format. */
export function readCanonicalKeyGroup(data: Uint8Array, ctx: CanonicalContext): KeyedStateEntry[] {
  return decodeRawEntries(readRawKeyGroup(data, ctx), ctx);
}

/** Decodes raw pairs of one key group with the states' codecs. */
export function decodeRawEntries(raw: readonly RawKeyedEntry[], ctx: Omit<CanonicalContext, 'base'>): KeyedStateEntry[] {
  const out: KeyedStateEntry[] = [];
  for (const e of raw) {
    const st = ctx.states[e.stateId];
    if (!st) throw new StateError('BadValue', `state id ${e.stateId} is not in the header`, { offset: e.keyAt });
    const r = new ByteReader(e.key);
    r.at(`${st.meta.name}`, () => out.push(decodeEntry(st, ctx, e.key, e.value, e.keyAt ?? 0, e.valueAt ?? 0)));
  }
  return out;
}

function opaque(c: ValueCodec, bytes: Uint8Array): OpaqueValue {
  return { kind: 'opaque', serializer: c.className, bytes: bytes.slice() };
}

function decodeEntry(
  st: StateCodecs,
  ctx: Omit<CanonicalContext, 'base'>,
  key: Uint8Array,
  value: Uint8Array,
  keyAt: number,
  valueAt: number,
): KeyedStateEntry {
  const base = { keyGroup: ctx.keyGroup, state: st.meta.name, stateKind: st.kind };
  const kr = new ByteReader(key, 0, keyAt);
  if (st.kind === 'PRIORITY_QUEUE') {
    const element = st.value.opaque ? opaque(st.value, key) : st.value.read(kr);
    if (!st.value.opaque && kr.remaining) throw new StateError('BadLength', `${kr.remaining} bytes after the timer`, { offset: keyAt + kr.offset });
    return { ...base, key: undefined, namespace: undefined, value: element };
  }
  const ns = st.namespace!;
  let k: unknown;
  let n: unknown;
  let userKey: unknown;
  if (ctx.key.opaque || ns.opaque) {
    k = opaque(ctx.key.opaque ? ctx.key : ns, key);
    n = undefined;
    if (st.kind === 'MAP') userKey = undefined;
  } else {
    const ambiguous = ctx.key.fixedLength < 0 && ns.fixedLength < 0;
    const k0 = kr.offset;
    k = ctx.key.read(kr);
    if (ambiguous) expectVarIntBytes(kr, kr.offset - k0);
    const n0 = kr.offset;
    n = ns.read(kr);
    if (ambiguous) expectVarIntBytes(kr, kr.offset - n0);
    if (st.kind === 'MAP') {
      userKey = st.userKey!.opaque ? opaque(st.userKey!, key.subarray(kr.offset)) : st.userKey!.read(kr);
    } else if (kr.remaining) {
      throw new StateError('BadLength', `${kr.remaining} unexpected bytes at the end of the key`, { offset: keyAt + kr.offset });
    }
  }
  let v: unknown;
  if (st.kind === 'LIST') v = readDelimitedList(st.element, value, valueAt);
  else if (st.kind === 'MAP') {
    const vr = new ByteReader(value, 0, valueAt);
    v = vr.u8('map value is null') !== 0 ? null : decodeExactly(st.element, value.subarray(1), valueAt + 1, 'mapValue');
  } else v = decodeExactly(st.value, value, valueAt, 'value');
  const e: KeyedStateEntry = { ...base, key: k, namespace: n, value: v };
  if (st.kind === 'MAP') e.userKey = userKey;
  return e;
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
function readDelimitedList(el: ValueCodec, bytes: Uint8Array, base: number): unknown {
  if (el.opaque) return { kind: 'opaque', serializer: el.className, bytes: bytes.slice() } satisfies OpaqueValue;
  const r = new ByteReader(bytes, 0, base);
  const out: unknown[] = [];
  while (r.remaining > 0) {
    out.push(r.at(`[${out.length}]`, () => el.read(r)));
    if (r.remaining > 0) r.u8('list delimiter');
  }
  return out;
}
