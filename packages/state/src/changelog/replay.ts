import { ByteReader, ByteWriter, type ChangelogHandle, type KeyedStateHandle } from '@ckpt/format';
import { StateError, guard } from '../errors.js';
import type { HandleResolver } from '../io/resolve.js';
import { stateCodecs } from '../keyed/codecs.js';
import type { KeyedStateEntry, StateCodecs } from '../keyed/entry.js';
import { KeyedStateFile } from '../keyed/keyed-state.js';
import { encodeCompositeEntry } from '../keyed/canonical-encode.js';
import type { RawKeyedEntry } from '../keyed/canonical-stream.js';
import { readStateMetaInfo } from '../meta/meta-info.js';
import type { KeyedStateHeader } from '../meta/proxy.js';
import type { KeyGroupSpan } from '../rocksdb/keyed.js';
import { RocksDbKeyedState } from '../rocksdb/keyed.js';
import { codecFor, type ValueCodec } from '../serializers/codecs.js';
import { readBool, readI16 } from '../serializers/data.js';
import type { SerializerSnapshot } from '../serializers/snapshot.js';
import { COMMON_KEY_GROUP, handleChanges, type LoggedChange } from './changes.js';

export interface OpenChangelogOptions {
  /** The operator's max parallelism (from `_metadata`). */
  maxParallelism: number;
  /**
   * The key serializer when no materialized part carries one: state-change records hold the key's
   * bytes, but only a keyed header (of the materialized state) names its serializer.
   */
  keySerializer?: SerializerSnapshot;
}

/** `StateChangeOperation` codes (the same in every Flink line up to REMOVE_ELEMENT). */
const OP = { CLEAR: 0, SET: 1, SET_INTERNAL: 2, ADD: 3, MERGE_NS: 4, ADD_ELEMENT: 5, ADD_OR_UPDATE_ELEMENT: 6, REMOVE_ELEMENT: 7 } as const;
const OP_NAMES = ['CLEAR', 'SET', 'SET_INTERNAL', 'ADD', 'MERGE_NS', 'ADD_ELEMENT', 'ADD_OR_UPDATE_ELEMENT', 'REMOVE_ELEMENT', 'METADATA or REMOVE_FIRST_ELEMENT', 'METADATA'];

/** One (key, namespace) of a keyed state, or one element of a priority queue. */
interface Slot {
  keyGroup: number;
  key: unknown;
  namespace: unknown;
  /** VALUE-like: the value; LIST: the elements; MAP: user key identity → entry; queue: the element. */
  value: unknown;
}

interface Table {
  codecs: StateCodecs;
  /** The state's meta info as Flink wrote it (for a canonical header). */
  metaBytes: Uint8Array;
  slots: Map<string, Slot>;
}

/** The envelope of a configuration-free serializer snapshot (proxy version 2, class, version, no payload). */
function basicSnapshotBytes(s: SerializerSnapshot): Uint8Array {
  if (s.nested.length > 0 || s.config !== undefined) throw new StateError('UnsupportedKey', `key serializer ${s.className} has a configuration; only basic ones can be given`);
  const w = new ByteWriter(128);
  w.i32(2);
  w.utf(s.className);
  w.i32(s.version);
  return w.finish();
}

/** A stable identity for decoded values (bigint, bytes, maps): how two records name the same key. */
function identity(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x instanceof Uint8Array) return { bytes: [...x] };
    if (x instanceof Map) return { map: [...x.entries()] };
    if (x instanceof Set) return { set: [...x.values()] };
    return x === undefined ? null : x;
  });
}

/** A value that fills the rest of a record (Kryo values cannot be delimited otherwise). */
function readRest(codec: ValueCodec, r: ByteReader): unknown {
  return codec.readWhole ? codec.readWhole(r) : codec.read(r);
}

/**
 * The keyed state of one changelog state backend handle (tags 8 / 14) as Flink restores it: the
 * materialized part (heap, canonical or RocksDB handles) loaded first, then every logged change of
 * the non-materialized part applied in order (`ChangelogBackendRestoreOperation`): metadata
 * records (key group -1) register states by their short id, data records set, add to, merge or
 * clear a (key, namespace) of their state, or add / remove priority-queue elements. Changes of
 * key groups outside the handle's range are skipped. Changes Flink itself can only apply with
 * the job's functions (MERGE_NS of reducing / aggregating state) and TTL-enabled states (whose
 * configuration is logged as Java serialization) are a `StateError` (`UnsupportedHandle`).
 */
