import { ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { decodeExactly } from '../operator/operator-state.js';
import type { ValueCodec } from '../serializers/codecs.js';
import type { OpaqueValue } from '../serializers/values.js';
import type { KeyedStateEntry, StateCodecs } from './entry.js';

const FLAG = 0x80;
const END_OF_KEY_GROUP = 0xffff;

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
  const r = new ByteReader(data, 0, ctx.base);
  const out: KeyedStateEntry[] = [];
  let stateId = r.u16('state id');
  for (;;) {
    const st = ctx.states[stateId];
    if (!st) throw new StateError('BadValue', `state id ${stateId} is not in the header`, { offset: r.base + r.offset - 2 });
    const keyAt = r.offset + 4;
    const key = r.lengthPrefixed('key').slice();
    const valueAt = r.offset + 4;
    const value = r.lengthPrefixed('value');
    if (key.length < ctx.prefixBytes) throw new StateError('BadLength', `key of ${key.length} bytes has no key-group prefix`, { offset: r.base + keyAt });
    const last = (key[0]! & FLAG) !== 0;
    key[0]! &= ~FLAG;
    const kg = ctx.prefixBytes === 1 ? key[0]! : (key[0]! << 8) | key[1]!;
    if (kg !== ctx.keyGroup) {
      throw new StateError('BadKeyGroup', `entry of key group ${kg} inside key group ${ctx.keyGroup}`, { offset: r.base + keyAt });
    }
    r.at(`${st.meta.name}`, () => out.push(decodeEntry(st, ctx, key, value, r.base + keyAt, r.base + valueAt)));
    if (last) {
      const next = r.u16('next state id');
      if (next === END_OF_KEY_GROUP) break;
      stateId = next;
    }
  }
  if (r.remaining !== 0) {
    throw new StateError('BadLength', `${r.remaining} bytes after the end-of-key-group mark`, { offset: r.base + r.offset });
  }
  return out;
}

function opaque(c: ValueCodec, bytes: Uint8Array): OpaqueValue {
  return { kind: 'opaque', serializer: c.className, bytes: bytes.slice() };
}

function decodeEntry(
  st: StateCodecs,
  ctx: CanonicalContext,
  key: Uint8Array,
  value: Uint8Array,
  keyAt: number,
  valueAt: number,
): KeyedStateEntry {
  const base = { keyGroup: ctx.keyGroup, state: st.meta.name, stateKind: st.kind };
  const kr = new ByteReader(key, ctx.prefixBytes, keyAt);
  if (st.kind === 'PRIORITY_QUEUE') {
    const element = st.value.opaque ? opaque(st.value, key.subarray(ctx.prefixBytes)) : st.value.read(kr);
    if (!st.value.opaque && kr.remaining) throw new StateError('BadLength', `${kr.remaining} bytes after the timer`, { offset: keyAt + kr.offset });
    return { ...base, key: undefined, namespace: undefined, value: element };
  }
  const ns = st.namespace!;
  let k: unknown;
  let n: unknown;
  let userKey: unknown;
  if (ctx.key.opaque || ns.opaque) {
    k = opaque(ctx.key.opaque ? ctx.key : ns, key.subarray(ctx.prefixBytes));
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
