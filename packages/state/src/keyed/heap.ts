import { ByteReader } from '@ckpt/format';
import { StateError } from '../errors.js';
import { readI16 } from '../serializers/data.js';
import type { ValueCodec } from '../serializers/codecs.js';
import type { SnappyFraming } from '../snappy/framing.js';
import type { KeyedStateEntry, StateCodecs } from './entry.js';

export interface HeapContext {
  keyGroup: number;
  key: ValueCodec;
  states: StateCodecs[];
  compressed: boolean;
  framing: SnappyFraming | undefined;
  base: number;
  file: string;
  /** Keyed proxy version 1 (Flink 1.2): per state a presence byte and entries grouped by namespace. */
  groupedByNamespace?: boolean;
}

/** Walks one key group of the heap backend's checkpoint format (`HeapSnapshotStrategy`). */
export function readHeapKeyGroup(region: Uint8Array, ctx: HeapContext): KeyedStateEntry[] {
  const head = new ByteReader(region, 0, ctx.base);
  const kg = head.i32('key group');
  if (kg !== ctx.keyGroup) {
    throw new StateError('BadKeyGroup', `key group ${kg} found where ${ctx.keyGroup} was expected`, { offset: ctx.base });
  }
  let data = region.subarray(4);
  if (ctx.compressed) {
    data = ctx.framing!.decode(data, { base: ctx.base + 4, file: ctx.file, requireIdentifier: true });
  }
  const r = new ByteReader(data, 0, ctx.base + 4);
  const out: KeyedStateEntry[] = [];
  while (r.remaining > 0) {
    const at = r.offset;
    const id = readI16(r, 'state id');
    const st = ctx.states[id];
    if (!st) throw new StateError('BadValue', `state id ${id} is not in the header`, { offset: r.base + at });
    if (ctx.groupedByNamespace) {
      readNamespaceGroups(r, st, ctx, out);
      continue;
    }
    const n = r.count('entries', 1);
    // path segments without closures or strings per entry: this loop runs once per entry
    for (let i = 0; i < n; i++) {
      r.enter2(st.meta.name, i);
      readEntry(r, st, ctx, out);
      r.leave2();
    }
  }
  return out;
}

/** Version 1 body of one state: `byte present`, `int namespaces`, per namespace the namespace, `int n`, n × (key, state). */
function readNamespaceGroups(r: ByteReader, st: StateCodecs, ctx: HeapContext, out: KeyedStateEntry[]): void {
  if (r.u8('state present') === 0) return;
  const groups = r.count('namespaces', 1);
  for (let g = 0; g < groups; g++) {
    const namespace = readField(r, st.namespace!, 'namespace');
    const n = r.count('entries', 1);
    for (let i = 0; i < n; i++) {
      r.enter2(st.meta.name, i);
      const key = readField(r, ctx.key, 'key');
      const value = readField(r, st.value, 'value');
      r.leave2();
      push(out, st, ctx.keyGroup, key, namespace, value);
    }
  }
}

function push(out: KeyedStateEntry[], st: StateCodecs, kg: number, key: unknown, namespace: unknown, value: unknown): void {
  const state = st.meta.name;
  if (st.kind === 'MAP' && value instanceof Map) {
    for (const [userKey, v] of value) out.push({ keyGroup: kg, state, stateKind: st.kind, key, namespace, userKey, value: v });
    return;
  }
  out.push({ keyGroup: kg, state, stateKind: st.kind, key, namespace, value });
}

function readField(r: ByteReader, codec: ValueCodec, what: string): unknown {
  r.enter(what);
  const v = codec.read(r);
  r.leave();
  return v;
}

function readEntry(r: ByteReader, st: StateCodecs, ctx: HeapContext, out: KeyedStateEntry[]): void {
  const state = st.meta.name;
  const kg = ctx.keyGroup;
  if (st.kind === 'PRIORITY_QUEUE') {
    out.push({ keyGroup: kg, state, stateKind: st.kind, key: undefined, namespace: undefined, value: st.value.read(r) });
    return;
  }
  const namespace = readField(r, st.namespace!, 'namespace');
  const key = readField(r, ctx.key, 'key');
  const value = readField(r, st.value, 'value');
  push(out, st, kg, key, namespace, value);
}