export class ChangelogKeyedState {
  private readonly tables = new Map<string, Table>();
  private readonly ids = new Map<number, Table>();
  private key: ValueCodec | undefined;
  private keySnapshot: SerializerSnapshot | undefined;
  private keyBytes: Uint8Array | undefined;

  private constructor(
    readonly handle: ChangelogHandle,
    private readonly opts: OpenChangelogOptions,
  ) {}

  static async open(handle: ChangelogHandle, resolver: Pick<HandleResolver, 'resolve'>, opts: OpenChangelogOptions): Promise<ChangelogKeyedState> {
    const s = new ChangelogKeyedState(handle, opts);
    for (const m of handle.materialized) if (m) await s.loadMaterialized(m, resolver);
    if (!s.key && opts.keySerializer) {
      s.key = codecFor(opts.keySerializer);
      s.keySnapshot = opts.keySerializer;
      s.keyBytes = basicSnapshotBytes(opts.keySerializer);
    }
    for (const nm of handle.nonMaterialized) {
      if (nm.kind !== 'changelogFile' && nm.kind !== 'inMemoryChangelog') {
        throw new StateError('UnsupportedHandle', `non-materialized changelog part of kind ${nm.kind}`);
      }
      for await (const set of handleChanges(nm, resolver)) for (const c of set) s.apply(c);
    }
    return s;
  }

  private table(codecs: StateCodecs, metaBytes: Uint8Array): Table {
    let t = this.tables.get(codecs.meta.name);
    if (!t) this.tables.set(codecs.meta.name, (t = { codecs, metaBytes, slots: new Map() }));
    else Object.assign(t, { codecs, metaBytes });
    return t;
  }

  private async loadMaterialized(m: KeyedStateHandle, resolver: Pick<HandleResolver, 'resolve'>): Promise<void> {
    const opts = { maxParallelism: this.opts.maxParallelism };
    let source: { header: KeyedStateHeader; entries(): AsyncIterable<KeyedStateEntry> };
    if (m.kind === 'incremental') source = await RocksDbKeyedState.open(m, (x) => resolver.resolve(x), opts);
    else if (m.kind === 'keyGroups' || m.kind === 'savepointKeyGroups') source = await KeyedStateFile.open(m, resolver.resolve(m.delegate), opts);
    else throw new StateError('UnsupportedHandle', `materialized changelog part of kind ${m.kind}`);
    if (!this.key) {
      this.key = codecFor(source.header.keySerializer);
      this.keySnapshot = source.header.keySerializer;
      this.keyBytes = source.header.raw.keySerializer;
    }
    const byName = new Map(source.header.states.map((meta, i) => [meta.name, this.table(stateCodecs(meta), source.header.raw.states[i]!)]));
    for await (const e of source.entries()) {
      const t = byName.get(e.state)!;
      if (e.stateKind === 'PRIORITY_QUEUE') {
        t.slots.set(identity(e.value), { keyGroup: e.keyGroup, key: undefined, namespace: undefined, value: e.value });
        continue;
      }
      const id = identity([e.key, e.namespace]);
      if (e.stateKind !== 'MAP') {
        t.slots.set(id, { keyGroup: e.keyGroup, key: e.key, namespace: e.namespace, value: e.value });
        continue;
      }
      let slot = t.slots.get(id);
      if (!slot) t.slots.set(id, (slot = { keyGroup: e.keyGroup, key: e.key, namespace: e.namespace, value: new Map() }));
      (slot.value as Map<string, [unknown, unknown]>).set(identity(e.userKey), [e.userKey, e.value]);
    }
  }

  private apply(c: LoggedChange): void {
    guard(c.file, () => {
      const r = new ByteReader(c.data, 0, c.offset + 4);
      const op = r.u8('operation');
      if (c.keyGroup === COMMON_KEY_GROUP) {
        // METADATA is 9 where REMOVE_FIRST_ELEMENT (8) exists (Flink 1.x), 8 after it was removed
        if (op !== 8 && op !== 9) throw new StateError('BadValue', `record of key group -1 with operation ${op}, expected METADATA`, { offset: r.base });
        this.applyMetadata(r);
      } else {
        const range = this.handle.keyGroupRange;
        if (c.keyGroup < range.start || c.keyGroup >= range.start + range.count) return;
        const id = readI16(r, 'state id');
        const t = this.ids.get(id);
        if (!t) throw new StateError('MissingState', `change of state id ${id} before its metadata record`, { offset: r.base });
        if (t.codecs.kind === 'PRIORITY_QUEUE') this.applyQueue(t, op, c.keyGroup, r);
        else this.applyKeyed(t, op, c.keyGroup, r);
      }
      if (r.remaining !== 0) throw new StateError('BadLength', `${r.remaining} bytes left after a ${OP_NAMES[op] ?? op} record`, { offset: r.base + r.offset });
    });
  }

  private applyMetadata(r: ByteReader): void {
    const version = r.i32('meta info version');
    if (version < 6) throw new StateError('UnsupportedVersion', `state meta info version ${version} in a changelog metadata record`, { offset: r.base });
    const at = r.offset;
    const meta = readStateMetaInfo(r);
    const metaBytes = r.bytes.slice(at, r.offset);
    const codecs = stateCodecs(meta);
    if (meta.backendStateType !== 'PRIORITY_QUEUE') {
      if (readBool(r, 'TTL enabled')) {
        throw new StateError('UnsupportedHandle', `state ${meta.name}: its TTL configuration is logged as Java serialization, which ckpt does not read`, { offset: r.base + r.offset });
      }
      if (readBool(r, 'has default value')) codecs.value.read(r);
    }
    const id = readI16(r, 'state id');
    r.u8('backend state type');
    this.ids.set(id, this.table(codecs, metaBytes));
  }

  private unsupported(t: Table, op: number, r: ByteReader): StateError {
    return new StateError('UnsupportedHandle', `${OP_NAMES[op] ?? `operation ${op}`} on ${t.codecs.kind} state ${t.codecs.meta.name} cannot be replayed without the job's functions`, { offset: r.base });
  }

  private applyQueue(t: Table, op: number, keyGroup: number, r: ByteReader): void {
    if (op === OP.ADD_ELEMENT) {
      const n = r.i32('elements');
      for (let i = 0; i < n; i++) {
        const v = t.codecs.value.read(r);
        t.slots.set(identity(v), { keyGroup, key: undefined, namespace: undefined, value: v });
      }
    } else if (op === OP.REMOVE_ELEMENT) t.slots.delete(identity(t.codecs.value.read(r)));
    else throw this.unsupported(t, op, r);
  }

  private applyKeyed(t: Table, op: number, keyGroup: number, r: ByteReader): void {
    if (!this.key) {
      throw new StateError('UnsupportedHandle', 'the checkpoint has no materialized state, so no key serializer: give the key type to decode the logged keys (--key-type of ckpt dump-state and rekey)', { offset: r.base });
    }
    const { codecs } = t;
    const key = this.key.read(r);
    const namespace = codecs.namespace!.read(r);
    const id = identity([key, namespace]);
    const slot = () => {
      let s = t.slots.get(id);
      if (!s) t.slots.set(id, (s = { keyGroup, key, namespace, value: codecs.kind === 'MAP' ? new Map() : codecs.kind === 'LIST' ? [] : undefined }));
      return s;
    };
    if (op === OP.CLEAR) {
      t.slots.delete(id);
      return;
    }
    switch (codecs.kind) {
      case 'LIST': {
        if (op === OP.SET || op === OP.SET_INTERNAL) slot().value = [...(readRest(codecs.value, r) as unknown[])];
        else if (op === OP.ADD) (slot().value as unknown[]).push(...(readRest(codecs.value, r) as unknown[]));
        else if (op === OP.ADD_ELEMENT) (slot().value as unknown[]).push(readRest(codecs.element, r));
        else if (op === OP.MERGE_NS) this.mergeLists(t, key, r);
        else throw this.unsupported(t, op, r);
        const s = t.slots.get(id);
        if (s && (s.value as unknown[]).length === 0) t.slots.delete(id);
        return;
      }
      case 'MAP': {
        if (op === OP.ADD) for (const [k, v] of readRest(codecs.value, r) as Map<unknown, unknown>) (slot().value as Map<string, [unknown, unknown]>).set(identity(k), [k, v]);
        else if (op === OP.ADD_ELEMENT || op === OP.ADD_OR_UPDATE_ELEMENT) {
          const k = codecs.userKey!.read(r);
          (slot().value as Map<string, [unknown, unknown]>).set(identity(k), [k, readRest(codecs.element, r)]);
        } else if (op === OP.REMOVE_ELEMENT) {
          const s = t.slots.get(id);
          (s?.value as Map<string, unknown> | undefined)?.delete(identity(codecs.userKey!.read(r)));
          if (s && (s.value as Map<string, unknown>).size === 0) t.slots.delete(id);
        } else throw this.unsupported(t, op, r);
        return;
      }
      default:
        if (op === OP.SET || op === OP.SET_INTERNAL) slot().value = readRest(codecs.value, r);
        else throw this.unsupported(t, op, r);
    }
  }

  /** MERGE_NS of a list state: the sources' elements appended to the target's, sources removed (heap `mergeNamespaces`). */
  private mergeLists(t: Table, key: unknown, r: ByteReader): void {
    const ns = t.codecs.namespace!;
    const target = ns.read(r);
    const n = r.i32('source namespaces');
    const merged: unknown[] = [];
    let keyGroup: number | undefined;
    for (let i = 0; i < n; i++) {
      const id = identity([key, ns.read(r)]);
      const s = t.slots.get(id);
      if (!s) continue;
      keyGroup = s.keyGroup;
      merged.push(...(s.value as unknown[]));
      t.slots.delete(id);
    }
    if (merged.length === 0) return;
    const id = identity([key, target]);
    const s = t.slots.get(id);
    if (s) (s.value as unknown[]).push(...merged);
    else t.slots.set(id, { keyGroup: keyGroup!, key, namespace: target, value: merged });
  }

  /** A keyed header for the restored state: the key serializer and every state, in registration order. */
  get header(): KeyedStateHeader {
    if (!this.keySnapshot || !this.keyBytes) {
      throw new StateError('UnsupportedHandle', 'the checkpoint has no materialized state, so no key serializer: give the key type (--key-type of ckpt dump-state and rekey)');
    }
    const tables = [...this.tables.values()];
    const states = tables.map((t) => t.codecs.meta);
    const raw = { version: 6, keySerializer: this.keyBytes, states: tables.map((t) => t.metaBytes) };
    return { version: 6, compressed: false, keySerializer: this.keySnapshot, states, length: 0, raw };
  }

  /**
   * The restored state as canonical pairs (the layout the canonical format and RocksDB share), key
   * group by key group, state ids as in {@link header}; only key groups in `spans` when given.
   */
  async *rawKeyGroups(spans?: readonly KeyGroupSpan[]): AsyncGenerator<{ keyGroup: number; entries: RawKeyedEntry[] }> {
    const ids = new Map([...this.tables.values()].map((t, i) => [t.codecs.meta.name, i]));
    const key = this.header && this.key!;
    let group: { keyGroup: number; entries: RawKeyedEntry[] } | undefined;
    for (const e of this.entries()) {
      if (spans && !spans.some((s) => e.keyGroup >= s.start && e.keyGroup <= s.end)) continue;
      if (group && group.keyGroup !== e.keyGroup) {
        yield group;
        group = undefined;
      }
      group ??= { keyGroup: e.keyGroup, entries: [] };
      const stateId = ids.get(e.state)!;
      group.entries.push({ stateId, ...encodeCompositeEntry(this.tables.get(e.state)!.codecs, key, e) });
    }
    if (group) yield group;
  }

  /** The restored entries, key group by key group, states in registration order (the shape of the other readers). */
  entries(): KeyedStateEntry[] {
    const out: (KeyedStateEntry & { order: number })[] = [];
    let order = 0;
    for (const { codecs, slots } of this.tables.values()) {
      const state = codecs.meta.name;
      const stateKind = codecs.kind;
      for (const s of slots.values()) {
        const base = { keyGroup: s.keyGroup, state, stateKind, key: s.key, namespace: s.namespace };
        if (stateKind === 'MAP') for (const [userKey, value] of (s.value as Map<string, [unknown, unknown]>).values()) out.push({ ...base, userKey, value, order: order++ });
        else out.push({ ...base, value: s.value, order: order++ });
      }
    }
    out.sort((a, b) => a.keyGroup - b.keyGroup || a.order - b.order);
    return out.map(({ order: _o, ...e }) => e);
  }
}
